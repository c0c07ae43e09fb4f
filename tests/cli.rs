//! The binary as users and pipelines run it: exit codes, approval, errors, locking.

mod common;
use common::{TestDb, strata};
use predicates::prelude::*;

const V1: &str = "schema \"public\" {}\ntable \"t\" {\n  schema = schema.public\n  column \"id\" { type = int }\n}\n";
const V2: &str = "schema \"public\" {}\ntable \"t\" {\n  schema = schema.public\n  column \"id\" { type = int }\n  column \"name\" {\n    type = text\n    null = true\n  }\n}\n";

fn args<'a>(db: &'a TestDb, src: &'a std::path::Path) -> Vec<String> {
    vec![
        "--url".into(),
        db.url.clone(),
        "--dev-url".into(),
        common::base_url(),
        "--src".into(),
        src.display().to_string(),
    ]
}

#[tokio::test]
async fn plan_detailed_exitcode() {
    let db = TestDb::new("cli_exit").await;
    let src = db.write("schema.hcl", V1);
    strata()
        .args(args(&db, &src))
        .args(["plan", "-detailed-exitcode"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "Plan: 1 to add, 0 to change, 0 to destroy.",
        ))
        .stdout(predicate::str::contains("# table.public.t will be created"));
    strata().args(args(&db, &src)).arg("plan").assert().code(0);
    strata()
        .args(args(&db, &src))
        .args(["apply", "-auto-approve"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Apply complete! Resources: 1 added, 0 changed, 0 destroyed.",
        ));
    strata()
        .args(args(&db, &src))
        .args(["plan", "--detailed-exitcode"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "No changes. Your database matches the configuration.",
        ));
    // An error is 1.
    strata()
        .args([
            "--url",
            "postgres://root@127.0.0.1:1/nothing?connect_timeout=2",
            "--src",
        ])
        .arg(&src)
        .args(["plan", "-detailed-exitcode"])
        .assert()
        .code(1);
}

#[tokio::test]
async fn apply_without_a_terminal_refuses() {
    let db = TestDb::new("cli_tty").await;
    let src = db.write("schema.hcl", V1);
    strata()
        .args(args(&db, &src))
        .arg("apply")
        .write_stdin("yes\n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "refusing to apply: no terminal to ask for approval",
        ))
        .stderr(predicate::str::contains("-auto-approve"))
        .stderr(predicate::str::contains("strata::refused").not());
    // A refusal, not a usage error: -v shows its family's code.
    strata()
        .args(args(&db, &src))
        .args(["-v", "apply"])
        .write_stdin("yes\n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("strata::refused"));
    assert_eq!(
        db.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            .await,
        vec!["0"]
    );
}

#[tokio::test]
async fn apply_without_a_terminal_and_nothing_to_do_says_no_changes() {
    let db = TestDb::new("cli_tty_none").await;
    let src = db.write("schema.hcl", "schema \"public\" {}\n");
    strata()
        .args(args(&db, &src))
        .arg("apply")
        .write_stdin("")
        .assert()
        .success()
        .stdout(predicate::str::contains("No changes."));
}

#[tokio::test]
async fn no_color_counts_only_when_not_empty() {
    let db = TestDb::new("cli_nocolor").await;
    let src = db.write("schema.hcl", V1);
    let run = |no_color: &str| {
        let out = strata()
            .args(args(&db, &src))
            .arg("plan")
            .env("CLICOLOR_FORCE", "1")
            .env("NO_COLOR", no_color)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).contains('\u{1b}')
    };
    assert!(run(""), "an empty NO_COLOR turned color off");
    assert!(!run("1"), "NO_COLOR=1 left color on");
}

#[tokio::test]
async fn the_sql_script_runs_under_psql_as_apply_would() {
    let db = TestDb::new("cli_psql").await;
    let src = db.write("schema.hcl", V2);
    let out = strata()
        .args(args(&db, &src))
        .args(["plan", "--format", "sql"])
        .output()
        .unwrap();
    let script = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        script.starts_with("BEGIN;\n") && script.ends_with("COMMIT;\n"),
        "{script}"
    );
    let run = std::process::Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", &db.url, "-c", &script])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(db.plan(V2).await.plan.is_empty());
}

#[tokio::test]
async fn formats_sql_and_json() {
    let db = TestDb::new("cli_fmt").await;
    let src = db.write("schema.hcl", V1);
    strata()
        .args(args(&db, &src))
        .args(["plan", "--format", "sql"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "CREATE TABLE \"public\".\"t\" (\n  \"id\" integer NOT NULL\n);",
        ));
    let out = strata()
        .args(args(&db, &src))
        .args(["plan", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["add"], 1);
    assert_eq!(v["steps"][0]["object"], "table.public.t");
}

#[tokio::test]
async fn failing_statement_is_named_and_rolled_back() {
    let db = TestDb::new("cli_fail").await;
    let src = db.write("schema.hcl", V2);
    strata()
        .args(args(&db, &src))
        .args(["apply", "-auto-approve"])
        .assert()
        .success();
    db.exec("INSERT INTO t VALUES (1, NULL)").await;
    let v3 = "schema \"public\" {}\ntable \"t\" {\n  schema = schema.public\n  column \"id\" { type = int }\n  column \"name\" { type = text }\n}\ntable \"u\" {\n  schema = schema.public\n  column \"id\" { type = int }\n}\n";
    std::fs::write(&src, v3).unwrap();
    strata()
        .args(args(&db, &src))
        .args(["apply", "-auto-approve"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "column \"name\" of relation \"t\" contains null values",
        ))
        .stderr(predicate::str::contains(
            "ALTER TABLE \"public\".\"t\" ALTER COLUMN \"name\" SET NOT NULL",
        ))
        .stderr(predicate::str::contains("rolled back"));
    assert_eq!(
        db.query("SELECT count(*) FROM pg_tables WHERE tablename = 'u'")
            .await,
        vec!["0"]
    );
}

#[tokio::test]
async fn a_held_lock_makes_apply_fail_clearly() {
    let db = TestDb::new("cli_lock").await;
    let src = db.write("schema.hcl", V1);
    // Another session holds strata's advisory lock.
    let holder = strata::postgres::connect::DbUrl::parse(&db.url)
        .unwrap()
        .connect()
        .await
        .unwrap();
    holder
        .batch_execute(&format!(
            "SELECT pg_advisory_lock({})",
            strata::apply::ADVISORY_LOCK_KEY
        ))
        .await
        .unwrap();
    strata()
        .args(args(&db, &src))
        .args(["apply", "-auto-approve", "--db-lock-wait", "1s"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "another strata apply holds the lock",
        ));
    assert_eq!(
        db.query("SELECT count(*) FROM pg_tables WHERE tablename = 't'")
            .await,
        vec!["0"]
    );
    drop(holder);
}

#[tokio::test]
async fn two_concurrent_applies() {
    let db = TestDb::new("cli_conc").await;
    let src = db.write("schema.hcl", V2);
    let spawn = || {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("strata"))
            .env("NO_COLOR", "1")
            .args(args(&db, &src))
            .args(["apply", "-auto-approve"])
            .output()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(spawn);
        let b = s.spawn(spawn);
        (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
    });
    let ok = [a.status.success(), b.status.success()];
    assert!(ok.iter().any(|x| *x), "at least one apply succeeds");
    for o in [&a, &b] {
        if !o.status.success() {
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(
                err.contains("changed since the plan was made") || err.contains("holds the lock"),
                "{err}"
            );
        }
    }
    assert!(db.plan(V2).await.plan.is_empty());
}

#[tokio::test]
async fn hcl_errors_point_at_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("bad.hcl");
    std::fs::write(
        &src,
        "schema \"public\" {}\ntable \"t\" {\n  schema = schema.public\n  column \"id\" {\n    type = int\n    null = \"maybe\"\n  }\n  column \"x\" {\n    type = integr\n  }\n  foreign_key \"f\" {\n    columns     = [column.id]\n    ref_columns = [table.nope.column.id]\n  }\n}\n",
    )
    .unwrap();
    let out = strata()
        .current_dir(dir.path())
        .args(["validate", "--src", "bad.hcl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    insta::assert_snapshot!("hcl_errors", err);
}

#[tokio::test]
async fn syntax_error_points_at_position() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("s.hcl"),
        "table \"t\" {\n  column \"a\" {\n    type = varchar(255\n  }\n}\n",
    )
    .unwrap();
    strata()
        .current_dir(dir.path())
        .args(["validate", "--src", "s.hcl"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("HCL syntax error"))
        .stderr(predicate::str::contains("s.hcl:4:3"));
    // A missing `}` is pointed at the block it leaves open, not at the end of the file; a
    // missing `"` at the string.
    let unclosed = "schema \"public\" {}\ntable \"t\" {\n  schema = schema.public\n  column \"a\" {\n    type = int\n\n  column \"b\" {\n    type = int\n  }\n}\n";
    let unterminated = "schema \"public\" {}\ntable \"t\" {\n  schema  = schema.public\n  comment = \"oops\n  column \"a\" {\n    type = int\n  }\n}\n";
    for (text, place, message) in [
        (unclosed, "s.hcl:4:14", "a block is not closed"),
        (unterminated, "s.hcl:4:13", "unterminated string"),
    ] {
        std::fs::write(dir.path().join("s.hcl"), text).unwrap();
        for cmd in [
            &["validate", "--src", "s.hcl"][..],
            &["fmt", "--check", "s.hcl"],
        ] {
            strata()
                .current_dir(dir.path())
                .args(cmd)
                .assert()
                .code(1)
                .stderr(predicate::str::contains(message))
                .stderr(predicate::str::contains(place))
                .stderr(predicate::str::contains("the parser stopped here"));
        }
    }
}

#[tokio::test]
async fn passwords_never_appear() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.hcl"), V1).unwrap();
    strata()
        .current_dir(dir.path())
        .args([
            "--url",
            "postgres://alice:hunter2secret@127.0.0.1:1/db?connect_timeout=2",
            "--src",
            "s.hcl",
            "plan",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "postgres://alice:****@127.0.0.1:1/db",
        ))
        .stderr(predicate::str::contains("hunter2secret").not())
        .stdout(predicate::str::contains("hunter2secret").not());
}

#[tokio::test]
async fn envs_from_the_config_file() {
    let db = TestDb::new("cli_env").await;
    db.write("schema.hcl", V1);
    db.write(
        "env.hcl",
        &format!(
            "variable \"url\" {{\n  type = string\n}}\nenv \"test\" {{\n  url = var.url\n  dev = \"{}\"\n  src = [\"schema.hcl\"]\n}}\nenv \"other\" {{\n  url = \"postgres://x@127.0.0.1:1/y\"\n}}\n",
            common::base_url()
        ),
    );
    strata()
        .current_dir(db.path())
        .args([
            "--env",
            "test",
            "--var",
            &format!("url={}", db.url),
            "apply",
            "-auto-approve",
        ])
        .assert()
        .success();
    assert_eq!(
        db.query("SELECT count(*) FROM pg_tables WHERE tablename = 't'")
            .await,
        vec!["1"]
    );
    strata()
        .current_dir(db.path())
        .args(["--env", "test", "plan"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "missing value for required variable \"url\"",
        ))
        .stderr(predicate::str::contains("--var url=VALUE"));
    strata()
        .current_dir(db.path())
        .args(["-env=nope", "plan"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("env \"nope\" is not defined"))
        .stderr(predicate::str::contains(
            "defined envs: \"test\", \"other\"",
        ));
}

#[test]
fn fmt_check_reports_unformatted_files() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.hcl");
    std::fs::write(&f, "schema \"public\" {\n}\ntable \"t\" {\nschema=schema.public # keep me\n  column \"id\" { type = int }\n}\n").unwrap();
    strata()
        .current_dir(dir.path())
        .args(["fmt", "--check", "s.hcl"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("s.hcl"));
    strata()
        .current_dir(dir.path())
        .args(["fmt", "s.hcl"])
        .assert()
        .success();
    let text = std::fs::read_to_string(&f).unwrap();
    assert!(
        text.contains("  schema = schema.public # keep me\n"),
        "{text}"
    );
    assert!(
        text.contains("  column \"id\" {\n    type = int\n  }\n"),
        "{text}"
    );
    strata()
        .current_dir(dir.path())
        .args(["fmt", "--check", "s.hcl"])
        .assert()
        .success();
}

#[tokio::test]
async fn inspect_prints_hcl_and_sql() {
    let db = TestDb::new("cli_inspect").await;
    db.exec("CREATE TABLE \"Odd Name\" (id int PRIMARY KEY, note text DEFAULT 'hi')")
        .await;
    strata()
        .args(["--url", &db.url, "inspect"])
        .assert()
        .success()
        .stdout(predicate::str::contains("table \"Odd Name\" {"))
        .stdout(predicate::str::contains("default = \"hi\""));
    strata()
        .args(["--url", &db.url, "inspect", "--format", "sql"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "CREATE TABLE \"public\".\"Odd Name\"",
        ));
    // A listed schema the database lacks is an error, not an empty output.
    strata()
        .args([
            "--url", &db.url, "--schema", "public", "--schema", "pubic", "inspect",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "no schema \"pubic\" in the database",
        ));
}

#[test]
fn completions_and_man_pages_come_from_the_flags() {
    let dir = tempfile::tempdir().unwrap();
    // They need no settings: an env.hcl that does not parse is not read.
    std::fs::write(dir.path().join("env.hcl"), "env \"x\" {").unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = strata()
            .current_dir(dir.path())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("auto-approve") && text.contains("migrate"),
            "{shell}: {text}"
        );
    }
    let bash = strata().args(["completions", "bash"]).output().unwrap();
    let script = dir.path().join("strata.bash");
    std::fs::write(&script, &bash.stdout).unwrap();
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let man = dir.path().join("man");
    strata()
        .current_dir(dir.path())
        .args(["man", "--dir"])
        .arg(&man)
        .assert()
        .success();
    let apply = std::fs::read_to_string(man.join("strata-apply.1")).unwrap();
    assert!(
        apply.contains(".TH strata-apply 1") && apply.contains("auto\\-approve"),
        "{apply}"
    );
    assert!(man.join("strata-migrate-apply.1").exists());
    strata()
        .args(["completions", "tcsh"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("invalid value 'tcsh'"));
}

#[test]
fn an_env_url_from_an_unset_variable_names_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("env.hcl"),
        "env \"prod\" {\n  url = getenv(\"STRATA_TEST_UNSET_URL\")\n  src = [\"schema.hcl\"]\n}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("schema.hcl"), "schema \"public\" {}\n").unwrap();
    strata()
        .current_dir(dir.path())
        .env_remove("STRATA_TEST_UNSET_URL")
        .args(["--env", "prod", "plan"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "env \"prod\": `url` at env.hcl:2:9 is empty",
        ))
        .stderr(predicate::str::contains("STRATA_TEST_UNSET_URL is not set"));
}

#[tokio::test]
async fn variables_env_names_and_durations_are_checked_where_they_are_written() {
    let db = TestDb::new("cli_vars").await;
    db.write("schema.hcl", V1);
    db.write(
        "env.hcl",
        &format!(
            "variable \"lock\" {{\n  type    = string\n  default = \"5s\"\n}}\nenv \"test\" {{\n  url          = \"{}\"\n  dev          = \"{}\"\n  src          = [\"schema.hcl\"]\n  lock_timeout = var.lock\n}}\n",
            db.url,
            common::base_url()
        ),
    );
    let run = |extra: &[&str]| {
        strata()
            .current_dir(db.path())
            .env_remove("STRATA_ENV")
            .args(extra)
            .assert()
    };
    // A --var nothing declares is a typo, as in Terraform.
    run(&["--env", "test", "--var", "nosuch=1", "plan"])
        .code(1)
        .stderr(predicate::str::contains(
            "--var nosuch: no variable \"nosuch\" is declared",
        ))
        .stderr(predicate::str::contains("declared variables: lock"))
        // Internal error codes are for --verbose, not for users.
        .stderr(predicate::str::contains("strata::").not());
    run(&["--env", "test", "--var", "nosuch=1", "-v", "plan"])
        .code(1)
        .stderr(predicate::str::contains("strata::usage"));
    run(&["--env", "test", "--var", "lock=2s", "plan"]).code(0);
    // A bad duration points at env.hcl and names the variable it came from.
    run(&["--env", "test", "--var", "lock=banana", "plan"])
        .code(1)
        .stderr(predicate::str::contains(
            "invalid `lock_timeout` of env \"test\": \"banana\"",
        ))
        .stderr(predicate::str::contains("var.lock is \"banana\""))
        .stderr(predicate::str::contains("env.hcl:9:"));
    // An env name from STRATA_ENV says so.
    strata()
        .current_dir(db.path())
        .env("STRATA_ENV", "tset")
        .arg("plan")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "env \"tset\" (from the STRATA_ENV environment variable) is not defined",
        ));
    run(&["--env", "tset", "plan"]).code(1).stderr(
        predicate::str::contains("env \"tset\" is not defined")
            .and(predicate::str::contains("STRATA_ENV").not()),
    );
}

#[tokio::test]
async fn input_false_never_prompts() {
    let db = TestDb::new("cli_input").await;
    let src = db.write("schema.hcl", V1);
    strata()
        .args(args(&db, &src))
        .args(["apply", "-input=false"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "refusing to apply: -input=false forbids asking for approval",
        ));
    assert_eq!(
        db.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            .await,
        vec!["0"]
    );
    strata()
        .args(args(&db, &src))
        .args(["apply", "-input=false", "-auto-approve"])
        .assert()
        .success();
}

#[tokio::test]
async fn a_long_step_says_it_is_still_running() {
    let db = TestDb::new("cli_still").await;
    let v1 = db.write("schema.hcl", V1);
    strata()
        .args(args(&db, &v1))
        .args(["apply", "-auto-approve"])
        .assert()
        .success();
    let v2 = db.write("schema.hcl", V2);
    // Another session reads the table in an open transaction: the ALTER TABLE waits for it
    // (lock_timeout 30s), and apply says so every second.
    let holder = strata::postgres::connect::DbUrl::parse(&db.url)
        .unwrap()
        .connect()
        .await
        .unwrap();
    holder
        .batch_execute("BEGIN; LOCK TABLE t IN ACCESS SHARE MODE")
        .await
        .unwrap();
    // Released 2.5 s after apply's ALTER TABLE starts waiting (however long planning takes),
    // seen from a third session (inside a transaction the activity view does not change).
    let watcher = strata::postgres::connect::DbUrl::parse(&db.url)
        .unwrap()
        .connect()
        .await
        .unwrap();
    let release = tokio::spawn(async move {
        for _ in 0..600 {
            let waiting: i64 = watcher
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
                    &[],
                )
                .await
                .unwrap()
                .get(0);
            if waiting > 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
        holder.batch_execute("COMMIT").await.unwrap();
    });
    let mut cmd = strata();
    cmd.args(args(&db, &v2))
        .args(["apply", "-auto-approve", "--lock-timeout", "30s"])
        .env("STRATA_PROGRESS_INTERVAL", "1s");
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    release.await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("table.public.t: Still modifying... [1s elapsed]")
            && stdout.contains("table.public.t: Still modifying... [2s elapsed]"),
        "{stdout}"
    );
    let still = stdout.find("Still modifying").unwrap_or(usize::MAX);
    let done = stdout.find("Modifications complete").unwrap_or(0);
    assert!(still < done, "{stdout}");
}

#[tokio::test]
async fn a_new_tables_later_steps_say_what_they_do() {
    let db = TestDb::new("cli_fk_steps").await;
    let src = db.write(
        "schema.hcl",
        "schema \"public\" {}\ntable \"a\" {\n  schema = schema.public\n  column \"id\" { type = int }\n  column \"b\" { type = int }\n  primary_key { columns = [column.id] }\n  foreign_key \"a_b\" {\n    columns     = [column.b]\n    ref_columns = [table.b.column.id]\n  }\n}\ntable \"b\" {\n  schema = schema.public\n  column \"id\" { type = int }\n  column \"a\" { type = int }\n  primary_key { columns = [column.id] }\n  foreign_key \"b_a\" {\n    columns     = [column.a]\n    ref_columns = [table.a.column.id]\n  }\n}\n",
    );
    let out = strata()
        .args(args(&db, &src))
        .args(["apply", "-auto-approve"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    // Each table says "Creating..." once; the foreign key added after both exist names itself.
    for t in ["table.public.a", "table.public.b"] {
        let plain = stdout
            .lines()
            .filter(|l| *l == format!("{t}: Creating..."))
            .count();
        assert_eq!(plain, 1, "{stdout}");
    }
    assert!(
        stdout
            .lines()
            .any(|l| l.contains(": Creating... [step ") && l.contains("foreign key")),
        "{stdout}"
    );
}

#[test]
fn the_repositorys_own_hcl_is_formatted() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("schema.hcl"), root.join("env.hcl")];
    for e in std::fs::read_dir(root.join("examples")).unwrap() {
        let dir = e.unwrap().path();
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|x| x == "hcl") {
                files.push(f);
            }
        }
    }
    assert!(files.len() >= 4, "{files:?}");
    strata()
        .current_dir(root)
        .arg("fmt")
        .arg("--check")
        .args(&files)
        .assert()
        .success();
}

/// `strata diff A B` between two live databases: exit 2 and the plan that turns A into B
/// (schemas only one side has included), neither database changed by it; the SQL run on A
/// makes both pg_dump-equal, and then diff says no changes (exit 0). Schema files as TO are
/// what `plan` computes; schema files as FROM are built in a scratch database first.
#[tokio::test]
async fn diff_turns_one_database_into_another() {
    let a = TestDb::new("cli_diff_a").await;
    let b = TestDb::new("cli_diff_b").await;
    a.exec("CREATE TABLE t (id int PRIMARY KEY, old text); CREATE SCHEMA gone; CREATE TABLE gone.x (id int)")
        .await;
    b.exec("CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL DEFAULT 'x'); CREATE SCHEMA \"Extra Space\"; CREATE TABLE \"Extra Space\".u (id int); CREATE VIEW \"Extra Space\".v AS SELECT id FROM \"Extra Space\".u")
        .await;
    let (a_before, b_before) = (common::dump(&a.url), common::dump(&b.url));
    let out = strata()
        .args(["diff", &a.url, &b.url, "--format", "sql"])
        .output()
        .unwrap();
    let sql = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(2), "{sql}");
    for s in [
        "CREATE SCHEMA \"Extra Space\"",
        "DROP SCHEMA \"gone\"",
        "DROP COLUMN \"old\"",
        "ADD COLUMN \"name\"",
    ] {
        assert!(sql.contains(s), "{s} missing in {sql}");
    }
    assert_eq!(common::dump(&a.url), a_before, "diff changed FROM");
    assert_eq!(common::dump(&b.url), b_before, "diff changed TO");
    let psql = std::process::Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &a.url])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().expect("stdin").write_all(sql.as_bytes())?;
            c.wait()
        })
        .unwrap();
    assert!(psql.success());
    strata()
        .args(["diff", &a.url, &b.url])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No changes."));
    assert_eq!(common::dump(&a.url), common::dump(&b.url));
    // Schema files as TO: the plan of `plan --url A --src FILE`.
    let src = a.write("schema.hcl", V1);
    let diffed = strata()
        .args(["--dev-url", &common::base_url(), "diff", &a.url])
        .arg(&src)
        .output()
        .unwrap();
    assert_eq!(diffed.status.code(), Some(2));
    let shown = String::from_utf8_lossy(&diffed.stdout);
    assert!(shown.contains("- column \"name\""), "{shown}");
    assert!(
        !shown.contains("Extra Space"),
        "only the schemas the files declare: {shown}"
    );
    // Schema files as FROM are built in a scratch database first: SQL files against HCL files
    // (the same table, one column more), and the files against the database they describe.
    let sql = a.write("from.sql", "CREATE TABLE t (id integer NOT NULL);\n");
    let diffed = strata()
        .args(["--dev-url", &common::base_url(), "diff"])
        .arg(&sql)
        .arg(a.write("to.hcl", V2))
        .args(["--format", "sql"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&diffed.stdout);
    assert_eq!(diffed.status.code(), Some(2), "{text}");
    assert!(text.contains("ADD COLUMN \"name\" text"), "{text}");
    let same = strata()
        .args(["--dev-url", &common::base_url(), "diff"])
        .arg(&src)
        .arg(a.write("same.hcl", V1))
        .output()
        .unwrap();
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&same.stdout)
    );
}

/// A migration directory is a side of `strata diff` too: replayed in a scratch database, then
/// compared like a database (issue 13: migration dir ↔ URL).
#[tokio::test]
async fn diff_compares_a_migration_directory_with_a_database() {
    let db = TestDb::new("diff_dir").await;
    db.exec("CREATE TABLE t (id integer NOT NULL)").await;
    let dir = db.path().join("migrations");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("1_t.sql"),
        "CREATE TABLE t (id integer NOT NULL);\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("2_name.sql"),
        "ALTER TABLE t ADD COLUMN name text;\n",
    )
    .unwrap();
    strata()
        .args(["migrate", "hash", "--dir"])
        .arg(&dir)
        .assert()
        .success();
    let diff = |from: &str, to: &str| {
        strata()
            .args(["--dev-url", &common::base_url(), "diff", from, to])
            .args(["--format", "sql"])
            .output()
            .unwrap()
    };
    let dir = dir.display().to_string();
    // The database is one migration behind the directory.
    let out = diff(&db.url, &dir);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("ADD COLUMN \"name\" text"), "{text}");
    // And the other way: the directory has a column the database lacks.
    let out = diff(&dir, &db.url);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("DROP COLUMN \"name\""), "{text}");
    db.exec("ALTER TABLE t ADD COLUMN name text").await;
    let out = diff(&db.url, &dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
