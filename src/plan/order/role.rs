//! Roles (created first, dropped last), memberships and privileges (granted once the role and
//! the object exist, revoked before anything else is dropped).

use super::*;
use crate::diff::Revoke;
use crate::model::{DefaultGrant, Function, Grant, ObjectKind, Role};
use crate::postgres::ddl_objects as d;

pub(super) fn role_nodes(out: &mut Vec<Node>, c: &Change, ctx: &Ctx) {
    match c {
        Change::CreateRole(r) => out.push(
            Node::new(
                step(
                    ObjectId::role(&r.name),
                    Action::Create,
                    format!("Create role {}", quote::ident(&r.name)),
                    vec![d::create_role(r)],
                    vec![],
                ),
                rank::SCHEMA,
            )
            .creates([role_key(&r.name)]),
        ),
        Change::AlterRole { to, .. } => out.push(
            Node::new(
                step(
                    ObjectId::role(&to.name),
                    Action::Update,
                    format!("Modify role {}", quote::ident(&to.name)),
                    vec![d::alter_role(to)],
                    vec![],
                ),
                rank::SCHEMA,
            )
            .alters([role_key(&to.name)]),
        ),
        Change::DropRole(r) => out.push(drop_role(r)),
        Change::GrantMembership { role, parent } => out.push(
            Node::new(
                step(
                    membership_id(role, parent),
                    Action::Create,
                    format!(
                        "Grant role {} to {}",
                        quote::ident(parent),
                        quote::ident(role)
                    ),
                    vec![d::grant_membership(role, parent)],
                    vec![],
                ),
                rank::SCHEMA,
            )
            .needs([role_key(role), role_key(parent)]),
        ),
        Change::RevokeMembership { role, parent } => out.push(
            Node::new(
                step(
                    membership_id(role, parent),
                    Action::Delete,
                    format!(
                        "Revoke role {} from {}",
                        quote::ident(parent),
                        quote::ident(role)
                    ),
                    vec![d::revoke_membership(role, parent)],
                    lint::hazards(&Subject::Revoke {
                        grantee: role,
                        what: &format!("membership in role \"{parent}\""),
                    }),
                ),
                rank::DROP_TRIGGER_POLICY,
            )
            .alters([role_key(role)]),
        ),
        Change::GrantPrivileges {
            grantee,
            on,
            grants,
        } => {
            if let Some(n) = grant_node(grantee, on, grants, ctx) {
                out.push(n);
            }
        }
        Change::RevokePrivileges {
            grantee,
            on,
            revokes,
        } => {
            if let Some(n) = revoke_node(grantee, on, revokes, ctx) {
                out.push(n);
            }
        }
        Change::GrantDefaults(grants) => out.extend(grant_defaults_node(grants)),
        Change::RevokeDefaults(revokes) => out.extend(revoke_defaults_node(revokes)),
        _ => {}
    }
}

fn drop_role(r: &Role) -> Node {
    Node::new(
        step(
            ObjectId::role(&r.name),
            Action::Delete,
            format!("Drop role {}", quote::ident(&r.name)),
            vec![d::drop_role(&r.name)],
            lint::hazards(&Subject::DropRole {
                name: &r.name,
                owned: r.dependents.owned,
                elsewhere: r.dependents.elsewhere,
            }),
        ),
        rank::DROP_SCHEMA,
    )
    .drops([role_key(&r.name)])
}

/// `permission.<role>@role.<parent>`: a role's membership in another.
pub(crate) fn membership_id(role: &str, parent: &str) -> ObjectId {
    ObjectId::permission(role, &ObjectId::role(parent))
}

fn role_key(name: &str) -> ObjKey {
    ObjKey::Role(name.to_string())
}

/// The function or procedure `on` names, in `model`.
fn routine<'m>(model: &'m Model, on: &ObjectId) -> Option<&'m Function> {
    model
        .schemas
        .get(on.schema_name()?)?
        .functions
        .get(on.name())
}

/// The keys a privilege on `on` (and its columns) needs to exist.
fn object_keys(on: &ObjectId, grants: &[Grant]) -> Vec<ObjKey> {
    let Some(schema) = on.schema_name() else {
        return vec![ObjKey::Schema(on.name().to_string())];
    };
    let q = QualifiedName::new(schema, on.name());
    let mut keys = match on.kind() {
        ObjectKind::Table => vec![ObjKey::Table(q.clone())],
        ObjectKind::View | ObjectKind::Materialized => vec![ObjKey::View(q.clone())],
        ObjectKind::Sequence => vec![ObjKey::Sequence(q.clone())],
        ObjectKind::Enum | ObjectKind::Domain | ObjectKind::Composite => {
            vec![ObjKey::Type(q.clone())]
        }
        _ => vec![ObjKey::Function(schema.to_string(), on.name().to_string())],
    };
    keys.extend(
        grants
            .iter()
            .filter_map(|g| g.column.as_ref())
            .map(|c| col(&q, c)),
    );
    keys
}

/// What a list of privileges says in a description: `SELECT, INSERT (email)`.
fn privileges_text(grants: &[&Grant]) -> String {
    grants
        .iter()
        .map(|g| match &g.column {
            Some(c) => format!("{} ({c})", g.privilege),
            None => g.privilege.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn grant_node(grantee: &str, on: &ObjectId, grants: &[Grant], ctx: &Ctx) -> Option<Node> {
    let target = d::privilege_target(on, routine(ctx.desired, on))?;
    let all: Vec<&Grant> = grants.iter().collect();
    Some(
        Node::new(
            step(
                ObjectId::permission(grantee, on),
                Action::Create,
                format!(
                    "Grant {} on {target} to {}",
                    privileges_text(&all),
                    quote::ident(grantee)
                ),
                d::grant_privileges(&target, grantee, grants),
                vec![],
            ),
            rank::TRIGGER_POLICY,
        )
        .needs(object_keys(on, grants))
        .needs([role_key(grantee)]),
    )
}

fn revoke_node(grantee: &str, on: &ObjectId, revokes: &[Revoke], ctx: &Ctx) -> Option<Node> {
    let routine = routine(ctx.current, on).or_else(|| routine(ctx.desired, on));
    let target = d::privilege_target(on, routine)?;
    let pairs: Vec<(&Grant, bool)> = revokes.iter().map(|r| (&r.grant, r.option_only)).collect();
    let all: Vec<&Grant> = revokes.iter().map(|r| &r.grant).collect();
    let what = privileges_text(&all);
    let option_only = revokes.iter().all(|r| r.option_only);
    let what = if option_only {
        format!("the grant option for {what} on {target}")
    } else {
        format!("{what} on {target}")
    };
    Some(Node::new(
        step(
            ObjectId::permission(grantee, on),
            Action::Delete,
            format!("Revoke {what} from {}", quote::ident(grantee)),
            d::revoke_privileges(&target, grantee, &pairs),
            lint::hazards(&Subject::Revoke {
                grantee,
                what: &what,
            }),
        ),
        // Before objects and roles are dropped.
        rank::DROP_TRIGGER_POLICY,
    ))
}

/// What default privileges say in a description: `SELECT, INSERT on TABLES created by "owner"
/// in schema "s"`.
fn defaults_text(first: &DefaultGrant, privileges: &[&str]) -> String {
    let mut s = format!(
        "default privileges {} on {} created by {}",
        privileges.join(", "),
        first.on,
        quote::ident(&first.owner)
    );
    if let Some(schema) = &first.schema {
        s.push_str(&format!(" in schema {}", quote::ident(schema)));
    }
    s
}

fn grant_defaults_node(grants: &[DefaultGrant]) -> Option<Node> {
    let first = grants.first()?;
    let privileges: Vec<&str> = grants.iter().map(|g| g.privilege.as_str()).collect();
    let mut needs = vec![role_key(&first.grantee), role_key(&first.owner)];
    needs.extend(first.schema.iter().map(|s| ObjKey::Schema(s.clone())));
    Some(
        Node::new(
            step(
                first.address(),
                Action::Create,
                format!(
                    "Grant {} to {}",
                    defaults_text(first, &privileges),
                    quote::ident(&first.grantee)
                ),
                d::grant_defaults(grants),
                vec![],
            ),
            rank::TRIGGER_POLICY,
        )
        .needs(needs),
    )
}

fn revoke_defaults_node(revokes: &[(DefaultGrant, bool)]) -> Option<Node> {
    let (first, _) = revokes.first()?;
    let privileges: Vec<&str> = revokes.iter().map(|(g, _)| g.privilege.as_str()).collect();
    let what = defaults_text(first, &privileges);
    Some(Node::new(
        step(
            first.address(),
            Action::Delete,
            format!("Revoke {what} from {}", quote::ident(&first.grantee)),
            d::revoke_defaults(revokes),
            lint::hazards(&Subject::Revoke {
                grantee: &first.grantee,
                what: &what,
            }),
        ),
        rank::DROP_TRIGGER_POLICY,
    ))
}
