//! TX101: a statement runs outside the transaction (online mode).

use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "TX101",
    category: Category::Transaction,
    title: "runs outside the transaction",
    explain: "`CREATE INDEX CONCURRENTLY` and constraint validation in online mode cannot run \
inside a transaction block, so strata runs them one by one between two transactions. If one \
fails, the steps before it stay applied: a failed concurrent build leaves an INVALID index \
behind, which strata drops and rebuilds on the next apply. Re-run `plan` after a failure.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::Online { table, what } => Some(format!(
            "{what} on \"{}\" outside the transaction: a failure leaves the earlier steps applied",
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
    fn flags_online_statements() {
        let t = q("users");
        let s = Subject::Online {
            table: &t,
            what: "builds index \"i\" concurrently",
        };
        assert!(has(&hazards(&s), "TX101"));
        assert!(!has(&hazards(&Subject::DropSchema { name: "s" }), "TX101"));
    }
}
