//! Scratch space for normalization on a dev database (the env's `dev` URL, or strata's private
//! cluster).
//!
//! Normalization works inside one transaction that is always rolled back ([`ScratchTx`]):
//! PostgreSQL's DDL is transactional, so nothing is ever left behind — not on errors, not on
//! Ctrl-C (a closed connection rolls back) — and no `CREATE DATABASE` (which costs a checkpoint
//! on every drop) is needed. Concurrent runs on the same dev database serialize on the catalog.
//! [`ScratchDb`] creates and drops a whole database, for work that cannot run in a transaction.

pub(crate) mod cluster;

use crate::postgres::connect::{DbUrl, error_text};
use crate::postgres::session;
use miette::{Diagnostic, Result};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use thiserror::Error;
use tokio_postgres::Client;

/// Where scratch databases come from.
#[derive(Debug, Clone)]
pub(crate) enum DevSource {
    /// A server strata may create databases on.
    Url(Box<DbUrl>),
    /// strata's private cluster (shared by all projects; the path is the project's directory,
    /// where an old per-project cluster may still run).
    Cluster(PathBuf),
}

impl DevSource {
    /// The database to work in: the dev URL's own database, or the private cluster's
    /// `postgres` database.
    pub(crate) async fn server(&self) -> Result<DbUrl> {
        match self {
            DevSource::Url(u) => Ok((**u).clone()),
            DevSource::Cluster(dir) => cluster::ensure(dir).await,
        }
    }
}

/// A scratch database failure.
#[derive(Debug, Error, Diagnostic)]
#[error("scratch database: {reason}")]
#[diagnostic(
    code(strata::scratch),
    help(
        "strata normalizes the desired schema in a throw-away database; the dev server ({server}) must allow CREATE DATABASE"
    )
)]
pub(crate) struct ScratchError {
    pub(crate) server: String,
    pub(crate) reason: String,
}

/// A transaction on the dev database that is always rolled back.
pub(crate) struct ScratchTx {
    pub(crate) client: Client,
    pub(crate) url: DbUrl,
}

impl ScratchTx {
    /// Connects to the dev database and opens the transaction.
    pub(crate) async fn begin(dev: &DevSource) -> Result<ScratchTx> {
        let url = dev.server().await?;
        let client = url.connect().await?;
        client
            .batch_execute(session::SCRATCH_TRANSACTION)
            .await
            .map_err(|e| ScratchError {
                server: url.redacted(),
                reason: error_text(&e),
            })?;
        Ok(ScratchTx { client, url })
    }

    /// Rolls everything back.
    pub(crate) async fn rollback(self) {
        let _ = self.client.batch_execute(session::ROLLBACK).await;
    }
}

/// Databases created and not yet dropped, for cleanup on Ctrl-C.
static LIVE: Mutex<Vec<(DbUrl, String)>> = Mutex::new(Vec::new());
static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A throw-away database. Call [`ScratchDb::drop_now`] when done; [`cleanup_all`] catches the rest.
pub(crate) struct ScratchDb {
    pub(crate) client: Client,
    pub(crate) url: DbUrl,
    server: DbUrl,
    name: String,
}

impl ScratchDb {
    /// Creates an empty database on `server` and connects to it.
    pub(crate) async fn create(server: &DbUrl) -> Result<ScratchDb> {
        let fail = |reason: String| ScratchError {
            server: server.redacted(),
            reason,
        };
        let admin = server.connect().await?;
        sweep_stale(&admin).await;
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!("strata_scratch_{}_{}_{:x}", std::process::id(), n, nanos);
        if let Ok(mut live) = LIVE.lock() {
            live.push((server.clone(), name.clone()));
        }
        admin
            .batch_execute(&session::create_database(&name))
            .await
            .map_err(|e| {
                fail(format!(
                    "cannot create a scratch database: {}",
                    error_text(&e)
                ))
            })?;
        let url = server.with_dbname(&name);
        let client = url.connect().await?;
        client
            .batch_execute(session::SCRATCH_SESSION)
            .await
            .map_err(|e| fail(error_text(&e)))?;
        Ok(ScratchDb {
            client,
            url,
            server: server.clone(),
            name,
        })
    }

    /// Drops the database.
    pub(crate) async fn drop_now(self) -> Result<()> {
        let ScratchDb {
            client,
            server,
            name,
            ..
        } = self;
        drop(client);
        drop_database(&server, &name).await
    }
}

/// Drops scratch databases that a strata process killed before it could clean up left behind
/// (SIGKILL, power loss): no session is connected to them and the process id in their name is
/// not a live process on this machine. Best effort: failures are ignored.
async fn sweep_stale(admin: &Client) {
    let Ok(rows) = admin.query(session::UNUSED_SCRATCH_DATABASES, &[]).await else {
        return;
    };
    for row in rows {
        let Ok(name) = row.try_get::<_, String>(0) else {
            continue;
        };
        let Some(pid) = scratch_owner(&name) else {
            continue;
        };
        if pid == std::process::id() || process_alive(pid) {
            continue;
        }
        let _ = admin
            .batch_execute(&crate::postgres::ddl::drop_database_force(&name))
            .await;
    }
}

/// The process id in a scratch database's name, `strata_scratch_<pid>_<n>_<hex>`.
pub(crate) fn scratch_owner(name: &str) -> Option<u32> {
    name.strip_prefix("strata_scratch_")?
        .split('_')
        .next()?
        .parse()
        .ok()
}

pub(crate) fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists; nothing is sent.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

async fn drop_database(server: &DbUrl, name: &str) -> Result<()> {
    let admin = server.connect().await?;
    admin
        .batch_execute(&crate::postgres::ddl::drop_database_force(name))
        .await
        .map_err(|e| ScratchError {
            server: server.redacted(),
            reason: format!("cannot drop scratch database {name}: {}", error_text(&e)),
        })?;
    if let Ok(mut live) = LIVE.lock() {
        live.retain(|(_, n)| n != name);
    }
    Ok(())
}

/// Drops every scratch database this process still has (Ctrl-C, error paths), and ends its
/// lease on the private cluster.
pub(crate) async fn cleanup_all() {
    let pending: Vec<(DbUrl, String)> = match LIVE.lock() {
        Ok(live) => live.clone(),
        Err(_) => return,
    };
    for (server, name) in pending {
        let _ = drop_database(&server, &name).await;
    }
    cluster::release();
}
