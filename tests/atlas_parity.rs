//! Files written for Atlas (issue 15): Atlas's spellings load, apply, and re-plan to no changes
//! against a real database, with both oracles (re-plan and `pg_dump` of a fresh build).

mod common;
use common::TestDb;
use strata::render::Painter;
use strata::render::human;

fn shown(p: &strata::commands::Prepared) -> String {
    human::plan(&p.plan, &Painter::new(false))
}

#[tokio::test]
async fn the_public_schema_comment_atlas_writes_is_no_change() {
    let db = TestDb::new("atlas_public").await;
    // Atlas's inspect writes PostgreSQL's default comment on `public`.
    let atlas = "schema \"public\" {\n  comment = \"standard public schema\"\n}\n";
    let p = db.plan(atlas).await;
    assert!(p.plan.is_empty(), "default comment planned:\n{}", shown(&p));
    // A comment of its own is still managed, and so is going back to the default.
    db.assert_converges("schema \"public\" {\n  comment = \"ours\"\n}\n")
        .await;
    let p = db.plan(atlas).await;
    assert!(
        !p.plan.is_empty(),
        "a custom comment went unnoticed against Atlas's default"
    );
    db.apply(atlas).await;
    assert!(db.plan(atlas).await.plan.is_empty());
}

const BRIN: &str = r#"
schema "public" {}
table "events" {
  schema = schema.public
  column "at" {
    type = timestamptz
    null = false
  }
  index "events_at" {
    columns        = [column.at]
    type           = BRIN
    page_per_range = PAGES
  }
}
"#;

#[tokio::test]
async fn brin_page_per_range_is_written_read_and_changed() {
    let db = TestDb::new("atlas_brin").await;
    db.assert_converges(&BRIN.replace("PAGES", "64")).await;
    let def = db
        .query("SELECT indexdef FROM pg_indexes WHERE indexname = 'events_at'")
        .await;
    assert!(
        def[0].contains("pages_per_range='64'"),
        "page_per_range not applied: {def:?}"
    );
    let changed = BRIN.replace("PAGES", "32");
    let p = db.plan(&changed).await;
    assert!(
        shown(&p).contains("pages_per_range"),
        "a page_per_range change went unnoticed:\n{}",
        shown(&p)
    );
    db.assert_converges(&changed).await;
    // Spelled twice is an error at the attribute, not a silent pick.
    let twice = BRIN.replace(
        "page_per_range = PAGES",
        "page_per_range = 8\n    storage_params = { pages_per_range = 16 }",
    );
    let path = db.write("twice.hcl", &twice);
    let err = strata::commands::prepare(&db.settings(&[path]))
        .await
        .err()
        .map(|e| format!("{e:?}"))
        .unwrap_or_default();
    assert!(err.contains("page_per_range"), "no error: {err}");
}

const VIEWS: &str = r#"
schema "public" {}
schema "sales" {}
table "users" {
  schema = schema.public
  column "id" {
    type = int
  }
  column "name" {
    type = text
    null = true
  }
  primary_key {
    columns = [column.id]
  }
}
table "orders" {
  schema = schema.sales
  column "id" {
    type = int
  }
}
view "clean_users" {
  schema = schema.public
  as     = <<-SQL
    SELECT u.id, u.name FROM ${table.users.name} AS u
  SQL
  depends_on = [table.users]
}
view "order_ids" {
  schema = schema.sales
  as     = "SELECT id FROM ${schema.sales.name}.${table.orders.name} UNION SELECT id FROM ${table.public.users.schema}.${view.clean_users.name}"
  depends_on = [table.orders, view.clean_users]
}
"#;

#[tokio::test]
async fn references_inside_strings_are_the_objects_names() {
    let db = TestDb::new("atlas_templates").await;
    db.assert_converges(VIEWS).await;
    let def = db
        .query("SELECT definition FROM pg_views WHERE viewname = 'order_ids'")
        .await;
    assert!(
        def[0].contains("sales.orders") && def[0].contains("clean_users"),
        "{def:?}"
    );
    // An object that is not declared is an error naming the reference, at the attribute.
    let bad = VIEWS.replace("${table.users.name} AS u", "${table.nobody.name} AS u");
    let path = db.write("bad.hcl", &bad);
    let err = strata::commands::prepare(&db.settings(&[path]))
        .await
        .err()
        .map(|e| format!("{e:?}"))
        .unwrap_or_default();
    assert!(
        err.contains("nobody"),
        "no error naming the reference: {err}"
    );
}

const BARE_TYPES: &str = r#"
schema "public" {}
extension "hstore" {}
extension "citext" {}
extension "ltree" {}
table "docs" {
  schema = schema.public
  column "attrs" {
    type = hstore
    null = true
  }
  column "email" {
    type = citext
  }
  column "path" {
    type = ltree
    null = true
  }
  column "tags" {
    type = sql("hstore[]")
    null = true
  }
}
"#;

#[tokio::test]
async fn bare_extension_types_load_as_postgresql_resolves_them() {
    let db = TestDb::new("atlas_bare").await;
    db.assert_converges(BARE_TYPES).await;
    let types = db
        .query(
            "SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod) FROM pg_attribute a \
             WHERE a.attrelid = 'public.docs'::regclass AND a.attnum > 0 ORDER BY a.attnum",
        )
        .await;
    assert_eq!(
        types,
        [
            "attrs hstore",
            "email citext",
            "path ltree",
            "tags hstore[]"
        ]
    );
    // A misspelled built-in type is still an error when the file loads.
    let typo = BARE_TYPES.replace("type = ltree", "type = intger");
    let path = db.write("typo.hcl", &typo);
    let err = strata::commands::prepare(&db.settings(&[path]))
        .await
        .err()
        .map(|e| format!("{e:?}"))
        .unwrap_or_default();
    assert!(
        err.contains("unknown type `intger`"),
        "no load error: {err}"
    );
}

const TWO_DOMAINS: &str = r#"
schema "app" {}
schema "other" {}
domain "positive_int" {
  schema = schema.app
  type   = integer
  check "pos" {
    expr = "VALUE > 0"
  }
}
domain "positive_int" {
  schema = schema.other
  type   = bigint
}
table "t" {
  schema = schema.app
  column "n" {
    type = sql("positive_int")
  }
  column "m" {
    type = positive_int
    null = true
  }
}
table "u" {
  schema = schema.other
  column "n" {
    type = sql("positive_int")
  }
}
"#;

#[tokio::test]
async fn an_unqualified_user_type_resolves_in_the_tables_schema_first() {
    let db = TestDb::new("atlas_scoped").await;
    let path = db.write("schema.hcl", TWO_DOMAINS);
    let mut s = db.settings(&[path]);
    s.schemas = vec!["app".into(), "other".into()];
    let mut p = db.plan_settings(&s).await;
    db.apply_prepared(&mut p).await.unwrap();
    assert!(db.plan_settings(&s).await.plan.is_empty());
    let types = db
        .query(
            "SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) \
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
             WHERE c.relname IN ('t', 'u') AND a.attnum > 0 ORDER BY 1",
        )
        .await;
    assert_eq!(
        types,
        [
            "t.m app.positive_int",
            "t.n app.positive_int",
            "u.n other.positive_int"
        ]
    );
}

#[tokio::test]
async fn a_declared_extension_installed_outside_the_managed_schemas_is_no_change() {
    let db = TestDb::new("atlas_ext").await;
    db.exec(
        "CREATE SCHEMA ext; CREATE EXTENSION citext SCHEMA ext; \
         CREATE EXTENSION hstore SCHEMA pg_catalog; CREATE EXTENSION ltree SCHEMA ext",
    )
    .await;
    let declared = "schema \"public\" {}\nextension \"citext\" {}\nextension \"hstore\" {}\n";
    let p = db.plan(declared).await;
    assert!(
        p.plan.is_empty(),
        "installed elsewhere, planned:\n{}",
        shown(&p)
    );
    // The plan's fingerprint is the scoped database's: a change still applies (no "the
    // database changed since the plan was made"), and the undeclared `ltree` outside the
    // scope is left alone.
    let more = format!(
        "{declared}table \"t\" {{\n  schema = schema.public\n  column \"id\" {{\n    type = int\n  }}\n}}\n"
    );
    db.apply(&more).await;
    assert!(db.plan(&more).await.plan.is_empty());
    let left = db
        .query("SELECT extname || ' ' || extnamespace::regnamespace FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1")
        .await;
    assert_eq!(left, ["citext ext", "hstore pg_catalog", "ltree ext"]);
}

const COMPOSITE: &str = r#"
schema "public" {}
composite "label" {
  schema = schema.public
  field "code" {
    type    = text
    collate = "C"
  }
  field "title" {
    type = text
  }
}
"#;

#[tokio::test]
async fn composite_field_collations_are_kept_and_changed() {
    let db = TestDb::new("atlas_composite").await;
    db.assert_converges(COMPOSITE).await;
    let coll = || async {
        db.query(
            "SELECT a.attname || ' ' || coalesce(co.collname, '-') FROM pg_attribute a \
             LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> 100 \
             WHERE a.attrelid = 'public.label'::regclass ORDER BY a.attnum",
        )
        .await
    };
    assert_eq!(coll().await, ["code C", "title -"]);
    let changed = COMPOSITE
        .replace("collate = \"C\"", "collate = \"POSIX\"")
        .replace(
            "field \"title\" {\n    type = text",
            "field \"title\" {\n    type    = text\n    collate = \"C\"",
        );
    let p = db.plan(&changed).await;
    assert!(shown(&p).contains("collate"), "{}", shown(&p));
    db.assert_converges(&changed).await;
    assert_eq!(coll().await, ["code POSIX", "title C"]);
}

#[test]
fn a_partition_key_with_both_columns_and_by_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schema.hcl");
    std::fs::write(
        &path,
        r#"
schema "public" {}
table "m" {
  schema = schema.public
  column "a" {
    type = int
  }
  column "b" {
    type = int
  }
  partition {
    type    = RANGE
    columns = [column.a]
    by {
      column = column.b
    }
  }
}
"#,
    )
    .unwrap();
    common::strata()
        .args(["validate", "--src"])
        .arg(&path)
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "partition takes `columns` or `by` blocks, not both",
        ));
}

/// Atlas's `for_each` meta-argument: a schema per tenant, each with its tables and index.
const TENANTS: &str = r#"
variable "tenants" {
  type    = list(string)
  default = ["acme", "globex"]
}
schema "tenant" {
  for_each = toset(var.tenants)
  name     = each.value
  comment  = "tenant ${each.key}"
}
table "users" {
  for_each = toset(var.tenants)
  schema   = schema.tenant[each.value]
  comment  = "users of ${each.value}"
  column "id" {
    type = int
    null = false
  }
  column "email" {
    type = text
  }
  primary_key {
    columns = [column.id]
  }
  index "users_email" {
    columns = [column.email]
    unique  = true
  }
}
table "orders" {
  for_each = toset(var.tenants)
  schema   = schema.tenant[each.value]
  column "id" {
    type = int
  }
  column "user_id" {
    type = int
  }
  foreign_key "orders_user" {
    columns     = [column.user_id]
    ref_columns = [table[each.value].users.column.id]
  }
}
"#;

#[tokio::test]
async fn for_each_makes_a_schema_per_tenant_that_converges() {
    let db = TestDb::new("atlas_foreach").await;
    db.assert_converges(TENANTS).await;
    let indexes = db
        .query("SELECT schemaname || '.' || indexname FROM pg_indexes WHERE indexname = 'users_email' ORDER BY 1")
        .await;
    assert_eq!(indexes, ["acme.users_email", "globex.users_email"]);
    let fks = db
        .query("SELECT conrelid::regclass::text FROM pg_constraint WHERE conname = 'orders_user' ORDER BY 1")
        .await;
    assert_eq!(fks, ["acme.orders", "globex.orders"]);
    // A new tenant is one more item.
    let more = TENANTS.replace(r#"["acme", "globex"]"#, r#"["acme", "globex", "initech"]"#);
    let p = db.plan(&more).await;
    assert!(shown(&p).contains("initech"), "{}", shown(&p));
    db.assert_converges(&more).await;
}

/// A map: `each.key` names the policy, `each.value` is its command; a list of references
/// repeats a trigger on several tables (Atlas's "computed triggers").
const MAP: &str = r#"
schema "public" {}
table "docs" {
  schema = schema.public
  column "owner" {
    type = text
  }
  row_security {
    enabled = true
  }
}
table "notes" {
  schema = schema.public
  column "owner" {
    type = text
  }
}
policy "docs" {
  for_each = { docs_read = "SELECT", docs_write = "INSERT" }
  name     = each.key
  on       = table.docs
  for      = each.value
  to       = ["PUBLIC"]
  using    = each.value == "SELECT" ? "(owner = CURRENT_USER)" : null
  check    = each.value == "INSERT" ? "(owner = CURRENT_USER)" : null
}
function "touch" {
  schema = schema.public
  lang   = PLpgSQL
  return = trigger
  as     = "BEGIN RETURN NEW; END"
}
trigger "touch" {
  for_each = [table.docs, table.notes]
  on       = each.value
  before {
    update = true
  }
  execute {
    function = function.touch
  }
}
"#;

#[tokio::test]
async fn for_each_over_a_map_and_references_converges() {
    let db = TestDb::new("atlas_foreach_map").await;
    db.assert_converges(MAP).await;
    let policies = db
        .query("SELECT policyname || ':' || cmd FROM pg_policies ORDER BY 1")
        .await;
    assert_eq!(policies, ["docs_read:SELECT", "docs_write:INSERT"]);
    let triggers = db
        .query("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'touch' ORDER BY 1")
        .await;
    assert_eq!(triggers, ["docs", "notes"]);
}

#[tokio::test]
async fn a_bad_for_each_is_an_error_at_its_value() {
    let db = TestDb::new("atlas_foreach_err").await;
    let bad = "schema \"tenant\" {\n  for_each = \"acme\"\n  name     = each.value\n}\n";
    let path = db.write("bad.hcl", bad);
    let err = strata::commands::prepare(&db.settings(&[path]))
        .await
        .err()
        .map(|e| format!("{e:?}"))
        .unwrap_or_default();
    assert!(err.contains("for_each must be a set or a map"), "{err}");
    assert!(err.contains("bad.hcl:2:14"), "{err}");
}
