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
