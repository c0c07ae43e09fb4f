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

pub(crate) use id::{ObjectId, ObjectKind};
pub(crate) use objects::{
    Aggregate, ArgMode, Collation, Composite, Domain, EventTrigger, Exclude, Extension, Function,
    FunctionArg, Parallel, PartitionOf, Policy, Returns, RoutineKind, Sequence, Trigger,
    TriggerEvents, TriggerTiming, View, Volatility,
};
pub use roles::RoleScope;
pub(crate) use roles::{DefaultGrant, Dependents, Grant, Role, Secret};
pub(crate) use scope::{Scope, apply_exclude, glob_match};
pub(crate) use types::{DataType, SerialKind};

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A whole database as far as strata manages it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Model {
    /// Schemas by name.
    pub(crate) schemas: BTreeMap<String, Schema>,
    /// Extensions by name (database-wide).
    pub(crate) extensions: BTreeMap<String, Extension>,
    /// Event triggers by name (database-wide; managed with the schema of their function).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) event_triggers: BTreeMap<String, EventTrigger>,
    /// Roles by name (cluster-wide; only those the env manages, see [`RoleScope`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) roles: BTreeMap<String, Role>,
    /// Privileges granted to managed roles on the managed objects.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub(crate) grants: BTreeSet<Grant>,
    /// Default privileges (`ALTER DEFAULT PRIVILEGES`) granted to managed roles.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub(crate) default_grants: BTreeSet<DefaultGrant>,
}

/// A PostgreSQL schema (namespace) and the objects it holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    pub(crate) name: String,
    pub(crate) comment: Option<String>,
    /// Tables by name.
    pub(crate) tables: BTreeMap<String, Table>,
    /// Enum types by name.
    pub(crate) enums: BTreeMap<String, Enum>,
    /// Collations by name.
    #[serde(default)]
    pub(crate) collations: BTreeMap<String, Collation>,
    /// Domains by name.
    pub(crate) domains: BTreeMap<String, Domain>,
    /// Composite types by name.
    pub(crate) composites: BTreeMap<String, Composite>,
    /// Sequences by name (not the ones behind serial and identity columns).
    pub(crate) sequences: BTreeMap<String, Sequence>,
    /// Views and materialized views by name.
    pub(crate) views: BTreeMap<String, View>,
    /// Functions and procedures by signature, `name(type, type)`.
    pub(crate) functions: BTreeMap<String, Function>,
    /// Aggregates by signature, `name(type, type)` (the same namespace as functions).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) aggregates: BTreeMap<String, Aggregate>,
}

/// The comment PostgreSQL gives the `public` schema when it creates a database.
pub(crate) const PUBLIC_SCHEMA_COMMENT: &str = "standard public schema";

impl Schema {
    /// A schema's own comment: PostgreSQL's default comment on `public` counts as none, so
    /// `comment = "standard public schema"` (as Atlas's inspect writes it), no comment, and a
    /// database PostgreSQL created all read the same.
    pub(crate) fn own_comment(name: &str, comment: Option<String>) -> Option<String> {
        match comment {
            Some(c) if name == "public" && c == PUBLIC_SCHEMA_COMMENT => None,
            other => other,
        }
    }
}

/// A qualified name: schema plus object name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct QualifiedName {
    pub(crate) schema: String,
    pub(crate) name: String,
}

impl QualifiedName {
    pub(crate) fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
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
    pub(crate) schema: String,
    pub(crate) name: String,
    pub(crate) comment: Option<String>,
    /// Columns in table order.
    pub(crate) columns: Vec<Column>,
    pub(crate) primary_key: Option<PrimaryKey>,
    /// Unique constraints, sorted by name.
    pub(crate) uniques: Vec<Unique>,
    /// Check constraints, sorted by name (unnamed ones last, in declaration order).
    pub(crate) checks: Vec<Check>,
    /// Foreign keys, sorted by name.
    pub(crate) foreign_keys: Vec<ForeignKey>,
    /// Indexes that do not back a constraint, sorted by name.
    pub(crate) indexes: Vec<Index>,
    /// `PARTITION BY` key of a partitioned table.
    pub(crate) partition: Option<PartitionKey>,
    /// Set when the table is a partition of another.
    pub(crate) partition_of: Option<PartitionOf>,
    /// `INHERITS (…)`: parent tables, in order. `columns` then holds only the child's own
    /// columns (PostgreSQL's `attislocal`); the inherited ones come from the parents.
    #[serde(default)]
    pub(crate) inherits: Vec<QualifiedName>,
    /// Exclusion constraints, sorted by name.
    pub(crate) excludes: Vec<Exclude>,
    /// Triggers, sorted by name.
    pub(crate) triggers: Vec<Trigger>,
    /// Row-level security policies, sorted by name.
    pub(crate) policies: Vec<Policy>,
    /// `ENABLE ROW LEVEL SECURITY`.
    pub(crate) rls_enabled: bool,
    /// `FORCE ROW LEVEL SECURITY`.
    pub(crate) rls_forced: bool,
    /// `UNLOGGED` table.
    pub(crate) unlogged: bool,
    /// Storage parameters (`WITH (fillfactor = 70, autovacuum_enabled = false)`), as
    /// PostgreSQL stores them: name → text. TOAST parameters (`toast.*`) are not modeled.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) storage_params: BTreeMap<String, String>,
    /// `REPLICA IDENTITY`: what logical replication logs of updated and deleted rows.
    #[serde(default, skip_serializing_if = "ReplicaIdentity::is_default")]
    pub(crate) replica_identity: ReplicaIdentity,
}

/// A table's `REPLICA IDENTITY`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum ReplicaIdentity {
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
    pub(crate) fn is_default(&self) -> bool {
        *self == ReplicaIdentity::Default
    }

    /// The clause after `REPLICA IDENTITY`.
    pub(crate) fn sql_keyword(&self) -> &'static str {
        match self {
            ReplicaIdentity::Default => "DEFAULT",
            ReplicaIdentity::Full => "FULL",
            ReplicaIdentity::Nothing => "NOTHING",
            ReplicaIdentity::Index(_) => "USING INDEX",
        }
    }
}

impl Table {
    pub(crate) fn qualified(&self) -> QualifiedName {
        QualifiedName::new(&self.schema, &self.name)
    }

    pub(crate) fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Puts every named collection in its canonical order.
    pub(crate) fn sort(&mut self) {
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
    pub(crate) fn shrink_to_fit(&mut self) {
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
    pub(crate) name: String,
    pub(crate) ty: DataType,
    /// `true` unless the column is `NOT NULL`.
    pub(crate) nullable: bool,
    /// Default expression in PostgreSQL's canonical spelling (once normalized).
    pub(crate) default: Option<String>,
    /// Boxed: most columns have none, and every column would pay its size.
    pub(crate) identity: Option<Box<Identity>>,
    /// Expression of a `GENERATED ALWAYS AS (…) STORED` column.
    pub(crate) generated: Option<String>,
    pub(crate) collation: Option<String>,
    pub(crate) comment: Option<String>,
    /// `SET STORAGE`, when it is not the type's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) storage: Option<Storage>,
    /// `COMPRESSION`, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) compression: Option<Compression>,
    /// `SET STATISTICS n`, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) statistics: Option<i32>,
}

impl Column {
    pub(crate) fn new(name: impl Into<String>, ty: DataType) -> Self {
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
pub(crate) enum Storage {
    Plain,
    External,
    Extended,
    Main,
}

impl Storage {
    /// The SQL keyword, also the HCL spelling.
    pub(crate) fn sql(self) -> &'static str {
        match self {
            Storage::Plain => "PLAIN",
            Storage::External => "EXTERNAL",
            Storage::Extended => "EXTENDED",
            Storage::Main => "MAIN",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Storage> {
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
pub(crate) enum Compression {
    Pglz,
    Lz4,
}

impl Compression {
    /// The method's name, in SQL and HCL.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Compression::Pglz => "pglz",
            Compression::Lz4 => "lz4",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Compression> {
        match s.to_ascii_lowercase().as_str() {
            "pglz" => Some(Compression::Pglz),
            "lz4" => Some(Compression::Lz4),
            _ => None,
        }
    }
}

/// `GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY (…)` with its sequence's options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Identity {
    pub(crate) always: bool,
    pub(crate) start: i64,
    pub(crate) increment: i64,
    /// `MINVALUE`; `None` is the default for the column type and direction (`NO MINVALUE`).
    #[serde(default)]
    pub(crate) min_value: Option<i64>,
    /// `MAXVALUE`; `None` is the default for the column type and direction.
    #[serde(default)]
    pub(crate) max_value: Option<i64>,
    /// `CACHE` (default 1).
    #[serde(default = "one")]
    pub(crate) cache: i64,
    /// `CYCLE`.
    #[serde(default)]
    pub(crate) cycle: bool,
}

fn one() -> i64 {
    1
}

impl Identity {
    /// The `START` PostgreSQL picks when none is given: the minimum of an ascending sequence,
    /// the maximum of a descending one.
    pub(crate) fn default_start(
        increment: i64,
        min_value: Option<i64>,
        max_value: Option<i64>,
    ) -> i64 {
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
pub(crate) struct PrimaryKey {
    pub(crate) name: String,
    pub(crate) columns: Vec<String>,
    pub(crate) include: Vec<String>,
    pub(crate) deferrable: Deferrable,
    pub(crate) comment: Option<String>,
}

/// A `UNIQUE` constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Unique {
    pub(crate) name: String,
    pub(crate) columns: Vec<String>,
    pub(crate) include: Vec<String>,
    pub(crate) nulls_distinct: bool,
    pub(crate) deferrable: Deferrable,
    pub(crate) comment: Option<String>,
}

/// A `CHECK` constraint. An unnamed check (written without a label) gets PostgreSQL's generated
/// name once normalized and is matched by expression until then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Check {
    pub(crate) name: Option<String>,
    pub(crate) expr: String,
    pub(crate) comment: Option<String>,
    /// `NOT VALID`: added without checking existing rows and not validated since (HCL
    /// `valid = false`). A declared valid check over a `NOT VALID` one plans `VALIDATE
    /// CONSTRAINT`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) not_valid: bool,
    /// `NO INHERIT`: does not apply to inheritance children (HCL `no_inherit = true`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) no_inherit: bool,
}

/// Referential action of a foreign key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub(crate) enum ReferentialAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl ReferentialAction {
    /// The spelling used in HCL (`NO_ACTION`, `SET_NULL`, …).
    pub(crate) fn hcl(self) -> &'static str {
        match self {
            ReferentialAction::NoAction => "NO_ACTION",
            ReferentialAction::Restrict => "RESTRICT",
            ReferentialAction::Cascade => "CASCADE",
            ReferentialAction::SetNull => "SET_NULL",
            ReferentialAction::SetDefault => "SET_DEFAULT",
        }
    }

    pub(crate) fn from_hcl(s: &str) -> Option<Self> {
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
// The variants spell SQL's `NOT DEFERRABLE`, and their names are serialized in saved plans.
#[allow(clippy::enum_variant_names)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub(crate) enum Deferrable {
    #[default]
    NotDeferrable,
    InitiallyImmediate,
    InitiallyDeferred,
}

impl Deferrable {
    /// The SQL suffix, empty for the default.
    pub(crate) fn sql(self) -> &'static str {
        match self {
            Deferrable::NotDeferrable => "",
            Deferrable::InitiallyImmediate => " DEFERRABLE INITIALLY IMMEDIATE",
            Deferrable::InitiallyDeferred => " DEFERRABLE INITIALLY DEFERRED",
        }
    }
}

/// A `FOREIGN KEY` constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ForeignKey {
    pub(crate) name: String,
    pub(crate) columns: Vec<String>,
    pub(crate) ref_table: QualifiedName,
    pub(crate) ref_columns: Vec<String>,
    pub(crate) on_update: ReferentialAction,
    pub(crate) on_delete: ReferentialAction,
    pub(crate) deferrable: Deferrable,
    pub(crate) comment: Option<String>,
    /// `NOT VALID`: added without checking existing rows and not validated since (HCL
    /// `valid = false`). A declared valid key over a `NOT VALID` one plans `VALIDATE CONSTRAINT`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) not_valid: bool,
}

/// An index that is not the implementation of a constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Index {
    pub(crate) name: String,
    pub(crate) unique: bool,
    /// Access method in lower case: `btree`, `hash`, `gin`, `gist`, `brin`, `spgist`.
    pub(crate) method: String,
    pub(crate) parts: Vec<IndexPart>,
    pub(crate) include: Vec<String>,
    /// Partial-index predicate.
    pub(crate) predicate: Option<String>,
    pub(crate) nulls_distinct: bool,
    pub(crate) comment: Option<String>,
    /// Storage parameters (`WITH (fillfactor = 50)`): name → text.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) storage_params: BTreeMap<String, String>,
    /// Left INVALID by a failed `CREATE INDEX CONCURRENTLY`: never equal to a declared index,
    /// so the next plan rebuilds it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) invalid: bool,
}

impl Index {
    /// The same index apart from its name and comment: what PostgreSQL compares when it
    /// attaches a partition's index to its parent's.
    pub(crate) fn same_definition(&self, other: &Index) -> bool {
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
pub(crate) struct IndexPart {
    pub(crate) key: IndexKey,
    pub(crate) desc: bool,
    /// `true` for `NULLS FIRST`. PostgreSQL's default is `desc`.
    pub(crate) nulls_first: bool,
    /// Operator class, only when it is not the type's default or has parameters.
    pub(crate) opclass: Option<String>,
    /// Operator-class parameters (`tsvector_ops (siglen = 8)`), as PostgreSQL stores them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) opclass_params: BTreeMap<String, String>,
    pub(crate) collation: Option<String>,
}

impl IndexPart {
    pub(crate) fn column(name: impl Into<String>) -> Self {
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
    pub(crate) fn is_plain_column(&self) -> bool {
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
pub(crate) enum IndexKey {
    Column(String),
    Expr(String),
}

/// Partitioning strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum PartitionStrategy {
    Range,
    List,
    Hash,
}

impl PartitionStrategy {
    pub(crate) fn sql(self) -> &'static str {
        match self {
            PartitionStrategy::Range => "RANGE",
            PartitionStrategy::List => "LIST",
            PartitionStrategy::Hash => "HASH",
        }
    }
}

/// `PARTITION BY` key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PartitionKey {
    pub(crate) strategy: PartitionStrategy,
    pub(crate) parts: Vec<IndexKey>,
}

/// An enum type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enum {
    pub(crate) schema: String,
    pub(crate) name: String,
    pub(crate) values: Vec<String>,
    pub(crate) comment: Option<String>,
}

/// `ALTER TYPE … ADD VALUE 'v' [BEFORE|AFTER 'x']`.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumValueAdd {
    pub(crate) value: String,
    pub(crate) position: EnumPosition,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum EnumPosition {
    Before(String),
    After(String),
    /// The enum had no values.
    End,
}

impl Model {
    pub(crate) fn table(&self, name: &QualifiedName) -> Option<&Table> {
        self.schemas.get(&name.schema)?.tables.get(&name.name)
    }

    pub(crate) fn enum_type(&self, name: &QualifiedName) -> Option<&Enum> {
        self.schemas.get(&name.schema)?.enums.get(&name.name)
    }

    /// All tables of all schemas, in name order.
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.schemas.values().flat_map(|s| s.tables.values())
    }

    /// All enums of all schemas, in name order.
    pub(crate) fn enums(&self) -> impl Iterator<Item = &Enum> {
        self.schemas.values().flat_map(|s| s.enums.values())
    }

    /// Number of tables in the model.
    pub(crate) fn table_count(&self) -> usize {
        self.schemas.values().map(|s| s.tables.len()).sum()
    }

    /// Puts every table in canonical order (see [`Table::sort`]).
    pub(crate) fn sort(&mut self) {
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

    pub(crate) fn view(&self, name: &QualifiedName) -> Option<&View> {
        self.schemas.get(&name.schema)?.views.get(&name.name)
    }

    pub(crate) fn views(&self) -> impl Iterator<Item = &View> {
        self.schemas.values().flat_map(|s| s.views.values())
    }

    pub(crate) fn aggregates(&self) -> impl Iterator<Item = &Aggregate> {
        self.schemas.values().flat_map(|s| s.aggregates.values())
    }

    pub(crate) fn functions(&self) -> impl Iterator<Item = &Function> {
        self.schemas.values().flat_map(|s| s.functions.values())
    }

    pub(crate) fn sequences(&self) -> impl Iterator<Item = &Sequence> {
        self.schemas.values().flat_map(|s| s.sequences.values())
    }

    pub(crate) fn collations(&self) -> impl Iterator<Item = &Collation> {
        self.schemas.values().flat_map(|s| s.collations.values())
    }

    pub(crate) fn domains(&self) -> impl Iterator<Item = &Domain> {
        self.schemas.values().flat_map(|s| s.domains.values())
    }

    pub(crate) fn composites(&self) -> impl Iterator<Item = &Composite> {
        self.schemas.values().flat_map(|s| s.composites.values())
    }

    /// `true` when the model has a user type (enum, domain, composite) of that name.
    pub(crate) fn has_type(&self, q: &QualifiedName) -> bool {
        self.schemas.get(&q.schema).is_some_and(|s| {
            s.enums.contains_key(&q.name)
                || s.domains.contains_key(&q.name)
                || s.composites.contains_key(&q.name)
        })
    }
}
