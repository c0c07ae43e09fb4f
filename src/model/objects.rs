//! Schema objects beyond tables: extensions, sequences, views, routines, triggers, domains,
//! composite types, policies, exclusion constraints and partitions.

use super::{Check, DataType, Deferrable, Index, IndexKey, QualifiedName};
use serde::{Deserialize, Serialize};

/// `CREATE EXTENSION`. Objects an extension owns are never managed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub name: String,
    /// Schema of the extension's objects; `None` lets PostgreSQL choose.
    pub schema: Option<String>,
    /// Installed version; `None` means "whatever is default" (not compared).
    pub version: Option<String>,
    pub comment: Option<String>,
}

/// A sequence. Bounds and cache are `None` when they are PostgreSQL's defaults for the type and
/// direction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sequence {
    pub schema: String,
    pub name: String,
    /// `smallint`, `integer` or `bigint`.
    pub ty: String,
    pub start: Option<i64>,
    pub increment: i64,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub cache: i64,
    pub cycle: bool,
    /// `OWNED BY table.column`.
    pub owned_by: Option<(QualifiedName, String)>,
    pub comment: Option<String>,
}

impl Sequence {
    pub fn new(schema: &str, name: &str) -> Self {
        Sequence {
            schema: schema.into(),
            name: name.into(),
            ty: "bigint".into(),
            start: None,
            increment: 1,
            min: None,
            max: None,
            cache: 1,
            cycle: false,
            owned_by: None,
            comment: None,
        }
    }
}

/// A view or materialized view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    pub schema: String,
    pub name: String,
    /// The query, as `pg_get_viewdef` prints it once normalized.
    pub query: String,
    pub materialized: bool,
    /// `LOCAL` or `CASCADED`.
    pub check_option: Option<String>,
    pub security_barrier: bool,
    pub security_invoker: bool,
    /// Materialized views: created `WITH DATA` (populated).
    pub with_data: bool,
    /// Materialized views: storage parameters (`WITH (fillfactor = 70)`), as PostgreSQL
    /// stores them: name → text. TOAST parameters (`toast.*`) are not modeled.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub storage_params: std::collections::BTreeMap<String, String>,
    /// Indexes of a materialized view, sorted by name.
    pub indexes: Vec<Index>,
    /// Triggers on the view (`INSTEAD OF`), sorted by name.
    pub triggers: Vec<Trigger>,
    pub comment: Option<String>,
    /// Column comments by column name.
    pub column_comments: Vec<(String, String)>,
}

/// Function or procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoutineKind {
    Function,
    Procedure,
}

/// Argument mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ArgMode {
    In,
    Out,
    InOut,
    Variadic,
}

impl ArgMode {
    pub fn sql(self) -> &'static str {
        match self {
            ArgMode::In => "IN",
            ArgMode::Out => "OUT",
            ArgMode::InOut => "INOUT",
            ArgMode::Variadic => "VARIADIC",
        }
    }
}

/// A routine argument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionArg {
    pub name: Option<String>,
    pub ty: DataType,
    pub mode: ArgMode,
    pub default: Option<String>,
}

/// What a function returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Returns {
    Type(DataType),
    SetOf(DataType),
    /// `RETURNS TABLE (name type, …)`.
    Table(Vec<(String, DataType)>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Volatility {
    Volatile,
    Stable,
    Immutable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Parallel {
    Unsafe,
    Restricted,
    Safe,
}

/// A function or procedure. Functions are keyed by name and input argument types, so overloads
/// are separate objects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Function {
    pub schema: String,
    pub name: String,
    pub kind: RoutineKind,
    pub args: Vec<FunctionArg>,
    /// `None` for procedures.
    pub returns: Option<Returns>,
    /// Lower case: `sql`, `plpgsql`, …
    pub language: String,
    /// The body (`prosrc`), or for SQL-standard bodies the `BEGIN ATOMIC … END` text.
    pub body: String,
    pub volatility: Volatility,
    pub strict: bool,
    pub security_definer: bool,
    pub parallel: Parallel,
    pub leakproof: bool,
    /// `None` when it is the default for the language (100 for most, 1 for C/internal).
    pub cost: Option<String>,
    /// `None` unless the function returns a set and rows differs from 1000.
    pub rows: Option<String>,
    /// `SET name = value` settings, sorted.
    pub config: Vec<(String, String)>,
    pub comment: Option<String>,
}

/// When a trigger fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TriggerTiming {
    Before,
    After,
    InsteadOf,
}

/// Trigger events; `update_of` lists columns for `UPDATE OF`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriggerEvents {
    pub insert: bool,
    pub update: bool,
    pub update_of: Vec<String>,
    pub delete: bool,
    pub truncate: bool,
}

/// A trigger on a table or view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    pub name: String,
    pub timing: TriggerTiming,
    pub events: TriggerEvents,
    pub for_each_row: bool,
    pub when: Option<String>,
    /// The trigger function.
    pub function: QualifiedName,
    pub args: Vec<String>,
    pub old_table: Option<String>,
    pub new_table: Option<String>,
    /// A constraint trigger (`CREATE CONSTRAINT TRIGGER`).
    pub constraint: bool,
    pub deferrable: Deferrable,
    /// `O` enabled (origin/local), `D` disabled, `R` replica, `A` always.
    pub enabled: char,
    pub comment: Option<String>,
}

/// A row-level security policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub name: String,
    pub permissive: bool,
    /// `ALL`, `SELECT`, `INSERT`, `UPDATE` or `DELETE`.
    pub command: String,
    /// Role names; `public` for PUBLIC. Sorted.
    pub roles: Vec<String>,
    pub using: Option<String>,
    pub check: Option<String>,
    pub comment: Option<String>,
}

/// An `EXCLUDE` constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclude {
    pub name: String,
    pub method: String,
    /// Each element with its operator.
    pub elements: Vec<(IndexKey, String)>,
    pub include: Vec<String>,
    pub predicate: Option<String>,
    pub deferrable: Deferrable,
    pub comment: Option<String>,
}

/// `PARTITION OF parent FOR VALUES …`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionOf {
    pub parent: QualifiedName,
    /// `FOR VALUES FROM (…) TO (…)`, `FOR VALUES IN (…)`, `FOR VALUES WITH (…)` or `DEFAULT`.
    pub bound: String,
}

/// A collation (`CREATE COLLATION`). Canonical form: a libc collation whose LC_COLLATE and
/// LC_CTYPE are equal keeps them as `locale`; ICU and builtin collations keep only `locale`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collation {
    pub schema: String,
    pub name: String,
    /// `libc`, `icu` or `builtin`.
    pub provider: String,
    pub locale: Option<String>,
    pub lc_collate: Option<String>,
    pub lc_ctype: Option<String>,
    pub deterministic: bool,
    pub comment: Option<String>,
}

impl Collation {
    /// Everything but the comment, which `COMMENT ON` changes in place.
    pub fn same_definition(&self, other: &Collation) -> bool {
        self.provider == other.provider
            && self.locale == other.locale
            && self.lc_collate == other.lc_collate
            && self.lc_ctype == other.lc_ctype
            && self.deterministic == other.deterministic
    }

    /// Puts `lc_collate`/`lc_ctype` into `locale` when they are equal.
    pub fn canonical(mut self) -> Self {
        if self.provider != "libc" {
            self.lc_collate = None;
            self.lc_ctype = None;
        } else if self.locale.is_none()
            && self.lc_collate.is_some()
            && self.lc_collate == self.lc_ctype
        {
            self.locale = self.lc_collate.take();
            self.lc_ctype = None;
        } else if let Some(l) = &self.locale
            && self.lc_collate.as_ref().is_none_or(|c| c == l)
            && self.lc_ctype.as_ref().is_none_or(|c| c == l)
        {
            self.lc_collate = None;
            self.lc_ctype = None;
        }
        self
    }
}

/// A domain over a base type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    pub schema: String,
    pub name: String,
    pub base: DataType,
    pub not_null: bool,
    pub default: Option<String>,
    pub collation: Option<String>,
    /// Named checks, sorted by name.
    pub checks: Vec<Check>,
    pub comment: Option<String>,
}

/// A composite type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Composite {
    pub schema: String,
    pub name: String,
    pub fields: Vec<(String, DataType)>,
    /// Fields' collations where they differ from their type's (`COLLATE "C"`), by field name;
    /// the name resolves through the `search_path`, as a column's does.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub collations: std::collections::BTreeMap<String, String>,
    pub comment: Option<String>,
}

impl Composite {
    /// `COLLATE` of field `name`, when it has one of its own.
    pub fn collation(&self, name: &str) -> Option<&str> {
        self.collations.get(name).map(String::as_str)
    }
}

/// An aggregate (`CREATE AGGREGATE`, `pg_proc.prokind = 'a'` with its `pg_aggregate` row): a
/// normal aggregate over `args`, folded by `state_func` into a `state_type` value. Keyed like a
/// function, by name and argument types. Ordered-set and hypothetical-set aggregates, moving
/// and combine functions are not modeled (warned when a database uses them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aggregate {
    pub schema: String,
    pub name: String,
    /// Aggregated arguments (`IN` or `VARIADIC`, no defaults); none means `(*)`.
    pub args: Vec<FunctionArg>,
    /// `STYPE`.
    pub state_type: DataType,
    /// `SFUNC`: PostgreSQL picks the overload taking the state and the arguments.
    pub state_func: QualifiedName,
    /// `FINALFUNC`: takes the state, returns the aggregate's result.
    pub final_func: Option<QualifiedName>,
    /// `INITCOND`: the state's initial value, as text; `None` starts from NULL.
    pub initial_value: Option<String>,
    pub parallel: Parallel,
    pub comment: Option<String>,
}

impl Aggregate {
    /// Everything but the comment, which `COMMENT ON` changes in place.
    pub fn same_definition(&self, other: &Aggregate) -> bool {
        Aggregate {
            comment: None,
            ..self.clone()
        } == Aggregate {
            comment: None,
            ..other.clone()
        }
    }

    /// Whether `CREATE OR REPLACE AGGREGATE` turns `self` into `other`: the same arguments and
    /// result type (state type and final function).
    pub fn replaceable_by(&self, other: &Aggregate) -> bool {
        self.args == other.args
            && self.state_type == other.state_type
            && self.final_func == other.final_func
    }
}

/// An event trigger (`CREATE EVENT TRIGGER`): database-wide, it belongs to no schema. strata
/// manages the ones whose function lives in a managed schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventTrigger {
    pub name: String,
    /// `ddl_command_start`, `ddl_command_end`, `sql_drop` or `table_rewrite`.
    pub event: String,
    /// `WHEN TAG IN (…)`, upper case and sorted; empty fires for every command.
    pub tags: Vec<String>,
    /// The function (returning `event_trigger`).
    pub function: QualifiedName,
    /// `O` enabled (origin/local), `D` disabled, `R` replica, `A` always.
    pub enabled: char,
    pub comment: Option<String>,
}

impl EventTrigger {
    /// Everything but the enabled state and the comment, which `ALTER`/`COMMENT` change in place.
    pub fn same_definition(&self, other: &EventTrigger) -> bool {
        self.event == other.event && self.tags == other.tags && self.function == other.function
    }
}
