//! DS107: a field of a composite type is dropped.

use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "DS107",
    category: Category::DataLoss,
    title: "drops a field of a composite type",
    explain: "`ALTER TYPE … DROP ATTRIBUTE` removes the field from every value of the type: \
columns of that type lose the field's data in every row, and nothing can bring it back. Copy \
the data out first (for example into a column of its own), or keep the field.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::DropCompositeField { name, field } => Some(format!(
            "drops field \"{field}\" of composite type \"{}\" and its data in every column of that type",
            qname(name)
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::lint::{Subject, hazards};

    #[test]
    fn flags_dropped_fields() {
        assert!(has(
            &hazards(&Subject::DropCompositeField {
                name: &q("c"),
                field: "b"
            }),
            "DS107"
        ));
        assert!(!has(
            &hazards(&Subject::DropSequence { name: &q("s") }),
            "DS107"
        ));
    }
}
