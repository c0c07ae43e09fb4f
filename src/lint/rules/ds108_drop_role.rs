//! DS108: a role is dropped.

use crate::lint::{Category, Check, Rule, Subject};

pub(crate) const RULE: Rule = Rule {
    code: "DS108",
    category: Category::DataLoss,
    title: "drops a role",
    explain: "Roles are cluster-wide: dropping one ends every login with it, in every \
database of the server, and its password cannot be restored. PostgreSQL refuses the drop while \
the role owns objects or holds privileges anywhere in the cluster (`REASSIGN OWNED` and \
`DROP OWNED` in each database clear them, and `DROP OWNED` deletes what the role owns). strata \
drops a managed role whose `role` or `user` block is removed, after revoking its privileges in \
this database; it counts what the role owns elsewhere (`pg_shdepend`) and says so.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::DropRole {
            name,
            owned,
            elsewhere,
        } => {
            let mut msg = format!("drops role \"{name}\": it can log in nowhere in the cluster");
            if *owned > 0 {
                msg.push_str(&format!(
                    "; it owns {owned} object(s), so the drop fails until they are reassigned or dropped"
                ));
            }
            if *elsewhere > 0 {
                msg.push_str(&format!(
                    "; it holds {elsewhere} privilege(s) or dependencies in other databases"
                ));
            }
            Some(msg)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::lint::{Subject, hazards};

    #[test]
    fn flags_role_drops() {
        let h = hazards(&Subject::DropRole {
            name: "app",
            owned: 2,
            elsewhere: 0,
        });
        assert!(has(&h, "DS108"));
        assert!(h.iter().any(|h| h.message.contains("owns 2 object")));
    }
}
