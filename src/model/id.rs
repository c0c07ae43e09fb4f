//! Object identities: the one place an object's address is spelled and read back.
//!
//! An address is what plans, JSON output, lint findings and the loader's source map call an
//! object: `schema.public`, `extension.pgcrypto`, `table.public.users`,
//! `function.public.add(integer, integer)`, `trigger.public.users.audit`,
//! `table.public.users.column.email`, and inside a table's object view the relative
//! `column.email`. [`ObjectId`]'s `Display` writes exactly these strings and `FromStr` reads
//! them back; nothing else in the crate formats or parses them (`tests/architecture.rs`).
//!
//! # Ambiguity
//!
//! Segments are joined with `.` and never quoted, so a name that contains a dot makes an
//! address ambiguous: `table.a.b.c` is table `b.c` in schema `a` or table `c` in schema `a.b`.
//! Parsing resolves it one fixed way, documented on [`ObjectId::from_str`]: the schema ends at
//! the first dot, a trigger's or policy's table at the next one, and a table part starts at the
//! first `.column.`, `.index.`, … after the schema. Whatever it picks, writing the parsed id
//! gives back the same string (`parse(s).to_string() == s`), so plans and saved plans survive a
//! round trip byte for byte; only the split into fields may differ from the object's, for names
//! with dots (or, for parts, names containing `.column.` and the like). Spaces, quotes and
//! non-ASCII letters need no escaping and round-trip exactly.

use super::{QualifiedName, RoutineKind};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What kind of object an address names; its `Display` is the address's first segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum ObjectKind {
    Schema,
    Extension,
    Table,
    Enum,
    Domain,
    Composite,
    Collation,
    Sequence,
    View,
    Materialized,
    Function,
    Procedure,
    Aggregate,
    Trigger,
    EventTrigger,
    Policy,
    /// A role (`role` and `user` blocks).
    Role,
    /// The privileges of one role on one object (`permission` blocks).
    Permission,
    Column,
    PrimaryKey,
    Index,
    Unique,
    Check,
    ForeignKey,
    Exclude,
    /// A constraint of a kind the address does not say (a renamed constraint).
    Constraint,
}

/// How an address of a kind is laid out after its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `schema.<name>`, `extension.<name>`.
    Top,
    /// `table.<schema>.<name>`; routines put their signature in the name.
    InSchema,
    /// `trigger.<schema>.<table>.<name>`.
    OnTable,
    /// `table.<schema>.<table>.column.<name>`, or relative `column.<name>`.
    Part,
}

impl ObjectKind {
    /// Every kind, in declaration order.
    pub(crate) const ALL: [ObjectKind; 26] = [
        ObjectKind::Schema,
        ObjectKind::Extension,
        ObjectKind::Table,
        ObjectKind::Enum,
        ObjectKind::Domain,
        ObjectKind::Composite,
        ObjectKind::Collation,
        ObjectKind::Sequence,
        ObjectKind::View,
        ObjectKind::Materialized,
        ObjectKind::Function,
        ObjectKind::Procedure,
        ObjectKind::Aggregate,
        ObjectKind::Trigger,
        ObjectKind::EventTrigger,
        ObjectKind::Policy,
        ObjectKind::Role,
        ObjectKind::Permission,
        ObjectKind::Column,
        ObjectKind::PrimaryKey,
        ObjectKind::Index,
        ObjectKind::Unique,
        ObjectKind::Check,
        ObjectKind::ForeignKey,
        ObjectKind::Exclude,
        ObjectKind::Constraint,
    ];

    /// The address segment (and HCL block name) of the kind.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Schema => "schema",
            ObjectKind::Extension => "extension",
            ObjectKind::Table => "table",
            ObjectKind::Enum => "enum",
            ObjectKind::Domain => "domain",
            ObjectKind::Composite => "composite",
            ObjectKind::Collation => "collation",
            ObjectKind::Sequence => "sequence",
            ObjectKind::View => "view",
            ObjectKind::Materialized => "materialized",
            ObjectKind::Function => "function",
            ObjectKind::Procedure => "procedure",
            ObjectKind::Aggregate => "aggregate",
            ObjectKind::Trigger => "trigger",
            ObjectKind::EventTrigger => "event_trigger",
            ObjectKind::Policy => "policy",
            ObjectKind::Role => "role",
            ObjectKind::Permission => "permission",
            ObjectKind::Column => "column",
            ObjectKind::PrimaryKey => "primary_key",
            ObjectKind::Index => "index",
            ObjectKind::Unique => "unique",
            ObjectKind::Check => "check",
            ObjectKind::ForeignKey => "foreign_key",
            ObjectKind::Exclude => "exclude",
            ObjectKind::Constraint => "constraint",
        }
    }

    /// `function` or `procedure`.
    pub(crate) fn routine(kind: RoutineKind) -> ObjectKind {
        match kind {
            RoutineKind::Function => ObjectKind::Function,
            RoutineKind::Procedure => ObjectKind::Procedure,
        }
    }

    /// `view` or `materialized`.
    pub(crate) fn view(materialized: bool) -> ObjectKind {
        if materialized {
            ObjectKind::Materialized
        } else {
            ObjectKind::View
        }
    }

    fn shape(self) -> Shape {
        match self {
            ObjectKind::Schema
            | ObjectKind::Extension
            | ObjectKind::EventTrigger
            | ObjectKind::Role
            | ObjectKind::Permission => Shape::Top,
            ObjectKind::Table
            | ObjectKind::Enum
            | ObjectKind::Domain
            | ObjectKind::Composite
            | ObjectKind::Collation
            | ObjectKind::Sequence
            | ObjectKind::View
            | ObjectKind::Materialized
            | ObjectKind::Function
            | ObjectKind::Procedure
            | ObjectKind::Aggregate => Shape::InSchema,
            ObjectKind::Trigger | ObjectKind::Policy => Shape::OnTable,
            ObjectKind::Column
            | ObjectKind::PrimaryKey
            | ObjectKind::Index
            | ObjectKind::Unique
            | ObjectKind::Check
            | ObjectKind::ForeignKey
            | ObjectKind::Exclude
            | ObjectKind::Constraint => Shape::Part,
        }
    }

    /// Whether the kind lives inside a table (column, index, constraint).
    pub(crate) fn is_part(self) -> bool {
        self.shape() == Shape::Part
    }
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ObjectKind {
    type Err = ParseObjectIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ObjectKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| ParseObjectIdError {
                input: s.to_string(),
                reason: format!("unknown object kind `{s}`"),
            })
    }
}

/// An address that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not an object address: {reason}")]
pub struct ParseObjectIdError {
    pub(crate) input: String,
    pub(crate) reason: String,
}

/// The identity of one object; `Display` is its address (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct ObjectId {
    kind: ObjectKind,
    /// `None` for schemas, extensions and relative parts.
    schema: Option<String>,
    /// The table a trigger, policy or part belongs to (`None` for a relative part).
    table: Option<String>,
    /// The name; a routine's signature `name(type, …)`.
    name: String,
}

impl ObjectId {
    /// `schema.<name>`.
    pub(crate) fn schema(name: &str) -> ObjectId {
        ObjectId::top(ObjectKind::Schema, name)
    }

    /// `extension.<name>`.
    pub(crate) fn extension(name: &str) -> ObjectId {
        ObjectId::top(ObjectKind::Extension, name)
    }

    /// `event_trigger.<name>`.
    pub(crate) fn event_trigger(name: &str) -> ObjectId {
        ObjectId::top(ObjectKind::EventTrigger, name)
    }

    /// `role.<name>`.
    pub(crate) fn role(name: &str) -> ObjectId {
        ObjectId::top(ObjectKind::Role, name)
    }

    /// `permission.<grantee>@<address of the object>`: what one role may do with one object.
    pub(crate) fn permission(grantee: &str, on: &ObjectId) -> ObjectId {
        ObjectId::top(ObjectKind::Permission, &format!("{grantee}@{on}"))
    }

    /// `aggregate.<schema>.<signature>`.
    pub(crate) fn aggregate(schema: &str, signature: &str) -> ObjectId {
        ObjectId::in_schema(ObjectKind::Aggregate, schema, signature)
    }

    fn top(kind: ObjectKind, name: &str) -> ObjectId {
        ObjectId {
            kind,
            schema: None,
            table: None,
            name: name.to_string(),
        }
    }

    /// `<kind>.<schema>.<name>` for a kind that lives in a schema: table, enum, domain,
    /// composite, collation, sequence, view, materialized; function and procedure with their
    /// signature as `name`. Schemas, extensions, triggers, policies and parts have their own
    /// constructors.
    pub(crate) fn in_schema(kind: ObjectKind, schema: &str, name: &str) -> ObjectId {
        debug_assert_eq!(
            kind.shape(),
            Shape::InSchema,
            "{kind} is not named in a schema"
        );
        ObjectId {
            kind,
            schema: Some(schema.to_string()),
            table: None,
            name: name.to_string(),
        }
    }

    /// `table.<schema>.<name>`.
    pub(crate) fn table(q: &QualifiedName) -> ObjectId {
        ObjectId::in_schema(ObjectKind::Table, &q.schema, &q.name)
    }

    /// `enum.<schema>.<name>`.
    pub(crate) fn enum_type(q: &QualifiedName) -> ObjectId {
        ObjectId::in_schema(ObjectKind::Enum, &q.schema, &q.name)
    }

    /// `sequence.<schema>.<name>`.
    pub(crate) fn sequence(q: &QualifiedName) -> ObjectId {
        ObjectId::in_schema(ObjectKind::Sequence, &q.schema, &q.name)
    }

    /// `view.<schema>.<name>` or `materialized.<schema>.<name>`.
    pub(crate) fn view(schema: &str, name: &str, materialized: bool) -> ObjectId {
        ObjectId::in_schema(ObjectKind::view(materialized), schema, name)
    }

    /// `function.<schema>.<signature>` or `procedure.<schema>.<signature>`.
    pub(crate) fn routine(kind: RoutineKind, schema: &str, signature: &str) -> ObjectId {
        ObjectId::in_schema(ObjectKind::routine(kind), schema, signature)
    }

    /// `trigger.<schema>.<table>.<name>`.
    pub(crate) fn trigger(on: &QualifiedName, name: &str) -> ObjectId {
        ObjectId::on_table(ObjectKind::Trigger, on, name)
    }

    /// `policy.<schema>.<table>.<name>`.
    pub(crate) fn policy(on: &QualifiedName, name: &str) -> ObjectId {
        ObjectId::on_table(ObjectKind::Policy, on, name)
    }

    fn on_table(kind: ObjectKind, on: &QualifiedName, name: &str) -> ObjectId {
        ObjectId {
            kind,
            schema: Some(on.schema.clone()),
            table: Some(on.name.clone()),
            name: name.to_string(),
        }
    }

    /// `table.<schema>.<table>.<kind>.<name>`: a column, index or constraint of a table.
    pub(crate) fn part(table: &QualifiedName, kind: ObjectKind, name: &str) -> ObjectId {
        ObjectId {
            kind,
            schema: Some(table.schema.clone()),
            table: Some(table.name.clone()),
            name: name.to_string(),
        }
    }

    /// `table.<schema>.<table>.column.<name>`.
    pub(crate) fn column(table: &QualifiedName, name: &str) -> ObjectId {
        ObjectId::part(table, ObjectKind::Column, name)
    }

    /// `<kind>.<name>`: an object named relative to the object that holds it (a column inside
    /// a table's object view).
    pub(crate) fn relative(kind: ObjectKind, name: &str) -> ObjectId {
        ObjectId::top(kind, name)
    }

    pub(crate) fn kind(&self) -> ObjectKind {
        self.kind
    }

    /// The schema, for the kinds that live in one.
    pub(crate) fn schema_name(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    /// The table a trigger, policy or part belongs to.
    pub(crate) fn table_name(&self) -> Option<QualifiedName> {
        Some(QualifiedName::new(
            self.schema.as_deref()?,
            self.table.as_deref()?,
        ))
    }

    /// The object's own name (a routine's signature).
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The table that holds a part (`table.s.t` for `table.s.t.column.c`); `None` otherwise.
    pub(crate) fn parent(&self) -> Option<ObjectId> {
        if !self.kind.is_part() {
            return None;
        }
        self.table_name().map(|q| ObjectId::table(&q))
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind;
        match (&self.schema, &self.table) {
            (None, _) => write!(f, "{kind}.{}", self.name),
            (Some(s), None) => write!(f, "{kind}.{s}.{}", self.name),
            (Some(s), Some(t)) if kind.is_part() => {
                write!(f, "{}.{s}.{t}.{kind}.{}", ObjectKind::Table, self.name)
            }
            (Some(s), Some(t)) => write!(f, "{kind}.{s}.{t}.{}", self.name),
        }
    }
}

impl FromStr for ObjectId {
    type Err = ParseObjectIdError;

    /// Reads an address back. Segments split as the module documentation says: the kind ends
    /// at the first dot; the schema at the next; a trigger's or policy's table at the one after;
    /// a table part begins at the earliest `.<part kind>.` after the table's schema; a routine's
    /// signature and every last name take the rest, dots included.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |reason: String| ParseObjectIdError {
            input: s.to_string(),
            reason,
        };
        let (kind, rest) = s
            .split_once('.')
            .ok_or_else(|| err("expected <kind>.<name>".into()))?;
        let kind: ObjectKind = kind
            .parse()
            .map_err(|e: ParseObjectIdError| err(e.reason))?;
        match kind.shape() {
            Shape::Top | Shape::Part => Ok(ObjectId::top(kind, rest)),
            Shape::InSchema => {
                let (schema, name) = rest
                    .split_once('.')
                    .ok_or_else(|| err(format!("expected {kind}.<schema>.<name>")))?;
                if kind == ObjectKind::Table
                    && let Some((table, part, name)) = split_part(name)
                {
                    return Ok(ObjectId::part(
                        &QualifiedName::new(schema, table),
                        part,
                        name,
                    ));
                }
                Ok(ObjectId::in_schema(kind, schema, name))
            }
            Shape::OnTable => {
                let (schema, rest) = rest.split_once('.').unwrap_or((rest, ""));
                let (table, name) = rest
                    .split_once('.')
                    .ok_or_else(|| err(format!("expected {kind}.<schema>.<table>.<name>")))?;
                Ok(ObjectId::on_table(
                    kind,
                    &QualifiedName::new(schema, table),
                    name,
                ))
            }
        }
    }
}

/// `t.column.c` → (`t`, column, `c`) at the earliest `.<part kind>.`.
fn split_part(s: &str) -> Option<(&str, ObjectKind, &str)> {
    ObjectKind::ALL
        .iter()
        .filter(|k| k.is_part())
        .filter_map(|k| {
            let sep = format!(".{k}.");
            s.find(&sep).map(|at| (at, *k, at + sep.len()))
        })
        .min_by_key(|(at, _, _)| *at)
        .map(|(at, k, after)| (&s[..at], k, &s[after..]))
}

impl From<ObjectId> for String {
    fn from(id: ObjectId) -> String {
        id.to_string()
    }
}

impl TryFrom<String> for ObjectId {
    type Error = ParseObjectIdError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str, n: &str) -> QualifiedName {
        QualifiedName::new(s, n)
    }

    fn round_trip(id: &ObjectId, text: &str) {
        assert_eq!(id.to_string(), text);
        let back: ObjectId = text.parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&back, id, "{text}");
        assert_eq!(back.to_string(), text);
    }

    #[test]
    fn every_kind_round_trips() {
        let t = q("public", "users");
        let cases: Vec<(ObjectId, &str)> = vec![
            (ObjectId::schema("app"), "schema.app"),
            (ObjectId::extension("pgcrypto"), "extension.pgcrypto"),
            (ObjectId::table(&t), "table.public.users"),
            (ObjectId::enum_type(&q("s", "mood")), "enum.s.mood"),
            (
                ObjectId::in_schema(ObjectKind::Domain, "s", "email"),
                "domain.s.email",
            ),
            (
                ObjectId::in_schema(ObjectKind::Composite, "s", "pair"),
                "composite.s.pair",
            ),
            (
                ObjectId::in_schema(ObjectKind::Collation, "s", "ci"),
                "collation.s.ci",
            ),
            (ObjectId::sequence(&q("s", "seq")), "sequence.s.seq"),
            (ObjectId::view("s", "v", false), "view.s.v"),
            (ObjectId::view("s", "m", true), "materialized.s.m"),
            (
                ObjectId::routine(RoutineKind::Function, "s", "add(integer, integer)"),
                "function.s.add(integer, integer)",
            ),
            (
                ObjectId::routine(RoutineKind::Procedure, "s", "p()"),
                "procedure.s.p()",
            ),
            (ObjectId::trigger(&t, "audit"), "trigger.public.users.audit"),
            (
                ObjectId::policy(&t, "own rows"),
                "policy.public.users.own rows",
            ),
            (ObjectId::column(&t, "id"), "table.public.users.column.id"),
        ];
        for (id, text) in &cases {
            round_trip(id, text);
        }
        for kind in ObjectKind::ALL.iter().filter(|k| k.is_part()) {
            round_trip(
                &ObjectId::part(&t, *kind, "x"),
                &format!("table.public.users.{kind}.x"),
            );
            round_trip(&ObjectId::relative(*kind, "x"), &format!("{kind}.x"));
        }
        for kind in ObjectKind::ALL {
            assert_eq!(kind.as_str().parse::<ObjectKind>(), Ok(kind));
        }
    }

    #[test]
    fn quotes_spaces_and_unicode_need_no_escaping() {
        let t = q("Sales Dept", "çà \"quoted\"");
        round_trip(&ObjectId::table(&t), "table.Sales Dept.çà \"quoted\"");
        round_trip(
            &ObjectId::column(&t, "naïve col"),
            "table.Sales Dept.çà \"quoted\".column.naïve col",
        );
        round_trip(&ObjectId::schema("日本"), "schema.日本");
        round_trip(
            &ObjectId::routine(RoutineKind::Function, "s", "f(public.mood, numeric(10,2))"),
            "function.s.f(public.mood, numeric(10,2))",
        );
        // A relative part's name and a schema's name take the whole rest.
        round_trip(&ObjectId::relative(ObjectKind::Check, ""), "check.");
        round_trip(&ObjectId::schema("a.b"), "schema.a.b");
    }

    #[test]
    fn names_with_dots_are_ambiguous_but_the_text_survives() {
        // The schema ends at the first dot: table `b.c` in schema `a`, not `c` in `a.b`.
        let id: ObjectId = "table.a.b.c".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(id, ObjectId::table(&q("a", "b.c")));
        assert_ne!(id, ObjectId::table(&q("a.b", "c")));
        assert_eq!(ObjectId::table(&q("a.b", "c")).to_string(), "table.a.b.c");
        // A part begins at the earliest `.<part kind>.`.
        let id: ObjectId = "table.s.t.index.x.column.y"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            id,
            ObjectId::part(&q("s", "t"), ObjectKind::Index, "x.column.y")
        );
        // A trigger's table ends at the dot after the schema.
        let id: ObjectId = "trigger.s.t.a.b".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(id, ObjectId::trigger(&q("s", "t"), "a.b"));
        for text in [
            "table.a.b.c",
            "table.s.t.index.x.column.y",
            "trigger.s.t.a.b",
            "view.s.v.w",
        ] {
            let id: ObjectId = text.parse().unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(id.to_string(), text);
        }
    }

    #[test]
    fn bad_addresses_say_why() {
        for (text, why) in [
            ("table", "expected <kind>.<name>"),
            ("tabel.s.t", "unknown object kind `tabel`"),
            ("table.users", "expected table.<schema>.<name>"),
            ("trigger.s.t", "expected trigger.<schema>.<table>.<name>"),
            ("policy.s", "expected policy.<schema>.<table>.<name>"),
        ] {
            let e = text
                .parse::<ObjectId>()
                .err()
                .unwrap_or_else(|| panic!("{text}"));
            assert_eq!(
                e.to_string(),
                format!("`{text}` is not an object address: {why}")
            );
        }
    }

    #[test]
    fn parents_and_accessors() {
        let t = q("s", "t");
        let c = ObjectId::column(&t, "c");
        assert_eq!(c.parent(), Some(ObjectId::table(&t)));
        assert_eq!(c.table_name(), Some(t.clone()));
        assert_eq!(c.kind(), ObjectKind::Column);
        assert_eq!(c.name(), "c");
        assert_eq!(ObjectId::table(&t).parent(), None);
        assert_eq!(ObjectId::relative(ObjectKind::Column, "c").parent(), None);
        assert_eq!(ObjectId::trigger(&t, "x").parent(), None);
        assert_eq!(ObjectId::table(&t).schema_name(), Some("s"));
    }

    #[test]
    fn serializes_as_its_address() {
        let id = ObjectId::policy(&q("s", "t"), "p");
        let json = serde_json::to_string(&id).unwrap_or_default();
        assert_eq!(json, "\"policy.s.t.p\"");
        let back: ObjectId = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, id);
        assert!(serde_json::from_str::<ObjectId>("\"nope\"").is_err());
    }
}
