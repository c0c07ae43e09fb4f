//! MF107: a constraint is added to a domain.

use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "MF107",
    category: Category::MayFail,
    title: "adds a constraint to an existing domain",
    explain: "`ALTER DOMAIN … ADD CONSTRAINT` checks every column of every table that uses the \
domain, holding locks on all of them; one violating value fails the apply. Prefer CHECK \
constraints on the columns, or check the data first.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::AddDomainConstraint { domain } => Some(format!(
            "adds a constraint to domain \"{}\": fails if existing values violate it",
            qname(domain)
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::lint::{Subject, hazards};

    #[test]
    fn flags_domain_constraints() {
        let d = q("email");
        assert!(has(
            &hazards(&Subject::AddDomainConstraint { domain: &d }),
            "MF107"
        ));
        assert!(!has(&hazards(&Subject::DropSequence { name: &d }), "MF107"));
    }
}
