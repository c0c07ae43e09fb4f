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
