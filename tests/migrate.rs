//! The versioned workflow through the binary: migrate diff → file → apply → status → plan,
//! tampering, branches, failures, baseline, down, lint, SQL and program sources.

mod common;
use common::{TestDb, base_url, strata};
use predicates::prelude::*;
use std::path::{Path, PathBuf};

const V1: &str = r#"schema "public" {}
table "users" {
  schema = schema.public
  column "id" { type = bigint }
  column "email" { type = text }
  primary_key { columns = [column.id] }
}
"#;

const V2: &str = r#"schema "public" {}
table "users" {
  schema = schema.public
  column "id" { type = bigint }
  column "email" { type = text }
  column "name" {
    type = text
    null = true
  }
  primary_key { columns = [column.id] }
  index "users_email" { columns = [column.email] }
}
"#;

struct Project {
    db: TestDb,
    dir: PathBuf,
    src: PathBuf,
}

impl Project {
    async fn new(prefix: &str, hcl: &str) -> Project {
        let db = TestDb::new(prefix).await;
        let src = db.write("schema.hcl", hcl);
        let dir = db.path().join("migrations");
        Project { db, dir, src }
    }

    fn set_schema(&self, hcl: &str) {
        std::fs::write(&self.src, hcl).unwrap();
    }

    /// `strata --url … --dev-url … --src … migrate --dir … ARGS`.
    fn migrate(&self, args: &[&str]) -> assert_cmd::Command {
        let mut c = strata();
        c.current_dir(self.db.path())
            .args(["--url", &self.db.url, "--dev-url", &base_url(), "--src"])
            .arg(&self.src)
            .arg("migrate")
            .arg("--dir")
            .arg(&self.dir)
            .args(args);
        c
    }

    fn files(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&self.dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().to_string())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    fn up_files(&self) -> Vec<String> {
        self.files()
            .into_iter()
            .filter(|f| f.ends_with(".sql") && !f.ends_with(".down.sql"))
            .collect()
    }

    fn write_file(&self, name: &str, text: &str) {
        std::fs::create_dir_all(&self.dir).unwrap();
        std::fs::write(self.dir.join(name), text).unwrap();
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(name)).unwrap()
    }

    fn hash(&self) {
        self.migrate(&["hash"]).assert().success();
    }

    fn plan_exit(&self) -> i32 {
        let out = strata()
            .args(["--url", &self.db.url, "--dev-url", &base_url(), "--src"])
            .arg(&self.src)
            .args(["plan", "-detailed-exitcode"])
            .output()
            .unwrap();
        out.status.code().unwrap_or(-1)
    }

    async fn revisions(&self) -> Vec<String> {
        self.db
            .query("SELECT version || ' ' || applied || '/' || total || ' ' || coalesce(error, 'ok') FROM strata.strata_schema_revisions ORDER BY version")
            .await
    }
}

fn pg_dump(db: &TestDb) -> String {
    let bin = ["/usr/lib/postgresql/15/bin/pg_dump", "pg_dump"]
        .into_iter()
        .find(|b| !b.contains('/') || Path::new(b).exists())
        .unwrap();
    let out = std::process::Command::new(bin)
        .args([
            "--schema-only",
            "--no-owner",
            "-h",
            "127.0.0.1",
            "-U",
            "root",
        ])
        .arg(&db.name)
        .output()
        .expect("pg_dump");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Newer pg_dump versions add \restrict lines with a random key.
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("\\restrict") && !l.starts_with("\\unrestrict"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn diff_apply_status_plan() {
    let p = Project::new("mig_flow", V1).await;
    p.migrate(&["diff", "init"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Wrote"));
    let ups = p.up_files();
    assert_eq!(ups.len(), 1, "{:?}", p.files());
    assert!(ups[0].ends_with("_init.sql"));
    let sql = p.read(&ups[0]);
    assert!(sql.contains("CREATE TABLE \"public\".\"users\""), "{sql}");
    assert!(sql.contains("-- Create table"), "{sql}");
    assert!(p.files().contains(&"strata.sum".to_string()));
    let sum = p.read("strata.sum");
    assert!(sum.starts_with("h1:"));
    assert!(sum.contains(&format!("{} h1:", ups[0])));
    // Nothing new: nothing written.
    p.migrate(&["diff", "again"])
        .assert()
        .success()
        .stdout(predicate::str::contains("in sync"));
    assert_eq!(p.up_files().len(), 1);
    p.migrate(&["status"])
        .assert()
        .code(3)
        .stdout(predicate::str::contains("PENDING"));
    p.migrate(&["apply", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains("CREATE TABLE"));
    assert!(
        p.db.query("SELECT to_regclass('public.users')::text").await == vec!["NULL"],
        "dry run changed nothing"
    );
    p.migrate(&["apply"])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 migration(s)"));
    p.migrate(&["status"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Migration status: OK"));
    assert_eq!(p.plan_exit(), 0, "plan after migrate apply is empty");
    // The revisions table is strata's bookkeeping: inspect leaves it out unless asked for.
    let inspected = strata()
        .args(["--url", &p.db.url, "inspect"])
        .output()
        .unwrap();
    let hcl = String::from_utf8_lossy(&inspected.stdout);
    assert!(hcl.contains("table \"users\""), "{hcl}");
    assert!(!hcl.contains("strata_schema_revisions"), "{hcl}");
    let asked = strata()
        .args(["--url", &p.db.url, "--schema", "strata", "inspect"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&asked.stdout).contains("strata_schema_revisions"));

    p.set_schema(V2);
    p.migrate(&["diff", "add_name"]).assert().success();
    let ups = p.up_files();
    assert_eq!(ups.len(), 2);
    let second = p.read(&ups[1]);
    assert!(second.contains("ADD COLUMN \"name\""), "{second}");
    assert!(second.contains("CREATE INDEX \"users_email\""), "{second}");
    assert_eq!(
        p.plan_exit(),
        2,
        "the database lags the schema until applied"
    );
    p.migrate(&["apply", "1"]).assert().success();
    p.migrate(&["status"]).assert().code(0);
    assert_eq!(p.plan_exit(), 0);
    p.migrate(&["validate"])
        .assert()
        .success()
        .stdout(predicate::str::contains("valid"));
    let revs = p.revisions().await;
    assert_eq!(revs.len(), 2);
    assert!(revs.iter().all(|r| r.ends_with("ok")), "{revs:?}");
    assert!(revs[1].contains(" 2/2 "), "{revs:?}");
    // Drift: changes made by hand, outside the files.
    p.migrate(&["status", "--drift"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Drift:           none"));
    p.db.exec("ALTER TABLE users ADD COLUMN hack text").await;
    p.migrate(&["status", "--drift"])
        .assert()
        .code(6)
        .stdout(predicate::str::contains("Migration status: DRIFT"))
        .stdout(predicate::str::contains("~ table.public.users"))
        .stdout(predicate::str::contains("+ column.hack"));
}

#[tokio::test]
async fn tampered_file_is_refused() {
    let p = Project::new("mig_tamper", V1).await;
    p.migrate(&["diff", "init"]).assert().success();
    let up = p.up_files().remove(0);
    let text = p.read(&up);
    p.write_file(&up, &format!("{text}\nDROP TABLE \"public\".\"users\";\n"));
    p.migrate(&["validate"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!("{up} was edited")));
    p.migrate(&["apply"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("refusing to apply"));
    p.migrate(&["status"])
        .assert()
        .code(5)
        .stdout(predicate::str::contains("CHECKSUM MISMATCH"));
    assert_eq!(
        p.db.query("SELECT to_regclass('public.users')::text").await,
        vec!["NULL"]
    );
    // An applied file edited and re-hashed is still caught by its recorded checksum.
    p.write_file(&up, &text);
    p.migrate(&["apply"]).assert().success();
    p.write_file(&up, &format!("{text}\n-- edited\n"));
    p.hash();
    p.migrate(&["status"])
        .assert()
        .code(5)
        .stdout(predicate::str::contains("was edited after it was applied"));
    p.migrate(&["apply"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("was edited after it was applied"));
}

#[tokio::test]
async fn branches_that_both_add_migrations_are_detected() {
    let p = Project::new("mig_branch", V1).await;
    p.write_file("20240101000000_init.sql", "CREATE TABLE a (id int);\n");
    p.hash();
    let main_sum = p.read("strata.sum");
    // Branch "feature" adds 20240102, branch "hotfix" adds 20240103; both merged.
    p.write_file("20240103000000_hotfix.sql", "CREATE TABLE c (id int);\n");
    p.hash();
    let hotfix_sum = p.read("strata.sum");
    p.write_file("20240102000000_feature.sql", "CREATE TABLE b (id int);\n");
    // git leaves conflict markers in the sum file.
    p.write_file(
        "strata.sum",
        &format!("<<<<<<< HEAD\n{hotfix_sum}=======\n{main_sum}>>>>>>> feature\n"),
    );
    p.migrate(&["validate"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("merge conflict"))
        .stderr(predicate::str::contains("strata migrate hash"));
    // The sum file of one side only: the other side's file sorts before its last file.
    p.write_file("strata.sum", &hotfix_sum);
    p.migrate(&["apply"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("another branch"));
    // Hotfix was applied before the feature file arrived: re-hashing is not enough.
    std::fs::remove_file(p.dir.join("20240102000000_feature.sql")).unwrap();
    p.hash();
    p.migrate(&["apply"]).assert().success();
    p.write_file("20240102000000_feature.sql", "CREATE TABLE b (id int);\n");
    p.hash();
    p.migrate(&["apply"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("added out of order"));
    p.migrate(&["status"])
        .assert()
        .code(5)
        .stdout(predicate::str::contains("Out of order"));
    // The fix: move it after the last applied version.
    std::fs::rename(
        p.dir.join("20240102000000_feature.sql"),
        p.dir.join("20240104000000_feature.sql"),
    )
    .unwrap();
    p.hash();
    p.migrate(&["apply"]).assert().success();
    p.migrate(&["status"]).assert().code(0);
}

#[tokio::test]
async fn failing_migration_is_recorded_and_retried() {
    let p = Project::new("mig_fail", V1).await;
    p.write_file("1_a.sql", "CREATE TABLE a (id int);\n");
    p.write_file(
        "2_b.sql",
        "CREATE TABLE b (id int);\nINSERT INTO b SELECT id FROM\n  missing_table;\n",
    );
    p.write_file("3_c.sql", "CREATE TABLE c (id int);\n");
    p.hash();
    p.migrate(&["apply"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("2_b.sql"))
        .stderr(predicate::str::contains("missing_table"))
        .stderr(predicate::str::contains(":3:3"))
        .stderr(predicate::str::contains("retries it"));
    let tables = p
        .db
        .query("SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'")
        .await;
    assert_eq!(tables, vec!["a"], "1 applied, 2 rolled back, 3 not run");
    let revs = p.revisions().await;
    assert_eq!(revs.len(), 2, "{revs:?}");
    assert_eq!(revs[0], "1 1/1 ok");
    assert!(revs[1].starts_with("2 0/2 "), "{revs:?}");
    assert!(revs[1].contains("missing_table"), "{revs:?}");
    p.migrate(&["status"])
        .assert()
        .code(4)
        .stdout(predicate::str::contains("FAILED"))
        .stdout(predicate::str::contains("Current version: 1"))
        .stdout(predicate::str::contains(
            "2_b.sql failed: relation \"missing_table\" does not exist",
        ))
        .stdout(predicate::str::contains("rolled back"));
    // Fix, re-hash, apply again: 2 is retried, then 3 runs.
    p.write_file(
        "2_b.sql",
        "CREATE TABLE b (id int);\nINSERT INTO b VALUES (1);\n",
    );
    p.hash();
    p.migrate(&["apply"]).assert().success();
    p.migrate(&["status"]).assert().code(0);
    assert_eq!(
        p.revisions().await,
        vec!["1 1/1 ok", "2 2/2 ok", "3 1/1 ok"]
    );
    assert_eq!(p.db.query("SELECT count(*) FROM b").await, vec!["1"]);
}

#[tokio::test]
async fn baseline_for_an_existing_database() {
    let p = Project::new("mig_base", V1).await;
    p.db.exec("CREATE TABLE legacy (id int)").await;
    p.write_file("1_legacy.sql", "CREATE TABLE legacy (id int);\n");
    p.write_file("2_more.sql", "ALTER TABLE legacy ADD COLUMN name text;\n");
    p.hash();
    p.migrate(&["apply"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("not empty"))
        .stderr(predicate::str::contains("public.legacy"))
        .stderr(predicate::str::contains("--baseline"));
    p.migrate(&["apply", "--baseline", "9"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("baseline version 9 is not in"));
    p.migrate(&["apply", "--baseline", "1"]).assert().success();
    assert_eq!(
        p.db.query("SELECT kind FROM strata.strata_schema_revisions ORDER BY version")
            .await,
        vec!["baseline", "applied"]
    );
    assert_eq!(
        p.db.query("SELECT count(*) FROM information_schema.columns WHERE table_name = 'legacy'")
            .await,
        vec!["2"]
    );
    p.migrate(&["status"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Current version: 2"));
}

#[tokio::test]
async fn down_restores_the_previous_schema() {
    let p = Project::new("mig_down", V1).await;
    p.migrate(&["diff", "init"]).assert().success();
    p.migrate(&["apply"]).assert().success();
    let v1_dump = pg_dump(&p.db);
    p.set_schema(V2);
    p.migrate(&["diff", "add_name"]).assert().success();
    let downs: Vec<String> = p
        .files()
        .into_iter()
        .filter(|f| f.ends_with(".down.sql"))
        .collect();
    assert_eq!(downs.len(), 2, "both steps are reversible: {:?}", p.files());
    // validate replays each down file after its up file and compares the schemas.
    p.migrate(&["validate"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "2 down file(s) restore the schema before their migration",
        ));
    let second_down = downs[1].clone();
    let good = p.read(&second_down);
    let broken: String = good
        .lines()
        .filter(|l| !l.contains("DROP INDEX"))
        .collect::<Vec<_>>()
        .join("\n");
    assert_ne!(
        good.trim(),
        broken.trim(),
        "the down file drops the index: {good}"
    );
    p.write_file(&second_down, &broken);
    p.hash();
    p.migrate(&["validate"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "{second_down} does not restore the schema"
        )))
        .stderr(predicate::str::contains("users_email"));
    p.write_file(&second_down, &good);
    p.hash();
    p.migrate(&["apply"]).assert().success();
    let v2_dump = pg_dump(&p.db);
    assert_ne!(v1_dump, v2_dump);
    p.migrate(&["down"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no terminal"));
    p.migrate(&["down", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains("DROP COLUMN \"name\""))
        .stdout(predicate::str::contains("DS103"));
    // Dropping `name` loses data: refused without a prompt unless allowed.
    p.migrate(&["down", "-auto-approve"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--allow-destructive"));
    p.migrate(&["down", "-auto-approve", "--allow-destructive"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Now at version"));
    assert_eq!(
        pg_dump(&p.db),
        v1_dump,
        "down restored the schema of version 1"
    );
    p.migrate(&["status"]).assert().code(3);
    // Without down files the reverse plan is computed from the directory.
    p.migrate(&["apply"]).assert().success();
    for d in &downs {
        std::fs::remove_file(p.dir.join(d)).unwrap();
    }
    p.hash();
    p.migrate(&["down", "-auto-approve", "--allow-destructive"])
        .assert()
        .success()
        .stdout(predicate::str::contains("computed"));
    assert_eq!(pg_dump(&p.db), v1_dump);
    p.migrate(&["down", "-auto-approve", "--allow-destructive"])
        .assert()
        .success();
    assert_eq!(
        p.db.query("SELECT to_regclass('public.users')::text").await,
        vec!["NULL"]
    );
}

#[tokio::test]
async fn lint_flags_dangerous_files_and_passes_safe_ones() {
    let p = Project::new("mig_lint", V1).await;
    p.write_file(
        "1_init.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY, email text, org bigint);\nCREATE TABLE orgs (id bigint PRIMARY KEY);\n",
    );
    p.write_file(
        "2_safe.sql",
        "CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\nCREATE INDEX posts_user ON posts (user_id);\n",
    );
    p.hash();
    p.migrate(&["lint"])
        .assert()
        .success()
        .stdout(predicate::str::contains("2_safe.sql"))
        .stdout(predicate::str::contains("ok: no findings"));
    p.write_file(
        "3_danger.sql",
        "ALTER TABLE users DROP COLUMN email;\nCREATE INDEX users_org ON users (org);\nALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org) REFERENCES orgs (id);\nALTER TABLE posts ALTER COLUMN user_id SET NOT NULL;\n",
    );
    p.hash();
    p.migrate(&["lint", "--latest", "1"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("DS103 (L1)"))
        .stdout(predicate::str::contains("PG101 (L2)"))
        .stdout(predicate::str::contains("PG306 (L3)"))
        .stdout(predicate::str::contains("PG303 (L4)"))
        .stdout(predicate::str::contains("1 error(s)"));
    p.migrate(&["lint", "--latest", "2"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("2_safe.sql"));
    // --git-base: the files that are not in that revision.
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .current_dir(p.db.path())
            .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q"]);
    git(&["add", "migrations/1_init.sql", "migrations/2_safe.sql"]);
    git(&["commit", "-qm", "base"]);
    p.migrate(&["lint", "--git-base", "HEAD"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Analyzing 1 migration file(s)"))
        .stdout(predicate::str::contains("3_danger.sql"))
        .stdout(predicate::str::contains("2_safe.sql").not());
    p.migrate(&["lint", "--git-base", "no-such-ref"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("git ls-tree no-such-ref failed"));
    // Reviewed: silence the data loss; the warnings stay and do not fail.
    p.write_file(
        "3_danger.sql",
        "-- strata:nolint DS103\nALTER TABLE users DROP COLUMN email;\nCREATE INDEX CONCURRENTLY users_org ON users (org);\n",
    );
    p.hash();
    p.migrate(&["lint"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("PG103"));
    p.write_file(
        "3_danger.sql",
        "-- strata:txmode none\n\n-- strata:nolint DS103\nALTER TABLE users DROP COLUMN email;\nCREATE INDEX CONCURRENTLY users_org ON users (org);\n",
    );
    p.hash();
    p.migrate(&["lint"])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 silenced"));
    // And the txmode none file applies outside a transaction.
    p.migrate(&["apply"]).assert().success();
    assert_eq!(
        p.db.query("SELECT indexname FROM pg_indexes WHERE indexname = 'users_org'")
            .await,
        vec!["users_org"]
    );
}

#[tokio::test]
async fn sql_source_converges_and_errors_point_at_the_statement() {
    let db = TestDb::new("src_sql").await;
    let sql = db.write(
        "schema.sql",
        "CREATE TYPE status AS ENUM ('active', 'gone');\nCREATE TABLE orgs (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL CHECK (name <> ''));\nCREATE TABLE users (\n  id bigint PRIMARY KEY,\n  org_id bigint REFERENCES orgs (id) ON DELETE CASCADE,\n  email text NOT NULL,\n  status status NOT NULL DEFAULT 'active',\n  created_at timestamptz NOT NULL DEFAULT now()\n);\nCREATE UNIQUE INDEX users_email ON users (lower(email)) WHERE status = 'active';\nCREATE VIEW active_users AS SELECT id, email FROM users WHERE status = 'active';\n",
    );
    let run = |args: &[&str]| {
        let mut c = strata();
        c.args(["--url", &db.url, "--dev-url", &base_url(), "--src"])
            .arg(&sql)
            .args(args);
        c
    };
    run(&["apply", "-auto-approve"]).assert().success();
    run(&["plan", "-detailed-exitcode"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No changes"));
    // A directory of .sql files runs in lexical order.
    let dir = db.path().join("sqldir");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("1_t.sql"), "CREATE TABLE t (id int);\n").unwrap();
    std::fs::write(
        dir.join("2_i.sql"),
        "-- comment\nCREATE INDEX t_id ON t (id);\nCREATE TABLE u (\n  id int,\n  x no_such_type\n);\n",
    )
    .unwrap();
    strata()
        .args(["--url", &db.url, "--dev-url", &base_url(), "--src"])
        .arg(&dir)
        .arg("plan")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("2_i.sql:5:5"))
        .stderr(predicate::str::contains(
            "type \"no_such_type\" does not exist",
        ))
        .stderr(predicate::str::contains("CREATE TABLE u"));
    // Mixing HCL and SQL is refused with a clear message.
    let hcl = db.write("schema.hcl", V1);
    strata()
        .args(["--url", &db.url, "--dev-url", &base_url(), "--src"])
        .arg(&sql)
        .arg("--src")
        .arg(&hcl)
        .arg("plan")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("mixed schema sources"));
}

const MODELS: &str = r#"import sys

MODELS = {
    "authors": {"id": "bigint PRIMARY KEY", "name": "text NOT NULL"},
    "books": {"id": "bigint PRIMARY KEY", "author_id": "bigint REFERENCES authors (id)", "title": "text"},
}

if len(sys.argv) > 1 and sys.argv[1] == "fail":
    print("cannot import models", file=sys.stderr)
    sys.exit(3)
for name, columns in MODELS.items():
    cols = ",\n  ".join(f"{c} {t}" for c, t in columns.items())
    print(f"CREATE TABLE {name} (\n  {cols}\n);")
if len(sys.argv) > 1 and sys.argv[1] == "bad":
    print("CREATE TABLE oops (id int,);")
"#;

#[tokio::test]
async fn program_source_converges_and_reports_failures() {
    let db = TestDb::new("src_prog").await;
    db.write("models.py", MODELS);
    db.write(
        "env.hcl",
        r#"data "external_schema" "app" {
  program = ["python3", "models.py"]
}
data "external_schema" "failing" {
  program = ["python3", "models.py", "fail"]
}
data "external_schema" "bad" {
  program = ["python3", "models.py", "bad"]
}
env "app" {
  src = data.external_schema.app.url
}
env "failing" {
  src = data.external_schema.failing.url
}
env "bad" {
  src = [data.external_schema.bad.url]
}
"#,
    );
    let run = |env: &str, args: &[&str]| {
        let mut c = strata();
        c.current_dir(db.path())
            .args(["--env", env, "--url", &db.url, "--dev-url", &base_url()])
            .args(args);
        c
    };
    run("app", &["apply", "-auto-approve"]).assert().success();
    run("app", &["plan", "-detailed-exitcode"]).assert().code(0);
    assert_eq!(
        db.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            .await,
        vec!["2"]
    );
    run("failing", &["plan"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("python3 models.py fail"))
        .stderr(predicate::str::contains("cannot import models"))
        .stderr(predicate::str::contains("exit status: 3"));
    run("bad", &["plan"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "output of `python3 models.py bad`:10:27",
        ))
        .stderr(predicate::str::contains("syntax error"))
        .stderr(predicate::str::contains("CREATE TABLE oops"));
}

#[tokio::test]
async fn transaction_modes() {
    let p = Project::new("mig_tx", V1).await;
    p.write_file("1_a.sql", "CREATE TABLE a (id int);\n");
    p.write_file("2_b.sql", "CREATE TABLE b (id int);\nSELECT 1/0;\n");
    p.hash();
    // One transaction for the run: the failure rolls back file 1 too.
    p.migrate(&["apply", "--tx-mode", "all"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("division by zero"))
        .stderr(predicate::str::contains("--tx-mode all"));
    assert_eq!(
        p.db.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            .await,
        vec!["0"]
    );
    assert_eq!(p.revisions().await, vec!["2 0/2 division by zero"]);
    p.migrate(&["status"])
        .assert()
        .code(4)
        .stdout(predicate::str::contains("1_a.sql"));
    p.write_file("2_b.sql", "CREATE TABLE b (id int);\n");
    p.hash();
    p.migrate(&["apply", "--tx-mode", "all"]).assert().success();
    assert_eq!(p.revisions().await, vec!["1 1/1 ok", "2 1/1 ok"]);
    // A txmode none file runs statement by statement and resumes after a failure.
    p.write_file(
        "3_c.sql",
        "-- strata:txmode none\n\nCREATE TABLE c (id int);\nCREATE INDEX CONCURRENTLY c_id ON c (idd);\n",
    );
    p.hash();
    p.migrate(&["apply"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("\"idd\" does not exist"))
        .stderr(predicate::str::contains("resumes at statement 2"));
    assert_eq!(
        p.revisions().await[2],
        "3 1/2 column \"idd\" does not exist"
    );
    p.migrate(&["status"])
        .assert()
        .code(4)
        .stdout(predicate::str::contains("at statement 2 of 2"))
        .stdout(predicate::str::contains("1 of 2 statements are applied"));
    p.write_file(
        "3_c.sql",
        "-- strata:txmode none\n\nCREATE TABLE c (id int);\nCREATE INDEX CONCURRENTLY c_id ON c (id);\n",
    );
    p.hash();
    p.migrate(&["apply"]).assert().success();
    assert_eq!(p.revisions().await[2], "3 2/2 ok");
    p.migrate(&["status"]).assert().code(0);
    // A txmode none file cannot join a run in one transaction.
    p.write_file(
        "4_d.sql",
        "-- strata:txmode none\n\nCREATE TABLE d (id int);\n",
    );
    p.hash();
    p.migrate(&["apply", "--tx-mode", "all"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot run in one transaction"));
}

/// `migrate diff` goes through the same pipeline as `plan`: a `moved` block is a rename, not a
/// drop and an add (which would lose the column's data), and the down file renames it back.
#[tokio::test]
async fn diff_honours_moved_blocks() {
    let p = Project::new("mig_moved", V1).await;
    p.migrate(&["diff", "init"]).assert().success();
    p.migrate(&["apply"]).assert().success();
    p.db.exec("INSERT INTO users VALUES (1, 'ada@example.com')")
        .await;
    p.set_schema(
        r#"schema "public" {}
table "users" {
  schema = schema.public
  column "id" { type = bigint }
  column "contact" { type = text }
  primary_key { columns = [column.id] }
}
moved {
  from = table.users.column.email
  to   = table.users.column.contact
}
"#,
    );
    p.migrate(&["diff", "rename_email"]).assert().success();
    let ups = p.up_files();
    assert_eq!(ups.len(), 2, "{:?}", p.files());
    let up = p.read(&ups[1]);
    assert!(
        up.contains("RENAME COLUMN \"email\" TO \"contact\""),
        "a rename: {up}"
    );
    assert!(!up.contains("DROP COLUMN"), "no drop: {up}");
    assert!(!up.contains("ADD COLUMN"), "no add: {up}");
    let down_name = ups[1].replace(".sql", ".down.sql");
    let down = p.read(&down_name);
    assert!(
        down.contains("RENAME COLUMN \"contact\" TO \"email\""),
        "the down file renames back: {down}"
    );
    p.migrate(&["validate"])
        .assert()
        .success()
        .stdout(predicate::str::contains("restore the schema"));
    p.migrate(&["apply"]).assert().success();
    assert_eq!(
        p.db.query("SELECT contact FROM users").await,
        vec!["ada@example.com"],
        "the data stayed"
    );
    // The moved block stays in the schema: nothing more to do.
    p.migrate(&["diff", "again"])
        .assert()
        .success()
        .stdout(predicate::str::contains("in sync"));
}

/// `migrate apply` and `migrate down` read `--lock-timeout` like `apply`: a bare number is
/// seconds, `2m` is two minutes (PostgreSQL receives milliseconds, it rejected `2m`), and a
/// value that is no duration is refused before anything runs.
#[tokio::test]
async fn migrate_lock_timeouts_mean_what_apply_means() {
    let p = Project::new("mig_lock_timeout", V1).await;
    p.write_file(
        "1_a.sql",
        "CREATE TABLE seen_up AS SELECT current_setting('lock_timeout') AS v;\n",
    );
    p.write_file(
        "2_b.sql",
        "CREATE TABLE seen_b AS SELECT current_setting('lock_timeout') AS v;\n",
    );
    p.write_file(
        "2_b.down.sql",
        "CREATE TABLE seen_down AS SELECT current_setting('lock_timeout') AS v;\nDROP TABLE seen_b;\n",
    );
    p.hash();
    p.migrate(&["apply", "--lock-timeout", "soon"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--lock-timeout"));
    p.migrate(&["apply", "1", "--lock-timeout", "2m"])
        .assert()
        .success();
    assert_eq!(p.db.query("SELECT v FROM seen_up").await, vec!["2min"]);
    p.migrate(&["apply", "--lock-timeout", "5"])
        .assert()
        .success();
    assert_eq!(
        p.db.query("SELECT v FROM seen_b").await,
        vec!["5s"],
        "a bare number is seconds, not milliseconds"
    );
    p.migrate(&[
        "down",
        "-auto-approve",
        "--allow-destructive",
        "--lock-timeout",
        "x",
    ])
    .assert()
    .code(1)
    .stderr(predicate::str::contains("--lock-timeout"));
    assert_eq!(p.revisions().await.len(), 2, "nothing was reverted");
    p.migrate(&[
        "down",
        "-auto-approve",
        "--allow-destructive",
        "--lock-timeout",
        "90s",
    ])
    .assert()
    .success();
    assert_eq!(p.db.query("SELECT v FROM seen_down").await, vec!["90s"]);
}
