//! strata's private cluster as users meet it: one per user shared by every project (however many
//! strata processes start it at once), stopped after the idle time but never under a running
//! command, `cluster status`, and a notice when a `local://` database is created. Each test has
//! a cluster directory of its own (`STRATA_CLUSTER_DIR`) and stops its server on the way out,
//! even when it fails.

mod common;
use common::TestDb;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const SCHEMA: &str = "schema \"public\" {}\ntable \"t\" {\n  schema = schema.public\n  column \"id\" { type = int }\n  column \"n\" {\n    type = int\n    default = sql(\"1 + 1\")\n  }\n}\n";
const SCHEMA_V2: &str = "schema \"public\" {}\ntable \"t\" {\n  schema = schema.public\n  column \"id\" { type = int }\n  column \"n\" {\n    type = int\n    default = sql(\"1 + 1\")\n  }\n  column \"name\" {\n    type = text\n    null = true\n  }\n}\n";

/// A cluster directory of the test's own; the server in it is stopped when the test ends.
struct TestCluster {
    dir: tempfile::TempDir,
    idle: &'static str,
}

impl TestCluster {
    fn new(idle: &'static str) -> TestCluster {
        // 0755: as root the server runs as `postgres`, which must reach the data directory.
        let dir = tempfile::Builder::new()
            .prefix("strata-cluster-")
            .permissions(std::fs::Permissions::from_mode(0o755))
            .tempdir()
            .expect("temp dir");
        TestCluster { dir, idle }
    }

    /// strata, run in `cwd`, using this cluster.
    fn strata(&self, cwd: &Path) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_strata"));
        c.current_dir(cwd)
            .env("NO_COLOR", "1")
            .env_remove("STRATA_ENV")
            .env("STRATA_CLUSTER_DIR", self.dir.path())
            .env("STRATA_CLUSTER_IDLE", self.idle);
        c
    }

    fn run(&self, cwd: &Path, args: &[&str]) -> Output {
        self.strata(cwd).args(args).output().expect("run strata")
    }

    /// The data directory (one PostgreSQL version is installed where the tests run).
    fn data(&self) -> PathBuf {
        let entries = std::fs::read_dir(self.dir.path()).expect("cluster dir");
        let versions: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("pg"))
            })
            .collect();
        assert_eq!(versions.len(), 1, "one version directory: {versions:?}");
        versions[0].join("pgdata")
    }

    fn running(&self) -> bool {
        postmasters(&self.data()) > 0
    }

    /// Waits up to `limit` for the server to stop; returns how long that took.
    fn wait_stopped(&self, limit: Duration) -> Option<Duration> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if !self.running() {
                return Some(start.elapsed());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        None
    }
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        let _ = self.run(self.dir.path(), &["cluster", "stop"]);
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn ok(o: Output) -> Output {
    assert!(o.status.success(), "strata failed: {}", text(&o));
    o
}

/// Postmaster processes of `data`: `postgres -D <data> …` (its children rename themselves).
fn postmasters(data: &Path) -> usize {
    let data = data.to_string_lossy().to_string();
    processes(|args| args.first().is_some_and(|a| a.ends_with("postgres")) && args.contains(&data))
}

/// Idle watchdogs of the cluster directory `dir`.
fn watchdogs(dir: &Path) -> usize {
    let dir = dir.to_string_lossy().to_string();
    processes(|args| args.iter().any(|a| a == "watchdog") && args.contains(&dir))
}

/// Processes whose arguments match.
fn processes(matches: impl Fn(&[String]) -> bool) -> usize {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return 0;
    };
    procs
        .filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .filter(|cmdline| {
            let args: Vec<String> = cmdline
                .split(|b| *b == 0)
                .map(|a| String::from_utf8_lossy(a).to_string())
                .collect();
            matches(&args)
        })
        .count()
}

#[tokio::test]
async fn twenty_projects_share_one_cluster() {
    let cluster = TestCluster::new("2m");
    let db = TestDb::new("cluster_many").await;
    let projects: Vec<tempfile::TempDir> = (0..20)
        .map(|_| tempfile::tempdir().expect("project dir"))
        .collect();
    for p in &projects {
        std::fs::write(p.path().join("schema.hcl"), SCHEMA).expect("write schema");
    }
    // All at once: the setup lock lets one of them create and start the server.
    let outputs: Vec<Output> = std::thread::scope(|s| {
        let handles: Vec<_> = projects
            .iter()
            .map(|p| {
                let c = &cluster;
                let url = db.url.as_str();
                s.spawn(move || c.run(p.path(), &["--url", url, "--src", "schema.hcl", "plan"]))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    for o in &outputs {
        assert!(o.status.success(), "plan failed: {}", text(o));
        assert!(text(o).contains("Plan: 1 to add"), "{}", text(o));
    }
    let started = outputs
        .iter()
        .filter(|o| String::from_utf8_lossy(&o.stderr).contains("Started strata's private"))
        .count();
    assert_eq!(started, 1, "exactly one run starts the server");
    for p in &projects {
        assert!(
            !p.path().join(".strata").exists(),
            "no cluster in the project"
        );
    }
    assert_eq!(
        postmasters(&cluster.data()),
        1,
        "one server for all projects"
    );
    let dir = cluster
        .data()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    assert_eq!(watchdogs(&dir), 1, "one idle watchdog");
    // The one server is the data directory's postmaster (`postmaster.pid`).
    let pid = std::fs::read_to_string(cluster.data().join("postmaster.pid")).expect("running");
    let pid = pid.lines().next().unwrap_or_default().trim().to_string();
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).expect("the postmaster runs");
    let data = cluster.data().display().to_string();
    assert!(String::from_utf8_lossy(&cmdline).contains(&data));
}

#[tokio::test]
async fn the_server_stops_when_idle_but_never_under_a_command() {
    let cluster = TestCluster::new("3s");
    let db = TestDb::new("cluster_idle").await;
    let src = db.write("schema.hcl", SCHEMA);
    let src = src.to_string_lossy().to_string();
    let apply = |schema: &str| {
        let mut c = cluster.strata(db.path());
        c.args(["--url", &db.url, "--src", schema, "apply", "-auto-approve"])
            .args(["--lock-timeout", "60s"]);
        c
    };
    ok(apply(&src).output().expect("apply"));
    assert!(cluster.running(), "the first apply started the server");
    std::thread::sleep(Duration::from_millis(1000));
    assert!(cluster.running(), "not stopped before the idle time");
    let took = cluster.wait_stopped(Duration::from_secs(20));
    assert!(took.is_some(), "stopped after 3s unused");

    // A command that runs longer than the idle time: its ALTER waits for our lock.
    let holder = tokio_postgres::connect(&db.url, tokio_postgres::NoTls).await;
    let (holder, conn) = holder.expect("connect");
    tokio::spawn(conn);
    holder
        .batch_execute("BEGIN; LOCK TABLE t IN ACCESS SHARE MODE")
        .await
        .expect("lock");
    let src2 = db.write("schema_v2.hcl", SCHEMA_V2);
    let mut child = apply(&src2.to_string_lossy())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn apply");
    std::thread::sleep(Duration::from_secs(8));
    assert!(
        child.try_wait().expect("wait").is_none(),
        "the apply still waits for the lock"
    );
    assert!(cluster.running(), "never stopped under a running command");
    let status = text(&ok(cluster.run(db.path(), &["cluster", "status"])));
    assert!(status.contains("in use by strata now"), "{status}");
    holder.batch_execute("COMMIT").await.expect("commit");
    let out = child.wait_with_output().expect("apply ends");
    assert!(out.status.success(), "{}", text(&out));
    let took = cluster.wait_stopped(Duration::from_secs(20));
    assert!(took.is_some(), "stopped once the command had ended");
    let pid = std::fs::read_to_string(cluster.data().join("postmaster.pid"));
    assert!(pid.is_err(), "a clean stop: {pid:?}");
    assert!(
        cluster.data().join("PG_VERSION").is_file(),
        "the data stays"
    );
}

/// A descriptor strata inherits (here `flock`'s lock on a file, as a CI step or a build script
/// would hold one) is not passed on to the server and the watchdog, which outlive strata: the
/// lock is free as soon as strata exits, not when the cluster stops.
#[test]
fn the_cluster_keeps_nothing_strata_inherited() {
    if Command::new("flock").arg("--version").output().is_err() {
        eprintln!("skipped: no `flock` (util-linux)");
        return;
    }
    let cluster = TestCluster::new("5m");
    let project = tempfile::tempdir().expect("project dir");
    let lock = project.path().join("held.lock");
    let mut start = Command::new("flock");
    start
        .arg(&lock)
        .arg(env!("CARGO_BIN_EXE_strata"))
        .args(["cluster", "start"])
        .current_dir(project.path())
        .env("NO_COLOR", "1")
        .env("STRATA_CLUSTER_DIR", cluster.dir.path())
        .env("STRATA_CLUSTER_IDLE", cluster.idle);
    ok(start.output().expect("flock strata cluster start"));
    assert!(cluster.running());
    let free = Command::new("flock")
        .args(["-n", "-E", "75"])
        .arg(&lock)
        .arg("true")
        .status()
        .expect("flock -n");
    assert_eq!(
        free.code(),
        Some(0),
        "the lock is still held after strata exited: the server or the watchdog inherited it"
    );
}

#[tokio::test]
async fn status_start_stop_and_local_databases() {
    let cluster = TestCluster::new("5m");
    let project = tempfile::tempdir().expect("project dir");
    std::fs::write(project.path().join("schema.hcl"), SCHEMA).expect("write schema");
    let p = project.path();

    let before = ok(cluster.run(p, &["cluster", "status"]));
    assert!(
        text(&before).contains("not created yet"),
        "{}",
        text(&before)
    );

    let started = ok(cluster.run(p, &["cluster", "start"]));
    assert!(
        String::from_utf8_lossy(&started.stderr).contains("Started strata's private PostgreSQL"),
        "{}",
        text(&started)
    );
    let args = ["--url", "local://shop", "--src", "schema.hcl"];
    let first = ok(cluster
        .strata(p)
        .args(args)
        .args(["apply", "-auto-approve"])
        .output()
        .expect("apply"));
    assert!(
        String::from_utf8_lossy(&first.stderr)
            .contains("Created database shop on strata's private cluster"),
        "{}",
        text(&first)
    );
    let again = ok(cluster
        .strata(p)
        .args(args)
        .arg("plan")
        .output()
        .expect("plan"));
    assert!(
        !text(&again).contains("Created database"),
        "{}",
        text(&again)
    );
    assert!(!text(&again).contains("Started"), "{}", text(&again));

    let running = text(&ok(cluster.run(p, &["cluster", "status"])));
    let data = cluster.data().display().to_string();
    for want in [
        ": running",
        &data,
        "port:",
        "PostgreSQL ",
        "after 5m unused",
        "databases:      shop",
    ] {
        assert!(running.contains(want), "{want:?} in:\n{running}");
    }

    let stopped = ok(cluster.run(p, &["cluster", "stop"]));
    assert!(
        text(&stopped).contains("Stopped the private cluster"),
        "{}",
        text(&stopped)
    );
    let after = text(&ok(cluster.run(p, &["cluster", "status"])));
    assert!(after.contains("not running"), "{after}");
    assert!(!cluster.running());

    // The data survives a stop: the table is still there.
    let plan = ok(cluster
        .strata(p)
        .args(args)
        .args(["plan", "-detailed-exitcode"])
        .output()
        .expect("plan"));
    assert!(text(&plan).contains("No changes"), "{}", text(&plan));
}
