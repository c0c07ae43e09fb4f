//! PG105: a unique constraint is added to an existing table in place.

use crate::diff::TableChange;
use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "PG105",
    category: Category::Lock,
    title: "adds a unique constraint to an existing table under an exclusive lock",
    explain: "`ADD CONSTRAINT … UNIQUE` builds its index while holding an ACCESS EXCLUSIVE \
lock. Online mode builds the unique index concurrently and attaches it with `ADD CONSTRAINT … \
UNIQUE USING INDEX`.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::AlterTable {
            table,
            change: TableChange::AddUnique(u),
            online: false,
        } => Some(format!(
            "builds unique constraint \"{}\" while \"{}\" is locked against reads and writes",
            u.name,
            qname(&table.qualified())
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::diff::TableChange;
    use crate::model::{Deferrable, Unique};

    #[test]
    fn flags_in_place_unique_constraints() {
        let u = Unique {
            name: "users_email_key".into(),
            columns: vec!["email".into()],
            include: vec![],
            nulls_distinct: true,
            deferrable: Deferrable::NotDeferrable,
            comment: None,
        };
        assert!(has(&alter(TableChange::AddUnique(u.clone())), "PG105"));
        assert!(!has(&alter_online(TableChange::AddUnique(u)), "PG105"));
    }
}
