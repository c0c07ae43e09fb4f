//! Composite types: created, altered (fields added, retyped, dropped; comment), dropped.

use super::*;
use crate::model::{Composite, ObjectKind};
use crate::plan::describe::{Attrs, opt_comment, q, ty};
use crate::plan::kind::{KindPlan, Op};
use crate::postgres::ddl_objects as d;

impl KindPlan for Composite {
    const KIND: ObjectKind = ObjectKind::Composite;
    const NOUN: &'static str = "composite type";
    const RANKS: [u8; 3] = [rank::TYPES, rank::TYPES, rank::DROP_TYPES];

    fn id(&self) -> ObjectId {
        ObjectId::in_schema(ObjectKind::Composite, &self.schema, &self.name)
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
    /// Its schema (when created) and the types of its fields.
    fn needs(op: Op<'_, Self>, _ctx: &Ctx) -> Vec<ObjKey> {
        let (c, mut needs) = match op {
            Op::Create(c) => (c, vec![ObjKey::Schema(c.schema.clone())]),
            Op::Alter { to, .. } => (to, vec![]),
            Op::Drop(_) => return vec![],
        };
        for (_, t) in &c.fields {
            needs.extend(type_needs(t));
        }
        needs
    }
    fn create_sql(&self) -> Vec<String> {
        d::create_composite(self)
    }
    fn alter_sql(from: &Self, to: &Self) -> Vec<String> {
        d::alter_composite(from, to)
    }
    fn drop_sql(&self) -> Vec<String> {
        vec![d::drop_composite(self)]
    }
    /// A dropped field's values are gone.
    fn hazards(op: Op<'_, Self>, _ctx: &Ctx) -> Vec<Hazard> {
        let Op::Alter { from, to } = op else {
            return vec![];
        };
        let q = QualifiedName::new(&to.schema, &to.name);
        from.fields
            .iter()
            .filter(|(n, _)| !to.fields.iter().any(|(m, _)| m == n))
            .flat_map(|(n, _)| lint::hazards(&Subject::DropCompositeField { name: &q, field: n }))
            .collect()
    }
    fn attrs(&self) -> Attrs {
        let mut a: Attrs = self
            .fields
            .iter()
            .map(|(n, t)| match self.collation(n) {
                Some(coll) => (
                    format!("field {}", q(n)),
                    format!("{} collate {}", ty(t), q(coll)),
                ),
                None => (format!("field {}", q(n)), ty(t)),
            })
            .collect();
        opt_comment(&mut a, &self.comment);
        a
    }
}
