//! SC102: row-level security is disabled or no longer forced.

use crate::diff::TableChange;
use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "SC102",
    category: Category::Security,
    title: "disables or stops forcing row-level security",
    explain: "With row-level security disabled, every role that can read the table sees every \
row, whatever the policies say; without FORCE, the table owner bypasses the policies. Make \
sure this is intended.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::AlterTable {
            table,
            change:
                TableChange::SetRowSecurity {
                    enabled,
                    forced,
                    was_enabled,
                    was_forced,
                },
            ..
        } if (!enabled && *was_enabled) || (!forced && *was_forced) => Some(format!(
            "relaxes row-level security on \"{}\": rows the policies restricted become visible",
            qname(&table.qualified())
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::diff::TableChange;

    #[test]
    fn flags_relaxing_only() {
        let off = TableChange::SetRowSecurity {
            enabled: false,
            forced: false,
            was_enabled: true,
            was_forced: false,
        };
        assert!(has(&alter(off), "SC102"));
        let on = TableChange::SetRowSecurity {
            enabled: true,
            forced: false,
            was_enabled: false,
            was_forced: false,
        };
        assert!(!has(&alter(on), "SC102"));
    }
}
