//! BC103: a function or procedure is dropped.

use crate::lint::{Category, Check, Rule, Subject};

pub(crate) const RULE: Rule = Rule {
    code: "BC103",
    category: Category::Compatibility,
    title: "drops a function or procedure",
    explain: "Callers of a dropped routine fail: application queries, other functions (their \
bodies are only checked when they run) and jobs. Make sure nothing calls it before removing \
it from the configuration.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::DropRoutine { address } => Some(format!("drops {address}: its callers break")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::lint::{Subject, hazards};
    use crate::model::{ObjectId, RoutineKind};

    #[test]
    fn flags_routine_drops() {
        let f = ObjectId::routine(RoutineKind::Function, "public", "f(integer)");
        let s = Subject::DropRoutine { address: &f };
        assert!(has(&hazards(&s), "BC103"));
        assert!(
            hazards(&s)[0]
                .message
                .starts_with("drops function.public.f(integer):")
        );
        let v = ObjectId::view("public", "v", false);
        let v = Subject::DropView { address: &v };
        assert!(!has(&hazards(&v), "BC103"));
    }
}
