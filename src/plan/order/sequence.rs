//! Sequences: created, altered, dropped, and their owning column.

use super::*;
use crate::postgres::ddl_objects as d;

pub(super) fn sequence_nodes(out: &mut Vec<Node>, c: &Change) {
    match c {
        Change::CreateSequence(s) => {
            let q = QualifiedName::new(&s.schema, &s.name);
            out.push(
                Node::new(
                    step(
                        ObjectId::sequence(&q),
                        Action::Create,
                        format!("Create sequence {}", display(&q)),
                        d::create_sequence(s),
                        vec![],
                    ),
                    rank::SEQUENCE,
                )
                .creates([ObjKey::Sequence(q.clone())])
                .needs([ObjKey::Schema(q.schema.clone())]),
            );
            if let Some((t, c)) = &s.owned_by {
                out.push(
                    Node::new(
                        step(
                            ObjectId::sequence(&q),
                            Action::Create,
                            format!("Set the owner of sequence {}", display(&q)),
                            vec![d::sequence_owner(s)],
                            vec![],
                        ),
                        rank::SEQUENCE_OWNER,
                    )
                    .alters([ObjKey::Sequence(q.clone())])
                    .needs([
                        ObjKey::Sequence(q.clone()),
                        ObjKey::Table(t.clone()),
                        ObjKey::Column(t.clone(), c.clone()),
                    ]),
                );
            }
        }
        Change::AlterSequence { from, to } => {
            let q = QualifiedName::new(&to.schema, &to.name);
            let stmts = d::alter_sequence(from, to);
            if !stmts.is_empty() {
                out.push(
                    Node::new(
                        step(
                            ObjectId::sequence(&q),
                            Action::Update,
                            format!("Modify sequence {}", display(&q)),
                            stmts,
                            vec![],
                        ),
                        rank::SEQUENCE,
                    )
                    .alters([ObjKey::Sequence(q.clone())]),
                );
            }
            if from.owned_by != to.owned_by {
                let mut n = Node::new(
                    step(
                        ObjectId::sequence(&q),
                        Action::Update,
                        format!("Set the owner of sequence {}", display(&q)),
                        vec![d::sequence_owner(to)],
                        vec![],
                    ),
                    rank::SEQUENCE_OWNER,
                )
                .alters([ObjKey::Sequence(q.clone())]);
                if let Some((t, c)) = &to.owned_by {
                    n = n.needs([
                        ObjKey::Table(t.clone()),
                        ObjKey::Column(t.clone(), c.clone()),
                    ]);
                }
                out.push(n);
            }
        }
        Change::DropSequence(s) => {
            let q = QualifiedName::new(&s.schema, &s.name);
            out.push(
                Node::new(
                    step(
                        ObjectId::sequence(&q),
                        Action::Delete,
                        format!("Drop sequence {}", display(&q)),
                        vec![d::drop_sequence(s)],
                        lint::hazards(&Subject::DropSequence { name: &q }),
                    ),
                    rank::DROP_TYPES,
                )
                .drops([ObjKey::Sequence(q)]),
            );
        }
        _ => {}
    }
}
