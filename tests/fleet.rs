//! Fleets: an env with `for_each` over many databases (database-per-tenant, listed by a
//! `data "sql"` query) or many schemas (schema-per-tenant, listed in a file), planned grouped,
//! applied with a failing tenant, resumed, and converged; canary, fail-fast and shards.

mod common;

use common::{TestDb, base_url, strata};
use std::path::Path;
use strata::postgres::connect::DbUrl;

const SCHEMA: &str = r#"
schema "public" {}
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
"#;

/// The table every tenant starts with: the schema above without its unique index.
const START: &str = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL)";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Runs strata in `dir` with the fleet's variables; returns (exit code, stdout, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = strata()
        .current_dir(dir)
        .args(["--var", &format!("base={}", base_url())])
        .args(args)
        .output()
        .expect("run strata");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// The env.hcl of a database-per-tenant fleet: the databases whose names start with `prefix`.
fn tenants_env(prefix: &str) -> String {
    let pattern = prefix.replace('_', "\\\\_");
    format!(
        r#"
variable "base" {{
  type = string
}}
data "sql" "tenants" {{
  url   = var.base
  query = "SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY datname"
  args  = ["{pattern}%"]
}}
env "tenants" {{
  for_each = toset(data.sql.tenants.values)
  url      = urlsetpath(var.base, each.value)
  dev      = var.base
  src      = ["schema.hcl"]
}}
"#
    )
}

async fn tenants(prefix: &str, n: usize) -> Vec<TestDb> {
    let mut dbs = Vec::with_capacity(n);
    for _ in 0..n {
        let db = TestDb::new(prefix).await;
        db.exec(START).await;
        dbs.push(db);
    }
    dbs
}

#[test]
fn fifty_tenant_databases_plan_grouped_apply_past_a_failure_and_resume() {
    let rt = runtime();
    let prefix = format!("fl{}", std::process::id());
    let dbs = rt.block_on(tenants(&prefix, 50));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("env.hcl"),
        tenants_env(&format!("t_{prefix}_")),
    )
    .unwrap();
    std::fs::write(dir.path().join("schema.hcl"), SCHEMA).unwrap();
    rt.block_on(async {
        // Three tenants are there already; one has duplicate emails, so its unique index fails.
        for db in &dbs[..3] {
            db.exec("CREATE UNIQUE INDEX users_email_key ON users (email)")
                .await;
        }
        dbs[10]
            .exec("INSERT INTO users VALUES (1, 'a@x'), (2, 'a@x')")
            .await;
    });
    let bad = &dbs[10].name;

    // One plan per group: 3 without changes, 47 with the same one change.
    let (code, out, err) = run(
        dir.path(),
        &[
            "--env",
            "tenants",
            "plan",
            "--format",
            "json",
            "--parallelism",
            "8",
        ],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let plan = json(&out);
    let targets = plan["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 50, "{out}");
    let groups = plan["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "{out}");
    assert_eq!(groups[0]["targets"].as_array().unwrap().len(), 3);
    assert_eq!(groups[1]["targets"].as_array().unwrap().len(), 47);
    assert_eq!(groups[1]["plan"]["summary"]["change"], 1, "{out}");
    let (code, out, _) = run(
        dir.path(),
        &["--env", "tenants", "plan", "-detailed-exitcode"],
    );
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("3 targets: No changes."), "{out}");
    assert!(
        out.contains("47 targets: Plan: 0 to add, 1 to change, 0 to destroy."),
        "{out}"
    );
    // The plan is printed once, not 47 times.
    assert_eq!(out.matches("CREATE UNIQUE INDEX").count(), 1, "{out}");

    // Apply: the failing tenant is reported, the others go on.
    let report = dir.path().join("report.json");
    let (code, out, err) = run(
        dir.path(),
        &[
            "--env",
            "tenants",
            "apply",
            "-auto-approve",
            "--report",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        out.contains("Fleet apply: 46 succeeded, 1 failed, 0 refused, 0 skipped, 3 unchanged"),
        "{out}"
    );
    assert!(out.contains(&format!("{bad} ✗")), "{out}");
    assert!(out.contains("[47/47]"), "{out}");
    let r = json(&std::fs::read_to_string(&report).unwrap());
    let entry = |name: &str| {
        r["targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["target"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} not in the report"))
    };
    assert_eq!(entry(bad)["status"], "failed");
    assert!(
        entry(bad)["error"].as_str().unwrap().contains("duplicate"),
        "{r}"
    );
    assert_eq!(entry(&dbs[0].name)["status"], "unchanged");
    assert_eq!(entry(&dbs[20].name)["status"], "succeeded");
    // The failed tenant's transaction rolled back: no index, nothing half-made.
    let index_of = |db: &TestDb| {
        rt.block_on(db.query("SELECT count(*) FROM pg_indexes WHERE indexname = 'users_email_key'"))
    };
    assert_eq!(index_of(&dbs[10]), vec!["0"]);

    // Fixed, then resumed: only the failed tenant is planned and applied.
    rt.block_on(dbs[10].exec("DELETE FROM users WHERE id = 2"));
    let report2 = dir.path().join("report2.json");
    let (code, out, err) = run(
        dir.path(),
        &[
            "--env",
            "tenants",
            "apply",
            "-auto-approve",
            "--resume",
            report.to_str().unwrap(),
            "--report",
            report2.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("Resuming from a report: 49 targets done, 1 left to apply."),
        "{out}"
    );
    assert!(out.contains("Fleet apply: 47 succeeded, 0 failed"), "{out}");
    let r2 = json(&std::fs::read_to_string(&report2).unwrap());
    assert_eq!(r2["targets"].as_array().unwrap().len(), 50);

    // Every tenant converged: no changes anywhere, and each has the index.
    let (code, out, _) = run(
        dir.path(),
        &["--env", "tenants", "plan", "-detailed-exitcode"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("50 targets: No changes."), "{out}");
    for db in &dbs {
        assert_eq!(index_of(db), vec!["1"], "{}", db.name);
    }
}

#[test]
fn a_failing_canary_stops_the_fleet_and_fail_fast_stops_after_the_first_failure() {
    let rt = runtime();
    let prefix = format!("fc{}", std::process::id());
    let dbs = rt.block_on(tenants(&prefix, 6));
    let dir = tempfile::tempdir().unwrap();
    // A literal list of URLs as the fleet; the targets are named by their URLs.
    let urls: Vec<String> = dbs.iter().map(|d| format!("\"{}\"", d.url)).collect();
    std::fs::write(
        dir.path().join("env.hcl"),
        format!(
            "variable \"base\" {{\n  type = string\n}}\nenv \"list\" {{\n  for_each = [{}]\n  url      = each.value\n  dev      = var.base\n  src      = [\"schema.hcl\"]\n}}\n",
            urls.join(", ")
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("schema.hcl"), SCHEMA).unwrap();
    rt.block_on(dbs[0].exec("INSERT INTO users VALUES (1, 'a@x'), (2, 'a@x')"));
    let name = |db: &TestDb| DbUrl::parse(&db.url).unwrap().redacted();

    // The canary (the first target) fails: nothing else is touched.
    let (code, out, err) = run(
        dir.path(),
        &["--env", "list", "apply", "-auto-approve", "--canary", "1"],
    );
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        out.contains("Fleet apply: 0 succeeded, 1 failed, 0 refused, 5 skipped"),
        "{out}"
    );
    for db in &dbs[1..] {
        let n = rt.block_on(
            db.query("SELECT count(*) FROM pg_indexes WHERE indexname = 'users_email_key'"),
        );
        assert_eq!(n, vec!["0"], "{}", db.name);
    }
    assert!(out.contains(&name(&dbs[0])), "{out}");

    // --fail-fast, one at a time, with the failing target second.
    rt.block_on(async {
        dbs[0].exec("DELETE FROM users").await;
        dbs[1]
            .exec("INSERT INTO users VALUES (1, 'a@x'), (2, 'a@x')")
            .await;
    });
    let (code, out, err) = run(
        dir.path(),
        &[
            "--env",
            "list",
            "apply",
            "-auto-approve",
            "--fail-fast",
            "--parallelism",
            "1",
        ],
    );
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        out.contains("Fleet apply: 1 succeeded, 1 failed, 0 refused, 4 skipped"),
        "{out}"
    );
    // Without --fail-fast the others go on.
    let (code, out, _) = run(dir.path(), &["--env", "list", "apply", "-auto-approve"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("Fleet apply: 4 succeeded, 1 failed, 0 refused, 0 skipped, 1 unchanged"),
        "{out}"
    );
}

#[test]
fn shards_cover_the_fleet_exactly_once_and_their_reports_merge() {
    let dir = tempfile::tempdir().unwrap();
    let keys: Vec<String> = (0..300).map(|i| format!("tenant_{i:03}")).collect();
    std::fs::write(dir.path().join("tenants.txt"), keys.join("\n") + "\n\n").unwrap();
    std::fs::write(
        dir.path().join("env.hcl"),
        "variable \"base\" {\n  type = string\n}\nenv \"f\" {\n  for_each = toset(compact(split(\"\\n\", file(\"tenants.txt\"))))\n  url      = urlsetpath(var.base, each.value)\n}\n",
    )
    .unwrap();
    let (code, all, err) = run(dir.path(), &["--env", "f", "fleet", "list"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(all.lines().collect::<Vec<_>>(), keys);
    let mut seen: Vec<String> = Vec::new();
    for k in 1..=3 {
        let (code, out, err) = run(
            dir.path(),
            &["--env", "f", "fleet", "list", "--shard", &format!("{k}/3")],
        );
        assert_eq!(code, 0, "{err}");
        let part: Vec<String> = out.lines().map(str::to_string).collect();
        // Roughly a third each.
        assert!(
            (60..=140).contains(&part.len()),
            "shard {k}: {}",
            part.len()
        );
        seen.extend(part);
    }
    seen.sort();
    assert_eq!(seen, keys, "every target in exactly one shard");
    let (code, _, err) = run(
        dir.path(),
        &["--env", "f", "fleet", "list", "--shard", "4/3"],
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("K must be between 1 and N"), "{err}");

    // Reports of two shards merge into one table and exit code.
    let report = |file: &str, entries: &str| {
        std::fs::write(
            dir.path().join(file),
            format!(
                r#"{{"format_version": 1, "strata_version": "0", "created_at": "2026-12-01T00:00:00Z", "env": "f", "targets": [{entries}]}}"#
            ),
        )
        .unwrap();
    };
    report(
        "a.json",
        r#"{"target": "tenant_001", "status": "succeeded"}, {"target": "tenant_002", "status": "failed", "error": "boom"}"#,
    );
    report(
        "b.json",
        r#"{"target": "tenant_003", "status": "unchanged"}"#,
    );
    let (code, out, err) = run(dir.path(), &["fleet", "merge", "a.json", "b.json"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        out.contains("1 succeeded, 1 failed, 0 refused, 0 skipped, 1 unchanged"),
        "{out}"
    );
    assert!(out.contains("tenant_002") && out.contains("boom"), "{out}");
    report(
        "a.json",
        r#"{"target": "tenant_001", "status": "succeeded"}"#,
    );
    let (code, out, _) = run(dir.path(), &["fleet", "merge", "a.json", "b.json"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn two_hundred_tenant_schemas_plan_as_one_group_and_converge() {
    let rt = runtime();
    let db = rt.block_on(TestDb::new("fleet_schemas"));
    let names: Vec<String> = (0..200).map(|i| format!("tenant_{i:03}")).collect();
    let mut sql = String::new();
    for n in &names {
        sql.push_str(&format!("CREATE SCHEMA {n};"));
    }
    // One tenant already has its table.
    sql.push_str("CREATE TABLE tenant_007.notes (id bigint PRIMARY KEY, body text NOT NULL);");
    rt.block_on(db.exec(&sql));
    std::fs::write(db.path().join("tenants.txt"), names.join("\n")).unwrap();
    std::fs::write(
        db.path().join("env.hcl"),
        format!(
            r#"
variable "base" {{
  type = string
}}
env "schemas" {{
  for_each = toset(split("\n", trimspace(file("tenants.txt"))))
  url      = "{}"
  dev      = var.base
  schemas  = [each.value]
  vars     = {{ tenant = each.value }}
  src      = ["tenant.hcl"]
}}
"#,
            db.url
        ),
    )
    .unwrap();
    std::fs::write(
        db.path().join("tenant.hcl"),
        r#"
variable "tenant" {
  type = string
}
schema "tenant" {
  name = var.tenant
}
table "notes" {
  schema = schema.tenant
  column "id" {
    type = bigint
  }
  column "body" {
    type = text
  }
  primary_key {
    columns = [column.id]
  }
}
"#,
    )
    .unwrap();
    let (code, out, err) = run(
        db.path(),
        &["--env", "schemas", "plan", "-detailed-exitcode"],
    );
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(out.contains("1 target: No changes."), "{out}");
    assert!(
        out.contains("199 targets: Plan: 1 to add, 0 to change, 0 to destroy."),
        "{out}"
    );
    let (code, out, err) = run(
        db.path(),
        &[
            "--env",
            "schemas",
            "apply",
            "-auto-approve",
            "--parallelism",
            "4",
        ],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("Fleet apply: 199 succeeded, 0 failed"),
        "{out}"
    );
    let tables = rt.block_on(db.query(
        "SELECT count(*) FROM pg_tables WHERE tablename = 'notes' AND schemaname LIKE 'tenant\\_%'",
    ));
    assert_eq!(tables, vec!["200"]);
    let (code, out, _) = run(
        db.path(),
        &["--env", "schemas", "plan", "-detailed-exitcode"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("200 targets: No changes."), "{out}");
}

#[test]
fn a_saved_fleet_plan_keeps_one_plan_per_fingerprint_and_refuses_a_changed_target() {
    let rt = runtime();
    let prefix = format!("fs{}", std::process::id());
    let dbs = rt.block_on(tenants(&prefix, 4));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("env.hcl"),
        tenants_env(&format!("t_{prefix}_")),
    )
    .unwrap();
    std::fs::write(dir.path().join("schema.hcl"), SCHEMA).unwrap();
    let file = dir.path().join("fleet.plan");
    let (code, out, err) = run(
        dir.path(),
        &["--env", "tenants", "plan", "-out", file.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("Saved the fleet's plans to"), "{out}");
    let saved = json(&std::fs::read_to_string(&file).unwrap());
    // Four identical tenants: one plan.
    assert_eq!(saved["plans"].as_array().unwrap().len(), 1, "{saved}");
    assert_eq!(saved["fleet"]["targets"].as_array().unwrap().len(), 4);
    // `show` and a single-database apply refuse it clearly.
    let (code, _, err) = run(dir.path(), &["show", file.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("holds a fleet's plans"), "{err}");

    // One tenant changes after the plan: it is refused as stale, the others apply.
    rt.block_on(dbs[2].exec("ALTER TABLE users ADD COLUMN extra int"));
    let (code, out, err) = run(
        dir.path(),
        &["--env", "tenants", "apply", file.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("Applying the saved plans from"), "{out}");
    assert!(
        out.contains("Fleet apply: 3 succeeded, 1 failed, 0 refused, 0 skipped"),
        "{out}"
    );
    assert!(out.contains("Saved plan is stale"), "{out}");
    let with_index = |db: &TestDb| {
        rt.block_on(db.query("SELECT count(*) FROM pg_indexes WHERE indexname = 'users_email_key'"))
    };
    assert_eq!(with_index(&dbs[2]), vec!["0"]);
    assert_eq!(with_index(&dbs[3]), vec!["1"]);
    // An edited file is refused before anything runs.
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("CREATE UNIQUE INDEX", "CREATE INDEX");
    std::fs::write(&file, text).unwrap();
    let (code, _, err) = run(
        dir.path(),
        &["--env", "tenants", "apply", file.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    assert!(err.contains("checksum does not match"), "{err}");
}
