//! Functions and procedures: created, replaced, dropped.

use super::*;
use crate::model::{Function, Returns};
use crate::postgres::ddl_objects as d;

pub(super) fn function_nodes(out: &mut Vec<Node>, c: &Change, ctx: &Ctx) {
    match c {
        Change::CreateFunction(f) => out.push(
            Node::new(
                step(
                    function_id(f),
                    Action::Create,
                    format!("Create {}", describe_routine(f)),
                    d::create_function(f, false),
                    vec![],
                ),
                rank::FUNCTION,
            )
            .creates([function_key(f)])
            .needs(function_needs(f, ctx)),
        ),
        Change::ReplaceFunction { from, to } => {
            let definition = Function {
                comment: None,
                ..from.clone()
            } != Function {
                comment: None,
                ..to.clone()
            };
            let stmts = if definition {
                d::create_function(to, true)
            } else {
                vec![d::comment_on_function(to)]
            };
            out.push(
                Node::new(
                    step(
                        function_id(to),
                        Action::Update,
                        format!("Replace {}", describe_routine(to)),
                        stmts,
                        vec![],
                    ),
                    rank::FUNCTION,
                )
                .alters([function_key(to)])
                .creates([function_key(to)])
                .needs(function_needs(to, ctx)),
            );
        }
        Change::DropFunction(f) => out.push(
            Node::new(
                step(
                    function_id(f),
                    Action::Delete,
                    format!("Drop {}", describe_routine(f)),
                    vec![d::drop_function(f)],
                    lint::hazards(&Subject::DropRoutine {
                        address: &function_id(f),
                    }),
                ),
                rank::DROP_FUNCTION,
            )
            .drops([function_key(f)]),
        ),
        _ => {}
    }
}

/// `function.<schema>.<signature>` or `procedure.…`.
pub(crate) fn function_id(f: &Function) -> ObjectId {
    ObjectId::routine(f.kind, &f.schema, &crate::postgres::types::signature(f))
}

fn function_key(f: &Function) -> ObjKey {
    ObjKey::Function(f.schema.clone(), crate::postgres::types::signature(f))
}

fn function_needs(f: &Function, ctx: &Ctx) -> Vec<ObjKey> {
    let mut n = vec![ObjKey::Schema(f.schema.clone())];
    for a in &f.args {
        n.extend(type_needs(&a.ty));
    }
    match &f.returns {
        Some(Returns::Type(t)) | Some(Returns::SetOf(t)) => n.extend(type_needs(t)),
        Some(Returns::Table(cols)) => cols.iter().for_each(|(_, t)| n.extend(type_needs(t))),
        None => {}
    }
    n.extend(ctx.desired_deps(&function_key(f)));
    n
}

fn describe_routine(f: &Function) -> String {
    let kind = match f.kind {
        crate::model::RoutineKind::Function => "function",
        crate::model::RoutineKind::Procedure => "procedure",
    };
    format!("{kind} {}", d::routine_ref(f))
}
