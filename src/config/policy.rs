//! `lint`/`policy` blocks of env.hcl (top level and per env), Atlas's analyzer blocks included.

use crate::hcl::diag::{Errors, HclError, Location, SourceFile};
use crate::hcl::eval::Evaluator;
use crate::lint::policy::{Level, Policy, Selector};
use hcl::Value;
use hcl::edit::Span;
use hcl::edit::structure::Block;

/// Atlas's analyzer blocks inside `lint` and the categories they stand for.
const ATLAS_ANALYZERS: &[(&str, &str)] = &[
    ("destructive", "data_loss"),
    ("data_depend", "may_fail"),
    ("incompatible", "compatibility"),
    ("condrop", "CD101"),
];

/// Attributes and blocks of Atlas's `lint` that do not decide hazard levels (accepted, unused).
const ATLAS_IGNORED: &[&str] = &[
    "latest",
    "format",
    "log",
    "review",
    "git",
    "naming",
    "concurrent_index",
    "non_linear",
];

/// Reads a `lint { deny = [..] warn = [..] allow = [..] }` (or `policy`) block. Atlas's
/// `destructive { error = true }` style blocks are accepted too.
pub(super) fn parse_policy(
    file: &SourceFile,
    block: &Block,
    eval: &Evaluator,
    errors: &mut Errors,
) -> Policy {
    let mut policy = Policy::default();
    let what = block.ident.as_str().to_string();
    for attr in block.body.attributes() {
        let key = attr.key.as_str();
        let loc = Location::new(file, attr.value.span());
        if ATLAS_IGNORED.contains(&key) {
            continue;
        }
        let Some(level) = Level::parse(key) else {
            errors.push(
                HclError::new(
                    Location::new(file, attr.key.span()),
                    format!("unknown attribute `{key}` in {what}"),
                    "unknown attribute",
                )
                .with_help(format!(
                    "{what} takes deny, warn and allow: lists of hazard codes (DS102) or categories (data_loss)"
                )),
            );
            continue;
        };
        let items: Vec<String> = match eval.eval(&attr.value) {
            Ok(Value::Array(items)) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect(),
            Ok(Value::String(s)) => vec![s],
            Ok(_) => {
                errors.push(HclError::new(
                    loc,
                    format!("`{key}` must be a list of hazard codes or categories"),
                    "expected a list",
                ));
                continue;
            }
            Err(msg) => {
                errors.push(HclError::new(
                    loc,
                    format!("cannot evaluate `{key}`: {msg}"),
                    "here",
                ));
                continue;
            }
        };
        for item in items {
            match Selector::parse(&item) {
                Ok(sel) => policy.set(&sel, level),
                Err(msg) => errors.push(HclError::new(loc.clone(), msg, "unknown code")),
            }
        }
    }
    for b in block.body.blocks() {
        let name = b.ident.as_str();
        if ATLAS_IGNORED.contains(&name) {
            continue;
        }
        let Some((_, target)) = ATLAS_ANALYZERS.iter().find(|(a, _)| *a == name) else {
            errors.push(
                HclError::new(
                    Location::new(file, b.ident.span()),
                    format!("unknown block `{name}` in {what}"),
                    "unknown block",
                )
                .with_help(
                    "use deny/warn/allow lists, or Atlas's destructive, data_depend, incompatible and condrop blocks",
                ),
            );
            continue;
        };
        for attr in b.body.attributes() {
            if attr.key.as_str() != "error" {
                continue;
            }
            if let Ok(Value::Bool(error)) = eval.eval(&attr.value)
                && let Ok(sel) = Selector::parse(target)
            {
                policy.set(&sel, if error { Level::Deny } else { Level::Warn });
            }
        }
    }
    policy
}
