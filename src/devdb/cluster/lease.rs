//! Leases and the idle watchdog: the server stops after the idle time without use, never under
//! a running command, and without a daemon the user manages.
//!
//! - Every strata process that uses the cluster takes a shared `flock` on `lease` before it
//!   looks at the server and keeps it until it exits ([`hold`]; the kernel drops it on any exit,
//!   even SIGKILL). Taking it and ending the process ([`release`]) touch `last-used`.
//! - When strata starts the server it spawns a watchdog: the strata binary itself
//!   (`strata cluster watchdog`, hidden), in a session of its own (`setsid`, so Ctrl-C in the
//!   terminal does not reach it), its output in `watchdog.log`. It holds `watchdog.lock` for
//!   its life, so one watches at a time. Every tenth of the idle time (at most 30s) it tries
//!   the lease exclusively: held means in use (it touches `last-used`); free, with `last-used`
//!   older than the idle time and no client session on the server (a `psql` the user opened),
//!   it stops the server while it holds the lease, so no command can start using it meanwhile.
//!   It ends when the server is gone (it looks every second).

use super::{Cluster, ClusterError, err, server};
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime};

/// This process's lease (see the module's documentation).
static LEASE: Mutex<Option<(File, PathBuf)>> = Mutex::new(None);
/// The strata binary, set by the command-line entry point: only the binary spawns watchdogs.
static PROGRAM: OnceLock<PathBuf> = OnceLock::new();

/// Records the strata binary, to spawn watchdogs with.
pub(crate) fn set_program(exe: PathBuf) {
    let _ = PROGRAM.set(exe);
}

fn open(path: &Path) -> Result<File, ClusterError> {
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| err(format!("cannot open {}: {e}", path.display()), None))
}

/// Takes this process's shared lease on the cluster, once.
pub(crate) fn hold(c: &Cluster) -> Result<(), ClusterError> {
    let Ok(mut held) = LEASE.lock() else {
        return Ok(());
    };
    if held.is_some() {
        return Ok(());
    }
    let path = c.file("lease");
    let file = open(&path)?;
    // Waits while a watchdog stops the server; afterwards this process starts it again.
    file.lock_shared()
        .map_err(|e| err(format!("cannot lock {}: {e}", path.display()), None))?;
    touch(c);
    *held = Some((file, c.file("last-used")));
    Ok(())
}

/// Ends this process's lease (at its end), recording the time of the last use.
pub(crate) fn release() {
    let Ok(mut held) = LEASE.lock() else {
        return;
    };
    if let Some((file, last_used)) = held.take() {
        touch_path(&last_used);
        drop(file);
    }
}

/// Records a use now.
pub(crate) fn touch(c: &Cluster) {
    touch_path(&c.file("last-used"));
}

fn touch_path(path: &Path) {
    if let Ok(f) = open(path) {
        let _ = f.set_modified(SystemTime::now());
    }
}

/// How long ago the cluster was last used.
pub(crate) fn unused_for(c: &Cluster) -> Option<Duration> {
    let modified = std::fs::metadata(c.file("last-used"))
        .and_then(|m| m.modified())
        .ok()?;
    Some(
        SystemTime::now()
            .duration_since(modified)
            .unwrap_or_default(),
    )
}

/// Whether a strata process holds a lease now.
pub(crate) fn in_use(c: &Cluster) -> bool {
    let Ok(file) = File::open(c.file("lease")) else {
        return false;
    };
    matches!(file.try_lock(), Err(TryLockError::WouldBlock))
}

/// Runs `f` under the setup lock: one strata at a time creates, starts or stops the server.
pub(crate) fn with_setup_lock<T>(
    c: &Cluster,
    f: impl FnOnce() -> Result<T, ClusterError>,
) -> Result<T, ClusterError> {
    let path = c.file("setup.lock");
    let lock = open(&path)?;
    lock.lock()
        .map_err(|e| err(format!("cannot lock {}: {e}", path.display()), None))?;
    let result = f();
    let _ = lock.unlock();
    result
}

/// The idle time of the running watchdog, if one runs.
pub(crate) fn watchdog_idle(c: &Cluster) -> Option<Duration> {
    if !watchdog_alive(c) {
        return None;
    }
    let text = std::fs::read_to_string(c.file("watchdog")).ok()?;
    let ms: u64 = text.lines().nth(1)?.trim().parse().ok()?;
    Some(Duration::from_millis(ms))
}

fn watchdog_alive(c: &Cluster) -> bool {
    let Ok(file) = File::open(c.file("watchdog.lock")) else {
        return false;
    };
    matches!(file.try_lock(), Err(TryLockError::WouldBlock))
}

/// Starts a watchdog unless one runs (or this is not the strata binary). Best effort: without
/// one the server runs until `strata cluster stop`.
pub(crate) fn spawn_watchdog(c: &Cluster, idle: Duration) {
    use std::os::unix::process::CommandExt;
    let Some(exe) = PROGRAM.get() else {
        return;
    };
    if watchdog_alive(c) {
        return;
    }
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(c.file("watchdog.log"));
    let mut cmd = std::process::Command::new(exe);
    cmd.args(["cluster", "watchdog", "--dir"])
        .arg(&c.dir)
        .arg("--bin")
        .arg(&c.bin)
        .arg("--idle-ms")
        .arg(idle.as_millis().to_string())
        .current_dir(&c.dir)
        .env_remove("STRATA_ENV")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null());
    match log {
        Ok(f) => cmd.stderr(f),
        Err(_) => cmd.stderr(std::process::Stdio::null()),
    };
    // SAFETY: setsid is async-signal-safe; the child leaves the terminal's process group.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    if let Err(e) = cmd.spawn() {
        eprintln!("warning: cannot start the private cluster's idle watchdog: {e}");
    }
}

/// The watchdog's loop (`strata cluster watchdog`): stops the server after `idle` unused.
pub(crate) async fn watch(dir: &Path, bin: &Path, idle: Duration) -> Result<(), ClusterError> {
    let c = Cluster {
        dir: dir.to_path_buf(),
        bin: bin.to_path_buf(),
        major: 0,
    };
    let me = open(&c.file("watchdog.lock"))?;
    if me.try_lock().is_err() {
        return Ok(()); // another watchdog watches
    }
    let _ = std::fs::write(
        c.file("watchdog"),
        format!("{}\n{}\n", std::process::id(), idle.as_millis()),
    );
    let poll = (idle / 10).clamp(Duration::from_millis(200), Duration::from_secs(30));
    // Whether the server still runs is cheap to see: every second, so that a stopped server's
    // watchdog ends soon.
    let step = poll.min(Duration::from_secs(1));
    let mut waited = Duration::ZERO;
    loop {
        tokio::time::sleep(step).await;
        waited += step;
        if !server_alive(&c.data()) {
            return Ok(());
        }
        if waited >= poll {
            waited = Duration::ZERO;
            if tick(&c, idle, &me).await? {
                return Ok(());
            }
        }
    }
}

/// Whether the data directory's postmaster runs.
fn server_alive(data: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(data.join("postmaster.pid")) else {
        return false;
    };
    text.lines()
        .next()
        .and_then(|l| l.trim().parse::<u32>().ok())
        .is_some_and(crate::devdb::process_alive)
}

/// One look: stops the server when it has been unused for `idle`. Returns whether it stopped.
/// `me` is the watchdog's lock: released before the lease, so that the strata that starts the
/// server next (it waits for the lease) starts a new watchdog.
async fn tick(c: &Cluster, idle: Duration, me: &File) -> Result<bool, ClusterError> {
    let lease = open(&c.file("lease"))?;
    if lease.try_lock().is_err() {
        touch(c); // a command uses the cluster
        return Ok(false);
    }
    if unused_for(c).is_some_and(|u| u < idle) {
        return Ok(false);
    }
    if sessions(c).await > 0 {
        touch(c);
        return Ok(false);
    }
    // Still holding the lease: no command starts using the server while it stops.
    let stopped = with_setup_lock(c, || server::stop(&c.bin, &c.data()));
    let _ = me.unlock();
    stopped?;
    eprintln!(
        "{}: stopped the server after {} unused",
        chrono::Utc::now().format("%Y-%m-%d %H:%M:%S UTC"),
        super::human(idle)
    );
    Ok(true)
}

/// Client sessions on the server other than ours (a `psql` the user opened keeps it running).
async fn sessions(c: &Cluster) -> i64 {
    let Ok(Some(port)) = server::running_port(&c.bin, &c.data()) else {
        return 0;
    };
    let Ok(url) = super::server_url(port) else {
        return 0;
    };
    let Ok(client) = url.connect().await else {
        return 0;
    };
    crate::postgres::databases::client_sessions(&client)
        .await
        .unwrap_or(0)
}
