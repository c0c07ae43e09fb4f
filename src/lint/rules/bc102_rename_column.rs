//! BC102: a column is renamed.

use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "BC102",
    category: Category::Compatibility,
    title: "renames a column",
    explain: "Application code still running during the deploy reads and writes the old \
column name and fails until it is replaced. Values are kept. For zero downtime, add the new \
column, write both, backfill, switch reads, then drop the old one.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::RenameColumn { table, from, to } => Some(format!(
            "renames column \"{from}\" of \"{}\" to \"{to}\": running code that uses the old name breaks",
            qname(table)
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::lint::{Subject, hazards};

    #[test]
    fn flags_column_renames() {
        let t = q("users");
        let s = Subject::RenameColumn {
            table: &t,
            from: "name",
            to: "full_name",
        };
        assert!(has(&hazards(&s), "BC102"));
        assert!(!has(&hazards(&Subject::DropSchema { name: "x" }), "BC102"));
    }
}
