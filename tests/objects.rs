//! Every object kind beyond tables: created from empty, changed, dropped, with dependents
//! recreated; after each apply the re-plan is empty and inspect → plan is empty.

mod common;
use common::TestDb;

/// A schema using every kind of object, written by hand.
const EVERYTHING: &str = include_str!("fixtures/everything.hcl");

#[tokio::test]
async fn every_object_kind_from_empty_and_back() {
    let db = TestDb::new("everything").await;
    let hcl = db.assert_converges(EVERYTHING).await;
    for needle in [
        "extension \"citext\"",
        "domain \"positive_int\"",
        "composite \"address\"",
        "sequence \"invoice_no\"",
        "function \"touch\"",
        "procedure \"archive\"",
        "trigger \"users_touch\"",
        "policy \"users_self\"",
        "exclude \"no_overlap\"",
        "partition_of",
        "materialized \"user_counts\"",
        "view \"adult_emails\"",
    ] {
        assert!(hcl.contains(needle), "inspect lost {needle}:\n{hcl}");
    }
    // Everything can be taken away again.
    let mut s = db.settings(&[db.write("empty.hcl", "schema \"public\" {}\n")]);
    s.schemas = vec!["public".into(), "app".into()];
    let mut p = db.plan_settings(&s).await;
    db.apply_prepared(&mut p).await.unwrap_or_else(|e| {
        panic!(
            "{e}\n{}",
            p.plan.statements().collect::<Vec<_>>().join(";\n")
        )
    });
    assert!(db.plan_settings(&s).await.plan.is_empty());
}

fn replace(s: &str, from: &str, to: &str) -> String {
    assert!(s.contains(from), "fixture lacks {from:?}");
    s.replace(from, to)
}

#[tokio::test]
async fn a_series_of_realistic_changes() {
    let db = TestDb::new("series").await;
    db.assert_converges(EVERYTHING).await;
    db.exec(
        "INSERT INTO app.users (email, age, during) VALUES ('a@x', 30, '[2025-01-01,2025-02-01)')",
    )
    .await;
    // 1. A function body changes: CREATE OR REPLACE, nothing else moves.
    let v1 = replace(
        EVERYTHING,
        "SELECT age >= \\\"limit\\\"",
        "SELECT age >= \\\"limit\\\" AND age < 200",
    );
    let p = db.plan(&v1).await;
    assert!(
        p.plan
            .statements()
            .any(|s| s.starts_with("CREATE OR REPLACE FUNCTION \"app\".\"is_adult\"")),
        "{:?}",
        p.plan.statements().collect::<Vec<_>>()
    );
    assert!(
        !p.plan.statements().any(|s| s.starts_with("DROP")),
        "a body change drops nothing"
    );
    db.assert_converges(&v1).await;
    // 2. A column type changes under a three-deep view chain (users → adults → adult_emails).
    let v2 = replace(&v1, "type = sql(\"public.citext\")", "type = text");
    let p = db.plan(&v2).await;
    let sql: Vec<&str> = p.plan.statements().collect();
    let pos = |needle: &str| {
        sql.iter()
            .position(|s| s.contains(needle))
            .unwrap_or_else(|| panic!("{needle} missing from {sql:#?}"))
    };
    assert!(pos("DROP VIEW \"app\".\"adult_emails\"") < pos("DROP VIEW \"app\".\"adults\""));
    assert!(pos("DROP VIEW \"app\".\"adults\"") < pos("TYPE text"));
    assert!(pos("TYPE text") < pos("CREATE VIEW \"app\".\"adults\""));
    assert!(pos("CREATE VIEW \"app\".\"adults\"") < pos("CREATE VIEW \"app\".\"adult_emails\""));
    let rendered = strata::render::human::plan(&p.plan, &strata::render::Painter::new(false));
    assert!(
        rendered.contains("recreated because it depends on"),
        "the plan says why:\n{rendered}"
    );
    db.assert_converges(&v2).await;
    // 3. The function under a check changes signature (integer → bigint): the check is dropped,
    //    the old function dropped, the new one created, the check added back.
    let v3 = replace(
        &replace(
            &v2,
            "arg \"age\" {\n    type = integer",
            "arg \"age\" {\n    type = bigint",
        ),
        "arg \"limit\" {\n    type    = integer",
        "arg \"limit\" {\n    type    = bigint",
    );
    db.assert_converges(&v3).await;
    // 4. The trigger moves to a new trigger function; the old one goes after the trigger.
    let v4 = replace(
        &replace(&v3, "function \"touch\" {", "function \"touch_v2\" {"),
        "function = function.touch",
        "function = function.touch_v2",
    );
    db.assert_converges(&v4).await;
    // 5. An enum value disappears under a column default and a policy.
    let v5 = replace(
        &replace(
            &v4,
            "values = [\"active\", \"suspended\"]",
            "values = [\"active\"]",
        ),
        "default = \"active\"",
        "default = \"active\"",
    );
    db.assert_converges(&v5).await;
    // 6. Policies, RLS, sequence options, domain checks, views options change.
    let v6 = replace(
        &replace(
            &replace(
                &replace(&v5, "using = \"status = 'active'\"", "using = \"true\""),
                "enabled = true\n  }",
                "enabled  = true\n    enforced = true\n  }",
            ),
            "increment = 10",
            "increment = 5",
        ),
        "expr = \"VALUE > 0\"",
        "expr = \"VALUE > 0 AND VALUE < 150\"",
    );
    db.assert_converges(&v6).await;
    // 7. A partition is detached and the view loses its check option.
    let v7 = replace(
        &replace(
            &v6,
            "table \"events_other\" {\n  schema       = schema.app\n  partition_of = table.events\n  bound        = \"DEFAULT\"\n}",
            "table \"events_other\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  column \"at\" {\n    type = timestamptz\n  }\n  column \"payload\" {\n    type = jsonb\n    null = true\n  }\n}",
        ),
        "  check_option     = LOCAL\n",
        "",
    );
    db.assert_converges(&v7).await;
    assert_eq!(
        db.query("SELECT count(*) FROM app.users").await,
        vec!["1"],
        "rows survive every step"
    );
}

#[tokio::test]
async fn trigger_states_and_constraint_triggers() {
    let db = TestDb::new("trig").await;
    let base = |extra: &str| {
        format!(
            r#"
schema "public" {{}}
table "t" {{
  schema = schema.public
  column "id" {{ type = int }}
}}
function "noop" {{
  schema = schema.public
  lang   = plpgsql
  return = trigger
  as     = "BEGIN RETURN NULL; END;"
}}
trigger "t_audit" {{
  on = table.t
  after {{
    insert = true
  }}
  for = STATEMENT
  referencing {{
    new_table = "added"
  }}
  execute {{
    function = function.noop
    args     = ["a", "b c"]
  }}
{extra}
}}
trigger "t_check" {{
  on         = table.t
  constraint = true
  deferrable = INITIALLY_DEFERRED
  after {{
    update = true
  }}
  for = ROW
  execute {{
    function = function.noop
  }}
}}
"#
        )
    };
    db.assert_converges(&base("")).await;
    db.assert_converges(&base("  enabled = false")).await;
    db.assert_converges(&base("  enabled = ALWAYS")).await;
    db.assert_converges(&base("")).await;
}

#[tokio::test]
async fn views_functions_and_types_in_odd_names() {
    let db = TestDb::new("oddobj").await;
    db.assert_converges(
        r#"
schema "public" {}
schema "My Schema" {}
table "My Table" {
  schema = schema["My Schema"]
  column "Some Col" { type = int }
}
view "My View" {
  schema = schema["My Schema"]
  as     = "SELECT \"Some Col\" FROM \"My Schema\".\"My Table\""
  column "Some Col" {
    comment = "a column of a view"
  }
}
function "Do It" {
  schema = schema["My Schema"]
  lang   = SQL
  arg "x y" {
    type = int
  }
  return = int
  as     = "SELECT $1 + 1"
}
domain "Strange Domain" {
  schema = schema["My Schema"]
  type   = text
}
"#,
    )
    .await;
}

#[tokio::test]
async fn view_triggers_come_back_once_when_the_view_is_recreated() {
    let db = TestDb::new("viewtrig").await;
    let schema = |ty: &str| {
        format!(
            r#"
schema "public" {{}}
table "items" {{
  schema = schema.public
  column "id" {{ type = int }}
  column "label" {{ type = {ty} }}
}}
view "items_v" {{
  schema = schema.public
  as     = "SELECT id, label FROM items"
}}
function "items_v_insert" {{
  schema = schema.public
  lang   = PLpgSQL
  return = trigger
  as     = "BEGIN INSERT INTO items VALUES (NEW.id, NEW.label); RETURN NEW; END"
}}
trigger "items_v_ins" {{
  on = view.items_v
  instead_of {{
    insert = true
  }}
  for = ROW
  execute {{
    function = function.items_v_insert
  }}
}}
"#
        )
    };
    db.assert_converges(&schema("varchar(10)")).await;
    // The column type under the view changes: view dropped and created again, its trigger once.
    let p = db.plan(&schema("text")).await;
    let creates = p
        .plan
        .statements()
        .filter(|s| s.starts_with("CREATE TRIGGER"))
        .count();
    assert_eq!(creates, 1, "{:?}", p.plan.statements().collect::<Vec<_>>());
    db.assert_converges(&schema("text")).await;
    db.exec("INSERT INTO items_v VALUES (1, 'x')").await;
    assert_eq!(db.query("SELECT label FROM items").await, vec!["x"]);
}

#[tokio::test]
async fn policy_expressions_removed_and_btree_exclusions() {
    let db = TestDb::new("polrm").await;
    let schema = |check: &str| {
        format!(
            r#"
schema "public" {{}}
table "docs" {{
  schema = schema.public
  column "id" {{ type = int }}
  column "owner" {{ type = text }}
  row_security {{
    enabled = true
  }}
  exclude "docs_one_per_owner" {{
    type = BTREE
    on {{
      column = column.owner
      op     = "="
    }}
  }}
}}
policy "docs_owner" {{
  on    = table.docs
  for   = ALL
  to    = [PUBLIC]
  using = "owner = current_user"
{check}}}
"#
        )
    };
    db.assert_converges(&schema("  check = \"owner = current_user\"\n"))
        .await;
    // Removing WITH CHECK cannot be done with ALTER POLICY: drop and create.
    let p = db.plan(&schema("")).await;
    let sql: Vec<&str> = p.plan.statements().collect();
    assert!(sql.iter().any(|s| s.starts_with("DROP POLICY")), "{sql:?}");
    assert!(
        sql.iter().any(|s| s.starts_with("CREATE POLICY")),
        "{sql:?}"
    );
    db.assert_converges(&schema("")).await;
}

#[tokio::test]
async fn domain_base_type_change_under_a_column_is_refused() {
    let db = TestDb::new("dombase").await;
    let schema = |ty: &str| {
        format!(
            "schema \"public\" {{}}\ndomain \"code\" {{\n  schema = schema.public\n  type   = {ty}\n}}\ntable \"t\" {{\n  schema = schema.public\n  column \"c\" {{ type = domain.code }}\n}}\n"
        )
    };
    db.assert_converges(&schema("text")).await;
    let p = db.write("schema.hcl", &schema("varchar(5)"));
    let err = match strata::commands::prepare(&db.settings(&[p])).await {
        Ok(_) => panic!("a base type change under a column must be refused"),
        Err(e) => format!("{e:?}"),
    };
    assert!(err.contains("cannot change while columns use it"), "{err}");
    assert!(err.contains("public.t.c"), "{err}");
}

#[test]
fn disabling_a_view_trigger_is_refused_by_the_loader() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("schema.hcl");
    std::fs::write(
        &src,
        r#"
schema "public" {}
table "t" {
  schema = schema.public
  column "id" { type = int }
}
view "v" {
  schema = schema.public
  as     = "SELECT id FROM t"
}
function "f" {
  schema = schema.public
  lang   = PLpgSQL
  return = trigger
  as     = "BEGIN RETURN NEW; END"
}
trigger "v_ins" {
  on = view.v
  instead_of {
    insert = true
  }
  for     = ROW
  enabled = false
  execute {
    function = function.f
  }
}
"#,
    )
    .unwrap();
    let out = common::strata()
        .args(["--src", &src.display().to_string(), "validate"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot disable a trigger on a view"), "{err}");
    assert!(err.contains("schema.hcl:23:3"), "{err}");
}

#[tokio::test]
async fn collations_create_comment_redefine_and_drop() {
    let db = TestDb::new("coll").await;
    let schema = |numeric: &str, extra: &str, column: &str| {
        format!(
            r#"
schema "public" {{}}
collation "numeric" {{
  schema   = schema.public
  provider = icu
  locale   = "{numeric}"
}}
collation "ci" {{
  schema        = schema.public
  provider      = icu
  locale        = "und-u-ks-level2"
  deterministic = false
  comment       = "case-insensitive"
}}
collation "Posix Copy" {{
  schema = schema.public
  locale = "POSIX"
}}
{extra}
table "t" {{
  schema = schema.public
  column "a" {{
    type    = text
    collate = "{column}"
  }}
  column "b" {{
    type    = text
    collate = "ci"
  }}
}}
"#
        )
    };
    let v1 = schema("en-u-kn-true", "", "numeric");
    let hcl = db.assert_converges(&v1).await;
    assert!(hcl.contains("collation \"ci\""), "{hcl}");
    assert!(hcl.contains("deterministic = false"), "{hcl}");
    // The collation really is in use, and non-deterministic.
    let eq = db
        .query("SELECT ('ABC' COLLATE \"ci\" = 'abc')::text")
        .await;
    assert_eq!(eq, vec!["true"]);
    // A second libc collation given by its parts, and the column moved onto it.
    let parts = "collation \"c2\" {\n  schema     = schema.public\n  lc_collate = \"C\"\n  lc_ctype  = \"C\"\n}\n";
    let v2 = schema("en-u-kn-true", parts, "c2");
    let p = db.plan(&v2).await;
    let sql: Vec<&str> = p.plan.statements().collect();
    let create = sql
        .iter()
        .position(|s| {
            s.starts_with("CREATE COLLATION \"public\".\"c2\" (provider = libc, locale = 'C')")
        })
        .unwrap_or_else(|| panic!("{sql:?}"));
    let alter = sql
        .iter()
        .position(|s| s.contains("COLLATE \"c2\""))
        .unwrap_or_else(|| panic!("{sql:?}"));
    assert!(create < alter, "{sql:?}");
    db.assert_converges(&v2).await;
    // Unused now: redefining `numeric` drops and creates it.
    let v3 = schema("de-u-kn-true", parts, "c2");
    let p = db.plan(&v3).await;
    let sql: Vec<&str> = p.plan.statements().collect();
    assert!(
        sql.iter()
            .any(|s| s.starts_with("DROP COLLATION \"public\".\"numeric\"")),
        "{sql:?}"
    );
    db.assert_converges(&v3).await;
    // In use: redefining `ci` is refused with the column named.
    let refused = v3.replace("und-u-ks-level2", "und-u-ks-level1");
    let p = db.write("schema.hcl", &refused);
    let err = match strata::commands::prepare(&db.settings(&[p])).await {
        Ok(_) => panic!("redefining a collation in use must be refused"),
        Err(e) => format!("{e:?}"),
    };
    assert!(err.contains("cannot change while it is in use"), "{err}");
    assert!(err.contains("public.t.b"), "{err}");
    // Comment changes in place; dropping an unused collation drops it.
    let v4 = v3.replace("case-insensitive", "ignores case").replace(
        "collation \"Posix Copy\" {\n  schema = schema.public\n  locale = \"POSIX\"\n}\n",
        "",
    );
    let p = db.plan(&v4).await;
    let sql: Vec<&str> = p.plan.statements().collect();
    assert!(
        sql.iter()
            .any(|s| s.starts_with("COMMENT ON COLLATION \"public\".\"ci\"")),
        "{sql:?}"
    );
    assert!(
        sql.iter()
            .any(|s| s.starts_with("DROP COLLATION \"public\".\"Posix Copy\"")),
        "{sql:?}"
    );
    assert!(
        !sql.iter()
            .any(|s| s.contains("DROP COLLATION \"public\".\"ci\"")),
        "{sql:?}"
    );
    db.assert_converges(&v4).await;
}

#[test]
fn a_collation_without_a_locale_is_a_load_error() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("schema.hcl");
    std::fs::write(
        &src,
        "schema \"public\" {}\ncollation \"x\" {\n  schema   = schema.public\n  provider = icu\n}\n",
    )
    .unwrap();
    let out = common::strata()
        .args(["--src", &src.display().to_string(), "validate"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("collation \"x\" needs `locale`"), "{err}");
    assert!(err.contains("schema.hcl:2:1"), "{err}");
    // A locale that is not a string is one error, not a second one about a missing locale.
    std::fs::write(
        &src,
        "schema \"public\" {}\ncollation \"x\" {\n  schema = schema.public\n  locale = 5\n}\n",
    )
    .unwrap();
    let out = common::strata()
        .args(["--src", &src.display().to_string(), "validate"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("`locale` must be a string"), "{err}");
    assert!(!err.contains("needs `locale`"), "{err}");
}

#[tokio::test]
async fn table_inheritance_lifecycle() {
    let db = TestDb::new("inherit").await;
    let base = |extra_parent_col: &str| {
        format!(
            r#"
schema "public" {{}}
table "base" {{
  schema = schema.public
  column "id" {{ type = bigserial }}
  column "kind" {{ type = text }}
  {extra_parent_col}
}}
"#
        )
    };
    let child = |name: &str, kind: &str, own: &str| {
        format!(
            r#"
table "{name}" {{
  schema   = schema.public
  inherits = [table.base]
  {own}
  check "{name}_kind" {{
    expr = "kind = '{kind}'"
  }}
  unique "{name}_id_kind" {{
    columns = [column.id, column.kind]
  }}
}}
"#
        )
    };
    // From empty: parents before children, constraints on inherited columns.
    let v1 = base("") + &child("a", "A", "") + &child("b", "B", "column \"note\" { type = text }");
    let hcl = db.assert_converges(&v1).await;
    assert!(hcl.contains("inherits = [table.base]"), "{hcl}");
    db.exec("INSERT INTO a (kind) VALUES ('A'); INSERT INTO b (kind, note) VALUES ('B', 'x')")
        .await;
    assert_eq!(db.query("SELECT count(*)::text FROM base").await, vec!["2"]);
    // A column added to the parent reaches the children; nothing is added to them directly.
    let v2 = base("column \"at\" {\n    type = timestamptz\n    null = true\n  }")
        + &child("a", "A", "")
        + &child("b", "B", "column \"note\" { type = text }");
    let p = db.plan(&v2).await;
    let sql: Vec<&str> = p.plan.statements().collect();
    assert_eq!(sql.len(), 1, "{sql:?}");
    assert!(sql[0].contains("\"base\" ADD COLUMN \"at\""), "{sql:?}");
    db.assert_converges(&v2).await;
    assert_eq!(
        db.query("SELECT count(*)::text FROM information_schema.columns WHERE column_name = 'at'")
            .await,
        vec!["3"]
    );
    // The parent drops `at` while `b` keeps one of its own: drop first, then add.
    let v3 = base("")
        + &child("a", "A", "")
        + &child(
            "b",
            "B",
            "column \"note\" { type = text }\n  column \"at\" {\n    type = timestamptz\n    null = true\n  }",
        );
    let p = db.plan(&v3).await;
    let sql: Vec<&str> = p.plan.statements().collect();
    let drop = sql
        .iter()
        .position(|s| s.contains("DROP COLUMN \"at\""))
        .unwrap_or_else(|| panic!("{sql:?}"));
    let add = sql
        .iter()
        .position(|s| s.contains("\"b\" ADD COLUMN \"at\""))
        .unwrap_or_else(|| panic!("{sql:?}"));
    assert!(drop < add, "{sql:?}");
    let ds103: Vec<&str> = p
        .plan
        .steps
        .iter()
        .flat_map(|s| &s.hazards)
        .filter(|h| h.code == "DS103")
        .map(|h| h.message.as_str())
        .collect();
    assert_eq!(ds103.len(), 1, "{ds103:?}");
    assert!(
        ds103[0].contains("in its child tables \"public\".\"a\", \"public\".\"b\""),
        "{ds103:?}"
    );
    db.assert_converges(&v3).await;
    // `b` leaves the parent and keeps its rows and columns; `c`, an existing table with the
    // parent's columns, joins it.
    let standalone_b = r#"
table "b" {
  schema = schema.public
  column "id" { type = bigint }
  column "kind" { type = text }
  column "note" { type = text }
  column "at" {
    type = timestamptz
    null = true
  }
  check "b_kind" {
    expr = "kind = 'B'"
  }
  unique "b_id_kind" {
    columns = [column.id, column.kind]
  }
}
"#;
    let c_alone = "table \"c\" {\n  schema = schema.public\n  column \"id\" { type = bigint }\n  column \"kind\" { type = text }\n}\n";
    let v4 = base("") + &child("a", "A", "") + standalone_b + c_alone;
    db.assert_converges(&v4).await;
    assert_eq!(db.query("SELECT count(*)::text FROM base").await, vec!["1"]);
    assert_eq!(db.query("SELECT note FROM b").await, vec!["x"]);
    let c_child = "table \"c\" {\n  schema   = schema.public\n  inherits = [table.base]\n  column \"id\" { type = bigint }\n  column \"kind\" { type = text }\n}\n";
    let v5 = base("") + &child("a", "A", "") + standalone_b + c_child;
    let p = db.plan(&v5).await;
    let sql: Vec<&str> = p.plan.statements().collect();
    assert!(
        sql.iter()
            .any(|s| s.contains("\"c\" INHERIT \"public\".\"base\"")),
        "{sql:?}"
    );
    db.assert_converges(&v5).await;
    // Dropping the parent and a child together: the child goes first.
    let v6 = standalone_b.to_string() + "schema \"public\" {}\n";
    let p = db.plan(&v6).await;
    let sql: Vec<&str> = p.plan.statements().collect();
    let child_drop = sql
        .iter()
        .position(|s| *s == "DROP TABLE \"public\".\"a\"")
        .unwrap_or_else(|| panic!("{sql:?}"));
    let parent_drop = sql
        .iter()
        .position(|s| *s == "DROP TABLE \"public\".\"base\"")
        .unwrap_or_else(|| panic!("{sql:?}"));
    assert!(child_drop < parent_drop, "{sql:?}");
    db.assert_converges(&v6).await;
}

#[test]
fn inherits_errors_point_at_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("schema.hcl");
    std::fs::write(
        &src,
        "schema \"public\" {}\ntable \"t\" {\n  schema   = schema.public\n  inherits = [table.nope]\n  column \"id\" { type = int }\n}\n",
    )
    .unwrap();
    let out = common::strata()
        .args(["--src", &src.display().to_string(), "validate"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("unresolved reference `table.nope`"), "{err}");
    assert!(err.contains("schema.hcl:4:15"), "{err}");
}

#[tokio::test]
async fn identity_column_on_a_parent_with_children_is_refused() {
    let db = TestDb::new("inherit_ident").await;
    let schema = |extra: &str| {
        format!(
            "schema \"public\" {{}}\ntable \"p\" {{\n  schema = schema.public\n  column \"a\" {{ type = int }}\n{extra}}}\ntable \"c\" {{\n  schema   = schema.public\n  inherits = [table.p]\n}}\n"
        )
    };
    db.assert_converges(&schema("")).await;
    let p = db.write(
        "schema.hcl",
        &schema("  column \"n\" {\n    type = bigint\n    identity {\n      generated = ALWAYS\n    }\n  }\n"),
    );
    let err = match strata::commands::prepare(&db.settings(&[p])).await {
        Ok(_) => panic!("PostgreSQL refuses this: strata must refuse at plan time"),
        Err(e) => format!("{e:?}"),
    };
    assert!(
        err.contains("identity column \"n\" cannot be added to \"public.p\""),
        "{err}"
    );
    assert!(err.contains("(public.c)"), "{err}");
    // The same column without identity works and reaches the child.
    db.assert_converges(&schema(
        "  column \"n\" {\n    type = bigint\n    null = true\n  }\n",
    ))
    .await;
    assert_eq!(
        db.query("SELECT count(*)::text FROM information_schema.columns WHERE table_name = 'c' AND column_name = 'n'")
            .await,
        vec!["1"]
    );
}

/// A value the database controls never panics strata: a NULL in a non-`Option`, a column of
/// another type or a missing column is an error naming the query and the column.
#[tokio::test]
async fn row_decoding_reports_the_column_instead_of_panicking() {
    use strata::postgres::rows::{Cols, col};
    let client = strata::postgres::connect::DbUrl::parse(&common::base_url())
        .unwrap()
        .connect()
        .await
        .expect("connect to the test server");
    let row = client
        .query_one(
            "SELECT NULL::text AS name, 1::int AS n, 'x'::text AS s",
            &[],
        )
        .await
        .unwrap();
    let null = col::<String, _>(&row, "name", "things").unwrap_err();
    assert_eq!(
        null.to_string(),
        "unexpected value in column 0 \"name\" (things): unexpected NULL"
    );
    let wrong = col::<i64, _>(&row, 1, "things").unwrap_err();
    assert_eq!(wrong.column, "1 \"n\"");
    assert!(wrong.reason.contains("int4"), "{}", wrong.reason);
    let missing = Cols::new(&row, "things").col::<i32>("nope").unwrap_err();
    assert_eq!(missing.detail(), "column \"nope\": no such column");
    let cols = Cols::new(&row, "things");
    assert_eq!(cols.col::<Option<String>>(0).unwrap(), None);
    assert_eq!(cols.col::<i32>("n").unwrap(), 1);
    assert_eq!(cols.col::<String>(2).unwrap(), "x");
    assert!(
        cols.col::<String>(3)
            .unwrap_err()
            .to_string()
            .contains("column 3 ")
    );
}

/// The catalog keeps a column's row where its last change put it, so a scan of pg_attribute
/// may give a table's columns out of order: inspect puts them back in attnum order.
#[tokio::test]
async fn columns_stored_out_of_order_are_read_in_order() {
    let db = TestDb::new("column_order").await;
    db.exec(
        "CREATE TABLE t (a int, b int, c int);
         ALTER TABLE t ALTER COLUMN a SET NOT NULL;
         ALTER TABLE t ALTER COLUMN b SET STATISTICS 10;",
    )
    .await;
    let c = strata::postgres::connect::DbUrl::parse(&db.url)
        .unwrap()
        .connect()
        .await
        .unwrap();
    // Scanned, not read through the (ordered) index, and the rows are out of order.
    c.batch_execute("SET enable_indexscan = off; SET enable_bitmapscan = off")
        .await
        .unwrap();
    let stored: Vec<String> = c
        .query(
            "SELECT attname::text FROM pg_attribute WHERE attrelid = 't'::regclass AND attnum > 0",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_ne!(stored, ["a", "b", "c"], "the catalog kept them in order");
    let m = strata::postgres::inspect::inspect(&c, &Default::default())
        .await
        .unwrap();
    let hcl = strata::hcl::writer::write(&m);
    let (a, b, cc) = (
        hcl.find("column \"a\"").unwrap(),
        hcl.find("column \"b\"").unwrap(),
        hcl.find("column \"c\"").unwrap(),
    );
    assert!(a < b && b < cc, "{hcl}");
}
