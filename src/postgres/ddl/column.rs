//! Columns: definitions, identity, `ALTER COLUMN` (type changes with `USING`, defaults, storage),
//! serial sequences.

use super::*;

/// A column definition as used in `CREATE TABLE` and `ADD COLUMN`.
pub(crate) fn column_def(c: &Column) -> String {
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

pub(super) fn identity_options(id: &Identity) -> String {
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

// ALTER TABLE clauses.
pub(crate) fn add_column(c: &Column) -> String {
    format!("ADD COLUMN {}", column_def(c))
}

pub(crate) fn drop_column(name: &str) -> String {
    format!("DROP COLUMN {}", ident(name))
}

pub(crate) fn rename_column(q: &QualifiedName, from: &str, to: &str) -> String {
    format!(
        "ALTER TABLE {} RENAME COLUMN {} TO {}",
        qualified(q),
        ident(from),
        ident(to)
    )
}

/// The `ALTER COLUMN c DROP DEFAULT` clause.
pub(crate) fn drop_default(column: &str) -> String {
    format!("ALTER COLUMN {} DROP DEFAULT", ident(column))
}

/// The `ALTER COLUMN c SET DEFAULT expr` clause; `expr` as PostgreSQL stores it.
pub(crate) fn set_default(column: &str, expr: &str) -> String {
    format!("ALTER COLUMN {} SET DEFAULT {expr}", ident(column))
}

/// The `ALTER COLUMN c SET NOT NULL` clause.
pub(crate) fn set_not_null(column: &str) -> String {
    format!("ALTER COLUMN {} SET NOT NULL", ident(column))
}

/// `ALTER COLUMN` clauses turning `from` into `to` (type, nullability, default, identity,
/// collation, dropping a generation expression). A serial column that stops being serial has
/// its `nextval` default dropped (the model holds no default for a serial column). The serial
/// sequence itself and generated-expression changes are handled by the planner.
pub(crate) fn alter_column(from: &Column, to: &Column) -> Vec<String> {
    let col = ident(&to.name);
    let mut out = Vec::new();
    let type_changed = from.ty.storage() != to.ty.storage() || from.collation != to.collation;
    if from.generated.is_some() && to.generated.is_none() {
        out.push(format!("ALTER COLUMN {col} DROP EXPRESSION"));
    }
    if from.identity.is_some() && to.identity.is_none() {
        out.push(format!("ALTER COLUMN {col} DROP IDENTITY"));
    }
    let serial_dropped = matches!(from.ty, crate::model::DataType::Serial(_))
        && !matches!(to.ty, crate::model::DataType::Serial(_));
    let default_changed = serial_dropped || from.default != to.default;
    if (serial_dropped || from.default.is_some()) && (default_changed || type_changed) {
        out.push(drop_default(&to.name));
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
        out.push(set_default(&to.name, d));
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
pub(crate) fn identity_options_change(
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
pub(crate) fn restart_when_unused(
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
pub(crate) fn reset_storage(table: &QualifiedName, column: &str) -> String {
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
pub(crate) fn column_settings(table: &QualifiedName, c: &Column) -> Vec<String> {
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
pub(crate) fn dollar_quoted(body: &str) -> String {
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
pub(super) fn using_expr(value: &str, from: &Column, to: &Column) -> Option<String> {
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
pub(crate) fn conversion_probe(from: &Column, to: &Column) -> Option<String> {
    if from.ty.storage() == to.ty.storage() {
        return None;
    }
    let value = format!("NULL::{}", types::storage_sql(&from.ty));
    using_expr(&value, from, to).map(|e| format!("SELECT {e}"))
}

/// Whether `ALTER COLUMN … TYPE` needs an explicit `USING` cast.
pub(crate) fn needs_using(from: &crate::model::DataType, to: &crate::model::DataType) -> bool {
    let (a, b) = (types::category(from), types::category(to));
    a != b || a == "other"
}

/// A statement that runs `sql_template` with `%s` replaced by the owned sequence of a serial
/// column, found at run time (its name is not part of the model).
pub(crate) fn with_serial_sequence(
    table: &QualifiedName,
    column: &str,
    sql_template: &str,
) -> String {
    let body = format!(
        "BEGIN EXECUTE format({}, pg_get_serial_sequence({}, {})); END",
        literal(sql_template),
        literal(&qualified(table)),
        literal(column)
    );
    format!("DO {}", dollar_quoted(&body))
}

/// A serial column's sequence changes its integer type (`smallint`, `integer`, `bigint`).
pub(crate) fn alter_serial_sequence_type(
    table: &QualifiedName,
    column: &str,
    int_type: &str,
) -> String {
    with_serial_sequence(table, column, &format!("ALTER SEQUENCE %s AS {int_type}"))
}

/// Drops the sequence a serial column owns (when the column stops being serial).
pub(crate) fn drop_serial_sequence(table: &QualifiedName, column: &str) -> String {
    with_serial_sequence(table, column, "DROP SEQUENCE %s")
}

/// `ALTER TABLE t ALTER COLUMN c SET DEFAULT nextval('seq'::regclass)`.
fn set_default_nextval(table: &QualifiedName, column: &str, seq: &str) -> String {
    alter_table(
        table,
        &[set_default(
            column,
            &format!("nextval({}::regclass)", literal(seq)),
        )],
    )
}

/// Creates the sequence of a column that becomes serial and attaches it as the default.
pub(crate) fn make_serial(
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
        set_default_nextval(table, column, &seq),
    ]
}

/// A column that becomes serial while a sequence of its serial name exists: the sequence is
/// adopted (type, owner) and attached as the default.
pub(crate) fn adopt_serial_sequence(
    table: &QualifiedName,
    column: &str,
    seq_name: &str,
    int_type: &str,
) -> Vec<String> {
    let seq = qualified_parts(&table.schema, seq_name);
    vec![
        format!(
            "ALTER SEQUENCE {seq} AS {int_type} OWNED BY {}.{}",
            qualified(table),
            ident(column)
        ),
        set_default_nextval(table, column, &seq),
    ]
}
