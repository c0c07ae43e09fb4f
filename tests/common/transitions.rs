//! Plans of every object kind built from HCL without a database: creating, dropping and
//! changing `tests/fixtures/everything.hcl` one kind at a time. Shared by `tests/destructive.rs`
//! and `tests/snapshots_kinds.rs` (`#[path] mod`).
#![allow(dead_code)]

use strata::hcl::{LoadOptions, SourceFile, load};
use strata::plan::{self, PlanContext};

/// A schema using every object kind strata manages.
pub const EVERYTHING: &str = include_str!("../fixtures/everything.hcl");

pub fn model(text: &str) -> strata::model::Model {
    load(
        &[SourceFile::new("schema.hcl", text.to_string())],
        &LoadOptions::default(),
    )
    .unwrap_or_else(|e| panic!("invalid HCL: {e}"))
    .model
}

pub fn plan(from: &str, to: &str) -> plan::Plan {
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

/// Named plans over the fixture: create everything, drop everything (also keeping the schema
/// `app`), and one edit per kind.
pub fn transitions() -> Vec<(String, plan::Plan)> {
    let empty = "schema \"public\" {}\n";
    let app_empty = "schema \"public\" {}\nschema \"app\" {\n  comment = \"application\"\n}\n";
    let edit = |pairs: &[(&str, &str)]| -> String {
        let mut s = EVERYTHING.to_string();
        for (from, to) in pairs {
            assert!(s.contains(from), "fixture lacks {from:?}");
            s = s.replacen(from, to, 1);
        }
        s
    };
    let mut out = vec![
        ("create everything".to_string(), plan(empty, EVERYTHING)),
        ("drop everything".to_string(), plan(EVERYTHING, empty)),
        (
            "drop every object, keep the schema".to_string(),
            plan(EVERYTHING, app_empty),
        ),
    ];
    let edits: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "drop a column",
            vec![(
                "  column \"home\" {\n    type = composite.address\n    null = true\n  }\n",
                "",
            )],
        ),
        (
            "narrow a column",
            vec![("type = sql(\"public.citext\")", "type = varchar(20)")],
        ),
        (
            "drop a composite field",
            vec![("  field \"zip\" {\n    type = varchar(10)\n  }\n", "")],
        ),
        (
            "add a composite field and change one",
            vec![(
                "  field \"zip\" {\n    type = varchar(10)\n  }\n",
                "  field \"zip\" {\n    type = varchar(12)\n  }\n  field \"city\" {\n    type = text\n  }\n",
            )],
        ),
        (
            "remove an enum value",
            vec![(
                "values = [\"active\", \"suspended\"]",
                "values = [\"active\"]",
            )],
        ),
        (
            "add an enum value",
            vec![(
                "values = [\"active\", \"suspended\"]",
                "values = [\"active\", \"on_hold\", \"suspended\"]",
            )],
        ),
        (
            "drop a sequence",
            vec![
                (
                    "    default = sql(\"nextval('app.invoice_no'::regclass)\")\n",
                    "    null = true\n",
                ),
                (
                    "sequence \"invoice_no\" {\n  schema    = schema.app\n  type      = bigint\n  start     = 1000\n  increment = 10\n  cache     = 5\n  comment   = \"invoice numbers\"\n}\n",
                    "",
                ),
            ],
        ),
        (
            "change a sequence",
            vec![("increment = 10", "increment = 5")],
        ),
        (
            "detach a partition",
            vec![(
                "table \"events_other\" {\n  schema       = schema.app\n  partition_of = table.events\n  bound        = \"DEFAULT\"\n}",
                "table \"events_other\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  column \"at\" {\n    type = timestamptz\n  }\n  column \"payload\" {\n    type = jsonb\n    null = true\n  }\n}",
            )],
        ),
        (
            "drop a partition",
            vec![(
                "table \"events_other\" {\n  schema       = schema.app\n  partition_of = table.events\n  bound        = \"DEFAULT\"\n}",
                "",
            )],
        ),
        (
            "change materialized view storage parameters",
            vec![(
                "storage_params = { fillfactor = 90 }",
                "storage_params = { autovacuum_enabled = false }",
            )],
        ),
        (
            "drop the materialized view",
            vec![(
                "materialized \"user_counts\" {\n  schema = schema.app\n  as     = \"SELECT status, count(*) AS n FROM app.users GROUP BY status\"\n  storage_params = { fillfactor = 90 }\n  index \"user_counts_status\" {\n    unique  = true\n    columns = [column.status]\n  }\n}\n",
                "",
            )],
        ),
        (
            "domain check, policy, security and view options",
            vec![
                (
                    "expr = \"VALUE > 0\"",
                    "expr = \"VALUE > 0 AND VALUE < 150\"",
                ),
                ("using = \"status = 'active'\"", "using = \"true\""),
                (
                    "enabled = true\n  }",
                    "enabled  = true\n    enforced = true\n  }",
                ),
                ("  check_option     = LOCAL\n", ""),
                ("volatility = IMMUTABLE", "volatility = STABLE"),
            ],
        ),
        (
            "identity, defaults, nullability, keys",
            vec![
                ("generated = ALWAYS", "generated = BY_DEFAULT"),
                (
                    "default = sql(\"now()\")",
                    "default = sql(\"clock_timestamp()\")",
                ),
                (
                    "  column \"during\" {\n    type = tstzrange\n    null = true\n  }\n",
                    "  column \"during\" {\n    type = tstzrange\n  }\n  column \"note\" {\n    type = text\n    null = true\n  }\n",
                ),
                (
                    "  check \"adult\" {\n    expr = \"app.is_adult(age)\"\n  }\n",
                    "",
                ),
            ],
        ),
        (
            "change an aggregate's initial value",
            vec![("initial_value = \"0\"", "initial_value = \"1\"")],
        ),
        (
            "change an event trigger's tags and disable it",
            vec![(
                "tags    = [\"CREATE TABLE\", \"ALTER TABLE\"]",
                "tags    = [\"CREATE TABLE\"]\n  enabled = false",
            )],
        ),
    ];
    for (name, pairs) in edits {
        out.push((name.to_string(), plan(EVERYTHING, &edit(&pairs))));
    }
    out.extend(small_transitions(empty));
    out
}

/// Kinds whose every change `EVERYTHING` does not show: a collation created, commented,
/// redefined and dropped; an extension moved to another version.
fn small_transitions(empty: &str) -> Vec<(String, plan::Plan)> {
    let collation = |body: &str| {
        format!("schema \"public\" {{}}\ncollation \"ci\" {{\n  schema = schema.public\n{body}}}\n")
    };
    let icu =
        "  provider      = icu\n  locale        = \"und-u-ks-level2\"\n  deterministic = false\n";
    let coll = collation(icu);
    let commented = collation(&format!("{icu}  comment       = \"case-insensitive\"\n"));
    let libc = collation("  lc_collate = \"C\"\n  lc_ctype   = \"C\"\n");
    let extension = |version: &str| {
        format!(
            "schema \"public\" {{}}\nextension \"hstore\" {{\n  schema  = schema.public\n  version = \"{version}\"\n}}\n"
        )
    };
    vec![
        ("create a collation".to_string(), plan(empty, &coll)),
        (
            "comment on a collation".to_string(),
            plan(&coll, &commented),
        ),
        ("redefine a collation".to_string(), plan(&coll, &libc)),
        ("drop a collation".to_string(), plan(&coll, empty)),
        (
            "update an extension".to_string(),
            plan(&extension("1.7"), &extension("1.8")),
        ),
    ]
}
