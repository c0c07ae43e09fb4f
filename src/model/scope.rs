//! What a plan manages of a database: the schemas, minus the objects `exclude` names.
//! Desired and current models are cut down the same way before they are compared, and an
//! apply's fingerprint check re-inspects through the same cut.

use super::Model;

/// The managed schemas and the `exclude` globs: without a dot a pattern matches schemas, with
/// one `schema.name` (tables and enums).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub schemas: Vec<String>,
    pub exclude: Vec<String>,
}

impl Scope {
    /// Keeps the managed schemas, the extensions installed in them (or anywhere), minus the
    /// excluded objects.
    pub fn restrict(&self, model: &mut Model) {
        model.schemas.retain(|name, _| self.schemas.contains(name));
        model
            .extensions
            .retain(|_, e| e.schema.as_ref().is_none_or(|x| self.schemas.contains(x)));
        apply_exclude(model, &self.exclude);
    }

    /// `true` when `schema` (and `relation` in it, when given) is managed: the schema is in
    /// scope and no pattern excludes it.
    pub fn manages(&self, schema: &str, relation: Option<&str>) -> bool {
        self.schemas.iter().any(|s| s == schema)
            && !self.exclude.iter().any(|p| {
                if p.contains('.') {
                    relation.is_some_and(|r| glob_match(p, &format!("{schema}.{r}")))
                } else {
                    glob_match(p, schema)
                }
            })
    }
}

/// `true` when `name` matches a glob with `*` and `?`.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some('*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some('?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    go(&p, &n)
}

/// Removes excluded objects: patterns without a dot match schemas, `schema.name` patterns match
/// tables and enums.
pub fn apply_exclude(model: &mut Model, exclude: &[String]) {
    if exclude.is_empty() {
        return;
    }
    model.schemas.retain(|name, _| {
        !exclude
            .iter()
            .any(|p| !p.contains('.') && glob_match(p, name))
    });
    for s in model.schemas.values_mut() {
        let schema = s.name.clone();
        let hit = |n: &str| {
            exclude
                .iter()
                .any(|p| p.contains('.') && glob_match(p, &format!("{schema}.{n}")))
        };
        s.tables.retain(|n, _| !hit(n));
        s.enums.retain(|n, _| !hit(n));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("public.legacy_*", "public.legacy_users"));
        assert!(!glob_match("public.legacy_*", "public.users"));
        assert!(glob_match("*", "anything"));
        assert!(glob_match("a?c", "abc"));
    }

    #[test]
    fn manages_follows_schemas_and_exclude() {
        let scope = |exclude: &[&str]| Scope {
            schemas: vec!["public".into()],
            exclude: exclude.iter().map(|s| s.to_string()).collect(),
        };
        assert!(scope(&[]).manages("public", Some("t")));
        assert!(scope(&[]).manages("public", None));
        assert!(!scope(&[]).manages("other", Some("t")));
        assert!(!scope(&["public.t*"]).manages("public", Some("t")));
        assert!(scope(&["public.t*"]).manages("public", Some("u")));
        assert!(scope(&["public.t*"]).manages("public", None));
        assert!(!scope(&["pub*"]).manages("public", None));
    }
}
