//! EX101: an extension is updated to another version.

use crate::lint::{Category, Check, Rule, Subject};

pub(crate) const RULE: Rule = Rule {
    code: "EX101",
    category: Category::Compatibility,
    title: "updates an extension to another version",
    explain: "`ALTER EXTENSION … UPDATE` runs the extension's upgrade scripts, which may change \
function signatures or behaviour, rebuild indexes or take long locks. Read the extension's \
release notes and try the update on a copy first (`--rehearse`).",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::UpdateExtension { name, from, to } => Some(format!(
            "updates extension \"{name}\"{}{}",
            from.map(|v| format!(" from {v}")).unwrap_or_default(),
            to.map(|v| format!(" to {v}"))
                .unwrap_or_else(|| " to its default version".into())
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::lint::{Subject, hazards};

    #[test]
    fn flags_updates() {
        let s = Subject::UpdateExtension {
            name: "hstore",
            from: Some("1.7"),
            to: Some("1.8"),
        };
        let h = hazards(&s);
        assert!(has(&h, "EX101"));
        assert!(h[0].message.contains("from 1.7 to 1.8"));
        assert!(!has(
            &hazards(&Subject::DropExtension { name: "x" }),
            "EX101"
        ));
    }
}
