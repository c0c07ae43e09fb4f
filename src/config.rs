//! `env.hcl`: environments (`env "name" { url, dev, src, schemas, exclude, … }`), `variable`
//! blocks with `--var` overrides, `locals` and `getenv()`. Never touches a database.

use crate::hcl::diag::{Errors, HclError, HclErrors, Location, SourceFile};
use crate::hcl::eval::Evaluator;
use crate::lint::policy::Policy;
use hcl::Value;
use hcl::edit::Span;
use hcl::edit::structure::Block;
use miette::{Diagnostic, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use thiserror::Error;

mod blocks;
pub mod duration;
mod fleet;
mod mode;
mod policy;
use blocks::{data_sources, migration_block};
use fleet::{fleet_targets, string_map};
use policy::parse_policy;

/// One environment as written in env.hcl, with values evaluated.
#[derive(Debug, Clone, Default)]
pub struct Env {
    /// The names of the config file's `variable` blocks.
    pub(crate) variables: Vec<String>,
    pub(crate) url: Option<String>,
    pub(crate) dev: Option<String>,
    /// Schema sources, resolved against the config file's directory.
    pub(crate) src: Vec<PathBuf>,
    pub(crate) schemas: Vec<String>,
    pub(crate) exclude: Vec<String>,
    /// PostgreSQL `lock_timeout` for apply, e.g. `5s`.
    pub(crate) lock_timeout: Option<String>,
    /// How long apply waits for another strata apply, e.g. `30s`.
    pub(crate) db_lock_wait: Option<String>,
    /// PostgreSQL `statement_timeout` for statements inside transactions.
    pub(crate) statement_timeout: Option<String>,
    /// `statement_timeout` for online statements (concurrent index builds, validations).
    pub(crate) online_statement_timeout: Option<String>,
    /// Online mode: concurrent index builds, constraints validated outside the transaction.
    pub(crate) online: Option<bool>,
    /// Rehearse every apply on a scratch copy first.
    pub(crate) rehearse: Option<bool>,
    /// Hazard policy: the global `lint` block with the env's on top.
    pub(crate) policy: Policy,
    /// `migration { dir = "…" }`: the migration directory, resolved against the config's
    /// directory.
    pub(crate) migration_dir: Option<PathBuf>,
    /// When the env's `url` evaluated to nothing: where, and why (an unset environment
    /// variable), for the error a command that needs the target gives.
    pub(crate) url_unset: Option<String>,
    /// `data "external_schema" "NAME" { program = [...] }` blocks of the config file.
    pub(crate) external_schemas: BTreeMap<String, ExternalSchema>,
    /// `vars = { name = "value" }`: values of the schema files' variables (`--var` wins).
    pub(crate) vars: BTreeMap<String, String>,
    /// `for_each`: the env is a fleet, one target per item, in the order of the collection
    /// (`None`: one database). `url`, `schemas` and `vars` are evaluated per item.
    pub(crate) fleet: Option<Vec<Target>>,
    /// Roles and privileges managed (`schema { mode { roles, permissions } }` or the flat
    /// `roles`/`permissions` attributes); `None` manages neither.
    pub(crate) roles: Option<crate::model::RoleScope>,
}

/// One database (or schema) of a fleet env: the `for_each` item's key and the env's
/// per-target attributes evaluated with `each.key`/`each.value` of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target {
    /// `each.key`: the item itself for a list or set, the key for a map. Unique in the fleet.
    pub(crate) key: String,
    pub(crate) url: Option<String>,
    pub(crate) schemas: Vec<String>,
    pub(crate) vars: BTreeMap<String, String>,
}

/// A `data "sql"` query: what the config asks of a database. The config layer never connects:
/// the caller runs it ([`SqlRunner`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlQuery {
    pub(crate) name: String,
    pub(crate) url: String,
    pub(crate) query: String,
    /// Values for `$1`, `$2`, … (as text).
    pub(crate) args: Vec<String>,
}

/// Runs a [`SqlQuery`]: the first column of every row, as text (NULLs left out).
pub(crate) type SqlRunner<'a> = &'a dyn Fn(&SqlQuery) -> Result<Vec<String>, String>;

/// A runner for callers that cannot connect (`show`, tests): every query is an error.
pub(crate) fn no_database(q: &SqlQuery) -> Result<Vec<String>, String> {
    Err(format!(
        "data \"sql\" \"{}\" needs a database, and this command reads no database",
        q.name
    ))
}

/// A program that prints the desired schema as SQL DDL on stdout
/// (`data "external_schema" "NAME" { program = ["python3", "models.py"] }`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalSchema {
    pub(crate) name: String,
    /// The command and its arguments.
    pub(crate) program: Vec<String>,
    /// Where it runs: `working_dir`, else the config file's directory.
    pub(crate) working_dir: PathBuf,
}

/// How a `src` entry names an external schema: the value of `data.external_schema.NAME.url`.
pub(crate) const EXTERNAL_SCHEMA_SCHEME: &str = "external_schema://";

/// The config file could not be used.
#[derive(Debug, Error, Diagnostic)]
pub(crate) enum ConfigError {
    #[error("config file {path} not found")]
    #[diagnostic(
        code(strata::config::missing),
        help(
            "create it with an `env \"NAME\" {{ url = … src = [\"schema.hcl\"] }}` block, or pass --config FILE"
        )
    )]
    Missing { path: String },
    #[error("cannot read config file {path}: {reason}")]
    #[diagnostic(code(strata::config::read))]
    Read { path: String, reason: String },
}

/// The attributes an `env` block takes.
pub(crate) const ENV_ATTRIBUTES: &[&str] = &[
    "url",
    "dev",
    "src",
    "schemas",
    "exclude",
    "lock_timeout",
    "db_lock_wait",
    "statement_timeout",
    "online_statement_timeout",
    "online",
    "rehearse",
    "for_each",
    "vars",
    "roles",
    "permissions",
];

/// The attributes of a fleet env (`for_each`) evaluated once per target.
pub(crate) const TARGET_ATTRIBUTES: &[&str] = &["url", "schemas", "vars"];

/// Blocks an `env` block takes (`policy` is another name for `lint`).
pub(crate) const ENV_BLOCKS: &[&str] = &["lint", "policy", "migration", "schema"];

/// Reads env `name` from the config file at `path`.
/// `origin` says where the env's name came from when not from `--env` (for the error when no
/// such env exists).
pub fn load_env(
    path: &Path,
    name: &str,
    vars: &BTreeMap<String, String>,
    origin: Option<&str>,
) -> Result<Env> {
    load_env_with(path, name, vars, origin, &no_database)
}

/// [`load_env`] with `data "sql"` queries run by `sql`.
pub fn load_env_with(
    path: &Path,
    name: &str,
    vars: &BTreeMap<String, String>,
    origin: Option<&str>,
    sql: SqlRunner,
) -> Result<Env> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ConfigError::Missing {
                path: path.display().to_string(),
            }
            .into());
        }
        Err(e) => {
            return Err(ConfigError::Read {
                path: path.display().to_string(),
                reason: e.to_string(),
            }
            .into());
        }
    };
    let file = SourceFile::new(crate::hcl::display_path(path), text);
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    crate::hcl::eval::with_file_base(&base, || {
        parse_env(&file, name, vars, &base, origin, sql).map_err(miette::Report::new)
    })
}

fn parse_env(
    file: &SourceFile,
    name: &str,
    vars: &BTreeMap<String, String>,
    base: &Path,
    origin: Option<&str>,
    sql: SqlRunner,
) -> Result<Env, HclErrors> {
    let mut errors = Errors::default();
    let body = match hcl::edit::parser::parse_body(&file.text) {
        Ok(b) => b,
        Err(e) => {
            errors.push(crate::hcl::syntax::syntax_error(file, &file.text, &e));
            return Err(HclErrors {
                errors: errors.list,
            });
        }
    };
    let blocks: Vec<&Block> = body.blocks().collect();
    for b in &blocks {
        if !["env", "variable", "locals", "lint", "data"].contains(&b.ident.as_str()) {
            errors.push(
                HclError::new(
                    Location::new(file, b.ident.span()),
                    format!("unknown block `{}` in the config file", b.ident.as_str()),
                    "unknown block",
                )
                .with_help("the config file takes env, variable, locals, lint and data blocks"),
            );
        }
    }
    let envs: Vec<&Block> = blocks
        .iter()
        .copied()
        .filter(|b| b.ident.as_str() == "env")
        .collect();
    let Some(env_block) = envs
        .iter()
        .find(|b| b.labels.first().is_some_and(|l| l.as_str() == name))
    else {
        let known: Vec<String> = envs
            .iter()
            .filter_map(|b| b.labels.first().map(|l| format!("\"{}\"", l.as_str())))
            .collect();
        // Point at the envs there are (the first one's name), not at the top of the file.
        let (span, label) = match envs.first().and_then(|b| b.labels.first()) {
            Some(l) => (l.span(), "the envs defined here and below"),
            None => (Some(0..0), "no env block in this file"),
        };
        errors.push(
            HclError::new(
                Location::new(file, span),
                match origin {
                    Some(o) => format!("env \"{name}\" (from {o}) is not defined in {}", file.path),
                    None => format!("env \"{name}\" is not defined in {}", file.path),
                },
                label,
            )
            .with_help(if known.is_empty() {
                "the file defines no env blocks".to_string()
            } else {
                format!("defined envs: {}", known.join(", "))
            }),
        );
        return Err(HclErrors {
            errors: errors.list,
        });
    };
    // Variables: a missing value only matters when the selected env uses it.
    let env_text = env_block
        .span()
        .map(|r| file.text[r].to_string())
        .unwrap_or_default();
    let locals_text: String = blocks
        .iter()
        .filter(|b| b.ident.as_str() == "locals")
        .filter_map(|b| b.span().map(|r| file.text[r].to_string()))
        .collect();
    let mut eval = Evaluator::new(true);
    let var_blocks: Vec<(&SourceFile, &Block)> = blocks
        .iter()
        .filter(|b| b.ident.as_str() == "variable")
        .map(|b| (file, *b))
        .collect();
    let mut var_errors = Errors::default();
    eval.declare_variables(&var_blocks, vars, &mut var_errors);
    for e in var_errors.list {
        let relevant = match e
            .message
            .strip_prefix("missing value for required variable \"")
        {
            Some(rest) => {
                let v = rest.trim_end_matches('"');
                env_text.contains(&format!("var.{v}")) || locals_text.contains(&format!("var.{v}"))
            }
            None => true,
        };
        if relevant {
            errors.push(e);
        }
    }
    let local_blocks: Vec<(&SourceFile, &Block)> = blocks
        .iter()
        .filter(|b| b.ident.as_str() == "locals")
        .map(|b| (file, *b))
        .collect();
    eval.declare_locals(&local_blocks, &mut errors);
    let data_blocks: Vec<&Block> = blocks
        .iter()
        .copied()
        .filter(|b| b.ident.as_str() == "data")
        .collect();
    let mentions = |needle: &str| env_text.contains(needle) || locals_text.contains(needle);
    let external_schemas = data_sources(
        file,
        &data_blocks,
        &mut eval,
        base,
        &blocks::SqlData {
            run: sql,
            used: &mentions,
        },
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(HclErrors {
            errors: errors.list,
        });
    }

    let mut env = Env {
        variables: var_blocks
            .iter()
            .filter_map(|(_, b)| b.labels.first().map(|l| l.as_str().to_string()))
            .collect(),
        external_schemas,
        ..Default::default()
    };
    for b in blocks.iter().filter(|b| b.ident.as_str() == "lint") {
        let p = parse_policy(file, b, &eval, &mut errors);
        env.policy.merge(&p);
    }
    for s in env_block.body.iter() {
        if let Some(b) = s.as_block() {
            if ["lint", "policy"].contains(&b.ident.as_str()) {
                let p = parse_policy(file, b, &eval, &mut errors);
                env.policy.merge(&p);
                continue;
            }
            if b.ident.as_str() == "migration" {
                env.migration_dir = migration_block(file, b, &eval, base, &mut errors);
                continue;
            }
            if b.ident.as_str() == "schema" {
                mode::schema_block(file, b, &eval, &mut errors, &mut env.roles);
                continue;
            }
            errors.push(
                HclError::new(
                    Location::new(file, b.ident.span()),
                    format!("unknown block `{}` in env \"{name}\"", b.ident.as_str()),
                    "unknown block",
                )
                .with_help(format!(
                    "an env takes the attributes {} and the blocks {}",
                    ENV_ATTRIBUTES.join(", "),
                    ENV_BLOCKS.join(", ")
                )),
            );
        }
    }
    let for_each = env_block
        .body
        .attributes()
        .find(|a| a.key.as_str() == "for_each");
    for attr in env_block.body.attributes() {
        let key = attr.key.as_str();
        let loc = Location::new(file, attr.value.span());
        if key == "for_each" || (for_each.is_some() && TARGET_ATTRIBUTES.contains(&key)) {
            continue;
        }
        if !ENV_ATTRIBUTES.contains(&key) {
            errors.push(
                HclError::new(
                    Location::new(file, attr.key.span()),
                    format!("unknown attribute `{key}` in env \"{name}\""),
                    "unknown attribute",
                )
                .with_help(format!("an env takes: {}", ENV_ATTRIBUTES.join(", "))),
            );
            continue;
        }
        if key == "roles" || key == "permissions" {
            mode::mode_attribute(file, attr, &eval, &mut errors, &mut env.roles);
            continue;
        }
        let value = match eval.eval(&attr.value) {
            Ok(v) => v,
            Err(msg) => {
                errors.push(HclError::new(
                    loc,
                    format!("cannot evaluate `{key}` of env \"{name}\": {msg}"),
                    "here",
                ));
                continue;
            }
        };
        let as_string = |v: &Value| -> Option<String> {
            match v {
                Value::String(s) if s.is_empty() => None,
                Value::String(s) => Some(s.clone()),
                _ => None,
            }
        };
        let as_list = |v: &Value| -> Option<Vec<String>> {
            match v {
                Value::String(s) => Some(vec![s.clone()]),
                Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map(str::to_string))
                    .collect(),
                Value::Null => Some(vec![]),
                _ => None,
            }
        };
        if key == "vars" {
            match string_map(&value) {
                Some(m) => env.vars = m,
                None => errors.push(HclError::new(
                    loc,
                    "`vars` must be a map of strings, e.g. { tenant = \"acme\" }",
                    "expected a map",
                )),
            }
            continue;
        }
        match key {
            "online" | "rehearse" => {
                let b = match value {
                    Value::Bool(b) => Some(b),
                    Value::Null => None,
                    _ => {
                        errors.push(HclError::new(
                            loc,
                            format!("`{key}` must be true or false"),
                            "expected a bool",
                        ));
                        continue;
                    }
                };
                if key == "online" {
                    env.online = b;
                } else {
                    env.rehearse = b;
                }
            }
            "url"
            | "dev"
            | "lock_timeout"
            | "db_lock_wait"
            | "statement_timeout"
            | "online_statement_timeout" => {
                if !matches!(value, Value::String(_) | Value::Null) {
                    errors.push(HclError::new(
                        loc,
                        format!("`{key}` must be a string"),
                        "expected a string",
                    ));
                    continue;
                }
                let v = as_string(&value);
                if key.ends_with("timeout") || key == "db_lock_wait" {
                    check_duration(file, name, attr, v.as_deref(), &mut errors);
                }
                if key == "url" && v.is_none() {
                    env.url_unset = Some(url_unset_reason(name, &loc, &attr.value));
                }
                match key {
                    "url" => env.url = v,
                    "dev" => env.dev = v,
                    "lock_timeout" => env.lock_timeout = v,
                    "statement_timeout" => env.statement_timeout = v,
                    "online_statement_timeout" => env.online_statement_timeout = v,
                    _ => env.db_lock_wait = v,
                }
            }
            _ => {
                let Some(list) = as_list(&value) else {
                    errors.push(HclError::new(
                        loc,
                        format!("`{key}` must be a list of strings"),
                        "expected a list",
                    ));
                    continue;
                };
                match key {
                    "src" => env.src = list.iter().map(|s| resolve(base, s)).collect(),
                    "schemas" => env.schemas = list,
                    _ => env.exclude = list,
                }
            }
        }
    }
    if let Some(attr) = for_each {
        env.fleet = fleet_targets(file, name, env_block, attr, &mut eval, &mut errors);
        env.url_unset = Some(format!(
            "env \"{name}\" is a fleet (for_each): plan and apply run over its targets, other commands need one target's --url"
        ));
    }
    errors.into_result(env)
}

/// A duration setting that does not parse is an error at the attribute, naming the expression
/// it came from (`var.lock`), not only the value.
fn check_duration(
    file: &SourceFile,
    env: &str,
    attr: &hcl::edit::structure::Attribute,
    value: Option<&str>,
    errors: &mut Errors,
) {
    let Some(v) = value else { return };
    if duration::Timeout::parse(v).is_some() {
        return;
    }
    let expr = attr.value.to_string();
    let expr = expr.trim();
    let label = if expr.starts_with('"') && !expr.contains("${") {
        "not a duration".to_string()
    } else {
        format!("{expr} is {v:?}: not a duration")
    };
    errors.push(
        HclError::new(
            Location::new(file, attr.value.span()),
            format!("invalid `{}` of env \"{env}\": {v:?}", attr.key.as_str()),
            label,
        )
        .with_help(duration::DURATION_HELP),
    );
}

/// The variables an expression reads with `getenv("NAME")`, wherever the call sits (inside a
/// template, a conditional, another function's arguments).
fn getenv_names(expr: &hcl::edit::expr::Expression) -> Vec<String> {
    use hcl::edit::expr::{Expression, FuncCall};
    use hcl::edit::visit::{Visit, visit_func_call};
    struct Getenv(Vec<String>);
    impl Visit for Getenv {
        fn visit_func_call(&mut self, call: &FuncCall) {
            if call.name.name.as_str() == "getenv"
                && let Some(Expression::String(name)) = call.args.iter().next()
            {
                self.0.push(name.value().to_string());
            }
            visit_func_call(self, call);
        }
    }
    let mut v = Getenv(Vec::new());
    v.visit_expr(expr);
    v.0
}

/// "env "prod": `url` at env.hcl:3:9 is empty: the environment variable PROD_URL is not set".
fn url_unset_reason(
    env: &str,
    loc: &crate::hcl::diag::Location,
    expr: &hcl::edit::expr::Expression,
) -> String {
    let unset: Vec<String> = getenv_names(expr)
        .into_iter()
        .filter(|name| std::env::var(name).map_or(true, |v| v.is_empty()))
        .collect();
    let why = match unset.as_slice() {
        [] => "it evaluates to an empty string".to_string(),
        [one] => format!("the environment variable {one} is not set"),
        many => format!("the environment variables {} are not set", many.join(", ")),
    };
    format!("env \"{env}\": `url` at {} is empty: {why}", loc.display())
}

/// Resolves a `src` entry (`file://` prefix allowed) against the config's directory. Other URLs
/// (`external_schema://NAME`) stay as they are.
fn resolve(base: &Path, s: &str) -> PathBuf {
    if s.starts_with(EXTERNAL_SCHEMA_SCHEME) {
        return PathBuf::from(s);
    }
    let s = s.strip_prefix("file://").unwrap_or(s);
    let p = PathBuf::from(s);
    if p.is_absolute() { p } else { base.join(p) }
}

#[cfg(test)]
mod tests;
