//! MF105: a CHECK constraint is added to an existing table.

use crate::diff::TableChange;
use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "MF105",
    category: Category::MayFail,
    title: "adds a check constraint to an existing table",
    explain: "PostgreSQL validates a new CHECK against every existing row; one violating row \
fails the apply. Query for violations first (`SELECT … WHERE NOT (expr)`) and fix them in a \
data migration.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::AlterTable {
            table,
            change: TableChange::AddCheck(c),
            ..
        } => Some(format!(
            "adds check {}on \"{}\": fails if existing rows violate it",
            c.name
                .as_deref()
                .map(|n| format!("\"{n}\" "))
                .unwrap_or_default(),
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
    fn flags_added_checks_not_dropped_ones() {
        let c = Check {
            name: Some("positive".into()),
            expr: "(id > 0)".into(),
            comment: None,
            not_valid: false,
            no_inherit: false,
        };
        assert!(has(&alter(TableChange::AddCheck(c.clone())), "MF105"));
        assert!(!has(&alter(TableChange::DropCheck(c)), "MF105"));
    }
}
