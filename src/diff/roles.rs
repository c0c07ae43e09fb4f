//! Roles (created, altered, dropped; memberships granted and revoked) and privileges (granted
//! and revoked, per role and object). The models hold only what the env manages (see
//! `model::Scope::restrict`), so everything here is in scope.

use super::*;
use std::collections::BTreeMap;

/// The role and privilege changes between `current` and `desired`; `changes` already holds the
/// other kinds' (an object created or recreated by them starts without privileges).
pub(super) fn diff_roles(current: &Model, desired: &Model, changes: &mut Vec<Change>) {
    let mut out = Vec::new();
    for (name, want) in &desired.roles {
        let have = current.roles.get(name);
        match have {
            None => out.push(Change::CreateRole(want.clone())),
            Some(have) if !have.same_attributes(want) => out.push(Change::AlterRole {
                from: have.clone(),
                to: want.clone(),
            }),
            Some(_) => {}
        }
        let had: &[String] = have.map_or(&[], |h| &h.member_of);
        for parent in want.member_of.iter().filter(|p| !had.contains(p)) {
            out.push(Change::GrantMembership {
                role: name.clone(),
                parent: parent.clone(),
            });
        }
        for parent in had.iter().filter(|p| !want.member_of.contains(p)) {
            out.push(Change::RevokeMembership {
                role: name.clone(),
                parent: parent.clone(),
            });
        }
    }
    for (name, have) in &current.roles {
        if !desired.roles.contains_key(name) {
            out.push(Change::DropRole(have.clone()));
        }
    }
    privileges(current, desired, changes, &mut out);
    default_privileges(current, desired, &mut out);
    changes.extend(out);
}

/// Default privileges granted and revoked, gathered per grantee, owner, schema and kind.
fn default_privileges(current: &Model, desired: &Model, out: &mut Vec<Change>) {
    type Group = (String, String, Option<String>, String);
    let group = |d: &DefaultGrant| -> Group {
        (
            d.grantee.clone(),
            d.owner.clone(),
            d.schema.clone(),
            d.on.clone(),
        )
    };
    let key = |d: &DefaultGrant| (group(d), d.privilege.clone());
    let have: BTreeMap<_, &DefaultGrant> =
        current.default_grants.iter().map(|d| (key(d), d)).collect();
    let want: BTreeMap<_, &DefaultGrant> =
        desired.default_grants.iter().map(|d| (key(d), d)).collect();
    let mut grants: BTreeMap<Group, Vec<DefaultGrant>> = BTreeMap::new();
    let mut revokes: BTreeMap<Group, Vec<(DefaultGrant, bool)>> = BTreeMap::new();
    for (k, w) in &want {
        match have.get(k) {
            Some(h) if h.grantable == w.grantable => {}
            Some(h) if !w.grantable => revokes
                .entry(k.0.clone())
                .or_default()
                .push(((*h).clone(), true)),
            _ => grants.entry(k.0.clone()).or_default().push((*w).clone()),
        }
    }
    for (k, h) in &have {
        if !want.contains_key(k) {
            revokes
                .entry(k.0.clone())
                .or_default()
                .push(((*h).clone(), false));
        }
    }
    out.extend(revokes.into_values().map(Change::RevokeDefaults));
    out.extend(grants.into_values().map(Change::GrantDefaults));
}

/// The objects `changes` creates: they start with no privileges but their owner's.
fn created(changes: &[Change]) -> HashSet<ObjectId> {
    changes
        .iter()
        .filter_map(|c| match c {
            Change::CreateSchema(s) => Some(ObjectId::schema(&s.name)),
            Change::CreateTable(t) => Some(ObjectId::table(&t.qualified())),
            Change::CreateView(v) => Some(ObjectId::view(&v.schema, &v.name, v.materialized)),
            Change::CreateSequence(s) => {
                Some(ObjectId::sequence(&QualifiedName::new(&s.schema, &s.name)))
            }
            Change::CreateEnum(e) | Change::RebuildEnum { to: e, .. } => {
                Some(ObjectId::enum_type(&QualifiedName::new(&e.schema, &e.name)))
            }
            Change::CreateDomain(d) => Some(ObjectId::in_schema(
                crate::model::ObjectKind::Domain,
                &d.schema,
                &d.name,
            )),
            Change::CreateComposite(c) => Some(ObjectId::in_schema(
                crate::model::ObjectKind::Composite,
                &c.schema,
                &c.name,
            )),
            Change::CreateFunction(f) => Some(ObjectId::routine(
                f.kind,
                &f.schema,
                &crate::postgres::types::signature(f),
            )),
            _ => None,
        })
        .collect()
}

type Key = (ObjectId, Option<String>, String, String);

fn key(g: &Grant) -> Key {
    (
        g.on.clone(),
        g.column.clone(),
        g.grantee.clone(),
        g.privilege.clone(),
    )
}

/// Grants and revokes, gathered per role and object.
fn privileges(current: &Model, desired: &Model, changes: &[Change], out: &mut Vec<Change>) {
    let fresh = created(changes);
    let have: BTreeMap<Key, &Grant> = current
        .grants
        .iter()
        .filter(|g| !fresh.contains(&g.on))
        .map(|g| (key(g), g))
        .collect();
    let want: BTreeMap<Key, &Grant> = desired.grants.iter().map(|g| (key(g), g)).collect();
    let mut grants: BTreeMap<(String, ObjectId), Vec<Grant>> = BTreeMap::new();
    let mut revokes: BTreeMap<(String, ObjectId), Vec<Revoke>> = BTreeMap::new();
    for (k, w) in &want {
        match have.get(k) {
            None => grants
                .entry((w.grantee.clone(), w.on.clone()))
                .or_default()
                .push((*w).clone()),
            Some(h) if h.grantable == w.grantable => {}
            Some(h) if w.grantable => grants
                .entry((h.grantee.clone(), h.on.clone()))
                .or_default()
                .push((*w).clone()),
            Some(h) => revokes
                .entry((h.grantee.clone(), h.on.clone()))
                .or_default()
                .push(Revoke {
                    grant: (*h).clone(),
                    option_only: true,
                }),
        }
    }
    for (k, h) in &have {
        // An object (or column) that goes away takes its privileges with it.
        if want.contains_key(k) || !desired.has_grant_target(h) {
            continue;
        }
        revokes
            .entry((h.grantee.clone(), h.on.clone()))
            .or_default()
            .push(Revoke {
                grant: (*h).clone(),
                option_only: false,
            });
    }
    for ((grantee, on), revokes) in revokes {
        out.push(Change::RevokePrivileges {
            grantee,
            on,
            revokes,
        });
    }
    for ((grantee, on), grants) in grants {
        out.push(Change::GrantPrivileges {
            grantee,
            on,
            grants,
        });
    }
}
