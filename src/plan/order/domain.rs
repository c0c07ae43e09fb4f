//! Domains: created, altered (default, NOT NULL, checks, comment), dropped.

use super::*;
use crate::hcl::writer::default_hcl;
use crate::model::{Domain, ObjectKind};
use crate::plan::describe::{Attrs, opt_comment, q, ty};
use crate::plan::kind::{KindPlan, Op};
use crate::postgres::ddl_objects as d;

impl KindPlan for Domain {
    const KIND: ObjectKind = ObjectKind::Domain;
    const NOUN: &'static str = "domain";
    const RANKS: [u8; 3] = [rank::TYPES, rank::TYPES, rank::DROP_TYPES];

    fn id(&self) -> ObjectId {
        ObjectId::in_schema(ObjectKind::Domain, &self.schema, &self.name)
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn label(&self) -> String {
        display(&QualifiedName::new(&self.schema, &self.name))
    }
    fn key(&self) -> ObjKey {
        ObjKey::Type(QualifiedName::new(&self.schema, &self.name))
    }
    /// When created: its schema, base type and collation; always: what its checks and default
    /// use.
    fn needs(op: Op<'_, Self>, ctx: &Ctx) -> Vec<ObjKey> {
        let (dm, mut needs) = match op {
            Op::Create(dm) => {
                let mut needs = vec![ObjKey::Schema(dm.schema.clone())];
                needs.extend(type_needs(&dm.base));
                needs.extend(collation_needs(ctx, dm.collation.as_deref()));
                (dm, needs)
            }
            Op::Alter { to, .. } => (to, vec![]),
            Op::Drop(_) => return vec![],
        };
        needs.extend(ctx.desired_deps(&dm.key()));
        needs
    }
    fn create_sql(&self) -> Vec<String> {
        d::create_domain(self)
    }
    fn alter_sql(from: &Self, to: &Self) -> Vec<String> {
        d::alter_domain(from, to)
    }
    fn drop_sql(&self) -> Vec<String> {
        vec![d::drop_domain(self)]
    }
    /// A new check or NOT NULL is checked against every column of the domain.
    fn hazards(op: Op<'_, Self>, _ctx: &Ctx) -> Vec<Hazard> {
        match op {
            Op::Alter { from, to }
                if to.checks.iter().any(|c| !from.checks.contains(c))
                    || (to.not_null && !from.not_null) =>
            {
                lint::hazards(&Subject::AddDomainConstraint {
                    domain: &QualifiedName::new(&to.schema, &to.name),
                })
            }
            _ => vec![],
        }
    }
    fn attrs(&self) -> Attrs {
        let mut a = vec![
            ("type".into(), ty(&self.base)),
            ("null".into(), (!self.not_null).to_string()),
        ];
        if let Some(def) = &self.default {
            a.push(("default".into(), default_hcl(def, &self.base)));
        }
        for c in &self.checks {
            a.push((
                format!("check {}", q(c.name.as_deref().unwrap_or(""))),
                q(&c.expr),
            ));
        }
        opt_comment(&mut a, &self.comment);
        a
    }
}
