//! strata's private PostgreSQL cluster: one per user and PostgreSQL major version, shared by
//! every project, created with the system's `initdb` and started with `pg_ctl` on first use. No
//! Docker.
//!
//! Where it lives (`<base>/pg<major>/`, data in `pgdata/`):
//! - `$STRATA_CLUSTER_DIR` when set (tests point it at a directory of their own);
//! - as root, `/var/cache/strata`: PostgreSQL refuses to run as root, so the server runs as the
//!   `postgres` system user, which must traverse every parent of the data directory. root's
//!   home (`/root`, mode 0700) is out of its reach, while `/var/cache` is root's own, mode 0755,
//!   and not world-writable (unlike `/tmp` or `/var/tmp`, where another user could plant the
//!   directory first). strata creates `strata/` and `pg<major>/` there with mode 0755 and hands
//!   only `pgdata/` (0700) to `postgres`;
//! - otherwise `$XDG_CACHE_HOME/strata`, else `~/.cache/strata`.
//!
//! Beside `pgdata/`: `setup.lock` (held exclusively while one strata creates, starts or stops
//! the server), `lease` (held shared by every strata process that uses the cluster, for its
//! whole run), `last-used` (its modification time is the last use) and the idle watchdog's
//! files (see [`lease`]). The server stops after [`IDLE_ENV`] (15 minutes) unused; its data
//! directory stays, so `local://` databases keep their data.

mod lease;
mod server;

pub(crate) use lease::{release, set_program, watch};

use crate::postgres::connect::DbUrl;
use crate::postgres::databases;
use miette::{Diagnostic, Result};
use std::path::{Path, PathBuf};
use std::time::Duration;
use thiserror::Error;

/// Overrides the directory the clusters live in.
pub(crate) const DIR_ENV: &str = "STRATA_CLUSTER_DIR";
/// How long the server may stay unused before it stops (`15m`; `0` never stops it).
pub(crate) const IDLE_ENV: &str = "STRATA_CLUSTER_IDLE";
const DEFAULT_IDLE: Duration = Duration::from_secs(15 * 60);

/// The private cluster could not be set up.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(strata::cluster))]
pub(crate) struct ClusterError {
    pub(crate) message: String,
    #[help]
    pub(crate) help: Option<String>,
}

fn err(message: impl Into<String>, help: Option<&str>) -> ClusterError {
    ClusterError {
        message: message.into(),
        help: help.map(str::to_string),
    }
}

const INSTALL_HELP: &str = "install PostgreSQL's server programs, e.g. on Debian/Ubuntu: `apt-get install -y postgresql` (with sudo if you are not root); or set STRATA_PG_BIN to the directory holding initdb and pg_ctl; or give the env a `dev` URL of a server strata may create databases on";

/// The cluster of the installed PostgreSQL version: its directory and server programs.
#[derive(Debug, Clone)]
pub(crate) struct Cluster {
    /// `<base>/pg<major>`.
    pub(crate) dir: PathBuf,
    pub(crate) bin: PathBuf,
    pub(crate) major: u32,
}

impl Cluster {
    /// The cluster of the newest installed server programs.
    pub(crate) fn locate() -> Result<Cluster, ClusterError> {
        let bin = server::find_bin_dir()?;
        let major = server::major_version(&bin)?;
        Ok(Cluster {
            dir: base_dir()?.join(format!("pg{major}")),
            bin,
            major,
        })
    }

    /// The data directory.
    pub(crate) fn data(&self) -> PathBuf {
        self.dir.join("pgdata")
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// The directory the clusters live in (see the module's documentation).
pub(crate) fn base_dir() -> Result<PathBuf, ClusterError> {
    let set = |v: &str| {
        std::env::var_os(v)
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = set(DIR_ENV) {
        return std::path::absolute(&dir)
            .map_err(|e| err(format!("{DIR_ENV}={}: {e}", dir.display()), None));
    }
    if server::is_root() {
        return Ok(PathBuf::from("/var/cache/strata"));
    }
    if let Some(cache) = set("XDG_CACHE_HOME").filter(|p| p.is_absolute()) {
        return Ok(cache.join("strata"));
    }
    match set("HOME") {
        Some(home) => Ok(home.join(".cache").join("strata")),
        None => Err(err(
            "cannot tell where strata's private cluster lives: HOME is not set",
            Some("set STRATA_CLUSTER_DIR to a directory for it, or give the env a `dev` URL"),
        )),
    }
}

/// The idle time after which the server stops; `None`: never.
pub(crate) fn idle_time() -> Result<Option<Duration>, ClusterError> {
    let Some(v) = std::env::var_os(IDLE_ENV).filter(|v| !v.is_empty()) else {
        return Ok(Some(DEFAULT_IDLE));
    };
    let text = v.to_string_lossy();
    match crate::config::duration::parse_duration(&text) {
        Some(d) if d.is_zero() => Ok(None),
        Some(d) => Ok(Some(d)),
        None => Err(err(
            format!("invalid {IDLE_ENV} {text:?}"),
            Some(
                "a duration such as 15m, 90s or 2h; 0 keeps the cluster running until `strata cluster stop`",
            ),
        )),
    }
}

/// Makes sure the private cluster exists and runs, and holds a lease on it for the rest of this
/// process (the idle watchdog never stops it under a running command); returns the URL of its
/// `postgres` database. `project` is where an old per-project cluster (`.strata/`) may run.
pub(crate) async fn ensure(project: &Path) -> Result<DbUrl> {
    let idle = idle_time()?;
    let c = Cluster::locate()?;
    create_dirs(&c)?;
    lease::hold(&c)?;
    stop_legacy(project, &c);
    let port = lease::with_setup_lock(&c, || ensure_running(&c, idle))?;
    let url = server_url(port)?;
    // The server may need a moment after a fresh start.
    let mut last = None;
    for _ in 0..50 {
        match url.connect().await {
            Ok(_) => return Ok(url),
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(last.map(miette::Report::new).unwrap_or_else(|| {
        miette::miette!(
            code = "strata::cluster",
            "cannot connect to the private cluster"
        )
    }))
}

fn server_url(port: u16) -> Result<DbUrl> {
    Ok(DbUrl::parse(&format!(
        "postgres://postgres@127.0.0.1:{port}/postgres?sslmode=disable"
    ))?)
}

/// Creates `<base>/pg<major>`; as root with mode 0755, so that `postgres` can reach `pgdata`.
fn create_dirs(c: &Cluster) -> Result<(), ClusterError> {
    let fresh: Vec<&Path> = c.dir.ancestors().take_while(|d| !d.exists()).collect();
    std::fs::create_dir_all(&c.dir)
        .map_err(|e| err(format!("cannot create {}: {e}", c.dir.display()), None))?;
    if server::is_root() {
        use std::os::unix::fs::PermissionsExt;
        for d in fresh {
            let _ = std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755));
        }
    }
    Ok(())
}

/// Under the setup lock: creates and starts the server when needed, and makes sure a watchdog
/// watches it.
fn ensure_running(c: &Cluster, idle: Option<Duration>) -> Result<u16, ClusterError> {
    server::init(&c.bin, &c.data())?;
    if let Some(port) = server::running_port(&c.bin, &c.data())? {
        if let Some(idle) = idle {
            lease::spawn_watchdog(c, idle);
        }
        return Ok(port);
    }
    let port = server::start(&c.bin, &c.data())?;
    lease::touch(c);
    let stops = match idle {
        Some(idle) => {
            lease::spawn_watchdog(c, idle);
            format!("stops after {} unused", human(idle))
        }
        None => format!("{IDLE_ENV}=0: runs until stopped"),
    };
    eprintln!(
        "Started strata's private PostgreSQL {} cluster in {} ({stops}; `strata cluster stop` stops it now).",
        c.major,
        tilde(&c.dir)
    );
    Ok(port)
}

/// Stops the private cluster, if it runs (and an old per-project one in `project`).
pub(crate) fn stop(project: &Path) -> Result<Option<PathBuf>, ClusterError> {
    let c = Cluster::locate()?;
    stop_legacy(project, &c);
    if !c.data().join("PG_VERSION").is_file() {
        return Ok(None);
    }
    let stopped = lease::with_setup_lock(&c, || server::stop(&c.bin, &c.data()))?;
    Ok(stopped.then(|| c.dir.clone()))
}

/// Earlier versions of strata kept a cluster per project in `<project>/.strata/`; one still running is
/// stopped, once, with a notice (its data directory stays).
fn stop_legacy(project: &Path, c: &Cluster) {
    let old = project.join(".strata").join("pgdata");
    if old == c.data() || !old.join("postmaster.pid").is_file() {
        return;
    }
    if let Ok(true) = server::stop(&c.bin, &old) {
        eprintln!(
            "Stopped strata's old per-project PostgreSQL cluster in {} (the private cluster is now shared, in {}); its data stays until you delete {}.",
            tilde(&old),
            tilde(&c.dir),
            tilde(&project.join(".strata"))
        );
    }
}

/// URL of database `name` on the private cluster, creating the database (with a notice) the
/// first time it is used.
pub(crate) async fn database_url(project: &Path, name: &str) -> Result<DbUrl> {
    let server = ensure(project).await?;
    if name.is_empty() || name == "postgres" {
        return Ok(server);
    }
    let admin = server.connect().await?;
    if databases::create_if_missing(&admin, name)
        .await
        .map_err(|e| err(format!("database {name}: {e}"), None))?
    {
        eprintln!(
            "Created database {name} on strata's private cluster (local://{name}); `strata cluster status` lists its databases."
        );
    }
    Ok(server.with_dbname(name))
}

/// What `strata cluster status` shows.
#[derive(Debug, Clone)]
pub(crate) struct Status {
    pub(crate) cluster: Cluster,
    /// `initdb` has run.
    pub(crate) created: bool,
    pub(crate) port: Option<u16>,
    /// `None`: never stops on its own.
    pub(crate) idle: Option<Duration>,
    /// A watchdog watches the running server.
    pub(crate) watched: bool,
    /// A strata process holds a lease now.
    pub(crate) in_use: bool,
    pub(crate) unused_for: Option<Duration>,
    /// The `local://` databases.
    pub(crate) databases: Vec<String>,
}

/// The cluster's state; reads only (starts nothing).
pub(crate) async fn status() -> Result<Status> {
    let c = Cluster::locate()?;
    let created = c.data().join("PG_VERSION").is_file();
    let port = match created {
        true => server::running_port(&c.bin, &c.data())?,
        false => None,
    };
    let mut databases = Vec::new();
    if let Some(port) = port {
        let admin = server_url(port)?.connect().await?;
        databases = databases::user_databases(&admin)
            .await
            .map_err(|e| err(format!("cannot list databases: {e}"), None))?;
    }
    let watchdog = lease::watchdog_idle(&c);
    let idle = match watchdog {
        Some(idle) => Some(idle),
        None => idle_time()?,
    };
    Ok(Status {
        created,
        port,
        idle,
        watched: watchdog.is_some(),
        in_use: lease::in_use(&c),
        unused_for: lease::unused_for(&c),
        databases,
        cluster: c,
    })
}

/// `15m`, `90s`, `1h 30m`.
pub(crate) fn human(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 3600, s % 3600 / 60, s % 60) {
        (0, 0, 0) => format!("{}ms", d.as_millis()),
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m {s}s"),
        (h, 0, _) => format!("{h}h"),
        (h, m, _) => format!("{h}h {m}m"),
    }
}

/// `path` with the home directory spelled `~`.
pub(crate) fn tilde(path: &Path) -> String {
    if let Some(home) = std::env::var_os("HOME").filter(|h| h.len() > 1)
        && let Ok(rest) = path.strip_prefix(&home)
    {
        return Path::new("~").join(rest).display().to_string();
    }
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_the_settings() {
        assert_eq!(human(Duration::from_secs(900)), "15m");
        assert_eq!(human(Duration::from_secs(90)), "1m 30s");
        assert_eq!(human(Duration::from_secs(5400)), "1h 30m");
        assert_eq!(human(Duration::from_millis(1500)), "1s");
        assert_eq!(human(Duration::from_millis(500)), "500ms");
    }
}
