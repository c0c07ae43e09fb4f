//! Triggers on tables and views: created, altered (enabled state, comment), dropped.

use super::*;
use crate::diff::Rel;
use crate::model::{ObjectKind, Trigger, TriggerTiming};
use crate::plan::describe::{Attrs, opt_comment, q};
use crate::plan::kind::{KindPlan, On, Op};
use crate::postgres::ddl_objects as d;

/// `trigger.<schema>.<table>.<name>`.
pub(crate) fn trigger_id(on: &QualifiedName, t: &Trigger) -> ObjectId {
    ObjectId::trigger(on, &t.name)
}

impl KindPlan for On<'_, Rel, Trigger> {
    const KIND: ObjectKind = ObjectKind::Trigger;
    const NOUN: &'static str = "trigger";
    const RANKS: [u8; 3] = [
        rank::TRIGGER_POLICY,
        rank::TRIGGER_POLICY,
        rank::DROP_TRIGGER_POLICY,
    ];

    fn id(&self) -> ObjectId {
        trigger_id(&self.on.name, self.it)
    }
    fn name(&self) -> &str {
        &self.it.name
    }
    fn label(&self) -> String {
        format!(
            "{} on {}",
            quote::ident(&self.it.name),
            display(&self.on.name)
        )
    }
    fn key(&self) -> ObjKey {
        ObjKey::Trigger(self.on.name.clone(), self.it.name.clone())
    }
    /// When created: its relation, its function and what its condition uses.
    fn needs(op: Op<'_, Self>, ctx: &Ctx) -> Vec<ObjKey> {
        let Op::Create(t) = op else { return vec![] };
        let rel = if t.on.is_view {
            ObjKey::View(t.on.name.clone())
        } else {
            ObjKey::Table(t.on.name.clone())
        };
        let f = &t.it.function;
        let function = ObjKey::Function(f.schema.clone(), format!("{}()", f.name));
        [rel, function]
            .into_iter()
            .chain(ctx.desired_deps(&t.key()))
            .collect()
    }
    fn create_sql(&self) -> Vec<String> {
        d::create_trigger(&self.on.name, self.it)
    }
    fn alter_sql(from: &Self, to: &Self) -> Vec<String> {
        let mut stmts = Vec::new();
        if from.it.enabled != to.it.enabled {
            stmts.push(d::set_trigger_enabled(&to.on.name, to.it));
        }
        if from.it.comment != to.it.comment {
            stmts.push(d::comment_on_trigger(&to.on.name, to.it));
        }
        stmts
    }
    fn drop_sql(&self) -> Vec<String> {
        vec![d::drop_trigger(&self.on.name, self.it)]
    }
    /// Named as in HCL: the timing block (`before { update = true }`) and `when`, the condition.
    fn attrs(&self) -> Attrs {
        let t = self.it;
        let events = d::trigger_events(&t.events, |c| c.join(", "));
        let timing = match t.timing {
            TriggerTiming::Before => "before",
            TriggerTiming::After => "after",
            TriggerTiming::InsteadOf => "instead_of",
        };
        let mut a = vec![
            ("on".into(), self.on.name.to_string()),
            (timing.into(), events.join(" OR ")),
            (
                "for".into(),
                if t.for_each_row {
                    "ROW".into()
                } else {
                    "STATEMENT".into()
                },
            ),
            (
                "execute".into(),
                format!("{}({})", t.function, t.args.join(", ")),
            ),
        ];
        if let Some(w) = &t.when {
            a.push(("when".into(), q(w)));
        }
        if t.enabled != 'O' {
            a.push(("enabled".into(), t.enabled.to_string()));
        }
        opt_comment(&mut a, &t.comment);
        a
    }
}
