//! SC103: row-level security is enabled or forced.

use crate::diff::TableChange;
use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "SC103",
    category: Category::Security,
    title: "enables or forces row-level security",
    explain: "Once row-level security is on, roles that no policy lets through see no rows at \
all (and writes fail), which can look like data loss to the application. Create the policies \
in the same plan and check every role the application uses is covered.",
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
        } if (*enabled && !was_enabled) || (*forced && !was_forced) => Some(format!(
            "enables row-level security on \"{}\": roles without a matching policy see no rows",
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
    fn flags_enabling_only() {
        let on = TableChange::SetRowSecurity {
            enabled: true,
            forced: false,
            was_enabled: false,
            was_forced: false,
        };
        assert!(has(&alter(on), "SC103"));
        let off = TableChange::SetRowSecurity {
            enabled: false,
            forced: false,
            was_enabled: true,
            was_forced: false,
        };
        assert!(!has(&alter(off), "SC103"));
    }
}
