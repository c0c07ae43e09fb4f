//! Event triggers: created, altered (enabled state, comment), dropped.

use super::*;
use crate::model::EventTrigger;
use crate::postgres::ddl_objects as d;

pub(super) fn event_trigger_nodes(out: &mut Vec<Node>, c: &Change, ctx: &Ctx) {
    match c {
        Change::CreateEventTrigger(e) => out.push(
            Node::new(
                step(
                    event_trigger_id(e),
                    Action::Create,
                    format!("Create event trigger {}", quote::ident(&e.name)),
                    d::create_event_trigger(e),
                    vec![],
                ),
                rank::TRIGGER_POLICY,
            )
            .creates([event_trigger_key(e)])
            .needs([
                ObjKey::Schema(e.function.schema.clone()),
                ObjKey::Function(e.function.schema.clone(), format!("{}()", e.function.name)),
            ]),
        ),
        Change::AlterEventTrigger { from, to } => {
            let mut stmts = Vec::new();
            if from.enabled != to.enabled {
                stmts.push(d::set_event_trigger_enabled(to));
            }
            if from.comment != to.comment {
                stmts.push(d::comment_on_event_trigger(to));
            }
            out.push(
                Node::new(
                    step(
                        event_trigger_id(to),
                        Action::Update,
                        format!("Modify event trigger {}", quote::ident(&to.name)),
                        stmts,
                        vec![],
                    ),
                    rank::TRIGGER_POLICY,
                )
                .alters([event_trigger_key(to)]),
            );
        }
        Change::DropEventTrigger(e) => out.push(
            Node::new(
                step(
                    event_trigger_id(e),
                    Action::Delete,
                    format!("Drop event trigger {}", quote::ident(&e.name)),
                    vec![d::drop_event_trigger(e)],
                    // Dropped to be created again (new event, tags or function): nothing goes
                    // unwatched once the plan has run.
                    if ctx.desired.event_triggers.contains_key(&e.name) {
                        vec![]
                    } else {
                        lint::hazards(&Subject::DropEventTrigger { name: &e.name })
                    },
                ),
                rank::DROP_TRIGGER_POLICY,
            )
            .drops([event_trigger_key(e)]),
        ),
        _ => {}
    }
}

/// `event_trigger.<name>`.
pub(crate) fn event_trigger_id(e: &EventTrigger) -> ObjectId {
    ObjectId::event_trigger(&e.name)
}

fn event_trigger_key(e: &EventTrigger) -> ObjKey {
    ObjKey::EventTrigger(e.name.clone())
}
