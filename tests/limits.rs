//! Bad input that PostgreSQL would silently mangle, or that strata used to accept, is refused
//! up front with a clear error at file:line:column.

mod common;
use common::{TestDb, base_url, strata};
use predicates::prelude::*;

fn table(name: &str, columns: &str) -> String {
    format!("schema \"public\" {{}}\ntable \"{name}\" {{\n  schema = schema.public\n{columns}}}\n")
}

#[test]
fn names_over_63_bytes_are_load_errors() {
    let dir = tempfile::tempdir().unwrap();
    let long = "t".repeat(70);
    let col = format!("c{}", "é".repeat(32)); // 65 bytes, 33 characters
    std::fs::write(
        dir.path().join("s.hcl"),
        table(
            &long,
            &format!("  column \"{col}\" {{\n    type = int\n  }}\n"),
        ),
    )
    .unwrap();
    strata()
        .current_dir(dir.path())
        .args(["validate", "--src", "s.hcl"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!("table name \"{long}\"")))
        .stderr(predicate::str::contains(
            "bytes long; PostgreSQL allows at most 63",
        ))
        .stderr(predicate::str::contains("s.hcl:2:7"))
        .stderr(predicate::str::contains(format!("column name \"{col}\"")))
        .stderr(predicate::str::contains("is 65"));
    // 63 bytes is fine.
    std::fs::write(
        dir.path().join("s.hcl"),
        table(&"t".repeat(63), "  column \"a\" {\n    type = int\n  }\n"),
    )
    .unwrap();
    strata()
        .current_dir(dir.path())
        .args(["validate", "--src", "s.hcl"])
        .assert()
        .success();
}

#[test]
fn oversized_type_arguments_and_too_many_columns_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("s.hcl"),
        table(
            "t",
            "  column \"a\" {\n    type = varchar(4294967306)\n  }\n",
        ),
    )
    .unwrap();
    strata()
        .current_dir(dir.path())
        .args(["validate", "--src", "s.hcl"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "4294967306 is out of range for an argument of `varchar`",
        ));
    let columns: String = (0..1601)
        .map(|i| format!("  column \"c{i}\" {{\n    type = int\n  }}\n"))
        .collect();
    std::fs::write(dir.path().join("s.hcl"), table("wide", &columns)).unwrap();
    strata()
        .current_dir(dir.path())
        .args(["validate", "--src", "s.hcl"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "table \"public.wide\" has 1601 columns; PostgreSQL allows at most 1600",
        ));
}

#[test]
fn the_dev_database_cannot_be_the_target() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("s.hcl"),
        table("t", "  column \"a\" {\n    type = int\n  }\n"),
    )
    .unwrap();
    let url = "postgres://u:SECRET@127.0.0.1:1/app";
    strata()
        .current_dir(dir.path())
        .args(["--url", url, "--dev-url", url, "--src", "s.hcl", "plan"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is the target database"))
        .stderr(predicate::str::contains("SECRET").not());
}

#[test]
fn migrate_directory_errors_are_not_silent() {
    let dir = tempfile::tempdir().unwrap();
    strata()
        .current_dir(dir.path())
        .args([
            "--dev-url",
            &base_url(),
            "migrate",
            "--dir",
            "does_not_exist",
            "validate",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "migration directory does_not_exist does not exist",
        ));
    let m = dir.path().join("m");
    std::fs::create_dir_all(&m).unwrap();
    std::fs::write(m.join("1_a.sql"), "CREATE TABLE a (id int);\n").unwrap();
    std::fs::write(m.join("strata.sum"), [0xff, 0xfe, 0x00, 0x80, 0x81]).unwrap();
    strata()
        .current_dir(dir.path())
        .args([
            "--dev-url",
            &base_url(),
            "migrate",
            "--dir",
            "m",
            "validate",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot read"))
        .stderr(predicate::str::contains("no strata.sum").not());
    std::fs::write(
        m.join("1_a.sql"),
        "-- strata:txmode bogus\n\nCREATE TABLE a (id int);\n",
    )
    .unwrap();
    strata()
        .current_dir(dir.path())
        .args(["migrate", "--dir", "m", "hash"])
        .assert()
        .success();
    strata()
        .current_dir(dir.path())
        .args([
            "--dev-url",
            &base_url(),
            "migrate",
            "--dir",
            "m",
            "validate",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("unknown transaction mode `bogus`"))
        .stderr(predicate::str::contains("1_a.sql:1:"));
}

#[tokio::test]
async fn concurrent_index_in_a_txmode_none_file_is_not_pg101() {
    let db = TestDb::new("limits_pg101").await;
    let m = db.path().join("m");
    std::fs::create_dir_all(&m).unwrap();
    std::fs::write(m.join("1_a.sql"), "CREATE TABLE a (id int);\n").unwrap();
    std::fs::write(
        m.join("2_b.sql"),
        "-- strata:txmode none\n\nCREATE INDEX CONCURRENTLY a_id ON a (id);\n",
    )
    .unwrap();
    std::fs::write(m.join("3_c.sql"), "CREATE INDEX a_id2 ON a (id);\n").unwrap();
    strata()
        .current_dir(db.path())
        .args(["migrate", "--dir", "m", "hash"])
        .assert()
        .success();
    let out = strata()
        .current_dir(db.path())
        .args([
            "--dev-url",
            &base_url(),
            "migrate",
            "--dir",
            "m",
            "lint",
            "--latest",
            "2",
        ])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let pg101: Vec<&str> = text.lines().filter(|l| l.contains("PG101")).collect();
    assert!(
        pg101.iter().all(|l| !l.contains("2_b.sql")),
        "PG101 on the concurrent build: {text}"
    );
    assert!(
        text.contains("PG101"),
        "the plain CREATE INDEX must still be flagged: {text}"
    );
}

#[test]
fn errors_far_right_and_many_errors_print_without_panicking() {
    let dir = tempfile::tempdir().unwrap();
    // An error at column 70,000: miette cannot draw it; strata prints the location instead.
    std::fs::write(
        dir.path().join("long.hcl"),
        format!(
            "schema \"public\" {{}}\ntable \"t\" {{\n  schema = schema.public\n  comment = \"{}\" bogus = 1\n}}\n",
            "y".repeat(70_000)
        ),
    )
    .unwrap();
    strata()
        .current_dir(dir.path())
        .args(["validate", "--src", "long.hcl"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("long.hcl:4:70016"))
        .stderr(predicate::str::contains("panicked").not());
    // 400 errors: the first 50 are printed, the rest counted.
    let mut text = String::from("schema \"public\" {}\n");
    for i in 0..400 {
        text.push_str(&format!(
            "table \"t{i}\" {{\n  schema = schema.public\n  bogus = 1\n}}\n"
        ));
    }
    std::fs::write(dir.path().join("many.hcl"), text).unwrap();
    let out = strata()
        .current_dir(dir.path())
        .args(["validate", "--src", "many.hcl"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("400 errors in the schema files; the first 50 are shown, and 350 more"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("unknown attribute `bogus`").count(), 50);
}

#[test]
fn arithmetic_without_a_finite_result_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    for (expr, message) in [
        ("7/0", "division by zero"),
        ("7 % 0", "division by zero"),
        ("1e308 * 10", "arithmetic overflow"),
        ("\"${1/0}\"", "division by zero"),
        ("[for x in [0]: 1/x]", "division by zero"),
    ] {
        std::fs::write(
            dir.path().join("s.hcl"),
            format!(
                "schema \"public\" {{}}\ntable \"t\" {{\n  schema = schema.public\n  storage_params = {{ fillfactor = {expr} }}\n  column \"a\" {{\n    type = int\n  }}\n}}\n"
            ),
        )
        .unwrap();
        strata()
            .current_dir(dir.path())
            .args(["validate", "--src", "s.hcl"])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(message))
            .stderr(predicate::str::contains("s.hcl:4:"))
            .stderr(predicate::str::contains("panicked").not());
    }
}

/// 150 tables with keys and a foreign key each, a view over them and a policy for a role the
/// server does not have.
fn many_tables(n: usize) -> String {
    let mut hcl = String::from("schema \"public\" {}\n");
    for i in 0..n {
        hcl.push_str(&format!(
            "table \"t{i}\" {{\n  schema = schema.public\n  column \"id\" {{\n    type = bigint\n  }}\n  column \"name\" {{\n    type = text\n    null = true\n  }}\n  primary_key {{\n    columns = [column.id]\n  }}\n"
        ));
        if i > 0 {
            hcl.push_str(&format!(
                "  foreign_key \"t{i}_prev\" {{\n    columns = [column.id]\n    ref_columns = [table.t{}.column.id]\n  }}\n",
                i - 1
            ));
        }
        hcl.push_str("}\n");
    }
    hcl.push_str(
        "view \"v\" {\n  schema = schema.public\n  as = \"SELECT id FROM t0\"\n}\n\
         policy \"t0_mine\" {\n  on = table.t0\n  for = SELECT\n  to = [strata_lock_test_role]\n  using = \"true\"\n}\n",
    );
    hcl
}

#[tokio::test]
async fn schemas_bigger_than_the_lock_table_are_batched_or_refused() {
    let db = TestDb::new("locks").await;
    let src = db.write("s.hcl", &many_tables(150));
    let args = [
        "--url",
        &db.url,
        "--dev-url",
        &base_url(),
        "--src",
        &src.display().to_string(),
    ];
    let plan = |budget: Option<&str>| {
        let mut cmd = strata();
        cmd.args(args).args(["plan", "--format", "sql"]);
        if let Some(b) = budget {
            cmd.env("STRATA_LOCK_BUDGET", b);
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    // ~900 locks to normalize: in one scratch transaction, or in a scratch database filled in
    // transactions of at most 150 locks. Same plan either way.
    let whole = plan(None);
    assert!(
        whole.contains("CREATE TABLE \"public\".\"t149\""),
        "{whole}"
    );
    assert_eq!(plan(Some("300")), whole);
    let admin = TestDb::new("locks_admin").await;
    assert_eq!(
        admin
            .query("SELECT count(*) FROM pg_database WHERE datname LIKE 'strata\\_scratch\\_%'")
            .await,
        vec!["0"],
        "the batched scratch database is dropped"
    );
    assert_eq!(
        admin
            .query("SELECT count(*) FROM pg_roles WHERE rolname = 'strata_lock_test_role'")
            .await,
        vec!["0"],
        "the policy's role was created in a rolled-back transaction"
    );
    // The apply is one transaction: refused before anything runs, naming the setting.
    strata()
        .args(args)
        .args(["apply", "-auto-approve"])
        .env("STRATA_LOCK_BUDGET", "300")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("max_locks_per_transaction (").and(
            predicate::str::contains("raise max_locks_per_transaction to at least"),
        ))
        .stderr(predicate::str::contains("nothing was changed"));
    assert_eq!(
        db.query("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")
            .await,
        vec!["0"]
    );
}
