//! PG306: a foreign key is validated while writes are blocked.

use crate::diff::TableChange;
use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "PG306",
    category: Category::Lock,
    title: "adds a foreign key validated while both tables are locked against writes",
    explain: "Adding a foreign key takes SHARE ROW EXCLUSIVE locks on both tables and scans \
the referencing table: writes to either table wait. Online mode adds it `NOT VALID` and \
validates it afterwards with a weaker lock.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::AlterTable {
            table,
            change: TableChange::AddForeignKey(fk),
            online: false,
        } => Some(format!(
            "validates foreign key \"{}\" while writes to \"{}\" and \"{}\" wait",
            fk.name,
            qname(&table.qualified()),
            qname(&fk.ref_table)
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
    fn flags_in_place_foreign_keys_only() {
        assert!(has(&alter(TableChange::AddForeignKey(fk())), "PG306"));
        assert!(!has(
            &alter_online(TableChange::AddForeignKey(fk())),
            "PG306"
        ));
    }
}
