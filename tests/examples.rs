//! The examples in `examples/` run the versioned workflow end to end (update models → migrate
//! diff → review → migrate apply → status), each in a copy of its own, against a test database.

mod common;
use common::{TestDb, base_url, strata};
use predicates::prelude::*;
use std::path::Path;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn ups(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.join("migrations"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".sql") && !n.ends_with(".down.sql"))
        .collect();
    v.sort();
    v
}

async fn workflow(example: &str, update: impl Fn(&Path)) {
    let db = TestDb::new(&format!("ex_{}", example.replace('-', "_"))).await;
    let project = db.path().join(example);
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(example),
        &project,
    );
    let run = |args: &[&str]| {
        let mut c = strata();
        c.current_dir(&project)
            .args(["--env", "dev", "--url", &db.url, "--dev-url", &base_url()])
            .args(args);
        c
    };
    let first = ups(&project);
    assert_eq!(first.len(), 1, "the example ships its first migration");
    // A fresh database: the example's migrations are pending.
    run(&["migrate", "status"]).assert().code(3);
    run(&["migrate", "validate"]).assert().success();
    // The shipped directory matches the shipped schema.
    run(&["migrate", "diff", "nothing"])
        .assert()
        .success()
        .stdout(predicate::str::contains("in sync"));
    run(&["migrate", "apply"]).assert().success();
    run(&["migrate", "status"]).assert().code(0);
    run(&["plan", "-detailed-exitcode"]).assert().code(0);
    // Update the models, write the migration, review it, apply it.
    update(&project);
    run(&["plan", "-detailed-exitcode"]).assert().code(2);
    run(&["migrate", "diff", "add_column"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Wrote"));
    let files = ups(&project);
    assert_eq!(files.len(), 2);
    let new = std::fs::read_to_string(project.join("migrations").join(&files[1])).unwrap();
    assert!(new.contains("ADD COLUMN"), "{new}");
    run(&["migrate", "lint"])
        .assert()
        .success()
        .stdout(predicate::str::contains(&files[1]));
    run(&["migrate", "status"])
        .assert()
        .code(3)
        .stdout(predicate::str::contains(&files[1]));
    run(&["migrate", "apply"])
        .assert()
        .success()
        .stdout(predicate::str::contains("1 migration(s)"));
    run(&["migrate", "status"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Migration status: OK"));
    run(&["plan", "-detailed-exitcode"]).assert().code(0);
}

fn replace_in(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from:?} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[tokio::test]
async fn sql_source_example() {
    workflow("sql-source", |dir| {
        replace_in(
            &dir.join("schema.sql"),
            "  created_at timestamptz NOT NULL DEFAULT now()\n",
            "  created_at timestamptz NOT NULL DEFAULT now(),\n  published_at timestamptz\n",
        )
    })
    .await;
}

#[tokio::test]
async fn program_source_example() {
    workflow("program-source", |dir| {
        replace_in(
            &dir.join("load_models.py"),
            "\"total_cents\": \"integer NOT NULL CHECK (total_cents >= 0)\",",
            "\"total_cents\": \"integer NOT NULL CHECK (total_cents >= 0)\",\n            \"note\": \"text\",",
        )
    })
    .await;
}
