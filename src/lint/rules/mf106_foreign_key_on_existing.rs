//! MF106: a foreign key is added to an existing table.

use crate::diff::TableChange;
use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "MF106",
    category: Category::MayFail,
    title: "adds a foreign key to an existing table",
    explain: "PostgreSQL checks every existing row against the referenced table; one orphan \
row fails the apply. Find orphans first with an anti-join (`SELECT … FROM t LEFT JOIN r ON … \
WHERE r.id IS NULL AND t.ref IS NOT NULL`) and fix or delete them.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::AlterTable {
            table,
            change: TableChange::AddForeignKey(fk),
            ..
        } => Some(format!(
            "adds foreign key \"{}\" on \"{}\": fails if existing rows have no match in \"{}\"",
            fk.name,
            qname(&table.qualified()),
            qname(&fk.ref_table)
        )),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) fn fk() -> crate::model::ForeignKey {
    crate::model::ForeignKey {
        name: "users_org_fk".into(),
        columns: vec!["org_id".into()],
        ref_table: crate::model::QualifiedName::new("public", "orgs"),
        ref_columns: vec!["id".into()],
        on_update: Default::default(),
        on_delete: Default::default(),
        deferrable: crate::model::Deferrable::NotDeferrable,
        comment: None,
        not_valid: false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::fk;
    use crate::diff::TableChange;

    #[test]
    fn flags_added_foreign_keys() {
        assert!(has(&alter(TableChange::AddForeignKey(fk())), "MF106"));
        assert!(!has(&alter(TableChange::DropForeignKey(fk())), "MF106"));
    }
}
