//! PG301: a column type change rewrites the table.

use super::dt101_lossy_type_change::is_binary_coercible;
use crate::diff::TableChange;
use crate::lint::{Category, Check, Rule, Subject, qname};
use crate::postgres::types;

pub(crate) const RULE: Rule = Rule {
    code: "PG301",
    category: Category::Lock,
    title: "changes a column type in a way that rewrites the table",
    explain: "Most type changes rewrite the whole table and rebuild its indexes under an \
ACCESS EXCLUSIVE lock: nothing can read or write the table meanwhile. Longer varchar, varchar \
to text and wider numeric precision are metadata-only and not flagged. For large tables, add a \
new column, backfill it in batches, and switch over.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    let Subject::AlterTable {
        table,
        change: TableChange::AlterColumn { from, to },
        ..
    } = s
    else {
        return None;
    };
    let (a, b) = (from.ty.storage(), to.ty.storage());
    if a == b || is_binary_coercible(&a, &b) {
        return None;
    }
    Some(format!(
        "changes \"{}\" from {} to {}: rewrites \"{}\" under an exclusive lock",
        to.name,
        types::display(&a),
        types::display(&b),
        qname(&table.qualified())
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::diff::TableChange;

    fn change(from: &str, to: &str) -> TableChange {
        TableChange::AlterColumn {
            from: col("n", from),
            to: col("n", to),
        }
    }

    #[test]
    fn flags_rewrites_not_metadata_changes() {
        assert!(has(&alter(change("integer", "bigint")), "PG301"));
        assert!(!has(
            &alter(change("character varying(10)", "character varying(20)")),
            "PG301"
        ));
        assert!(!has(
            &alter(change("character varying(10)", "text")),
            "PG301"
        ));
    }
}
