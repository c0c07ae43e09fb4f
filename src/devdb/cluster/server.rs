//! PostgreSQL's server programs: finding them, running them (as `postgres` when strata is
//! root, since PostgreSQL refuses to run as root), and `initdb`/`pg_ctl` on a data directory.

use super::{ClusterError, INSTALL_HELP, err};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Finds the directory holding `initdb`, `pg_ctl` and `postgres`.
pub(crate) fn find_bin_dir() -> Result<PathBuf, ClusterError> {
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
    if let Some(d) = debian_bin_dir() {
        return Ok(d);
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

fn has_all(d: &Path) -> bool {
    ["initdb", "pg_ctl", "postgres"]
        .iter()
        .all(|b| d.join(b).is_file())
}

/// The newest `/usr/lib/postgresql/<version>/bin` (Debian's layout).
fn debian_bin_dir() -> Option<PathBuf> {
    let entries = std::fs::read_dir("/usr/lib/postgresql").ok()?;
    let mut versions: Vec<(u32, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            Some((v, e.path().join("bin")))
        })
        .filter(|(_, d)| has_all(d))
        .collect();
    versions.sort();
    versions.pop().map(|(_, d)| d)
}

/// The major version of the server programs in `bin` (`postgres --version`).
pub(crate) fn major_version(bin: &Path) -> Result<u32, ClusterError> {
    let out = Command::new(bin.join("postgres"))
        .arg("--version")
        .output()
        .map_err(|e| err(format!("cannot run postgres --version: {e}"), None))?;
    let text = String::from_utf8_lossy(&out.stdout);
    parse_major(&text).ok_or_else(|| {
        err(
            format!("cannot read the version of {}: {text:?}", bin.display()),
            Some(INSTALL_HELP),
        )
    })
}

/// `postgres (PostgreSQL) 15.10 (Debian …)` → 15.
fn parse_major(text: &str) -> Option<u32> {
    let rest = text.split(')').nth(1)?.trim_start();
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

pub(crate) fn is_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false)
}

/// uid and gid of the `postgres` system user.
pub(crate) fn postgres_user() -> Result<(u32, u32), ClusterError> {
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

/// A command for a program, run as `postgres` when we are root.
fn as_server_user(program: &Path, args: &[&str]) -> Result<Command, ClusterError> {
    // The server user may not reach strata's working directory (a 0700 temp directory).
    if is_root() {
        let (uid, gid) = postgres_user()?;
        let mut c = Command::new("setpriv");
        c.current_dir("/");
        c.arg(format!("--reuid={uid}"))
            .arg(format!("--regid={gid}"))
            .arg("--init-groups")
            .arg("--")
            .arg(program)
            .args(args);
        Ok(c)
    } else {
        let mut c = Command::new(program);
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

/// Creates the data directory with `initdb` unless it holds a cluster already. Returns whether
/// it created one.
pub(crate) fn init(bin: &Path, data: &Path) -> Result<bool, ClusterError> {
    if data.join("PG_VERSION").is_file() {
        return Ok(false);
    }
    std::fs::create_dir_all(data)
        .map_err(|e| err(format!("cannot create {}: {e}", data.display()), None))?;
    if is_root() {
        let (uid, gid) = postgres_user()?;
        std::os::unix::fs::chown(data, Some(uid), Some(gid)).map_err(|e| {
            err(
                format!("cannot hand {} to the postgres user: {e}", data.display()),
                None,
            )
        })?;
        check_reachable(data)?;
    }
    let data_s = data.to_string_lossy().to_string();
    let args = [
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
    ];
    run(as_server_user(&bin.join("initdb"), &args)?, "initdb")?;
    Ok(true)
}

/// Starts the server on a free port on 127.0.0.1 and returns the port.
///
/// `fsync=off`, `synchronous_commit=off` and `full_page_writes=off`: the cluster only ever
/// holds scratch and development data, and a crash of the machine may lose it; in exchange
/// `CREATE DATABASE` and DDL do not wait for the disk.
pub(crate) fn start(bin: &Path, data: &Path) -> Result<u16, ClusterError> {
    let port = free_port()?;
    let opts = format!(
        "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
    );
    let data_s = data.to_string_lossy().to_string();
    let log = data.join("strata-server.log").to_string_lossy().to_string();
    let args = [
        "-D", &data_s, "-l", &log, "-w", "-t", "60", "-o", &opts, "start",
    ];
    run(as_server_user(&bin.join("pg_ctl"), &args)?, "pg_ctl start")?;
    Ok(port)
}

/// Port of the running server, if it runs.
pub(crate) fn running_port(bin: &Path, data: &Path) -> Result<Option<u16>, ClusterError> {
    if !data.join("postmaster.pid").is_file() {
        return Ok(None);
    }
    let data_s = data.to_string_lossy().to_string();
    let status = as_server_user(&bin.join("pg_ctl"), &["-D", &data_s, "status"])?
        .output()
        .map_err(|e| err(format!("cannot run pg_ctl: {e}"), Some(INSTALL_HELP)))?;
    if !status.status.success() {
        return Ok(None);
    }
    // postmaster.pid: line 4 is the port.
    let pid = std::fs::read_to_string(data.join("postmaster.pid")).unwrap_or_default();
    Ok(pid.lines().nth(3).and_then(|l| l.trim().parse().ok()))
}

/// Stops the server (fast: sessions are ended, the data stays). Returns whether it ran.
pub(crate) fn stop(bin: &Path, data: &Path) -> Result<bool, ClusterError> {
    if !data.join("PG_VERSION").is_file() || running_port(bin, data)?.is_none() {
        return Ok(false);
    }
    let data_s = data.to_string_lossy().to_string();
    let args = ["-D", &data_s, "-m", "fast", "-w", "stop"];
    run(as_server_user(&bin.join("pg_ctl"), &args)?, "pg_ctl stop")?;
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
    let status = as_server_user(Path::new("test"), &["-w", &data.to_string_lossy()])?.status();
    match status {
        Ok(s) if s.success() => Ok(()),
        Ok(_) => Err(err(
            format!("the postgres user cannot reach {}", data.display()),
            Some(
                "strata runs the private cluster as `postgres` when you are root: make the parents of STRATA_CLUSTER_DIR traversable (chmod o+x), point STRATA_CLUSTER_DIR elsewhere, or give the env a `dev` URL",
            ),
        )),
        Err(e) => Err(err(
            format!("cannot run setpriv: {e}"),
            Some("install util-linux (it provides setpriv)"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_major;

    #[test]
    fn versions() {
        assert_eq!(
            parse_major("postgres (PostgreSQL) 15.10 (Debian 15.10-0+deb12u1)\n"),
            Some(15)
        );
        assert_eq!(parse_major("postgres (PostgreSQL) 17beta1"), Some(17));
        assert_eq!(parse_major("nonsense"), None);
    }
}
