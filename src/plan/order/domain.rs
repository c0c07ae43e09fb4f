//! Domains: created, altered, dropped.

use super::*;
use crate::model::ObjectKind;
use crate::postgres::ddl_objects as d;

pub(super) fn domain_nodes(out: &mut Vec<Node>, c: &Change, ctx: &Ctx) {
    match c {
        Change::CreateDomain(dm) => {
            let q = QualifiedName::new(&dm.schema, &dm.name);
            let mut needs = vec![ObjKey::Schema(q.schema.clone())];
            needs.extend(type_needs(&dm.base));
            needs.extend(collation_needs(ctx, dm.collation.as_deref()));
            needs.extend(ctx.desired_deps(&ObjKey::Type(q.clone())));
            out.push(
                Node::new(
                    step(
                        ObjectId::in_schema(ObjectKind::Domain, &q.schema, &q.name),
                        Action::Create,
                        format!("Create domain {}", display(&q)),
                        d::create_domain(dm),
                        vec![],
                    ),
                    rank::TYPES,
                )
                .creates([ObjKey::Type(q)])
                .needs(needs),
            );
        }
        Change::AlterDomain { from, to } => {
            let q = QualifiedName::new(&to.schema, &to.name);
            let hz = if to.checks.iter().any(|c| !from.checks.contains(c))
                || (to.not_null && !from.not_null)
            {
                lint::hazards(&Subject::AddDomainConstraint { domain: &q })
            } else {
                vec![]
            };
            out.push(
                Node::new(
                    step(
                        ObjectId::in_schema(ObjectKind::Domain, &q.schema, &q.name),
                        Action::Update,
                        format!("Modify domain {}", display(&q)),
                        d::alter_domain(from, to),
                        hz,
                    ),
                    rank::TYPES,
                )
                .alters([ObjKey::Type(q.clone())])
                .needs(ctx.desired_deps(&ObjKey::Type(q))),
            );
        }
        Change::DropDomain(dm) => {
            let q = QualifiedName::new(&dm.schema, &dm.name);
            out.push(
                Node::new(
                    step(
                        ObjectId::in_schema(ObjectKind::Domain, &q.schema, &q.name),
                        Action::Delete,
                        format!("Drop domain {}", display(&q)),
                        vec![d::drop_domain(dm)],
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
