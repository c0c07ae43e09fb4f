//! DS106: an extension is dropped.

use crate::lint::{Category, Check, Rule, Subject};

pub(crate) const RULE: Rule = Rule {
    code: "DS106",
    category: Category::Compatibility,
    title: "drops an extension",
    explain: "Dropping an extension removes the functions, types and operators it provides. \
Columns, indexes or defaults that use them make the drop fail; application queries that call \
them break. Make sure nothing uses the extension any more before removing it from the \
configuration.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::DropExtension { name } => Some(format!(
            "drops extension \"{name}\" and the functions and types it provides"
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::lint::{Subject, hazards};

    #[test]
    fn flags_extension_drops() {
        assert!(has(
            &hazards(&Subject::DropExtension { name: "pg_trgm" }),
            "DS106"
        ));
        let up = Subject::UpdateExtension {
            name: "pg_trgm",
            from: None,
            to: None,
        };
        assert!(!has(&hazards(&up), "DS106"));
    }
}
