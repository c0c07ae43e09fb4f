//! `strata migrate status`: where the database stands, with exit codes for start-up checks.

use super::{replayed_state, shown};
use crate::cli::EXIT_OK;
use crate::cli::migrate::{EXIT_DRIFT, EXIT_FAILED, EXIT_MISMATCH, EXIT_PENDING, StatusArgs};
use crate::commands::{Settings, apply_exclude, connect, dev_source, target_url};
use crate::diff;
use crate::migrate::dir::{Dir, Migration, compare_versions};
use crate::migrate::revisions::{self, Revision};
use crate::migrate::{inspect_state, status};
use crate::plan::{self as planner, Action, PlanContext, PlanDeps};
use miette::Result;
use std::cmp::Ordering;
use std::path::Path;

/// How a failed revision reads.
pub(crate) fn describe_failure(r: &Revision, file: Option<&Migration>) -> String {
    let name = file.map_or(r.version.clone(), |m| m.name.clone());
    if r.interrupted() {
        return format!(
            "{name} was interrupted at statement {} of {}: the run stopped before it finished (killed or disconnected), without a transaction\n      {} of {} statements are applied; `strata migrate apply` resumes at statement {}",
            r.applied + 1,
            r.total,
            r.applied,
            r.total,
            r.applied + 1
        );
    }
    let what = if r.applied == 0 {
        "rolled back, none of its statements are applied".to_string()
    } else {
        format!(
            "{} of {} statements are applied (it ran without a transaction)",
            r.applied, r.total
        )
    };
    let at = if r.applied == 0 {
        String::new()
    } else {
        format!(" at statement {} of {}", r.applied + 1, r.total)
    };
    format!(
        "{name} failed{at}: {}\n      statement: {}\n      {what}",
        r.error.as_deref().unwrap_or(""),
        r.error_statement.as_deref().unwrap_or("").trim()
    )
}

pub(crate) async fn run(s: &Settings, path: &Path, args: &StatusArgs) -> Result<u8> {
    let p = &s.painter;
    let dir = Dir::open(path)?;
    if let Err(e) = dir.check_sum() {
        println!("Migration status: {}", p.bold_red("CHECKSUM MISMATCH"));
        println!("  {}", e.message);
        if let Some(h) = &e.help {
            println!("  {h}");
        }
        return Ok(EXIT_MISMATCH);
    }
    let url = target_url(s).await?;
    let client = connect(&url).await?;
    let revs = revisions::read(&client).await?;
    let st = status(&dir, &revs);
    let mut code = if !st.mismatched.is_empty() || !st.out_of_order.is_empty() {
        EXIT_MISMATCH
    } else if st.failed.is_some() {
        EXIT_FAILED
    } else if !st.pending.is_empty() {
        EXIT_PENDING
    } else {
        EXIT_OK
    };
    // Drift only means something when the database is where the files say it is.
    let drift = if args.drift && code == EXIT_OK {
        let d = drift(s, &dir, &st, &client).await?;
        if d.is_some() {
            code = EXIT_DRIFT;
        }
        Some(d)
    } else {
        None
    };
    let label = match code {
        EXIT_MISMATCH => p.bold_red("CHECKSUM MISMATCH"),
        EXIT_FAILED => p.bold_red("FAILED"),
        EXIT_PENDING => p.yellow("PENDING"),
        EXIT_DRIFT => p.bold_red("DRIFT"),
        _ => p.bold_green("OK"),
    };
    println!("Migration status: {label}");
    println!("  Database:        {}", url.redacted());
    println!("  Directory:       {}", shown(path));
    println!(
        "  Current version: {}",
        st.current
            .as_deref()
            .unwrap_or("none (no migration applied)")
    );
    println!("  Applied:         {} file(s)", st.applied);
    if st.pending.is_empty() {
        println!("  Pending:         none");
    } else {
        println!("  Pending:         {} file(s)", st.pending.len());
        for m in &st.pending {
            println!("    - {}", m.name);
        }
    }
    if let Some(f) = &st.failed {
        println!(
            "  Failed:          {}",
            describe_failure(f, dir.find(&f.version))
        );
        if f.interrupted() {
            println!("  Run `strata migrate apply` to finish it.");
        } else {
            println!(
                "  Fix the file, run `strata migrate hash`, then `strata migrate apply` retries it."
            );
        }
    }
    for (file, what) in &st.mismatched {
        println!("  Mismatch:        {file} {what}");
    }
    for m in &st.out_of_order {
        println!(
            "  Out of order:    {} has no revision but sorts before the current version (added on another branch?): rename it to a later version and run `strata migrate hash`",
            m.name
        );
    }
    match drift {
        Some(None) => println!("  Drift:           none (the database matches the applied files)"),
        Some(Some(lines)) => {
            println!(
                "  Drift:           {} (changed outside the migration files):",
                p.bold_red("the database differs from the applied files")
            );
            for l in lines {
                println!("    {l}");
            }
            println!("  Write a migration that records the change, or revert it by hand.");
        }
        None => {}
    }
    Ok(code)
}

/// What differs between the applied files (replayed on a scratch database) and the live
/// database, one line per object; `None` when nothing does.
async fn drift(
    s: &Settings,
    dir: &Dir,
    st: &crate::migrate::Status<'_>,
    client: &tokio_postgres::Client,
) -> Result<Option<Vec<String>>> {
    let dev = dev_source(s)?;
    let applied: Vec<&Migration> = dir
        .migrations
        .iter()
        .filter(|m| {
            st.current
                .as_deref()
                .is_some_and(|c| compare_versions(&m.version, c) != Ordering::Greater)
        })
        .collect();
    let (mut expected, expected_deps) = replayed_state(&dev, &dir.path, &applied).await?;
    let (mut live, live_deps) = inspect_state(client).await?;
    if !s.schemas.is_empty() {
        expected.schemas.retain(|n, _| s.schemas.contains(n));
        live.schemas.retain(|n, _| s.schemas.contains(n));
    }
    apply_exclude(&mut expected, &s.exclude);
    apply_exclude(&mut live, &s.exclude);
    let changes = diff::diff(&expected, &live)?;
    if changes.is_empty() {
        return Ok(None);
    }
    let plan = planner::build(
        &changes,
        &expected,
        &live,
        &PlanDeps {
            current: expected_deps,
            desired: live_deps,
        },
        &PlanContext::default(),
    );
    let mut lines = Vec::new();
    for o in &plan.objects {
        lines.push(format!("{} {}", symbol(o.action), o.address));
        for c in &o.children {
            lines.push(format!("    {} {}", symbol(c.action), c.address));
        }
    }
    Ok(Some(lines))
}

/// How an object changed by hand reads: `+` added, `-` removed, `~` changed.
fn symbol(a: Action) -> &'static str {
    match a {
        Action::Create => "+",
        Action::Delete => "-",
        Action::Update | Action::Rename => "~",
        Action::Replace => "-/+",
    }
}
