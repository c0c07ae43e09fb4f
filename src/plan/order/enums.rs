//! Enum changes PostgreSQL cannot do in place: rebuild the type and move its users over.

use super::*;

pub(super) fn rebuild_enum(from: &crate::model::Enum, to: &crate::model::Enum, ctx: &Ctx) -> Node {
    let q = QualifiedName::new(&to.schema, &to.name);
    let old = names::clip(
        &format!("{}__strata_old", to.name),
        names::MAX_IDENTIFIER_BYTES,
    )
    .to_string();
    let mut stmts = ddl_objects::rebuild_enum_start(to, &old);
    let mut columns = Vec::new();
    let is_this = |t: &DataType| t.named() == Some(&q);
    for t in ctx.current.tables() {
        let Some(want) = ctx.desired.table(&t.qualified()) else {
            continue;
        };
        for c in &t.columns {
            let Some(wc) = want.column(&c.name) else {
                continue;
            };
            if !is_this(&c.ty) || !is_this(&wc.ty) {
                continue;
            }
            let tq = t.qualified();
            stmts.push(ddl::alter_table(&tq, &ddl::convert_enum_column(c, wc)));
            columns.push(col(&tq, &c.name));
        }
    }
    stmts.push(ddl::drop_enum(&QualifiedName::new(&to.schema, &old)));
    let removed: Vec<String> = from
        .values
        .iter()
        .filter(|v| !to.values.contains(v))
        .cloned()
        .collect();
    let hz = lint::hazards(&Subject::RebuildEnum {
        name: &q,
        removed: &removed,
    });
    Node::new(
        step(
            ObjectId::enum_type(&q),
            Action::Replace,
            format!("Rebuild enum type {} and convert its columns", display(&q)),
            stmts,
            hz,
        ),
        rank::TYPES,
    )
    .drops([ObjKey::Type(q.clone())].into_iter().chain(columns.clone()))
    .creates([ObjKey::Type(q)].into_iter().chain(columns))
}

/// Enums created, altered (new values, committed first when nothing must precede them), rebuilt
/// and dropped.
pub(super) fn enum_nodes(out: &mut Vec<Node>, c: &Change, changes: &[Change], ctx: &Ctx) {
    match c {
        Change::CreateEnum(e) => {
            let q = QualifiedName::new(&e.schema, &e.name);
            let mut stmts = vec![ddl::create_enum(e)];
            if e.comment.is_some() {
                stmts.push(ddl::comment_on_type(&q, &e.comment));
            }
            out.push(
                Node::new(
                    step(
                        ObjectId::enum_type(&q),
                        Action::Create,
                        format!("Create enum type {}", display(&q)),
                        stmts,
                        vec![],
                    ),
                    rank::TYPES,
                )
                .creates([ObjKey::Type(q.clone())])
                .needs([ObjKey::Schema(q.schema.clone())]),
            );
        }
        Change::AlterEnum { from, to, added } => {
            let q = QualifiedName::new(&to.schema, &to.name);
            let mut stmts: Vec<String> = added.iter().map(|a| ddl::add_enum_value(&q, a)).collect();
            // New values are committed before the transaction, so that it can use them
            // (as a default, in a check…); not when a rename in the plan must come first.
            let renames = changes
                .iter()
                .any(|c| matches!(c, Change::RenameSchema { .. }));
            let phase = if renames || added.is_empty() {
                Phase::Transaction
            } else {
                Phase::Before
            };
            if from.comment != to.comment {
                stmts.push(ddl::comment_on_type(&q, &to.comment));
            }
            out.push(
                Node::new(
                    step(
                        ObjectId::enum_type(&q),
                        Action::Update,
                        format!("Add values to enum type {}", display(&q)),
                        stmts,
                        vec![],
                    ),
                    rank::TYPES,
                )
                .alters([ObjKey::Type(q)])
                .phase(phase, None),
            );
        }
        Change::RebuildEnum { from, to } => out.push(rebuild_enum(from, to, ctx)),
        Change::DropEnum(e) => {
            let q = QualifiedName::new(&e.schema, &e.name);
            out.push(
                Node::new(
                    step(
                        ObjectId::enum_type(&q),
                        Action::Delete,
                        format!("Drop enum type {}", display(&q)),
                        vec![ddl::drop_enum(&q)],
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
