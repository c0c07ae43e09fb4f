//! Schemas bigger than the server's shared lock table (issue 16): `plan` from an empty database
//! normalizes them in committed batches that fit, `plan` warns that the apply cannot run in one
//! transaction and names the setting, `apply` refuses up front, and once the tables exist
//! (created in small transactions) the plan is empty.
//!
//! Sized from the test server's own settings: enough tables that one transaction creating them
//! all would exceed `max_locks_per_transaction × (max_connections + max_prepared_transactions)`.

mod common;
use common::{TestDb, base_url, strata};
use predicates::prelude::*;
use std::time::Instant;

/// The lock table's size on the test server.
async fn lock_table_size(db: &TestDb) -> usize {
    let row = db
        .query(
            "SELECT current_setting('max_locks_per_transaction')::int8 * \
             (current_setting('max_connections')::int8 + \
              current_setting('max_prepared_transactions')::int8)",
        )
        .await;
    row[0].parse().unwrap()
}

/// A table with an identity primary key, a TOASTable column and an index: about seven lock
/// objects when created (table, TOAST table and index, sequence, key index and constraint,
/// index).
fn table_hcl(i: usize) -> String {
    format!(
        "table \"t{i:05}\" {{\n  schema = schema.public\n  column \"id\" {{\n    type = bigint\n    null = false\n    identity {{\n      generated = ALWAYS\n    }}\n  }}\n  column \"name\" {{\n    type = text\n    null = true\n  }}\n  primary_key {{\n    columns = [column.id]\n  }}\n  index \"t{i:05}_name_idx\" {{\n    columns = [column.name]\n  }}\n}}\n"
    )
}

fn table_sql(i: usize) -> String {
    format!(
        "CREATE TABLE public.t{i:05} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text);\n\
         CREATE INDEX t{i:05}_name_idx ON public.t{i:05} (name);\n"
    )
}

/// Scratch databases whose strata process (the pid in the name) has exited: left behind.
/// Other tests' live scratch databases on the same server do not count.
async fn leaked_scratch_databases(db: &TestDb) -> Vec<String> {
    db.query("SELECT datname FROM pg_database WHERE datname LIKE 'strata\\_scratch\\_%'")
        .await
        .into_iter()
        .filter(|name| {
            let pid = name.trim_start_matches("strata_scratch_").split('_').next();
            pid.is_some_and(|p| !std::path::Path::new(&format!("/proc/{p}")).exists())
        })
        .collect()
}

#[tokio::test]
async fn a_schema_bigger_than_the_lock_table_plans_and_apply_refuses_up_front() {
    let db = TestDb::new("scale").await;
    let slots = lock_table_size(&db).await;
    // ~7 lock objects per table: 2/5 of the slots in tables needs ~2.8 times the whole table
    // (6,400 slots: 2,560 tables).
    let n = slots * 2 / 5;
    let mut hcl = String::from("schema \"public\" {}\n");
    for i in 0..n {
        hcl.push_str(&table_hcl(i));
    }
    let src = db.write("s.hcl", &hcl);
    let args = [
        "--url",
        &db.url,
        "--dev-url",
        &base_url(),
        "--src",
        &src.display().to_string(),
    ];

    let started = Instant::now();
    let out = strata()
        .args(args)
        .args(["plan", "--no-color"])
        .timeout(std::time::Duration::from_secs(600))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "plan of {n} tables failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("plan of {n} tables from empty: {:?}", started.elapsed());
    assert!(stdout.contains(&format!("Plan: {n} to add, 0 to change, 0 to destroy.")));
    // The warning names the estimate, the exact setting and the restart.
    assert!(stdout.contains("Warning: this needs about "), "{stdout}");
    assert!(
        stdout.contains("`strata apply` will refuse this plan"),
        "{stdout}"
    );
    assert!(
        stdout.contains("set `max_locks_per_transaction = "),
        "{stdout}"
    );
    assert!(stdout.contains("restart the server"), "{stdout}");

    // apply refuses before asking or running anything.
    let started = Instant::now();
    strata()
        .args(args)
        .args(["apply", "-auto-approve"])
        .timeout(std::time::Duration::from_secs(600))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("this needs about "))
        .stderr(predicate::str::contains(
            "set `max_locks_per_transaction = ",
        ))
        .stderr(predicate::str::contains(
            "raise max_locks_per_transaction to at least",
        ))
        .stderr(predicate::str::contains("nothing was changed"));
    eprintln!("refused apply: {:?}", started.elapsed());
    assert_eq!(
        db.query("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")
            .await,
        vec!["0"],
        "nothing was created"
    );
    assert_eq!(
        leaked_scratch_databases(&db).await,
        Vec::<String>::new(),
        "the batched scratch databases are dropped"
    );

    // Created in transactions of 100 tables, the same schema plans as no changes.
    let started = Instant::now();
    for chunk in (0..n).collect::<Vec<_>>().chunks(100) {
        let sql: String = chunk.iter().map(|i| table_sql(*i)).collect();
        db.exec(&sql).await;
    }
    eprintln!("created {n} tables in batches: {:?}", started.elapsed());
    let started = Instant::now();
    strata()
        .args(args)
        .args(["plan", "--no-color", "--detailed-exitcode"])
        .timeout(std::time::Duration::from_secs(600))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No changes."))
        .stdout(predicate::str::contains("Warning:").not());
    eprintln!("re-plan: {:?}", started.elapsed());
}

/// Normalization in batches of ~65 locks: a chain of views, each reading the next, spans
/// batches, and a view that reads one of a later batch is retried there instead of failing the
/// plan. The batched plan applies (one transaction fits without the cap) and converges.
#[tokio::test]
async fn views_that_read_views_of_later_batches_are_retried() {
    let db = TestDb::new("scale_views").await;
    let mut hcl = String::from("schema \"public\" {}\n");
    for i in 0..40 {
        hcl.push_str(&table_hcl(i));
    }
    for i in 0..60 {
        let from = if i == 59 {
            "t00000".to_string()
        } else {
            format!("v{:02}", i + 1)
        };
        hcl.push_str(&format!(
            "view \"v{i:02}\" {{\n  schema = schema.public\n  as = \"SELECT id FROM {from}\"\n}}\n"
        ));
    }
    let src = db.write("s.hcl", &hcl);
    let args = [
        "--url",
        &db.url,
        "--dev-url",
        &base_url(),
        "--src",
        &src.display().to_string(),
    ];
    strata()
        .args(args)
        .args(["plan", "--format", "sql"])
        .env("STRATA_LOCK_BUDGET", "130")
        .assert()
        .success()
        .stdout(predicate::str::contains("CREATE VIEW \"public\".\"v00\""));
    strata()
        .args(args)
        .args(["apply", "-auto-approve"])
        .assert()
        .success();
    strata()
        .args(args)
        .args(["plan", "--detailed-exitcode"])
        .env("STRATA_LOCK_BUDGET", "130")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No changes."));
    assert_eq!(leaked_scratch_databases(&db).await, Vec::<String>::new());
}

/// In batches, a step PostgreSQL rejects is still reported with its statement and declaration
/// (after the other batches tried it again), and the scratch database is dropped.
#[tokio::test]
async fn an_invalid_table_in_a_batched_normalization_is_named() {
    let db = TestDb::new("scale_invalid").await;
    let mut hcl = String::from("schema \"public\" {}\n");
    for i in 0..40 {
        hcl.push_str(&table_hcl(i));
    }
    hcl.push_str(
        "table \"bad\" {\n  schema = schema.public\n  column \"id\" {\n    type = bigint\n  }\n  check \"nope\" {\n    expr = \"no_such_column > 0\"\n  }\n}\n",
    );
    let src = db.write("s.hcl", &hcl);
    strata()
        .args(["--url", &db.url, "--dev-url", &base_url()])
        .args(["--src", &src.display().to_string(), "plan"])
        .env("STRATA_LOCK_BUDGET", "130")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "PostgreSQL rejected the desired schema",
        ))
        .stderr(predicate::str::contains("no_such_column"))
        .stderr(predicate::str::contains("declared here: table.public.bad"));
    assert_eq!(leaked_scratch_databases(&db).await, Vec::<String>::new());
}
