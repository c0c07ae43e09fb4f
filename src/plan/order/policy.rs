//! Row security policies: created, altered, dropped.

use super::*;
use crate::model::{ObjectKind, Policy};
use crate::plan::describe::{Attrs, list, opt_comment, q};
use crate::plan::kind::{KindPlan, On, Op};
use crate::postgres::ddl_objects as d;

impl KindPlan for On<'_, QualifiedName, Policy> {
    const KIND: ObjectKind = ObjectKind::Policy;
    const NOUN: &'static str = "policy";
    const RANKS: [u8; 3] = [
        rank::TRIGGER_POLICY,
        rank::TRIGGER_POLICY,
        rank::DROP_TRIGGER_POLICY,
    ];
    const ALTER_CREATES: bool = true;

    fn id(&self) -> ObjectId {
        ObjectId::policy(self.on, &self.it.name)
    }
    fn name(&self) -> &str {
        &self.it.name
    }
    fn label(&self) -> String {
        format!("{} on {}", quote::ident(&self.it.name), display(self.on))
    }
    fn key(&self) -> ObjKey {
        ObjKey::Policy(self.on.clone(), self.it.name.clone())
    }
    /// Its table (when created) and what its expressions use.
    fn needs(op: Op<'_, Self>, ctx: &Ctx) -> Vec<ObjKey> {
        match op {
            Op::Create(p) => [ObjKey::Table(p.on.clone())]
                .into_iter()
                .chain(ctx.desired_deps(&p.key()))
                .collect(),
            Op::Alter { to, .. } => ctx.desired_deps(&to.key()),
            Op::Drop(_) => vec![],
        }
    }
    fn create_sql(&self) -> Vec<String> {
        d::create_policy(self.on, self.it)
    }
    fn alter_sql(from: &Self, to: &Self) -> Vec<String> {
        d::alter_policy(to.on, from.it, to.it)
    }
    fn drop_sql(&self) -> Vec<String> {
        vec![d::drop_policy(self.on, self.it)]
    }
    /// Every change of a policy changes who sees which rows.
    fn hazards(op: Op<'_, Self>, _ctx: &Ctx) -> Vec<Hazard> {
        let p = match op {
            Op::Create(p) | Op::Drop(p) | Op::Alter { to: p, .. } => p,
        };
        lint::hazards(&Subject::ChangePolicy {
            table: p.on,
            name: &p.it.name,
        })
    }
    fn attrs(&self) -> Attrs {
        let p = self.it;
        let mut a = vec![
            ("on".into(), self.on.to_string()),
            (
                "as".into(),
                if p.permissive {
                    "PERMISSIVE".into()
                } else {
                    "RESTRICTIVE".into()
                },
            ),
            ("for".into(), p.command.clone()),
            ("to".into(), list(&p.roles)),
        ];
        if let Some(u) = &p.using {
            a.push(("using".into(), q(u)));
        }
        if let Some(c) = &p.check {
            a.push(("check".into(), q(c)));
        }
        opt_comment(&mut a, &p.comment);
        a
    }
}
