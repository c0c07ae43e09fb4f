//! PG307: a table switches between LOGGED and UNLOGGED.

use crate::diff::TableChange;
use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "PG307",
    category: Category::Lock,
    title: "switches a table between LOGGED and UNLOGGED",
    explain: "`SET LOGGED` and `SET UNLOGGED` rewrite the whole table under an ACCESS EXCLUSIVE \
lock. An unlogged table is also emptied after a crash and not replicated to standbys.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::AlterTable {
            table,
            change: TableChange::SetLogged { unlogged },
            ..
        } => Some(format!(
            "rewrites \"{}\" as {} under an exclusive lock{}",
            qname(&table.qualified()),
            if *unlogged { "UNLOGGED" } else { "LOGGED" },
            if *unlogged {
                "; its rows are lost on a crash and not replicated"
            } else {
                ""
            }
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::diff::TableChange;

    #[test]
    fn flags_both_directions() {
        assert!(has(
            &alter(TableChange::SetLogged { unlogged: true }),
            "PG307"
        ));
        assert!(has(
            &alter(TableChange::SetLogged { unlogged: false }),
            "PG307"
        ));
        assert!(!has(
            &alter(TableChange::DropColumn(col("x", "text"))),
            "PG307"
        ));
    }
}
