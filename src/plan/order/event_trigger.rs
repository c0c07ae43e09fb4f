//! Event triggers: created, altered (enabled state, comment), dropped.

use super::*;
use crate::model::{EventTrigger, ObjectKind};
use crate::plan::describe::{Attrs, list, opt_comment, q};
use crate::plan::kind::{KindPlan, Op};
use crate::postgres::ddl_objects as d;

/// `event_trigger.<name>`.
pub(crate) fn event_trigger_id(e: &EventTrigger) -> ObjectId {
    ObjectId::event_trigger(&e.name)
}

impl KindPlan for EventTrigger {
    const KIND: ObjectKind = ObjectKind::EventTrigger;
    const NOUN: &'static str = "event trigger";
    const RANKS: [u8; 3] = [
        rank::TRIGGER_POLICY,
        rank::TRIGGER_POLICY,
        rank::DROP_TRIGGER_POLICY,
    ];

    fn id(&self) -> ObjectId {
        event_trigger_id(self)
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn label(&self) -> String {
        quote::ident(&self.name)
    }
    fn key(&self) -> ObjKey {
        ObjKey::EventTrigger(self.name.clone())
    }
    fn needs(op: Op<'_, Self>, _ctx: &Ctx) -> Vec<ObjKey> {
        match op {
            Op::Create(e) => vec![
                ObjKey::Schema(e.function.schema.clone()),
                ObjKey::Function(e.function.schema.clone(), format!("{}()", e.function.name)),
            ],
            _ => vec![],
        }
    }
    fn create_sql(&self) -> Vec<String> {
        d::create_event_trigger(self)
    }
    fn alter_sql(from: &Self, to: &Self) -> Vec<String> {
        let mut stmts = Vec::new();
        if from.enabled != to.enabled {
            stmts.push(d::set_event_trigger_enabled(to));
        }
        if from.comment != to.comment {
            stmts.push(d::comment_on_event_trigger(to));
        }
        stmts
    }
    fn drop_sql(&self) -> Vec<String> {
        vec![d::drop_event_trigger(self)]
    }
    fn hazards(op: Op<'_, Self>, ctx: &Ctx) -> Vec<Hazard> {
        match op {
            // Dropped to be created again (new event, tags or function): nothing goes
            // unwatched once the plan has run.
            Op::Drop(e) if !ctx.desired.event_triggers.contains_key(&e.name) => {
                lint::hazards(&Subject::DropEventTrigger { name: &e.name })
            }
            _ => vec![],
        }
    }
    fn attrs(&self) -> Attrs {
        let mut out = vec![
            ("on".into(), self.event.clone()),
            ("execute".into(), self.function.to_string()),
        ];
        if !self.tags.is_empty() {
            out.push((
                "tags".into(),
                list(&self.tags.iter().map(|t| q(t)).collect::<Vec<_>>()),
            ));
        }
        if self.enabled != 'O' {
            let state = match self.enabled {
                'D' => "false",
                'A' => "ALWAYS",
                'R' => "REPLICA",
                _ => "true",
            };
            out.push(("enabled".into(), state.into()));
        }
        opt_comment(&mut out, &self.comment);
        out
    }
}
