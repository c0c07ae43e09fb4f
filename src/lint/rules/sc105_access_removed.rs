//! SC105: privileges are revoked from a role.

use crate::lint::{Category, Check, Rule, Subject};

pub(crate) const RULE: Rule = Rule {
    code: "SC105",
    category: Category::Security,
    title: "access removed",
    explain: "A `REVOKE` takes privileges (or a role membership) away from a role: the \
applications and people who log in with it get `permission denied` from their next statement \
on. strata revokes a privilege of a managed role when the configuration no longer grants it, \
when the role is dropped, or when its `permission` block is removed. Make sure nothing still \
relies on the access, or declare it again.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::Revoke { grantee, what } => Some(format!(
            "revokes {what} from role \"{grantee}\": its sessions are denied from now on"
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::lint::{Subject, hazards};

    #[test]
    fn flags_revokes() {
        assert!(has(
            &hazards(&Subject::Revoke {
                grantee: "app_ro",
                what: "SELECT"
            }),
            "SC105"
        ));
        assert!(!has(
            &hazards(&Subject::DropExtension { name: "pg_trgm" }),
            "SC105"
        ));
    }
}
