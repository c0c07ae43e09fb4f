//! Executes a plan: an advisory lock against concurrent applies, `lock_timeout` and
//! `statement_timeout` on every statement, a fingerprint check that the database is still the
//! one the plan was made for, and a rollback that leaves nothing half-done when a statement
//! fails.
//!
//! A plan runs in one transaction unless online mode moved steps out of it; then it runs in up
//! to three phases: the transaction, the online statements one at a time (each commits on its
//! own), and a final transaction for what depends on them.

use crate::config::duration::{Timeout, Timeouts};
use crate::model::{Model, Scope};
use crate::plan::{self, Phase, Plan, Step};
use crate::postgres::connect::{DbUrl, error_text};
use crate::postgres::inspect::{SchemaFilter, inspect};
use crate::postgres::rows::{RowError, col};
use crate::postgres::{locks, session};
use miette::{Diagnostic, Result};
use std::time::{Duration, Instant};
use thiserror::Error;
use tokio_postgres::Client;
use tokio_postgres::error::SqlState;

/// Key of the advisory lock every strata apply takes ("strata" in ASCII).
pub const ADVISORY_LOCK_KEY: i64 = 0x7374_7261_7461;

/// Options of an apply.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// `lock_timeout`, the `statement_timeout`s and how long to wait for another strata apply.
    pub timeouts: Timeouts,
    /// What the plan manages: re-inspected and cut down like when the plan was made, for the
    /// fingerprint check.
    pub scope: Scope,
    /// Re-inspect and compare with the plan's fingerprint before running anything.
    pub check_fingerprint: bool,
    /// The plan comes from a file (`apply FILE`): a mismatch reads "Saved plan is stale".
    pub saved: bool,
    /// The target, to open a second connection that finds who holds a lock apply waits for
    /// (one per apply, opened the first time a statement runs longer than 200 ms).
    pub monitor: Option<DbUrl>,
    /// A lock-timeout report shows the blockers' queries in full (`--verbose`), not only
    /// normalized and truncated.
    pub verbose: bool,
}

/// Receives progress while steps run.
pub trait Progress {
    fn step_started(&mut self, index: usize, step: &Step);
    fn step_finished(&mut self, index: usize, step: &Step, elapsed: Duration);
    /// A step still running, every [`progress_interval`] (Terraform's `Still creating…`).
    fn step_running(&mut self, _index: usize, _step: &Step, _elapsed: Duration) {}
}

/// How often a long step reports that it is still running: 10 s, like Terraform
/// (`STRATA_PROGRESS_INTERVAL`, a duration such as `1s`, changes it; tests use it).
pub(crate) fn progress_interval() -> Duration {
    std::env::var("STRATA_PROGRESS_INTERVAL")
        .ok()
        .and_then(|v| crate::config::duration::Timeout::parse(&v))
        .map(|t| t.as_duration())
        .filter(|d| !d.is_zero())
        .unwrap_or(Duration::from_secs(10))
}

/// A failed apply.
#[derive(Debug, Error, Diagnostic)]
pub(crate) enum ApplyError {
    #[error("another strata apply holds the lock on this database; gave up after {waited:?}")]
    #[diagnostic(
        code(strata::apply::locked),
        help(
            "wait for the other apply to finish and run again, or raise --db-lock-wait; nothing was changed"
        )
    )]
    Locked { waited: Duration },
    #[error("{message}")]
    #[diagnostic(
        code(strata::apply::stale),
        help(
            "the plan no longer describes this database; run `strata plan` again (with -out to save a new plan); nothing was changed"
        )
    )]
    Stale { message: String },
    #[error("step {step} failed: {message}\n  statement: {statement}")]
    #[diagnostic(code(strata::apply::failed), help("{help}"))]
    Statement {
        step: usize,
        statement: String,
        message: String,
        help: String,
    },
    #[error("could not {what}: {message}")]
    #[diagnostic(code(strata::apply::db), help("nothing was changed"))]
    Database { what: &'static str, message: String },
    #[error("{message}")]
    #[diagnostic(
        code(strata::apply::too_many_locks),
        help("{advice}; nothing was changed")
    )]
    TooManyLocks {
        message: String,
        /// The `max_locks_per_transaction` under which it fits.
        setting: u64,
        /// What to do about it ([`locks::raise_advice`]).
        advice: String,
    },
}

/// About how many lock-table slots the biggest transaction of `plan` takes (phase 1 or phase
/// 3; phase 0 and online statements commit one by one).
pub(crate) fn transaction_locks(plan: &Plan) -> u64 {
    [Phase::Transaction, Phase::Final]
        .iter()
        .map(|p| {
            plan.steps
                .iter()
                .filter(|s| s.phase == *p)
                .flat_map(|s| s.statements.iter())
                .map(|s| locks::statement_locks(s))
                .sum::<u64>()
        })
        .max()
        .unwrap_or(0)
}

/// The refusal `apply` would give because `plan`'s transaction cannot fit in the server's lock
/// table (it would fail with `out of shared memory` after doing most of its work, and make
/// every other session on the server fail meanwhile); `None` when it fits. `plan` shows it as a
/// warning, `apply` refuses with it before asking for approval.
pub(crate) async fn lock_shortfall(client: &Client, plan: &Plan) -> Result<Option<ApplyError>> {
    let needed = transaction_locks(plan);
    // Small transactions fit any server; skip the query.
    if needed < 1000 && std::env::var_os(locks::BUDGET_ENV).is_none() {
        return Ok(None);
    }
    let table = locks::lock_table(client)
        .await
        .map_err(|message| ApplyError::Database {
            what: "read the lock settings",
            message,
        })?;
    if needed <= table.available() {
        return Ok(None);
    }
    Ok(Some(ApplyError::TooManyLocks {
        message: locks::too_many_locks(needed, &table),
        setting: table.setting_for(needed),
        advice: locks::raise_advice(table.setting_for(needed)),
    }))
}

/// Refuses, before anything runs, a transaction that would not fit in the server's lock table.
async fn check_lock_table(client: &Client, plan: &Plan) -> Result<()> {
    match lock_shortfall(client, plan).await? {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

impl From<RowError> for ApplyError {
    fn from(e: RowError) -> ApplyError {
        ApplyError::Database {
            what: e.what,
            message: e.detail(),
        }
    }
}

fn db(what: &'static str) -> impl Fn(tokio_postgres::Error) -> ApplyError {
    move |e| ApplyError::Database {
        what,
        message: error_text(&e),
    }
}

/// Applies `plan` on `client`.
pub async fn apply(
    client: &mut Client,
    plan: &Plan,
    opts: &ApplyOptions,
    progress: &mut dyn Progress,
) -> Result<()> {
    take_lock(client, opts.timeouts.db_lock_wait.as_duration()).await?;
    let result = run(client, plan, opts, progress).await;
    // The lock is also released when the connection closes; release it now for reused clients.
    // A failure to unlock cannot undo what was applied, so it is not reported over the result.
    let _ = client
        .execute(session::ADVISORY_UNLOCK, &[&ADVISORY_LOCK_KEY])
        .await;
    result
}

/// Only one strata apply per database at a time.
async fn take_lock(client: &Client, wait: Duration) -> Result<()> {
    let started = Instant::now();
    loop {
        let row = client
            .query_one(session::TRY_ADVISORY_LOCK, &[&ADVISORY_LOCK_KEY])
            .await
            .map_err(db("take the advisory lock"))?;
        if col::<bool, _>(&row, 0, "take the advisory lock").map_err(ApplyError::from)? {
            return Ok(());
        }
        if started.elapsed() >= wait {
            return Err(ApplyError::Locked { waited: wait }.into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The re-inspected database as the plan saw it.
pub(crate) async fn current_view<C: tokio_postgres::GenericClient + Sync>(
    client: &C,
    scope: &Scope,
) -> Result<Model> {
    let mut now = inspect(client, &SchemaFilter::of(scope)).await?;
    scope.restrict(&mut now);
    Ok(now)
}

/// Session settings for a phase. Without a `statement_timeout`, the server's (or role's)
/// setting stays in force.
fn settings_sql(lock_timeout: Timeout, statement_timeout: Option<Timeout>, local: bool) -> String {
    crate::postgres::connect::apply_session_sql(
        &lock_timeout.postgres(),
        statement_timeout.map(Timeout::postgres).as_deref(),
        local,
    )
}

async fn run(
    client: &mut Client,
    plan: &Plan,
    opts: &ApplyOptions,
    progress: &mut dyn Progress,
) -> Result<()> {
    let row = client
        .query_one(session::BACKEND_PID, &[])
        .await
        .map_err(db("read the session id"))?;
    let pid: i32 = col(&row, 0, "read the session id").map_err(ApplyError::from)?;
    let mut watcher = Watcher {
        monitor: opts.monitor.clone(),
        conn: None,
        connect_attempts: 0,
        pid,
        lock_timeout: opts.timeouts.lock,
        verbose: opts.verbose,
    };
    let indexed: Vec<(usize, &Step)> = plan.steps.iter().enumerate().collect();
    let by_phase = |p: Phase| -> Vec<(usize, &Step)> {
        indexed
            .iter()
            .filter(|(_, s)| s.phase == p)
            .copied()
            .collect()
    };
    let (before, first, online, last) = (
        by_phase(Phase::Before),
        by_phase(Phase::Transaction),
        by_phase(Phase::Online),
        by_phase(Phase::Final),
    );
    check_lock_table(client, plan).await?;
    let phased = !online.is_empty() || !last.is_empty();
    let committed = |done: usize| {
        if done == 0 {
            "the transaction was rolled back; nothing was changed".to_string()
        } else {
            format!(
                "the {done} step(s) before it stay applied (online mode runs in phases); fix the cause and run `strata plan` again: it plans only what is left"
            )
        }
    };
    let mut done = 0;

    // Phase 0: enum values, committed first so that the transaction can use them. The
    // fingerprint is checked before them (under the advisory lock), since they change it.
    if !before.is_empty() {
        if opts.check_fingerprint {
            check_fingerprint(&*client, plan, opts).await?;
        }
        client
            .batch_execute(&settings_sql(
                opts.timeouts.lock,
                opts.timeouts.statement,
                false,
            ))
            .await
            .map_err(db("set the timeouts"))?;
        for (i, step) in &before {
            run_step(&*client, *i, step, progress, &mut watcher, &committed(done)).await?;
            done += 1;
        }
    }

    // Phase 1, and the whole plan when it is not phased.
    let tx = client
        .transaction()
        .await
        .map_err(db("start a transaction"))?;
    if opts.check_fingerprint && before.is_empty() {
        // Under the lock and in the transaction: the plan must still describe this database.
        check_fingerprint(&tx, plan, opts).await?;
    }
    tx.batch_execute(&settings_sql(
        opts.timeouts.lock,
        opts.timeouts.statement,
        true,
    ))
    .await
    .map_err(db("set the timeouts"))?;
    let help = if done == 0 {
        committed(0)
    } else {
        format!(
            "the transaction was rolled back; the {done} step(s) before it (new enum values, committed first) stay applied; fix the cause and run `strata plan` again: it plans only what is left"
        )
    };
    for (i, step) in &first {
        run_step(&tx, *i, step, progress, &mut watcher, &help).await?;
    }
    tx.commit().await.map_err(db("commit"))?;
    if !phased {
        return Ok(());
    }
    done += first.len();

    // Phase 2: online statements, each committing on its own.
    if !online.is_empty() {
        client
            // Concurrent builds take as long as they take unless a limit is configured.
            .batch_execute(&settings_sql(
                opts.timeouts.lock,
                Some(opts.timeouts.online_statement.unwrap_or(Timeout::NONE)),
                false,
            ))
            .await
            .map_err(db("set the timeouts"))?;
        for (i, step) in &online {
            run_step(&*client, *i, step, progress, &mut watcher, &committed(done)).await?;
            done += 1;
        }
    }

    // Phase 3: what depends on the online statements.
    if !last.is_empty() {
        let tx = client
            .transaction()
            .await
            .map_err(db("start the final transaction"))?;
        tx.batch_execute(&settings_sql(
            opts.timeouts.lock,
            opts.timeouts.statement,
            true,
        ))
        .await
        .map_err(db("set the timeouts"))?;
        let help = format!("the final transaction was rolled back; {}", committed(done));
        for (i, step) in &last {
            run_step(&tx, *i, step, progress, &mut watcher, &help).await?;
        }
        tx.commit()
            .await
            .map_err(db("commit the final transaction"))?;
    }
    Ok(())
}

/// Refuses to go on when the database no longer matches the plan's fingerprint.
async fn check_fingerprint<C: tokio_postgres::GenericClient + Sync>(
    client: &C,
    plan: &Plan,
    opts: &ApplyOptions,
) -> Result<()> {
    let now = current_view(client, &opts.scope).await?;
    if plan::fingerprint(&now) != plan.fingerprint {
        let message = if opts.saved {
            "Saved plan is stale: the database changed since the plan was made"
        } else {
            "the database changed since the plan was made"
        };
        return Err(ApplyError::Stale {
            message: message.into(),
        }
        .into());
    }
    Ok(())
}

async fn run_step<C: tokio_postgres::GenericClient + Sync>(
    client: &C,
    index: usize,
    step: &Step,
    progress: &mut dyn Progress,
    watcher: &mut Watcher,
    help: &str,
) -> Result<()> {
    progress.step_started(index, step);
    let t = Instant::now();
    let work = async {
        for st in &step.statements {
            if let Err(e) = watcher.execute(client, st).await {
                return Err(ApplyError::Statement {
                    step: index + 1,
                    statement: st.clone(),
                    message: e,
                    help: help.to_string(),
                });
            }
        }
        Ok(())
    };
    tokio::pin!(work);
    let every = progress_interval();
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        tokio::select! {
            r = &mut work => {
                r?;
                break;
            }
            _ = tick.tick() => progress.step_running(index, step, t.elapsed()),
        }
    }
    progress.step_finished(index, step, t.elapsed());
    Ok(())
}

/// Runs statements and, when one waits for a lock, finds out who holds it (on a second
/// connection), so a lock timeout names the blocker.
struct Watcher {
    monitor: Option<DbUrl>,
    /// The one monitoring connection of this apply, once opened.
    conn: Option<Client>,
    connect_attempts: u32,
    pid: i32,
    lock_timeout: Timeout,
    /// Show blockers' queries in full.
    verbose: bool,
}

/// How often an apply tries to open its monitoring connection (a server at
/// `max_connections` must not see a connection attempt every half second).
const MONITOR_CONNECT_ATTEMPTS: u32 = 2;

impl Watcher {
    async fn execute<C: tokio_postgres::GenericClient + Sync>(
        &mut self,
        client: &C,
        sql: &str,
    ) -> std::result::Result<(), String> {
        let fut = client.batch_execute(sql);
        tokio::pin!(fut);
        let mut blockers: Option<String> = None;
        // A statement still running after 200 ms may be waiting for a lock: look for blockers
        // then, and every 500 ms until they are found. The waits are timers of the `select!`,
        // so a statement that ends meanwhile is seen at once.
        let mut next_look = tokio::time::Instant::now() + Duration::from_millis(200);
        let result = loop {
            tokio::select! {
                r = &mut fut => break r,
                _ = tokio::time::sleep_until(next_look), if blockers.is_none() && self.monitor.is_some() => {
                    blockers = self.blockers().await;
                    next_look = tokio::time::Instant::now() + Duration::from_millis(500);
                }
            }
        };
        let Err(e) = result else { return Ok(()) };
        let mut message = error_text(&e);
        if e.as_db_error()
            .is_some_and(|d| d.code() == &SqlState::LOCK_NOT_AVAILABLE)
        {
            message.push_str(&format!(
                "\n  lock_timeout {} reached while waiting for a lock",
                self.lock_timeout
            ));
            match &blockers {
                Some(b) => message.push_str(&format!("; held by {b}")),
                None => message.push_str("; another session holds a conflicting lock"),
            }
        } else if e
            .as_db_error()
            .is_some_and(|d| d.code() == &SqlState::QUERY_CANCELED)
            && !crate::postgres::connect::interrupted()
        {
            message.push_str(" (statement_timeout reached)");
        }
        Err(message)
    }

    /// The monitoring connection: opened the first time a statement runs long, then reused
    /// for the rest of the apply (and closed with the watcher). `None` when there is no
    /// target to monitor or connecting failed: apply goes on without naming blockers.
    async fn monitor(&mut self) -> Option<&Client> {
        if self.conn.as_ref().is_some_and(Client::is_closed) {
            self.conn = None;
        }
        if self.conn.is_none() {
            if self.connect_attempts >= MONITOR_CONNECT_ATTEMPTS {
                return None;
            }
            self.connect_attempts += 1;
            let url = self.monitor.as_ref()?;
            // `connect` registers the connection's cancel key, so Ctrl-C cancels its query too.
            self.conn = tokio::time::timeout(Duration::from_secs(5), url.connect())
                .await
                .ok()?
                .ok();
        }
        self.conn.as_ref()
    }

    /// The sessions blocking the apply's session, described for a message.
    async fn blockers(&mut self) -> Option<String> {
        let pid = self.pid;
        let verbose = self.verbose;
        let client = self.monitor().await?;
        let rows = locks::blockers(client, pid).await.ok()?;
        if rows.is_empty() {
            return None;
        }
        let list: Vec<String> = rows.iter().map(|b| b.describe(verbose)).collect();
        Some(list.join("; "))
    }
}
