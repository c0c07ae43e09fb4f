//! CD101: a foreign key is dropped.

use crate::diff::TableChange;
use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "CD101",
    category: Category::Compatibility,
    title: "drops a foreign key",
    explain: "Without the foreign key the database no longer prevents orphan rows, and ON \
DELETE CASCADE/SET NULL behaviour that code may rely on is gone. Foreign keys dropped only to \
be re-created around a key change are still flagged: check the re-created one matches.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::AlterTable {
            table,
            change: TableChange::DropForeignKey(fk),
            ..
        } => Some(format!(
            "drops foreign key \"{}\" of \"{}\": orphan rows are no longer prevented",
            fk.name,
            qname(&table.qualified())
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::mf106_foreign_key_on_existing::fk;
    use super::super::testing::*;
    use crate::diff::TableChange;

    #[test]
    fn flags_dropped_foreign_keys() {
        assert!(has(&alter(TableChange::DropForeignKey(fk())), "CD101"));
        assert!(!has(&alter(TableChange::AddForeignKey(fk())), "CD101"));
    }
}
