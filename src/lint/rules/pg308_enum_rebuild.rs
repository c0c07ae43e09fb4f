//! PG308: an enum is rebuilt and the columns using it rewritten.

use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "PG308",
    category: Category::Lock,
    title: "rebuilds an enum and rewrites the columns that use it",
    explain: "Removing or reordering enum values cannot be done in place: strata creates a new \
type, converts every column that uses the enum (a rewrite of each table under an exclusive \
lock) and drops the old type. Appending values (`ALTER TYPE … ADD VALUE`) is instant; prefer it.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::RebuildEnum { name, .. } => Some(format!(
            "rebuilds enum \"{}\": every column using it is rewritten under an exclusive lock",
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
    fn flags_rebuilds() {
        let n = q("mood");
        assert!(has(
            &hazards(&Subject::RebuildEnum {
                name: &n,
                removed: &[]
            }),
            "PG308"
        ));
        assert!(!has(&hazards(&Subject::DropSequence { name: &n }), "PG308"));
    }
}
