//! PG305: a CHECK is validated while writes are blocked.

use crate::diff::TableChange;
use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "PG305",
    category: Category::Lock,
    title: "adds a check constraint validated under an exclusive lock",
    explain: "Adding a CHECK scans the whole table while holding an ACCESS EXCLUSIVE lock. \
Online mode adds it `NOT VALID` (instant) and runs `VALIDATE CONSTRAINT` afterwards, which \
only takes a SHARE UPDATE EXCLUSIVE lock and lets reads and writes continue.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        // Online mode validates named checks later; an unnamed one is still added in place.
        Subject::AlterTable {
            table,
            change: TableChange::AddCheck(c),
            online,
        } if !online || c.name.is_none() => Some(format!(
            "validates the check by scanning \"{}\" under an exclusive lock",
            qname(&table.qualified())
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::diff::TableChange;
    use crate::model::Check;

    #[test]
    fn flags_in_place_checks_only() {
        let c = Check {
            name: Some("positive".into()),
            expr: "(id > 0)".into(),
            comment: None,
            not_valid: false,
            no_inherit: false,
        };
        assert!(has(&alter(TableChange::AddCheck(c.clone())), "PG305"));
        assert!(!has(&alter_online(TableChange::AddCheck(c)), "PG305"));
    }
}
