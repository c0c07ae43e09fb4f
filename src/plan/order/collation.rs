//! Collations: created, commented, dropped (a new definition is a drop and a create).

use super::*;
use crate::model::{Collation, ObjectKind};
use crate::plan::describe::{Attrs, opt_comment, q};
use crate::plan::kind::{KindPlan, Op};
use crate::postgres::ddl_objects as d;

impl KindPlan for Collation {
    const KIND: ObjectKind = ObjectKind::Collation;
    const NOUN: &'static str = "collation";
    const RANKS: [u8; 3] = [rank::EXTENSION, rank::TYPES, rank::DROP_EXTENSION];

    fn id(&self) -> ObjectId {
        ObjectId::in_schema(ObjectKind::Collation, &self.schema, &self.name)
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
    fn needs(op: Op<'_, Self>, _ctx: &Ctx) -> Vec<ObjKey> {
        match op {
            Op::Create(c) => vec![ObjKey::Schema(c.schema.clone())],
            _ => vec![],
        }
    }
    fn create_sql(&self) -> Vec<String> {
        d::create_collation(self)
    }
    fn alter_sql(_from: &Self, to: &Self) -> Vec<String> {
        vec![d::comment_on_collation(to)]
    }
    fn drop_sql(&self) -> Vec<String> {
        vec![d::drop_collation(self)]
    }
    fn attrs(&self) -> Attrs {
        let mut a = vec![("provider".into(), self.provider.clone())];
        for (k, v) in [
            ("locale", &self.locale),
            ("lc_collate", &self.lc_collate),
            ("lc_ctype", &self.lc_ctype),
        ] {
            if let Some(v) = v {
                a.push((k.into(), q(v)));
            }
        }
        if !self.deterministic {
            a.push(("deterministic".into(), "false".into()));
        }
        opt_comment(&mut a, &self.comment);
        a
    }
}
