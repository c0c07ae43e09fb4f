//! The schema IR: one dialect-free model that the HCL loader, the SQL loader and the inspector
//! produce, and that the writer, the differ and the renderer consume.
//!
//! Every collection is ordered deterministically (maps are `BTreeMap`s, object lists are kept
//! sorted by name, columns keep their table order), so two equal schemas serialize to the same
//! bytes and a model can be fingerprinted.

mod id;
mod objects;
mod roles;
mod scope;
mod types;

pub use id::{ObjectId, ObjectKind, ParseObjectIdError};
pub use objects::{
    Aggregate, ArgMode, Collation, Composite, Domain, EventTrigger, Exclude, Extension, Function,
    FunctionArg, Parallel, PartitionOf, Policy, Returns, RoutineKind, Sequence, Trigger,
    TriggerEvents, TriggerTiming, View, Volatility,
};
pub use roles::{DefaultGrant, Dependents, Grant, Role, RoleScope, Secret};
pub use scope::{Scope, apply_exclude, glob_match};
pub use types::{DataType, SerialKind};

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A whole database as far as strata manages it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Model {
    /// Schemas by name.
    pub schemas: BTreeMap<String, Schema>,
    /// Extensions by name (database-wide).
    pub extensions: BTreeMap<String, Extension>,
    /// Event triggers by name (database-wide; managed with the schema of their function).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub event_triggers: BTreeMap<String, EventTrigger>,
    /// Roles by name (cluster-wide; only those the env manages, see [`RoleScope`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub roles: BTreeMap<String, Role>,
    /// Privileges granted to managed roles on the managed objects.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub grants: BTreeSet<Grant>,
    /// Default privileges (`ALTER DEFAULT PRIVILEGES`) granted to managed roles.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub default_grants: BTreeSet<DefaultGrant>,
}

/// A PostgreSQL schema (namespace) and the objects it holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    pub name: String,
    pub comment: Option<String>,
    /// Tables by name.
    pub tables: BTreeMap<String, Table>,
    /// Enum types by name.
    pub enums: BTreeMap<String, Enum>,
    /// Collations by name.
    #[serde(default)]
    pub collations: BTreeMap<String, Collation>,
    /// Domains by name.
    pub domains: BTreeMap<String, Domain>,
    /// Composite types by name.
    pub composites: BTreeMap<String, Composite>,
    /// Sequences by name (not the ones behind serial and identity columns).
    pub sequences: BTreeMap<String, Sequence>,
    /// Views and materialized views by name.
    pub views: BTreeMap<String, View>,
    /// Functions and procedures by signature, `name(type, type)`.
    pub functions: BTreeMap<String, Function>,
    /// Aggregates by signature, `name(type, type)` (the same namespace as functions).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub aggregates: BTreeMap<String, Aggregate>,
}

/// The comment PostgreSQL gives the `public` schema when it creates a database.
pub const PUBLIC_SCHEMA_COMMENT: &str = "standard public schema";

impl Schema {
    /// A schema's own comment: PostgreSQL's default comment on `public` counts as none, so
    /// `comment = "standard public schema"` (as Atlas's inspect writes it), no comment, and a
    /// database PostgreSQL created all read the same.
    pub fn own_comment(name: &str, comment: Option<String>) -> Option<String> {
        match comment {
            Some(c) if name == "public" && c == PUBLIC_SCHEMA_COMMENT => None,
            other => other,
        }
    }
}

/// A qualified name: schema plus object name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct QualifiedName {
    pub schema: String,
    pub name: String,
}

impl QualifiedName {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        QualifiedName {
            schema: schema.into(),
            name: name.into(),
        }
    }
}

impl std::fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.schema, self.name)
    }
}

/// A table with its columns and the constraints and indexes that live on it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub schema: String,
    pub name: String,
    pub comment: Option<String>,
    /// Columns in table order.
    pub columns: Vec<Column>,
    pub primary_key: Option<PrimaryKey>,
    /// Unique constraints, sorted by name.
    pub uniques: Vec<Unique>,
    /// Check constraints, sorted by name (unnamed ones last, in declaration order).
    pub checks: Vec<Check>,
    /// Foreign keys, sorted by name.
    pub foreign_keys: Vec<ForeignKey>,
    /// Indexes that do not back a constraint, sorted by name.
    pub indexes: Vec<Index>,
    /// `PARTITION BY` key of a partitioned table.
    pub partition: Option<PartitionKey>,
    /// Set when the table is a partition of another.
    pub partition_of: Option<PartitionOf>,
    /// `INHERITS (…)`: parent tables, in order. `columns` then holds only the child's own
    /// columns (PostgreSQL's `attislocal`); the inherited ones come from the parents.
    #[serde(default)]
    pub inherits: Vec<QualifiedName>,
    /// Exclusion constraints, sorted by name.
    pub excludes: Vec<Exclude>,
    /// Triggers, sorted by name.
    pub triggers: Vec<Trigger>,
    /// Row-level security policies, sorted by name.
    pub policies: Vec<Policy>,
    /// `ENABLE ROW LEVEL SECURITY`.
    pub rls_enabled: bool,
    /// `FORCE ROW LEVEL SECURITY`.
    pub rls_forced: bool,
    /// `UNLOGGED` table.
    pub unlogged: bool,
    /// Storage parameters (`WITH (fillfactor = 70, autovacuum_enabled = false)`), as
    /// PostgreSQL stores them: name → text. TOAST parameters (`toast.*`) are not modeled.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub storage_params: BTreeMap<String, String>,
    /// `REPLICA IDENTITY`: what logical replication logs of updated and deleted rows.
    #[serde(default, skip_serializing_if = "ReplicaIdentity::is_default")]
    pub replica_identity: ReplicaIdentity,
}

/// A table's `REPLICA IDENTITY`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReplicaIdentity {
    /// The primary key, if any (PostgreSQL's default).
    #[default]
    Default,
    /// Every column.
    Full,
    /// Nothing: updates and deletes cannot be replicated.
    Nothing,
    /// A unique, non-partial, non-deferrable index over NOT NULL columns, by name.
    Index(String),
}

impl ReplicaIdentity {
    pub fn is_default(&self) -> bool {
        *self == ReplicaIdentity::Default
    }

    /// The clause after `REPLICA IDENTITY`.
    pub fn sql_keyword(&self) -> &'static str {
        match self {
            ReplicaIdentity::Default => "DEFAULT",
            ReplicaIdentity::Full => "FULL",
            ReplicaIdentity::Nothing => "NOTHING",
            ReplicaIdentity::Index(_) => "USING INDEX",
        }
    }
}

impl Table {
    pub fn qualified(&self) -> QualifiedName {
        QualifiedName::new(&self.schema, &self.name)
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Puts every named collection in its canonical order.
    pub fn sort(&mut self) {
        self.uniques.sort_by(|a, b| a.name.cmp(&b.name));
        self.checks.sort_by(|a, b| match (&a.name, &b.name) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        self.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
        self.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        self.excludes.sort_by(|a, b| a.name.cmp(&b.name));
        self.triggers.sort_by(|a, b| a.name.cmp(&b.name));
        self.policies.sort_by(|a, b| a.name.cmp(&b.name));
    }

    /// Gives back the spare capacity of the table's lists, filled one push at a time while it
    /// was read or loaded: at 20,000 tables, two models' spare room was about 100 MB.
    pub fn shrink_to_fit(&mut self) {
        self.columns.shrink_to_fit();
        self.uniques.shrink_to_fit();
        self.checks.shrink_to_fit();
        self.foreign_keys.shrink_to_fit();
        for i in &mut self.indexes {
            i.parts.shrink_to_fit();
            i.include.shrink_to_fit();
        }
        self.indexes.shrink_to_fit();
        self.inherits.shrink_to_fit();
        self.excludes.shrink_to_fit();
        self.triggers.shrink_to_fit();
        self.policies.shrink_to_fit();
    }
}

/// A table column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    pub ty: DataType,
    /// `true` unless the column is `NOT NULL`.
    pub nullable: bool,
    /// Default expression in PostgreSQL's canonical spelling (once normalized).
    pub default: Option<String>,
    /// Boxed: most columns have none, and every column would pay its size.
    pub identity: Option<Box<Identity>>,
    /// Expression of a `GENERATED ALWAYS AS (…) STORED` column.
    pub generated: Option<String>,
    pub collation: Option<String>,
    pub comment: Option<String>,
    /// `SET STORAGE`, when it is not the type's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<Storage>,
    /// `COMPRESSION`, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression: Option<Compression>,
    /// `SET STATISTICS n`, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistics: Option<i32>,
}

impl Column {
    pub fn new(name: impl Into<String>, ty: DataType) -> Self {
        Column {
            name: name.into(),
            ty,
            nullable: false,
            default: None,
            identity: None,
            generated: None,
            collation: None,
            comment: None,
            storage: None,
            compression: None,
            statistics: None,
        }
    }
}

/// A column's `STORAGE` (`attstorage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Storage {
    Plain,
    External,
    Extended,
    Main,
}

impl Storage {
    /// The SQL keyword, also the HCL spelling.
    pub fn sql(self) -> &'static str {
        match self {
            Storage::Plain => "PLAIN",
            Storage::External => "EXTERNAL",
            Storage::Extended => "EXTENDED",
            Storage::Main => "MAIN",
        }
    }

    pub fn parse(s: &str) -> Option<Storage> {
        Some(match s.to_ascii_lowercase().as_str() {
            "plain" => Storage::Plain,
            "external" => Storage::External,
            "extended" => Storage::Extended,
            "main" => Storage::Main,
            _ => return None,
        })
    }
}

/// A column's `COMPRESSION` method (`attcompression`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    Pglz,
    Lz4,
}

impl Compression {
    /// The method's name, in SQL and HCL.
    pub fn name(self) -> &'static str {
        match self {
            Compression::Pglz => "pglz",
            Compression::Lz4 => "lz4",
        }
    }

    pub fn parse(s: &str) -> Option<Compression> {
        match s.to_ascii_lowercase().as_str() {
            "pglz" => Some(Compression::Pglz),
            "lz4" => Some(Compression::Lz4),
            _ => None,
        }
    }
}

/// `GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY (…)` with its sequence's options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub always: bool,
    pub start: i64,
    pub increment: i64,
    /// `MINVALUE`; `None` is the default for the column type and direction (`NO MINVALUE`).
    #[serde(default)]
    pub min_value: Option<i64>,
    /// `MAXVALUE`; `None` is the default for the column type and direction.
    #[serde(default)]
    pub max_value: Option<i64>,
    /// `CACHE` (default 1).
    #[serde(default = "one")]
    pub cache: i64,
    /// `CYCLE`.
    #[serde(default)]
    pub cycle: bool,
}

fn one() -> i64 {
    1
}

impl Identity {
    /// The `START` PostgreSQL picks when none is given: the minimum of an ascending sequence,
    /// the maximum of a descending one.
    pub fn default_start(increment: i64, min_value: Option<i64>, max_value: Option<i64>) -> i64 {
        if increment < 0 {
            max_value.unwrap_or(-1)
        } else {
            min_value.unwrap_or(1)
        }
    }
}

impl Default for Identity {
    fn default() -> Self {
        Identity {
            always: false,
            start: 1,
            increment: 1,
            min_value: None,
            max_value: None,
            cache: 1,
            cycle: false,
        }
    }
}

/// The primary key constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimaryKey {
    pub name: String,
    pub columns: Vec<String>,
    pub include: Vec<String>,
    pub deferrable: Deferrable,
    pub comment: Option<String>,
}

/// A `UNIQUE` constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unique {
    pub name: String,
    pub columns: Vec<String>,
    pub include: Vec<String>,
    pub nulls_distinct: bool,
    pub deferrable: Deferrable,
    pub comment: Option<String>,
}

/// A `CHECK` constraint. An unnamed check (written without a label) gets PostgreSQL's generated
/// name once normalized and is matched by expression until then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub name: Option<String>,
    pub expr: String,
    pub comment: Option<String>,
    /// `NOT VALID`: added without checking existing rows and not validated since (HCL
    /// `valid = false`). A declared valid check over a `NOT VALID` one plans `VALIDATE
    /// CONSTRAINT`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_valid: bool,
    /// `NO INHERIT`: does not apply to inheritance children (HCL `no_inherit = true`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_inherit: bool,
}

/// Referential action of a foreign key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ReferentialAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl ReferentialAction {
    /// The spelling used in HCL (`NO_ACTION`, `SET_NULL`, …).
    pub fn hcl(self) -> &'static str {
        match self {
            ReferentialAction::NoAction => "NO_ACTION",
            ReferentialAction::Restrict => "RESTRICT",
            ReferentialAction::Cascade => "CASCADE",
            ReferentialAction::SetNull => "SET_NULL",
            ReferentialAction::SetDefault => "SET_DEFAULT",
        }
    }

    pub fn from_hcl(s: &str) -> Option<Self> {
        let norm = s.trim().to_ascii_uppercase().replace([' ', '-'], "_");
        Some(match norm.as_str() {
            "NO_ACTION" => ReferentialAction::NoAction,
            "RESTRICT" => ReferentialAction::Restrict,
            "CASCADE" => ReferentialAction::Cascade,
            "SET_NULL" => ReferentialAction::SetNull,
            "SET_DEFAULT" => ReferentialAction::SetDefault,
            _ => return None,
        })
    }
}

/// Deferrability of a constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Deferrable {
    #[default]
    NotDeferrable,
    InitiallyImmediate,
    InitiallyDeferred,
}

impl Deferrable {
    /// The SQL suffix, empty for the default.
    pub fn sql(self) -> &'static str {
        match self {
            Deferrable::NotDeferrable => "",
            Deferrable::InitiallyImmediate => " DEFERRABLE INITIALLY IMMEDIATE",
            Deferrable::InitiallyDeferred => " DEFERRABLE INITIALLY DEFERRED",
        }
    }
}

/// A `FOREIGN KEY` constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    pub ref_table: QualifiedName,
    pub ref_columns: Vec<String>,
    pub on_update: ReferentialAction,
    pub on_delete: ReferentialAction,
    pub deferrable: Deferrable,
    pub comment: Option<String>,
    /// `NOT VALID`: added without checking existing rows and not validated since (HCL
    /// `valid = false`). A declared valid key over a `NOT VALID` one plans `VALIDATE CONSTRAINT`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_valid: bool,
}

/// An index that is not the implementation of a constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    pub name: String,
    pub unique: bool,
    /// Access method in lower case: `btree`, `hash`, `gin`, `gist`, `brin`, `spgist`.
    pub method: String,
    pub parts: Vec<IndexPart>,
    pub include: Vec<String>,
    /// Partial-index predicate.
    pub predicate: Option<String>,
    pub nulls_distinct: bool,
    pub comment: Option<String>,
    /// Storage parameters (`WITH (fillfactor = 50)`): name → text.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub storage_params: BTreeMap<String, String>,
    /// Left INVALID by a failed `CREATE INDEX CONCURRENTLY`: never equal to a declared index,
    /// so the next plan rebuilds it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub invalid: bool,
}

impl Index {
    /// The same index apart from its name and comment: what PostgreSQL compares when it
    /// attaches a partition's index to its parent's.
    pub fn same_definition(&self, other: &Index) -> bool {
        // Destructured so that a new field cannot be forgotten here.
        let Index {
            name: _,
            unique,
            method,
            parts,
            include,
            predicate,
            nulls_distinct,
            comment: _,
            storage_params,
            invalid,
        } = self;
        *unique == other.unique
            && *method == other.method
            && *parts == other.parts
            && *include == other.include
            && *predicate == other.predicate
            && *nulls_distinct == other.nulls_distinct
            && *storage_params == other.storage_params
            && *invalid == other.invalid
    }
}

/// One key of an index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexPart {
    pub key: IndexKey,
    pub desc: bool,
    /// `true` for `NULLS FIRST`. PostgreSQL's default is `desc`.
    pub nulls_first: bool,
    /// Operator class, only when it is not the type's default or has parameters.
    pub opclass: Option<String>,
    /// Operator-class parameters (`tsvector_ops (siglen = 8)`), as PostgreSQL stores them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub opclass_params: BTreeMap<String, String>,
    pub collation: Option<String>,
}

impl IndexPart {
    pub fn column(name: impl Into<String>) -> Self {
        IndexPart {
            key: IndexKey::Column(name.into()),
            desc: false,
            nulls_first: false,
            opclass: None,
            opclass_params: BTreeMap::new(),
            collation: None,
        }
    }

    /// `true` when the part is a plain ascending column with default options.
    pub fn is_plain_column(&self) -> bool {
        matches!(self.key, IndexKey::Column(_))
            && !self.desc
            && !self.nulls_first
            && self.opclass.is_none()
            && self.opclass_params.is_empty()
            && self.collation.is_none()
    }
}

/// What an index part indexes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum IndexKey {
    Column(String),
    Expr(String),
}

/// Partitioning strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PartitionStrategy {
    Range,
    List,
    Hash,
}

impl PartitionStrategy {
    pub fn sql(self) -> &'static str {
        match self {
            PartitionStrategy::Range => "RANGE",
            PartitionStrategy::List => "LIST",
            PartitionStrategy::Hash => "HASH",
        }
    }
}

/// `PARTITION BY` key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionKey {
    pub strategy: PartitionStrategy,
    pub parts: Vec<IndexKey>,
}

/// An enum type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enum {
    pub schema: String,
    pub name: String,
    pub values: Vec<String>,
    pub comment: Option<String>,
}

/// `ALTER TYPE … ADD VALUE 'v' [BEFORE|AFTER 'x']`.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumValueAdd {
    pub value: String,
    pub position: EnumPosition,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EnumPosition {
    Before(String),
    After(String),
    /// The enum had no values.
    End,
}

impl Model {
    pub fn table(&self, name: &QualifiedName) -> Option<&Table> {
        self.schemas.get(&name.schema)?.tables.get(&name.name)
    }

    pub fn enum_type(&self, name: &QualifiedName) -> Option<&Enum> {
        self.schemas.get(&name.schema)?.enums.get(&name.name)
    }

    /// All tables of all schemas, in name order.
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.schemas.values().flat_map(|s| s.tables.values())
    }

    /// All enums of all schemas, in name order.
    pub fn enums(&self) -> impl Iterator<Item = &Enum> {
        self.schemas.values().flat_map(|s| s.enums.values())
    }

    /// Number of tables in the model.
    pub fn table_count(&self) -> usize {
        self.schemas.values().map(|s| s.tables.len()).sum()
    }

    /// Puts every table in canonical order (see [`Table::sort`]).
    pub fn sort(&mut self) {
        for s in self.schemas.values_mut() {
            for t in s.tables.values_mut() {
                t.sort();
            }
            for v in s.views.values_mut() {
                v.indexes.sort_by(|a, b| a.name.cmp(&b.name));
                v.triggers.sort_by(|a, b| a.name.cmp(&b.name));
                v.column_comments.sort();
            }
            for d in s.domains.values_mut() {
                d.checks.sort_by(|a, b| a.name.cmp(&b.name));
            }
        }
        for e in self.event_triggers.values_mut() {
            e.tags.sort();
            e.tags.dedup();
        }
    }

    pub fn view(&self, name: &QualifiedName) -> Option<&View> {
        self.schemas.get(&name.schema)?.views.get(&name.name)
    }

    pub fn views(&self) -> impl Iterator<Item = &View> {
        self.schemas.values().flat_map(|s| s.views.values())
    }

    pub fn aggregates(&self) -> impl Iterator<Item = &Aggregate> {
        self.schemas.values().flat_map(|s| s.aggregates.values())
    }

    pub fn functions(&self) -> impl Iterator<Item = &Function> {
        self.schemas.values().flat_map(|s| s.functions.values())
    }

    pub fn sequences(&self) -> impl Iterator<Item = &Sequence> {
        self.schemas.values().flat_map(|s| s.sequences.values())
    }

    pub fn collations(&self) -> impl Iterator<Item = &Collation> {
        self.schemas.values().flat_map(|s| s.collations.values())
    }

    pub fn domains(&self) -> impl Iterator<Item = &Domain> {
        self.schemas.values().flat_map(|s| s.domains.values())
    }

    pub fn composites(&self) -> impl Iterator<Item = &Composite> {
        self.schemas.values().flat_map(|s| s.composites.values())
    }

    /// `true` when the model has a user type (enum, domain, composite) of that name.
    pub fn has_type(&self, q: &QualifiedName) -> bool {
        self.schemas.get(&q.schema).is_some_and(|s| {
            s.enums.contains_key(&q.name)
                || s.domains.contains_key(&q.name)
                || s.composites.contains_key(&q.name)
        })
    }
}
