//! Migrating between schema versions: every kind of change applies, keeps the data it should, and
//! converges (re-plan empty, inspect → plan empty).

mod common;
use common::TestDb;

fn table(body: &str) -> String {
    format!("schema \"public\" {{}}\ntable \"t\" {{\n  schema = schema.public\n{body}\n}}\n")
}

async fn migrate(db: &TestDb, from: &str, to: &str, seed: &str) {
    db.assert_converges(from).await;
    if !seed.is_empty() {
        db.exec(seed).await;
    }
    let p = db.plan(to).await;
    assert!(
        !p.plan.is_empty(),
        "expected changes from\n{from}\nto\n{to}"
    );
    db.assert_converges(to).await;
}

#[tokio::test]
async fn add_and_drop_columns_keep_other_data() {
    let db = TestDb::new("cols").await;
    let v1 = table(
        "  column \"id\" { type = int }\n  column \"old\" {\n    type = text\n    null = true\n  }\n  primary_key { columns = [column.id] }",
    );
    let v2 = table(
        "  column \"id\" { type = int }\n  column \"new\" {\n    type    = text\n    default = \"x\"\n  }\n  primary_key { columns = [column.id] }",
    );
    db.assert_converges(&v1).await;
    db.exec("INSERT INTO t VALUES (1, 'a'), (2, 'b')").await;
    let p = db.plan(&v2).await;
    let codes: Vec<&str> = p.plan.hazards().map(|(_, h)| h.code.as_str()).collect();
    assert!(codes.contains(&"DS103"), "{codes:?}");
    assert!(p.plan.steps.iter().any(|s| s.is_destructive()));
    db.assert_converges(&v2).await;
    assert_eq!(
        db.query("SELECT id || ':' || new FROM t ORDER BY id").await,
        vec!["1:x", "2:x"]
    );
}

#[tokio::test]
async fn type_changes_convert_data() {
    let db = TestDb::new("types").await;
    let v1 = table(
        "  column \"a\" { type = int }\n  column \"b\" { type = text }\n  column \"c\" { type = varchar(10) }\n  column \"d\" {\n    type    = int\n    default = 7\n  }",
    );
    let v2 = table(
        "  column \"a\" { type = bigint }\n  column \"b\" { type = int }\n  column \"c\" { type = varchar(20) }\n  column \"d\" {\n    type    = text\n    default = \"seven\"\n  }",
    );
    db.assert_converges(&v1).await;
    db.exec("INSERT INTO t VALUES (1, '42', 'abc', 3)").await;
    let p = db.plan(&v2).await;
    let codes: Vec<String> = p.plan.hazards().map(|(_, h)| h.code.clone()).collect();
    assert!(
        codes.contains(&"DT101".to_string()),
        "text -> int may lose data: {codes:?}"
    );
    db.assert_converges(&v2).await;
    assert_eq!(
        db.query("SELECT a || ',' || (b + 1) || ',' || c || ',' || d FROM t")
            .await,
        vec!["1,43,abc,3"]
    );
}

#[tokio::test]
async fn nullability_and_defaults() {
    let db = TestDb::new("nulls").await;
    migrate(
        &db,
        &table("  column \"a\" {\n    type = int\n    null = true\n  }\n  column \"b\" {\n    type    = text\n    default = \"x\"\n  }\n  column \"c\" { type = timestamptz }"),
        &table("  column \"a\" { type = int }\n  column \"b\" {\n    type = text\n    null = true\n  }\n  column \"c\" {\n    type    = timestamptz\n    default = sql(\"now()\")\n  }"),
        "INSERT INTO t VALUES (1, 'y', now())",
    )
    .await;
}

#[tokio::test]
async fn identity_and_serial_conversions() {
    let db = TestDb::new("serial").await;
    let v1 = table(
        "  column \"a\" { type = serial }\n  column \"b\" { type = int }\n  column \"c\" { type = serial }\n  column \"d\" {\n    type = int\n    identity {\n      generated = BY_DEFAULT\n    }\n  }\n  column \"e\" { type = int }",
    );
    let v2 = table(
        "  column \"a\" { type = int }\n  column \"b\" { type = serial }\n  column \"c\" { type = bigserial }\n  column \"d\" {\n    type = int\n    identity {\n      generated = ALWAYS\n      start     = 100\n      increment = 2\n    }\n  }\n  column \"e\" {\n    type = int\n    identity {\n      generated = BY_DEFAULT\n    }\n  }",
    );
    db.assert_converges(&v1).await;
    db.exec("INSERT INTO t (b, e) VALUES (5, 1), (9, 2)").await;
    db.assert_converges(&v2).await;
    // The new serial continues after the existing values.
    db.exec("INSERT INTO t (a, d) OVERRIDING SYSTEM VALUE VALUES (0, 7)")
        .await;
    assert_eq!(db.query("SELECT max(b) FROM t").await, vec!["10"]);
    // Back again.
    db.assert_converges(&v1).await;
}

#[tokio::test]
async fn generated_columns() {
    let db = TestDb::new("generated").await;
    migrate(
        &db,
        &table("  column \"a\" { type = int }\n  column \"g\" {\n    type = int\n    as   = \"a * 2\"\n  }\n  column \"h\" {\n    type = int\n    as   = \"a + 1\"\n  }"),
        &table("  column \"a\" { type = int }\n  column \"g\" {\n    type = int\n    as   = \"a * 3\"\n  }\n  column \"h\" { type = int }"),
        "INSERT INTO t (a) VALUES (5)",
    )
    .await;
    assert_eq!(db.query("SELECT g || ',' || h FROM t").await, vec!["15,6"]);
}

#[tokio::test]
async fn primary_key_change_recreates_dependent_foreign_keys() {
    let db = TestDb::new("pk").await;
    let v1 = r#"
schema "public" {}
table "p" {
  schema = schema.public
  column "id" { type = int }
  column "code" { type = text }
  primary_key { columns = [column.id] }
  unique "p_code_key" { columns = [column.code] }
}
table "c" {
  schema = schema.public
  column "p_id" { type = int }
  column "p_code" { type = text }
  foreign_key "c_p" {
    columns     = [column.p_id]
    ref_columns = [table.p.column.id]
  }
  foreign_key "c_code" {
    columns     = [column.p_code]
    ref_columns = [table.p.column.code]
  }
}
"#;
    // The primary key gains a column; the unique constraint on code is rebuilt with INCLUDE; the
    // foreign key to id now targets a new unique constraint.
    let v2 = r#"
schema "public" {}
table "p" {
  schema = schema.public
  column "id" { type = int }
  column "code" { type = text }
  primary_key { columns = [column.id, column.code] }
  unique "p_code_key" {
    columns = [column.code]
    include = [column.id]
  }
  unique "p_id_key" { columns = [column.id] }
}
table "c" {
  schema = schema.public
  column "p_id" { type = int }
  column "p_code" { type = text }
  foreign_key "c_p" {
    columns     = [column.p_id]
    ref_columns = [table.p.column.id]
  }
  foreign_key "c_code" {
    columns     = [column.p_code]
    ref_columns = [table.p.column.code]
  }
}
"#;
    migrate(
        &db,
        v1,
        v2,
        "INSERT INTO p VALUES (1, 'a'); INSERT INTO c VALUES (1, 'a')",
    )
    .await;
    db.assert_converges(v1).await;
}

#[tokio::test]
async fn constraints_and_indexes_change() {
    let db = TestDb::new("idx").await;
    let v1 = table(
        "  column \"a\" { type = int }\n  column \"b\" {\n    type = text\n    null = true\n  }\n  index \"t_a\" { columns = [column.a] }\n  index \"t_b\" {\n    columns = [column.b]\n    where   = \"b <> ''\"\n  }\n  index \"old_name\" {\n    on {\n      expr = \"lower(b)\"\n    }\n  }\n  check \"a_pos\" { expr = \"a > 0\" }\n  check { expr = \"a < 1000\" }\n  unique \"t_a_key\" { columns = [column.a] }",
    );
    let v2 = table(
        "  column \"a\" { type = int }\n  column \"b\" {\n    type = text\n    null = true\n  }\n  index \"t_a\" {\n    columns = [column.a]\n    unique  = true\n  }\n  index \"t_b\" {\n    columns = [column.b]\n    where   = \"b <> 'x'\"\n  }\n  index \"new_name\" {\n    on {\n      expr = \"lower(b)\"\n    }\n  }\n  check \"a_pos\" { expr = \"a >= 0\" }\n  check { expr = \"a < 1000\" }",
    );
    db.assert_converges(&v1).await;
    let p = db.plan(&v2).await;
    let sql: Vec<&str> = p.plan.statements().collect();
    assert!(
        sql.iter()
            .any(|s| s.contains("ALTER INDEX") && s.contains("RENAME TO \"new_name\"")),
        "{sql:#?}"
    );
    db.assert_converges(&v2).await;
    db.assert_converges(&v1).await;
}

#[tokio::test]
async fn foreign_key_changes() {
    let db = TestDb::new("fkchg").await;
    let base = |fk: &str| {
        format!(
            "schema \"public\" {{}}\ntable \"a\" {{\n  schema = schema.public\n  column \"id\" {{ type = int }}\n  primary_key {{ columns = [column.id] }}\n}}\ntable \"b\" {{\n  schema = schema.public\n  column \"a_id\" {{\n    type = int\n    null = true\n  }}\n{fk}\n}}\n"
        )
    };
    let none = base("");
    let cascade = base(
        "  foreign_key \"b_a\" {\n    columns     = [column.a_id]\n    ref_columns = [table.a.column.id]\n    on_delete   = CASCADE\n  }",
    );
    let set_null = base(
        "  foreign_key \"b_a\" {\n    columns     = [column.a_id]\n    ref_columns = [table.a.column.id]\n    on_delete   = SET_NULL\n  }",
    );
    db.assert_converges(&none).await;
    db.exec("INSERT INTO a VALUES (1); INSERT INTO b VALUES (1)")
        .await;
    db.assert_converges(&cascade).await;
    db.assert_converges(&set_null).await;
    let p = db.plan(&none).await;
    assert!(p.plan.hazards().any(|(_, h)| h.code == "CD101"));
    db.assert_converges(&none).await;
}

#[tokio::test]
async fn enum_values_are_added_in_place() {
    let db = TestDb::new("enums").await;
    let e = |values: &str| {
        format!(
            "schema \"public\" {{}}\nenum \"s\" {{\n  schema = schema.public\n  values = [{values}]\n}}\ntable \"t\" {{\n  schema = schema.public\n  column \"s\" {{\n    type = enum.s\n  }}\n}}\n"
        )
    };
    db.assert_converges(&e("\"b\", \"d\"")).await;
    db.exec("INSERT INTO t VALUES ('b'), ('d')").await;
    db.assert_converges(&e("\"a\", \"b\", \"c\", \"d\", \"e\""))
        .await;
    assert_eq!(
        db.query("SELECT string_agg(v::text, ',' ORDER BY v) FROM unnest(enum_range(NULL::s)) v")
            .await,
        vec!["a,b,c,d,e"]
    );
}

/// A value added and used in the same apply: `ADD VALUE` runs committed before the
/// transaction. When the transaction then fails, the value stays, the report says so, and the
/// next plan holds only the rest.
#[tokio::test]
async fn enum_value_added_and_used_in_one_apply() {
    let db = TestDb::new("enum_use").await;
    let e = |values: &str, default: &str, extra: &str| {
        format!(
            "schema \"public\" {{}}\nenum \"s\" {{\n  schema = schema.public\n  values = [{values}]\n}}\ntable \"t\" {{\n  schema = schema.public\n  column \"s\" {{\n    type = enum.s\n    default = \"{default}\"\n  }}\n{extra}}}\n"
        )
    };
    db.assert_converges(&e("\"a\"", "a", "")).await;
    let p = db.assert_converges(&e("\"a\", \"b\"", "b", "")).await;
    drop(p);
    db.exec("INSERT INTO t VALUES ('a')").await;
    // A NOT NULL column without a default fails on the existing row: the transaction rolls
    // back, the new value "c" stays.
    let hcl = e(
        "\"a\", \"b\", \"c\"",
        "c",
        "  column \"n\" {\n    type = int\n  }\n",
    );
    let mut plan = db.plan(&hcl).await;
    assert_eq!(plan.plan.steps[0].phase, strata::plan::Phase::Before);
    let err = db.apply_prepared(&mut plan).await.unwrap_err();
    assert!(err.contains("committed first"), "{err}");
    assert_eq!(
        db.query("SELECT string_agg(v::text, ',' ORDER BY v) FROM unnest(enum_range(NULL::s)) v")
            .await,
        vec!["a,b,c"]
    );
    let again = db.plan(&hcl).await;
    assert!(
        again
            .plan
            .steps
            .iter()
            .all(|s| !s.description.contains("enum")),
        "{:?}",
        again.plan.steps
    );
}

#[tokio::test]
async fn enum_value_removal_rebuilds_the_type_under_a_default_and_a_view() {
    let db = TestDb::new("enumdrop").await;
    let schema = |values: &str, default: &str| {
        format!(
            r#"
schema "public" {{}}
enum "s" {{
  schema = schema.public
  values = [{values}]
}}
table "t" {{
  schema = schema.public
  column "id" {{ type = int }}
  column "s" {{
    type    = enum.s
    default = "{default}"
  }}
  column "tags" {{
    type = sql("s[]")
    null = true
  }}
}}
view "v" {{
  schema = schema.public
  as     = "SELECT id, s FROM t WHERE s IS NOT NULL"
}}
"#
        )
    };
    db.assert_converges(&schema("\"a\", \"b\", \"c\"", "a"))
        .await;
    db.exec("INSERT INTO t (id, s, tags) VALUES (1, 'a', '{a,c}'), (2, 'c', NULL)")
        .await;
    // Drop "b" and reorder.
    let next = schema("\"c\", \"a\"", "c");
    let p = db.plan(&next).await;
    assert!(
        p.plan.hazards().any(|(_, h)| h.code == "DS105"),
        "rebuild carries a hazard"
    );
    db.assert_converges(&next).await;
    assert_eq!(
        db.query("SELECT string_agg(v::text, ',' ORDER BY v) FROM unnest(enum_range(NULL::s)) v")
            .await,
        vec!["c,a"]
    );
    assert_eq!(db.query("SELECT string_agg(id || ':' || s || ':' || coalesce(tags::text, '-'), ' ' ORDER BY id) FROM t").await, vec!["1:a:{a,c} 2:c:-"]);
    // A row holding a value that disappears makes the apply fail, and nothing changes.
    let mut p = db.plan(&schema("\"a\"", "a")).await;
    let err = db.apply_prepared(&mut p).await.unwrap_err();
    assert!(err.contains("invalid input value for enum"), "{err}");
    assert_eq!(
        db.query("SELECT count(*) FROM pg_type WHERE typname LIKE 's__strata_old%'")
            .await,
        vec!["0"]
    );
}

#[tokio::test]
async fn drop_tables_enums_and_schemas() {
    let db = TestDb::new("drops").await;
    let full = r#"
schema "public" {}
schema "extra" {}
enum "e" {
  schema = schema.extra
  values = ["x"]
}
table "a" {
  schema = schema.extra
  column "id" { type = int }
  column "e" { type = enum.e }
  primary_key { columns = [column.id] }
}
table "b" {
  schema = schema.extra
  column "a_id" { type = int }
  foreign_key "b_a" {
    columns     = [column.a_id]
    ref_columns = [table.a.column.id]
  }
}
table "keep" {
  schema = schema.public
  column "id" { type = int }
}
"#;
    let small = "schema \"public\" {}\ntable \"keep\" {\n  schema = schema.public\n  column \"id\" { type = int }\n}\n";
    db.assert_converges(full).await;
    // Without listing "extra", strata leaves the schema alone.
    assert!(db.plan(small).await.plan.is_empty());
    let p = db.write("small.hcl", small);
    let mut s = db.settings(&[p]);
    s.schemas = vec!["public".into(), "extra".into()];
    let mut prepared = db.plan_settings(&s).await;
    let codes: Vec<&str> = prepared
        .plan
        .hazards()
        .map(|(_, h)| h.code.as_str())
        .collect();
    assert!(
        codes.contains(&"DS101") && codes.contains(&"DS102"),
        "{codes:?}"
    );
    db.apply_prepared(&mut prepared).await.unwrap();
    assert!(db.plan_settings(&s).await.plan.is_empty());
    assert_eq!(
        db.query("SELECT count(*) FROM pg_namespace WHERE nspname = 'extra'")
            .await,
        vec!["0"]
    );
}

#[tokio::test]
async fn comments_change_and_disappear() {
    let db = TestDb::new("cmt").await;
    migrate(
        &db,
        "schema \"public\" {}\ntable \"t\" {\n  schema  = schema.public\n  comment = \"one\"\n  column \"a\" {\n    type    = int\n    comment = \"col\"\n  }\n  index \"i\" {\n    columns = [column.a]\n    comment = \"ix\"\n  }\n}\n",
        "schema \"public\" {}\ntable \"t\" {\n  schema  = schema.public\n  comment = \"two\"\n  column \"a\" {\n    type = int\n  }\n  index \"i\" {\n    columns = [column.a]\n    comment = \"ix2\"\n  }\n}\n",
        "",
    )
    .await;
}

#[tokio::test]
async fn failing_statement_rolls_back_everything() {
    let db = TestDb::new("rollback").await;
    db.assert_converges(&table(
        "  column \"a\" {\n    type = int\n    null = true\n  }",
    ))
    .await;
    db.exec("INSERT INTO t VALUES (NULL)").await;
    // Adds a table (would succeed) and sets NOT NULL on a column holding NULL (fails).
    let v2 = "schema \"public\" {}\ntable \"new\" {\n  schema = schema.public\n  column \"x\" { type = int }\n}\ntable \"t\" {\n  schema = schema.public\n  column \"a\" { type = int }\n}\n";
    let mut p = db.plan(v2).await;
    let err = db.apply_prepared(&mut p).await.unwrap_err();
    assert!(err.contains("contains null values"), "{err}");
    assert!(
        err.contains("ALTER TABLE \"public\".\"t\""),
        "the error names the statement: {err}"
    );
    assert_eq!(
        db.query("SELECT count(*) FROM pg_tables WHERE tablename = 'new'")
            .await,
        vec!["0"],
        "nothing applied"
    );
}

#[tokio::test]
async fn stale_plan_is_refused() {
    let db = TestDb::new("stale").await;
    db.assert_converges(&table("  column \"a\" { type = int }"))
        .await;
    let mut p = db
        .plan(&table(
            "  column \"a\" { type = int }\n  column \"b\" {\n    type = int\n    null = true\n  }",
        ))
        .await;
    db.exec("ALTER TABLE t ADD COLUMN sneaky int").await;
    let err = db.apply_prepared(&mut p).await.unwrap_err();
    assert!(err.contains("changed since the plan was made"), "{err}");
}

/// What an online apply interrupted between building a key's index and adding the key leaves
/// behind (a valid unique index, no constraint): the next plan takes the index over with
/// `ADD CONSTRAINT … USING INDEX` (renaming it when needed) instead of dropping and rebuilding
/// it. An index that does not fit the key exactly (descending) is rebuilt.
#[tokio::test]
async fn keys_take_over_fitting_unique_indexes() {
    let db = TestDb::new("adopt_index").await;
    let cols = "  column \"id\" {\n    type = int\n  }\n  column \"email\" {\n    type = text\n  }\n  column \"code\" {\n    type = text\n  }\n";
    db.assert_converges(&table(cols)).await;
    db.exec(
        "INSERT INTO t VALUES (1, 'a', 'x'), (2, 'b', 'y');
         CREATE UNIQUE INDEX t_pkey ON t (id);
         CREATE UNIQUE INDEX t_email_idx ON t (email);
         CREATE UNIQUE INDEX t_code_key ON t (code DESC);",
    )
    .await;
    let want = table(&format!(
        "{cols}  primary_key {{\n    columns = [column.id]\n  }}\n  unique \"t_email_key\" {{\n    columns = [column.email]\n  }}\n  unique \"t_code_key\" {{\n    columns = [column.code]\n  }}\n"
    ));
    let p = db.plan(&want).await;
    let sql: Vec<&str> = p.plan.statements().collect();
    let all = sql.join(";\n");
    assert!(
        all.contains("ADD CONSTRAINT \"t_pkey\" PRIMARY KEY USING INDEX \"t_pkey\""),
        "{all}"
    );
    assert!(
        all.contains("ADD CONSTRAINT \"t_email_key\" UNIQUE USING INDEX \"t_email_idx\""),
        "{all}"
    );
    assert!(!all.contains("DROP INDEX \"public\".\"t_pkey\""), "{all}");
    assert!(
        !all.contains("DROP INDEX \"public\".\"t_email_idx\""),
        "{all}"
    );
    // The descending index does not fit a key: dropped, and the key built.
    assert!(
        all.contains("DROP INDEX \"public\".\"t_code_key\""),
        "{all}"
    );
    assert!(
        all.contains("ADD CONSTRAINT \"t_code_key\" UNIQUE (\"code\")"),
        "{all}"
    );
    let rendered = strata::render::human::plan(&p.plan, &strata::render::Painter::new(false));
    assert!(
        rendered.contains("takes over the existing unique index \"t_email_idx\""),
        "{rendered}"
    );
    db.assert_converges(&want).await;
    assert_eq!(
        db.query("SELECT string_agg(conname || '=' || conindid::regclass::text, ',' ORDER BY conname) FROM pg_constraint WHERE conrelid = 't'::regclass")
            .await,
        vec!["t_code_key=t_code_key,t_email_key=t_email_key,t_pkey=t_pkey"]
    );
    assert_eq!(db.query("SELECT count(*) FROM t").await, vec!["2"]);
}
