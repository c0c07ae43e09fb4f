//! DS104: a sequence is dropped.

use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "DS104",
    category: Category::DataLoss,
    title: "drops a sequence",
    explain: "Dropping a sequence loses its current value. Re-creating it starts from the start \
value again, so new rows may collide with existing keys. Keep the sequence, or record its value \
(`SELECT last_value FROM seq`) and restore it with `setval` after re-creating it.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::DropSequence { name } => Some(format!(
            "drops sequence \"{}\" and its current value",
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
    fn flags_sequence_drops() {
        assert!(has(
            &hazards(&Subject::DropSequence { name: &q("s") }),
            "DS104"
        ));
        assert!(!has(&hazards(&Subject::DropSchema { name: "s" }), "DS104"));
    }
}
