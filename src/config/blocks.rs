//! The blocks of env.hcl that go beyond plain attributes: `migration { dir }` inside an env,
//! and top-level `data "external_schema"` sources.

use super::{EXTERNAL_SCHEMA_SCHEME, ExternalSchema, SqlQuery, SqlRunner, resolve};
use crate::hcl::diag::{Errors, HclError, Location, SourceFile};
use crate::hcl::eval::Evaluator;
use hcl::Value;
use hcl::edit::Span;
use hcl::edit::structure::Block;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Reads `migration { dir = "migrations" }`.
pub(super) fn migration_block(
    file: &SourceFile,
    b: &Block,
    eval: &Evaluator,
    base: &Path,
    errors: &mut Errors,
) -> Option<PathBuf> {
    let mut dir = None;
    for s in b.body.iter() {
        let (key, span) = match (s.as_attribute(), s.as_block()) {
            (Some(a), _) => (a.key.as_str().to_string(), a.key.span()),
            (_, Some(inner)) => (inner.ident.as_str().to_string(), inner.ident.span()),
            _ => continue,
        };
        let Some(attr) = s.as_attribute().filter(|_| key == "dir") else {
            errors.push(
                HclError::new(
                    Location::new(file, span),
                    format!("unknown `{key}` in the migration block"),
                    "unknown",
                )
                .with_help("the migration block takes `dir`"),
            );
            continue;
        };
        match eval.eval(&attr.value) {
            Ok(Value::String(d)) => dir = Some(resolve(base, &d)),
            Ok(_) => errors.push(HclError::new(
                Location::new(file, attr.value.span()),
                "`dir` must be a string",
                "expected a string",
            )),
            Err(msg) => errors.push(HclError::new(
                Location::new(file, attr.value.span()),
                format!("cannot evaluate `dir`: {msg}"),
                "here",
            )),
        }
    }
    dir
}

/// How `data "sql"` blocks are run: by `run`, and only those whose `data.sql.NAME` the
/// selected env (or a local) mentions (`used`), so that other envs never connect.
pub(super) struct SqlData<'a> {
    pub(crate) run: SqlRunner<'a>,
    pub(crate) used: &'a dyn Fn(&str) -> bool,
}

/// Reads the `data` blocks (`external_schema` and `sql`) and declares their values.
pub(super) fn data_sources(
    file: &SourceFile,
    blocks: &[&Block],
    eval: &mut Evaluator,
    base: &Path,
    sql: &SqlData,
    errors: &mut Errors,
) -> BTreeMap<String, ExternalSchema> {
    let mut out = BTreeMap::new();
    for b in blocks {
        let labels: Vec<&str> = b.labels.iter().map(|l| l.as_str()).collect();
        let [kind, name] = labels.as_slice() else {
            errors.push(
                HclError::new(
                    Location::new(file, b.ident.span()),
                    "a data block takes two labels: the kind and a name",
                    "here",
                )
                .with_help("e.g. data \"external_schema\" \"app\" { program = [\"python3\", \"models.py\"] }"),
            );
            continue;
        };
        if *kind == "sql" {
            if (sql.used)(&format!("data.sql.{name}")) {
                sql_source(file, b, name, eval, sql.run, errors);
            }
            continue;
        }
        if *kind != "external_schema" {
            errors.push(
                HclError::new(
                    Location::new(file, b.ident.span()),
                    format!("unsupported data source `{kind}`"),
                    "unsupported",
                )
                .with_help("strata supports data \"external_schema\" and data \"sql\" blocks"),
            );
            continue;
        }
        let mut program = None;
        let mut working_dir = base.to_path_buf();
        for a in b.body.attributes() {
            let loc = Location::new(file, a.value.span());
            let value = match eval.eval(&a.value) {
                Ok(v) => v,
                Err(msg) => {
                    errors.push(HclError::new(
                        loc,
                        format!("cannot evaluate `{}`: {msg}", a.key.as_str()),
                        "here",
                    ));
                    continue;
                }
            };
            match (a.key.as_str(), value) {
                ("program", Value::Array(items)) => {
                    let args: Option<Vec<String>> = items
                        .iter()
                        .map(|i| i.as_str().map(str::to_string))
                        .collect();
                    match args {
                        Some(args) if !args.is_empty() => program = Some(args),
                        _ => errors.push(HclError::new(
                            loc,
                            "`program` must be a non-empty list of strings",
                            "expected [\"command\", \"arg\", …]",
                        )),
                    }
                }
                ("working_dir", Value::String(d)) => working_dir = resolve(base, &d),
                (key @ ("program" | "working_dir"), _) => errors.push(HclError::new(
                    loc,
                    format!("`{key}` has the wrong type"),
                    if key == "program" {
                        "expected a list of strings"
                    } else {
                        "expected a string"
                    },
                )),
                (key, _) => errors.push(
                    HclError::new(
                        Location::new(file, a.key.span()),
                        format!("unknown attribute `{key}` in data \"external_schema\""),
                        "unknown attribute",
                    )
                    .with_help("external_schema takes `program` and `working_dir`"),
                ),
            }
        }
        let Some(program) = program else {
            errors.push(HclError::new(
                Location::new(file, b.ident.span()),
                format!("data \"external_schema\" \"{name}\" has no `program`"),
                "missing program",
            ));
            continue;
        };
        let mut value = hcl::Map::new();
        value.insert(
            "url".to_string(),
            Value::String(format!("{EXTERNAL_SCHEMA_SCHEME}{name}")),
        );
        eval.declare_data(kind, name, Value::Object(value));
        out.insert(
            name.to_string(),
            ExternalSchema {
                name: name.to_string(),
                program,
                working_dir,
            },
        );
    }
    out
}

/// `data "sql" "NAME" { url, query, args }` (Atlas's spelling): runs the query and declares
/// `data.sql.NAME.values` (the first column of every row), `.value` (of the first row, null
/// without rows) and `.count`.
fn sql_source(
    file: &SourceFile,
    b: &Block,
    name: &str,
    eval: &mut Evaluator,
    run: SqlRunner,
    errors: &mut Errors,
) {
    let mut url = None;
    let mut query = None;
    let mut args = Vec::new();
    let before = errors.list.len();
    for a in b.body.attributes() {
        let key = a.key.as_str();
        let loc = Location::new(file, a.value.span());
        let value = match eval.eval(&a.value) {
            Ok(v) => v,
            Err(msg) => {
                errors.push(HclError::new(
                    loc,
                    format!("cannot evaluate `{key}` of data \"sql\" \"{name}\": {msg}"),
                    "here",
                ));
                continue;
            }
        };
        match (key, value) {
            ("url", Value::String(s)) if !s.is_empty() => url = Some(s),
            ("query", Value::String(s)) if !s.trim().is_empty() => query = Some(s),
            ("args", Value::Array(items)) => {
                args = items
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect()
            }
            ("url" | "query", _) => errors.push(HclError::new(
                loc,
                format!("`{key}` of data \"sql\" \"{name}\" must be a non-empty string"),
                "expected a string",
            )),
            ("args", _) => errors.push(HclError::new(
                loc,
                "`args` must be a list",
                "expected a list",
            )),
            (other, _) => errors.push(
                HclError::new(
                    Location::new(file, a.key.span()),
                    format!("unknown attribute `{other}` in data \"sql\""),
                    "unknown attribute",
                )
                .with_help("data \"sql\" takes url, query and args"),
            ),
        }
    }
    if errors.list.len() > before {
        return;
    }
    let (Some(url), Some(query)) = (url, query) else {
        errors.push(HclError::new(
            Location::new(file, b.ident.span()),
            format!("data \"sql\" \"{name}\" needs `url` and `query`"),
            "incomplete",
        ));
        return;
    };
    let q = SqlQuery {
        name: name.to_string(),
        url,
        query,
        args,
    };
    match run(&q) {
        Ok(rows) => {
            let mut value = hcl::Map::new();
            value.insert(
                "value".to_string(),
                rows.first()
                    .map_or(Value::Null, |v| Value::String(v.clone())),
            );
            value.insert("count".to_string(), Value::from(rows.len() as u64));
            value.insert(
                "values".to_string(),
                Value::Array(rows.into_iter().map(Value::String).collect()),
            );
            eval.declare_data("sql", name, Value::Object(value));
        }
        Err(msg) => errors.push(HclError::new(
            Location::new(file, b.ident.span()),
            format!("data \"sql\" \"{name}\" failed: {msg}"),
            "this query",
        )),
    }
}
