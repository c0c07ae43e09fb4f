//! Fleet envs: `for_each` on an env block, one [`Target`] per item with `url`, `schemas` and
//! `vars` evaluated with `each.key`/`each.value`; and `vars = { … }` maps.

use super::{TARGET_ATTRIBUTES, Target};
use crate::hcl::diag::{Errors, HclError, Location, SourceFile};
use crate::hcl::eval::Evaluator;
use hcl::Value;
use hcl::edit::Span;
use hcl::edit::structure::Block;
use std::collections::BTreeMap;

/// A map of strings (`vars = { a = "x" }`); numbers and bools are written as text.
pub(super) fn string_map(value: &Value) -> Option<BTreeMap<String, String>> {
    match value {
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => return None,
                };
                Some((k.clone(), text))
            })
            .collect(),
        Value::Null => Some(BTreeMap::new()),
        _ => None,
    }
}

/// The targets of a fleet env: one per item of `for_each` (a list or set of strings: key and
/// value are the item; a map: its keys and values), with `url`, `schemas` and `vars`
/// evaluated with `each.key`/`each.value`.
pub(super) fn fleet_targets(
    file: &SourceFile,
    name: &str,
    env_block: &Block,
    for_each: &hcl::edit::structure::Attribute,
    eval: &mut Evaluator,
    errors: &mut Errors,
) -> Option<Vec<Target>> {
    let loc = Location::new(file, for_each.value.span());
    let items: Vec<(String, Value)> = match eval.eval(&for_each.value) {
        Ok(Value::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for v in items {
                let Some(key) = v.as_str().map(str::to_string) else {
                    errors.push(HclError::new(
                        loc,
                        format!("`for_each` of env \"{name}\" must be a set of strings or a map; it holds {v}"),
                        "here",
                    ).with_help("wrap a list in toset(…); for objects, use a map keyed by target name"));
                    return None;
                };
                out.push((key, v));
            }
            out
        }
        Ok(Value::Object(m)) => m.into_iter().collect(),
        Ok(other) => {
            errors.push(
                HclError::new(
                    loc,
                    format!("`for_each` of env \"{name}\" must be a set of strings or a map, not {other}"),
                    "here",
                )
                .with_help("e.g. for_each = toset(data.sql.tenants.values)"),
            );
            return None;
        }
        Err(msg) => {
            errors.push(HclError::new(
                loc,
                format!("cannot evaluate `for_each` of env \"{name}\": {msg}"),
                "here",
            ));
            return None;
        }
    };
    let mut seen = std::collections::HashSet::new();
    let mut targets = Vec::with_capacity(items.len());
    for (key, value) in items {
        if key.is_empty() {
            errors.push(
                HclError::new(
                    loc.clone(),
                    format!("`for_each` of env \"{name}\" holds an empty key"),
                    "here",
                )
                .with_help("every target needs a name: leave empty lines out with compact(…)"),
            );
            return None;
        }
        if !seen.insert(key.clone()) {
            // A set: repeated items are one target.
            continue;
        }
        eval.set_each(Some((Value::String(key.clone()), value)));
        let mut t = Target {
            key: key.clone(),
            ..Default::default()
        };
        for attr in env_block.body.attributes() {
            let k = attr.key.as_str();
            if !TARGET_ATTRIBUTES.contains(&k) {
                continue;
            }
            let aloc = Location::new(file, attr.value.span());
            let v = match eval.eval(&attr.value) {
                Ok(v) => v,
                Err(msg) => {
                    errors.push(HclError::new(
                        aloc,
                        format!(
                            "cannot evaluate `{k}` of env \"{name}\" for target \"{key}\": {msg}"
                        ),
                        "here",
                    ));
                    eval.set_each(None);
                    return None;
                }
            };
            let ok = match (k, &v) {
                ("url", Value::String(s)) => {
                    t.url = (!s.is_empty()).then(|| s.clone());
                    true
                }
                ("url", Value::Null) => true,
                ("schemas", Value::String(s)) => {
                    t.schemas = vec![s.clone()];
                    true
                }
                ("schemas", Value::Array(items)) => {
                    match items
                        .iter()
                        .map(|i| i.as_str().map(str::to_string))
                        .collect()
                    {
                        Some(list) => {
                            t.schemas = list;
                            true
                        }
                        None => false,
                    }
                }
                ("vars", v) => match string_map(v) {
                    Some(m) => {
                        t.vars = m;
                        true
                    }
                    None => false,
                },
                _ => false,
            };
            if !ok {
                errors.push(HclError::new(
                    aloc,
                    format!("`{k}` of env \"{name}\" has the wrong type for target \"{key}\""),
                    match k {
                        "url" => "expected a string",
                        "schemas" => "expected a list of strings",
                        _ => "expected a map of strings",
                    },
                ));
                eval.set_each(None);
                return None;
            }
        }
        targets.push(t);
    }
    eval.set_each(None);
    Some(targets)
}
