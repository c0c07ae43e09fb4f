//! Quoting of identifiers and literals. Every name strata puts into SQL goes through here.

use crate::model::QualifiedName;

/// Quotes an identifier unconditionally: `users` → `"users"`, `a"b` → `"a""b"`.
pub fn ident(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for ch in name.chars() {
        if ch == '"' {
            out.push('"');
        }
        out.push(ch);
    }
    out.push('"');
    out
}

/// `"schema"."name"`.
pub fn qualified(q: &QualifiedName) -> String {
    format!("{}.{}", ident(&q.schema), ident(&q.name))
}

/// `"schema"."name"` from parts.
pub fn qualified_parts(schema: &str, name: &str) -> String {
    format!("{}.{}", ident(schema), ident(name))
}

/// A comma-separated list of quoted identifiers.
pub fn ident_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| ident(n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A standard SQL string literal: `it's` → `'it''s'`.
pub fn literal(value: &str) -> String {
    // Like PostgreSQL's quote_literal: with a backslash the literal is an escape string
    // (E'…', backslashes doubled), which means the same under standard_conforming_strings on
    // and off. A plain '…' literal with a backslash would not.
    let escape = value.contains('\\');
    let mut out = String::with_capacity(value.len() + 3);
    if escape {
        out.push('E');
    }
    out.push('\'');
    for ch in value.chars() {
        if ch == '\'' || (escape && ch == '\\') {
            out.push(ch);
        }
        out.push(ch);
    }
    out.push('\'');
    out
}

/// Quotes an identifier only where PostgreSQL's `quote_ident` would: names that are not plain
/// lower-case identifiers or that are reserved words. Used to reproduce `format_type` spelling.
pub fn ident_if_needed(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    if plain && !is_keyword(name) {
        name.to_string()
    } else {
        ident(name)
    }
}

/// PostgreSQL keywords that `quote_ident` quotes (reserved, type/function-name and column-name
/// keywords).
fn is_keyword(word: &str) -> bool {
    KEYWORDS.binary_search(&word).is_ok()
}

const KEYWORDS: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "json",
    "json_array",
    "json_arrayagg",
    "json_object",
    "json_objectagg",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_identifiers() {
        assert_eq!(ident("users"), "\"users\"");
        assert_eq!(ident("we\"ird"), "\"we\"\"ird\"");
        assert_eq!(ident("Ünïcødé name"), "\"Ünïcødé name\"");
    }

    #[test]
    fn quotes_literals() {
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(literal(""), "''");
        // A backslash makes an escape string, the same under either standard_conforming_strings.
        assert_eq!(
            literal(r"\'; DROP TABLE x; --"),
            r"E'\\''; DROP TABLE x; --'"
        );
        assert_eq!(literal(r"a\b"), r"E'a\\b'");
    }

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(ident_if_needed("status"), "status");
        assert_eq!(ident_if_needed("Status"), "\"Status\"");
        assert_eq!(ident_if_needed("user"), "\"user\"");
        assert_eq!(ident_if_needed("my type"), "\"my type\"");
    }

    #[test]
    fn keyword_list_is_sorted() {
        // binary_search needs a sorted list; guard against edits that break it.
        assert!(KEYWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(is_keyword("all") && is_keyword("xmltable") && is_keyword("table"));
        assert!(!is_keyword("users"));
    }
}
