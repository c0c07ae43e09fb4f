//! The reviewer's view of roles, memberships and privileges.

use super::{Attrs, as_new, as_old, at, diff_attrs, list, node, q};
use crate::diff::Change;
use crate::model::{DefaultGrant, Grant, ObjectId, ObjectKind, Role};
use crate::plan::order::membership_id;
use crate::plan::{Action, AttrChange, ObjectChange};

fn role_attrs(r: &Role) -> Attrs {
    let flags = [
        ("login", r.login, false),
        ("superuser", r.superuser, false),
        ("create_db", r.create_db, false),
        ("create_role", r.create_role, false),
        ("inherit", r.inherit, true),
        ("replication", r.replication, false),
        ("bypass_rls", r.bypass_rls, false),
    ];
    let mut out: Attrs = flags
        .iter()
        .filter(|(_, v, d)| v != d)
        .map(|(k, v, _)| (k.to_string(), v.to_string()))
        .collect();
    if r.conn_limit != -1 {
        out.push(("conn_limit".into(), r.conn_limit.to_string()));
    }
    if r.password.is_some() {
        out.push(("password".into(), "(sensitive)".into()));
    }
    out
}

fn privileges(grants: &[&Grant]) -> Attrs {
    let items: Vec<String> = grants
        .iter()
        .map(|g| {
            let mut s = g.privilege.clone();
            if let Some(c) = &g.column {
                s.push_str(&format!(" ({c})"));
            }
            if g.grantable {
                s.push_str(" WITH GRANT OPTION");
            }
            s
        })
        .collect();
    vec![("privileges".into(), list(&items))]
}

/// Roles created, altered, dropped; memberships and privileges granted or revoked.
pub(super) fn role_object(c: &Change) -> Option<ObjectChange> {
    Some(match c {
        Change::CreateRole(r) => at(
            node(
                ObjectKind::Role,
                &r.name,
                Action::Create,
                as_new(role_attrs(r)),
            ),
            ObjectId::role(&r.name),
        ),
        Change::AlterRole { from, to } => at(
            node(
                ObjectKind::Role,
                &to.name,
                Action::Update,
                diff_attrs(role_attrs(from), role_attrs(to)),
            ),
            ObjectId::role(&to.name),
        ),
        Change::DropRole(r) => at(
            node(
                ObjectKind::Role,
                &r.name,
                Action::Delete,
                as_old(role_attrs(r)),
            ),
            ObjectId::role(&r.name),
        ),
        Change::GrantMembership { role, parent } | Change::RevokeMembership { role, parent } => {
            let granted = matches!(c, Change::GrantMembership { .. });
            let change = AttrChange {
                name: "member_of".into(),
                old: (!granted).then(|| q(parent)),
                new: granted.then(|| q(parent)),
            };
            let id = membership_id(role, parent);
            let action = if granted {
                Action::Create
            } else {
                Action::Delete
            };
            at(
                node(ObjectKind::Permission, id.name(), action, vec![change]),
                id,
            )
        }
        Change::GrantPrivileges {
            grantee,
            on,
            grants,
        } => {
            let all: Vec<&Grant> = grants.iter().collect();
            let id = ObjectId::permission(grantee, on);
            at(
                node(
                    ObjectKind::Permission,
                    id.name(),
                    Action::Create,
                    as_new(privileges(&all)),
                ),
                id,
            )
        }
        Change::RevokePrivileges {
            grantee,
            on,
            revokes,
        } => {
            let all: Vec<&Grant> = revokes.iter().map(|r| &r.grant).collect();
            let id = ObjectId::permission(grantee, on);
            at(
                node(
                    ObjectKind::Permission,
                    id.name(),
                    Action::Delete,
                    as_old(privileges(&all)),
                ),
                id,
            )
        }
        Change::GrantDefaults(grants) => {
            let first = grants.first()?;
            let all: Vec<String> = grants.iter().map(default_text).collect();
            let id = first.address();
            at(
                node(
                    ObjectKind::Permission,
                    id.name(),
                    Action::Create,
                    as_new(vec![("default_privileges".into(), list(&all))]),
                ),
                id,
            )
        }
        Change::RevokeDefaults(revokes) => {
            let (first, _) = revokes.first()?;
            let all: Vec<String> = revokes.iter().map(|(g, _)| default_text(g)).collect();
            let id = first.address();
            at(
                node(
                    ObjectKind::Permission,
                    id.name(),
                    Action::Delete,
                    as_old(vec![("default_privileges".into(), list(&all))]),
                ),
                id,
            )
        }
        _ => return None,
    })
}

fn default_text(g: &DefaultGrant) -> String {
    let mut s = format!("{} ON {}", g.privilege, g.on);
    if g.grantable {
        s.push_str(" WITH GRANT OPTION");
    }
    s
}
