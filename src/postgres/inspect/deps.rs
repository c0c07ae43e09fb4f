//! Dependencies between objects, read from `pg_depend` (views through their `pg_rewrite` rules,
//! defaults through `pg_attrdef`, …) in one query, keyed the way the model names objects.

use super::{InspectError, SchemaFilter};
use crate::model::QualifiedName;
use crate::postgres::rows::Cols;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use tokio_postgres::GenericClient;

/// An object as the planner orders it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub(crate) enum ObjKey {
    Schema(String),
    Extension(String),
    Table(QualifiedName),
    Column(QualifiedName, String),
    View(QualifiedName),
    Sequence(QualifiedName),
    /// An enum, domain or composite type.
    Type(QualifiedName),
    /// Schema and signature `name(type, type)`.
    Function(String, String),
    /// Index on a table or materialized view.
    Index(QualifiedName, String),
    Constraint(QualifiedName, String),
    Trigger(QualifiedName, String),
    Policy(QualifiedName, String),
    /// An event trigger, by name (database-wide).
    EventTrigger(String),
    /// A role, by name (cluster-wide).
    Role(String),
}

impl ObjKey {
    /// The schema the object lives in.
    pub(crate) fn schema(&self) -> Option<&str> {
        match self {
            ObjKey::Schema(s) | ObjKey::Function(s, _) => Some(s),
            ObjKey::Extension(_) | ObjKey::EventTrigger(_) | ObjKey::Role(_) => None,
            ObjKey::Table(q)
            | ObjKey::Column(q, _)
            | ObjKey::View(q)
            | ObjKey::Sequence(q)
            | ObjKey::Type(q)
            | ObjKey::Index(q, _)
            | ObjKey::Constraint(q, _)
            | ObjKey::Trigger(q, _)
            | ObjKey::Policy(q, _) => Some(&q.schema),
        }
    }
}

/// Dependency edges: `dependent → referenced`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Deps {
    /// What each object references, sorted and without repeats. A sorted `Vec`, not a
    /// `BTreeSet`: most objects reference one or two others, and a set's first node holds room
    /// for eleven (at 20,000 tables that was about 40 MB).
    pub(crate) on: HashMap<ObjKey, Vec<ObjKey>>,
}

impl Deps {
    pub(crate) fn add(&mut self, dependent: ObjKey, referenced: ObjKey) {
        if dependent != referenced {
            let refs = self.on.entry(dependent).or_default();
            if let Err(at) = refs.binary_search(&referenced) {
                refs.insert(at, referenced);
            }
        }
    }

    /// What `k` depends on.
    pub(crate) fn of(&self, k: &ObjKey) -> impl Iterator<Item = &ObjKey> {
        self.on.get(k).into_iter().flatten()
    }

    /// Reverse index: referenced → dependents.
    pub(crate) fn reverse(&self) -> HashMap<&ObjKey, Vec<&ObjKey>> {
        let mut r: HashMap<&ObjKey, Vec<&ObjKey>> = HashMap::new();
        for (d, refs) in &self.on {
            for k in refs {
                r.entry(k).or_default().push(d);
            }
        }
        r
    }

    /// Keeps the edges of objects in `keep`, replacing the others' with `other`'s.
    pub(crate) fn merge(&mut self, other: &Deps, from_other: &HashSet<ObjKey>) {
        for k in from_other {
            self.on.remove(k);
            if let Some(refs) = other.on.get(k) {
                self.on.insert(k.clone(), refs.clone());
            }
        }
    }
}

fn key_sql(class: &str, oid: &str, sub: &str) -> String {
    format!(
        "CASE {class}
          WHEN 'pg_class'::regclass THEN (SELECT json_build_object(
              'k', CASE WHEN c.relkind IN ('r', 'p') AND {sub} > 0 THEN 'column' WHEN c.relkind IN ('r', 'p') THEN 'table'
                        WHEN c.relkind IN ('v', 'm') THEN 'view' WHEN c.relkind = 'S' THEN 'sequence'
                        WHEN c.relkind IN ('i', 'I') THEN 'index' WHEN c.relkind = 'c' THEN 'type' END,
              's', n.nspname,
              'n', CASE WHEN c.relkind IN ('i', 'I') THEN (SELECT tc.relname FROM pg_index ix JOIN pg_class tc ON tc.oid = ix.indrelid WHERE ix.indexrelid = c.oid)
                        WHEN c.relkind = 'c' THEN (SELECT ct.typname FROM pg_type ct WHERE ct.oid = c.reltype) ELSE c.relname END,
              'x', CASE WHEN c.relkind IN ('i', 'I') THEN c.relname
                        WHEN {sub} > 0 AND c.relkind IN ('r', 'p') THEN (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum = {sub}) END)::text
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = {oid})
          WHEN 'pg_rewrite'::regclass THEN (SELECT json_build_object('k', 'view', 's', n.nspname, 'n', c.relname)::text
            FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace WHERE r.oid = {oid})
          WHEN 'pg_proc'::regclass THEN (SELECT json_build_object('k', 'function', 's', n.nspname,
              'n', p.proname || '(' || array_to_string(ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes) WITH ORDINALITY u(t, i) ORDER BY i), ', ') || ')')::text
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.oid = {oid})
          WHEN 'pg_trigger'::regclass THEN (SELECT json_build_object('k', 'trigger', 's', n.nspname, 'n', c.relname, 'x', t.tgname)::text
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE t.oid = {oid})
          WHEN 'pg_policy'::regclass THEN (SELECT json_build_object('k', 'policy', 's', n.nspname, 'n', c.relname, 'x', p.polname)::text
            FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE p.oid = {oid})
          WHEN 'pg_attrdef'::regclass THEN (SELECT json_build_object('k', 'column', 's', n.nspname, 'n', c.relname, 'x', a.attname)::text
            FROM pg_attrdef ad JOIN pg_class c ON c.oid = ad.adrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum WHERE ad.oid = {oid})
          WHEN 'pg_constraint'::regclass THEN (SELECT CASE WHEN con.conrelid <> 0
                THEN json_build_object('k', 'constraint', 's', n.nspname, 'n', c.relname, 'x', con.conname)
                ELSE json_build_object('k', 'type', 's', tn.nspname, 'n', ty.typname) END::text
            FROM pg_constraint con LEFT JOIN pg_class c ON c.oid = con.conrelid LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_type ty ON ty.oid = con.contypid LEFT JOIN pg_namespace tn ON tn.oid = ty.typnamespace WHERE con.oid = {oid})
          WHEN 'pg_type'::regclass THEN (SELECT CASE
                WHEN rc.oid IS NOT NULL AND rc.relkind IN ('r', 'p') THEN json_build_object('k', 'table', 's', rn.nspname, 'n', rc.relname)
                WHEN rc.oid IS NOT NULL AND rc.relkind IN ('v', 'm') THEN json_build_object('k', 'view', 's', rn.nspname, 'n', rc.relname)
                ELSE json_build_object('k', 'type', 's', n.nspname, 'n', ty.typname) END::text
            FROM pg_type t0
            JOIN pg_type ty ON ty.oid = CASE WHEN t0.typelem <> 0 AND t0.typsubscript = 'array_subscript_handler'::regproc THEN t0.typelem ELSE t0.oid END
            JOIN pg_namespace n ON n.oid = ty.typnamespace
            LEFT JOIN pg_class rc ON rc.oid = ty.typrelid AND rc.relkind <> 'c'
            LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace WHERE t0.oid = {oid})
          WHEN 'pg_event_trigger'::regclass THEN (SELECT json_build_object('k', 'event_trigger', 'n', e.evtname)::text FROM pg_event_trigger e WHERE e.oid = {oid})
          WHEN 'pg_extension'::regclass THEN (SELECT json_build_object('k', 'extension', 'n', e.extname)::text FROM pg_extension e WHERE e.oid = {oid})
        END"
    )
}

fn deps_sql() -> String {
    format!(
        "SELECT DISTINCT {} AS dep, {} AS ref
         FROM pg_depend d
         WHERE d.objid >= 16384 AND d.refobjid >= 16384 AND d.deptype IN ('n', 'a')
           AND d.refclassid <> 'pg_namespace'::regclass
           AND (d.classid IN ('pg_rewrite'::regclass, 'pg_proc'::regclass, 'pg_trigger'::regclass, 'pg_policy'::regclass,
                              'pg_attrdef'::regclass, 'pg_type'::regclass, 'pg_event_trigger'::regclass)
                OR (d.classid = 'pg_constraint'::regclass AND d.refclassid IN ('pg_proc'::regclass, 'pg_type'::regclass))
                OR (d.classid = 'pg_class'::regclass AND d.refclassid IN ('pg_proc'::regclass, 'pg_type'::regclass, 'pg_extension'::regclass))
                OR (d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a'
                    AND EXISTS (SELECT 1 FROM pg_class s WHERE s.oid = d.objid AND s.relkind = 'S')))
           AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = d.classid AND e.objid = d.objid AND e.deptype = 'e')",
        key_sql("d.classid", "d.objid", "d.objsubid"),
        key_sql("d.refclassid", "d.refobjid", "d.refobjsubid")
    )
}

fn parse_key(json: &str) -> Option<ObjKey> {
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    let k = v["k"].as_str()?;
    let s = v["s"].as_str().unwrap_or_default().to_string();
    let n = v["n"].as_str()?.to_string();
    let x = v["x"].as_str().map(str::to_string);
    let q = || QualifiedName::new(&s, &n);
    Some(match (k, x) {
        ("column", Some(c)) => ObjKey::Column(q(), c),
        ("table", _) => ObjKey::Table(q()),
        ("view", _) => ObjKey::View(q()),
        ("sequence", _) => ObjKey::Sequence(q()),
        ("index", Some(i)) => ObjKey::Index(q(), i),
        ("type", _) => ObjKey::Type(q()),
        ("function", _) => ObjKey::Function(s, n),
        ("trigger", Some(t)) => ObjKey::Trigger(q(), t),
        ("policy", Some(p)) => ObjKey::Policy(q(), p),
        ("constraint", Some(c)) => ObjKey::Constraint(q(), c),
        ("extension", _) => ObjKey::Extension(n),
        ("event_trigger", _) => ObjKey::EventTrigger(n),
        _ => return None,
    })
}

/// Reads the dependencies of objects in `scope`.
pub(crate) async fn dependencies<C: GenericClient + Sync>(
    client: &C,
    scope: &SchemaFilter,
) -> Result<Deps, InspectError> {
    let rows = client
        .query(&deps_sql(), &[])
        .await
        .map_err(|e| InspectError::query("dependencies", &e))?;
    let in_scope = |k: &ObjKey| match (&scope.schemas, k.schema()) {
        (None, Some(s)) => !s.starts_with("pg_") && s != "information_schema",
        (Some(list), Some(s)) => list.iter().any(|x| x == s),
        (_, None) => true,
    };
    let mut deps = Deps::default();
    for r in &rows {
        let r = Cols::new(r, "dependencies");
        let (Some(d), Some(rf)) = (r.col::<Option<String>>(0)?, r.col::<Option<String>>(1)?) else {
            continue;
        };
        let (Some(d), Some(rf)) = (parse_key(&d), parse_key(&rf)) else {
            continue;
        };
        if !in_scope(&d) {
            continue;
        }
        // A column's dependency is its table's for anything but views and defaults.
        deps.add(d, rf);
    }
    Ok(deps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_keys() {
        assert_eq!(
            parse_key(r#"{"k":"column","s":"public","n":"t","x":"c"}"#),
            Some(ObjKey::Column(
                QualifiedName::new("public", "t"),
                "c".into()
            ))
        );
        assert_eq!(
            parse_key(r#"{"k":"function","s":"public","n":"f(integer)","x":null}"#),
            Some(ObjKey::Function("public".into(), "f(integer)".into()))
        );
        assert_eq!(parse_key(r#"{"k":"bogus","n":"x"}"#), None);
    }
}
