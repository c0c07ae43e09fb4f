//! Collations: created, commented, dropped.

use super::*;
use crate::model::ObjectKind;
use crate::postgres::ddl_objects as d;

pub(super) fn collation_nodes(out: &mut Vec<Node>, c: &Change) {
    match c {
        Change::CreateCollation(c) => {
            let q = QualifiedName::new(&c.schema, &c.name);
            out.push(
                Node::new(
                    step(
                        ObjectId::in_schema(ObjectKind::Collation, &q.schema, &q.name),
                        Action::Create,
                        format!("Create collation {}", display(&q)),
                        d::create_collation(c),
                        vec![],
                    ),
                    rank::EXTENSION,
                )
                .creates([ObjKey::Type(q.clone())])
                .needs([ObjKey::Schema(q.schema)]),
            );
        }
        Change::AlterCollation { to, .. } => {
            let q = QualifiedName::new(&to.schema, &to.name);
            out.push(
                Node::new(
                    step(
                        ObjectId::in_schema(ObjectKind::Collation, &q.schema, &q.name),
                        Action::Update,
                        format!("Modify collation {}", display(&q)),
                        vec![d::comment_on_collation(to)],
                        vec![],
                    ),
                    rank::TYPES,
                )
                .alters([ObjKey::Type(q)]),
            );
        }
        Change::DropCollation(c) => {
            let q = QualifiedName::new(&c.schema, &c.name);
            out.push(
                Node::new(
                    step(
                        ObjectId::in_schema(ObjectKind::Collation, &q.schema, &q.name),
                        Action::Delete,
                        format!("Drop collation {}", display(&q)),
                        vec![d::drop_collation(c)],
                        vec![],
                    ),
                    rank::DROP_EXTENSION,
                )
                .drops([ObjKey::Type(q)]),
            );
        }
        _ => {}
    }
}
