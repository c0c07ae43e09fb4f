//! Enum types.

use super::*;

pub(crate) fn create_enum(e: &Enum) -> String {
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

pub(crate) fn drop_enum(q: &QualifiedName) -> String {
    format!("DROP TYPE {}", qualified(q))
}

pub(crate) fn add_enum_value(q: &QualifiedName, add: &EnumValueAdd) -> String {
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

/// The `ALTER COLUMN` clauses that move a column from a renamed-away enum type to its rebuilt
/// version `to.ty` (through text): the default is dropped first and set again after.
pub(crate) fn convert_enum_column(from: &Column, to: &Column) -> Vec<String> {
    let name = ident(&from.name);
    let target = types::storage_sql(&to.ty);
    let cast = if matches!(to.ty, crate::model::DataType::Array(_)) {
        "text[]"
    } else {
        "text"
    };
    let mut clauses = Vec::new();
    if from.default.is_some() {
        clauses.push(drop_default(&from.name));
    }
    clauses.push(format!(
        "ALTER COLUMN {name} TYPE {target} USING {name}::{cast}::{target}"
    ));
    if let Some(d) = &to.default {
        clauses.push(set_default(&from.name, d));
    }
    clauses
}
