//! `strata diff FROM TO`: the plan that would turn FROM into TO. Each side is a database (read
//! as it is, never changed), a migration directory (replayed in a scratch database) or schema
//! files; schema files as FROM are first built in a scratch database (planned from empty and
//! applied there, then read like a database), so both sides are what PostgreSQL makes of them. A database TO is compared as it is (nothing normalized);
//! schema files TO exactly as `strata plan --url FROM --src TO` would. Exit codes as
//! `plan -detailed-exitcode`.

use super::{Settings, dev_source, policy_with, target_url};
use crate::apply::{self, ApplyOptions, Progress};
use crate::cli::{DiffArgs, EXIT_CHANGES, EXIT_OK, HazardArgs};
use crate::devdb::ScratchDb;
use crate::pipeline::{diff_databases, prepare_on};
use crate::plan::{Plan, Step};
use crate::postgres::connect::DbUrl;
use crate::postgres::inspect::Unmanaged;
use miette::Result;
use std::path::PathBuf;
use std::time::Duration;

/// Whether `text` names a database rather than schema files.
fn is_database(text: &str) -> bool {
    ["postgres://", "postgresql://", "local://"]
        .iter()
        .any(|scheme| text.starts_with(scheme))
}

/// Whether `text` is a directory of versioned migrations (it has a `strata.sum` or Atlas's
/// `atlas.sum`): replayed in a scratch database, then compared like a database.
fn is_migration_dir(text: &str) -> bool {
    let p = std::path::Path::new(text.strip_prefix("file://").unwrap_or(text));
    p.is_dir() && (p.join("strata.sum").is_file() || p.join("atlas.sum").is_file())
}

/// A scratch database with every up migration of the directory `text` replayed.
async fn replayed(s: &Settings, text: &str) -> Result<ScratchDb> {
    let path = std::path::Path::new(text.strip_prefix("file://").unwrap_or(text));
    let dir = crate::migrate::dir::Dir::open(path)?;
    let server = dev_source(s)?.server().await?;
    let db = ScratchDb::create(&server).await?;
    let all: Vec<&crate::migrate::dir::Migration> = dir.migrations.iter().collect();
    match crate::migrate::replay(&db.client, &dir.path, &all).await {
        Ok(()) => Ok(db),
        Err(e) => {
            let _ = db.drop_now().await;
            Err(e)
        }
    }
}

/// `text` as the target URL (a `local://` name resolved on the private cluster).
async fn database(s: &Settings, text: &str) -> Result<crate::postgres::connect::DbUrl> {
    let mut at = s.clone();
    at.url = Some(text.to_string());
    at.url_unset = None;
    target_url(&at).await
}

pub(crate) async fn run(s: &Settings, args: &DiffArgs) -> Result<u8> {
    let policy = policy_with(s, &HazardArgs::default())?;
    if args.format == crate::cli::PlanFormat::Html {
        return Err(super::usage(
            "strata diff has no --format html",
            "draw the plan with `strata plan --format html` against the FROM database",
        ));
    }
    // Schema files as FROM, and migration directories on either side: built in a scratch
    // database, dropped at the end (and on Ctrl-C).
    let scratch = if is_database(&args.from) {
        None
    } else if is_migration_dir(&args.from) {
        Some(replayed(s, &args.from).await?)
    } else {
        Some(build(s, &args.from).await?)
    };
    let to_scratch = if is_migration_dir(&args.to) {
        match replayed(s, &args.to).await {
            Ok(db) => Some(db),
            Err(e) => {
                if let Some(db) = scratch {
                    let _ = db.drop_now().await;
                }
                return Err(e);
            }
        }
    } else {
        None
    };
    let result = async {
        let from = match &scratch {
            Some(db) => db.url.clone(),
            None => database(s, &args.from).await?,
        };
        match &to_scratch {
            Some(db) => diff_databases(s, &from, &db.url).await,
            None => compare(s, &from, &args.to).await,
        }
    }
    .await;
    for db in [scratch, to_scratch].into_iter().flatten() {
        db.drop_now().await?;
    }
    let (plan, warnings) = result?;
    super::plan::print_plan(s, args.format, &plan, &policy, &warnings);
    Ok(if plan.is_empty() {
        EXIT_OK
    } else {
        EXIT_CHANGES
    })
}

/// The plan from the database `from` to `to` (a database or schema files).
async fn compare(s: &Settings, from: &DbUrl, to: &str) -> Result<(Plan, Vec<Unmanaged>)> {
    if is_database(to) {
        let to = database(s, to).await?;
        return diff_databases(s, from, &to).await;
    }
    let prepared = prepare_on(&sources(s, to), Some(from.clone())).await?;
    Ok((prepared.plan, prepared.warnings))
}

/// The settings with `files` as the schema sources.
fn sources(s: &Settings, files: &str) -> Settings {
    let mut at = s.clone();
    at.src = vec![PathBuf::from(files)];
    at
}

/// A scratch database holding what `files` declare: planned from empty and applied.
async fn build(s: &Settings, files: &str) -> Result<ScratchDb> {
    let server = dev_source(s)?.server().await?;
    let mut db = ScratchDb::create(&server).await?;
    let built = async {
        let at = sources(s, files);
        let prepared = prepare_on(&at, Some(db.url.clone())).await?;
        let opts = ApplyOptions {
            timeouts: s.timeouts,
            scope: prepared.scope.clone(),
            check_fingerprint: false,
            saved: false,
            monitor: None,
            verbose: s.verbose,
        };
        apply::apply(&mut db.client, &prepared.plan, &opts, &mut Silent).await
    }
    .await;
    match built {
        Ok(()) => Ok(db),
        Err(e) => {
            let _ = db.drop_now().await;
            Err(e)
        }
    }
}

/// Building FROM in its scratch database is not the user's apply: no progress lines.
struct Silent;

impl Progress for Silent {
    fn step_started(&mut self, _index: usize, _step: &Step) {}
    fn step_finished(&mut self, _index: usize, _step: &Step, _elapsed: Duration) {}
}
