//! strata's private PostgreSQL cluster in `<project>/.strata/`: created with the system's
//! `initdb`, started with `pg_ctl` on first use, reused afterwards. No Docker. PostgreSQL refuses
//! to run as root, so as root the server runs as the `postgres` system user.

use crate::postgres::connect::{DbUrl, error_text};
use miette::{Diagnostic, Result};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use thiserror::Error;

/// The private cluster could not be set up.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(strata::cluster))]
pub struct ClusterError {
    pub message: String,
    #[help]
    pub help: Option<String>,
}

fn err(message: impl Into<String>, help: Option<&str>) -> ClusterError {
    ClusterError {
        message: message.into(),
        help: help.map(str::to_string),
    }
}

const INSTALL_HELP: &str = "install PostgreSQL's server programs, e.g. on Debian/Ubuntu: `apt-get install -y postgresql` (with sudo if you are not root); or set STRATA_PG_BIN to the directory holding initdb and pg_ctl; or give the env a `dev` URL of a server strata may create databases on";

/// Directory of the cluster's files for a project.
pub fn state_dir(project: &Path) -> PathBuf {
    project.join(".strata")
}

/// Finds the directory holding `initdb`, `pg_ctl` and `postgres`.
pub fn find_bin_dir() -> Result<PathBuf, ClusterError> {
    let has_all = |d: &Path| {
        ["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|b| d.join(b).is_file())
    };
    if let Ok(dir) = std::env::var("STRATA_PG_BIN") {
        let d = PathBuf::from(dir);
        if has_all(&d) {
            return Ok(d);
        }
        return Err(err(
            format!(
                "STRATA_PG_BIN={} does not hold initdb, pg_ctl and postgres",
                d.display()
            ),
            Some(INSTALL_HELP),
        ));
    }
    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<(u32, PathBuf)> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
                Some((v, e.path().join("bin")))
            })
            .filter(|(_, d)| has_all(d))
            .collect();
        versions.sort();
        if let Some((_, d)) = versions.pop() {
            return Ok(d);
        }
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let d = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && has_all(&d) {
            return Ok(d);
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        for d in std::env::split_paths(&path) {
            if has_all(&d) {
                return Ok(d);
            }
        }
    }
    Err(err(
        "PostgreSQL's server programs (initdb, pg_ctl, postgres) were not found",
        Some(INSTALL_HELP),
    ))
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

/// uid and gid of the `postgres` system user.
fn postgres_user() -> Result<(u32, u32), ClusterError> {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    for line in passwd.lines() {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() > 3
            && f[0] == "postgres"
            && let (Ok(u), Ok(g)) = (f[2].parse(), f[3].parse())
        {
            return Ok((u, g));
        }
    }
    Err(err(
        "strata runs as root, and PostgreSQL refuses to run as root, but there is no `postgres` system user to run the private cluster as",
        Some(
            "install PostgreSQL from your distribution's packages (it creates the user), or run strata as a regular user, or give the env a `dev` URL",
        ),
    ))
}

/// A command for a server program, run as `postgres` when we are root.
fn server_command(bin: &Path, args: &[&str]) -> Result<Command, ClusterError> {
    if is_root() {
        let (uid, gid) = postgres_user()?;
        let mut c = Command::new("setpriv");
        c.arg(format!("--reuid={uid}"))
            .arg(format!("--regid={gid}"))
            .arg("--init-groups")
            .arg("--")
            .arg(bin)
            .args(args);
        Ok(c)
    } else {
        let mut c = Command::new(bin);
        c.args(args);
        Ok(c)
    }
}

fn run(mut cmd: Command, what: &str) -> Result<(), ClusterError> {
    let out = cmd
        .output()
        .map_err(|e| err(format!("cannot run {what}: {e}"), Some(INSTALL_HELP)))?;
    if !out.status.success() {
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        return Err(err(format!("{what} failed: {}", text.trim()), None));
    }
    Ok(())
}

/// Makes sure the project's private cluster exists and runs; returns the URL of its `postgres`
/// database.
pub async fn ensure(project: &Path) -> Result<DbUrl> {
    let state = state_dir(project);
    std::fs::create_dir_all(&state)
        .map_err(|e| err(format!("cannot create {}: {e}", state.display()), None))?;
    let gitignore = state.join(".gitignore");
    if !gitignore.exists() {
        let _ = std::fs::write(&gitignore, "*\n");
    }
    // One strata at a time sets the cluster up.
    let lock_path = state.join("lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| err(format!("cannot open {}: {e}", lock_path.display()), None))?;
    lock.lock()
        .map_err(|e| err(format!("cannot lock {}: {e}", lock_path.display()), None))?;
    let result = ensure_locked(&state);
    let _ = lock.unlock();
    let port = result?;
    let url = DbUrl::parse(&format!(
        "postgres://postgres@127.0.0.1:{port}/postgres?sslmode=disable"
    ))?;
    // The server may need a moment after a fresh start.
    let mut last = None;
    for _ in 0..50 {
        match url.connect().await {
            Ok(_) => return Ok(url),
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Err(last.map(miette::Report::new).unwrap_or_else(|| {
        miette::miette!(
            code = "strata::cluster",
            "cannot connect to the private cluster"
        )
    }))
}

fn ensure_locked(state: &Path) -> Result<u16, ClusterError> {
    let data = state.join("pgdata");
    let bin = find_bin_dir()?;
    if !data.join("PG_VERSION").is_file() {
        std::fs::create_dir_all(&data)
            .map_err(|e| err(format!("cannot create {}: {e}", data.display()), None))?;
        if is_root() {
            let (uid, gid) = postgres_user()?;
            std::os::unix::fs::chown(&data, Some(uid), Some(gid)).map_err(|e| {
                err(
                    format!("cannot hand {} to the postgres user: {e}", data.display()),
                    None,
                )
            })?;
            check_reachable(&data)?;
        }
        let data_s = data.to_string_lossy().to_string();
        let cmd = server_command(
            &bin.join("initdb"),
            &[
                "-D",
                &data_s,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        )?;
        run(cmd, "initdb")?;
    }
    let data_s = data.to_string_lossy().to_string();
    if let Some(port) = running_port(&bin, &data)? {
        return Ok(port);
    }
    let port = free_port()?;
    let opts = format!(
        "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
    );
    let log = data.join("strata-server.log").to_string_lossy().to_string();
    let cmd = server_command(
        &bin.join("pg_ctl"),
        &[
            "-D", &data_s, "-l", &log, "-w", "-t", "60", "-o", &opts, "start",
        ],
    )?;
    run(cmd, "pg_ctl start")?;
    Ok(port)
}

/// Port of the running server, if it runs.
fn running_port(bin: &Path, data: &Path) -> Result<Option<u16>, ClusterError> {
    let data_s = data.to_string_lossy().to_string();
    let status = server_command(&bin.join("pg_ctl"), &["-D", &data_s, "status"])?
        .output()
        .map_err(|e| err(format!("cannot run pg_ctl: {e}"), Some(INSTALL_HELP)))?;
    if !status.status.success() {
        return Ok(None);
    }
    // postmaster.pid: line 4 is the port.
    let pid = std::fs::read_to_string(data.join("postmaster.pid")).unwrap_or_default();
    Ok(pid.lines().nth(3).and_then(|l| l.trim().parse().ok()))
}

/// Stops the project's private cluster, if it runs.
pub fn stop(project: &Path) -> Result<bool, ClusterError> {
    let data = state_dir(project).join("pgdata");
    if !data.join("PG_VERSION").is_file() {
        return Ok(false);
    }
    let bin = find_bin_dir()?;
    if running_port(&bin, &data)?.is_none() {
        return Ok(false);
    }
    let data_s = data.to_string_lossy().to_string();
    run(
        server_command(
            &bin.join("pg_ctl"),
            &["-D", &data_s, "-m", "fast", "-w", "stop"],
        )?,
        "pg_ctl stop",
    )?;
    Ok(true)
}

fn free_port() -> Result<u16, ClusterError> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| err(format!("cannot find a free port: {e}"), None))?;
    l.local_addr()
        .map(|a| a.port())
        .map_err(|e| err(format!("cannot find a free port: {e}"), None))
}

/// As root the server runs as `postgres`, which needs to reach the data directory.
fn check_reachable(data: &Path) -> Result<(), ClusterError> {
    let (uid, gid) = postgres_user()?;
    let out = Command::new("setpriv")
        .arg(format!("--reuid={uid}"))
        .arg(format!("--regid={gid}"))
        .arg("--init-groups")
        .arg("--")
        .arg("test")
        .arg("-w")
        .arg(data)
        .status();
    match out {
        Ok(s) if s.success() => Ok(()),
        Ok(_) => Err(err(
            format!("the postgres user cannot reach {}", data.display()),
            Some(
                "strata runs the private cluster as `postgres` when you are root; make the project directory's parents traversable (chmod o+x), or give the env a `dev` URL",
            ),
        )),
        Err(e) => Err(err(
            format!("cannot run setpriv: {e}"),
            Some("install util-linux (it provides setpriv)"),
        )),
    }
}

/// URL of database `name` on the private cluster, creating the database if needed.
pub async fn database_url(project: &Path, name: &str) -> Result<DbUrl> {
    let server = ensure(project).await?;
    if name.is_empty() || name == "postgres" {
        return Ok(server);
    }
    let admin = server.connect().await?;
    let exists = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await
        .map_err(|e| err(format!("cannot list databases: {}", error_text(&e)), None))?;
    if exists.is_none() {
        admin
            .batch_execute(&format!(
                "CREATE DATABASE {}",
                crate::postgres::quote::ident(name)
            ))
            .await
            .map_err(|e| {
                err(
                    format!("cannot create database {name}: {}", error_text(&e)),
                    None,
                )
            })?;
    }
    Ok(server.with_dbname(name))
}
