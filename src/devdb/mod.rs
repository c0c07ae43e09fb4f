//! Scratch space for normalization on a dev database (the env's `dev` URL, or strata's private
//! cluster).
//!
//! Normalization works inside one transaction that is always rolled back ([`ScratchTx`]):
//! PostgreSQL's DDL is transactional, so nothing is ever left behind — not on errors, not on
//! Ctrl-C (a closed connection rolls back) — and no `CREATE DATABASE` (which costs a checkpoint
//! on every drop) is needed. Concurrent runs on the same dev database serialize on the catalog.
//! [`ScratchDb`] creates and drops a whole database, for work that cannot run in a transaction.

pub mod cluster;

use crate::postgres::connect::{DbUrl, error_text};
use miette::{Diagnostic, Result};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use thiserror::Error;
use tokio_postgres::Client;

/// Where scratch databases come from.
#[derive(Debug, Clone)]
pub enum DevSource {
    /// A server strata may create databases on.
    Url(Box<DbUrl>),
    /// The private cluster in `<project>/.strata`.
    Cluster(PathBuf),
}

impl DevSource {
    /// The database to work in: the dev URL's own database, or the private cluster's
    /// `postgres` database.
    pub async fn server(&self) -> Result<DbUrl> {
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
pub struct ScratchError {
    pub server: String,
    pub reason: String,
}

/// A transaction on the dev database that is always rolled back.
pub struct ScratchTx {
    pub client: Client,
    pub url: DbUrl,
}

impl ScratchTx {
    /// Connects to the dev database and opens the transaction.
    pub async fn begin(dev: &DevSource) -> Result<ScratchTx> {
        let url = dev.server().await?;
        let client = url.connect().await?;
        client
            .batch_execute(
                "BEGIN; SET LOCAL search_path = public; SET LOCAL check_function_bodies = off; SET LOCAL lock_timeout = '60s'",
            )
            .await
            .map_err(|e| ScratchError { server: url.redacted(), reason: error_text(&e) })?;
        Ok(ScratchTx { client, url })
    }

    /// Rolls everything back.
    pub async fn rollback(self) {
        let _ = self.client.batch_execute("ROLLBACK").await;
    }
}

/// Databases created and not yet dropped, for cleanup on Ctrl-C.
static LIVE: Mutex<Vec<(DbUrl, String)>> = Mutex::new(Vec::new());
static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A throw-away database. Call [`ScratchDb::drop_now`] when done; [`cleanup_all`] catches the rest.
pub struct ScratchDb {
    pub client: Client,
    pub url: DbUrl,
    server: DbUrl,
    name: String,
}

impl ScratchDb {
    /// Creates an empty database on `server` and connects to it.
    pub async fn create(server: &DbUrl) -> Result<ScratchDb> {
        let fail = |reason: String| ScratchError {
            server: server.redacted(),
            reason,
        };
        let admin = server.connect().await?;
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
            .batch_execute(&format!("CREATE DATABASE \"{name}\" TEMPLATE template0"))
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
            .batch_execute("SET search_path = public; SET check_function_bodies = off")
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
    pub async fn drop_now(self) -> Result<()> {
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

async fn drop_database(server: &DbUrl, name: &str) -> Result<()> {
    let admin = server.connect().await?;
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
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

/// Drops every scratch database this process still has (Ctrl-C, error paths).
pub async fn cleanup_all() {
    let pending: Vec<(DbUrl, String)> = match LIVE.lock() {
        Ok(live) => live.clone(),
        Err(_) => return,
    };
    for (server, name) in pending {
        let _ = drop_database(&server, &name).await;
    }
}
