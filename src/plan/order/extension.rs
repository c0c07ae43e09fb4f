//! Extensions: created, updated, dropped.

use super::*;
use crate::postgres::ddl_objects as d;

pub(super) fn extension_nodes(out: &mut Vec<Node>, c: &Change) {
    match c {
        Change::CreateExtension(e) => {
            let mut n = Node::new(
                step(
                    ObjectId::extension(&e.name),
                    Action::Create,
                    format!("Create extension {}", quote::ident(&e.name)),
                    vec![d::create_extension(e)],
                    vec![],
                ),
                rank::EXTENSION,
            )
            .creates([ObjKey::Extension(e.name.clone())]);
            if let Some(s) = &e.schema {
                n = n.needs([ObjKey::Schema(s.clone())]);
            }
            out.push(n);
        }
        Change::AlterExtension { from, to } => out.push(
            Node::new(
                step(
                    ObjectId::extension(&to.name),
                    Action::Update,
                    format!("Update extension {}", quote::ident(&to.name)),
                    d::alter_extension(from, to),
                    lint::hazards(&Subject::UpdateExtension {
                        name: &to.name,
                        from: from.version.as_deref(),
                        to: to.version.as_deref(),
                    }),
                ),
                rank::EXTENSION,
            )
            .alters([ObjKey::Extension(to.name.clone())]),
        ),
        Change::DropExtension(e) => out.push(
            Node::new(
                step(
                    ObjectId::extension(&e.name),
                    Action::Delete,
                    format!("Drop extension {}", quote::ident(&e.name)),
                    vec![d::drop_extension(&e.name)],
                    lint::hazards(&Subject::DropExtension { name: &e.name }),
                ),
                rank::DROP_EXTENSION,
            )
            .drops([ObjKey::Extension(e.name.clone())]),
        ),
        _ => {}
    }
}
