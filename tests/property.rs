//! Property tests over randomly generated schemas, written the way users write HCL (aliases,
//! literal defaults, unparenthesized checks, odd identifiers):
//! - any schema A applied to an empty database converges (re-plan empty, inspect → plan empty);
//! - any pair A → B converges.

mod common;
use common::TestDb;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Family {
    Int,
    Numeric,
    Text,
    Time,
    Bool,
    Json,
    Uuid,
    Mood,
    IntArray,
}

const COLUMN_NAMES: &[&str] = &[
    "name",
    "Mixed Case",
    "select",
    "ünïcødé",
    "with space",
    "quote\"d",
    "order",
    "amount",
    "note",
    "created",
    "flag",
    "payload",
    "token",
    "mood",
    "tags",
    "score",
    "label",
    "due",
    "big",
    "ratio",
];

/// A column name always has the same family, so a pair of schemas only changes types within
/// castable families.
fn family_of(name: &str) -> Family {
    const F: &[Family] = &[
        Family::Int,
        Family::Numeric,
        Family::Text,
        Family::Time,
        Family::Bool,
        Family::Json,
        Family::Uuid,
        Family::Mood,
        Family::IntArray,
    ];
    let h = name
        .bytes()
        .fold(7u32, |a, b| a.wrapping_mul(31).wrapping_add(b as u32));
    F[(h as usize) % F.len()]
}

fn spellings(f: Family) -> &'static [&'static str] {
    match f {
        Family::Int => &["int", "integer", "bigint", "smallint", "int8"],
        Family::Numeric => &["numeric(10, 2)", "numeric", "real", "double_precision"],
        Family::Text => &[
            "text",
            "varchar(50)",
            "varchar(200)",
            "char(10)",
            "sql(\"character varying(30)\")",
        ],
        Family::Time => &["timestamptz", "timestamp", "timestamptz(3)", "date"],
        Family::Bool => &["boolean", "bool"],
        Family::Json => &["jsonb", "json"],
        Family::Uuid => &["uuid"],
        Family::Mood => &["enum.mood"],
        Family::IntArray => &["sql(\"int[]\")", "sql(\"integer[]\")", "sql(\"bigint[]\")"],
    }
}

fn defaults(f: Family, spelling: &str) -> &'static [&'static str] {
    match f {
        Family::Int => &["0", "42", "-1", "sql(\"1 + 1\")"],
        Family::Numeric => &["1.5", "0", "sql(\"2.5 * 2\")"],
        Family::Text => &["\"hello\"", "\"it's\"", "sql(\"'x' || 'y'\")"],
        Family::Time if spelling == "date" => &["sql(\"CURRENT_DATE\")"],
        Family::Time => &["sql(\"now()\")", "sql(\"CURRENT_TIMESTAMP\")"],
        Family::Bool => &["true", "false"],
        Family::Json => &["sql(\"'{}'\")"],
        Family::Uuid => &["sql(\"gen_random_uuid()\")"],
        Family::Mood => &["\"happy\"", "\"sad\""],
        Family::IntArray => &["sql(\"'{}'\")"],
    }
}

#[derive(Debug, Clone)]
struct Col {
    name: String,
    spelling: String,
    family: Family,
    null: bool,
    default: Option<String>,
    identity: bool,
}

#[derive(Debug, Clone)]
struct Tbl {
    schema: &'static str,
    name: &'static str,
    pk_type: &'static str,
    cols: Vec<Col>,
    index: Vec<(Vec<usize>, bool, bool)>,
    check: Option<usize>,
    unique: Option<usize>,
    fk_to: Option<usize>,
}

#[derive(Debug, Clone)]
struct Spec {
    mood_extra: bool,
    tables: Vec<Tbl>,
    /// Views over tables: (table index, column index), and a view over the first view.
    views: Vec<(usize, usize)>,
    view_on_view: bool,
    /// A SQL function's body constant (its body changes between versions).
    function_k: Option<u8>,
    /// A trigger on the first table.
    trigger: bool,
    /// A child table inheriting from `users` (when `users` is there).
    child: bool,
}

const TABLES: &[(&str, &str)] = &[
    ("public", "users"),
    ("public", "Orders"),
    ("app", "line items"),
    ("public", "group"),
    ("app", "tést"),
    ("app", "events"),
];

fn col() -> impl Strategy<Value = Col> {
    (
        0..COLUMN_NAMES.len(),
        any::<u8>(),
        any::<bool>(),
        any::<u8>(),
        any::<bool>(),
    )
        .prop_map(|(n, sp, null, d, has_default)| {
            let name = COLUMN_NAMES[n].to_string();
            let family = family_of(&name);
            let s = spellings(family);
            let spelling = s[sp as usize % s.len()].to_string();
            let ds = defaults(family, &spelling);
            let default = has_default.then(|| ds[d as usize % ds.len()].to_string());
            Col {
                name,
                spelling,
                family,
                null,
                default,
                identity: false,
            }
        })
}

fn table(i: usize) -> impl Strategy<Value = Tbl> {
    (
        proptest::collection::vec(col(), 1..6),
        0usize..3,
        any::<bool>(),
        proptest::collection::vec(
            (
                proptest::collection::vec(0usize..6, 1..3),
                any::<bool>(),
                any::<bool>(),
            ),
            0..3,
        ),
        proptest::option::of(0usize..6),
        proptest::option::of(0usize..6),
        any::<bool>(),
    )
        .prop_map(move |(mut cols, pk, identity, index, check, unique, fk)| {
            let mut seen = std::collections::HashSet::new();
            cols.retain(|c| seen.insert(c.name.clone()));
            let pk_type = ["int", "bigint", "bigserial"][pk];
            let (schema, name) = TABLES[i];
            if identity && pk_type != "bigserial" {
                // The first int column becomes an identity.
                if let Some(c) = cols
                    .iter_mut()
                    .find(|c| c.family == Family::Int && c.spelling != "int8")
                {
                    c.identity = true;
                    c.null = false;
                    c.default = None;
                }
            }
            Tbl {
                schema,
                name,
                pk_type,
                cols,
                index,
                check,
                unique,
                fk_to: if fk && i > 0 { Some(i - 1) } else { None },
            }
        })
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        any::<bool>(),
        proptest::sample::subsequence((0..TABLES.len()).collect::<Vec<_>>(), 1..=4),
    )
        .prop_flat_map(|(mood_extra, idx)| {
            let tables: Vec<_> = idx.into_iter().map(table).collect();
            (
                Just(mood_extra),
                tables,
                proptest::collection::vec((0usize..4, 0usize..6), 0..3),
                any::<bool>(),
                proptest::option::of(0u8..4),
                any::<bool>(),
                any::<bool>(),
            )
        })
        .prop_map(
            |(mood_extra, tables, views, view_on_view, function_k, trigger, child)| Spec {
                mood_extra,
                tables,
                views,
                view_on_view,
                function_k,
                trigger,
                child,
            },
        )
}

fn hcl_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn col_ref(name: &str) -> String {
    if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        format!("column.{name}")
    } else {
        format!("column[{}]", hcl_str(name))
    }
}

fn sql_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn table_ref(t: &Tbl) -> String {
    format!("table[{}][{}]", hcl_str(t.schema), hcl_str(t.name))
}

/// The spec as a user might write it.
fn render(spec: &Spec) -> String {
    let mut out = String::from("schema \"public\" {}\nschema \"app\" {}\n");
    let values = if spec.mood_extra {
        "\"happy\", \"meh\", \"sad\", \"angry\""
    } else {
        "\"happy\", \"sad\""
    };
    out.push_str(&format!(
        "enum \"mood\" {{\n  schema = schema.public\n  values = [{values}]\n}}\n"
    ));
    for t in &spec.tables {
        out.push_str(&format!(
            "table {} {} {{\n  schema = schema.{}\n",
            hcl_str(t.schema),
            hcl_str(t.name),
            t.schema
        ));
        out.push_str(&format!(
            "  column \"id\" {{\n    type = {}\n  }}\n",
            t.pk_type
        ));
        for c in &t.cols {
            out.push_str(&format!(
                "  column {} {{\n    type = {}\n",
                hcl_str(&c.name),
                c.spelling
            ));
            // PostgreSQL cannot add an identity column to a table with inheritance children
            // (strata refuses that plan): `users` has none while it has a child.
            let identity = c.identity && !(spec.child && t.name == "users");
            if c.null && !identity {
                out.push_str("    null = true\n");
            }
            if let Some(d) = &c.default {
                out.push_str(&format!("    default = {d}\n"));
            }
            if identity {
                out.push_str("    identity {\n      generated = BY_DEFAULT\n    }\n");
            }
            out.push_str("  }\n");
        }
        out.push_str("  primary_key {\n    columns = [column.id]\n  }\n");
        if let Some(to) = t.fk_to.and_then(|i| {
            spec.tables
                .iter()
                .find(|x| TABLES.iter().position(|y| y.1 == x.name) == Some(i))
        }) {
            let ty = if to.pk_type == "int" { "int" } else { "bigint" };
            out.push_str(&format!(
                "  column \"ref_id\" {{\n    type = {ty}\n    null = true\n  }}\n"
            ));
            out.push_str(&format!(
                "  foreign_key \"{}_ref\" {{\n    columns     = [column.ref_id]\n    ref_columns = [{}.column.id]\n    on_delete   = SET_NULL\n  }}\n",
                t.name,
                table_ref(to)
            ));
        }
        for (k, (cols, unique, desc)) in t.index.iter().enumerate() {
            let picked: Vec<&Col> = cols.iter().filter_map(|i| t.cols.get(*i)).collect();
            let mut names: Vec<&str> = picked.iter().map(|c| c.name.as_str()).collect();
            names.dedup();
            if names.is_empty()
                || picked
                    .iter()
                    .any(|c| matches!(c.family, Family::Json | Family::IntArray))
            {
                continue;
            }
            out.push_str(&format!("  index \"{}_i{k}\" {{\n", t.name));
            if *unique {
                out.push_str("    unique = true\n");
            }
            if *desc {
                for n in &names {
                    out.push_str(&format!(
                        "    on {{\n      column = {}\n      desc   = true\n    }}\n",
                        col_ref(n)
                    ));
                }
                out.push_str(&format!(
                    "    where = \"{} IS NOT NULL\"\n",
                    sql_ident(names[0]).replace('"', "\\\"")
                ));
            } else {
                out.push_str(&format!(
                    "    columns = [{}]\n",
                    names
                        .iter()
                        .map(|n| col_ref(n))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            out.push_str("  }\n");
        }
        if let Some(c) = t.check.and_then(|i| t.cols.get(i)) {
            let expr = match c.family {
                Family::Int | Family::Numeric => format!("{} > -100", sql_ident(&c.name)),
                Family::Text => format!("length({}) < 500", sql_ident(&c.name)),
                _ => format!("{} IS NOT NULL OR true", sql_ident(&c.name)),
            };
            out.push_str(&format!(
                "  check {{\n    expr = {}\n  }}\n",
                hcl_str(&expr)
            ));
        }
        if let Some(c) = t.unique.and_then(|i| t.cols.get(i))
            && !matches!(c.family, Family::Json)
        {
            out.push_str(&format!(
                "  unique \"{}_uq\" {{\n    columns = [{}]\n  }}\n",
                t.name,
                col_ref(&c.name)
            ));
        }
        out.push_str("}\n");
    }
    // A child of `users` with a column of its own and an index over an inherited one.
    if spec.child
        && let Some(parent) = spec.tables.iter().find(|t| t.name == "users")
    {
        out.push_str(&format!(
            "table \"users_audit\" {{\n  schema   = schema.public\n  inherits = [{}]\n  column \"audit_note\" {{\n    type = text\n    null = true\n  }}\n  index \"users_audit_note\" {{\n    columns = [column.audit_note, column.id]\n  }}\n}}\n",
            table_ref(parent)
        ));
    }
    // Views over tables (and one over a view), a SQL function, a trigger.
    let mut view_names: Vec<(String, &str)> = Vec::new();
    for (i, (t, c)) in spec.views.iter().enumerate() {
        let Some(tb) = spec.tables.get(*t) else {
            continue;
        };
        let Some(col) = tb.cols.get(*c) else { continue };
        let name = format!("v{i}_{}", tb.name.replace(' ', "_"));
        let query = format!(
            "SELECT id, {} FROM {}.{}",
            sql_ident(&col.name),
            sql_ident(tb.schema),
            sql_ident(tb.name)
        );
        out.push_str(&format!(
            "view {} {{\n  schema = schema.{}\n  as     = {}\n}}\n",
            hcl_str(&name),
            tb.schema,
            hcl_str(&query)
        ));
        view_names.push((name, tb.schema));
    }
    if spec.view_on_view
        && let Some((first, schema)) = view_names.first()
    {
        let query = format!(
            "SELECT id FROM {}.{} WHERE id > 0",
            sql_ident(schema),
            sql_ident(first)
        );
        out.push_str(&format!(
            "view \"over_view\" {{\n  schema = schema.public\n  as     = {}\n}}\n",
            hcl_str(&query)
        ));
    }
    if let Some(k) = spec.function_k {
        out.push_str(&format!(
            "function \"calc\" {{\n  schema = schema.public\n  lang   = SQL\n  arg \"a\" {{\n    type = int\n  }}\n  return = int\n  as     = \"SELECT a + {k}\"\n}}\n"
        ));
    }
    if spec.trigger
        && let Some(tb) = spec.tables.first()
    {
        out.push_str("function \"touch\" {\n  schema = schema.public\n  lang   = plpgsql\n  return = trigger\n  as     = \"BEGIN RETURN NEW; END;\"\n}\n");
        out.push_str(&format!(
                "trigger \"touch_row\" {{\n  on = {}\n  before {{\n    insert = true\n    update = true\n  }}\n  for = ROW\n  execute {{\n    function = function.touch\n  }}\n}}\n",
                table_ref(tb)
            ));
    }
    out
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 64,
        ..Config::default()
    })
}

async fn reset(db: &TestDb) {
    db.exec("DROP SCHEMA IF EXISTS app CASCADE; DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        .await;
}

fn cases() -> u32 {
    std::env::var("STRATA_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16)
}

#[test]
fn random_schemas_converge() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = rt.block_on(TestDb::new("prop_single"));
    runner(cases())
        .run(&spec(), |s| {
            let hcl = render(&s);
            rt.block_on(async {
                reset(&db).await;
                db.assert_converges(&hcl).await;
            });
            Ok(())
        })
        .unwrap();
}

#[test]
fn random_pairs_converge() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = rt.block_on(TestDb::new("prop_pairs"));
    runner(cases())
        .run(&(spec(), spec()), |(a, mut b)| {
            // Enums only grow.
            b.mood_extra |= a.mood_extra;
            let (ha, hb) = (render(&a), render(&b));
            rt.block_on(async {
                reset(&db).await;
                db.assert_converges(&ha).await;
                db.assert_converges(&hb).await;
            });
            Ok(())
        })
        .unwrap();
}
