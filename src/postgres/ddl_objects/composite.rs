//! Composite types, and the start of an enum rebuild.

use super::*;

pub(super) fn comp_q(c: &Composite) -> String {
    qualified_parts(&c.schema, &c.name)
}

pub(crate) fn create_composite(c: &Composite) -> Vec<String> {
    let fields: Vec<String> = c
        .fields
        .iter()
        .map(|(n, t)| format!("{} {}{}", ident(n), types::sql(t), collate(c, n)))
        .collect();
    let mut out = vec![format!(
        "CREATE TYPE {} AS ({})",
        comp_q(c),
        fields.join(", ")
    )];
    if c.comment.is_some() {
        out.push(format!(
            "COMMENT ON TYPE {} IS {}",
            comp_q(c),
            comment(&c.comment)
        ));
    }
    out
}

/// ` COLLATE "C"` when field `n` has a collation of its own.
fn collate(c: &Composite, n: &str) -> String {
    c.collation(n)
        .map(|x| format!(" COLLATE {}", ident(x)))
        .unwrap_or_default()
}

pub(crate) fn alter_composite(from: &Composite, to: &Composite) -> Vec<String> {
    let q = comp_q(to);
    let mut clauses = Vec::new();
    for (n, _) in &from.fields {
        if !to.fields.iter().any(|(m, _)| m == n) {
            clauses.push(format!("DROP ATTRIBUTE {}", ident(n)));
        }
    }
    for (n, t) in &to.fields {
        match from.fields.iter().find(|(m, _)| m == n) {
            None => clauses.push(format!(
                "ADD ATTRIBUTE {} {}{}",
                ident(n),
                types::sql(t),
                collate(to, n)
            )),
            Some((_, old)) if old != t || from.collation(n) != to.collation(n) => {
                // Without COLLATE, the new type's default collation applies.
                clauses.push(format!(
                    "ALTER ATTRIBUTE {} TYPE {}{}",
                    ident(n),
                    types::sql(t),
                    collate(to, n)
                ))
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    if !clauses.is_empty() {
        out.push(format!("ALTER TYPE {q} {}", clauses.join(", ")));
    }
    if from.comment != to.comment {
        out.push(format!("COMMENT ON TYPE {q} IS {}", comment(&to.comment)));
    }
    out
}

pub(crate) fn drop_composite(c: &Composite) -> String {
    format!("DROP TYPE {}", comp_q(c))
}

/// Enum rebuild, first half: move the old type aside and create the new one.
pub(crate) fn rebuild_enum_start(e: &Enum, old_name: &str) -> Vec<String> {
    vec![
        format!(
            "ALTER TYPE {} RENAME TO {}",
            qualified_parts(&e.schema, &e.name),
            ident(old_name)
        ),
        format!(
            "CREATE TYPE {} AS ENUM ({})",
            qualified_parts(&e.schema, &e.name),
            e.values
                .iter()
                .map(|v| literal(v))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ]
}
