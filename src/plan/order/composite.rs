//! Composite types: created, altered, dropped.

use super::*;
use crate::model::ObjectKind;
use crate::postgres::ddl_objects as d;

pub(super) fn composite_nodes(out: &mut Vec<Node>, c: &Change) {
    match c {
        Change::CreateComposite(c) => {
            let q = QualifiedName::new(&c.schema, &c.name);
            let mut needs = vec![ObjKey::Schema(q.schema.clone())];
            for (_, t) in &c.fields {
                needs.extend(type_needs(t));
            }
            out.push(
                Node::new(
                    step(
                        ObjectId::in_schema(ObjectKind::Composite, &q.schema, &q.name),
                        Action::Create,
                        format!("Create composite type {}", display(&q)),
                        d::create_composite(c),
                        vec![],
                    ),
                    rank::TYPES,
                )
                .creates([ObjKey::Type(q)])
                .needs(needs),
            );
        }
        Change::AlterComposite { from, to } => {
            let q = QualifiedName::new(&to.schema, &to.name);
            let mut needs = Vec::new();
            for (_, t) in &to.fields {
                needs.extend(type_needs(t));
            }
            let hazards: Vec<_> = from
                .fields
                .iter()
                .filter(|(n, _)| !to.fields.iter().any(|(m, _)| m == n))
                .flat_map(|(n, _)| {
                    lint::hazards(&Subject::DropCompositeField { name: &q, field: n })
                })
                .collect();
            out.push(
                Node::new(
                    step(
                        ObjectId::in_schema(ObjectKind::Composite, &q.schema, &q.name),
                        Action::Update,
                        format!("Modify composite type {}", display(&q)),
                        d::alter_composite(from, to),
                        hazards,
                    ),
                    rank::TYPES,
                )
                .alters([ObjKey::Type(q)])
                .needs(needs),
            );
        }
        Change::DropComposite(c) => {
            let q = QualifiedName::new(&c.schema, &c.name);
            out.push(
                Node::new(
                    step(
                        ObjectId::in_schema(ObjectKind::Composite, &q.schema, &q.name),
                        Action::Delete,
                        format!("Drop composite type {}", display(&q)),
                        vec![d::drop_composite(c)],
                        vec![],
                    ),
                    rank::DROP_TYPES,
                )
                .drops([ObjKey::Type(q)]),
            );
        }
        _ => {}
    }
}
