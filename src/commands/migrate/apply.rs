//! `strata migrate apply`: runs pending files in order under the advisory lock, each in its own
//! transaction (or one for all, or none), and records every file in the revisions table. A
//! failing file is rolled back; its error is recorded in a transaction of its own so the record
//! survives, and the next apply retries it.

use super::shown;
use crate::cli::EXIT_OK;
use crate::cli::migrate::{MigrateApplyArgs, TxMode};
use crate::commands::{Settings, connect, target_url, usage};
use crate::migrate::dir::{Dir, Migration};
use crate::migrate::resume::{self, Resume};
use crate::migrate::revisions::{self, Kind, Revision};
use crate::migrate::sql::{SqlError, SqlFile, Statement};
use crate::migrate::status;
use miette::{Diagnostic, Result};
use std::path::Path;
use std::time::Instant;
use thiserror::Error;
use tokio_postgres::Client;

/// The sum file or the revisions do not allow applying.
#[derive(Debug, Error, Diagnostic)]
#[error("refusing to apply: {message}")]
#[diagnostic(code(strata::migrate::refused))]
pub(crate) struct Refused {
    pub(crate) message: String,
    #[help]
    pub(crate) help: Option<String>,
}

fn refused(message: impl Into<String>, help: impl Into<String>) -> miette::Report {
    Refused {
        message: message.into(),
        help: Some(help.into()),
    }
    .into()
}

pub(crate) async fn run(s: &Settings, path: &Path, args: &MigrateApplyArgs) -> Result<u8> {
    let dir = Dir::open(path)?;
    dir.check_sum().map_err(|e| Refused {
        message: e.message.clone(),
        help: e.help.clone(),
    })?;
    let timeouts = s.timeouts_with(args.lock_timeout, None, args.db_lock_wait);
    let url = target_url(s).await?;
    let client = connect(&url).await?;
    revisions::lock(&client, timeouts.db_lock_wait.as_duration()).await?;
    let revs = revisions::read(&client).await?;
    let mut pending: Vec<&Migration>;
    let mut baseline_row = None;
    if revs.is_empty() {
        if let Some(b) = &args.baseline {
            let Some(m) = dir.find(b) else {
                return Err(refused(
                    format!("baseline version {b} is not in {}", shown(path)),
                    "pass the version of a file in the directory: the database already has what the files up to it create",
                ));
            };
            baseline_row = Some(Revision {
                version: m.version.clone(),
                description: m.description.clone(),
                kind: Kind::Baseline,
                checksum: m.checksum(),
                applied: 0,
                total: 0,
                execution_time_ms: 0,
                error: None,
                error_statement: None,
                applied_at: None,
            });
            pending = dir
                .migrations
                .iter()
                .filter(|x| crate::migrate::dir::compare_versions(&x.version, &m.version).is_gt())
                .collect();
        } else {
            if let Some(obj) = revisions::first_unmanaged_object(&client).await? {
                return Err(refused(
                    format!(
                        "{} is not empty ({obj}) and has no strata revisions",
                        url.redacted()
                    ),
                    "if it already holds the schema of the files up to some version, run `strata migrate apply --baseline VERSION`: those files are marked as applied and the later ones run",
                ));
            }
            pending = dir.migrations.iter().collect();
        }
    } else {
        if args.baseline.is_some() {
            return Err(refused(
                "--baseline is only for databases without revisions",
                "this database already has a revisions table with rows; run `strata migrate status`",
            ));
        }
        let st = status(&dir, &revs);
        if let Some((file, what)) = st.mismatched.first() {
            return Err(refused(
                format!("{file} {what}"),
                "an applied file must not change: restore it and write a new migration for the change",
            ));
        }
        if let Some(m) = st.out_of_order.first() {
            return Err(refused(
                format!(
                    "{} was added out of order: its version sorts before {}, the last applied version (was it added on another branch?)",
                    m.name,
                    st.current.as_deref().unwrap_or("")
                ),
                "rename it to a version after the last applied one (a newer timestamp), run `strata migrate hash`, and apply again",
            ));
        }
        pending = st.pending;
    }
    if let Some(n) = args.count {
        pending.truncate(n);
    }
    if pending.is_empty() {
        if let (Some(b), false) = (&baseline_row, args.dry_run) {
            revisions::ensure(&client).await?;
            revisions::upsert(&client, b).await?;
            println!("Baselined at version {}.", b.version);
        }
        println!("No migration files to execute: the database is up to date.");
        return Ok(EXIT_OK);
    }
    // Read and split everything first: a file strata cannot read fails before anything runs.
    let mut files: Vec<(&Migration, SqlFile, Vec<Statement>, bool)> = Vec::new();
    for m in &pending {
        let sql = m.sql(&dir.path)?;
        let stmts = sql.statements()?;
        let none = sql.directives().txmode_none;
        files.push((m, sql, stmts, none));
    }
    if args.tx_mode == TxMode::All
        && let Some((m, ..)) = files.iter().find(|f| f.3)
    {
        return Err(usage(
            format!(
                "{} has `-- strata:txmode none` and cannot run in one transaction with the others",
                m.name
            ),
            "use --tx-mode file (the default)",
        ));
    }
    let from = revs
        .iter()
        .filter(|r| !r.failed())
        .map(|r| r.version.clone())
        .max_by(|a, b| crate::migrate::dir::compare_versions(a, b));
    let to = pending
        .last()
        .map(|m| m.version.clone())
        .unwrap_or_default();
    println!(
        "{} to version {to}{} ({} migration(s) in total){}:",
        if args.dry_run {
            "Would migrate"
        } else {
            "Migrating"
        },
        from.map(|f| format!(" from {f}")).unwrap_or_default(),
        pending.len(),
        if args.dry_run { ", dry run" } else { "" }
    );
    if args.dry_run {
        for (m, _, stmts, none) in &files {
            println!();
            println!(
                "  -- version {} ({}){}",
                m.version,
                m.name,
                if *none { ", without a transaction" } else { "" }
            );
            for st in stmts {
                println!("    -> {};", st.text);
            }
        }
        println!();
        println!("Nothing was changed (--dry-run).");
        return Ok(EXIT_OK);
    }
    revisions::ensure(&client).await?;
    if let Some(b) = &baseline_row {
        revisions::upsert(&client, b).await?;
        println!("  Baselined at version {}.", b.version);
    }
    client
        .batch_execute(&crate::postgres::connect::lock_timeout_sql(
            &timeouts.lock.postgres(),
        ))
        .await
        .map_err(|e| {
            miette::miette!(
                code = "strata::migrate::db",
                "cannot set lock_timeout: {}",
                crate::postgres::connect::error_text(&e)
            )
        })?;
    let started = Instant::now();
    let mut count = 0;
    let all = args.tx_mode == TxMode::All;
    if all {
        exec(&client, "BEGIN").await?;
    }
    for (m, sql, stmts, none) in &files {
        let previous = revs.iter().find(|r| r.version == m.version);
        let no_tx = *none || args.tx_mode == TxMode::None;
        let (skip, resume) = match previous {
            Some(r) if no_tx && r.failed() => (r.applied.max(0) as usize, Some(r.interrupted())),
            _ => (0, None),
        };
        println!();
        println!("  -- migrating version {}", m.version);
        if let (Some(true), Some(r)) = (resume, previous) {
            println!(
                "  -- resuming an interrupted run at statement {} of {}",
                r.applied + 1,
                r.total
            );
        }
        let t = Instant::now();
        let how = How {
            no_tx,
            in_all: all,
            skip,
            resume,
        };
        match run_file(&client, m, sql, stmts, &how).await {
            Ok(()) => {
                count += stmts.len() - skip.min(stmts.len());
                println!("  -- ok ({:.0?})", t.elapsed());
            }
            Err(failure) => {
                let applied = if all { 0 } else { failure.applied };
                if all {
                    let _ = exec(&client, "ROLLBACK").await;
                }
                let rev = Revision {
                    version: m.version.clone(),
                    description: m.description.clone(),
                    kind: Kind::Applied,
                    checksum: m.checksum(),
                    applied: applied as i32,
                    total: stmts.len() as i32,
                    execution_time_ms: t.elapsed().as_millis() as i64,
                    error: Some(failure.message.clone()),
                    error_statement: Some(failure.statement.clone()),
                    applied_at: None,
                };
                // In a transaction of its own: the record survives the rollback.
                let recorded = revisions::upsert(&client, &rev).await;
                println!("  -- failed ({:.0?})", t.elapsed());
                let mut help = if no_tx {
                    format!(
                        "{applied} statement(s) of {} ran and stay applied (no transaction); fix the rest of the file, run `strata migrate hash`, and `strata migrate apply` resumes at statement {}",
                        m.name,
                        applied + 1
                    )
                } else if all {
                    "every file of this run was rolled back (--tx-mode all); fix the file, run `strata migrate hash`, and apply again".to_string()
                } else {
                    format!(
                        "{} was rolled back and the files before it stay applied; fix it, run `strata migrate hash`, and `strata migrate apply` retries it",
                        m.name
                    )
                };
                if let Err(e) = recorded {
                    help.push_str(&format!("\n(the failure could not be recorded: {e})"));
                }
                return Err(failure.error.with_help(help).into());
            }
        }
    }
    if all {
        exec(&client, "COMMIT").await?;
    }
    println!();
    println!("  -------------------------");
    println!("  -- {:.0?}", started.elapsed());
    println!("  -- {} migration(s)", files.len());
    println!("  -- {count} sql statement(s)");
    Ok(EXIT_OK)
}

async fn exec(client: &Client, sql: &str) -> Result<()> {
    client.batch_execute(sql).await.map_err(|e| {
        miette::miette!(
            code = "strata::migrate::db",
            "{sql} failed: {}",
            crate::postgres::connect::error_text(&e)
        )
    })
}

struct Failure {
    error: SqlError,
    message: String,
    statement: String,
    /// Statements committed before the failure.
    applied: usize,
}

/// How one file runs.
struct How {
    /// Statement by statement without a transaction, recording progress after each.
    no_tx: bool,
    /// Inside the caller's transaction (`--tx-mode all`).
    in_all: bool,
    /// Statements already applied by an earlier run (`no_tx` only).
    skip: usize,
    /// Resuming an earlier run that did not finish: `Some(true)` when it stopped without an
    /// error (interrupted), `Some(false)` when it failed.
    resume: Option<bool>,
}

/// Runs one file: in its own transaction unless `no_tx` (statement by statement, recording
/// progress) or `in_all` (inside the caller's transaction).
async fn run_file(
    client: &Client,
    m: &Migration,
    sql: &SqlFile,
    stmts: &[Statement],
    how: &How,
) -> std::result::Result<(), Failure> {
    let (no_tx, in_all, skip) = (how.no_tx, how.in_all, how.skip);
    let own_tx = !no_tx && !in_all;
    let t = Instant::now();
    let fail = |st: &Statement, e: tokio_postgres::Error, applied: usize| Failure {
        message: crate::postgres::connect::error_text(&e),
        statement: st.text.clone(),
        error: SqlError::from_postgres(sql, st, &e, &format!("migration {} failed", m.name)),
        applied,
    };
    // `applied`: statements committed when it happened (only `no_tx` commits as it goes).
    let infra = |what: String, applied: usize| Failure {
        error: SqlError::at(sql, 0..0, what.clone(), "while applying this file", None),
        message: what,
        statement: String::new(),
        applied: if no_tx { applied } else { 0 },
    };
    let record = |applied: usize| Revision {
        version: m.version.clone(),
        description: m.description.clone(),
        kind: Kind::Applied,
        checksum: m.checksum(),
        applied: applied as i32,
        total: stmts.len() as i32,
        execution_time_ms: t.elapsed().as_millis() as i64,
        error: None,
        error_statement: None,
        applied_at: None,
    };
    if own_tx {
        client
            .batch_execute("BEGIN")
            .await
            .map_err(|e| infra(format!("cannot begin a transaction: {e}"), 0))?;
    }
    if no_tx {
        // Recorded before the first statement runs: a run killed during it reads as
        // interrupted (applied < total), never as complete or as not started.
        revisions::upsert(client, &record(skip))
            .await
            .map_err(|e| infra(e.to_string(), skip))?;
    }
    for (i, st) in stmts.iter().enumerate().skip(skip) {
        if i == skip
            && let Some(interrupted) = how.resume
        {
            match resume::prepare(client, &st.text, interrupted).await {
                Ok(Resume::Run) => {}
                Ok(Resume::DroppedInvalid(name)) => {
                    println!("    -- dropped the invalid index {name} the earlier run left");
                }
                Ok(Resume::AlreadyDone(name)) => {
                    println!(
                        "    -- statement {} already completed (index {name} exists and is valid)",
                        i + 1
                    );
                    revisions::upsert(client, &record(i + 1))
                        .await
                        .map_err(|e| infra(e.to_string(), i + 1))?;
                    continue;
                }
                Err(e) => return Err(fail(st, e, i)),
            }
        }
        println!("    -> {}", first_line(&st.text));
        if let Err(e) = client.batch_execute(&st.text).await {
            if own_tx {
                let _ = client.batch_execute("ROLLBACK").await;
            }
            return Err(fail(st, e, if no_tx { i } else { 0 }));
        }
        if no_tx {
            // Progress survives a crash: the row says how far the file got.
            revisions::upsert(client, &record(i + 1))
                .await
                .map_err(|e| infra(e.to_string(), i + 1))?;
        }
    }
    if !no_tx {
        revisions::upsert(client, &record(stmts.len()))
            .await
            .map_err(|e| infra(e.to_string(), 0))?;
    }
    if own_tx {
        client
            .batch_execute("COMMIT")
            .await
            .map_err(|e| infra(format!("commit failed: {e}"), 0))?;
    }
    Ok(())
}

fn first_line(s: &str) -> String {
    let mut lines = s.lines();
    let first = lines.next().unwrap_or("");
    if lines.next().is_some() {
        format!("{first} …")
    } else {
        first.to_string()
    }
}
