//! Small parsers of catalog text: quoted identifiers, partition keys, top-level splitting.

use super::*;

/// `pg_get_indexdef` prints column keys with `quote_ident`: undo it.
pub(crate) fn unquote_ident(s: &str) -> String {
    crate::postgres::ident::parse(s).unwrap_or_else(|| s.to_string())
}

/// Parses `pg_get_partkeydef` output such as `RANGE (a, ((d + 1)))`.
pub(crate) fn parse_partition_key(def: &str) -> Option<PartitionKey> {
    let (strategy, rest) = def.split_once(' ')?;
    let strategy = match strategy {
        "RANGE" => PartitionStrategy::Range,
        "LIST" => PartitionStrategy::List,
        "HASH" => PartitionStrategy::Hash,
        _ => return None,
    };
    let inner = rest.trim().strip_prefix('(')?.strip_suffix(')')?;
    let parts = split_top_level(inner)
        .into_iter()
        .map(|p| {
            let p = p.trim();
            if let Some(e) = p.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
                IndexKey::Expr(e.to_string())
            } else if p.contains('(') {
                IndexKey::Expr(p.to_string())
            } else {
                IndexKey::Column(unquote_ident(p))
            }
        })
        .collect();
    Some(PartitionKey { strategy, parts })
}

/// Splits on commas that are outside parentheses and quotes.
pub(crate) fn split_top_level(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut cur = String::new();
    for ch in s.chars() {
        match quote {
            Some(q) => {
                if ch == q {
                    quote = None;
                }
                cur.push(ch);
            }
            None => match ch {
                '\'' | '"' => {
                    quote = Some(ch);
                    cur.push(ch);
                }
                '(' | '[' => {
                    depth += 1;
                    cur.push(ch);
                }
                ')' | ']' => {
                    depth -= 1;
                    cur.push(ch);
                }
                ',' if depth == 0 => out.push(std::mem::take(&mut cur)),
                _ => cur.push(ch),
            },
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}
