//! `strata migrate …`: the versioned workflow. `diff` writes the plan from the directory's state
//! to the desired schema as a migration file, `apply` runs pending files and records them in the
//! revisions table, `status`, `down`, `lint`, `validate`, `hash` and `new` around them.

mod apply;
mod down;
mod lint;
mod status;

use super::{Settings, dev_source, usage};
use crate::cli::EXIT_OK;
use crate::cli::migrate::{MigrateAction, MigrateArgs};
use crate::devdb::{DevSource, ScratchDb};
use crate::diff;
use crate::migrate::dir::{Dir, Migration, sanitize_name};
use crate::migrate::{inspect_state, replay};
use crate::model::Model;
use crate::pipeline;
use crate::plan::{self as planner, Plan, PlanContext, PlanDeps};
use crate::postgres::inspect::deps::Deps;
use miette::Result;
use std::path::{Path, PathBuf};

/// Runs a `migrate` subcommand.
pub(crate) async fn run(s: &Settings, args: &MigrateArgs) -> Result<u8> {
    let path = dir_path(s, args);
    match &args.action {
        MigrateAction::Diff(a) => diff_cmd(s, &path, &a.name).await,
        MigrateAction::New(a) => new_cmd(&path, &a.name),
        MigrateAction::Hash => hash_cmd(&path),
        MigrateAction::Validate => validate_cmd(s, &path).await,
        MigrateAction::Apply(a) => apply::run(s, &path, a).await,
        MigrateAction::Status(a) => status::run(s, &path, a).await,
        MigrateAction::Down(a) => down::run(s, &path, a).await,
        MigrateAction::Lint(a) => lint::run(s, &path, a).await,
    }
}

/// `--dir`, else the env's `migration { dir }`, else `migrations` next to the config file (or in
/// the working directory).
fn dir_path(s: &Settings, args: &MigrateArgs) -> PathBuf {
    if let Some(d) = &args.dir {
        if d.is_absolute() {
            return d.clone();
        }
        return std::env::current_dir()
            .map(|c| c.join(d))
            .unwrap_or_else(|_| d.clone());
    }
    s.migration_dir
        .clone()
        .unwrap_or_else(|| s.project_dir.join("migrations"))
}

fn shown(p: &Path) -> String {
    crate::hcl::display_path(p)
}

/// Creates a scratch database, runs `work` on it and drops it whatever happened.
pub(crate) async fn with_scratch<T, F>(dev: &DevSource, work: F) -> Result<T>
where
    F: AsyncFnOnce(&ScratchDb) -> Result<T>,
{
    let server = dev.server().await?;
    let scratch = ScratchDb::create(&server).await?;
    let result = work(&scratch).await;
    let dropped = scratch.drop_now().await;
    let out = result?;
    dropped?;
    Ok(out)
}

/// Replays `migrations` on a scratch database and inspects the result.
pub(crate) async fn replayed_state(
    dev: &DevSource,
    dir: &Path,
    migrations: &[&Migration],
) -> Result<(Model, Deps)> {
    with_scratch(dev, async |scratch: &ScratchDb| {
        replay(&scratch.client, dir, migrations).await?;
        inspect_state(&scratch.client).await
    })
    .await
}

/// The plan as a migration file: each step under a comment with its description and hazards.
pub(crate) fn render_file(plan: &Plan) -> String {
    let mut out = String::new();
    for (i, s) in plan.steps.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("-- {}\n", s.description));
        for h in &s.hazards {
            out.push_str(&format!(
                "-- hazard {} ({}): {}\n",
                h.code,
                h.category.label(),
                h.message
            ));
        }
        for st in &s.statements {
            out.push_str(st);
            out.push_str(";\n");
        }
    }
    out
}

async fn diff_cmd(s: &Settings, path: &Path, name: &str) -> Result<u8> {
    let name = sanitize_name(name);
    if name.is_empty() {
        return Err(usage(
            "the migration needs a name",
            "e.g. strata migrate diff add_users",
        ));
    }
    let dir = Dir::open(path)?;
    dir.check_sum()?;
    let dev = dev_source(s)?;
    let all: Vec<&Migration> = dir.migrations.iter().collect();
    let (replayed, replayed_deps) = replayed_state(&dev, &dir.path, &all).await?;
    let desired = pipeline::desired(s, &dev).await?;
    let compared = pipeline::compare(s, &dev, replayed, replayed_deps, desired).await?;
    if compared.changes.is_empty() {
        println!(
            "The migration directory {} is in sync with the desired schema: no changes to be made.",
            shown(path)
        );
        return Ok(EXIT_OK);
    }
    let ctx = PlanContext {
        env: s.env_name.clone(),
        target: format!("migration directory {}", shown(path)),
        schemas: compared.scope.schemas.clone(),
        ..Default::default()
    };
    let up = compared.plan(&ctx)?;
    let version = dir.next_version();
    let up_name = format!("{version}_{name}.sql");
    let mut files = vec![(up_name.clone(), render_file(&up))];
    // A down file when every step can be undone: no step loses data.
    let lossy: Vec<&str> = up
        .steps
        .iter()
        .filter(|st| st.is_destructive())
        .map(|st| st.description.as_str())
        .collect();
    let mut down_note = None;
    if lossy.is_empty() {
        match compared.reverse() {
            Ok(back) => {
                let down = back.plan(&ctx)?;
                files.push((format!("{version}_{name}.down.sql"), render_file(&down)));
            }
            Err(e) => down_note = Some(format!("no down file: {e}")),
        }
    } else {
        down_note = Some(format!(
            "no down file: these steps lose data and cannot be undone: {}",
            lossy.join("; ")
        ));
    }
    let dir = dir.add_files(&files)?;
    for (f, _) in &files {
        println!("Wrote {}", shown(&dir.path.join(f)));
    }
    if let Some(n) = down_note {
        println!("{n}");
    }
    println!(
        "{} step(s); review the file, then run `strata migrate apply`.",
        up.steps.len()
    );
    let hazards = up.hazards().count();
    if hazards > 0 {
        println!(
            "{}",
            s.painter.yellow(&format!(
                "{hazards} hazard(s) noted as comments in the file: run `strata migrate lint` for details."
            ))
        );
    }
    Ok(EXIT_OK)
}

fn new_cmd(path: &Path, name: &str) -> Result<u8> {
    let name = sanitize_name(name);
    if name.is_empty() {
        return Err(usage(
            "the migration needs a name",
            "e.g. strata migrate new backfill_emails",
        ));
    }
    let dir = Dir::open(path)?;
    dir.check_sum()?;
    let file = format!("{}_{name}.sql", dir.next_version());
    let dir = dir.add_files(&[(file.clone(), String::new())])?;
    println!("Wrote {}", shown(&dir.path.join(file)));
    Ok(EXIT_OK)
}

fn hash_cmd(path: &Path) -> Result<u8> {
    let dir = Dir::open(path)?;
    dir.write_sum()?;
    println!(
        "Wrote {} ({} files)",
        shown(&dir.path.join(crate::migrate::sum::SUM_FILE)),
        dir.files.len()
    );
    Ok(EXIT_OK)
}

async fn validate_cmd(s: &Settings, path: &Path) -> Result<u8> {
    if !path.is_dir() {
        return Err(usage(
            format!("migration directory {} does not exist", shown(path)),
            "pass the directory that holds the migration files with --dir",
        ));
    }
    let dir = Dir::open(path)?;
    dir.check_sum()?;
    let dev = dev_source(s)?;
    let all: Vec<&Migration> = dir.migrations.iter().collect();
    // Down files are checked from the newest back to the first migration without one: each
    // must bring the schema back to what it was before its up file.
    let reversible = all.iter().rev().take_while(|m| m.down.is_some()).count();
    let first_down = all.len() - reversible;
    with_scratch(&dev, async |scratch: &ScratchDb| {
        let client = &scratch.client;
        replay(client, &dir.path, &all[..first_down]).await?;
        let mut before = Vec::with_capacity(reversible);
        for m in &all[first_down..] {
            before.push(inspect_state(client).await?.0);
            replay(client, &dir.path, &[*m]).await?;
        }
        for (m, expected) in all[first_down..].iter().zip(before).rev() {
            let Some(file) = m.down_sql(&dir.path)? else {
                continue;
            };
            let down_name = m.down.as_ref().map(|(n, _)| n.as_str()).unwrap_or_default();
            crate::migrate::sql::run_file(client, &file, &format!("running {down_name} failed"))
                .await?;
            let (after, _) = inspect_state(client).await?;
            let changes = diff::diff(&after, &expected).map_err(miette::Report::new)?;
            if !changes.is_empty() {
                let plan = planner::build(
                    &changes,
                    &after,
                    &expected,
                    &PlanDeps::default(),
                    &PlanContext::default(),
                );
                let missing: Vec<String> = plan
                    .statements()
                    .take(5)
                    .map(|sql| format!("  {sql};"))
                    .collect();
                return Err(miette::miette!(
                    code = "strata::migrate::down_file",
                    help = "edit the down file until it undoes its migration, then run `strata migrate hash`",
                    "{down_name} does not restore the schema from before {}; it still needs:\n{}",
                    m.name,
                    missing.join("\n")
                ));
            }
        }
        Ok(())
    })
    .await?;
    let downs = if reversible > 0 {
        format!(", and {reversible} down file(s) restore the schema before their migration")
    } else {
        String::new()
    };
    println!(
        "The migration directory {} is valid: the sum file matches and {} file(s) replay cleanly{downs}.",
        shown(path),
        all.len()
    );
    Ok(EXIT_OK)
}
