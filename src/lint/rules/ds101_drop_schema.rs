//! DS101: a schema is dropped.

use crate::lint::{Category, Check, Rule, Subject};

pub(crate) const RULE: Rule = Rule {
    code: "DS101",
    category: Category::DataLoss,
    title: "drops a schema",
    explain: "Dropping a schema drops every table, view, function and type in it, with all their \
rows. There is no undo short of a backup. If the schema is really unused, drop its objects \
one plan at a time first, so each loss is reviewed, or allow DS101 explicitly for this apply.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::DropSchema { name } => {
            Some(format!("drops schema \"{name}\" and everything in it"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::lint::{Subject, hazards};

    #[test]
    fn flags_schema_drops_only() {
        assert!(has(
            &hazards(&Subject::DropSchema { name: "billing" }),
            "DS101"
        ));
        assert!(!has(
            &hazards(&Subject::DropExtension { name: "x" }),
            "DS101"
        ));
    }
}
