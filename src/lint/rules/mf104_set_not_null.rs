//! MF104: an existing column becomes NOT NULL.

use crate::diff::TableChange;
use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "MF104",
    category: Category::MayFail,
    title: "makes an existing column NOT NULL",
    explain: "`SET NOT NULL` fails when a row holds NULL in the column, and application code \
that still writes NULL starts failing. Backfill the NULLs first (`UPDATE t SET c = … WHERE c \
IS NULL`) and deploy code that always writes a value.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::AlterTable {
            table,
            change: TableChange::AlterColumn { from, to },
            ..
        } if from.nullable && !to.nullable => Some(format!(
            "sets \"{}\" of \"{}\" NOT NULL: fails if it holds NULLs",
            to.name,
            qname(&table.qualified())
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::diff::TableChange;

    #[test]
    fn flags_nullable_to_not_null() {
        let mut from = col("email", "text");
        from.nullable = true;
        let to = col("email", "text");
        let h = alter(TableChange::AlterColumn {
            from: from.clone(),
            to: to.clone(),
        });
        assert!(has(&h, "MF104"));
        let h = alter(TableChange::AlterColumn { from: to, to: from });
        assert!(!has(&h, "MF104"));
    }
}
