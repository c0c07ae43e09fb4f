//! The catalog-coverage ledger (`src/postgres/coverage.rs`) against the live server: every
//! column of every listed catalog relation is accounted for, and the ledger names no column the
//! server lacks. Also PostgreSQL's keyword table against `quote::ident_if_needed`.

mod common;
use common::TestDb;
use strata::postgres::connect::DbUrl;
use strata::postgres::coverage::{Coverage, LEDGER, check};

#[tokio::test]
async fn every_catalog_column_is_modeled_or_listed() {
    let db = TestDb::new("coverage").await;
    let c = DbUrl::parse(&db.url).unwrap().connect().await.unwrap();
    let major: i32 = c
        .query_one(
            "SELECT current_setting('server_version_num')::int / 10000",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let names: Vec<String> = LEDGER.iter().map(|r| r.name.to_string()).collect();
    let rows = c
        .query(
            "SELECT c.relname::text, a.attname::text FROM pg_attribute a
             JOIN pg_class c ON c.oid = a.attrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'pg_catalog' AND c.relname = ANY($1)
               AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY 1, a.attnum",
            &[&names],
        )
        .await
        .unwrap();
    let live: Vec<(String, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    // A relation the server lacks shows up as its columns missing (unless they are versioned).
    if let Err(problems) = check(LEDGER, &live, major as u32) {
        panic!(
            "the catalog-coverage ledger is out of date (src/postgres/coverage.rs):\n  {}",
            problems.join("\n  ")
        );
    }
}

/// `quote::ident_if_needed` (keywords from pg_query's copy of PostgreSQL's table) quotes exactly
/// the keywords the server's `quote_ident` quotes, and agrees with it on a few plain names.
#[tokio::test]
async fn keywords_are_quoted_like_the_server_quotes_them() {
    let db = TestDb::new("keywords").await;
    let c = DbUrl::parse(&db.url).unwrap().connect().await.unwrap();
    let rows = c
        .query(
            "SELECT word, catcode::text, quote_ident(word) <> word FROM pg_get_keywords()
             UNION ALL
             SELECT w, '-', quote_ident(w) <> w
             FROM unnest(ARRAY['users', 'a$b', '_x1', 'Users', 'my type', 'x1']) AS w
             ORDER BY 1",
            &[],
        )
        .await
        .unwrap();
    assert!(
        rows.len() > 400,
        "pg_get_keywords() returned {}",
        rows.len()
    );
    let mut wrong = Vec::new();
    for r in &rows {
        let (word, category, quoted): (String, String, bool) = (r.get(0), r.get(1), r.get(2));
        let ours = strata::postgres::quote::ident_if_needed(&word) != word;
        if ours != quoted {
            wrong.push(format!(
                "{word} ({category}): the server quotes it: {quoted}, strata: {ours}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_relations_the_issue_names_are_listed() {
    for rel in [
        "pg_class",
        "pg_attribute",
        "pg_attrdef",
        "pg_constraint",
        "pg_index",
        "pg_sequence",
        "pg_type",
        "pg_enum",
        "pg_proc",
        "pg_trigger",
        "pg_policy",
        "pg_namespace",
        "pg_extension",
        "pg_collation",
        "pg_depend",
        "pg_inherits",
        "pg_partitioned_table",
        "pg_description",
    ] {
        assert!(LEDGER.iter().any(|r| r.name == rel), "{rel} is not listed");
    }
}

#[test]
fn the_checker_fails_on_a_missing_column() {
    // The real pg_enum, one column short of the ledger's entry.
    let enum_rel = LEDGER.iter().find(|r| r.name == "pg_enum").unwrap();
    let mut live: Vec<(String, String)> = enum_rel
        .columns
        .iter()
        .map(|(c, _)| ("pg_enum".to_string(), c.to_string()))
        .collect();
    let one = std::slice::from_ref(enum_rel);
    assert!(check(one, &live, 15).is_ok());
    live.push(("pg_enum".into(), "enumnewthing".into()));
    let err = check(one, &live, 15).unwrap_err();
    assert_eq!(err.len(), 1);
    assert!(err[0].contains("pg_enum.enumnewthing"), "{err:?}");
    live.retain(|(_, c)| c != "enumlabel" && c != "enumnewthing");
    let err = check(one, &live, 15).unwrap_err();
    assert!(err[0].contains("pg_enum.enumlabel"), "{err:?}");
}

#[test]
fn modeled_entries_stay_modeled() {
    let modeled = |rel: &str, col: &str| {
        LEDGER
            .iter()
            .find(|r| r.name == rel)
            .and_then(|r| r.columns.iter().find(|(c, _)| *c == col))
            .is_some_and(|(_, cov)| cov.is_modeled())
    };
    for (rel, col) in [
        ("pg_class", "relreplident"),
        ("pg_constraint", "connoinherit"),
        ("pg_constraint", "convalidated"),
        ("pg_sequence", "seqcache"),
        ("pg_attribute", "attstorage"),
        ("pg_attribute", "attcompression"),
        ("pg_attribute", "attstattarget"),
        ("pg_sequence", "seqcycle"),
    ] {
        assert!(modeled(rel, col), "{rel}.{col} should be modeled");
    }
}

#[test]
fn warned_entries_name_the_warning() {
    let warned: Vec<String> = LEDGER
        .iter()
        .flat_map(|r| {
            r.columns.iter().filter_map(move |(c, cov)| match cov {
                Coverage::Warned { attribute, .. } => Some(format!("{}.{c} {attribute}", r.name)),
                _ => None,
            })
        })
        .collect();
    for expected in [
        "pg_class.reltablespace tablespace",
        "pg_constraint.confmatchtype MATCH",
    ] {
        assert!(
            warned.iter().any(|w| w == expected),
            "{expected}: {warned:?}"
        );
    }
}
