//! What a plan manages of a database: the schemas, minus the objects `exclude` names.
//! Desired and current models are cut down the same way before they are compared, and an
//! apply's fingerprint check re-inspects through the same cut.

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

use super::{Model, RoleScope};

/// The managed schemas and the `exclude` globs: without a dot a pattern matches schemas, with
/// one `schema.name` (tables and enums).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub(crate) schemas: Vec<String>,
    pub(crate) exclude: Vec<String>,
    /// The roles managed, and whether their privileges are (`None`: neither).
    pub(crate) roles: Option<RoleScope>,
}

impl Scope {
    /// Keeps the managed schemas, the extensions installed in them (or anywhere), the event
    /// triggers whose function lives in them, minus the excluded objects.
    pub(crate) fn restrict(&self, model: &mut Model) {
        model.schemas.retain(|name, _| self.schemas.contains(name));
        model
            .extensions
            .retain(|_, e| e.schema.as_ref().is_none_or(|x| self.schemas.contains(x)));
        model
            .event_triggers
            .retain(|_, e| self.schemas.contains(&e.function.schema));
        apply_exclude(model, &self.exclude);
        self.restrict_roles(model);
    }

    /// Keeps the managed roles (when roles are managed) and the privileges granted to managed
    /// roles on the objects that remain (when privileges are).
    fn restrict_roles(&self, model: &mut Model) {
        let roles = self.roles.as_ref();
        match roles {
            Some(r) if r.roles => model.roles.retain(|n, _| r.manages(n)),
            _ => model.roles.clear(),
        }
        let Some(r) = roles.filter(|r| r.permissions) else {
            model.grants.clear();
            model.default_grants.clear();
            return;
        };
        let schemas = &self.schemas;
        model.default_grants.retain(|d| {
            r.manages(&d.grantee) && d.schema.as_ref().is_none_or(|s| schemas.contains(s))
        });
        let kept: Vec<_> = std::mem::take(&mut model.grants)
            .into_iter()
            .filter(|g| r.manages(&g.grantee) && model.has_grant_target(g))
            .collect();
        model.grants = kept.into_iter().collect();
    }

    /// `true` when `schema` (and `relation` in it, when given) is managed: the schema is in
    /// scope and no pattern excludes it.
    pub(crate) fn manages(&self, schema: &str, relation: Option<&str>) -> bool {
        if !self.schemas.iter().any(|s| s == schema) {
            return false;
        }
        let exclude = Exclude::new(&self.exclude);
        !exclude.schema(schema) && !relation.is_some_and(|r| exclude.object(schema, r))
    }
}

/// `true` when `name` matches a glob with `*` (any run of characters, dots included) and `?`
/// (one character); every other character stands for itself.
pub(crate) fn glob_match(pattern: &str, name: &str) -> bool {
    glob(pattern).is_ok_and(|g| g.compile_matcher().is_match(spelled(name)))
}

/// globset compiles a glob to an automaton, so no pattern takes exponential time. It matches
/// bytes, though, and gives `[`, `{`, `\` and `**` meanings of their own; so patterns and names
/// are matched in a spelling where each character is one unit of the same width (`<` and six hex
/// digits). `?` becomes one unit, `*` any run of units (a unit starts with the only `<`s, so
/// matches stay aligned), every other character the unit that spells it.
fn spelled(name: &str) -> String {
    let mut out = String::with_capacity(name.len() * UNIT);
    for ch in name.chars() {
        push_unit(&mut out, ch);
    }
    out
}

const UNIT: usize = 7;

fn push_unit(out: &mut String, ch: char) {
    use std::fmt::Write;
    let _ = write!(out, "<{:06x}", u32::from(ch));
}

/// An `--exclude` pattern as a globset glob over [`spelled`] names.
fn glob(pattern: &str) -> Result<Glob, globset::Error> {
    let mut text = String::with_capacity(pattern.len() * UNIT);
    let mut star = false;
    for ch in pattern.chars() {
        match ch {
            // A run of `*` means the same as one.
            '*' if star => {}
            '*' => text.push('*'),
            '?' => text.push_str("<??????"),
            _ => push_unit(&mut text, ch),
        }
        star = ch == '*';
    }
    GlobBuilder::new(&text).literal_separator(false).build()
}

/// The `exclude` patterns, compiled once: those without a dot match schemas, those with one
/// `schema.name`.
struct Exclude {
    schemas: GlobSet,
    objects: GlobSet,
}

impl Exclude {
    fn new(patterns: &[String]) -> Exclude {
        let mut schemas = GlobSetBuilder::new();
        let mut objects = GlobSetBuilder::new();
        // A spelled pattern has no character globset treats specially but `*` and `?`, so
        // each compiles.
        for (p, g) in patterns.iter().filter_map(|p| Some((p, glob(p).ok()?))) {
            if p.contains('.') {
                objects.add(g);
            } else {
                schemas.add(g);
            }
        }
        Exclude {
            schemas: schemas.build().unwrap_or_else(|_| GlobSet::empty()),
            objects: objects.build().unwrap_or_else(|_| GlobSet::empty()),
        }
    }

    fn schema(&self, name: &str) -> bool {
        !self.schemas.is_empty() && self.schemas.is_match(spelled(name))
    }

    fn object(&self, schema: &str, name: &str) -> bool {
        !self.objects.is_empty() && self.objects.is_match(spelled(&format!("{schema}.{name}")))
    }
}

/// Removes excluded objects: patterns without a dot match schemas, `schema.name` patterns match
/// tables and enums.
pub(crate) fn apply_exclude(model: &mut Model, exclude: &[String]) {
    if exclude.is_empty() {
        return;
    }
    let exclude = Exclude::new(exclude);
    model.schemas.retain(|name, _| !exclude.schema(name));
    for s in model.schemas.values_mut() {
        let schema = s.name.clone();
        s.tables.retain(|n, _| !exclude.object(&schema, n));
        s.enums.retain(|n, _| !exclude.object(&schema, n));
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
    fn globs_keep_their_meaning() {
        // `*` crosses dots and slashes; a run of stars is one star.
        assert!(glob_match("pub*", "public.users"));
        assert!(glob_match("*.users", "public.users"));
        assert!(glob_match("a*/b", "a.x/y/b"));
        assert!(glob_match("a**b", "a.b"));
        assert!(glob_match("***", ""));
        // `?` is exactly one character, also outside ASCII.
        assert!(glob_match("?pfel", "Äpfel"));
        assert!(!glob_match("?", "ab"));
        assert!(!glob_match("?", ""));
        assert!(glob_match("??", "éé"));
        assert!(!glob_match("?", "éé"));
        assert!(!glob_match("*??", "é"));
        assert!(glob_match("*?", "名前"));
        // Matching is case sensitive and whole-name.
        assert!(!glob_match("Public", "public"));
        assert!(!glob_match("pub", "public"));
        assert!(glob_match("", ""));
        assert!(!glob_match("", "a"));
        // Everything else is literal: classes, alternations, escapes.
        assert!(glob_match("t[1]", "t[1]"));
        assert!(!glob_match("t[1]", "t1"));
        assert!(glob_match("{a,b}", "{a,b}"));
        assert!(!glob_match("{a,b}", "a"));
        assert!(glob_match(r"a\*", r"a\xyz"));
        assert!(!glob_match(r"a\*", "a*"));
        assert!(glob_match("!x", "!x"));
        // The spelling globset sees does not leak: `<` and hex digits are plain characters.
        assert!(glob_match("<00006?", "<000061"));
        assert!(!glob_match("<00006?", "a"));
        assert!(!glob_match("<??????", "a"));
    }

    #[test]
    fn pathological_globs_are_fast() {
        // The old backtracker took exponential time here (minutes); globset answers at once.
        let name = "a".repeat(60);
        let started = std::time::Instant::now();
        assert!(!glob_match("*a*a*a*a*a*a*a*a*a*a*b", &name));
        let scope = Scope {
            schemas: vec!["public".into()],
            exclude: vec!["public.*a*a*a*a*a*a*a*a*a*a*b".into()],
            roles: None,
        };
        assert!(scope.manages("public", Some(&name)));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn manages_follows_schemas_and_exclude() {
        let scope = |exclude: &[&str]| Scope {
            schemas: vec!["public".into()],
            exclude: exclude.iter().map(|s| s.to_string()).collect(),
            roles: None,
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
