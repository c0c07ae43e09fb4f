//! BC105: a column running code may still use is dropped.

use crate::diff::TableChange;
use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "BC105",
    category: Category::Compatibility,
    title: "drops a column running code may still use",
    explain: "Application code deployed before the change still names the column in SELECT \
lists and INSERTs, and fails once it is gone. Deploy code that no longer uses the column first \
(expand/contract), then drop it.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::AlterTable {
            table,
            change: TableChange::DropColumn(c),
            ..
        } => Some(format!(
            "drops column \"{}\" of \"{}\": running code that selects or writes it breaks",
            c.name,
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
    fn flags_column_drops() {
        assert!(has(
            &alter(TableChange::DropColumn(col("email", "text"))),
            "BC105"
        ));
        assert!(!has(
            &alter(TableChange::AddColumn(col("email", "text"))),
            "BC105"
        ));
    }
}
