//! Snapshots of what reviewers read: the human plan, the SQL script.

use strata::hcl::{LoadOptions, SourceFile, load};
use strata::plan::{self, PlanContext};
use strata::render::{self, Painter};

fn model(text: &str) -> strata::model::Model {
    load(
        &[SourceFile::new("schema.hcl", text.to_string())],
        &LoadOptions::default(),
    )
    .expect("valid HCL")
    .model
}

fn plan(from: &str, to: &str) -> plan::Plan {
    let (a, b) = (model(from), model(to));
    let changes = strata::diff::diff(&a, &b).expect("diff");
    plan::build(
        &changes,
        &a,
        &b,
        &Default::default(),
        &PlanContext::default(),
    )
}

const BEFORE: &str = r#"
schema "public" {}
enum "status" {
  schema = schema.public
  values = ["active", "inactive"]
}
table "users" {
  schema = schema.public
  column "id" { type = bigint }
  column "email" { type = varchar(100) }
  column "legacy" {
    type = text
    null = true
  }
  column "age" {
    type = int
    null = true
  }
  primary_key { columns = [column.id] }
  index "users_email" { columns = [column.email] }
  index "users_old" { columns = [column.age] }
}
table "audit" {
  schema = schema.public
  column "id" { type = bigint }
}
"#;

const AFTER: &str = r#"
schema "public" {}
enum "status" {
  schema = schema.public
  values = ["active", "suspended", "inactive"]
}
table "users" {
  schema  = schema.public
  comment = "people"
  column "id" { type = bigint }
  column "email" { type = varchar(255) }
  column "age" { type = int }
  column "status" {
    type    = enum.status
    default = "active"
  }
  primary_key { columns = [column.id] }
  index "users_email" {
    columns = [column.email]
    unique  = true
  }
  index "users_age" { columns = [column.age] }
}
table "orders" {
  schema = schema.public
  column "id" { type = bigserial }
  column "user_id" { type = bigint }
  primary_key { columns = [column.id] }
  foreign_key "orders_user" {
    columns     = [column.user_id]
    ref_columns = [table.users.column.id]
    on_delete   = CASCADE
  }
}
"#;

#[test]
fn human_plan_for_changes() {
    let p = plan(BEFORE, AFTER);
    insta::assert_snapshot!(
        "human_changes",
        render::human::plan(&p, &Painter::new(false))
    );
}

#[test]
fn sql_plan_for_changes() {
    let p = plan(BEFORE, AFTER);
    insta::assert_snapshot!("sql_changes", render::sql(&p));
}

#[test]
fn human_plan_from_empty() {
    let p = plan("", BEFORE);
    insta::assert_snapshot!(
        "human_create",
        render::human::plan(&p, &Painter::new(false))
    );
    // The schema, the enum and two tables.
    assert_eq!(p.summary.add, 4);
}

#[test]
fn no_changes() {
    let p = plan(BEFORE, BEFORE);
    assert_eq!(
        render::human::plan(&p, &Painter::new(false)),
        "No changes. Your database matches the configuration.\n"
    );
}

#[test]
fn colors_mark_destruction_in_red() {
    let p = plan(BEFORE, AFTER);
    let colored = render::human::plan(&p, &Painter::new(true));
    // Bold red (1;31 in either order) around the data-loss marker.
    assert!(
        colored.contains("\u{1b}[31m-\u{1b}[0m"),
        "red minus for destroyed objects"
    );
    assert!(colored.contains("data loss (DS102)") || colored.contains("DS102"));
}

const VIEW_V1: &str = r#"
schema "public" {}
table "orders" {
  schema = schema.public
  column "id" { type = bigint }
  column "status" { type = text }
  column "total" { type = numeric }
}
view "open_orders" {
  schema = schema.public
  as     = <<-SQL
    SELECT o.id,
           o.total
      FROM public.orders o
     WHERE o.status = 'open'
       AND o.total > 0
     ORDER BY o.id
  SQL
}
"#;

#[test]
fn a_changed_view_query_is_shown_as_a_line_diff() {
    // The change sits past the first 72 characters, where the one-line summary is cut.
    let v2 = VIEW_V1.replace("o.status = 'open'", "o.status = 'pending'");
    let text = render::human::plan(&plan(VIEW_V1, &v2), &Painter::new(false));
    assert!(
        text.contains("~ as (lines changed)")
            && text.contains("-  WHERE o.status = 'open'")
            && text.contains("+  WHERE o.status = 'pending'")
            && text.contains("  FROM public.orders o")
            && !text.contains("~ as = "),
        "{text}"
    );
    insta::assert_snapshot!(text);
    // JSON carries the same diff.
    let json = render::json(&plan(VIEW_V1, &v2));
    assert!(json.contains("\"text_diffs\""), "{json}");
}

// ---- Markdown for pull requests -------------------------------------------------------------

use strata::lint::policy::{Level, Policy, Selector};
use strata::render::markdown;

/// Every fence that opens closes with the same fence, and every `<details>` closes.
fn assert_balanced(md: &str) {
    let mut open: Option<String> = None;
    for line in md.lines() {
        let t = line.trim_start();
        let ticks: String = t.chars().take_while(|c| *c == '`').collect();
        match &open {
            Some(f) if t == f => open = None,
            Some(_) => {}
            None if ticks.len() >= 3 => open = Some(ticks),
            None => {}
        }
    }
    assert!(open.is_none(), "a code fence is left open:\n{md}");
    assert_eq!(
        md.matches("<details>").count(),
        md.matches("</details>").count(),
        "{md}"
    );
}

#[test]
fn markdown_for_a_new_schema() {
    let md = markdown::plan(&plan("", BEFORE), &Policy::default(), &[]);
    assert!(
        md.contains("**Plan: 4 to add, 0 to change, 0 to destroy.**"),
        "{md}"
    );
    assert_balanced(&md);
    insta::assert_snapshot!("markdown_create", md);
}

#[test]
fn markdown_for_changes_marks_hazards_by_the_policy() {
    let mut policy = Policy::default();
    // One hazard allowed by code, so the three marks show.
    policy.force(
        Selector::parse("BC106").expect("a known code"),
        Level::Allow,
    );
    let p = plan(BEFORE, AFTER);
    let md = markdown::plan(&p, &policy, &[]);
    assert!(md.contains("| ✖ | DS102 | data loss | deny |"), "{md}");
    assert!(md.contains("| · | BC106 | compatibility | allow |"), "{md}");
    assert!(md.contains("| ! | MF104 | may fail | warn |"), "{md}");
    assert!(md.contains("<details><summary>3. Drop table"), "{md}");
    assert_balanced(&md);
    insta::assert_snapshot!("markdown_changes", md);
}

#[test]
fn markdown_without_changes() {
    let md = markdown::plan(&plan(BEFORE, BEFORE), &Policy::default(), &[]);
    insta::assert_snapshot!("markdown_no_changes", md);
}

#[test]
fn markdown_escapes_odd_names_in_table_cells() {
    let from = r#"
schema "public" {}
table "we|ird`name" {
  schema = schema.public
  column "old" { type = int }
}
"#;
    let md = markdown::plan(
        &plan(from, &from.replace("\"old\"", "\"a|b\"")),
        &Policy::default(),
        &[],
    );
    // The rename hint, its `moved` block as code.
    assert!(md.contains("#### Hints") && md.contains("```hcl"), "{md}");
    let row = md
        .lines()
        .find(|l| l.starts_with("| ``"))
        .unwrap_or_default();
    // Four unescaped pipes: the row's own cell borders.
    let borders = row.replace("\\|", "").matches('|').count();
    assert_eq!(borders, 4, "{row}");
    assert_balanced(&md);
    insta::assert_snapshot!("markdown_odd_names", md);
}

#[test]
fn markdown_stays_within_the_comment_limit() {
    let mut big = String::from("schema \"public\" {}\n");
    for t in 0..300 {
        big.push_str(&format!(
            "table \"table_with_a_long_name_{t}\" {{\n  schema = schema.public\n"
        ));
        for c in 0..12 {
            big.push_str(&format!(
                "  column \"column_with_a_long_name_{c}\" {{\n    type = varchar(100)\n    null = true\n  }}\n"
            ));
        }
        big.push_str("}\n");
    }
    let p = plan("", &big);
    let md = markdown::plan(&p, &Policy::default(), &[]);
    assert!(
        md.chars().count() <= markdown::COMMENT_LIMIT,
        "{}",
        md.len()
    );
    assert!(md.len() <= markdown::COMMENT_LIMIT, "{}", md.len());
    assert!(md.contains("> [!NOTE]"), "no note");
    assert!(md.contains("steps left out"), "{}", &md[md.len() - 400..]);
    assert!(md.contains("strata show"));
    assert_balanced(&md);
    // Whole steps: every step shown has its SQL and its end.
    let shown = md.matches("<details>").count();
    assert!(shown > 0 && shown < p.steps.len(), "{shown}");
    // A small limit cuts table rows too, still balanced.
    let small = markdown::plan_within(&p, &Policy::default(), &[], 4000);
    assert!(small.len() <= 4000, "{}", small.len());
    assert!(small.contains("object rows"), "{small}");
    assert_balanced(&small);
}
