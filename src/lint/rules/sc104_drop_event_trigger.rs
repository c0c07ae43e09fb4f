//! SC104: an event trigger is dropped.

use crate::lint::{Category, Check, Rule, Subject};

pub(crate) const RULE: Rule = Rule {
    code: "SC104",
    category: Category::Security,
    title: "drops an event trigger",
    explain: "Event triggers watch DDL across the whole database: they audit schema changes, \
block forbidden commands or keep derived objects in step. Once dropped, the commands they \
guarded run unchecked and unrecorded. An event trigger has no schema of its own; strata \
manages one whose function lives in a managed schema, so removing its block (or its function's) \
from the configuration drops it. Declare it to keep it, or make sure nothing relies on it.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::DropEventTrigger { name } => Some(format!(
            "drops event trigger \"{name}\": the DDL it watched runs unchecked from now on"
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::lint::{Subject, hazards};

    #[test]
    fn flags_event_trigger_drops() {
        assert!(has(
            &hazards(&Subject::DropEventTrigger { name: "audit_ddl" }),
            "SC104"
        ));
        assert!(!has(
            &hazards(&Subject::DropExtension { name: "pg_trgm" }),
            "SC104"
        ));
    }
}
