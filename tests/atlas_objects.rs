//! Atlas's `aggregate` and `event_trigger` blocks (issue 15, item 9): Atlas's spelling loads,
//! applies and re-plans to no changes (with the `pg_dump` oracle and the inspect round trip);
//! changes alter or recreate; drops carry their hazards; database-wide event triggers are
//! managed only with their function's schema.

mod common;
use common::TestDb;
use strata::render::Painter;
use strata::render::human;

fn shown(p: &strata::commands::Prepared) -> String {
    human::plan(&p.plan, &Painter::new(false))
}

fn sql(p: &strata::commands::Prepared) -> String {
    p.plan.statements().collect::<Vec<_>>().join(";\n")
}

fn codes(p: &strata::commands::Prepared) -> Vec<String> {
    p.plan.hazards().map(|(_, h)| h.code.clone()).collect()
}

const AGGREGATE: &str = r#"
schema "public" {}
function "sum_squares_sfunc" {
  schema = schema.public
  lang   = SQL
  arg "state" {
    type = double_precision
  }
  arg "v" {
    type = double_precision
  }
  return     = double_precision
  as         = "SELECT state + v * v"
  volatility = IMMUTABLE
}
function "sqrt_final" {
  schema = schema.public
  lang   = SQL
  arg {
    type = double_precision
  }
  return = double_precision
  as     = "SELECT sqrt($1)"
}
aggregate "sum_of_squares" {
  schema = schema.public
  arg {
    type = double_precision
  }
  state_type = double_precision
  state_func = function.sum_squares_sfunc
  EXTRA
}
"#;

fn aggregate(extra: &str) -> String {
    AGGREGATE.replace("EXTRA", extra)
}

#[tokio::test]
async fn atlas_aggregate_converges_changes_and_drops() {
    let db = TestDb::new("atlas_aggregate").await;
    // Atlas's documented example, as is.
    let hcl = db.assert_converges(&aggregate("")).await;
    assert!(hcl.contains("aggregate \"sum_of_squares\""), "{hcl}");
    assert!(
        hcl.contains("state_func = function.sum_squares_sfunc"),
        "{hcl}"
    );
    let full = aggregate(
        "initial_value = \"0\"\n  parallel = SAFE\n  final_func = function.sqrt_final\n  comment = \"root of the sum of squares\"",
    );
    db.assert_converges(&full).await;
    let v = db
        .query("SELECT sum_of_squares(x)::text FROM (VALUES (3.0::float8), (4.0)) t(x)")
        .await;
    assert_eq!(v, vec!["5".to_string()]);
    // A new initial value keeps the aggregate (and what uses it): CREATE OR REPLACE.
    let changed = full.replace("initial_value = \"0\"", "initial_value = \"9\"");
    let p = db.plan(&changed).await;
    assert!(
        sql(&p).contains(
            "CREATE OR REPLACE AGGREGATE \"public\".\"sum_of_squares\"(double precision)"
        ),
        "{}",
        sql(&p)
    );
    assert!(sql(&p).contains("INITCOND = '9'"), "{}", sql(&p));
    db.assert_converges(&changed).await;
    // A view over the aggregate: a new state type recreates both, in order.
    let with_view = format!(
        "{}\nview \"norms\" {{\n  schema = schema.public\n  as = \"SELECT sum_of_squares(x) AS n FROM (VALUES (1.0::double precision)) t(x)\"\n}}\n",
        changed
    );
    db.assert_converges(&with_view).await;
    // Without its final function the result type may change: the aggregate is dropped and
    // created again, and the view that uses it around it.
    let no_final = with_view.replace("final_func = function.sqrt_final", "");
    let p = db.plan(&no_final).await;
    let s = sql(&p);
    let at = |needle: &str| {
        s.find(needle)
            .unwrap_or_else(|| panic!("no {needle} in:\n{s}"))
    };
    assert!(at("DROP VIEW") < at("DROP AGGREGATE"), "{s}");
    assert!(at("DROP AGGREGATE") < at("CREATE AGGREGATE"), "{s}");
    assert!(at("CREATE AGGREGATE") < at("CREATE VIEW"), "{s}");
    db.assert_converges(&no_final).await;
    // Removing the block drops it, with BC103 (callers break).
    let p = db
        .plan(&aggregate("").replace("aggregate \"sum_of_squares\" {", "aggregate \"unused\" {"))
        .await;
    assert!(
        sql(&p).contains("DROP AGGREGATE \"public\".\"sum_of_squares\"(double precision)"),
        "{}",
        sql(&p)
    );
    assert!(codes(&p).contains(&"BC103".to_string()), "{}", shown(&p));
    let dropped = db
        .assert_converges(
            &aggregate("").replace("aggregate \"sum_of_squares\" {", "aggregate \"unused\" {"),
        )
        .await;
    assert!(!dropped.contains("sum_of_squares\""), "{dropped}");
}

#[tokio::test]
async fn aggregate_attributes_strata_does_not_model_are_warned() {
    let db = TestDb::new("atlas_aggregate_warn").await;
    db.exec(
        "CREATE AGGREGATE public.total(numeric) (SFUNC = numeric_add, STYPE = numeric, \
         COMBINEFUNC = numeric_add, SORTOP = >)",
    )
    .await;
    let p = db.plan("schema \"public\" {}\n").await;
    let warned: Vec<String> = p.warnings.iter().map(|w| w.message()).collect();
    assert!(
        warned
            .iter()
            .any(|w| w.contains("aggregate \"public.total\"") && w.contains("COMBINEFUNC")),
        "{warned:?}"
    );
    assert!(warned.iter().any(|w| w.contains("SORTOP")), "{warned:?}");
}

const EVENT_TRIGGER: &str = r#"
schema "public" {}
function "record_table_creation" {
  schema = schema.public
  lang   = PLpgSQL
  return = event_trigger
  as     = <<-SQL
  BEGIN
    RAISE NOTICE 'command %', tg_tag;
  END;
  SQL
}
event_trigger "record_table_creation" {
  on      = ddl_command_start
  tags    = TAGS
  execute = function.record_table_creation
  EXTRA
}
"#;

fn event_trigger(tags: &str, extra: &str) -> String {
    EVENT_TRIGGER.replace("TAGS", tags).replace("EXTRA", extra)
}

#[tokio::test]
async fn atlas_event_trigger_converges_changes_and_drops() {
    let db = TestDb::new("atlas_event_trigger").await;
    // Atlas's documented example, as is.
    let hcl = db
        .assert_converges(&event_trigger("[\"CREATE TABLE\"]", ""))
        .await;
    assert!(
        hcl.contains("event_trigger \"record_table_creation\""),
        "{hcl}"
    );
    assert!(
        hcl.contains("tags    = [\"CREATE TABLE\"]") || hcl.contains("tags = [\"CREATE TABLE\"]"),
        "{hcl}"
    );
    // New tags: dropped and created again (PostgreSQL cannot alter them).
    let tags = event_trigger("[\"create table\", \"ALTER TABLE\"]", "");
    let p = db.plan(&tags).await;
    let s = sql(&p);
    assert!(
        s.contains("DROP EVENT TRIGGER \"record_table_creation\""),
        "{s}"
    );
    assert!(
        s.contains("WHEN TAG IN ('ALTER TABLE', 'CREATE TABLE')"),
        "{s}"
    );
    db.assert_converges(&tags).await;
    // Enabled state and comment change in place.
    let disabled = event_trigger(
        "[\"ALTER TABLE\", \"CREATE TABLE\"]",
        "enabled = false\n  comment = \"audit\"",
    );
    let p = db.plan(&disabled).await;
    let s = sql(&p);
    assert!(
        s.contains("ALTER EVENT TRIGGER \"record_table_creation\" DISABLE"),
        "{s}"
    );
    assert!(!s.contains("DROP EVENT TRIGGER"), "{s}");
    let hcl = db.assert_converges(&disabled).await;
    assert!(hcl.contains("enabled = false"), "{hcl}");
    // Leaving it out of the files drops it, with SC104.
    let without = disabled
        .split("event_trigger \"record_table_creation\"")
        .next()
        .unwrap_or_default()
        .to_string();
    let p = db.plan(&without).await;
    assert!(
        sql(&p).contains("DROP EVENT TRIGGER \"record_table_creation\""),
        "{}",
        sql(&p)
    );
    assert!(codes(&p).contains(&"SC104".to_string()), "{}", shown(&p));
    db.assert_converges(&without).await;
}

#[tokio::test]
async fn event_triggers_of_unmanaged_schemas_are_left_alone() {
    let db = TestDb::new("atlas_event_trigger_scope").await;
    db.exec(
        "CREATE SCHEMA ops; \
         CREATE FUNCTION ops.guard() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$; \
         CREATE EVENT TRIGGER guard ON sql_drop EXECUTE FUNCTION ops.guard();",
    )
    .await;
    // The files manage `public` only: the event trigger of `ops` is not theirs to drop.
    let p = db.plan("schema \"public\" {}\n").await;
    assert!(p.plan.is_empty(), "{}", shown(&p));
}
