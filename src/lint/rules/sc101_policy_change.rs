//! SC101: a row-level security policy changes.

use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "SC101",
    category: Category::Security,
    title: "creates, changes or drops a row-level security policy",
    explain: "Policies decide which rows each role sees and may change. A new or widened \
permissive policy can expose rows; a dropped or narrowed one can make queries return nothing \
or fail. Review the expressions with whoever owns the data's access rules.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::ChangePolicy { table, name } => Some(format!(
            "changes row-level security policy \"{name}\" on \"{}\": rows may become visible or hidden",
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
    fn flags_policy_changes() {
        let t = q("docs");
        let s = Subject::ChangePolicy {
            table: &t,
            name: "owner_only",
        };
        assert!(has(&hazards(&s), "SC101"));
        assert!(!has(&hazards(&Subject::DropSchema { name: "s" }), "SC101"));
    }
}
