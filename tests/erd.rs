//! `strata inspect --format mermaid|dot`: entity-relationship diagrams that stay valid whatever
//! the names, from schema files and from a live database.

mod common;

use common::{TestDb, strata};
use predicates::prelude::*;
use std::collections::HashSet;
use strata::hcl::{LoadOptions, SourceFile, load};
use strata::render::erd;

/// Names that need quoting everywhere: spaces, capitals, quotes, unicode, reserved words,
/// Mermaid's key words and characters its labels refuse.
const ODD: &str = r#"
schema "public" {}
schema "Sales Dept" {}
enum "Mood" {
  schema = schema["Sales Dept"]
  values = ["happy", "so-so", "100% \"fine\"", "pk"]
}
table "users" {
  schema = schema.public
  column "id" { type = bigint }
  column "select" { type = text }
  column "Ünïcødé naïve" {
    type = timestamptz
    null = true
  }
  column "manager" {
    type = bigint
    null = true
  }
  primary_key { columns = [column.id] }
  unique "users_select" { columns = [column.select] }
  foreign_key "reports_to" {
    columns     = [column.manager]
    ref_columns = [column.id]
  }
}
table "Order \"Items\"" {
  schema = schema["Sales Dept"]
  column "id" { type = int }
  column "user id" { type = bigint }
  column "pk" { type = numeric(10,2) }
  column "fk-x~y~z" {
    type = int
    null = true
  }
  column "mood" {
    type = enum.Mood
    null = true
  }
  column "owner%\\x" {
    type = bigint
    null = true
  }
  primary_key { columns = [column.id] }
  foreign_key "order→user" {
    columns     = [column["user id"]]
    ref_columns = [table.users.column.id]
  }
  foreign_key "owner" {
    columns     = [column["owner%\\x"]]
    ref_columns = [table.users.column.id]
  }
}
table "profile" {
  schema = schema.public
  column "user_id" { type = bigint }
  primary_key { columns = [column.user_id] }
  foreign_key "profile_user" {
    columns     = [column.user_id]
    ref_columns = [table.users.column.id]
  }
}
view "Big Orders" {
  schema = schema["Sales Dept"]
  as     = <<-SQL
    WITH o AS (SELECT * FROM "Sales Dept"."Order ""Items""")
    SELECT u.id, o.pk FROM o JOIN users u ON u.id = o."user id"
  SQL
}
"#;

fn model(text: &str) -> strata::model::Model {
    load(
        &[SourceFile::new("schema.hcl", text.to_string())],
        &LoadOptions::default(),
    )
    .expect("valid HCL")
    .model
}

/// Mermaid's attribute words: a letter, `_` or U+00C0 on first, then also digits and
/// `-()[].,`; never a bare key word.
fn attribute_word(w: &str) -> bool {
    let first = w
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c >= '\u{C0}');
    let rest = w
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_-()[].,".contains(c) || c >= '\u{C0}');
    // `PK`, `FK`, `UK` followed by a non-word character (or nothing) lex as a key.
    let lower = w.to_ascii_lowercase();
    let key = ["pk", "fk", "uk"].iter().any(|k| lower.starts_with(k))
        && !lower
            .chars()
            .nth(2)
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
    first && rest && !key
}

/// An entity id as the diagrams write them: `e`, digits, `_`, ASCII letters and digits.
fn entity_id(w: &str) -> bool {
    w.starts_with('e') && w.len() > 1 && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `"…"` that Mermaid's quoted names accept: no `"`, `%`, `\` or control characters.
fn quoted(s: &str) -> Option<&str> {
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    let ok = !inner.is_empty()
        && !inner
            .chars()
            .any(|c| c == '"' || c == '%' || c == '\\' || c.is_control());
    ok.then_some(inner)
}

/// Splits `ID["label"]` into the id.
fn entity_head(s: &str) -> Option<&str> {
    let (id, rest) = s.split_once('[')?;
    let label = rest.strip_suffix(']')?;
    (entity_id(id) && quoted(label).is_some()).then_some(id)
}

fn attribute_line(line: &str) -> bool {
    let (words, comment) = match line.find('"') {
        Some(i) => (&line[..i], Some(line[i..].trim_end())),
        None => (line, None),
    };
    // Two `~` make a generic type of the comment.
    if comment.is_some_and(|c| quoted(c).is_none() || c.matches('~').count() > 1) {
        return false;
    }
    let words: Vec<&str> = words.split_whitespace().collect();
    let [ty, name, keys @ ..] = words.as_slice() else {
        return false;
    };
    let keys = keys.join(" ");
    let keys_ok = keys.is_empty() || keys.split(", ").all(|k| ["PK", "FK", "UK"].contains(&k));
    attribute_word(ty) && attribute_word(name) && keys_ok
}

const CARDINALITIES_LEFT: [&str; 4] = ["|o", "||", "}o", "}|"];
const CARDINALITIES_RIGHT: [&str; 4] = ["o|", "||", "o{", "|{"];

/// `A card--card B : "role"` (or `..`): returns the two ids.
fn relationship(line: &str) -> Option<(&str, &str)> {
    let (head, role) = line.split_once(" : ")?;
    quoted(role)?;
    let parts: Vec<&str> = head.split(' ').collect();
    let [a, spec, b] = parts.as_slice() else {
        return None;
    };
    let (l, r) = spec.split_at_checked(2)?;
    let (rel, r) = r.split_at_checked(2)?;
    let ok = CARDINALITIES_LEFT.contains(&l)
        && ["--", ".."].contains(&rel)
        && CARDINALITIES_RIGHT.contains(&r);
    (ok && entity_id(a) && entity_id(b)).then_some((*a, *b))
}

/// A structural check of the `erDiagram` subset strata writes: the header, entity blocks whose
/// braces balance, attribute lines, relationships between declared entities.
fn check_mermaid(text: &str) {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("erDiagram"), "{text}");
    let mut declared = HashSet::new();
    let mut related = Vec::new();
    let mut in_block = false;
    for line in lines {
        if in_block {
            if line == "    }" {
                in_block = false;
            } else {
                let attr = line.strip_prefix("        ").unwrap_or("!");
                assert!(attribute_line(attr), "bad attribute line {line:?}\n{text}");
            }
            continue;
        }
        let body = line.strip_prefix("    ").unwrap_or("!");
        if let Some(head) = body.strip_suffix(" {") {
            let id = entity_head(head).unwrap_or_else(|| panic!("bad entity {line:?}"));
            assert!(declared.insert(id.to_string()), "{id} declared twice");
            in_block = true;
        } else if let Some(id) = entity_head(body) {
            assert!(declared.insert(id.to_string()), "{id} declared twice");
        } else if let Some((a, b)) = relationship(body) {
            related.push((a.to_string(), b.to_string()));
        } else {
            panic!("line outside the grammar: {line:?}\n{text}");
        }
    }
    assert!(!in_block, "an entity block is left open");
    for (a, b) in related {
        assert!(declared.contains(&a) && declared.contains(&b), "{a} {b}");
    }
}

#[test]
fn mermaid_of_odd_names_is_valid() {
    let text = erd::mermaid(&model(ODD));
    check_mermaid(&text);
    // Cardinality: a NOT NULL key refers to exactly one row, a nullable one to zero or one,
    // a unique one is referred to at most once; the view reads its two relations.
    assert!(text.contains("||--o{") && text.contains("|o--o{") && text.contains("||--o|"));
    assert_eq!(text.matches("}o..o{").count(), 2, "{text}");
    assert!(text.contains("timestamp_with_time_zone"), "{text}");
    insta::assert_snapshot!("mermaid_odd_names", text);
}

#[test]
fn dot_of_odd_names_is_valid() {
    let text = erd::dot(&model(ODD));
    assert!(text.starts_with("digraph schema {\n") && text.ends_with("}\n"));
    assert_eq!(text.matches('{').count(), text.matches('}').count());
    assert_eq!(text.matches("style=dashed").count(), 2, "{text}");
    insta::assert_snapshot!("dot_odd_names", text);
    match std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    {
        Ok(mut child) => {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(text.as_bytes())
                .expect("write to dot");
            let out = child.wait_with_output().expect("dot runs");
            assert!(
                out.status.success() && out.stderr.is_empty(),
                "dot: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Err(_) => eprintln!("graphviz's dot is not installed: the DOT is not rendered"),
    }
}

#[test]
fn inspect_renders_the_schema_files_without_a_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("schema.hcl");
    std::fs::write(&file, ODD).expect("write");
    let out = strata()
        .current_dir(dir.path())
        .args(["inspect", "--src", "schema.hcl", "--format", "mermaid"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf-8");
    check_mermaid(&text);
    assert_eq!(text, erd::mermaid(&model(ODD)));
    strata()
        .current_dir(dir.path())
        .args(["inspect", "--src", "schema.hcl", "--format", "dot"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("digraph schema {"));
    // The other formats read the files too; --schema cuts them.
    strata()
        .current_dir(dir.path())
        .args(["inspect", "--src", "schema.hcl", "--schema", "public"])
        .assert()
        .success()
        .stdout(predicate::str::contains("table \"users\""))
        .stdout(predicate::str::contains("Sales Dept").not());
}

#[tokio::test]
async fn inspect_draws_a_live_database() {
    let db = TestDb::new("erd").await;
    db.exec(
        "CREATE TABLE \"Odd Name\" (id int PRIMARY KEY, \"select\" text);
         CREATE TABLE child (id int PRIMARY KEY, parent int REFERENCES \"Odd Name\" (id));
         CREATE VIEW v AS SELECT c.id FROM child c JOIN \"Odd Name\" o ON o.id = c.parent;",
    )
    .await;
    let out = strata()
        .args(["--url", &db.url, "inspect", "--format", "mermaid"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf-8");
    check_mermaid(&text);
    assert!(text.contains("[\"public.Odd Name\"]"), "{text}");
    assert!(text.contains("|o--o{"), "{text}");
    assert_eq!(text.matches("}o..o{").count(), 2, "{text}");
    strata()
        .args(["--url", &db.url, "inspect", "--format", "dot"])
        .assert()
        .success()
        .stdout(predicate::str::contains("style=dashed"));
}
