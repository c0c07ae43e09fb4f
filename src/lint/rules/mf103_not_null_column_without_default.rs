//! MF103: a NOT NULL column without a default is added to an existing table.

use crate::diff::TableChange;
use crate::lint::{Category, Check, Rule, Subject, qname};
use crate::model::DataType;

pub(crate) const RULE: Rule = Rule {
    code: "MF103",
    category: Category::MayFail,
    title: "adds a NOT NULL column without a default to an existing table",
    explain: "Existing rows get NULL in a new column; with NOT NULL and no default the ALTER \
fails as soon as the table has a row, and old application code that inserts without the \
column fails too. Give the column a default (a constant default is instant on PostgreSQL 11 \
and later), or add it nullable, backfill, then set NOT NULL.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::AlterTable {
            table,
            change: TableChange::AddColumn(c),
            ..
        } if !c.nullable
            && c.default.is_none()
            && c.identity.is_none()
            && c.generated.is_none()
            && !matches!(c.ty, DataType::Serial(_)) =>
        {
            Some(format!(
                "adds NOT NULL column \"{}\" without a default: fails if \"{}\" has rows",
                c.name,
                qname(&table.qualified())
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::diff::TableChange;

    #[test]
    fn flags_required_columns_without_default() {
        assert!(has(
            &alter(TableChange::AddColumn(col("age", "integer"))),
            "MF103"
        ));
        let mut with_default = col("age", "integer");
        with_default.default = Some("0".into());
        assert!(!has(&alter(TableChange::AddColumn(with_default)), "MF103"));
        let mut nullable = col("age", "integer");
        nullable.nullable = true;
        assert!(!has(&alter(TableChange::AddColumn(nullable)), "MF103"));
    }
}
