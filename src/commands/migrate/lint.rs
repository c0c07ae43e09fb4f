//! `strata migrate lint`: replays the directory on a scratch database and lints the latest
//! files (or those not on a git base revision).

use super::{shown, with_scratch};
use crate::cli::migrate::LintArgs;
use crate::cli::{EXIT_ERROR, EXIT_OK};
use crate::commands::{Settings, dev_source, usage};
use crate::devdb::ScratchDb;
use crate::migrate::dir::{Dir, Migration};
use crate::migrate::lint::{FileReport, Severity, lint_file};
use crate::migrate::replay;
use miette::Result;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Instant;

/// The files of `dir` that are not in git revision `base`.
fn not_in_git(dir: &Dir, base: &str) -> Result<BTreeSet<String>> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(&dir.path)
        .args(["ls-tree", "--name-only", base, "--", "."])
        .output()
        .map_err(|e| {
            usage(
                format!("cannot run git: {e}"),
                "install git, or use --latest N",
            )
        })?;
    if !out.status.success() {
        return Err(usage(
            format!(
                "git ls-tree {base} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
            "pass a revision the repository has, e.g. --git-base origin/main",
        ));
    }
    let known: BTreeSet<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.rsplit('/').next().unwrap_or(l).to_string())
        .collect();
    Ok(dir
        .migrations
        .iter()
        .filter(|m| !known.contains(&m.name))
        .map(|m| m.name.clone())
        .collect())
}

pub(crate) async fn run(s: &Settings, path: &Path, args: &LintArgs) -> Result<u8> {
    let p = &s.painter;
    let dir = Dir::open(path)?;
    if let Err(e) = dir.check_sum() {
        println!("Migration integrity check: {}", p.bold_red("failed"));
        println!("  {}", e.message);
        if let Some(h) = &e.help {
            println!("  {h}");
        }
        return Ok(EXIT_ERROR);
    }
    let selected: BTreeSet<String> = match &args.git_base {
        Some(base) => not_in_git(&dir, base)?,
        None => {
            let n = args.latest.unwrap_or(1);
            dir.migrations
                .iter()
                .rev()
                .take(n)
                .map(|m| m.name.clone())
                .collect()
        }
    };
    if selected.is_empty() {
        println!("No migration files to lint in {}.", shown(path));
        return Ok(EXIT_OK);
    }
    let started = Instant::now();
    let dev = dev_source(s)?;
    let migrations: Vec<&Migration> = dir.migrations.iter().collect();
    let reports: Vec<FileReport> = with_scratch(&dev, async |scratch: &ScratchDb| {
        let mut reports = Vec::new();
        for m in &migrations {
            if selected.contains(&m.name) {
                let file = m.sql(&dir.path)?;
                reports.push(lint_file(&scratch.client, &file, &m.name).await?);
            } else {
                replay(&scratch.client, &dir.path, &[*m]).await?;
            }
        }
        Ok(reports)
    })
    .await?;
    // The env's policy decides: deny → error, warn → warning, allow → silenced. CONCURRENTLY in
    // a transaction is always an error: PostgreSQL rejects it.
    let mut reports = reports;
    for r in &mut reports {
        let before = r.findings.len();
        r.findings.retain_mut(|f| {
            let Some(rule) = crate::lint::find(&f.code) else {
                return true;
            };
            if f.code == "PG103" {
                f.severity = Severity::Error;
                return true;
            }
            let h = crate::lint::Hazard::new(rule.code, rule.category, "");
            match s.policy.level(&h) {
                crate::lint::policy::Level::Deny => f.severity = Severity::Error,
                crate::lint::policy::Level::Warn => f.severity = Severity::Warning,
                crate::lint::policy::Level::Allow => return false,
            }
            true
        });
        r.silenced += before - r.findings.len();
    }
    println!("Analyzing {} migration file(s):", reports.len());
    let mut errors = 0;
    let mut warnings = 0;
    for r in &reports {
        println!();
        println!("  -- {}", r.name);
        for f in &r.findings {
            let text = format!(
                "{} {} (L{}): {}",
                match f.severity {
                    Severity::Error => "error  ",
                    Severity::Warning => "warning",
                },
                f.code,
                f.line,
                f.message
            );
            println!(
                "    {}",
                match f.severity {
                    Severity::Error => p.red(&text),
                    Severity::Warning => p.yellow(&text),
                }
            );
        }
        let e = r.errors();
        let w = r.findings.len() - e;
        errors += e;
        warnings += w;
        let silenced = if r.silenced > 0 {
            format!(", {} silenced by strata:nolint", r.silenced)
        } else {
            String::new()
        };
        if r.findings.is_empty() {
            println!("    ok: no findings{silenced}");
        } else {
            println!("    {e} error(s), {w} warning(s){silenced}");
        }
    }
    println!();
    println!("  -------------------------");
    println!("  -- {:.0?}", started.elapsed());
    println!(
        "  -- {} file(s), {errors} error(s), {warnings} warning(s)",
        reports.len()
    );
    if errors > 0 {
        println!(
            "  Errors are changes that lose data. Silence a reviewed finding with `-- strata:nolint CODE` above the statement."
        );
        return Ok(EXIT_ERROR);
    }
    Ok(EXIT_OK)
}
