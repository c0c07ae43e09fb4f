//! BC106: a table running code may still use is dropped.

use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "BC106",
    category: Category::Compatibility,
    title: "drops a table running code may still use",
    explain: "Application code deployed before the change still queries the table and fails \
once it is gone. Deploy code that no longer uses the table first, then drop it.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::DropTable { table } => Some(format!(
            "drops table \"{}\": running code that queries it breaks",
            qname(&table.qualified())
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::lint::{Subject, hazards};

    #[test]
    fn flags_table_drops() {
        let t = users();
        assert!(has(&hazards(&Subject::DropTable { table: &t }), "BC106"));
        assert!(!has(&hazards(&Subject::DropSchema { name: "s" }), "BC106"));
    }
}
