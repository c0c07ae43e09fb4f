//! Which roles an env manages: Atlas's `schema { mode { roles = true, permissions = true } }`
//! and strata's flat `roles = …` / `permissions = …` env attributes (the same values). `roles`
//! also takes a list of role names or glob patterns (`["app_*"]`): on a shared server only
//! those are ever created, altered, dropped or granted to.

use crate::hcl::diag::{Errors, HclError, Location, SourceFile};
use crate::hcl::eval::Evaluator;
use crate::model::RoleScope;
use hcl::Value;
use hcl::edit::Span;
use hcl::edit::expr::Expression;
use hcl::edit::structure::{Attribute, Block};

/// The attributes a `mode` block takes.
const MODE_ATTRIBUTES: &[&str] = &["roles", "permissions", "sensitive"];

/// `schema { mode { … } }` inside an env.
pub(super) fn schema_block(
    file: &SourceFile,
    b: &Block,
    eval: &Evaluator,
    errors: &mut Errors,
    into: &mut Option<RoleScope>,
) {
    for s in b.body.iter() {
        match (s.as_attribute(), s.as_block()) {
            (_, Some(mode)) if mode.ident.as_str() == "mode" => {
                for a in mode.body.attributes() {
                    if MODE_ATTRIBUTES.contains(&a.key.as_str()) {
                        mode_attribute(file, a, eval, errors, into);
                    } else {
                        unknown(file, a.key.span(), a.key.as_str(), "mode", errors);
                    }
                }
                for inner in mode.body.blocks() {
                    unknown(
                        file,
                        inner.ident.span(),
                        inner.ident.as_str(),
                        "mode",
                        errors,
                    );
                }
            }
            (Some(a), _) => unknown(file, a.key.span(), a.key.as_str(), "schema", errors),
            (_, Some(inner)) => unknown(
                file,
                inner.ident.span(),
                inner.ident.as_str(),
                "schema",
                errors,
            ),
            _ => {}
        }
    }
}

fn unknown(
    file: &SourceFile,
    span: Option<std::ops::Range<usize>>,
    key: &str,
    block: &str,
    errors: &mut Errors,
) {
    let help = if block == "mode" {
        "the mode block takes roles, permissions and sensitive"
    } else {
        "the env's schema block takes a `mode { roles = …, permissions = … }` block"
    };
    errors.push(
        HclError::new(
            Location::new(file, span),
            format!("unknown `{key}` in the {block} block"),
            "unknown",
        )
        .with_help(help),
    );
}

/// `roles = true | false | ["name", "app_*"]`, `permissions = true | false`, or Atlas's
/// `sensitive = ALLOW` (accepted; a password comes only from a `sensitive` variable).
pub(super) fn mode_attribute(
    file: &SourceFile,
    attr: &Attribute,
    eval: &Evaluator,
    errors: &mut Errors,
    into: &mut Option<RoleScope>,
) {
    let key = attr.key.as_str();
    let loc = Location::new(file, attr.value.span());
    if key == "sensitive" {
        if !matches!(attr.value, Expression::Variable(_) | Expression::String(_)) {
            errors.push(HclError::new(
                loc,
                "`sensitive` must be ALLOW or DENY",
                "expected ALLOW or DENY",
            ));
        }
        return;
    }
    let value = match eval.eval(&attr.value) {
        Ok(v) => v,
        Err(msg) => {
            errors.push(HclError::new(
                loc,
                format!("cannot evaluate `{key}`: {msg}"),
                "here",
            ));
            return;
        }
    };
    let scope = into.get_or_insert_with(RoleScope::default);
    match (key, value) {
        ("roles", Value::Bool(b)) => scope.roles = b,
        ("roles", Value::Array(items)) => {
            let names: Option<Vec<String>> = items
                .iter()
                .map(|i| i.as_str().map(str::to_string))
                .collect();
            match names {
                Some(n) if !n.is_empty() => {
                    scope.roles = true;
                    scope.names = n;
                }
                _ => errors.push(HclError::new(
                    loc,
                    "`roles` must be true, false or a non-empty list of role names or patterns",
                    "expected a bool or a list of strings",
                )),
            }
        }
        ("permissions", Value::Bool(b)) => scope.permissions = b,
        _ => errors.push(HclError::new(
            loc,
            format!(
                "`{key}` must be {}",
                if key == "roles" {
                    "true, false or a list of role names or patterns"
                } else {
                    "true or false"
                }
            ),
            "unexpected value",
        )),
    }
    if !scope.roles && !scope.permissions {
        *into = None;
    }
}
