//! Row security policies: created, altered, dropped.

use super::*;
use crate::postgres::ddl_objects as d;

pub(super) fn policy_nodes(out: &mut Vec<Node>, c: &Change, ctx: &Ctx) {
    match c {
        Change::CreatePolicy { on, policy } => {
            let k = ObjKey::Policy(on.clone(), policy.name.clone());
            out.push(
                Node::new(
                    step(
                        ObjectId::policy(on, &policy.name),
                        Action::Create,
                        format!(
                            "Create policy {} on {}",
                            quote::ident(&policy.name),
                            display(on)
                        ),
                        d::create_policy(on, policy),
                        lint::hazards(&Subject::ChangePolicy {
                            table: on,
                            name: &policy.name,
                        }),
                    ),
                    rank::TRIGGER_POLICY,
                )
                .creates([k.clone()])
                .needs(
                    [ObjKey::Table(on.clone())]
                        .into_iter()
                        .chain(ctx.desired_deps(&k)),
                ),
            );
        }
        Change::AlterPolicy { on, from, to } => {
            let k = ObjKey::Policy(on.clone(), to.name.clone());
            out.push(
                Node::new(
                    step(
                        ObjectId::policy(on, &to.name),
                        Action::Update,
                        format!(
                            "Modify policy {} on {}",
                            quote::ident(&to.name),
                            display(on)
                        ),
                        d::alter_policy(on, from, to),
                        lint::hazards(&Subject::ChangePolicy {
                            table: on,
                            name: &to.name,
                        }),
                    ),
                    rank::TRIGGER_POLICY,
                )
                .alters([k.clone()])
                .creates([k.clone()])
                .needs(ctx.desired_deps(&k)),
            );
        }
        Change::DropPolicy { on, policy } => out.push(
            Node::new(
                step(
                    ObjectId::policy(on, &policy.name),
                    Action::Delete,
                    format!(
                        "Drop policy {} on {}",
                        quote::ident(&policy.name),
                        display(on)
                    ),
                    vec![d::drop_policy(on, policy)],
                    lint::hazards(&Subject::ChangePolicy {
                        table: on,
                        name: &policy.name,
                    }),
                ),
                rank::DROP_TRIGGER_POLICY,
            )
            .drops([ObjKey::Policy(on.clone(), policy.name.clone())]),
        ),
        _ => {}
    }
}
