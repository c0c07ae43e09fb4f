//! Quoting of identifiers and literals. Every name strata puts into SQL goes through here.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

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
pub(crate) fn qualified(q: &QualifiedName) -> String {
    format!("{}.{}", ident(&q.schema), ident(&q.name))
}

/// `"schema"."name"` from parts.
pub(crate) fn qualified_parts(schema: &str, name: &str) -> String {
    format!("{}.{}", ident(schema), ident(name))
}

/// A comma-separated list of quoted identifiers.
pub(crate) fn ident_list(names: &[String]) -> String {
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
/// lower-case identifiers (`[a-z_][a-z0-9_]*`) or that are keywords other than unreserved ones.
/// Used to reproduce `format_type` spelling.
pub fn ident_if_needed(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain && !is_keyword(name) {
        name.to_string()
    } else {
        ident(name)
    }
}

/// Whether `word` (a plain lower-case identifier) is a keyword `quote_ident` quotes: reserved,
/// type/function-name and column-name keywords, everything but unreserved ones. The answer
/// comes from PostgreSQL's own keyword table, through pg_query's scanner.
fn is_keyword(word: &str) -> bool {
    static SEEN: OnceLock<Mutex<HashMap<String, bool>>> = OnceLock::new();
    let seen = SEEN.get_or_init(Default::default);
    if let Some(known) = seen.lock().ok().and_then(|m| m.get(word).copied()) {
        return known;
    }
    let keyword = scan_keyword(word);
    if let Ok(mut m) = seen.lock() {
        m.insert(word.to_string(), keyword);
    }
    keyword
}

/// Scans `word` as SQL: a keyword that needs quoting is one token covering the whole word whose
/// kind is anything but unreserved.
fn scan_keyword(word: &str) -> bool {
    use pg_query::protobuf::KeywordKind;
    // `scan`, not `scan_tokens`: the latter builds a slice from a null pointer when there is no
    // token at all (an empty word), which aborts.
    if word.is_empty() {
        return false;
    }
    match pg_query::scan(word).as_ref().map(|r| r.tokens.as_slice()) {
        Ok([token]) => {
            token.start == 0
                && usize::try_from(token.end).is_ok_and(|end| end == word.len())
                && !matches!(
                    KeywordKind::try_from(token.keyword_kind),
                    Ok(KeywordKind::NoKeyword | KeywordKind::UnreservedKeyword) | Err(_)
                )
        }
        _ => false,
    }
}

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
        // `$` is not safe for quote_ident, though it may continue an unquoted identifier.
        assert_eq!(ident_if_needed("a$b"), "\"a$b\"");
        assert_eq!(ident_if_needed("_x1"), "_x1");
    }

    #[test]
    fn keywords_come_from_postgresql() {
        // Reserved, type/function-name and column-name keywords are quoted.
        for word in [
            "all", "table", "select", "xmltable", "left", "between", "int", "json",
        ] {
            assert!(is_keyword(word), "{word}");
        }
        // Unreserved keywords and other words are not; a word is asked once, then cached.
        for word in [
            "users", "abort", "text", "name", "zone", "selected", "select1", "",
        ] {
            assert!(!is_keyword(word), "{word}");
            assert!(!is_keyword(word), "{word}");
        }
    }
}
