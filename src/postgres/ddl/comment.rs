//! `COMMENT ON` for schemas, tables, columns, constraints, indexes and types.

use super::*;

pub(super) fn comment_literal(c: &Option<String>) -> String {
    match c {
        Some(c) => literal(c),
        None => "NULL".to_string(),
    }
}

pub(crate) fn comment_on_schema(name: &str, c: &Option<String>) -> String {
    format!(
        "COMMENT ON SCHEMA {} IS {}",
        ident(name),
        comment_literal(c)
    )
}

pub(crate) fn comment_on_table(q: &QualifiedName, c: &Option<String>) -> String {
    format!(
        "COMMENT ON TABLE {} IS {}",
        qualified(q),
        comment_literal(c)
    )
}

pub(crate) fn comment_on_column(q: &QualifiedName, column: &str, c: &Option<String>) -> String {
    format!(
        "COMMENT ON COLUMN {}.{} IS {}",
        qualified(q),
        ident(column),
        comment_literal(c)
    )
}

pub(crate) fn comment_on_constraint(q: &QualifiedName, name: &str, c: &Option<String>) -> String {
    format!(
        "COMMENT ON CONSTRAINT {} ON {} IS {}",
        ident(name),
        qualified(q),
        comment_literal(c)
    )
}

pub(crate) fn comment_on_index(schema: &str, name: &str, c: &Option<String>) -> String {
    format!(
        "COMMENT ON INDEX {} IS {}",
        qualified_parts(schema, name),
        comment_literal(c)
    )
}

pub(crate) fn comment_on_type(q: &QualifiedName, c: &Option<String>) -> String {
    format!("COMMENT ON TYPE {} IS {}", qualified(q), comment_literal(c))
}
