//! BC101: a table is renamed.

use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "BC101",
    category: Category::Compatibility,
    title: "renames a table",
    explain: "Application code still running during the deploy queries the old name and \
fails until it is replaced. Rows are kept. For zero downtime, rename in two deploys: create a \
view with the old name (or have the code accept both), switch the code, then drop the view.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::RenameTable { from, to } => Some(format!(
            "renames table \"{}\" to \"{}\": running code that uses the old name breaks",
            qname(from),
            qname(to)
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::lint::{Subject, hazards};

    #[test]
    fn flags_table_renames() {
        let (a, b) = (q("users"), q("people"));
        assert!(has(
            &hazards(&Subject::RenameTable { from: &a, to: &b }),
            "BC101"
        ));
        assert!(!has(&hazards(&Subject::DropSequence { name: &a }), "BC101"));
    }
}
