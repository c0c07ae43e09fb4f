//! PG302: a new column forces a table rewrite.

use crate::diff::TableChange;
use crate::lint::{Category, Check, Rule, Subject, qname};
use crate::model::{Column, DataType};

pub(crate) const RULE: Rule = Rule {
    code: "PG302",
    category: Category::Lock,
    title: "adds a column whose value must be computed for every row",
    explain: "Since PostgreSQL 11 a column with a constant default is added instantly. A \
volatile default (random(), gen_random_uuid(), clock_timestamp(), nextval() — so also serial \
and identity columns) or a stored generated column makes PostgreSQL rewrite the whole table \
under an ACCESS EXCLUSIVE lock. Add the column without the default, set the default, and \
backfill existing rows in batches.",
    check: Check::Step(check),
};

/// Built-in functions whose value differs per row.
const VOLATILE: &[&str] = &[
    "random",
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "clock_timestamp",
    "timeofday",
    "nextval",
    "txid_current",
    "random_normal",
    "gen_random_bytes",
];

/// Why adding `c` rewrites the table, if it does.
fn rewrite_reason(c: &Column) -> Option<&'static str> {
    if c.generated.is_some() {
        return Some("a stored generated column");
    }
    if c.identity.is_some() || matches!(c.ty, DataType::Serial(_)) {
        return Some("a value drawn from a sequence");
    }
    let d = c.default.as_deref()?.to_ascii_lowercase();
    calls(&d)
        .into_iter()
        .any(|f| VOLATILE.contains(&f))
        .then_some("a volatile default")
}

/// Names of the functions an expression calls.
fn calls(expr: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = expr.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_alphabetic() || bytes[i] == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            if bytes.get(i) == Some(&b'(') {
                out.push(&expr[start..i]);
            }
        } else if bytes[i] == b'\'' {
            // Skip string literals.
            i += 1;
            while i < bytes.len() && bytes[i] != b'\'' {
                i += 1;
            }
            i += 1;
        } else {
            i += 1;
        }
    }
    out
}

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::AlterTable {
            table,
            change: TableChange::AddColumn(c),
            ..
        } => rewrite_reason(c).map(|why| {
            format!(
                "adds \"{}\" with {why}: rewrites \"{}\" under an exclusive lock",
                c.name,
                qname(&table.qualified())
            )
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::calls;
    use crate::diff::TableChange;

    #[test]
    fn flags_volatile_defaults_not_constants() {
        let mut c = col("token", "uuid");
        c.default = Some("gen_random_uuid()".into());
        assert!(has(&alter(TableChange::AddColumn(c.clone())), "PG302"));
        c.default = Some("'x'::text".into());
        assert!(!has(&alter(TableChange::AddColumn(c.clone())), "PG302"));
        c.default = Some("now()".into());
        assert!(!has(&alter(TableChange::AddColumn(c)), "PG302"));
    }

    #[test]
    fn finds_calls_outside_strings() {
        assert_eq!(calls("'random()'::text || f(1)"), vec!["f"]);
    }
}
