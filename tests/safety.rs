//! Safety: hazard policy in unattended applies, saved plans, online mode, lock timeouts,
//! rehearsals, renames with `moved` blocks, `explain` and schema lints.

mod common;
use common::{TestDb, base_url, strata};
use predicates::prelude::*;
use std::time::Duration;
use strata::plan::Phase;

fn args(db: &TestDb, src: &std::path::Path) -> Vec<String> {
    vec![
        "--url".into(),
        db.url.clone(),
        "--dev-url".into(),
        base_url(),
        "--src".into(),
        src.display().to_string(),
    ]
}

const TWO_COLUMNS: &str = r#"
schema "public" {}
table "t" {
  schema = schema.public
  column "id" { type = bigint }
  column "legacy" {
    type = text
    null = true
  }
  primary_key { columns = [column.id] }
}
"#;

const ONE_COLUMN: &str = r#"
schema "public" {}
table "t" {
  schema = schema.public
  column "id" { type = bigint }
  primary_key { columns = [column.id] }
}
"#;

async fn legacy_exists(db: &TestDb) -> bool {
    db.query(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND column_name = 'legacy'",
    )
    .await
        == vec!["1"]
}

#[tokio::test]
async fn unattended_apply_refuses_data_loss_unless_allowed() {
    let db = TestDb::new("safety_refuse").await;
    db.apply(TWO_COLUMNS).await;
    db.exec("INSERT INTO t VALUES (1, 'keep me')").await;
    let src = db.write("schema.hcl", ONE_COLUMN);
    strata()
        .args(args(&db, &src))
        .args(["apply", "-auto-approve"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("refusing to apply unattended"))
        .stderr(predicate::str::contains("step 1"))
        .stderr(predicate::str::contains("DS103"))
        .stderr(predicate::str::contains("--allow-hazards DS103"))
        .stderr(predicate::str::contains("Nothing was changed."));
    assert!(legacy_exists(&db).await, "nothing may change on refusal");
    // A code that is not the denied one does not help.
    strata()
        .args(args(&db, &src))
        .args(["apply", "-auto-approve", "--allow-hazards", "PG101"])
        .assert()
        .code(1);
    assert!(legacy_exists(&db).await);
    strata()
        .args(args(&db, &src))
        .args(["apply", "-auto-approve", "--allow-hazards", "DS103"])
        .assert()
        .success();
    assert!(!legacy_exists(&db).await);

    // --allow-destructive allows every data-loss hazard.
    db.apply(TWO_COLUMNS).await;
    let src = db.write("schema.hcl", ONE_COLUMN);
    strata()
        .args(args(&db, &src))
        .args(["apply", "-auto-approve", "--allow-destructive"])
        .assert()
        .success();
    assert!(!legacy_exists(&db).await);
}

#[tokio::test]
async fn env_policy_allows_and_denies() {
    let db = TestDb::new("safety_env").await;
    db.apply(TWO_COLUMNS).await;
    let src = db.write("schema.hcl", ONE_COLUMN);
    let env = db.write(
        "env.hcl",
        &format!(
            r#"
lint {{
  deny = ["lock"]
}}
env "ci" {{
  url = "{}"
  dev = "{}"
  src = ["schema.hcl"]
  lint {{
    allow = ["DS103"]
  }}
}}
env "strict" {{
  url = "{}"
  dev = "{}"
  src = ["schema.hcl"]
}}
"#,
            db.url,
            base_url(),
            db.url,
            base_url()
        ),
    );
    let _ = src;
    // The env allows the drop.
    strata()
        .args(["--config", &env.display().to_string(), "--env", "ci"])
        .args(["apply", "-auto-approve"])
        .assert()
        .success();
    assert!(!legacy_exists(&db).await);
    // The global block denies locks: a blocking index build on an existing table is refused.
    db.write(
        "schema.hcl",
        r#"
schema "public" {}
table "t" {
  schema = schema.public
  column "id" { type = bigint }
  primary_key { columns = [column.id] }
  index "t_id_desc" {
    on {
      column = column.id
      desc   = true
    }
  }
}
"#,
    );
    strata()
        .args(["--config", &env.display().to_string(), "--env", "strict"])
        .args(["apply", "-auto-approve"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("PG101"));
    assert_eq!(
        db.query("SELECT count(*) FROM pg_indexes WHERE indexname = 't_id_desc'")
            .await,
        vec!["0"]
    );
    // Online mode builds it concurrently: no lock hazard, so the policy lets it through.
    strata()
        .args(["--config", &env.display().to_string(), "--env", "strict"])
        .args(["apply", "-auto-approve", "--online"])
        .assert()
        .success()
        .stdout(predicate::str::contains("CREATE INDEX CONCURRENTLY"));
    // An unknown code in a policy is an error that points at env.hcl.
    let bad = db.write(
        "bad.hcl",
        "env \"x\" {\n  url = \"postgres://h/db\"\n  lint {\n    allow = [\"DS999\"]\n  }\n}\n",
    );
    strata()
        .args(["--config", &bad.display().to_string(), "--env", "x", "plan"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("DS999"))
        .stderr(predicate::str::contains("bad.hcl:4"));
}

#[tokio::test]
async fn saved_plans_apply_exactly_and_refuse_when_stale() {
    let db = TestDb::new("safety_saved").await;
    db.apply(ONE_COLUMN).await;
    let src = db.write("schema.hcl", TWO_COLUMNS);
    let plan = db.dir.path().join("plan.json");
    // A password in the URL never reaches the plan file.
    let with_password = db.url.replace("root@", "root:s3cr3t@");
    strata()
        .args(["--url", &with_password, "--dev-url", &base_url()])
        .args(["--src", &src.display().to_string()])
        .args(["plan", "-out", &plan.display().to_string()])
        .assert()
        .success()
        .stdout(predicate::str::contains("Saved the plan to:"))
        .stdout(predicate::str::contains("strata --url URL apply"));
    let text = std::fs::read_to_string(&plan).unwrap();
    assert!(!text.contains("s3cr3t"), "password in the plan file");
    assert!(text.contains("\"fingerprint\""));
    strata()
        .args(["show", &plan.display().to_string()])
        .assert()
        .success()
        .stdout(predicate::str::contains("Saved plan"))
        .stdout(predicate::str::contains("ADD COLUMN \"legacy\""));
    // Applied without a prompt (there is no terminal) and without -auto-approve.
    strata()
        .args(["--url", &db.url])
        .args(["apply", &plan.display().to_string()])
        .assert()
        .success()
        .stdout(predicate::str::contains("Apply complete!"));
    assert!(legacy_exists(&db).await);

    // A plan made, then the database changed: refused, and nothing of the plan applied.
    db.write("schema.hcl", ONE_COLUMN);
    let plan2 = db.dir.path().join("plan2.json");
    strata()
        .args(args(&db, &src))
        .args(["plan", "--out", &plan2.display().to_string()])
        .assert()
        .success();
    db.exec("ALTER TABLE t ADD COLUMN sneaky int").await;
    strata()
        .args(["--url", &db.url])
        .args(["apply", &plan2.display().to_string(), "--allow-destructive"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Saved plan is stale"));
    assert!(legacy_exists(&db).await, "a stale plan must change nothing");

    // The same plan applied to another database (a copy of the first as it was planned) is
    // refused as made for another database, not as stale.
    let other = TestDb::new("safety_saved_other").await;
    other.apply(TWO_COLUMNS).await;
    strata()
        .args(["--url", &other.url])
        .args(["apply", &plan2.display().to_string(), "--allow-destructive"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "this plan was made for another database",
        ))
        .stderr(predicate::str::contains("stale").not());
    assert!(
        legacy_exists(&other).await,
        "nothing applied to the other database"
    );
}

#[tokio::test]
async fn saved_plans_obey_the_policy() {
    let db = TestDb::new("safety_saved_policy").await;
    db.apply(TWO_COLUMNS).await;
    let src = db.write("schema.hcl", ONE_COLUMN);
    let plan = db.dir.path().join("drop.json");
    strata()
        .args(args(&db, &src))
        .args(["plan", &format!("-out={}", plan.display())])
        .assert()
        .success();
    strata()
        .args(["show", "--format", "json", &plan.display().to_string()])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"level\": \"deny\""))
        .stdout(predicate::str::contains("\"code\": \"DS103\""));
    // The same judgement in the pull-request comment.
    strata()
        .args(["show", "--format", "markdown", &plan.display().to_string()])
        .assert()
        .success()
        .stdout(predicate::str::contains("| ✖ | DS103 | data loss | deny |"))
        .stdout(predicate::str::contains("<details><summary>1. "));
    strata()
        .args(["--url", &db.url, "apply", &plan.display().to_string()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("refusing to apply a saved plan"));
    assert!(legacy_exists(&db).await);
    strata()
        .args(["--url", &db.url, "apply", &plan.display().to_string()])
        .arg("--allow-destructive")
        .assert()
        .success();
    assert!(!legacy_exists(&db).await);
    // A file that is not a plan is a clear error.
    let junk = db.write("junk.json", "{\"hello\": 1}");
    strata()
        .args(["show", &junk.display().to_string()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is not a strata plan file"));
}

const ONLINE_BEFORE: &str = r#"
schema "public" {}
table "owners" {
  schema = schema.public
  column "id" { type = bigint }
  primary_key { columns = [column.id] }
}
table "items" {
  schema = schema.public
  column "id" {
    type = bigint
    identity {
      generated = BY_DEFAULT
    }
  }
  column "n" {
    type = integer
    null = true
  }
  column "email" {
    type = text
    null = true
  }
  column "owner_id" {
    type = bigint
    null = true
  }
  primary_key { columns = [column.id] }
}
"#;

const ONLINE_AFTER: &str = r#"
schema "public" {}
table "owners" {
  schema = schema.public
  column "id" { type = bigint }
  primary_key { columns = [column.id] }
}
table "items" {
  schema = schema.public
  column "id" {
    type = bigint
    identity {
      generated = BY_DEFAULT
    }
  }
  column "n" { type = integer }
  column "email" {
    type = text
    null = true
  }
  column "owner_id" {
    type = bigint
    null = true
  }
  primary_key { columns = [column.id] }
  index "items_n" {
    columns = [column.n]
  }
  unique "items_email_key" {
    columns = [column.email]
  }
  check "items_n_positive" {
    expr = "n >= 0"
  }
  foreign_key "items_owner_fk" {
    columns     = [column.owner_id]
    ref_columns = [table.owners.column.id]
  }
}
"#;

#[tokio::test]
async fn online_mode_builds_concurrently_while_rows_are_written() {
    let db = TestDb::new("safety_online").await;
    db.apply(ONLINE_BEFORE).await;
    db.exec(
        "INSERT INTO owners SELECT g FROM generate_series(1, 100) g;
         INSERT INTO items (n, email, owner_id)
         SELECT g % 1000, 'user' || g || '@example.com', 1 + g % 100 FROM generate_series(1, 50000) g",
    )
    .await;
    let p = db.write("schema.hcl", ONLINE_AFTER);
    let mut s = db.settings(&[p]);
    s.online = true;
    let mut prepared = db.plan_settings(&s).await;
    let plan = &prepared.plan;
    let sql: Vec<&str> = plan.statements().collect();
    let all = sql.join(";\n");
    assert!(
        all.contains("CREATE INDEX CONCURRENTLY \"items_n\""),
        "{all}"
    );
    assert!(
        all.contains("CREATE UNIQUE INDEX CONCURRENTLY \"items_email_key\""),
        "{all}"
    );
    assert!(
        all.contains("UNIQUE USING INDEX \"items_email_key\""),
        "{all}"
    );
    assert!(all.contains("NOT VALID"), "{all}");
    assert!(
        all.contains("VALIDATE CONSTRAINT \"items_owner_fk\""),
        "{all}"
    );
    assert!(
        all.contains("VALIDATE CONSTRAINT \"items_n_positive\""),
        "{all}"
    );
    assert!(all.contains("SET NOT NULL"), "{all}");
    for phase in [Phase::Transaction, Phase::Online, Phase::Final] {
        assert!(plan.steps.iter().any(|s| s.phase == phase), "{phase:?}");
    }
    // Phases are in order.
    let phases: Vec<Phase> = plan.steps.iter().map(|s| s.phase).collect();
    let mut sorted = phases.clone();
    sorted.sort();
    assert_eq!(phases, sorted);
    assert!(
        !plan
            .hazards()
            .any(|(_, h)| ["PG101", "PG105", "PG303", "PG305", "PG306"].contains(&h.code.as_str())),
        "online mode takes no long locks"
    );
    assert!(plan.hazards().any(|(_, h)| h.code == "TX101"));

    // Another connection keeps writing while the plan runs (bounded, loopback only).
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let url = db.url.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            let c = strata::postgres::connect::DbUrl::parse(&url)
                .unwrap()
                .connect()
                .await
                .unwrap();
            let mut written = 0u32;
            for i in 0..20_000u32 {
                if stop.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                c.batch_execute(&format!(
                    "INSERT INTO items (n, email, owner_id) VALUES ({}, 'w{i}@example.com', 1)",
                    i % 7
                ))
                .await
                .unwrap();
                written += 1;
            }
            written
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let before: i64 = db.query("SELECT count(*) FROM items").await[0]
        .parse()
        .unwrap();
    db.apply_prepared(&mut prepared)
        .await
        .expect("online apply");
    let after: i64 = db.query("SELECT count(*) FROM items").await[0]
        .parse()
        .unwrap();
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let written = writer.await.unwrap();
    assert!(
        written > 0 && after > before,
        "the writer made progress during the apply"
    );

    assert_eq!(
        db.query(
            "SELECT count(*) FROM pg_index WHERE indrelid = 'items'::regclass AND NOT indisvalid"
        )
        .await,
        vec!["0"],
        "every index is valid"
    );
    assert_eq!(
        db.query("SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint WHERE conrelid = 'items'::regclass AND NOT convalidated")
            .await,
        vec!["NULL"],
        "every constraint is validated"
    );
    assert_eq!(
        db.query("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = 'n'")
            .await,
        vec!["t"]
    );
    assert_eq!(
        db.query("SELECT count(*) FROM pg_constraint WHERE conname LIKE '%strata_not_null%'")
            .await,
        vec!["0"],
        "the temporary check is gone"
    );
    let again = db.plan(ONLINE_AFTER).await;
    assert!(again.plan.is_empty(), "online apply converges");
}

#[tokio::test]
async fn failed_concurrent_build_is_rebuilt_next_time() {
    let db = TestDb::new("safety_invalid").await;
    db.apply(ONLINE_BEFORE).await;
    // Duplicates make the concurrent unique build fail and leave an INVALID index.
    db.exec("INSERT INTO items (n, email) VALUES (1, 'dup'), (2, 'dup')")
        .await;
    let p = db.write("schema.hcl", ONLINE_AFTER);
    let mut s = db.settings(&[p]);
    s.online = true;
    let mut prepared = db.plan_settings(&s).await;
    let err = db.apply_prepared(&mut prepared).await.unwrap_err();
    assert!(err.contains("stay applied"), "{err}");
    assert_eq!(
        db.query(
            "SELECT count(*) FROM pg_index WHERE indrelid = 'items'::regclass AND NOT indisvalid"
        )
        .await,
        vec!["1"],
        "the failed build left an invalid index"
    );
    db.exec("DELETE FROM items WHERE email = 'dup' AND n = 2")
        .await;
    let mut s = db.settings(&[db.write("schema.hcl", ONLINE_AFTER)]);
    s.online = true;
    let mut prepared = db.plan_settings(&s).await;
    assert!(!prepared.plan.is_empty());
    db.apply_prepared(&mut prepared)
        .await
        .expect("second apply");
    assert_eq!(
        db.query(
            "SELECT count(*) FROM pg_index WHERE indrelid = 'items'::regclass AND NOT indisvalid"
        )
        .await,
        vec!["0"]
    );
    assert!(db.plan(ONLINE_AFTER).await.plan.is_empty());
}

#[tokio::test]
async fn lock_timeout_names_the_blocker_and_changes_nothing() {
    let db = TestDb::new("safety_lock").await;
    db.apply(ONE_COLUMN).await;
    let holder = strata::postgres::connect::DbUrl::parse(&db.url)
        .unwrap()
        .connect()
        .await
        .unwrap();
    holder
        .batch_execute(
            "SET application_name = 'long_report'; BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE",
        )
        .await
        .unwrap();
    let src = db.write("schema.hcl", TWO_COLUMNS);
    let out = tokio::task::spawn_blocking({
        let args = args(&db, &src);
        move || {
            strata()
                .args(args)
                .args(["apply", "-auto-approve", "--lock-timeout", "1s"])
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("lock_timeout 1s reached"), "{err}");
    assert!(err.contains("long_report"), "the holder is named: {err}");
    assert!(
        err.contains("ADD COLUMN \"legacy\""),
        "the statement is named: {err}"
    );
    holder.batch_execute("ROLLBACK").await.unwrap();
    assert!(!legacy_exists(&db).await, "nothing changed");
}

#[tokio::test]
async fn rehearsal_runs_on_a_scratch_copy_first() {
    let db = TestDb::new("safety_rehearse").await;
    db.apply(ONE_COLUMN).await;
    let src = db.write("schema.hcl", TWO_COLUMNS);
    let scratch_before = db
        .query("SELECT count(*) FROM pg_database WHERE datname LIKE 'strata_scratch%'")
        .await;
    strata()
        .args(args(&db, &src))
        .args(["apply", "-auto-approve", "--rehearse"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Rehearsal passed"))
        .stdout(predicate::str::contains("left nothing to change"));
    assert!(legacy_exists(&db).await);
    // A saved plan carries the schema it leads to, so its rehearsal re-plans too.
    db.exec("ALTER TABLE t DROP COLUMN legacy").await;
    let file = db.path().join("p.json");
    strata()
        .args(args(&db, &src))
        .args(["plan", "-out", &file.display().to_string()])
        .assert()
        .success();
    let saved = std::fs::read_to_string(&file).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&saved).unwrap();
    // Tampered: the schema the plan leads to no longer has `legacy`.
    let columns = doc["desired"]["schemas"]["public"]["tables"]["t"]["columns"]
        .as_array_mut()
        .expect("the plan file holds the desired columns");
    columns.retain(|c| c["name"] != "legacy");
    let tampered = db.path().join("tampered.json");
    std::fs::write(&tampered, doc.to_string()).unwrap();
    // An edit is caught by the checksum …
    strata()
        .args(["--url", &db.url, "--dev-url", &base_url()])
        .args(["apply", "--rehearse", &tampered.display().to_string()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("checksum does not match"));
    // … and one that recomputes it by the rehearsal.
    doc.as_object_mut().unwrap().remove("checksum");
    let sum: String = {
        use sha2::Digest;
        sha2::Sha256::digest(serde_json::to_vec(&doc).unwrap())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    doc["checksum"] = serde_json::Value::String(sum);
    std::fs::write(&tampered, doc.to_string()).unwrap();
    strata()
        .args(["--url", &db.url, "--dev-url", &base_url()])
        .args(["apply", "--rehearse", &tampered.display().to_string()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("would not converge"));
    assert!(
        !legacy_exists(&db).await,
        "a failed rehearsal changes nothing"
    );
    strata()
        .args(["--url", &db.url, "--dev-url", &base_url()])
        .args(["apply", "--rehearse", &file.display().to_string()])
        .assert()
        .success()
        .stdout(predicate::str::contains("left nothing to change"));
    assert!(legacy_exists(&db).await);
    assert_eq!(
        db.query("SELECT count(*) FROM pg_database WHERE datname LIKE 'strata_scratch%'")
            .await,
        scratch_before,
        "the scratch copy is dropped"
    );
}

#[tokio::test]
async fn moved_blocks_rename_and_keep_rows() {
    let db = TestDb::new("safety_moved").await;
    db.apply(
        r#"
schema "public" {}
table "users" {
  schema = schema.public
  column "id" { type = bigserial }
  column "name" { type = text }
  primary_key { columns = [column.id] }
  index "users_name" {
    columns = [column.name]
  }
}
table "posts" {
  schema = schema.public
  column "id" { type = bigint }
  column "author_id" { type = bigint }
  primary_key { columns = [column.id] }
  foreign_key "posts_author_fk" {
    columns     = [column.author_id]
    ref_columns = [table.users.column.id]
  }
}
"#,
    )
    .await;
    db.exec("INSERT INTO users (name) VALUES ('ada'), ('grace'); INSERT INTO posts VALUES (1, 1)")
        .await;
    let renamed = r#"
schema "public" {}
table "people" {
  schema = schema.public
  column "id" { type = bigserial }
  column "full_name" { type = text }
  primary_key { columns = [column.id] }
  index "users_name" {
    columns = [column.full_name]
  }
}
table "posts" {
  schema = schema.public
  column "id" { type = bigint }
  column "author_id" { type = bigint }
  primary_key { columns = [column.id] }
  foreign_key "posts_author_fk" {
    columns     = [column.author_id]
    ref_columns = [table.people.column.id]
  }
}
moved {
  from = table.users
  to   = table.people
}
moved {
  from = table.people.column.name
  to   = table.people.column.full_name
}
"#;
    // Without the moved blocks, it would be a drop and a create, with a hint.
    let without = renamed.split("moved {").next().unwrap().to_string();
    let p = db.plan(&without).await;
    assert!(p.plan.hazards().any(|(_, h)| h.code == "DS102"));
    assert!(
        p.plan.hints.iter().any(|h| h.contains("moved {")),
        "{:?}",
        p.plan.hints
    );
    let p = db.plan(renamed).await;
    let sql: Vec<&str> = p.plan.statements().collect();
    assert!(
        !p.plan.hazards().any(|(_, h)| h.is_data_loss()),
        "a rename loses nothing: {sql:?}"
    );
    assert!(
        sql.iter().any(|s| s.contains("RENAME TO \"people\"")),
        "{sql:?}"
    );
    assert!(
        sql.iter()
            .any(|s| s.contains("RENAME COLUMN \"name\" TO \"full_name\"")),
        "{sql:?}"
    );
    assert!(p.plan.hazards().any(|(_, h)| h.code == "BC101"));
    assert!(p.plan.hazards().any(|(_, h)| h.code == "BC102"));
    db.assert_converges(renamed).await;
    assert_eq!(
        db.query("SELECT string_agg(full_name, ',' ORDER BY id) FROM people")
            .await,
        vec!["ada,grace"]
    );
    assert_eq!(db.query("SELECT count(*) FROM posts").await, vec!["1"]);
}

#[tokio::test]
async fn moved_block_errors_point_at_the_file() {
    let db = TestDb::new("safety_moved_err").await;
    let src = db.write(
        "schema.hcl",
        "schema \"public\" {}\ntable \"t\" {\n  schema = schema.public\n  column \"id\" { type = int }\n}\nmoved {\n  from = table.old\n  to   = table.nope\n}\n",
    );
    strata()
        .args(["--src", &src.display().to_string(), "validate"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("table \"nope\" is not declared"))
        .stderr(predicate::str::contains("schema.hcl:8"));
}

#[test]
fn explain_lists_and_explains_codes() {
    strata()
        .args(["explain", "DS102"])
        .assert()
        .success()
        .stdout(predicate::str::contains("DS102: drops a table"))
        .stdout(predicate::str::contains("category: data loss"))
        .stdout(predicate::str::contains("deny"));
    let out = strata().arg("explain").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.lines().filter(|l| l.starts_with("  ")).count(),
        strata::lint::all().len()
    );
    strata()
        .args(["explain", "XX123"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("unknown code"));
    // A category, spelled as --allow-hazards takes it, lists exactly its codes.
    let out = strata().args(["explain", "data_loss"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let listed: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let expected: Vec<&str> = strata::lint::all()
        .iter()
        .filter(|r| r.category == strata::lint::Category::DataLoss)
        .map(|r| r.code)
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(listed, expected, "{text}");
}

#[test]
fn validate_runs_schema_lints() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("schema.hcl");
    std::fs::write(
        &src,
        "schema \"public\" {}\ntable \"t\" {\n  schema = schema.public\n  column \"id\" { type = serial }\n  column \"at\" { type = timestamp }\n  primary_key { columns = [column.id] }\n}\n",
    )
    .unwrap();
    strata()
        .args(["--src", &src.display().to_string(), "validate"])
        .assert()
        .success()
        .stdout(predicate::str::contains("ST101"))
        .stdout(predicate::str::contains("ST102"))
        .stdout(predicate::str::contains("ST104"))
        // Column findings point at the column's block.
        .stdout(predicate::str::contains(
            "serial: prefer an identity column",
        ))
        .stdout(predicate::str::contains("schema.hcl:4:3"))
        .stdout(predicate::str::contains("schema.hcl:5:3"));
    let env = dir.path().join("env.hcl");
    std::fs::write(
        &env,
        "env \"ci\" {\n  src = [\"schema.hcl\"]\n  lint {\n    deny = [\"style\"]\n  }\n}\n",
    )
    .unwrap();
    strata()
        .args([
            "--config",
            &env.display().to_string(),
            "--env",
            "ci",
            "validate",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "lint finding(s) the policy denies",
        ));
}

#[tokio::test]
async fn moved_schema_keeps_its_tables() {
    let db = TestDb::new("safety_moved_schema").await;
    db.apply(
        "schema \"public\" {}\nschema \"billing\" {}\ntable \"invoices\" {\n  schema = schema.billing\n  column \"id\" { type = bigint }\n  primary_key { columns = [column.id] }\n}\n",
    )
    .await;
    db.exec("INSERT INTO billing.invoices VALUES (7)").await;
    let moved = "schema \"public\" {}\nschema \"finance\" {}\ntable \"invoices\" {\n  schema = schema.finance\n  column \"id\" { type = bigint }\n  primary_key { columns = [column.id] }\n}\nmoved {\n  from = schema.billing\n  to   = schema.finance\n}\n";
    let p = db.plan(moved).await;
    let sql: Vec<&str> = p.plan.statements().collect();
    assert_eq!(
        sql,
        vec!["ALTER SCHEMA \"billing\" RENAME TO \"finance\""],
        "only the rename"
    );
    db.assert_converges(moved).await;
    assert_eq!(db.query("SELECT id FROM finance.invoices").await, vec!["7"]);
}

#[tokio::test]
async fn failed_online_validation_is_planned_again() {
    let db = TestDb::new("safety_not_valid").await;
    db.apply(ONLINE_BEFORE).await;
    db.exec("INSERT INTO owners VALUES (1); INSERT INTO items (n, email, owner_id) VALUES (1, 'a', 1), (2, 'b', 999)")
        .await;
    let mut s = db.settings(&[db.write("schema.hcl", ONLINE_AFTER)]);
    s.online = true;
    s.timeouts.statement = strata::config::duration::Timeout::parse("2min");
    let mut prepared = db.plan_settings(&s).await;
    let err = db.apply_prepared(&mut prepared).await.unwrap_err();
    assert!(err.contains("items_owner_fk"), "{err}");
    assert_eq!(
        db.query("SELECT convalidated FROM pg_constraint WHERE conname = 'items_owner_fk'")
            .await,
        vec!["f"],
        "left NOT VALID"
    );
    // The NOT VALID constraint does not count as done: the next plan adds it again.
    let again = db.plan_settings(&s).await;
    let sql: Vec<&str> = again.plan.statements().collect();
    assert!(
        sql.iter()
            .any(|st| st.contains("VALIDATE CONSTRAINT \"items_owner_fk\"")),
        "{sql:?}"
    );
    db.exec("DELETE FROM items WHERE owner_id = 999").await;
    let mut prepared = db.plan_settings(&s).await;
    db.apply_prepared(&mut prepared)
        .await
        .expect("second apply");
    assert!(db.plan(ONLINE_AFTER).await.plan.is_empty());
}

#[tokio::test]
async fn online_foreign_key_to_a_new_unique_key_stays_online() {
    let db = TestDb::new("safety_online_fk").await;
    let schema = |after: bool| {
        let (unique, fk) = if after {
            (
                "  unique \"owners_code_key\" {\n    columns = [column.code]\n  }\n",
                "  foreign_key \"items_owner_code_fk\" {\n    columns     = [column.owner_code]\n    ref_columns = [table.owners.column.code]\n  }\n",
            )
        } else {
            ("", "")
        };
        format!(
            "schema \"public\" {{}}\ntable \"owners\" {{\n  schema = schema.public\n  column \"id\" {{ type = bigint }}\n  column \"code\" {{ type = text }}\n  primary_key {{ columns = [column.id] }}\n{unique}}}\ntable \"items\" {{\n  schema = schema.public\n  column \"id\" {{ type = bigint }}\n  column \"owner_code\" {{\n    type = text\n    null = true\n  }}\n  primary_key {{ columns = [column.id] }}\n{fk}}}\n"
        )
    };
    db.apply(&schema(false)).await;
    db.exec(
        "INSERT INTO owners SELECT g, 'o' || g FROM generate_series(1, 100) g;
         INSERT INTO items SELECT g, 'o' || (1 + g % 100) FROM generate_series(1, 5000) g",
    )
    .await;
    let p = db.write("schema.hcl", &schema(true));
    let mut s = db.settings(&[p]);
    s.online = true;
    let mut prepared = db.plan_settings(&s).await;
    let phase_of = |needle: &str| {
        prepared
            .plan
            .steps
            .iter()
            .find(|st| st.statements.iter().any(|x| x.contains(needle)))
            .map(|st| st.phase)
            .unwrap_or_else(|| panic!("no step runs {needle}"))
    };
    assert_eq!(phase_of("CREATE UNIQUE INDEX CONCURRENTLY"), Phase::Online);
    assert_eq!(phase_of("UNIQUE USING INDEX"), Phase::Online);
    assert_eq!(
        phase_of("\"items_owner_code_fk\" FOREIGN KEY"),
        Phase::Online
    );
    assert_eq!(
        phase_of("VALIDATE CONSTRAINT \"items_owner_code_fk\""),
        Phase::Online
    );
    assert!(
        !prepared
            .plan
            .steps
            .iter()
            .any(|st| st.phase == Phase::Final),
        "nothing waits for a final transaction"
    );
    db.apply_prepared(&mut prepared).await.unwrap();
    assert!(db.plan_settings(&s).await.plan.is_empty());
    assert_eq!(
        db.query(
            "SELECT convalidated::text FROM pg_constraint WHERE conname = 'items_owner_code_fk'"
        )
        .await,
        vec!["true"]
    );
}

/// Removing a field of a composite type that a column uses loses that field's data in every
/// row: DS107, refused unattended, applied when allowed.
#[tokio::test]
async fn dropping_a_composite_field_is_a_data_loss_hazard() {
    let db = TestDb::new("safety_composite").await;
    db.exec("CREATE TYPE c AS (a int, b text); CREATE TABLE t (x c); INSERT INTO t VALUES (ROW(1, 'kept?'))")
        .await;
    let src = db.write(
        "schema.hcl",
        r#"schema "public" {}
composite "c" {
  schema = schema.public
  field "a" { type = int }
}
table "t" {
  schema = schema.public
  column "x" {
    type = composite.c
    null = true
  }
}
"#,
    );
    strata()
        .args(args(&db, &src))
        .args(["apply", "-auto-approve"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("DS107"))
        .stderr(predicate::str::contains("--allow-hazards DS107"));
    assert_eq!(db.query("SELECT (x).b FROM t").await, vec!["kept?"]);
    strata()
        .args(args(&db, &src))
        .args(["apply", "-auto-approve", "--allow-hazards", "DS107"])
        .assert()
        .success();
    assert_eq!(
        db.query("SELECT count(*) FROM pg_attribute WHERE attrelid = 'c'::regclass AND attname = 'b' AND NOT attisdropped")
            .await,
        vec!["0"]
    );
}

/// Recomputes a plan file's checksum after a test edits it, as a deliberate tamperer would.
fn reseal(doc: &mut serde_json::Value) {
    use sha2::Digest;
    doc.as_object_mut().unwrap().remove("checksum");
    let sum: String = sha2::Sha256::digest(serde_json::to_vec(doc).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    doc["checksum"] = serde_json::Value::String(sum);
}

/// A saved plan edited to drop a table without a data-loss hazard is refused even with a
/// recomputed checksum; a plan file missing a step is refused by `show` and `apply` instead
/// of panicking or running what is left.
#[tokio::test]
async fn edited_saved_plans_are_refused() {
    let db = TestDb::new("safety_tamper").await;
    db.exec("CREATE TABLE t (id bigint PRIMARY KEY, legacy text); CREATE TABLE victim (id int)")
        .await;
    let src = db.write(
        "schema.hcl",
        &format!(
            "{TWO_COLUMNS}table \"victim\" {{\n  schema = schema.public\n  column \"id\" {{\n    type = int\n    null = true\n  }}\n}}\ntable \"extra\" {{\n  schema = schema.public\n  column \"id\" {{\n    type = int\n    null = true\n  }}\n}}\n"
        ),
    );
    let file = db.path().join("p.json");
    strata()
        .args(args(&db, &src))
        .args(["plan", "-out", &file.display().to_string()])
        .assert()
        .success();
    let original: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();

    let mut doc = original.clone();
    doc["steps"][0]["statements"] = serde_json::json!(["DROP TABLE public.victim"]);
    reseal(&mut doc);
    let edited = db.path().join("edited.json");
    std::fs::write(&edited, doc.to_string()).unwrap();
    strata()
        .args(["--url", &db.url, "apply", &edited.display().to_string()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("runs DROP TABLE but carries no"))
        .stderr(predicate::str::contains("data-loss hazard"));
    assert_eq!(
        db.query("SELECT count(*) FROM pg_tables WHERE tablename = 'victim'")
            .await,
        vec!["1"]
    );

    let mut doc = original.clone();
    doc["steps"] = serde_json::json!([]);
    reseal(&mut doc);
    std::fs::write(&edited, doc.to_string()).unwrap();
    for cmd in ["show", "apply"] {
        strata()
            .args(["--url", &db.url, cmd, &edited.display().to_string()])
            .assert()
            .code(1)
            .stderr(predicate::str::contains("refers to step 1"))
            .stderr(predicate::str::contains("0 step(s)"));
    }
    // The untouched file applies.
    strata()
        .args(["--url", &db.url, "apply", &file.display().to_string()])
        .assert()
        .success();
}

/// `--lock-timeout` means the same for every command: a bare number is seconds (PostgreSQL
/// would read milliseconds), and a value that is no duration is refused before anything runs.
#[tokio::test]
async fn apply_lock_timeout_bare_number_is_seconds() {
    let db = TestDb::new("safety_lock_bare").await;
    db.apply(ONE_COLUMN).await;
    let src = db.write("schema.hcl", TWO_COLUMNS);
    strata()
        .args(args(&db, &src))
        .args(["apply", "-auto-approve", "--lock-timeout", "soon"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--lock-timeout"))
        .stderr(predicate::str::contains("a bare number is seconds"));
    let holder = strata::postgres::connect::DbUrl::parse(&db.url)
        .unwrap()
        .connect()
        .await
        .unwrap();
    holder
        .batch_execute("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let out = tokio::task::spawn_blocking({
        let args = args(&db, &src);
        move || {
            strata()
                .args(args)
                .args(["apply", "-auto-approve", "--lock-timeout", "1"])
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("lock_timeout 1s reached"), "{err}");
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(900),
        "waited a second, not a millisecond: {:?}",
        started.elapsed()
    );
    holder.batch_execute("ROLLBACK").await.unwrap();
    assert!(!legacy_exists(&db).await, "nothing changed");
    strata()
        .args(args(&db, &src))
        .args(["apply", "-auto-approve", "--lock-timeout", "2m"])
        .assert()
        .success();
    assert!(legacy_exists(&db).await);
}

/// Runs `apply` with `extra` flags in the background and collects the pids of strata's
/// backends in the target database from the moment one of them is busy in `wait_event`
/// (`Lock`, `PgSleep`) until apply exits.
async fn apply_sampling_backends(
    db: &TestDb,
    src: &std::path::Path,
    extra: &[&str],
    wait_event: &str,
) -> (std::process::Output, std::collections::BTreeSet<i32>, bool) {
    let sampler =
        strata::postgres::connect::DbUrl::parse(&format!("{}?application_name=sampler", db.url))
            .unwrap()
            .connect()
            .await
            .unwrap();
    let child = tokio::task::spawn_blocking({
        let mut args = args(db, src);
        args.extend(["apply", "-auto-approve"].iter().map(|s| s.to_string()));
        args.extend(extra.iter().map(|s| s.to_string()));
        move || strata().args(args).output().unwrap()
    });
    let mut pids = std::collections::BTreeSet::new();
    let mut busy = false;
    let started = std::time::Instant::now();
    while !child.is_finished() && started.elapsed() < Duration::from_secs(60) {
        let rows = sampler
            .query(
                "SELECT pid, coalesce(wait_event = $2, false) FROM pg_stat_activity \
                 WHERE datname = $1 AND application_name = 'strata'",
                &[&db.name, &wait_event],
            )
            .await
            .unwrap();
        busy = busy || rows.iter().any(|r| r.get::<_, bool>(1));
        if busy {
            pids.extend(rows.iter().map(|r| r.get::<_, i32>(0)));
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    (child.await.unwrap(), pids, busy)
}

/// The lock watcher of an apply opens one monitoring connection, the first time a statement
/// runs long, and reuses it: a statement that runs for minutes does not open a connection
/// every half second (issue 10), and a lock wait is still reported with its blocker.
#[tokio::test]
async fn lock_watcher_opens_one_connection_per_apply() {
    let db = TestDb::new("safety_monitor").await;
    db.apply(ONE_COLUMN).await;
    // A statement that waits about 3 s on a lock another session holds.
    let holder = strata::postgres::connect::DbUrl::parse(&format!(
        "{}?application_name=long_report",
        db.url
    ))
    .unwrap()
    .connect()
    .await
    .unwrap();
    holder
        .batch_execute("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let src = db.write("schema.hcl", TWO_COLUMNS);
    let (out, pids, busy) =
        apply_sampling_backends(&db, &src, &["--lock-timeout", "3s"], "relation").await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(busy, "apply waited on the lock: {err}");
    assert!(err.contains("lock_timeout 3s reached"), "{err}");
    assert!(err.contains("long_report"), "the blocker is named: {err}");
    assert!(
        pids.len() <= 2,
        "apply's session and at most one monitoring connection, saw {} backends: {pids:?}",
        pids.len()
    );
    holder.batch_execute("ROLLBACK").await.unwrap();
    assert!(!legacy_exists(&db).await, "nothing changed");

    // A statement that runs about 3 s without waiting for a lock: the watcher looks for
    // blockers every half second all along. (Before the lock wait above: `plan` itself waits,
    // without a timeout, for a table with a CHECK constraint that another session locked.)
    db.exec("INSERT INTO t VALUES (1), (2), (3), (4), (5), (6)")
        .await;
    let slow = ONE_COLUMN.replace(
        "primary_key {",
        "check \"slow\" {\n    expr = \"(pg_sleep(0.5))::text IS NOT NULL\"\n  }\n  primary_key {",
    );
    let src = db.write("slow.hcl", &slow);
    let (out, pids, busy) = apply_sampling_backends(&db, &src, &[], "PgSleep").await;
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(busy, "the statement was seen running");
    assert!(
        pids.len() <= 2,
        "apply's session and at most one monitoring connection, saw {} backends: {pids:?}",
        pids.len()
    );
}

/// A lock-timeout report shows a blocker's query with its constants replaced (no values of
/// another session's data); `--verbose` shows it in full.
#[tokio::test]
async fn verbose_lock_report_shows_the_blockers_full_query() {
    let db = TestDb::new("safety_verbose").await;
    db.apply(ONE_COLUMN).await;
    let holder = strata::postgres::connect::DbUrl::parse(&db.url)
        .unwrap()
        .connect()
        .await
        .unwrap();
    holder
        .batch_execute(
            "BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE; SELECT 'card-4111111111111111' AS secret",
        )
        .await
        .unwrap();
    let src = db.write("schema.hcl", TWO_COLUMNS);
    let run = |extra: &'static [&'static str]| {
        let args = args(&db, &src);
        tokio::task::spawn_blocking(move || {
            strata()
                .args(extra)
                .args(args)
                .args(["apply", "-auto-approve", "--lock-timeout", "1s"])
                .output()
                .unwrap()
        })
    };
    let out = run(&[]).await.unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("lock_timeout 1s reached"), "{err}");
    assert!(err.contains("last query: "), "{err}");
    assert!(!err.contains("4111111111111111"), "no value leaks: {err}");
    let out = run(&["--verbose"]).await.unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("SELECT 'card-4111111111111111' AS secret"),
        "--verbose shows the full query: {err}"
    );
    holder.batch_execute("ROLLBACK").await.unwrap();
    assert!(!legacy_exists(&db).await, "nothing changed");
}

/// Reading the catalog waits for an ACCESS EXCLUSIVE lock on a table with a CHECK constraint
/// (PostgreSQL deparses the check under the table's lock). `plan` used to hang for as long as
/// another session held it; now it gives up after the env's `lock_timeout`, names the holder
/// and the table, and works again once the lock is gone.
#[tokio::test]
async fn plan_gives_up_on_a_locked_catalog_and_names_the_holder() {
    let db = TestDb::new("safety_inspect_lock").await;
    db.exec("CREATE TABLE \"Orders\" (id bigint PRIMARY KEY, qty int CHECK (qty > 0))")
        .await;
    let src = db.write(
        "schema.hcl",
        r#"
schema "public" {}
table "Orders" {
  schema = schema.public
  column "id" { type = bigint }
  column "qty" {
    type = int
    null = true
  }
  primary_key { columns = [column.id] }
  check "Orders_qty_check" { expr = "(qty > 0)" }
}
"#,
    );
    let env = db.write(
        "env.hcl",
        &format!(
            "env \"prod\" {{\n  url = \"{}\"\n  dev = \"{}\"\n  src = [\"{}\"]\n  lock_timeout = \"1s\"\n}}\n",
            db.url,
            base_url(),
            src.display()
        ),
    );
    let run = |extra: &'static [&'static str]| {
        let env = env.clone();
        tokio::task::spawn_blocking(move || {
            let started = std::time::Instant::now();
            let out = strata()
                .args(["--config", &env.display().to_string(), "--env", "prod"])
                .args(extra)
                .timeout(Duration::from_secs(60))
                .output()
                .unwrap();
            (out, started.elapsed())
        })
    };
    let holder = strata::postgres::connect::DbUrl::parse(&db.url)
        .unwrap()
        .connect()
        .await
        .unwrap();
    holder
        .batch_execute(
            "SET application_name = 'nightly_rewrite'; BEGIN; \
             LOCK TABLE \"Orders\" IN ACCESS EXCLUSIVE MODE",
        )
        .await
        .unwrap();
    let holder_pid = db
        .query("SELECT pid FROM pg_stat_activity WHERE application_name = 'nightly_rewrite'")
        .await;
    for command in [&["plan"][..], &["inspect"][..]] {
        let (out, took) = run(command).await.unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{command:?}: {err}");
        assert!(took < Duration::from_secs(30), "{command:?} took {took:?}");
        assert!(err.contains("lock_timeout 1s"), "{err}");
        assert!(
            err.contains(&format!("pid {}", holder_pid[0])) && err.contains("nightly_rewrite"),
            "the holder is named: {err}"
        );
        assert!(err.contains("\"Orders\""), "the table is named: {err}");
    }
    holder.batch_execute("ROLLBACK").await.unwrap();
    let (out, _) = run(&["plan"]).await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("No changes"), "{stdout}");
}
