//! Executes a plan: one transaction, an advisory lock against concurrent applies, `lock_timeout`
//! on every statement, a fingerprint check that the database is still the one the plan was made
//! for, and a rollback that leaves nothing half-done when any statement fails.

use crate::plan::{self, Plan, Step};
use crate::postgres::connect::error_text;
use crate::postgres::inspect::{Scope, inspect};
use miette::{Diagnostic, Result};
use std::time::{Duration, Instant};
use thiserror::Error;
use tokio_postgres::Client;

/// Key of the advisory lock every strata apply takes ("strata" in ASCII).
pub const ADVISORY_LOCK_KEY: i64 = 0x7374_7261_7461;

/// Options of an apply.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// PostgreSQL `lock_timeout` for the statements, e.g. `5s`.
    pub lock_timeout: String,
    /// How long to wait for another strata apply to finish.
    pub db_lock_wait: Duration,
    /// Schemas to re-inspect for the fingerprint check.
    pub scope: Scope,
}

/// Receives progress while steps run.
pub trait Progress {
    fn step_started(&mut self, index: usize, step: &Step);
    fn step_finished(&mut self, index: usize, step: &Step, elapsed: Duration);
}

/// A failed apply. The transaction was rolled back.
#[derive(Debug, Error, Diagnostic)]
pub enum ApplyError {
    #[error("another strata apply holds the lock on this database; gave up after {waited:?}")]
    #[diagnostic(
        code(strata::apply::locked),
        help(
            "wait for the other apply to finish and run again, or raise --db-lock-wait; nothing was changed"
        )
    )]
    Locked { waited: Duration },
    #[error("the database changed since the plan was made")]
    #[diagnostic(
        code(strata::apply::stale),
        help("run the command again to plan against the current database; nothing was changed")
    )]
    Stale,
    #[error("step {step} failed: {message}\n  statement: {statement}")]
    #[diagnostic(
        code(strata::apply::failed),
        help("the transaction was rolled back; nothing was changed")
    )]
    Statement {
        step: usize,
        statement: String,
        message: String,
    },
    #[error("could not {what}: {message}")]
    #[diagnostic(code(strata::apply::db), help("nothing was changed"))]
    Database { what: &'static str, message: String },
}

fn db(what: &'static str) -> impl Fn(tokio_postgres::Error) -> ApplyError {
    move |e| ApplyError::Database {
        what,
        message: error_text(&e),
    }
}

/// Applies `plan` on `client` in one transaction.
pub async fn apply(
    client: &mut Client,
    plan: &Plan,
    opts: &ApplyOptions,
    progress: &mut dyn Progress,
) -> Result<()> {
    let tx = client
        .transaction()
        .await
        .map_err(db("start a transaction"))?;
    // Only one strata apply per database at a time.
    let started = Instant::now();
    loop {
        let row = tx
            .query_one(
                "SELECT pg_try_advisory_xact_lock($1)",
                &[&ADVISORY_LOCK_KEY],
            )
            .await
            .map_err(db("take the advisory lock"))?;
        if row.get::<_, bool>(0) {
            break;
        }
        if started.elapsed() >= opts.db_lock_wait {
            return Err(ApplyError::Locked {
                waited: opts.db_lock_wait,
            }
            .into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Re-inspect under the lock: the plan must still describe this database.
    let now = inspect(&tx, &opts.scope).await?;
    if plan::fingerprint(&now) != plan.fingerprint {
        return Err(ApplyError::Stale.into());
    }
    tx.batch_execute(&format!(
        "SET LOCAL lock_timeout = {}; SET LOCAL check_function_bodies = off",
        crate::postgres::quote::literal(&opts.lock_timeout)
    ))
    .await
    .map_err(db("set lock_timeout"))?;
    for (i, step) in plan.steps.iter().enumerate() {
        progress.step_started(i, step);
        let t = Instant::now();
        for st in &step.statements {
            if let Err(e) = tx.batch_execute(st).await {
                let mut message = error_text(&e);
                if e.as_db_error().is_some_and(|d| {
                    d.code() == &tokio_postgres::error::SqlState::LOCK_NOT_AVAILABLE
                }) {
                    message.push_str(&format!(
                        " (lock_timeout {} reached: another session holds a conflicting lock)",
                        opts.lock_timeout
                    ));
                }
                return Err(ApplyError::Statement {
                    step: i + 1,
                    statement: st.clone(),
                    message,
                }
                .into());
            }
        }
        progress.step_finished(i, step, t.elapsed());
    }
    tx.commit().await.map_err(db("commit"))?;
    Ok(())
}
