//! Shared helpers for integration tests: every test gets its own database on the local
//! PostgreSQL (STRATA_TEST_URL, default postgres://root@127.0.0.1:5432/test), dropped at the end.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use strata::apply::{self, ApplyOptions, Progress};
use strata::commands::{self, Prepared, Settings};
use strata::config::duration::{Timeout, Timeouts};
use strata::plan::Step;
use strata::postgres::connect::DbUrl;
use strata::render::Painter;

/// The server the tests use.
pub fn base_url() -> String {
    std::env::var("STRATA_TEST_URL")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".to_string())
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A database of its own for one test.
pub struct TestDb {
    pub name: String,
    pub url: String,
    pub dir: tempfile::TempDir,
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

pub async fn admin() -> tokio_postgres::Client {
    DbUrl::parse(&base_url())
        .expect("STRATA_TEST_URL")
        .connect()
        .await
        .expect("connect to the test server")
}

impl TestDb {
    pub async fn new(prefix: &str) -> TestDb {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let name = format!("t_{prefix}_{}_{n}", std::process::id());
        let a = admin().await;
        a.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await
            .expect("drop old test database");
        a.batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create test database");
        let url = DbUrl::parse(&base_url())
            .unwrap()
            .with_dbname(&name)
            .redacted();
        TestDb {
            name,
            url,
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// Runs SQL on the test database.
    pub async fn exec(&self, sql: &str) {
        let c = DbUrl::parse(&self.url)
            .unwrap()
            .connect()
            .await
            .expect("connect");
        c.batch_execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
    }

    /// Runs SQL, returning the error text if it fails.
    pub async fn try_exec(&self, sql: &str) -> Result<(), String> {
        let c = DbUrl::parse(&self.url)
            .unwrap()
            .connect()
            .await
            .expect("connect");
        c.batch_execute(sql)
            .await
            .map_err(|e| strata::postgres::connect::error_text(&e))
    }

    /// First column of every row, as text.
    pub async fn query(&self, sql: &str) -> Vec<String> {
        let c = DbUrl::parse(&self.url)
            .unwrap()
            .connect()
            .await
            .expect("connect");
        let rows = c
            .simple_query(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        rows.into_iter()
            .filter_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => {
                    Some(r.get(0).unwrap_or("NULL").to_string())
                }
                _ => None,
            })
            .collect()
    }

    /// Writes `hcl` as the schema file and returns its path.
    pub fn write(&self, file: &str, hcl: &str) -> PathBuf {
        let p = self.dir.path().join(file);
        std::fs::write(&p, hcl).expect("write schema");
        p
    }

    /// Settings for planning `src` against this database, normalizing on the test server.
    pub fn settings(&self, src: &[PathBuf]) -> Settings {
        Settings {
            env_name: None,
            url: Some(self.url.clone()),
            dev: Some(base_url()),
            src: src.to_vec(),
            schemas: vec![],
            exclude: vec![],
            timeouts: Timeouts {
                db_lock_wait: Timeout::from_secs(10),
                ..Default::default()
            },
            vars: Default::default(),
            online: false,
            rehearse: false,
            policy: Default::default(),
            project_dir: self.dir.path().to_path_buf(),
            config_path: self.dir.path().join("env.hcl"),
            painter: Painter::new(false),
            migration_dir: None,
            external_schemas: Default::default(),
            verbose: false,
            url_unset: None,
            input: true,
            config_variables: Vec::new(),
            fleet: None,
            roles: None,
        }
    }

    /// Plans `hcl` against the database.
    pub async fn plan(&self, hcl: &str) -> Prepared {
        let p = self.write("schema.hcl", hcl);
        self.plan_settings(&self.settings(&[p])).await
    }

    pub async fn plan_settings(&self, s: &Settings) -> Prepared {
        match commands::prepare(s).await {
            Ok(p) => p,
            Err(e) => panic!("plan failed: {e:?}"),
        }
    }

    /// Plans and applies `hcl`; panics on failure.
    pub async fn apply(&self, hcl: &str) -> Prepared {
        let mut p = self.plan(hcl).await;
        self.apply_prepared(&mut p).await.unwrap_or_else(|e| {
            let sql: Vec<&str> = p.plan.statements().collect();
            panic!("apply failed: {e}\nplan:\n{}", sql.join(";\n"))
        });
        p
    }

    pub async fn apply_prepared(&self, p: &mut Prepared) -> Result<(), String> {
        let opts = ApplyOptions {
            timeouts: Timeouts {
                db_lock_wait: Timeout::from_secs(10),
                ..Default::default()
            },
            scope: p.scope.clone(),
            check_fingerprint: true,
            saved: false,
            monitor: strata::postgres::connect::DbUrl::parse(&self.url).ok(),
            verbose: false,
        };
        let plan = p.plan.clone();
        apply::apply(&mut p.client, &plan, &opts, &mut Quiet)
            .await
            .map_err(|e| format!("{e:?}"))
    }

    /// The core invariant: after applying `hcl`, planning it again shows no changes, and
    /// `inspect` of the database plans to no changes without needing the scratch database.
    /// The second oracle: `pg_dump --schema-only` of the migrated database equals that of a
    /// fresh database built from `hcl` alone (up to column order), which catches what the
    /// inspector and the loader would both lose.
    pub async fn assert_converges(&self, hcl: &str) -> String {
        self.apply(hcl).await;
        let again = self.plan(hcl).await;
        assert!(
            again.plan.is_empty(),
            "re-plan after apply is not empty:\n{}",
            strata::render::human::plan(&again.plan, &Painter::new(false))
        );
        self.assert_dump_equals_fresh_build(hcl).await;
        self.assert_inspect_roundtrip().await
    }

    /// `pg_dump` of this database equals that of `hcl` built in an empty database, column order
    /// aside (a migration adds columns at the end).
    pub async fn assert_dump_equals_fresh_build(&self, hcl: &str) {
        let fresh = TestDb::new("fresh").await;
        fresh.apply(hcl).await;
        // A test that re-creates `public` leaves it without PostgreSQL's default comment, which
        // pg_dump then writes as an empty one; strata treats both as "no comment".
        let relaxed = |url: &str| -> std::collections::BTreeSet<String> {
            dump(url)
                .iter()
                .filter(|e| e.trim() != "COMMENT ON SCHEMA public IS '';")
                .map(|e| column_order_free(e))
                .collect()
        };
        let (migrated, built) = (relaxed(&self.url), relaxed(&fresh.url));
        let only_migrated: Vec<&String> = migrated.difference(&built).collect();
        let only_built: Vec<&String> = built.difference(&migrated).collect();
        assert!(
            only_migrated.is_empty() && only_built.is_empty(),
            "pg_dump of the migrated database differs from a fresh build of the same schema\n\
             only in the migrated database:\n{}\nonly in the fresh build:\n{}",
            only_migrated.iter().map(|s| s.as_str()).collect::<String>(),
            only_built.iter().map(|s| s.as_str()).collect::<String>()
        );
    }

    /// `inspect` → HCL → `plan` shows no changes and needs no normalization.
    pub async fn assert_inspect_roundtrip(&self) -> String {
        let hcl = self.inspect_hcl().await;
        let p = self.write("inspected.hcl", &hcl);
        let mut s = self.settings(&[p]);
        // A dev server that does not exist: the inspected HCL must need none.
        s.dev = Some("postgres://nobody@127.0.0.1:1/none?connect_timeout=1".into());
        let prepared = match commands::prepare(&s).await {
            Ok(p) => p,
            Err(e) => panic!("plan of inspected HCL failed: {e:?}\n{hcl}"),
        };
        assert_eq!(
            prepared.normalized, 0,
            "inspected HCL needed normalization:\n{hcl}"
        );
        assert!(
            prepared.plan.is_empty(),
            "plan of inspected HCL is not empty:\n{}\n--- inspected:\n{hcl}",
            strata::render::human::plan(&prepared.plan, &Painter::new(false))
        );
        hcl
    }

    pub async fn inspect_hcl(&self) -> String {
        let c = DbUrl::parse(&self.url)
            .unwrap()
            .connect()
            .await
            .expect("connect");
        c.batch_execute("SET search_path = public").await.unwrap();
        let m = strata::postgres::inspect::inspect(&c, &Default::default())
            .await
            .expect("inspect");
        strata::hcl::writer::write(&m)
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        // The test's own runtime may be gone; use a fresh one on another thread.
        let _ = std::thread::spawn(move || {
            runtime().block_on(async move {
                let a = admin().await;
                let _ = a
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await;
            })
        })
        .join();
    }
}

pub struct Quiet;

impl Progress for Quiet {
    fn step_started(&mut self, _: usize, _: &Step) {}
    fn step_finished(&mut self, _: usize, _: &Step, _: Duration) {}
}

/// The strata binary with colors off, using the tests' private cluster.
pub fn strata() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("strata").expect("binary");
    c.env("NO_COLOR", "1").env_remove("STRATA_ENV");
    for (k, v) in test_cluster_env() {
        c.env(k, v);
    }
    c
}

/// Environment for a strata process of the tests: the private cluster (for a command without a
/// dev URL) is the tests' own, never the developer's `~/.cache/strata` one, and stops soon after
/// the tests. Shared by the test binaries (strata's locks make that safe).
pub fn test_cluster_env() -> [(&'static str, String); 2] {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join("strata-test-cluster");
    if std::fs::create_dir_all(&dir).is_ok() {
        // Reachable by the `postgres` user when the tests run as root.
        let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755));
    }
    [
        ("STRATA_CLUSTER_DIR", dir.display().to_string()),
        ("STRATA_CLUSTER_IDLE", "30s".to_string()),
    ]
}

/// A `CREATE TABLE` entry with its column and constraint lines sorted.
pub fn column_order_free(entry: &str) -> String {
    if !entry.starts_with("CREATE TABLE") {
        return entry.to_string();
    }
    let lines: Vec<&str> = entry.lines().collect();
    let Some(close) = lines.iter().rposition(|l| l.starts_with(')')) else {
        return entry.to_string();
    };
    let mut body: Vec<&str> = lines[1..close]
        .iter()
        .map(|l| l.trim_end_matches(','))
        .collect();
    body.sort_unstable();
    let mut out = vec![lines[0]];
    out.extend(body);
    out.extend(&lines[close..]);
    out.join("\n")
}

/// `line` with the items of each storage-parameter list (`WITH (b='1', a='2')`) sorted by name.
/// PostgreSQL keeps reloptions in the order they were given, `ALTER … SET` appends, and the
/// order means nothing: two databases with the same parameters compare equal.
pub fn sorted_options(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find("WITH (") {
        let start = at + "WITH (".len();
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        // The list ends at the first `)` outside quotes.
        let (mut quoted, mut end) = (false, None);
        for (i, c) in rest.char_indices() {
            match c {
                '\'' => quoted = !quoted,
                ')' if !quoted => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let Some(end) = end else { break };
        let mut items: Vec<&str> = Vec::new();
        let (mut quoted, mut from) = (false, 0);
        let list = &rest[..end];
        for (i, c) in list.char_indices() {
            match c {
                '\'' => quoted = !quoted,
                ',' if !quoted => {
                    items.push(list[from..i].trim());
                    from = i + 1;
                }
                _ => {}
            }
        }
        items.push(list[from..].trim());
        let options = items.iter().all(|i| {
            i.split_once('=').is_some_and(|(k, _)| {
                !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            })
        });
        if options {
            items.sort();
            out.push_str(&items.join(", "));
        } else {
            out.push_str(list);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// pg_dump's entries, without comments, SET lines and blank lines, as a set.
pub fn dump(url: &str) -> std::collections::BTreeSet<String> {
    let out = std::process::Command::new("pg_dump")
        .args(["--schema-only", "--no-owner", "--no-privileges", "-d", url])
        .output()
        .expect("pg_dump");
    assert!(
        out.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let mut entries = std::collections::BTreeSet::new();
    let mut cur = String::new();
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty()
            || t.starts_with("--")
            || t.starts_with("SET ")
            || t.starts_with("SELECT pg_catalog.set_config")
            // pg_dump's per-run random \restrict keys
            || t.starts_with("\\restrict")
            || t.starts_with("\\unrestrict")
        {
            continue;
        }
        cur.push_str(&sorted_options(line));
        cur.push('\n');
        if t.ends_with(';') {
            entries.insert(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        entries.insert(cur);
    }
    entries
}
