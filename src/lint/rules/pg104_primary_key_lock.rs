//! PG104: a primary key is added to an existing table in place.

use crate::diff::TableChange;
use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "PG104",
    category: Category::Lock,
    title: "adds a primary key to an existing table under an exclusive lock",
    explain: "`ADD PRIMARY KEY` builds its index while holding an ACCESS EXCLUSIVE lock: no \
query can even read the table until the build ends. Online mode builds the unique index \
concurrently first and then attaches it with `ADD CONSTRAINT … PRIMARY KEY USING INDEX`, \
which only takes the lock for an instant.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::AlterTable {
            table,
            change: TableChange::AddPrimaryKey(pk),
            online: false,
        } => Some(format!(
            "builds primary key \"{}\" while \"{}\" is locked against reads and writes",
            pk.name,
            qname(&table.qualified())
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::diff::TableChange;
    use crate::model::{Deferrable, PrimaryKey};

    #[test]
    fn flags_in_place_primary_keys() {
        let pk = PrimaryKey {
            name: "users_pkey".into(),
            columns: vec!["id".into()],
            include: vec![],
            deferrable: Deferrable::NotDeferrable,
            comment: None,
        };
        assert!(has(&alter(TableChange::AddPrimaryKey(pk.clone())), "PG104"));
        assert!(!has(&alter_online(TableChange::AddPrimaryKey(pk)), "PG104"));
    }
}
