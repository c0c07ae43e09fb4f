//! Fault injection: strata's process is killed (SIGKILL), interrupted (SIGINT, SIGTERM) or its
//! backend terminated (`pg_terminate_backend`) while a statement runs. Afterwards the database
//! is exactly what the report says, no backend of strata's lingers, and the next run finishes
//! the work (migrations) or shows exactly what is left (plan).

mod common;
use common::{TestDb, base_url};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One way to stop a running strata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Signal(i32),
    TerminateBackend,
}

const FAULTS: [Fault; 4] = [
    Fault::Signal(libc::SIGKILL),
    Fault::Signal(libc::SIGINT),
    Fault::Signal(libc::SIGTERM),
    Fault::TerminateBackend,
];

fn strata(args: &[&str], dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_strata"));
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("STRATA_ENV")
        .envs(common::test_cluster_env())
        .args(args);
    c
}

fn run(args: &[&str], dir: &Path) -> (i32, String) {
    let out = strata(args, dir).output().expect("run strata");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// Polls `sql` (first column of the first row) until it reads `want`.
async fn wait_for(db: &TestDb, sql: &str, want: &str, within: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < within {
        if db.query(sql).await.first().map(String::as_str) == Some(want) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// Backends of strata's connected to the test database.
fn ours(db: &TestDb) -> String {
    format!(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = '{}' AND application_name = 'strata' AND pid <> pg_backend_pid()",
        db.name
    )
}

/// Injects `fault` into `child`, whose statement runs on a backend whose query starts with
/// `query_prefix`.
async fn inject(db: &TestDb, child: &mut Child, fault: Fault, query_prefix: &str) {
    match fault {
        Fault::Signal(sig) => {
            // SAFETY: sending a signal to our own child process.
            let r = unsafe { libc::kill(child.id() as libc::pid_t, sig) };
            assert_eq!(r, 0, "kill failed");
        }
        Fault::TerminateBackend => {
            let killed = db
                .query(&format!(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{}' AND query LIKE '{query_prefix}%'",
                    db.name
                ))
                .await;
            assert_eq!(killed, vec!["1"], "no backend to terminate");
        }
    }
}

/// A second session, not named strata, to hold a lock.
async fn blocker(db: &TestDb) -> tokio_postgres::Client {
    strata::postgres::connect::DbUrl::parse(&format!("{}?application_name=blocker", db.url))
        .unwrap()
        .connect()
        .await
        .unwrap()
}

fn wait_exit(child: &mut Child, within: Duration) -> (Option<i32>, String) {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut out = String::new();
            use std::io::Read;
            if let Some(mut s) = child.stdout.take() {
                let _ = s.read_to_string(&mut out);
            }
            if let Some(mut s) = child.stderr.take() {
                let _ = s.read_to_string(&mut out);
            }
            return (status.code(), out);
        }
        if start.elapsed() > within {
            let _ = child.kill();
            panic!("strata did not exit within {within:?} after the fault");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A `txmode none` file of three `CREATE INDEX CONCURRENTLY`, stopped during the second while
/// it waits for a writer: the revision reads as interrupted or failed at statement 2 of 3 (never
/// complete), status says so, and the next apply drops the invalid index the stopped statement
/// left and builds the second and third indexes.
#[tokio::test]
async fn interrupted_txmode_none_migration_is_resumed_not_reported_complete() {
    for fault in FAULTS {
        let db = TestDb::new("fault_mig").await;
        let dir = db.path().join("migrations");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("1_tables.sql"),
            "CREATE TABLE t1 (a int);\nCREATE TABLE t2 (a int);\nCREATE TABLE t3 (a int);\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("2_indexes.sql"),
            "-- strata:txmode none\n\nCREATE INDEX CONCURRENTLY i1 ON t1 (a);\nCREATE INDEX CONCURRENTLY i2 ON t2 (a);\nCREATE INDEX CONCURRENTLY i3 ON t3 (a);\n",
        )
        .unwrap();
        let dir_s = dir.to_str().unwrap();
        let url = db.url.clone();
        let migrate = |rest: &[&str]| -> Vec<String> {
            let mut v: Vec<String> = [
                "--url",
                &url,
                "--dev-url",
                &base_url(),
                "migrate",
                "--dir",
                dir_s,
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            v.extend(rest.iter().map(|s| s.to_string()));
            v
        };
        let args = migrate(&["hash"]);
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_eq!(run(&a, db.path()).0, 0);
        let args = migrate(&["apply", "1"]);
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out) = run(&a, db.path());
        assert_eq!(code, 0, "{out}");

        // A writer on t2 keeps CREATE INDEX CONCURRENTLY i2 waiting after its catalog entry
        // (INVALID) is committed.
        let blocker = blocker(&db).await;
        blocker
            .batch_execute("BEGIN; INSERT INTO t2 VALUES (1)")
            .await
            .unwrap();
        let args = migrate(&["apply"]);
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut child = strata(&a, db.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let waiting = format!(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = '{}' AND query LIKE 'CREATE INDEX CONCURRENTLY i2%' AND wait_event_type = 'Lock'",
            db.name
        );
        assert!(
            wait_for(&db, &waiting, "1", Duration::from_secs(20)).await,
            "{fault:?}: the second index never started"
        );
        inject(&db, &mut child, fault, "CREATE INDEX CONCURRENTLY i2").await;
        let (code, out) = wait_exit(&mut child, Duration::from_secs(20));
        match fault {
            Fault::Signal(libc::SIGKILL) => assert_eq!(code, None, "{out}"),
            Fault::Signal(_) => {
                assert_eq!(code, Some(130), "{fault:?}: {out}");
                assert!(out.contains("Interrupted (SIG"), "{fault:?}: {out}");
            }
            Fault::TerminateBackend => assert_eq!(code, Some(1), "{out}"),
        }
        // No backend of ours lingers, even while the writer still holds its lock.
        assert!(
            wait_for(&db, &ours(&db), "0", Duration::from_secs(5)).await,
            "{fault:?}: a strata backend is still running after the fault"
        );
        blocker.batch_execute("ROLLBACK").await.unwrap();

        let row = db
            .query("SELECT applied || '/' || total FROM strata.strata_schema_revisions WHERE version = '2'")
            .await;
        assert_eq!(row, vec!["1/3"], "{fault:?}");
        let args = migrate(&["status"]);
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out) = run(&a, db.path());
        assert_eq!(code, 4, "{fault:?}: status must not be OK:\n{out}");
        assert!(out.contains("statement 2 of 3"), "{fault:?}: {out}");
        assert!(out.contains("2_indexes.sql"), "{fault:?}: {out}");

        let args = migrate(&["apply"]);
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out) = run(&a, db.path());
        assert_eq!(code, 0, "{fault:?}: {out}");
        assert!(
            out.contains("dropped the invalid index \"i2\""),
            "{fault:?}: {out}"
        );
        assert_eq!(
            db.query("SELECT string_agg(c.relname || ':' || i.indisvalid, ',' ORDER BY c.relname) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'i_'")
                .await,
            vec!["i1:true,i2:true,i3:true"],
            "{fault:?}"
        );
        let (code, out) = run(&a, db.path());
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("up to date"), "{out}");
        let args = migrate(&["status"]);
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_eq!(run(&a, db.path()).0, 0, "{fault:?}");
    }
}

/// A row with `applied < total` and no error (an older strata, or a kill between the
/// statement and its error record) is pending, and a statement that completed without being
/// counted is not run twice.
#[tokio::test]
async fn uncounted_completed_statement_is_not_run_twice() {
    let db = TestDb::new("fault_uncounted").await;
    let dir = db.path().join("migrations");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("1_a.sql"),
        "-- strata:txmode none\n\nCREATE TABLE t (a int);\nCREATE INDEX CONCURRENTLY ta ON t (a);\nCREATE INDEX CONCURRENTLY tb ON t (a);\n",
    )
    .unwrap();
    let dir_s = dir.to_str().unwrap();
    let base = ["--url", &db.url, "migrate", "--dir", dir_s];
    let with = |rest: &[&'static str]| -> Vec<String> {
        base.iter().chain(rest).map(|s| s.to_string()).collect()
    };
    let a = with(&["hash"]);
    assert_eq!(
        run(&a.iter().map(String::as_str).collect::<Vec<_>>(), db.path()).0,
        0
    );
    let a = with(&["apply"]);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    assert_eq!(run(&a, db.path()).0, 0);
    // As if the process died after `ta` was built but before its progress was recorded.
    db.exec("UPDATE strata.strata_schema_revisions SET applied = 1; DROP INDEX tb")
        .await;
    let s = with(&["status"]);
    let s: Vec<&str> = s.iter().map(String::as_str).collect();
    let (code, out) = run(&s, db.path());
    assert_eq!(code, 4, "{out}");
    assert!(out.contains("interrupted at statement 2 of 3"), "{out}");
    let (code, out) = run(&a, db.path());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("statement 2 already completed"), "{out}");
    assert!(out.contains("CREATE INDEX CONCURRENTLY tb"), "{out}");
    assert_eq!(
        db.query("SELECT applied || '/' || total || ' ' || coalesce(error, 'ok') FROM strata.strata_schema_revisions")
            .await,
        vec!["3/3 ok"]
    );
    assert_eq!(run(&s, db.path()).0, 0);
}

/// `strata apply` interrupted (SIGINT, SIGTERM) or terminated while its statement waits for a
/// lock: the statement is cancelled on the server, the transaction rolls back, nothing of the
/// plan is applied, no backend of strata's remains, and the next plan shows the same changes.
#[tokio::test]
async fn interrupted_apply_cancels_its_statement_and_changes_nothing() {
    let faults = [
        Fault::Signal(libc::SIGINT),
        Fault::Signal(libc::SIGTERM),
        Fault::Signal(libc::SIGKILL),
        Fault::TerminateBackend,
    ];
    for fault in faults {
        let db = TestDb::new("fault_apply").await;
        db.exec("CREATE TABLE t (id int); CREATE TABLE u (id int)")
            .await;
        let src = db.write(
            "schema.hcl",
            r#"schema "public" {}
table "u" {
  schema = schema.public
  column "id" {
    type = int
    null = true
  }
  column "note" {
    type = text
    null = true
  }
}
table "t" {
  schema = schema.public
  column "id" {
    type = int
    null = true
  }
  column "name" {
    type = text
    null = true
  }
}
"#,
        );
        let src = src.to_str().unwrap();
        let dev = base_url();
        let plan = [
            "--url",
            &db.url,
            "--dev-url",
            &dev,
            "--src",
            src,
            "plan",
            "-detailed-exitcode",
        ];
        assert_eq!(run(&plan, db.path()).0, 2);
        let blocker = blocker(&db).await;
        blocker
            .batch_execute("BEGIN; LOCK TABLE t IN ACCESS SHARE MODE")
            .await
            .unwrap();
        let apply = [
            "--url",
            &db.url,
            "--dev-url",
            &dev,
            "--src",
            src,
            "apply",
            "--auto-approve",
            "--lock-timeout",
            "60s",
        ];
        let mut child = strata(&apply, db.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let waiting = format!(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = '{}' AND query LIKE 'ALTER TABLE \"public\".\"t\"%' AND wait_event_type = 'Lock'",
            db.name
        );
        assert!(
            wait_for(&db, &waiting, "1", Duration::from_secs(30)).await,
            "{fault:?}: the apply never reached the ALTER TABLE"
        );
        inject(&db, &mut child, fault, "ALTER TABLE").await;
        let (code, out) = wait_exit(&mut child, Duration::from_secs(20));
        match fault {
            Fault::Signal(libc::SIGKILL) => assert_eq!(code, None),
            Fault::Signal(_) => {
                assert_eq!(code, Some(130), "{fault:?}: {out}");
                assert!(out.contains("Interrupted (SIG"), "{out}");
                assert!(out.contains("rolled back"), "{out}");
            }
            Fault::TerminateBackend => assert_eq!(code, Some(1), "{out}"),
        }
        // Nothing of ours lingers while the blocker still holds its lock: the cancelled or
        // orphaned ALTER does not wait on.
        assert!(
            wait_for(&db, &ours(&db), "0", Duration::from_secs(5)).await,
            "{fault:?}: a strata backend is still running after the fault"
        );
        blocker.batch_execute("COMMIT").await.unwrap();
        assert_eq!(
            db.query("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' AND column_name IN ('note', 'name')")
                .await,
            vec!["0"],
            "{fault:?}: part of the plan was applied"
        );
        let (code, out) = run(&plan, db.path());
        assert_eq!(code, 2, "{fault:?}: {out}");
        assert!(out.contains("note") && out.contains("name"), "{out}");
        let apply_now = [
            "--url",
            &db.url,
            "--dev-url",
            &dev,
            "--src",
            src,
            "apply",
            "--auto-approve",
        ];
        let (code, out) = run(&apply_now, db.path());
        assert_eq!(
            code, 0,
            "{fault:?}: the next apply must get the lock: {out}"
        );
        assert_eq!(run(&plan, db.path()).0, 0);
    }
}

/// Scratch databases left by a killed strata (its process is gone, nobody is connected) are
/// dropped by the next run that creates one; those of live processes stay.
#[tokio::test]
async fn stale_scratch_databases_are_swept() {
    let db = TestDb::new("fault_sweep").await;
    let dead = "strata_scratch_999999999_0_dead";
    let live = format!("strata_scratch_{}_0_live", std::process::id());
    db.exec(&format!("DROP DATABASE IF EXISTS {dead}")).await;
    db.exec(&format!("CREATE DATABASE {dead}")).await;
    db.exec(&format!("CREATE DATABASE {live}")).await;
    let sql = db.write("schema.sql", "CREATE TABLE t (id int);\n");
    let (code, out) = run(
        &[
            "--url",
            &db.url,
            "--dev-url",
            &base_url(),
            "--src",
            sql.to_str().unwrap(),
            "plan",
        ],
        db.path(),
    );
    assert_eq!(code, 0, "{out}");
    let left = db
        .query("SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database WHERE datname LIKE 'strata_scratch_%'")
        .await;
    db.exec(&format!("DROP DATABASE {live}")).await;
    assert_eq!(left, vec![live.clone()]);
}

/// Every fault at every step: the number of faults injected by the matrix tests below.
const MATRIX_STEPS: usize = 10;
const MIGRATION_STEPS: usize = 5;

fn table_name(k: usize) -> String {
    format!("t{k:02}")
}

/// Plans `src` against `db` as JSON and returns the addresses of the plan's steps.
fn planned_steps(db: &TestDb, src: &Path) -> Vec<String> {
    let out = strata(
        &[
            "--url",
            &db.url,
            "--dev-url",
            &base_url(),
            "--src",
            src.to_str().unwrap(),
            "plan",
            "--format",
            "json",
        ],
        db.path(),
    )
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["description"].as_str().unwrap_or("").to_string())
        .collect()
}

fn tables_hcl(n: usize, extra: impl Fn(usize) -> String) -> String {
    let mut s = String::from("schema \"public\" {}\n");
    for k in 0..n {
        s.push_str(&format!(
            "table \"{}\" {{\n  schema = schema.public\n  column \"id\" {{\n    type = int\n    null = true\n  }}\n{}}}\n",
            table_name(k),
            extra(k)
        ));
    }
    s
}

/// `apply` of ten one-table steps in one transaction, stopped by each fault while step k
/// waits for a lock, for every k: nothing of the plan is applied, no backend of ours is left,
/// and the next plan shows the same ten changes.
#[tokio::test]
async fn fault_matrix_transactional_apply() {
    let db = TestDb::new("fault_matrix_tx").await;
    let create: String = (0..MATRIX_STEPS)
        .map(|k| format!("CREATE TABLE {} (id int);", table_name(k)))
        .collect();
    db.exec(&create).await;
    let src = db.write(
        "schema.hcl",
        &tables_hcl(MATRIX_STEPS, |_| {
            "  column \"note\" {\n    type = text\n    null = true\n  }\n".into()
        }),
    );
    let before = planned_steps(&db, &src);
    assert_eq!(before.len(), MATRIX_STEPS, "{before:?}");
    let mut injected = 0;
    for k in 0..MATRIX_STEPS {
        for fault in FAULTS {
            let blocker = blocker(&db).await;
            blocker
                .batch_execute(&format!(
                    "BEGIN; LOCK TABLE {} IN ACCESS SHARE MODE",
                    table_name(k)
                ))
                .await
                .unwrap();
            let apply = [
                "--url",
                &db.url,
                "--dev-url",
                &base_url(),
                "--src",
                src.to_str().unwrap(),
                "apply",
                "--auto-approve",
                "--lock-timeout",
                "60s",
            ];
            let mut child = strata(&apply, db.path())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let statement = format!("ALTER TABLE \"public\".\"{}\"", table_name(k));
            let waiting = format!(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = '{}' AND query LIKE '{statement}%' AND wait_event_type = 'Lock'",
                db.name
            );
            assert!(
                wait_for(&db, &waiting, "1", Duration::from_secs(30)).await,
                "step {k} {fault:?}: never reached"
            );
            inject(&db, &mut child, fault, &statement).await;
            let (code, out) = wait_exit(&mut child, Duration::from_secs(20));
            assert_ne!(code, Some(0), "step {k} {fault:?}: {out}");
            injected += 1;
            assert!(
                wait_for(&db, &ours(&db), "0", Duration::from_secs(5)).await,
                "step {k} {fault:?}: a strata backend is left"
            );
            blocker.batch_execute("ROLLBACK").await.unwrap();
            assert_eq!(
                db.query("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'note'")
                    .await,
                vec!["0"],
                "step {k} {fault:?}: partly applied"
            );
        }
        // What is left is exactly the plan from before.
        assert_eq!(planned_steps(&db, &src), before, "after faults at step {k}");
    }
    eprintln!("fault_matrix_transactional_apply: {injected} faults injected, 0 partial states");
    assert_eq!(injected, MATRIX_STEPS * FAULTS.len());
}

/// A `txmode none` file of five concurrent index builds, stopped by each fault during each
/// build: the revision says exactly how far it got, and the next apply finishes the file.
#[tokio::test]
async fn fault_matrix_txmode_none_migration() {
    let mut injected = 0;
    for k in 0..MIGRATION_STEPS {
        for fault in FAULTS {
            let db = TestDb::new("fault_matrix_mig").await;
            let dir = db.path().join("migrations");
            std::fs::create_dir_all(&dir).unwrap();
            let tables: String = (0..MIGRATION_STEPS)
                .map(|i| format!("CREATE TABLE {} (a int);\n", table_name(i)))
                .collect();
            std::fs::write(dir.join("1_tables.sql"), tables).unwrap();
            let indexes: String = (0..MIGRATION_STEPS)
                .map(|i| format!("CREATE INDEX CONCURRENTLY i{i} ON {} (a);\n", table_name(i)))
                .collect();
            std::fs::write(
                dir.join("2_indexes.sql"),
                format!("-- strata:txmode none\n\n{indexes}"),
            )
            .unwrap();
            let d = dir.to_str().unwrap();
            let base = ["--url", db.url.as_str(), "migrate", "--dir", d];
            let with = |rest: &[&str]| -> Vec<String> {
                base.iter().chain(rest).map(|s| s.to_string()).collect()
            };
            let run_args = |rest: &[&str]| {
                let a = with(rest);
                let a: Vec<&str> = a.iter().map(String::as_str).collect();
                run(&a, db.path())
            };
            assert_eq!(run_args(&["hash"]).0, 0);
            assert_eq!(run_args(&["apply", "1"]).0, 0);
            let blocker = blocker(&db).await;
            blocker
                .batch_execute(&format!("BEGIN; INSERT INTO {} VALUES (1)", table_name(k)))
                .await
                .unwrap();
            let a = with(&["apply"]);
            let a: Vec<&str> = a.iter().map(String::as_str).collect();
            let mut child = strata(&a, db.path())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let statement = format!("CREATE INDEX CONCURRENTLY i{k} ");
            let waiting = format!(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = '{}' AND query LIKE '{statement}%' AND wait_event_type = 'Lock'",
                db.name
            );
            assert!(
                wait_for(&db, &waiting, "1", Duration::from_secs(30)).await,
                "statement {k} {fault:?}: never reached"
            );
            inject(&db, &mut child, fault, &statement).await;
            let (code, out) = wait_exit(&mut child, Duration::from_secs(20));
            assert_ne!(code, Some(0), "statement {k} {fault:?}: {out}");
            injected += 1;
            assert!(
                wait_for(&db, &ours(&db), "0", Duration::from_secs(5)).await,
                "statement {k} {fault:?}: a strata backend is left"
            );
            blocker.batch_execute("ROLLBACK").await.unwrap();
            assert_eq!(
                db.query("SELECT applied || '/' || total FROM strata.strata_schema_revisions WHERE version = '2'")
                    .await,
                vec![format!("{k}/{MIGRATION_STEPS}")],
                "statement {k} {fault:?}"
            );
            let (code, out) = run_args(&["status"]);
            assert_eq!(code, 4, "statement {k} {fault:?}: {out}");
            let (code, out) = run_args(&["apply"]);
            assert_eq!(code, 0, "statement {k} {fault:?}: {out}");
            assert_eq!(
                db.query("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname ~ '^i[0-9]$' AND i.indisvalid")
                    .await,
                vec![MIGRATION_STEPS.to_string()],
                "statement {k} {fault:?}"
            );
            assert_eq!(run_args(&["status"]).0, 0);
        }
    }
    eprintln!("fault_matrix_txmode_none_migration: {injected} faults injected, 0 partial states");
    assert_eq!(injected, MIGRATION_STEPS * FAULTS.len());
}

/// An online apply (one concurrent index build per table, phase 2) stopped by each fault
/// during build k: the builds before k stay, and the next plan holds exactly the indexes from
/// k on (an INVALID one left by the stopped build is rebuilt); applying it converges.
#[tokio::test]
async fn fault_matrix_online_apply() {
    let db = TestDb::new("fault_matrix_online").await;
    let create: String = (0..MATRIX_STEPS)
        .map(|k| {
            format!(
                "CREATE TABLE {} (id int); INSERT INTO {} VALUES (1);",
                table_name(k),
                table_name(k)
            )
        })
        .collect();
    db.exec(&create).await;
    let src = db.write(
        "schema.hcl",
        &tables_hcl(MATRIX_STEPS, |k| {
            format!(
                "  index \"{}_id\" {{\n    columns = [column.id]\n  }}\n",
                table_name(k)
            )
        }),
    );
    let s = src.to_str().unwrap();
    let mut injected = 0;
    for k in 0..MATRIX_STEPS {
        for fault in FAULTS {
            // Start from indexes 0..k built and valid, the rest absent.
            let invalid = db
                .query("SELECT string_agg(format('DROP INDEX %I;', c.relname), ' ') FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 't%_id' AND NOT i.indisvalid")
                .await;
            if let Some(drop) = invalid.first().filter(|d| *d != "NULL") {
                db.exec(drop).await;
            }
            let reset: String = (0..MATRIX_STEPS)
                .map(|i| {
                    if i < k {
                        format!(
                            "CREATE INDEX IF NOT EXISTS {0}_id ON {0} (id);",
                            table_name(i)
                        )
                    } else {
                        format!("DROP INDEX IF EXISTS {}_id;", table_name(i))
                    }
                })
                .collect();
            db.exec(&reset).await;
            let blocker = blocker(&db).await;
            blocker
                .batch_execute(&format!("BEGIN; INSERT INTO {} VALUES (2)", table_name(k)))
                .await
                .unwrap();
            let apply = [
                "--url",
                &db.url,
                "--dev-url",
                &base_url(),
                "--src",
                s,
                "apply",
                "--online",
                "--auto-approve",
            ];
            let mut child = strata(&apply, db.path())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let statement = format!("CREATE INDEX CONCURRENTLY \"{}_id\"", table_name(k));
            let waiting = format!(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = '{}' AND query LIKE '{statement}%' AND wait_event_type = 'Lock'",
                db.name
            );
            assert!(
                wait_for(&db, &waiting, "1", Duration::from_secs(30)).await,
                "build {k} {fault:?}: never reached"
            );
            inject(&db, &mut child, fault, &statement).await;
            let (code, out) = wait_exit(&mut child, Duration::from_secs(20));
            assert_ne!(code, Some(0), "build {k} {fault:?}: {out}");
            injected += 1;
            assert!(
                wait_for(&db, &ours(&db), "0", Duration::from_secs(5)).await,
                "build {k} {fault:?}: a strata backend is left"
            );
            blocker.batch_execute("ROLLBACK").await.unwrap();
            let valid = db
                .query("SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 't%_id' AND i.indisvalid")
                .await;
            let expected: Vec<String> = (0..k).map(|i| format!("{}_id", table_name(i))).collect();
            assert_eq!(
                valid,
                vec![if k == 0 {
                    "NULL".to_string()
                } else {
                    expected.join(",")
                }],
                "build {k} {fault:?}: builds before {k} must stay, the others not be valid"
            );
            // The next plan: exactly the indexes from k on.
            let steps = planned_steps(&db, &src);
            for i in 0..MATRIX_STEPS {
                let named = steps
                    .iter()
                    .any(|d| d.contains(&format!("\"{}_id\"", table_name(i))));
                assert_eq!(named, i >= k, "build {k} {fault:?}: index {i} in {steps:?}");
            }
        }
    }
    // And applying what is left converges.
    let apply = [
        "--url",
        &db.url,
        "--dev-url",
        &base_url(),
        "--src",
        s,
        "apply",
        "--online",
        "--auto-approve",
    ];
    let (code, out) = run(&apply, db.path());
    assert_eq!(code, 0, "{out}");
    assert!(planned_steps(&db, &src).is_empty());
    eprintln!("fault_matrix_online_apply: {injected} faults injected, 0 partial states");
    assert_eq!(injected, MATRIX_STEPS * FAULTS.len());
}

/// Runs a shell command line under `script`, which gives it a terminal; the receiver gets
/// what the terminal shows.
fn under_script(line: &str) -> (std::process::Child, std::sync::mpsc::Receiver<String>) {
    let mut child = Command::new("script")
        .args(["-qec", line, "/dev/null"])
        // The same shell everywhere (CI may have no `$SHELL`, and `script` then uses /bin/sh).
        .env("SHELL", "/bin/sh")
        .env("NO_COLOR", "1")
        .envs(common::test_cluster_env())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script");
    let mut stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        use std::io::Read;
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0
                || tx
                    .send(String::from_utf8_lossy(&buf[..n]).into_owned())
                    .is_err()
            {
                break;
            }
        }
    });
    (child, rx)
}

/// Waits (up to a minute) for the approval prompt, then types `answer`; returns what the
/// terminal showed so far.
/// Waits (up to 10 s) until the program `script` runs has put its terminal in raw mode to read
/// the answer: before that, a Ctrl-C byte would become a SIGINT from the line discipline
/// instead of input, and the prompt would wait on.
fn wait_for_raw_mode(script_pid: u32) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let children =
            std::fs::read_to_string(format!("/proc/{script_pid}/task/{script_pid}/children"))
                .unwrap_or_default();
        for pid in children.split_whitespace() {
            let Ok(tty) = std::fs::read_link(format!("/proc/{pid}/fd/0")) else {
                continue;
            };
            let Ok(out) = Command::new("stty").arg("-F").arg(&tty).arg("-a").output() else {
                continue;
            };
            if String::from_utf8_lossy(&out.stdout)
                .split_whitespace()
                .any(|w| w == "-icanon")
            {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The process id of the strata binary among the descendants of `script`: which process
/// `script` starts depends on `$SHELL` (bash execs the command; dash forks it and waits, and a
/// signal sent to dash would not reach strata).
fn strata_pid(script_pid: u32) -> Option<u32> {
    let strata = std::fs::canonicalize(env!("CARGO_BIN_EXE_strata")).ok()?;
    let mut stack = vec![script_pid];
    while let Some(pid) = stack.pop() {
        let children =
            std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
        for child in children.split_whitespace().filter_map(|c| c.parse().ok()) {
            if std::fs::read_link(format!("/proc/{child}/exe")).is_ok_and(|exe| exe == strata) {
                return Some(child);
            }
            stack.push(child);
        }
    }
    None
}

/// `child.wait()`, but a child still running after `within` is killed and the test fails
/// instead of hanging the suite.
fn wait_bounded(
    child: &mut std::process::Child,
    within: Duration,
    seen: &str,
) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if start.elapsed() > within {
            let _ = child.kill();
            panic!("the program did not exit within {within:?}:\n{seen}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn answer_the_prompt(
    child: &mut std::process::Child,
    rx: &std::sync::mpsc::Receiver<String>,
    answer: &[u8],
) -> String {
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !seen.contains("Enter a value") && Instant::now() < deadline {
        if let Ok(chunk) = rx.recv_timeout(Duration::from_millis(200)) {
            seen.push_str(&chunk);
        }
    }
    assert!(seen.contains("Enter a value"), "no prompt:\n{seen}");
    wait_for_raw_mode(child.id());
    use std::io::Write;
    let stdin = child.stdin.as_mut().expect("stdin");
    stdin.write_all(answer).expect("write the answer");
    stdin.flush().expect("flush");
    seen
}

/// `apply | tee log` on a terminal: the question is asked (stdin is the terminal) and goes to
/// standard output after the plan, so the log holds the plan, then the question, then the
/// progress.
#[tokio::test]
async fn apply_through_tee_logs_the_plan_then_the_question() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no `script` (util-linux) to give strata a terminal");
        return;
    }
    let db = TestDb::new("fault_tee").await;
    let src = db.write("schema.hcl", &tables_hcl(1, |_| String::new()));
    let log = db.path().join("apply.log");
    let line = format!(
        "{} --url '{}' --dev-url '{}' --src '{}' apply | tee '{}'",
        env!("CARGO_BIN_EXE_strata"),
        db.url,
        base_url(),
        src.display(),
        log.display()
    );
    let (mut child, rx) = under_script(&line);
    let mut seen = answer_the_prompt(&mut child, &rx, b"yes\r");
    while let Ok(chunk) = rx.recv_timeout(Duration::from_secs(20)) {
        seen.push_str(&chunk);
    }
    let status = wait_bounded(&mut child, Duration::from_secs(60), &seen);
    assert_eq!(status.code(), Some(0), "{seen}");
    let logged = std::fs::read_to_string(&log).expect("log");
    let at = |s: &str| {
        logged
            .find(s)
            .unwrap_or_else(|| panic!("no {s:?} in {logged}"))
    };
    assert!(at("Plan: 1 to add") < at("Do you want to perform these actions"));
    assert!(at("Do you want to perform these actions") < at("Apply complete!"));
    assert_eq!(
        db.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            .await,
        vec!["1"]
    );
}

/// Ctrl-C at the approval prompt: the terminal is in raw mode, so it arrives as input. The
/// apply is cancelled, nothing is changed. Runs under `script`, which gives strata a terminal.
#[tokio::test]
async fn ctrl_c_at_the_prompt_cancels_the_apply() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no `script` (util-linux) to give strata a terminal");
        return;
    }
    let db = TestDb::new("fault_prompt").await;
    let src = db.write("schema.hcl", &tables_hcl(1, |_| String::new()));
    let line = format!(
        "{} --url '{}' --dev-url '{}' --src '{}' apply",
        env!("CARGO_BIN_EXE_strata"),
        db.url,
        base_url(),
        src.display()
    );
    let (mut child, rx) = under_script(&line);
    let mut seen = answer_the_prompt(&mut child, &rx, b"\x03");
    while let Ok(chunk) = rx.recv_timeout(Duration::from_secs(20)) {
        seen.push_str(&chunk);
    }
    let status = wait_bounded(&mut child, Duration::from_secs(60), &seen);
    assert!(seen.contains("Apply cancelled."), "{seen}");
    assert!(!seen.contains("IO error"), "{seen}");
    // The key is input while the prompt reads in raw mode ("no": exit 1); between two reads
    // the terminal turns it into a SIGINT, which also answers "no" (exit 130).
    assert!(
        matches!(status.code(), Some(1) | Some(130)),
        "{status:?}: {seen}"
    );
    assert_eq!(
        db.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            .await,
        vec!["0"]
    );
}

/// A signal (not a Ctrl-C key: `kill -INT`, or SIGTERM from a supervisor) while the approval
/// prompt waits for input, in raw mode: strata does not wait for a key; it answers "no", exits
/// 130 at once and changes nothing.
#[tokio::test]
async fn a_signal_at_the_prompt_cancels_the_apply_at_once() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no `script` (util-linux) to give strata a terminal");
        return;
    }
    let db = TestDb::new("fault_prompt_signal").await;
    let src = db.write("schema.hcl", &tables_hcl(1, |_| String::new()));
    for signal in ["-INT", "-TERM"] {
        let line = format!(
            "{} --url '{}' --dev-url '{}' --src '{}' apply",
            env!("CARGO_BIN_EXE_strata"),
            db.url,
            base_url(),
            src.display()
        );
        let (mut child, rx) = under_script(&line);
        let mut seen = String::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while !seen.contains("Enter a value") && Instant::now() < deadline {
            if let Ok(chunk) = rx.recv_timeout(Duration::from_millis(200)) {
                seen.push_str(&chunk);
            }
        }
        assert!(seen.contains("Enter a value"), "no prompt:\n{seen}");
        wait_for_raw_mode(child.id());
        let strata = strata_pid(child.id()).expect("strata's pid").to_string();
        let sent = Instant::now();
        assert!(
            Command::new("kill")
                .args([signal, &strata])
                .status()
                .unwrap()
                .success()
        );
        let status = wait_bounded(&mut child, Duration::from_secs(20), &seen);
        while let Ok(chunk) = rx.recv_timeout(Duration::from_millis(500)) {
            seen.push_str(&chunk);
        }
        assert!(
            sent.elapsed() < Duration::from_secs(10),
            "{signal}: strata waited {:?} for the prompt:\n{seen}",
            sent.elapsed()
        );
        assert!(seen.contains("Apply cancelled."), "{signal}: {seen}");
        assert_eq!(status.code(), Some(130), "{signal}: {seen}");
        assert_eq!(
            db.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
                .await,
            vec!["0"],
            "{signal}"
        );
    }
}

/// A fleet apply interrupted (SIGINT) while its first target's statement waits for a lock: the
/// statement is cancelled and rolled back, no further target starts, the final table and the
/// report say exactly that (one failed, the others skipped), no backend of strata's remains,
/// and the next fleet plan shows every target's change still to do.
#[tokio::test]
async fn interrupted_fleet_apply_starts_nothing_new_and_reports_what_is_done() {
    let mut dbs = Vec::new();
    for _ in 0..4 {
        let db = TestDb::new("fault_fleet").await;
        db.exec("CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL)")
            .await;
        dbs.push(db);
    }
    let dir = tempfile::tempdir().unwrap();
    let urls: Vec<String> = dbs.iter().map(|d| format!("\"{}\"", d.url)).collect();
    std::fs::write(
        dir.path().join("env.hcl"),
        format!(
            "env \"fleet\" {{\n  for_each = [{}]\n  url = each.value\n  dev = \"{}\"\n  src = [\"schema.hcl\"]\n}}\n",
            urls.join(", "),
            base_url()
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("schema.hcl"),
        r#"schema "public" {}
table "users" {
  schema = schema.public
  column "id" {
    type = bigint
  }
  column "email" {
    type = text
  }
  primary_key {
    columns = [column.id]
  }
  index "users_email_key" {
    unique  = true
    columns = [column.email]
  }
}
"#,
    )
    .unwrap();
    let blocker = blocker(&dbs[0]).await;
    blocker
        .batch_execute("BEGIN; LOCK TABLE users IN ROW EXCLUSIVE MODE")
        .await
        .unwrap();
    let report = dir.path().join("report.json");
    let apply = [
        "--env",
        "fleet",
        "apply",
        "-auto-approve",
        "--parallelism",
        "1",
        "--lock-timeout",
        "60s",
        "--report",
        report.to_str().unwrap(),
    ];
    let mut child = strata(&apply, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let waiting = format!(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = '{}' AND query LIKE 'CREATE UNIQUE INDEX%' AND wait_event_type = 'Lock'",
        dbs[0].name
    );
    assert!(
        wait_for(&dbs[0], &waiting, "1", Duration::from_secs(60)).await,
        "the fleet apply never reached the first target's CREATE INDEX"
    );
    inject(&dbs[0], &mut child, Fault::Signal(libc::SIGINT), "CREATE").await;
    let (code, out) = wait_exit(&mut child, Duration::from_secs(30));
    assert_eq!(code, Some(130), "{out}");
    assert!(
        out.contains("Fleet apply: 0 succeeded, 1 failed, 0 refused, 3 skipped"),
        "{out}"
    );
    assert!(out.contains("not started: interrupted"), "{out}");
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let statuses: Vec<&str> = r["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["failed", "skipped", "skipped", "skipped"], "{r}");
    // While the blocker still holds its lock, nothing of ours waits on.
    for db in &dbs {
        assert_eq!(db.query(&ours(db)).await, vec!["0"], "{}", db.name);
    }
    blocker.batch_execute("ROLLBACK").await.unwrap();
    // Entirely before: every target still has its change.
    let (code, out) = run(
        &["--env", "fleet", "plan", "-detailed-exitcode"],
        dir.path(),
    );
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("4 targets: Plan: 0 to add, 1 to change, 0 to destroy."),
        "{out}"
    );
}
