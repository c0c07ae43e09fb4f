//! DS102: a table is dropped.

use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "DS102",
    category: Category::DataLoss,
    title: "drops a table",
    explain: "Dropping a table deletes all its rows. If the table was renamed in the \
configuration, write a `moved { from = table.old  to = table.new }` block and strata renames \
it instead. If it is really unused, stop using it in the application first, check that it is \
empty or archived, then allow DS102 for this apply (`--allow-hazards DS102`).",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::DropTable { table } => Some(format!(
            "drops table \"{}\" and all its rows",
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
        let h = hazards(&Subject::DropTable { table: &t });
        assert!(has(&h, "DS102"));
        assert!(h.iter().any(|h| h.message.contains("public.users")));
        assert!(!has(&hazards(&Subject::DropSchema { name: "x" }), "DS102"));
    }
}
