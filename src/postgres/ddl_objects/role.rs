//! Roles and privileges: `CREATE`/`ALTER`/`DROP ROLE`, memberships, `GRANT` and `REVOKE`.

use crate::model::{DefaultGrant, Function, Grant, ObjectId, ObjectKind, Role};
use crate::postgres::quote::{ident, literal, qualified_parts};

/// The attribute keywords of a role, in PostgreSQL's order.
fn attributes(r: &Role) -> String {
    let flag = |on: bool, word: &str| {
        if on {
            word.to_string()
        } else {
            format!("NO{word}")
        }
    };
    [
        flag(r.superuser, "SUPERUSER"),
        flag(r.create_db, "CREATEDB"),
        flag(r.create_role, "CREATEROLE"),
        flag(r.inherit, "INHERIT"),
        flag(r.login, "LOGIN"),
        flag(r.replication, "REPLICATION"),
        flag(r.bypass_rls, "BYPASSRLS"),
        format!("CONNECTION LIMIT {}", r.conn_limit),
    ]
    .join(" ")
}

/// `CREATE ROLE … WITH …`. A password is sent as a SCRAM-SHA-256 verifier computed here (what
/// PostgreSQL stores anyway): the statement never holds the password itself.
pub(crate) fn create_role(r: &Role) -> String {
    let mut sql = format!("CREATE ROLE {} WITH {}", ident(&r.name), attributes(r));
    if let Some(p) = &r.password {
        let verifier = postgres_protocol::password::scram_sha_256(p.expose().as_bytes());
        sql.push_str(&format!(" PASSWORD {}", literal(&verifier)));
    }
    sql
}

/// `ALTER ROLE … WITH …` (every attribute; the password is left as it is).
pub(crate) fn alter_role(r: &Role) -> String {
    format!("ALTER ROLE {} WITH {}", ident(&r.name), attributes(r))
}

pub(crate) fn drop_role(name: &str) -> String {
    format!("DROP ROLE {}", ident(name))
}

/// `GRANT parent TO role`.
pub(crate) fn grant_membership(role: &str, parent: &str) -> String {
    format!("GRANT {} TO {}", ident(parent), ident(role))
}

/// `REVOKE parent FROM role`.
pub(crate) fn revoke_membership(role: &str, parent: &str) -> String {
    format!("REVOKE {} FROM {}", ident(parent), ident(role))
}

/// What a `GRANT … ON` names: `SCHEMA "s"`, `TABLE "s"."t"` (also views), `SEQUENCE …`,
/// `FUNCTION "s"."f"(integer)`. A routine needs its definition (`routine`) for its argument
/// types; `None` when the object cannot take privileges.
pub(crate) fn privilege_target(on: &ObjectId, routine: Option<&Function>) -> Option<String> {
    let schema = on.schema_name();
    Some(match (on.kind(), schema) {
        (ObjectKind::Schema, _) => format!("SCHEMA {}", ident(on.name())),
        (ObjectKind::Table | ObjectKind::View | ObjectKind::Materialized, Some(s)) => {
            format!("TABLE {}", qualified_parts(s, on.name()))
        }
        (ObjectKind::Sequence, Some(s)) => format!("SEQUENCE {}", qualified_parts(s, on.name())),
        (ObjectKind::Enum | ObjectKind::Domain | ObjectKind::Composite, Some(s)) => {
            format!("TYPE {}", qualified_parts(s, on.name()))
        }
        (ObjectKind::Function | ObjectKind::Procedure, Some(_)) => {
            let f = routine?;
            format!(
                "{} {}",
                super::function::kind_word(f),
                super::function::routine_ref(f)
            )
        }
        _ => return None,
    })
}

/// `privilege` or `privilege ("column")`, joined for one statement.
fn privilege_list(grants: &[&Grant]) -> String {
    grants
        .iter()
        .map(|g| match &g.column {
            Some(c) => format!("{} ({})", g.privilege, ident(c)),
            None => g.privilege.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `GRANT … ON target TO grantee [WITH GRANT OPTION]`: one statement for the privileges
/// without the grant option, one for those with it.
pub(crate) fn grant_privileges(target: &str, grantee: &str, grants: &[Grant]) -> Vec<String> {
    let mut out = Vec::new();
    for option in [false, true] {
        let these: Vec<&Grant> = grants.iter().filter(|g| g.grantable == option).collect();
        if these.is_empty() {
            continue;
        }
        out.push(format!(
            "GRANT {} ON {target} TO {}{}",
            privilege_list(&these),
            ident(grantee),
            if option { " WITH GRANT OPTION" } else { "" }
        ));
    }
    out
}

/// `REVOKE [GRANT OPTION FOR] … ON target FROM grantee`.
pub(crate) fn revoke_privileges(
    target: &str,
    grantee: &str,
    revokes: &[(&Grant, bool)],
) -> Vec<String> {
    let mut out = Vec::new();
    for option_only in [false, true] {
        let these: Vec<&Grant> = revokes
            .iter()
            .filter(|(_, o)| *o == option_only)
            .map(|(g, _)| *g)
            .collect();
        if these.is_empty() {
            continue;
        }
        out.push(format!(
            "REVOKE {}{} ON {target} FROM {}",
            if option_only { "GRANT OPTION FOR " } else { "" },
            privilege_list(&these),
            ident(grantee),
        ));
    }
    out
}

/// `ALTER DEFAULT PRIVILEGES FOR ROLE owner [IN SCHEMA s]`.
fn default_prefix(d: &DefaultGrant) -> String {
    let mut sql = format!("ALTER DEFAULT PRIVILEGES FOR ROLE {}", ident(&d.owner));
    if let Some(s) = &d.schema {
        sql.push_str(&format!(" IN SCHEMA {}", ident(s)));
    }
    sql
}

/// `ALTER DEFAULT PRIVILEGES … GRANT … ON kind TO grantee [WITH GRANT OPTION]`: the
/// privileges of one grantee, owner, schema and kind.
pub(crate) fn grant_defaults(grants: &[DefaultGrant]) -> Vec<String> {
    let mut out = Vec::new();
    for option in [false, true] {
        let these: Vec<&DefaultGrant> = grants.iter().filter(|g| g.grantable == option).collect();
        let Some(first) = these.first() else { continue };
        let privileges: Vec<&str> = these.iter().map(|g| g.privilege.as_str()).collect();
        out.push(format!(
            "{} GRANT {} ON {} TO {}{}",
            default_prefix(first),
            privileges.join(", "),
            first.on,
            ident(&first.grantee),
            if option { " WITH GRANT OPTION" } else { "" }
        ));
    }
    out
}

/// `ALTER DEFAULT PRIVILEGES … REVOKE [GRANT OPTION FOR] … ON kind FROM grantee`.
pub(crate) fn revoke_defaults(revokes: &[(DefaultGrant, bool)]) -> Vec<String> {
    let mut out = Vec::new();
    for option_only in [false, true] {
        let these: Vec<&DefaultGrant> = revokes
            .iter()
            .filter(|(_, o)| *o == option_only)
            .map(|(g, _)| g)
            .collect();
        let Some(first) = these.first() else { continue };
        let privileges: Vec<&str> = these.iter().map(|g| g.privilege.as_str()).collect();
        out.push(format!(
            "{} REVOKE {}{} ON {} FROM {}",
            default_prefix(first),
            if option_only { "GRANT OPTION FOR " } else { "" },
            privileges.join(", "),
            first.on,
            ident(&first.grantee),
        ));
    }
    out
}
