//! Aggregates: created, replaced, dropped.

use super::*;
use crate::model::{Aggregate, ArgMode};
use crate::postgres::ddl_objects as d;
use crate::postgres::types::aggregate_signature;

pub(super) fn aggregate_nodes(out: &mut Vec<Node>, c: &Change, ctx: &Ctx) {
    match c {
        Change::CreateAggregate(a) => out.push(
            Node::new(
                step(
                    aggregate_id(a),
                    Action::Create,
                    format!("Create aggregate {}", d::aggregate_ref(a)),
                    d::create_aggregate(a, false),
                    vec![],
                ),
                rank::FUNCTION,
            )
            .creates([aggregate_key(a)])
            .needs(aggregate_needs(a, ctx)),
        ),
        Change::ReplaceAggregate { from, to } => {
            let stmts = if from.same_definition(to) {
                vec![d::comment_on_aggregate(to)]
            } else {
                d::create_aggregate(to, true)
            };
            out.push(
                Node::new(
                    step(
                        aggregate_id(to),
                        Action::Update,
                        format!("Replace aggregate {}", d::aggregate_ref(to)),
                        stmts,
                        vec![],
                    ),
                    rank::FUNCTION,
                )
                .alters([aggregate_key(to)])
                .creates([aggregate_key(to)])
                .needs(aggregate_needs(to, ctx)),
            );
        }
        Change::DropAggregate(a) => out.push(
            Node::new(
                step(
                    aggregate_id(a),
                    Action::Delete,
                    format!("Drop aggregate {}", d::aggregate_ref(a)),
                    vec![d::drop_aggregate(a)],
                    lint::hazards(&Subject::DropRoutine {
                        address: &aggregate_id(a),
                    }),
                ),
                rank::DROP_FUNCTION,
            )
            .drops([aggregate_key(a)]),
        ),
        _ => {}
    }
}

/// `aggregate.<schema>.<signature>`.
pub(crate) fn aggregate_id(a: &Aggregate) -> ObjectId {
    ObjectId::aggregate(&a.schema, &aggregate_signature(a))
}

/// Aggregates share the functions' namespace (and `pg_depend`'s key for `pg_proc`).
fn aggregate_key(a: &Aggregate) -> ObjKey {
    ObjKey::Function(a.schema.clone(), aggregate_signature(a))
}

/// Its schema, types, and every desired overload of its state and final functions (the one
/// PostgreSQL picks is among them).
fn aggregate_needs(a: &Aggregate, ctx: &Ctx) -> Vec<ObjKey> {
    let mut n = vec![ObjKey::Schema(a.schema.clone())];
    n.extend(type_needs(&a.state_type));
    for arg in a.args.iter().filter(|x| x.mode != ArgMode::Out) {
        n.extend(type_needs(&arg.ty));
    }
    for f in std::iter::once(&a.state_func).chain(&a.final_func) {
        n.extend(
            ctx.desired
                .functions()
                .filter(|x| x.schema == f.schema && x.name == f.name)
                .map(|x| ObjKey::Function(x.schema.clone(), crate::postgres::types::signature(x))),
        );
    }
    n.extend(ctx.desired_deps(&aggregate_key(a)));
    n
}
