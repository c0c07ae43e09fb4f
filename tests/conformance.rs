//! Real-world before/after pairs (../shared/conformance, from migra's test suite): migrate a
//! database loaded from `before.sql` to the schema of one loaded from `after.sql` with strata
//! only, then require an empty re-plan and equal `pg_dump --schema-only` output.
//!
//! `PASSING` lists the cases that must converge; the test fails when one of them regresses and
//! reports the others, so the list only grows. `UP_TO_COLUMN_ORDER` lists the cases whose
//! `after.sql` puts a new or re-created column before existing ones: PostgreSQL appends every
//! added column and only a table rewrite could reorder them (which strata, like every
//! ALTER-based tool, does not do), so there the dumps must be equal once each table's column
//! lines are sorted — and still differ only in that order.

mod common;
use common::{TestDb, column_order_free, dump};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use strata::postgres::connect::DbUrl;

/// Cases that converge today.
const PASSING: &[&str] = &[
    "collations",
    "constraints",
    "dependencies",
    "dependencies2",
    "dependencies3",
    "dependencies4",
    "dependencies__with_additions",
    "enumdefaults",
    "enumdeps",
    "everything",
    "everything__with_additions",
    "excludeschema",
    "extversions",
    "generated",
    "generated_added",
    "inherit",
    "inherit2",
    "partitioning",
    "privileges",
    "privileges__with_additions",
    "rls2",
    "seq",
    "triggers",
    "triggers2",
];

/// Cases equal except for the physical order of columns (see the module comment).
const UP_TO_COLUMN_ORDER: &[&str] = &[
    "identitycols",
    "singleschema",
    "singleschema_ext",
    "triggers3",
];

/// How closely a migrated database matches `after.sql`.
#[derive(Debug, PartialEq)]
enum Match {
    Identical,
    UpToColumnOrder,
    /// Refused at plan time with the expected message.
    Refused,
}

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/migra");
    p.is_dir().then_some(p)
}

fn psql_file(url: &str, file: &Path) -> Result<(), String> {
    let out = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f"])
        .arg(file)
        .output()
        .map_err(|e| format!("psql: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).to_string())
    }
}

async fn schemas_of(url: &str) -> Vec<String> {
    let c = DbUrl::parse(url).unwrap().connect().await.unwrap();
    c.query(
        "SELECT nspname::text FROM pg_namespace n WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')",
        &[],
    )
    .await
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

/// Runs one case; `Err` says why it does not converge.
async fn run_case(dir: &Path) -> Result<Match, String> {
    run_pair(&dir.join("before.sql"), &dir.join("after.sql"), None).await
}

/// Migrates a database loaded from `before` to the schema of one loaded from `after`. With
/// `refusal`, the plan must instead fail with an error containing that text.
async fn run_pair(before: &Path, after: &Path, refusal: Option<&str>) -> Result<Match, String> {
    let a = TestDb::new("conf_a").await;
    let b = TestDb::new("conf_b").await;
    psql_file(&a.url, before).map_err(|e| format!("loading before.sql: {e}"))?;
    psql_file(&b.url, after).map_err(|e| format!("loading after.sql: {e}"))?;
    let hcl = b.inspect_hcl().await;
    let src = a.write("b.hcl", &hcl);
    let mut settings = a.settings(&[src]);
    let mut schemas: BTreeSet<String> = schemas_of(&a.url).await.into_iter().collect();
    schemas.extend(schemas_of(&b.url).await);
    settings.schemas = schemas.into_iter().collect();
    let planned = strata::commands::prepare(&settings).await;
    if let Some(want) = refusal {
        return match planned {
            Err(e) if format!("{e:?}").contains(want) => Ok(Match::Refused),
            Err(e) => Err(format!("refused, but not with {want:?}: {e:?}")),
            Ok(p) => {
                let sql: Vec<&str> = p.plan.statements().collect();
                Err(format!(
                    "expected a plan-time refusal ({want:?}), got a plan: {}",
                    sql.join("; ")
                ))
            }
        };
    }
    let mut prepared = planned.map_err(|e| format!("plan: {e:?}"))?;
    a.apply_prepared(&mut prepared)
        .await
        .map_err(|e| format!("apply: {e}"))?;
    let again = strata::commands::prepare(&settings)
        .await
        .map_err(|e| format!("re-plan: {e:?}"))?;
    if !again.plan.is_empty() {
        let sql: Vec<&str> = again.plan.statements().collect();
        return Err(format!("re-plan not empty: {}", sql.join("; ")));
    }
    let (da, db) = (dump(&a.url), dump(&b.url));
    if da == db {
        return Ok(Match::Identical);
    }
    let relaxed = |d: &BTreeSet<String>| -> BTreeSet<String> {
        d.iter().map(|e| column_order_free(e)).collect()
    };
    let (ra, rb) = (relaxed(&da), relaxed(&db));
    if ra == rb {
        return Ok(Match::UpToColumnOrder);
    }
    let only_a: Vec<&String> = da.difference(&db).collect();
    let only_b: Vec<&String> = db.difference(&da).collect();
    Err(format!(
        "pg_dump differs:\n  only after migration: {only_a:?}\n  only in after.sql: {only_b:?}"
    ))
}

#[tokio::test]
async fn migra_pairs_converge() {
    let Some(root) = corpus() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "../shared/conformance is missing: CI must run the conformance corpus"
        );
        eprintln!("skipping: ../shared/conformance is not present in this checkout");
        return;
    };
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let mut passed = Vec::new();
    let mut reordered = Vec::new();
    let mut failed = Vec::new();
    for dir in &cases {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        match run_case(dir).await {
            Ok(Match::Identical) => passed.push(name),
            Ok(Match::UpToColumnOrder) => reordered.push(name),
            Ok(Match::Refused) => failed.push((name, "refused".into())),
            Err(why) => failed.push((name, why)),
        }
    }
    eprintln!(
        "conformance: {} of {} pairs converge to an identical pg_dump, {} more up to column order",
        passed.len(),
        cases.len(),
        reordered.len()
    );
    for name in &reordered {
        eprintln!("  COLUMN ORDER {name}");
    }
    let lost_order: Vec<&str> = UP_TO_COLUMN_ORDER
        .iter()
        .copied()
        .filter(|p| !reordered.iter().chain(&passed).any(|x| x == p))
        .collect();
    let unexpected: Vec<&String> = reordered
        .iter()
        .filter(|r| !UP_TO_COLUMN_ORDER.contains(&r.as_str()))
        .collect();
    if !unexpected.is_empty() {
        eprintln!("now converging up to column order, add to UP_TO_COLUMN_ORDER: {unexpected:?}");
    }
    for (name, why) in &failed {
        if std::env::var_os("STRATA_CONFORMANCE_VERBOSE").is_some() {
            eprintln!("  FAIL {name}: {why}");
        } else {
            eprintln!("  FAIL {name}: {}", why.lines().next().unwrap_or(""));
        }
    }
    let regressions: Vec<&str> = PASSING
        .iter()
        .copied()
        .filter(|p| !passed.iter().any(|x| x == p))
        .collect();
    let newly: Vec<&String> = passed
        .iter()
        .filter(|p| !PASSING.contains(&p.as_str()))
        .collect();
    if !newly.is_empty() {
        eprintln!("now converging, add to PASSING: {newly:?}");
    }
    let details: Vec<String> = failed
        .iter()
        .filter(|(n, _)| regressions.contains(&n.as_str()))
        .map(|(n, w)| format!("{n}: {w}"))
        .collect();
    assert!(
        regressions.is_empty() && lost_order.is_empty(),
        "conformance regressions: {lost_order:?}\n{}",
        details.join("\n")
    );
}

/// Our own pairs (`tests/fidelity/*.sql`: `-- before` and `-- after` sections), one or more per
/// family of attributes and per object kind's create/alter/drop. Each must converge to an
/// identical pg_dump with an empty re-plan, or — with a `-- expect-refusal: TEXT` line — be
/// refused at plan time with TEXT in the message. `PENDING` lists the pairs that do not pass yet;
/// the test fails when one of them starts passing (take it off the list) or another regresses.
const PENDING: &[&str] = &[];

fn split_pair(text: &str) -> (String, String, Option<String>) {
    let (mut before, mut after, mut refusal) = (String::new(), String::new(), None);
    let mut in_after = None;
    for line in text.lines() {
        match line.trim() {
            "-- before" => in_after = Some(false),
            "-- after" => in_after = Some(true),
            l if l.starts_with("-- expect-refusal:") => {
                refusal = Some(l["-- expect-refusal:".len()..].trim().to_string());
            }
            _ => match in_after {
                Some(false) => {
                    before.push_str(line);
                    before.push('\n');
                }
                Some(true) => {
                    after.push_str(line);
                    after.push('\n');
                }
                None => {}
            },
        }
    }
    (before, after, refusal)
}

/// The pairs run in two halves, side by side (each pair takes two databases and ~2 s).
#[tokio::test]
async fn own_pairs_converge_first_half() {
    own_pairs_converge(0).await;
}

#[tokio::test]
async fn own_pairs_converge_second_half() {
    own_pairs_converge(1).await;
}

async fn own_pairs_converge(half: usize) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fidelity");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 60, "only {} pairs", cases.len());
    let only = std::env::var("STRATA_FIDELITY_ONLY").ok();
    let tmp = tempfile::tempdir().unwrap();
    let (mut passed, mut failed) = (Vec::new(), Vec::new());
    for (i, case) in cases.iter().enumerate() {
        let name = case.file_stem().unwrap().to_string_lossy().to_string();
        if i % 2 != half || only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        let (before, after, refusal) = split_pair(&std::fs::read_to_string(case).unwrap());
        let (b, a) = (tmp.path().join("before.sql"), tmp.path().join("after.sql"));
        std::fs::write(&b, before).unwrap();
        std::fs::write(&a, after).unwrap();
        match run_pair(&b, &a, refusal.as_deref()).await {
            Ok(Match::Identical | Match::Refused) => passed.push(name),
            Ok(Match::UpToColumnOrder) => failed.push((name, "differs in column order".into())),
            Err(why) => failed.push((name, why)),
        }
    }
    eprintln!(
        "fidelity (half {half}): {} of {} pairs pass",
        passed.len(),
        passed.len() + failed.len()
    );
    for (name, why) in &failed {
        eprintln!("  FAIL {name}: {why}");
    }
    let regressions: Vec<&(String, String)> = failed
        .iter()
        .filter(|(n, _)| !PENDING.contains(&n.as_str()))
        .collect();
    let fixed: Vec<&String> = passed
        .iter()
        .filter(|n| PENDING.contains(&n.as_str()))
        .collect();
    assert!(
        regressions.is_empty() && fixed.is_empty(),
        "failing pairs: {:?}\nnow passing, take off PENDING: {fixed:?}",
        regressions.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
}

/// The dump comparison ignores the order of storage parameters (PostgreSQL keeps them as
/// given; it means nothing) and nothing else about them.
#[test]
fn option_lists_compare_without_order() {
    use common::sorted_options;
    assert_eq!(
        sorted_options("WITH (fillfactor='70', autovacuum_enabled='false') AS"),
        "WITH (autovacuum_enabled='false', fillfactor='70') AS"
    );
    assert_ne!(
        sorted_options("WITH (fillfactor='70', autovacuum_enabled='false')"),
        sorted_options("WITH (fillfactor='71', autovacuum_enabled='false')")
    );
    // Not an option list: left alone.
    assert_eq!(
        sorted_options("CREATE VIEW v WITH (b, a) AS"),
        "CREATE VIEW v WITH (b, a) AS"
    );
    assert_eq!(
        sorted_options("x WITH (a='),', b='1')"),
        "x WITH (a='),', b='1')"
    );
}

/// Pairs `strata diff` does not converge yet (see `migra_pairs_converge_through_diff`).
const DIFF_PENDING: &[&str] = &[];

/// `strata diff BEFORE_DB AFTER_DB --format sql`, applied to the first database with psql, gives
/// a database pg_dump-equal to the second (up to column order where `UP_TO_COLUMN_ORDER` says
/// so), and a second `diff` finds nothing: the two-database comparison converges on the same
/// pairs as `plan`, without HCL in between.
#[tokio::test]
async fn migra_pairs_converge_through_diff() {
    let Some(root) = corpus() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "../shared/conformance is missing: CI must run the conformance corpus"
        );
        eprintln!("skipping: ../shared/conformance is not present in this checkout");
        return;
    };
    let mut failed: Vec<(String, String)> = Vec::new();
    let mut checked = 0;
    for name in PASSING.iter().chain(UP_TO_COLUMN_ORDER) {
        let dir = root.join(name);
        let a = TestDb::new("diff_a").await;
        let b = TestDb::new("diff_b").await;
        psql_file(&a.url, &dir.join("before.sql")).expect("before.sql loads");
        psql_file(&b.url, &dir.join("after.sql")).expect("after.sql loads");
        checked += 1;
        let diff = |format: &str| {
            common::strata()
                .args(["--dev-url", &common::base_url(), "diff", &a.url, &b.url])
                .args(["--format", format])
                .output()
                .expect("run strata diff")
        };
        let out = diff("sql");
        if !matches!(out.status.code(), Some(0 | 2)) {
            failed.push((
                name.to_string(),
                format!("diff: {}", String::from_utf8_lossy(&out.stderr)),
            ));
            continue;
        }
        let script = a.write("diff.sql", &String::from_utf8_lossy(&out.stdout));
        if let Err(e) = psql_file(&a.url, &script) {
            failed.push((name.to_string(), format!("applying the diff: {e}")));
            continue;
        }
        let again = diff("sql");
        if again.status.code() != Some(0) {
            failed.push((
                name.to_string(),
                format!(
                    "second diff not empty: {}",
                    String::from_utf8_lossy(&again.stdout)
                ),
            ));
            continue;
        }
        let (da, db) = (dump(&a.url), dump(&b.url));
        let equal = if UP_TO_COLUMN_ORDER.contains(name) {
            let relaxed = |d: &BTreeSet<String>| -> BTreeSet<String> {
                d.iter().map(|e| column_order_free(e)).collect()
            };
            relaxed(&da) == relaxed(&db)
        } else {
            da == db
        };
        if !equal {
            let only_a: Vec<&String> = da.difference(&db).collect();
            let only_b: Vec<&String> = db.difference(&da).collect();
            failed.push((
                name.to_string(),
                format!("pg_dump differs: only migrated {only_a:?}, only target {only_b:?}"),
            ));
        }
    }
    eprintln!(
        "diff conformance: {} of {checked} pairs converge",
        checked - failed.len()
    );
    let unexpected: Vec<String> = failed
        .iter()
        .filter(|(n, _)| !DIFF_PENDING.contains(&n.as_str()))
        .map(|(n, w)| format!("{n}: {w}"))
        .collect();
    let fixed: Vec<&&str> = DIFF_PENDING
        .iter()
        .filter(|p| !failed.iter().any(|(n, _)| n == *p))
        .collect();
    assert!(
        unexpected.is_empty() && fixed.is_empty(),
        "diff regressions:\n{}\nnow converging (take off DIFF_PENDING): {fixed:?}",
        unexpected.join("\n")
    );
}
