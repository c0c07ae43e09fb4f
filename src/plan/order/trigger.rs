//! Triggers on tables and views: created, altered, dropped.

use super::*;
use crate::diff::Rel;
use crate::model::Trigger;
use crate::postgres::ddl_objects as d;

pub(super) fn trigger_nodes(out: &mut Vec<Node>, c: &Change, ctx: &Ctx) {
    match c {
        Change::CreateTrigger { on, trigger } => out.push(
            Node::new(
                step(
                    trigger_id(&on.name, trigger),
                    Action::Create,
                    format!(
                        "Create trigger {} on {}",
                        quote::ident(&trigger.name),
                        display(&on.name)
                    ),
                    d::create_trigger(&on.name, trigger),
                    vec![],
                ),
                rank::TRIGGER_POLICY,
            )
            .creates([ObjKey::Trigger(on.name.clone(), trigger.name.clone())])
            .needs(
                [rel_key(on), trigger_function_key(trigger)]
                    .into_iter()
                    .chain(
                        ctx.desired_deps(&ObjKey::Trigger(on.name.clone(), trigger.name.clone())),
                    ),
            ),
        ),
        Change::AlterTrigger { on, from, to } => {
            let mut stmts = Vec::new();
            if from.enabled != to.enabled {
                stmts.push(d::set_trigger_enabled(&on.name, to));
            }
            if from.comment != to.comment {
                stmts.push(d::comment_on_trigger(&on.name, to));
            }
            out.push(
                Node::new(
                    step(
                        trigger_id(&on.name, to),
                        Action::Update,
                        format!(
                            "Modify trigger {} on {}",
                            quote::ident(&to.name),
                            display(&on.name)
                        ),
                        stmts,
                        vec![],
                    ),
                    rank::TRIGGER_POLICY,
                )
                .alters([ObjKey::Trigger(on.name.clone(), to.name.clone())]),
            );
        }
        Change::DropTrigger { on, trigger } => out.push(
            Node::new(
                step(
                    trigger_id(&on.name, trigger),
                    Action::Delete,
                    format!(
                        "Drop trigger {} on {}",
                        quote::ident(&trigger.name),
                        display(&on.name)
                    ),
                    vec![d::drop_trigger(&on.name, trigger)],
                    vec![],
                ),
                rank::DROP_TRIGGER_POLICY,
            )
            .drops([ObjKey::Trigger(on.name.clone(), trigger.name.clone())]),
        ),
        _ => {}
    }
}

/// `trigger.<schema>.<table>.<name>`.
pub(crate) fn trigger_id(on: &QualifiedName, t: &Trigger) -> ObjectId {
    ObjectId::trigger(on, &t.name)
}

fn rel_key(on: &Rel) -> ObjKey {
    if on.is_view {
        ObjKey::View(on.name.clone())
    } else {
        ObjKey::Table(on.name.clone())
    }
}

fn trigger_function_key(t: &Trigger) -> ObjKey {
    ObjKey::Function(t.function.schema.clone(), format!("{}()", t.function.name))
}
