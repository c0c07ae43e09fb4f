//! PostgreSQL's generated names for constraints and indexes declared without one
//! (`users_pkey`, `users_email_key`, `orders_user_id_fkey`, `users_lower_idx`), reproduced so a
//! block written without a label matches what the database holds.

use crate::model::{IndexKey, IndexPart};

/// Longest identifier PostgreSQL keeps (NAMEDATALEN - 1 bytes).
pub(crate) const MAX_IDENTIFIER_BYTES: usize = 63;

/// `makeObjectName`: `name1[_name2][_label]`, shortening the longer of name1/name2 until the
/// result fits in 63 bytes.
pub(crate) fn make_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let mut n1 = name1.len();
    let mut n2 = name2.map(str::len).unwrap_or(0);
    let overhead = usize::from(name2.is_some()) + label.len() + 1;
    let avail = MAX_IDENTIFIER_BYTES.saturating_sub(overhead);
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let mut out = clip(name1, n1).to_string();
    if let Some(n) = name2 {
        out.push('_');
        out.push_str(clip(n, n2));
    }
    out.push('_');
    out.push_str(label);
    out
}

/// Cuts a string to at most `bytes` bytes on a character boundary.
pub(crate) fn clip(s: &str, bytes: usize) -> &str {
    let mut end = bytes.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn column_addition(columns: &[String]) -> String {
    let mut out = String::new();
    for c in columns {
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(c);
        if out.len() >= MAX_IDENTIFIER_BYTES {
            break;
        }
    }
    out
}

pub(crate) fn primary_key(table: &str) -> String {
    make_object_name(table, None, "pkey")
}

pub(crate) fn unique(table: &str, columns: &[String]) -> String {
    make_object_name(table, Some(&column_addition(columns)), "key")
}

pub(crate) fn foreign_key(table: &str, columns: &[String]) -> String {
    make_object_name(table, Some(&column_addition(columns)), "fkey")
}

pub(crate) fn index(table: &str, parts: &[IndexPart]) -> String {
    let cols: Vec<String> = parts
        .iter()
        .map(|p| match &p.key {
            IndexKey::Column(c) => c.clone(),
            IndexKey::Expr(e) => expression_name(e),
        })
        .collect();
    make_object_name(table, Some(&column_addition(&cols)), "idx")
}

/// The name PostgreSQL gives the index it creates on a partition for an index of the
/// partitioned table (`ChooseIndexName`: key and INCLUDE columns, then `_idx`), before any
/// numeric suffix that avoids a name in use.
pub(crate) fn partition_index(table: &str, parts: &[IndexPart], include: &[String]) -> String {
    let mut cols: Vec<String> = parts
        .iter()
        .map(|p| match &p.key {
            IndexKey::Column(c) => c.clone(),
            IndexKey::Expr(e) => expression_name(e),
        })
        .collect();
    cols.extend(include.iter().cloned());
    make_object_name(table, Some(&column_addition(&cols)), "idx")
}

/// `FigureColname` for an index expression: the function name of a call, else `expr`.
fn expression_name(expr: &str) -> String {
    let e = expr.trim();
    if let Some(open) = e.find('(')
        && e.ends_with(')')
        && let Some(name) = crate::postgres::ident::parse(&e[..open])
    {
        return name;
    }
    "expr".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_names() {
        assert_eq!(primary_key("users"), "users_pkey");
        assert_eq!(unique("users", &["email".into()]), "users_email_key");
        assert_eq!(
            foreign_key("orders", &["user_id".into()]),
            "orders_user_id_fkey"
        );
        assert_eq!(
            index("users", &[IndexPart::column("a"), IndexPart::column("b")]),
            "users_a_b_idx"
        );
        // Expression keys are named after the function they call, as PostgreSQL's lexer reads
        // it: unquoted names fold (ASCII only), quoted ones keep their case.
        let expr = |e: &str| {
            let mut part = IndexPart::column("");
            part.key = IndexKey::Expr(e.into());
            index("t", &[part])
        };
        assert_eq!(expr("lower(email)"), "t_lower_idx");
        assert_eq!(expr("LOWER(email)"), "t_lower_idx");
        assert_eq!(expr("\"Norm\"(email)"), "t_Norm_idx");
        assert_eq!(expr("(a + b)"), "t_expr_idx");
        assert_eq!(expr("public.f(a)"), "t_expr_idx");
        let long = "a".repeat(70);
        assert_eq!(primary_key(&long).len(), 63);
        assert!(primary_key(&long).ends_with("_pkey"));
    }
}
