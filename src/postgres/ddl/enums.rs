//! Enum types.

use super::*;

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
