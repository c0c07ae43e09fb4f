//! SQL text for every change the planner makes. Every identifier is quoted; expressions are
//! passed through as PostgreSQL will store them.

use crate::model::{
    Check, Column, Enum, EnumPosition, EnumValueAdd, ForeignKey, Identity, Index, IndexKey,
    PartitionKey, PrimaryKey, QualifiedName, ReferentialAction, Schema, Table, Unique,
};
use crate::postgres::quote::{ident, ident_list, literal, qualified, qualified_parts};
use crate::postgres::types;

pub fn create_schema(s: &Schema) -> String {
    format!("CREATE SCHEMA {}", ident(&s.name))
}

pub fn drop_schema(name: &str) -> String {
    format!("DROP SCHEMA {}", ident(name))
}

fn comment_literal(c: &Option<String>) -> String {
    match c {
        Some(c) => literal(c),
        None => "NULL".to_string(),
    }
}

pub fn comment_on_schema(name: &str, c: &Option<String>) -> String {
    format!(
        "COMMENT ON SCHEMA {} IS {}",
        ident(name),
        comment_literal(c)
    )
}

pub fn comment_on_table(q: &QualifiedName, c: &Option<String>) -> String {
    format!(
        "COMMENT ON TABLE {} IS {}",
        qualified(q),
        comment_literal(c)
    )
}

pub fn comment_on_column(q: &QualifiedName, column: &str, c: &Option<String>) -> String {
    format!(
        "COMMENT ON COLUMN {}.{} IS {}",
        qualified(q),
        ident(column),
        comment_literal(c)
    )
}

pub fn comment_on_constraint(q: &QualifiedName, name: &str, c: &Option<String>) -> String {
    format!(
        "COMMENT ON CONSTRAINT {} ON {} IS {}",
        ident(name),
        qualified(q),
        comment_literal(c)
    )
}

pub fn comment_on_index(schema: &str, name: &str, c: &Option<String>) -> String {
    format!(
        "COMMENT ON INDEX {} IS {}",
        qualified_parts(schema, name),
        comment_literal(c)
    )
}

pub fn comment_on_type(q: &QualifiedName, c: &Option<String>) -> String {
    format!("COMMENT ON TYPE {} IS {}", qualified(q), comment_literal(c))
}

pub fn create_enum(e: &Enum) -> String {
    format!(
        "CREATE TYPE {} AS ENUM ({})",
        qualified_parts(&e.schema, &e.name),
        e.values
            .iter()
            .map(|v| literal(v))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

pub fn drop_enum(q: &QualifiedName) -> String {
    format!("DROP TYPE {}", qualified(q))
}

pub fn add_enum_value(q: &QualifiedName, add: &EnumValueAdd) -> String {
    let pos = match &add.position {
        EnumPosition::Before(v) => format!(" BEFORE {}", literal(v)),
        EnumPosition::After(v) => format!(" AFTER {}", literal(v)),
        EnumPosition::End => String::new(),
    };
    format!(
        "ALTER TYPE {} ADD VALUE {}{pos}",
        qualified(q),
        literal(&add.value)
    )
}

/// A column definition as used in `CREATE TABLE` and `ADD COLUMN`.
pub fn column_def(c: &Column) -> String {
    let mut s = format!("{} {}", ident(&c.name), types::sql(&c.ty));
    if let Some(comp) = c.compression {
        s.push_str(&format!(" COMPRESSION {}", comp.name()));
    }
    if let Some(coll) = &c.collation {
        s.push_str(&format!(" COLLATE {}", ident(coll)));
    }
    if let Some(g) = &c.generated {
        s.push_str(&format!(" GENERATED ALWAYS AS ({g}) STORED"));
    }
    if let Some(id) = &c.identity {
        s.push_str(&format!(
            " GENERATED {} AS IDENTITY{}",
            if id.always { "ALWAYS" } else { "BY DEFAULT" },
            identity_options(id)
        ));
    }
    if let Some(d) = &c.default {
        s.push_str(&format!(" DEFAULT {d}"));
    }
    if !c.nullable {
        s.push_str(" NOT NULL");
    }
    s
}

fn identity_options(id: &Identity) -> String {
    let default_start = Identity::default_start(id.increment, id.min_value, id.max_value);
    let mut opts = Vec::new();
    if id.start != default_start {
        opts.push(format!("START WITH {}", id.start));
    }
    if id.increment != 1 {
        opts.push(format!("INCREMENT BY {}", id.increment));
    }
    if let Some(v) = id.min_value {
        opts.push(format!("MINVALUE {v}"));
    }
    if let Some(v) = id.max_value {
        opts.push(format!("MAXVALUE {v}"));
    }
    if id.cache != 1 {
        opts.push(format!("CACHE {}", id.cache));
    }
    if id.cycle {
        opts.push("CYCLE".to_string());
    }
    if opts.is_empty() {
        String::new()
    } else {
        format!(" ({})", opts.join(" "))
    }
}

fn action_clause(kw: &str, a: ReferentialAction) -> String {
    if a == ReferentialAction::NoAction {
        String::new()
    } else {
        format!(" ON {kw} {}", a.sql())
    }
}

pub fn primary_key_def(pk: &PrimaryKey) -> String {
    let mut s = format!(
        "CONSTRAINT {} PRIMARY KEY ({})",
        ident(&pk.name),
        ident_list(&pk.columns)
    );
    if !pk.include.is_empty() {
        s.push_str(&format!(" INCLUDE ({})", ident_list(&pk.include)));
    }
    s.push_str(pk.deferrable.sql());
    s
}

pub fn unique_def(u: &Unique) -> String {
    let mut s = format!(
        "CONSTRAINT {} UNIQUE{} ({})",
        ident(&u.name),
        if u.nulls_distinct {
            ""
        } else {
            " NULLS NOT DISTINCT"
        },
        ident_list(&u.columns)
    );
    if !u.include.is_empty() {
        s.push_str(&format!(" INCLUDE ({})", ident_list(&u.include)));
    }
    s.push_str(u.deferrable.sql());
    s
}

/// `[CONSTRAINT n] CHECK (…) [NO INHERIT]`. `NOT VALID` is not part of it: PostgreSQL ignores
/// it inside `CREATE TABLE`; [`add_constraint_as_declared`] adds it to `ADD CONSTRAINT`.
pub fn check_def(c: &Check) -> String {
    let no_inherit = if c.no_inherit { " NO INHERIT" } else { "" };
    match &c.name {
        Some(n) => format!("CONSTRAINT {} CHECK ({}){no_inherit}", ident(n), c.expr),
        None => format!("CHECK ({}){no_inherit}", c.expr),
    }
}

/// `ADD <def>`, with ` NOT VALID` when the declared constraint is not valid.
pub fn add_constraint_as_declared(def: String, not_valid: bool) -> String {
    if not_valid {
        format!("ADD {def} NOT VALID")
    } else {
        format!("ADD {def}")
    }
}

pub fn foreign_key_def(fk: &ForeignKey) -> String {
    format!(
        "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}){}{}{}",
        ident(&fk.name),
        ident_list(&fk.columns),
        qualified(&fk.ref_table),
        ident_list(&fk.ref_columns),
        action_clause("UPDATE", fk.on_update),
        action_clause("DELETE", fk.on_delete),
        fk.deferrable.sql()
    )
}

fn partition_clause(p: &PartitionKey) -> String {
    let parts: Vec<String> = p
        .parts
        .iter()
        .map(|k| match k {
            IndexKey::Column(c) => ident(c),
            IndexKey::Expr(e) => format!("({e})"),
        })
        .collect();
    format!(" PARTITION BY {} ({})", p.strategy.sql(), parts.join(", "))
}

/// `CREATE TABLE` with columns and constraints; `fks` are the foreign keys created inline.
/// Partitions take their columns from the parent: `CREATE TABLE … PARTITION OF parent …`.
pub fn create_table(t: &Table, fks: &[&ForeignKey]) -> String {
    let mut lines: Vec<String> = if t.partition_of.is_some() {
        Vec::new()
    } else {
        t.columns.iter().map(column_def).collect()
    };
    if let Some(pk) = &t.primary_key {
        lines.push(primary_key_def(pk));
    }
    lines.extend(t.uniques.iter().map(unique_def));
    lines.extend(t.checks.iter().map(check_def));
    lines.extend(t.excludes.iter().map(super::ddl_objects::exclude_def));
    lines.extend(fks.iter().map(|f| foreign_key_def(f)));
    let body = if lines.is_empty() {
        String::new()
    } else {
        format!("\n  {}\n", lines.join(",\n  "))
    };
    let mut s = match &t.partition_of {
        Some(p) => {
            let body = if lines.is_empty() {
                String::new()
            } else {
                format!(" ({body})")
            };
            format!(
                "CREATE TABLE {} PARTITION OF {}{body} {}",
                qualified(&t.qualified()),
                qualified(&p.parent),
                p.bound
            )
        }
        None => format!(
            "CREATE {}TABLE {} ({body}){}",
            if t.unlogged { "UNLOGGED " } else { "" },
            qualified(&t.qualified()),
            if t.inherits.is_empty() {
                String::new()
            } else {
                format!(
                    " INHERITS ({})",
                    t.inherits
                        .iter()
                        .map(qualified)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        ),
    };
    if let Some(p) = &t.partition {
        s.push_str(&partition_clause(p));
    }
    if !t.storage_params.is_empty() {
        s.push_str(&format!(" WITH ({})", param_list(&t.storage_params)));
    }
    s
}

/// `fillfactor = '70', autovacuum_enabled = 'false'`: names quoted as identifiers, values as
/// literals (PostgreSQL stores the text either way).
pub fn param_list(params: &std::collections::BTreeMap<String, String>) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{} = {}", ident(k), literal(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `SET (…)` and `RESET (…)` clauses that turn storage parameters `from` into `to`.
pub fn storage_param_clauses(
    from: &std::collections::BTreeMap<String, String>,
    to: &std::collections::BTreeMap<String, String>,
) -> Vec<String> {
    let mut out = Vec::new();
    let set: std::collections::BTreeMap<String, String> = to
        .iter()
        .filter(|(k, v)| from.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !set.is_empty() {
        out.push(format!("SET ({})", param_list(&set)));
    }
    let reset: Vec<String> = from
        .keys()
        .filter(|k| !to.contains_key(*k))
        .cloned()
        .collect();
    if !reset.is_empty() {
        out.push(format!("RESET ({})", ident_list(&reset)));
    }
    out
}

/// `ALTER INDEX … SET (…), RESET (…)`.
pub fn alter_index_params(schema: &str, name: &str, clauses: &[String]) -> String {
    format!(
        "ALTER INDEX {} {}",
        qualified_parts(schema, name),
        clauses.join(", ")
    )
}

pub fn drop_table(q: &QualifiedName) -> String {
    format!("DROP TABLE {}", qualified(q))
}

/// `ALTER TABLE t <clause>, <clause>, …`.
pub fn alter_table(q: &QualifiedName, clauses: &[String]) -> String {
    if clauses.len() == 1 {
        format!("ALTER TABLE {} {}", qualified(q), clauses[0])
    } else {
        format!("ALTER TABLE {}\n  {}", qualified(q), clauses.join(",\n  "))
    }
}

pub fn rename_constraint(q: &QualifiedName, from: &str, to: &str) -> String {
    format!(
        "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
        qualified(q),
        ident(from),
        ident(to)
    )
}

pub fn rename_index(schema: &str, from: &str, to: &str) -> String {
    format!(
        "ALTER INDEX {} RENAME TO {}",
        qualified_parts(schema, from),
        ident(to)
    )
}

pub fn create_index(t: &QualifiedName, ix: &Index) -> String {
    create_index_with(t, ix, false)
}

/// `CREATE INDEX CONCURRENTLY`: builds without blocking writes; cannot run in a transaction.
pub fn create_index_concurrently(t: &QualifiedName, ix: &Index) -> String {
    create_index_with(t, ix, true)
}

/// `ALTER TABLE … VALIDATE CONSTRAINT …`: checks a `NOT VALID` constraint against existing rows
/// while reads and writes go on.
pub fn validate_constraint(t: &QualifiedName, name: &str) -> String {
    format!("ALTER TABLE {} {}", qualified(t), validate_clause(name))
}

/// The `VALIDATE CONSTRAINT name` clause of `ALTER TABLE`.
pub fn validate_clause(name: &str) -> String {
    format!("VALIDATE CONSTRAINT {}", ident(name))
}

/// `ADD CONSTRAINT name {UNIQUE | PRIMARY KEY} USING INDEX index`: turns an index (built
/// concurrently, or already there) into a constraint; the index takes the constraint's name.
pub fn add_constraint_using_index(kind: &str, name: &str, index: &str, deferrable: &str) -> String {
    format!(
        "ADD CONSTRAINT {} {kind} USING INDEX {}{deferrable}",
        ident(name),
        ident(index)
    )
}

fn create_index_with(t: &QualifiedName, ix: &Index, concurrently: bool) -> String {
    let parts: Vec<String> = ix
        .parts
        .iter()
        .map(|p| {
            let mut s = match &p.key {
                IndexKey::Column(c) => ident(c),
                IndexKey::Expr(e) => format!("({e})"),
            };
            if let Some(c) = &p.collation {
                s.push_str(&format!(" COLLATE {}", ident(c)));
            }
            if let Some(o) = &p.opclass {
                s.push(' ');
                s.push_str(o);
                if !p.opclass_params.is_empty() {
                    s.push_str(&format!(" ({})", param_list(&p.opclass_params)));
                }
            }
            if p.desc {
                s.push_str(" DESC");
            }
            if p.nulls_first != p.desc {
                s.push_str(if p.nulls_first {
                    " NULLS FIRST"
                } else {
                    " NULLS LAST"
                });
            }
            s
        })
        .collect();
    let mut s = format!(
        "CREATE {}INDEX {}{} ON {}{} ({})",
        if ix.unique { "UNIQUE " } else { "" },
        if concurrently { "CONCURRENTLY " } else { "" },
        ident(&ix.name),
        qualified(t),
        if ix.method == "btree" {
            String::new()
        } else {
            format!(" USING {}", ix.method)
        },
        parts.join(", ")
    );
    if !ix.include.is_empty() {
        s.push_str(&format!(" INCLUDE ({})", ident_list(&ix.include)));
    }
    if !ix.nulls_distinct {
        s.push_str(" NULLS NOT DISTINCT");
    }
    if !ix.storage_params.is_empty() {
        s.push_str(&format!(" WITH ({})", param_list(&ix.storage_params)));
    }
    if let Some(w) = &ix.predicate {
        s.push_str(&format!(" WHERE {w}"));
    }
    s
}

pub fn drop_index(schema: &str, name: &str) -> String {
    format!("DROP INDEX {}", qualified_parts(schema, name))
}

/// `ALTER TABLE … REPLICA IDENTITY …`.
pub fn replica_identity(q: &QualifiedName, ri: &crate::model::ReplicaIdentity) -> String {
    let mut s = format!(
        "ALTER TABLE {} REPLICA IDENTITY {}",
        qualified(q),
        ri.sql_keyword()
    );
    if let crate::model::ReplicaIdentity::Index(ix) = ri {
        s.push(' ');
        s.push_str(&ident(ix));
    }
    s
}

/// `DROP DATABASE IF EXISTS … WITH (FORCE)`.
pub fn drop_database_force(name: &str) -> String {
    format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", ident(name))
}

/// `DROP INDEX CONCURRENTLY IF EXISTS` of an already quoted (possibly qualified) index name.
pub fn drop_index_concurrently(quoted: &str) -> String {
    format!("DROP INDEX CONCURRENTLY IF EXISTS {quoted}")
}

// ALTER TABLE clauses.

pub fn add_column(c: &Column) -> String {
    format!("ADD COLUMN {}", column_def(c))
}

pub fn drop_column(name: &str) -> String {
    format!("DROP COLUMN {}", ident(name))
}

pub fn add_constraint(def: String) -> String {
    format!("ADD {def}")
}

pub fn drop_constraint(name: &str) -> String {
    format!("DROP CONSTRAINT {}", ident(name))
}

/// `ALTER COLUMN` clauses turning `from` into `to` (type, nullability, default, identity,
/// collation, dropping a generation expression). Serial conversions and generated-expression
/// changes are handled by the planner.
pub fn alter_column(from: &Column, to: &Column) -> Vec<String> {
    let col = ident(&to.name);
    let mut out = Vec::new();
    let type_changed = from.ty.storage() != to.ty.storage() || from.collation != to.collation;
    if from.generated.is_some() && to.generated.is_none() {
        out.push(format!("ALTER COLUMN {col} DROP EXPRESSION"));
    }
    if from.identity.is_some() && to.identity.is_none() {
        out.push(format!("ALTER COLUMN {col} DROP IDENTITY"));
    }
    let default_changed = from.default != to.default;
    if from.default.is_some() && (default_changed || type_changed) {
        out.push(format!("ALTER COLUMN {col} DROP DEFAULT"));
    }
    if type_changed {
        let target = types::storage_sql(&to.ty);
        let mut s = format!("ALTER COLUMN {col} TYPE {target}");
        if let Some(c) = &to.collation {
            s.push_str(&format!(" COLLATE {}", ident(c)));
        }
        if let Some(using) = using_expr(&col, from, to) {
            s.push_str(&format!(" USING {using}"));
        }
        out.push(s);
    }
    if let Some(d) = &to.default
        && (default_changed || type_changed)
    {
        out.push(format!("ALTER COLUMN {col} SET DEFAULT {d}"));
    }
    if from.nullable != to.nullable {
        out.push(format!(
            "ALTER COLUMN {col} {} NOT NULL",
            if to.nullable { "DROP" } else { "SET" }
        ));
    }
    // A new type brings the type's default storage and compression back: declared ones are set
    // again.
    if from.compression != to.compression || (type_changed && to.compression.is_some()) {
        out.push(format!(
            "ALTER COLUMN {col} SET COMPRESSION {}",
            to.compression.map_or("default", |c| c.name())
        ));
    }
    if from.statistics != to.statistics {
        out.push(format!(
            "ALTER COLUMN {col} SET STATISTICS {}",
            to.statistics.unwrap_or(-1)
        ));
    }
    if (from.storage != to.storage || type_changed)
        && let Some(s) = to.storage
    {
        out.push(format!("ALTER COLUMN {col} SET STORAGE {}", s.sql()));
    }
    match (&from.identity, &to.identity) {
        (None, Some(id)) => out.push(format!(
            "ALTER COLUMN {col} ADD GENERATED {} AS IDENTITY{}",
            if id.always { "ALWAYS" } else { "BY DEFAULT" },
            identity_options(id)
        )),
        (Some(a), Some(b)) if a != b => {
            let mut s = format!("ALTER COLUMN {col}");
            if a.always != b.always {
                s.push_str(if b.always {
                    " SET GENERATED ALWAYS"
                } else {
                    " SET GENERATED BY DEFAULT"
                });
            }
            // The sequence options change in a statement of their own
            // (`identity_options_change`).
            if a.always != b.always {
                out.push(s);
            }
        }
        _ => {}
    }
    out
}

/// The statement that changes an identity column's sequence options from `from` to `to`, or
/// `None` when they are equal. Every option is set at once (PostgreSQL checks them together, so
/// a new START beyond the old MAXVALUE, or a change of direction, whose default bounds and START
/// flip, never trips over an old value). The sequence's current value must lie within the new
/// bounds: when the sequence was never used, or its last value lies before the new range (so
/// every value it handed out is outside it), it restarts at the new START; otherwise it goes on
/// from where it is. Decided at run time, so the statement is a `DO` block.
pub fn identity_options_change(
    table: &QualifiedName,
    column: &str,
    from: &Identity,
    to: &Identity,
) -> Option<String> {
    let same = Identity {
        always: to.always,
        ..from.clone()
    } == *to;
    if same {
        return None;
    }
    let mut alter = format!(
        "ALTER TABLE {} ALTER COLUMN {} SET INCREMENT BY {}",
        qualified(table),
        ident(column),
        to.increment
    );
    match to.min_value {
        Some(v) => alter.push_str(&format!(" SET MINVALUE {v}")),
        None => alter.push_str(" SET NO MINVALUE"),
    }
    match to.max_value {
        Some(v) => alter.push_str(&format!(" SET MAXVALUE {v}")),
        None => alter.push_str(" SET NO MAXVALUE"),
    }
    alter.push_str(&format!(" SET START WITH {}", to.start));
    alter.push_str(&format!(" SET CACHE {}", to.cache));
    alter.push_str(if to.cycle {
        " SET CYCLE"
    } else {
        " SET NO CYCLE"
    });
    let sequence = format!(
        "pg_get_serial_sequence({}, {})",
        literal(&qualified(table)),
        literal(column)
    );
    Some(restart_when_unused(
        &sequence,
        &alter,
        to.increment,
        to.min_value,
        to.max_value,
    ))
}

/// `alter` (an `ALTER …` of a sequence's options, `RESTART` appended when needed) as a `DO`
/// block: the sequence named by the SQL expression `sequence` restarts at its new START when it
/// was never used or when its last value lies before the new range (for an ascending sequence
/// below the new MINVALUE, for a descending one above the new MAXVALUE), so that every value it
/// handed out lies outside the new range and none can repeat. Otherwise it goes on from where
/// it is, and PostgreSQL refuses bounds that exclude its current value.
pub fn restart_when_unused(
    sequence: &str,
    alter: &str,
    increment: i64,
    min: Option<i64>,
    max: Option<i64>,
) -> String {
    let before_range = if increment > 0 {
        format!("lv < {}", min.unwrap_or(1))
    } else {
        format!("lv > {}", max.unwrap_or(-1))
    };
    let body = format!(
        "DECLARE lv bigint; called boolean; BEGIN EXECUTE format('SELECT last_value, is_called FROM %s', {sequence}) INTO lv, called; EXECUTE {} || CASE WHEN NOT called OR {before_range} THEN ' RESTART' ELSE '' END; END",
        literal(alter),
    );
    format!("DO {}", dollar_quoted(&body))
}

/// Back to the type's default storage (PostgreSQL 15 has no `SET STORAGE DEFAULT`): read from
/// the column's type at run time.
pub fn reset_storage(table: &QualifiedName, column: &str) -> String {
    let body = format!(
        "BEGIN EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET STORAGE %s', {}, {}, (SELECT CASE t.typstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL' WHEN 'm' THEN 'MAIN' ELSE 'EXTENDED' END FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = {}::regclass AND a.attname = {})); END",
        literal(&qualified(table)),
        literal(column),
        literal(&qualified(table)),
        literal(column),
    );
    format!("DO {}", dollar_quoted(&body))
}

/// `ALTER TABLE … ALTER COLUMN … SET STORAGE / SET STATISTICS` for a new column (CREATE TABLE
/// and ADD COLUMN cannot say them on PostgreSQL 15).
pub fn column_settings(table: &QualifiedName, c: &Column) -> Vec<String> {
    let mut clauses = Vec::new();
    if let Some(s) = c.storage {
        clauses.push(format!(
            "ALTER COLUMN {} SET STORAGE {}",
            ident(&c.name),
            s.sql()
        ));
    }
    if let Some(n) = c.statistics {
        clauses.push(format!(
            "ALTER COLUMN {} SET STATISTICS {n}",
            ident(&c.name)
        ));
    }
    if clauses.is_empty() {
        Vec::new()
    } else {
        vec![alter_table(table, &clauses)]
    }
}

/// `$tag$body$tag$` with a tag that does not occur in `body`.
pub fn dollar_quoted(body: &str) -> String {
    let mut tag = "strata".to_string();
    let mut n = 0;
    while body.contains(&format!("${tag}$")) {
        n += 1;
        tag = format!("strata{n}");
    }
    format!("${tag}$ {body} ${tag}$")
}

/// The `USING` expression of `ALTER COLUMN … TYPE` over `value` (the column, or a probe value),
/// when the type change needs one.
fn using_expr(value: &str, from: &Column, to: &Column) -> Option<String> {
    if !needs_using(&from.ty, &to.ty) {
        return None;
    }
    let target = types::storage_sql(&to.ty);
    // Enums and other user types have no casts between each other: go through text.
    let via_text = matches!(from.ty.storage(), crate::model::DataType::Named(_))
        || matches!(from.ty.storage(), crate::model::DataType::Array(_));
    Some(if via_text {
        format!("{value}::text::{target}")
    } else {
        format!("{value}::{target}")
    })
}

/// A query that fails exactly when PostgreSQL has no conversion for the `USING` expression
/// that turning `from` into `to` would use (`cannot cast type bigint to timestamp…`). Planning
/// runs it so that such a change is refused before apply. `None` when no cast is needed.
pub fn conversion_probe(from: &Column, to: &Column) -> Option<String> {
    if from.ty.storage() == to.ty.storage() {
        return None;
    }
    let value = format!("NULL::{}", types::storage_sql(&from.ty));
    using_expr(&value, from, to).map(|e| format!("SELECT {e}"))
}

/// Whether `ALTER COLUMN … TYPE` needs an explicit `USING` cast.
pub fn needs_using(from: &crate::model::DataType, to: &crate::model::DataType) -> bool {
    let (a, b) = (types::category(from), types::category(to));
    a != b || a == "other"
}

/// A statement that runs `sql_template` with `%s` replaced by the owned sequence of a serial
/// column, found at run time (its name is not part of the model).
pub fn with_serial_sequence(table: &QualifiedName, column: &str, sql_template: &str) -> String {
    let body = format!(
        "BEGIN EXECUTE format({}, pg_get_serial_sequence({}, {})); END",
        literal(sql_template),
        literal(&qualified(table)),
        literal(column)
    );
    format!("DO {}", dollar_quoted(&body))
}

/// Creates the sequence of a column that becomes serial and attaches it as the default.
pub fn make_serial(
    table: &QualifiedName,
    column: &str,
    seq_name: &str,
    int_type: &str,
) -> Vec<String> {
    let seq = qualified_parts(&table.schema, seq_name);
    vec![
        format!(
            "CREATE SEQUENCE {seq} AS {int_type} OWNED BY {}.{}",
            qualified(table),
            ident(column)
        ),
        format!(
            "SELECT setval({}, COALESCE(max({}), 0) + 1, false) FROM {}",
            literal(&seq),
            ident(column),
            qualified(table)
        ),
        alter_table(
            table,
            &[format!(
                "ALTER COLUMN {} SET DEFAULT nextval({}::regclass)",
                ident(column),
                literal(&seq)
            )],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollar_tags_never_occur_in_the_body() {
        assert_eq!(dollar_quoted("SELECT 1"), "$strata$ SELECT 1 $strata$");
        let body = "SELECT '$strata$', '$strata1$'";
        let q = dollar_quoted(body);
        assert!(q.starts_with("$strata2$ "), "{q}");
        assert!(q.ends_with(" $strata2$"), "{q}");
    }
}
