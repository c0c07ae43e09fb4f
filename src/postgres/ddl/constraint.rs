//! Table constraints: primary keys, uniques, checks, foreign keys; adding, validating, renaming.

use super::*;

/// The SQL spelling of a referential action (`SET NULL`, …).
pub(crate) fn referential_action(a: ReferentialAction) -> &'static str {
    match a {
        ReferentialAction::NoAction => "NO ACTION",
        ReferentialAction::Restrict => "RESTRICT",
        ReferentialAction::Cascade => "CASCADE",
        ReferentialAction::SetNull => "SET NULL",
        ReferentialAction::SetDefault => "SET DEFAULT",
    }
}

/// ` ON UPDATE …` / ` ON DELETE …`, empty for the default `NO ACTION`.
pub(super) fn action_clause(kw: &str, a: ReferentialAction) -> String {
    if a == ReferentialAction::NoAction {
        String::new()
    } else {
        format!(" ON {kw} {}", referential_action(a))
    }
}

pub(crate) fn primary_key_def(pk: &PrimaryKey) -> String {
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

pub(crate) fn unique_def(u: &Unique) -> String {
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
pub(crate) fn check_def(c: &Check) -> String {
    let no_inherit = if c.no_inherit { " NO INHERIT" } else { "" };
    match &c.name {
        Some(n) => format!("CONSTRAINT {} CHECK ({}){no_inherit}", ident(n), c.expr),
        None => format!("CHECK ({}){no_inherit}", c.expr),
    }
}

/// `ADD <def>`, with ` NOT VALID` when the declared constraint is not valid.
pub(crate) fn add_constraint_as_declared(def: String, not_valid: bool) -> String {
    if not_valid {
        format!("ADD {def} NOT VALID")
    } else {
        format!("ADD {def}")
    }
}

pub(crate) fn foreign_key_def(fk: &ForeignKey) -> String {
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

pub(crate) fn rename_constraint(q: &QualifiedName, from: &str, to: &str) -> String {
    format!(
        "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
        qualified(q),
        ident(from),
        ident(to)
    )
}

/// `ALTER TABLE … VALIDATE CONSTRAINT …`: checks a `NOT VALID` constraint against existing rows
/// while reads and writes go on.
pub(crate) fn validate_constraint(t: &QualifiedName, name: &str) -> String {
    format!("ALTER TABLE {} {}", qualified(t), validate_clause(name))
}

/// The `VALIDATE CONSTRAINT name` clause of `ALTER TABLE`.
pub(crate) fn validate_clause(name: &str) -> String {
    format!("VALIDATE CONSTRAINT {}", ident(name))
}

/// `ADD CONSTRAINT name {UNIQUE | PRIMARY KEY} USING INDEX index`: turns an index (built
/// concurrently, or already there) into a constraint; the index takes the constraint's name.
pub(crate) fn add_constraint_using_index(
    kind: &str,
    name: &str,
    index: &str,
    deferrable: &str,
) -> String {
    format!(
        "ADD CONSTRAINT {} {kind} USING INDEX {}{deferrable}",
        ident(name),
        ident(index)
    )
}

/// `ADD CONSTRAINT name CHECK (column IS NOT NULL) NOT VALID`: the check online mode validates
/// before `SET NOT NULL`, so that setting it needs no scan under the lock.
pub(crate) fn add_not_null_check(name: &str, column: &str) -> String {
    format!(
        "ADD CONSTRAINT {} CHECK ({} IS NOT NULL) NOT VALID",
        ident(name),
        ident(column)
    )
}

pub(crate) fn add_constraint(def: String) -> String {
    format!("ADD {def}")
}

pub(crate) fn drop_constraint(name: &str) -> String {
    format!("DROP CONSTRAINT {}", ident(name))
}
