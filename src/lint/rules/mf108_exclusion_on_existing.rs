//! MF108: an exclusion constraint is added to an existing table.

use crate::diff::TableChange;
use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "MF108",
    category: Category::MayFail,
    title: "adds an exclusion constraint to an existing table",
    explain: "An exclusion constraint builds an index and checks every pair of existing rows; \
conflicting rows fail the apply, and the table is locked against writes while the index \
builds. Find conflicts first with a self-join using the constraint's operators.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::AlterTable {
            table,
            change: TableChange::AddExclude(x),
            ..
        } => Some(format!(
            "adds exclusion constraint \"{}\" on \"{}\": fails if existing rows conflict",
            x.name,
            qname(&table.qualified())
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::diff::TableChange;

    use crate::model::{Deferrable, Exclude, IndexKey};

    #[test]
    fn flags_added_exclusions() {
        let x = Exclude {
            name: "no_overlap".into(),
            method: "gist".into(),
            elements: vec![(IndexKey::Column("during".into()), "&&".into())],
            include: vec![],
            predicate: None,
            deferrable: Deferrable::NotDeferrable,
            comment: None,
        };
        assert!(has(&alter(TableChange::AddExclude(x.clone())), "MF108"));
        assert!(!has(&alter(TableChange::DropExclude(x)), "MF108"));
    }
}
