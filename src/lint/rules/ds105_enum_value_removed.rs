//! DS105: values are removed from an enum.

use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "DS105",
    category: Category::DataLoss,
    title: "removes values from an enum",
    explain: "PostgreSQL cannot remove a value from an enum, so strata rebuilds the type: it \
creates the new type, converts every column that uses it through text and drops the old one. \
Rows that still hold a removed value make the conversion fail (nothing is applied), and any \
code that writes the value breaks. Migrate the rows to another value first (an UPDATE in a \
migration), then allow DS105.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::RebuildEnum { name, removed } if !removed.is_empty() => Some(format!(
            "removes {} from enum \"{}\": fails if rows hold them, and writers of them break",
            removed
                .iter()
                .map(|v| format!("'{v}'"))
                .collect::<Vec<_>>()
                .join(", "),
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
    fn flags_removals_not_reorders() {
        let removed = vec!["archived".to_string()];
        let name = q("status");
        let h = hazards(&Subject::RebuildEnum {
            name: &name,
            removed: &removed,
        });
        assert!(has(&h, "DS105"));
        let h = hazards(&Subject::RebuildEnum {
            name: &name,
            removed: &[],
        });
        assert!(!has(&h, "DS105"));
    }
}
