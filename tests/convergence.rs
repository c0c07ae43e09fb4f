//! Convergence for every feature: apply → plan is empty; inspect → plan is empty.

mod common;
use common::TestDb;

#[tokio::test]
async fn every_builtin_type() {
    let db = TestDb::new("types").await;
    db.assert_converges(
        r#"
schema "public" {}
table "t" {
  schema = schema.public
  column "a1" { type = int }
  column "a2" { type = integer }
  column "a3" { type = int2 }
  column "a4" { type = int8 }
  column "a5" { type = smallint }
  column "a6" { type = bigint }
  column "b1" { type = text }
  column "b2" { type = varchar(10) }
  column "b3" { type = varchar }
  column "b4" { type = char(3) }
  column "b5" { type = char }
  column "b6" { type = character_varying(20) }
  column "c1" { type = numeric(10, 2) }
  column "c2" { type = numeric(10) }
  column "c3" { type = numeric }
  column "c4" { type = decimal(5, 1) }
  column "c5" { type = real }
  column "c6" { type = double_precision }
  column "c7" { type = float(10) }
  column "c8" { type = float8 }
  column "d1" { type = boolean }
  column "d2" { type = bool }
  column "e1" { type = date }
  column "e2" { type = time }
  column "e3" { type = time(3) }
  column "e4" { type = timetz }
  column "e5" { type = timestamp }
  column "e6" { type = timestamp(0) }
  column "e7" { type = timestamptz }
  column "e8" { type = timestamptz(3) }
  column "e9" { type = interval }
  column "e10" { type = interval(2) }
  column "e11" { type = day_to_second(4) }
  column "e12" { type = year }
  column "f1" { type = uuid }
  column "f2" { type = json }
  column "f3" { type = jsonb }
  column "f4" { type = bytea }
  column "f5" { type = inet }
  column "f6" { type = cidr }
  column "f7" { type = macaddr }
  column "f8" { type = macaddr8 }
  column "f9" { type = bit(3) }
  column "f10" { type = bit_varying(8) }
  column "f11" { type = money }
  column "f12" { type = xml }
  column "f13" { type = tsvector }
  column "f14" { type = tsquery }
  column "g1" { type = point }
  column "g2" { type = box }
  column "g3" { type = circle }
  column "g4" { type = polygon }
  column "g5" { type = int4range }
  column "g6" { type = tstzrange }
  column "g7" { type = daterange }
  column "h1" { type = sql("int[]") }
  column "h2" { type = sql("varchar(255)[]") }
  column "h3" { type = sql("integer ARRAY") }
  column "h4" { type = sql("double precision[][]") }
  column "h5" { type = sql("timestamp with time zone") }
  column "h6" { type = sql("\"char\"") }
  column "h7" { type = sql("interval hour to minute") }
}
"#,
    )
    .await;
}

#[tokio::test]
async fn defaults_identity_serial_generated() {
    let db = TestDb::new("defaults").await;
    let hcl = db
        .assert_converges(
            r#"
schema "public" {}
enum "mood" {
  schema = schema.public
  values = ["happy", "sad", "it's complicated"]
}
table "t" {
  schema = schema.public
  column "id" {
    type = int
    identity {
      generated = BY_DEFAULT
      start     = 10
      increment = 5
    }
  }
  column "s1" { type = serial }
  column "s2" { type = bigserial }
  column "s3" { type = smallserial }
  column "d1" {
    type    = text
    default = "hello"
  }
  column "d2" {
    type    = int
    default = -1
  }
  column "d3" {
    type    = numeric
    default = 1.5
  }
  column "d4" {
    type    = boolean
    default = false
  }
  column "d5" {
    type    = timestamptz
    default = sql("CURRENT_TIMESTAMP")
  }
  column "d6" {
    type    = varchar(20)
    default = "it's"
  }
  column "d7" {
    type    = enum.mood
    default = "it's complicated"
  }
  column "d8" {
    type    = jsonb
    default = sql("'{\"a\": 1}'")
  }
  column "d9" {
    type    = bigint
    default = 5000000000
  }
  column "d10" {
    type    = date
    default = sql("now()::date + 1")
  }
  column "d11" {
    type    = uuid
    default = sql("gen_random_uuid()")
    null    = true
  }
  column "g" {
    type = int
    as   = "id * 2"
  }
  column "g2" {
    type = text
    null = true
    as {
      expr = "upper(d1)"
      type = STORED
    }
  }
}
"#,
        )
        .await;
    assert!(hcl.contains("type = serial"), "{hcl}");
    assert!(hcl.contains("default = \"hello\""), "{hcl}");
    assert!(hcl.contains("default = -1"), "{hcl}");
}

#[tokio::test]
async fn keys_indexes_and_checks() {
    let db = TestDb::new("keys").await;
    db.assert_converges(
        r#"
schema "public" {}
table "users" {
  schema = schema.public
  column "id" { type = bigint }
  column "org" { type = int }
  column "email" { type = text }
  column "name" {
    type = text
    null = true
  }
  column "score" {
    type = int
    null = true
  }
  column "tags" {
    type = sql("text[]")
    null = true
  }
  column "doc" {
    type = jsonb
    null = true
  }
  primary_key {
    columns = [column.id]
    include = [column.org]
  }
  unique "users_org_email" {
    columns = [column.org, column.email]
  }
  unique "users_name_nd" {
    columns        = [column.name]
    nulls_distinct = false
  }
  index "by_lower_name" {
    unique = true
    on {
      expr = "lower(name)"
    }
    where = "name IS NOT NULL AND name <> ''"
  }
  index "by_score" {
    on {
      column      = column.score
      desc        = true
      nulls_first = false
    }
    on {
      column = column.name
      collate = "C"
    }
  }
  index "by_name_pattern" {
    on {
      column = column.name
      ops    = text_pattern_ops
    }
    include = [column.email]
  }
  index "by_tags" {
    type    = GIN
    columns = [column.tags]
  }
  index "by_doc" {
    type = GIN
    on {
      column = column.doc
      ops    = jsonb_path_ops
    }
  }
  index "by_id_hash" {
    type    = HASH
    columns = [column.id]
  }
  index "by_id_brin" {
    type    = BRIN
    columns = [column.id]
  }
  index "by_org_nnd" {
    unique         = true
    columns        = [column.org, column.score]
    nulls_distinct = false
  }
  check "score_positive" {
    expr = "score > 0"
  }
  check {
    expr = "length(email) < 200"
  }
}
"#,
    )
    .await;
}

#[tokio::test]
async fn foreign_keys_composite_self_and_cross_schema() {
    let db = TestDb::new("fks").await;
    db.assert_converges(
        r#"
schema "public" {}
schema "billing" {
  comment = "money"
}
table "orgs" {
  schema = schema.public
  column "id" { type = int }
  column "region" { type = text }
  primary_key {
    columns = [column.id, column.region]
  }
}
table "people" {
  schema = schema.public
  column "id" { type = int }
  column "org_id" { type = int }
  column "region" { type = text }
  column "manager_id" {
    type = int
    null = true
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "people_org" {
    columns     = [column.org_id, column.region]
    ref_columns = [table.orgs.column.id, table.orgs.column.region]
    on_delete   = CASCADE
    on_update   = RESTRICT
  }
  foreign_key "people_manager" {
    columns     = [column.manager_id]
    ref_columns = [column.id]
    on_delete   = SET_NULL
    deferrable  = INITIALLY_DEFERRED
  }
}
table "invoices" {
  schema = schema.billing
  column "id" { type = bigserial }
  column "person" { type = int }
  primary_key {
    columns = [column.id]
  }
  foreign_key "invoice_person" {
    columns     = [column.person]
    ref_columns = [table.people.column.id]
  }
}
"#,
    )
    .await;
}

#[tokio::test]
async fn foreign_key_cycle() {
    let db = TestDb::new("cycle").await;
    db.assert_converges(
        r#"
schema "public" {}
table "a" {
  schema = schema.public
  column "id" { type = int }
  column "b_id" {
    type = int
    null = true
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "a_b" {
    columns     = [column.b_id]
    ref_columns = [table.b.column.id]
  }
}
table "b" {
  schema = schema.public
  column "id" { type = int }
  column "a_id" {
    type = int
    null = true
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "b_a" {
    columns     = [column.a_id]
    ref_columns = [table.a.column.id]
  }
}
"#,
    )
    .await;
}

#[tokio::test]
async fn comments_everywhere() {
    let db = TestDb::new("comments").await;
    db.assert_converges(
        r#"
schema "public" {
  comment = "the default schema, commented"
}
enum "e" {
  schema  = schema.public
  values  = ["x"]
  comment = "an enum"
}
table "t" {
  schema  = schema.public
  comment = "a table with 'quotes'"
  column "id" {
    type    = int
    comment = "the key"
  }
  column "x" {
    type = int
  }
  primary_key {
    columns = [column.id]
    comment = "pk comment"
  }
  index "t_x" {
    columns = [column.x]
    comment = "index comment"
  }
  check "x_pos" {
    expr    = "x > 0"
    comment = "check comment"
  }
  unique "t_x_key" {
    columns = [column.x]
    comment = "unique comment"
  }
}
"#,
    )
    .await;
}

#[tokio::test]
async fn odd_identifiers_round_trip() {
    let db = TestDb::new("idents").await;
    let hcl = db
        .assert_converges(
            r#"
schema "public" {}
schema "Sales Data" {}
enum "Weird \"Enum\"" {
  schema = schema["Sales Data"]
  values = ["a b", "ünïcødé", "quote'd"]
}
table "user" {
  schema = schema.public
  column "select" { type = int }
  column "Mixed Case" { type = text }
  column "with \"quotes\"" {
    type = text
    null = true
  }
  column "ünïcødé" {
    type = int
    null = true
  }
  primary_key {
    columns = [column.select]
  }
  index "Idx Mixed" {
    columns = [column["Mixed Case"], column["ünïcødé"]]
  }
}
table "Sales Data" "order" {
  schema = schema["Sales Data"]
  column "group" { type = int }
  column "state" {
    type = enum["Weird \"Enum\""]
  }
  foreign_key "fk to user" {
    columns     = [column.group]
    ref_columns = [table.user.column.select]
  }
}
"#,
        )
        .await;
    assert!(hcl.contains("Sales Data"), "{hcl}");
}

#[tokio::test]
async fn partitioned_table_key() {
    let db = TestDb::new("partition").await;
    db.assert_converges(
        r#"
schema "public" {}
table "events" {
  schema = schema.public
  column "id" { type = bigint }
  column "at" { type = timestamptz }
  column "kind" { type = text }
  partition {
    type    = RANGE
    columns = [column.at]
  }
}
table "logs" {
  schema = schema.public
  column "kind" { type = text }
  column "n" { type = int }
  partition {
    type = LIST
    by {
      expr = "lower(kind)"
    }
  }
}
"#,
    )
    .await;
}

#[tokio::test]
async fn several_files_and_directories_form_one_schema() {
    let db = TestDb::new("files").await;
    let dir = db.path().join("schema");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.hcl"), "schema \"public\" {}\n").unwrap();
    std::fs::write(
        dir.join("b.hcl"),
        "table \"t\" {\n  schema = schema.public\n  column \"id\" { type = int }\n  foreign_key \"f\" {\n    columns = [column.id]\n    ref_columns = [table.u.column.id]\n  }\n}\n",
    )
    .unwrap();
    let extra = db.write("u.hcl", "table \"u\" {\n  schema = schema.public\n  column \"id\" { type = int }\n  primary_key { columns = [column.id] }\n}\n");
    let s = db.settings(&[dir.clone(), extra.clone()]);
    let mut p = db.plan_settings(&s).await;
    assert_eq!(p.plan.summary.add, 2);
    db.apply_prepared(&mut p).await.unwrap();
    assert!(db.plan_settings(&s).await.plan.is_empty());
}
