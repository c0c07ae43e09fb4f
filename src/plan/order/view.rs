//! Views and materialized views: created, altered, dropped.

use super::*;
use crate::model::View;
use crate::postgres::ddl_objects as d;

pub(super) fn view_nodes(out: &mut Vec<Node>, c: &Change, ctx: &Ctx) {
    match c {
        Change::CreateView(v) => {
            let mut creates = vec![view_key(v)];
            let vq = QualifiedName::new(&v.schema, &v.name);
            creates.extend(
                v.indexes
                    .iter()
                    .map(|i| ObjKey::Index(vq.clone(), i.name.clone())),
            );
            let mut needs = vec![ObjKey::Schema(v.schema.clone())];
            needs.extend(ctx.desired_deps(&view_key(v)));
            out.push(
                Node::new(
                    step(
                        view_id(v),
                        Action::Create,
                        format!("Create {} {}", view_word(v), display(&vq)),
                        d::create_view(v),
                        vec![],
                    ),
                    rank::VIEW,
                )
                .creates(creates)
                .needs(needs),
            );
        }
        Change::AlterView { from, to } => {
            let vq = QualifiedName::new(&to.schema, &to.name);
            out.push(
                Node::new(
                    step(
                        view_id(to),
                        Action::Update,
                        format!("Modify {} {}", view_word(to), display(&vq)),
                        d::alter_view(from, to),
                        vec![],
                    ),
                    rank::VIEW,
                )
                .alters([view_key(to)])
                .creates(
                    to.indexes
                        .iter()
                        .map(|i| ObjKey::Index(vq.clone(), i.name.clone())),
                ),
            );
        }
        Change::DropView(v) => {
            let vq = QualifiedName::new(&v.schema, &v.name);
            let mut drops = vec![view_key(v)];
            drops.extend(
                v.indexes
                    .iter()
                    .map(|i| ObjKey::Index(vq.clone(), i.name.clone())),
            );
            drops.extend(
                v.triggers
                    .iter()
                    .map(|t| ObjKey::Trigger(vq.clone(), t.name.clone())),
            );
            out.push(
                Node::new(
                    step(
                        view_id(v),
                        Action::Delete,
                        format!("Drop {} {}", view_word(v), display(&vq)),
                        vec![d::drop_view(v)],
                        // A view the plan creates again (recreated around another change, or
                        // redefined) is back before the transaction commits: readers only wait.
                        if ctx.desired.view(&vq).is_some() {
                            vec![]
                        } else {
                            lint::hazards(&Subject::DropView {
                                address: &view_id(v),
                            })
                        },
                    ),
                    rank::DROP_VIEW,
                )
                .drops(drops),
            );
        }
        _ => {}
    }
}

/// `view.<schema>.<name>` or `materialized.…`.
pub(crate) fn view_id(v: &View) -> ObjectId {
    ObjectId::view(&v.schema, &v.name, v.materialized)
}

fn view_key(v: &View) -> ObjKey {
    ObjKey::View(QualifiedName::new(&v.schema, &v.name))
}

fn view_word(v: &View) -> &'static str {
    if v.materialized {
        "materialized view"
    } else {
        "view"
    }
}
