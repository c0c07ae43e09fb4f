//! Canonical HCL for roles (`role`, or `user` for one that can log in) and privileges
//! (`permission` blocks, one per role, object, column and grant option).

use super::writer::{HclBlock, Namer, segment, string_literal};
use crate::model::{DefaultGrant, Grant, Model, ObjectKind, QualifiedName, Role};
use std::collections::BTreeMap;

/// A role as a `user` (it can log in) or `role` block; attributes at PostgreSQL's defaults are
/// left out. The password is never written (it cannot be read back).
pub(crate) fn role_block(r: &Role, model: &Model) -> HclBlock {
    let mut b = HclBlock::new(if r.login { "user" } else { "role" }, &[&r.name]);
    let flags = [
        ("superuser", r.superuser, false),
        ("create_db", r.create_db, false),
        ("create_role", r.create_role, false),
        ("inherit", r.inherit, true),
        ("replication", r.replication, false),
        ("bypass_rls", r.bypass_rls, false),
    ];
    for (key, value, default) in flags {
        if value != default {
            b.attr(key, value.to_string());
        }
    }
    if r.conn_limit != -1 {
        b.attr("conn_limit", r.conn_limit.to_string());
    }
    if !r.member_of.is_empty() {
        let refs: Vec<String> = r.member_of.iter().map(|m| role_ref(m, model)).collect();
        b.attr("member_of", format!("[{}]", refs.join(", ")));
    }
    b
}

/// `role.x` / `user.x` for a role the model declares, else its name as a string.
fn role_ref(name: &str, model: &Model) -> String {
    match model.roles.get(name) {
        Some(r) => format!("{}{}", if r.login { "user" } else { "role" }, segment(name)),
        None => string_literal(name),
    }
}

/// The `permission` blocks of the model's grants.
pub(crate) fn permission_blocks(model: &Model, namer: &Namer) -> Vec<HclBlock> {
    let mut groups: BTreeMap<(&str, String, Option<&str>, bool), Vec<&str>> = BTreeMap::new();
    for g in &model.grants {
        let Some(target) = target_ref(g, model, namer) else {
            continue;
        };
        groups
            .entry((&g.grantee, target, g.column.as_deref(), g.grantable))
            .or_default()
            .push(&g.privilege);
    }
    groups
        .into_iter()
        .map(|((grantee, target, column, grantable), privileges)| {
            let mut b = HclBlock::new("permission", &[]);
            b.attr("to", role_ref(grantee, model));
            let mut target = target;
            if let Some(c) = column {
                target.push_str(&format!(".column{}", segment(c)));
            }
            b.attr("for", target);
            b.attr("privileges", format!("[{}]", privileges.join(", ")));
            if grantable {
                b.attr("grantable", "true");
            }
            b
        })
        .collect()
}

/// `schema.s`, `table.t`, `view.v`, `sequence.q`, `function.f`, … for the object of a grant.
fn target_ref(g: &Grant, model: &Model, namer: &Namer) -> Option<String> {
    let kind = g.on.kind();
    let Some(schema) = g.on.schema_name() else {
        return Some(format!("{}{}", ObjectKind::Schema, segment(g.on.name())));
    };
    let name = match kind {
        ObjectKind::Function | ObjectKind::Procedure => model
            .schemas
            .get(schema)?
            .functions
            .get(g.on.name())?
            .name
            .clone(),
        _ => g.on.name().to_string(),
    };
    let ref_kind = match kind {
        // Procedures are declared in `function`'s namespace of the namer.
        ObjectKind::Procedure => ObjectKind::Function,
        k => k,
    };
    let r = namer.reference(ref_kind.as_str(), &QualifiedName::new(schema, &name));
    Some(match kind {
        ObjectKind::Procedure => {
            format!("{}{}", ObjectKind::Procedure, &r[ref_kind.as_str().len()..])
        }
        _ => r,
    })
}

/// The `default_privileges` blocks of the model's default grants.
pub(crate) fn default_privileges_blocks(model: &Model) -> Vec<HclBlock> {
    type Group<'m> = (&'m str, &'m str, Option<&'m str>, &'m str, bool);
    let mut groups: BTreeMap<Group, Vec<&str>> = BTreeMap::new();
    for d in &model.default_grants {
        let DefaultGrant {
            owner,
            schema,
            on,
            grantee,
            privilege,
            grantable,
        } = d;
        groups
            .entry((grantee, owner, schema.as_deref(), on, *grantable))
            .or_default()
            .push(privilege);
    }
    groups
        .into_iter()
        .map(|((grantee, owner, schema, on, grantable), privileges)| {
            let mut b = HclBlock::new("default_privileges", &[]);
            b.attr("owner", role_ref(owner, model));
            if let Some(s) = schema {
                b.attr("schema", format!("{}{}", ObjectKind::Schema, segment(s)));
            }
            b.attr("on", on);
            b.attr("to", role_ref(grantee, model));
            b.attr("privileges", format!("[{}]", privileges.join(", ")));
            if grantable {
                b.attr("grantable", "true");
            }
            b
        })
        .collect()
}
