//! BC104: a view is dropped.

use crate::lint::{Category, Check, Rule, Subject};

pub(crate) const RULE: Rule = Rule {
    code: "BC104",
    category: Category::Compatibility,
    title: "drops a view",
    explain: "Queries that read a dropped view fail, and the privileges granted on it are \
gone. (Views strata drops only to re-create them around another change are not flagged; they \
are back before the transaction commits.)",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::DropView { address } => {
            Some(format!("drops {address}: queries that read it break"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::lint::{Subject, hazards};
    use crate::model::{ObjectId, RoutineKind};

    #[test]
    fn flags_view_drops() {
        let v = ObjectId::view("public", "active_users", false);
        let v = Subject::DropView { address: &v };
        assert!(has(&hazards(&v), "BC104"));
        let r = ObjectId::routine(RoutineKind::Function, "public", "f()");
        let r = Subject::DropRoutine { address: &r };
        assert!(!has(&hazards(&r), "BC104"));
    }
}
