//! Schema objects beyond tables: extensions, sequences, views, routines, triggers, domains,
//! composite types, policies, exclusion constraints and partitions.

use super::{Check, DataType, Deferrable, Index, IndexKey, QualifiedName};
use serde::{Deserialize, Serialize};

/// `CREATE EXTENSION`. Objects an extension owns are never managed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub(crate) name: String,
    /// Schema of the extension's objects; `None` lets PostgreSQL choose.
    pub(crate) schema: Option<String>,
    /// Installed version; `None` means "whatever is default" (not compared).
    pub(crate) version: Option<String>,
    pub(crate) comment: Option<String>,
}

/// A sequence. Bounds and cache are `None` when they are PostgreSQL's defaults for the type and
/// direction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sequence {
    pub(crate) schema: String,
    pub(crate) name: String,
    /// `smallint`, `integer` or `bigint`.
    pub(crate) ty: String,
    pub(crate) start: Option<i64>,
    pub(crate) increment: i64,
    pub(crate) min: Option<i64>,
    pub(crate) max: Option<i64>,
    pub(crate) cache: i64,
    pub(crate) cycle: bool,
    /// `OWNED BY table.column`.
    pub(crate) owned_by: Option<(QualifiedName, String)>,
    pub(crate) comment: Option<String>,
}

impl Sequence {
    pub(crate) fn new(schema: &str, name: &str) -> Self {
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
    pub(crate) schema: String,
    pub(crate) name: String,
    /// The query, as `pg_get_viewdef` prints it once normalized.
    pub(crate) query: String,
    pub(crate) materialized: bool,
    /// `LOCAL` or `CASCADED`.
    pub(crate) check_option: Option<String>,
    pub(crate) security_barrier: bool,
    pub(crate) security_invoker: bool,
    /// Materialized views: created `WITH DATA` (populated).
    pub(crate) with_data: bool,
    /// Materialized views: storage parameters (`WITH (fillfactor = 70)`), as PostgreSQL
    /// stores them: name → text. TOAST parameters (`toast.*`) are not modeled.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub(crate) storage_params: std::collections::BTreeMap<String, String>,
    /// Indexes of a materialized view, sorted by name.
    pub(crate) indexes: Vec<Index>,
    /// Triggers on the view (`INSTEAD OF`), sorted by name.
    pub(crate) triggers: Vec<Trigger>,
    pub(crate) comment: Option<String>,
    /// Column comments by column name.
    pub(crate) column_comments: Vec<(String, String)>,
}

/// Function or procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum RoutineKind {
    Function,
    Procedure,
}

/// Argument mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum ArgMode {
    In,
    Out,
    InOut,
    Variadic,
}

impl ArgMode {
    pub(crate) fn sql(self) -> &'static str {
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
pub(crate) struct FunctionArg {
    pub(crate) name: Option<String>,
    pub(crate) ty: DataType,
    pub(crate) mode: ArgMode,
    pub(crate) default: Option<String>,
}

/// What a function returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Returns {
    Type(DataType),
    SetOf(DataType),
    /// `RETURNS TABLE (name type, …)`.
    Table(Vec<(String, DataType)>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Volatility {
    Volatile,
    Stable,
    Immutable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Parallel {
    Unsafe,
    Restricted,
    Safe,
}

/// A function or procedure. Functions are keyed by name and input argument types, so overloads
/// are separate objects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Function {
    pub(crate) schema: String,
    pub(crate) name: String,
    pub(crate) kind: RoutineKind,
    pub(crate) args: Vec<FunctionArg>,
    /// `None` for procedures.
    pub(crate) returns: Option<Returns>,
    /// Lower case: `sql`, `plpgsql`, …
    pub(crate) language: String,
    /// The body (`prosrc`), or for SQL-standard bodies the `BEGIN ATOMIC … END` text.
    pub(crate) body: String,
    pub(crate) volatility: Volatility,
    pub(crate) strict: bool,
    pub(crate) security_definer: bool,
    pub(crate) parallel: Parallel,
    pub(crate) leakproof: bool,
    /// `None` when it is the default for the language (100 for most, 1 for C/internal).
    pub(crate) cost: Option<String>,
    /// `None` unless the function returns a set and rows differs from 1000.
    pub(crate) rows: Option<String>,
    /// `SET name = value` settings, sorted.
    pub(crate) config: Vec<(String, String)>,
    pub(crate) comment: Option<String>,
}

/// When a trigger fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum TriggerTiming {
    Before,
    After,
    InsteadOf,
}

/// Trigger events; `update_of` lists columns for `UPDATE OF`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TriggerEvents {
    pub(crate) insert: bool,
    pub(crate) update: bool,
    pub(crate) update_of: Vec<String>,
    pub(crate) delete: bool,
    pub(crate) truncate: bool,
}

/// A trigger on a table or view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    pub(crate) name: String,
    pub(crate) timing: TriggerTiming,
    pub(crate) events: TriggerEvents,
    pub(crate) for_each_row: bool,
    pub(crate) when: Option<String>,
    /// The trigger function.
    pub(crate) function: QualifiedName,
    pub(crate) args: Vec<String>,
    pub(crate) old_table: Option<String>,
    pub(crate) new_table: Option<String>,
    /// A constraint trigger (`CREATE CONSTRAINT TRIGGER`).
    pub(crate) constraint: bool,
    pub(crate) deferrable: Deferrable,
    /// `O` enabled (origin/local), `D` disabled, `R` replica, `A` always.
    pub(crate) enabled: char,
    pub(crate) comment: Option<String>,
}

/// A row-level security policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub(crate) name: String,
    pub(crate) permissive: bool,
    /// `ALL`, `SELECT`, `INSERT`, `UPDATE` or `DELETE`.
    pub(crate) command: String,
    /// Role names; `public` for PUBLIC. Sorted.
    pub(crate) roles: Vec<String>,
    pub(crate) using: Option<String>,
    pub(crate) check: Option<String>,
    pub(crate) comment: Option<String>,
}

/// An `EXCLUDE` constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Exclude {
    pub(crate) name: String,
    pub(crate) method: String,
    /// Each element with its operator.
    pub(crate) elements: Vec<(IndexKey, String)>,
    pub(crate) include: Vec<String>,
    pub(crate) predicate: Option<String>,
    pub(crate) deferrable: Deferrable,
    pub(crate) comment: Option<String>,
}

/// `PARTITION OF parent FOR VALUES …`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PartitionOf {
    pub(crate) parent: QualifiedName,
    /// `FOR VALUES FROM (…) TO (…)`, `FOR VALUES IN (…)`, `FOR VALUES WITH (…)` or `DEFAULT`.
    pub(crate) bound: String,
}

/// A collation (`CREATE COLLATION`). Canonical form: a libc collation whose LC_COLLATE and
/// LC_CTYPE are equal keeps them as `locale`; ICU and builtin collations keep only `locale`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collation {
    pub(crate) schema: String,
    pub(crate) name: String,
    /// `libc`, `icu` or `builtin`.
    pub(crate) provider: String,
    pub(crate) locale: Option<String>,
    pub(crate) lc_collate: Option<String>,
    pub(crate) lc_ctype: Option<String>,
    pub(crate) deterministic: bool,
    pub(crate) comment: Option<String>,
}

impl Collation {
    /// Everything but the comment, which `COMMENT ON` changes in place.
    pub(crate) fn same_definition(&self, other: &Collation) -> bool {
        self.provider == other.provider
            && self.locale == other.locale
            && self.lc_collate == other.lc_collate
            && self.lc_ctype == other.lc_ctype
            && self.deterministic == other.deterministic
    }

    /// Puts `lc_collate`/`lc_ctype` into `locale` when they are equal.
    pub(crate) fn canonical(mut self) -> Self {
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
    pub(crate) schema: String,
    pub(crate) name: String,
    pub(crate) base: DataType,
    pub(crate) not_null: bool,
    pub(crate) default: Option<String>,
    pub(crate) collation: Option<String>,
    /// Named checks, sorted by name.
    pub(crate) checks: Vec<Check>,
    pub(crate) comment: Option<String>,
}

/// A composite type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Composite {
    pub(crate) schema: String,
    pub(crate) name: String,
    pub(crate) fields: Vec<(String, DataType)>,
    /// Fields' collations where they differ from their type's (`COLLATE "C"`), by field name;
    /// the name resolves through the `search_path`, as a column's does.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub(crate) collations: std::collections::BTreeMap<String, String>,
    pub(crate) comment: Option<String>,
}

impl Composite {
    /// `COLLATE` of field `name`, when it has one of its own.
    pub(crate) fn collation(&self, name: &str) -> Option<&str> {
        self.collations.get(name).map(String::as_str)
    }
}

/// An aggregate (`CREATE AGGREGATE`, `pg_proc.prokind = 'a'` with its `pg_aggregate` row): a
/// normal aggregate over `args`, folded by `state_func` into a `state_type` value. Keyed like a
/// function, by name and argument types. Ordered-set and hypothetical-set aggregates, moving
/// and combine functions are not modeled (warned when a database uses them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aggregate {
    pub(crate) schema: String,
    pub(crate) name: String,
    /// Aggregated arguments (`IN` or `VARIADIC`, no defaults); none means `(*)`.
    pub(crate) args: Vec<FunctionArg>,
    /// `STYPE`.
    pub(crate) state_type: DataType,
    /// `SFUNC`: PostgreSQL picks the overload taking the state and the arguments.
    pub(crate) state_func: QualifiedName,
    /// `FINALFUNC`: takes the state, returns the aggregate's result.
    pub(crate) final_func: Option<QualifiedName>,
    /// `INITCOND`: the state's initial value, as text; `None` starts from NULL.
    pub(crate) initial_value: Option<String>,
    pub(crate) parallel: Parallel,
    pub(crate) comment: Option<String>,
}

impl Aggregate {
    /// Everything but the comment, which `COMMENT ON` changes in place.
    pub(crate) fn same_definition(&self, other: &Aggregate) -> bool {
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
    pub(crate) fn replaceable_by(&self, other: &Aggregate) -> bool {
        self.args == other.args
            && self.state_type == other.state_type
            && self.final_func == other.final_func
    }
}

/// An event trigger (`CREATE EVENT TRIGGER`): database-wide, it belongs to no schema. strata
/// manages the ones whose function lives in a managed schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventTrigger {
    pub(crate) name: String,
    /// `ddl_command_start`, `ddl_command_end`, `sql_drop` or `table_rewrite`.
    pub(crate) event: String,
    /// `WHEN TAG IN (…)`, upper case and sorted; empty fires for every command.
    pub(crate) tags: Vec<String>,
    /// The function (returning `event_trigger`).
    pub(crate) function: QualifiedName,
    /// `O` enabled (origin/local), `D` disabled, `R` replica, `A` always.
    pub(crate) enabled: char,
    pub(crate) comment: Option<String>,
}

impl EventTrigger {
    /// Everything but the enabled state and the comment, which `ALTER`/`COMMENT` change in place.
    pub(crate) fn same_definition(&self, other: &EventTrigger) -> bool {
        self.event == other.event && self.tags == other.tags && self.function == other.function
    }
}
