//! Extensions: created, updated (a new version or schema), dropped.

use super::*;
use crate::model::{Extension, ObjectKind};
use crate::plan::describe::{Attrs, q};
use crate::plan::kind::{KindPlan, Op};
use crate::postgres::ddl_objects as d;

impl KindPlan for Extension {
    const KIND: ObjectKind = ObjectKind::Extension;
    const NOUN: &'static str = "extension";
    const ALTER_VERB: &'static str = "Update";
    const RANKS: [u8; 3] = [rank::EXTENSION, rank::EXTENSION, rank::DROP_EXTENSION];

    fn id(&self) -> ObjectId {
        ObjectId::extension(&self.name)
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn label(&self) -> String {
        quote::ident(&self.name)
    }
    fn key(&self) -> ObjKey {
        ObjKey::Extension(self.name.clone())
    }
    fn needs(op: Op<'_, Self>, _ctx: &Ctx) -> Vec<ObjKey> {
        match op {
            Op::Create(e) => e.schema.iter().cloned().map(ObjKey::Schema).collect(),
            _ => vec![],
        }
    }
    fn create_sql(&self) -> Vec<String> {
        vec![d::create_extension(self)]
    }
    fn alter_sql(from: &Self, to: &Self) -> Vec<String> {
        d::alter_extension(from, to)
    }
    fn drop_sql(&self) -> Vec<String> {
        vec![d::drop_extension(&self.name)]
    }
    fn hazards(op: Op<'_, Self>, _ctx: &Ctx) -> Vec<Hazard> {
        match op {
            Op::Create(_) => vec![],
            Op::Alter { from, to } => lint::hazards(&Subject::UpdateExtension {
                name: &to.name,
                from: from.version.as_deref(),
                to: to.version.as_deref(),
            }),
            Op::Drop(e) => Self::reviewer_hazards(Op::Drop(e)),
        }
    }
    fn reviewer_hazards(op: Op<'_, Self>) -> Vec<Hazard> {
        match op {
            Op::Drop(e) => lint::hazards(&Subject::DropExtension { name: &e.name }),
            _ => vec![],
        }
    }
    fn attrs(&self) -> Attrs {
        let mut a = Vec::new();
        if let Some(s) = &self.schema {
            a.push(("schema".into(), s.clone()));
        }
        if let Some(v) = &self.version {
            a.push(("version".into(), q(v)));
        }
        a
    }
}
