//! Roles (`pg_roles`), memberships (`pg_auth_members`) and what a role owns across the cluster
//! (`pg_shdepend`): read only when the env manages roles (`schema { mode { roles = … } }`).

use super::*;

/// Privileges: `Grant` entries of the model, for the managed roles, when the env manages
/// permissions (else ignored).
pub(super) const GRANTS: Coverage =
    M("Model.grants (managed roles' privileges, with `permissions` opted in)");

pub(crate) const PG_ROLES: Relation = Relation {
    name: "pg_roles",
    columns: &[
        ("oid", OID),
        ("rolname", M("Role.name")),
        ("rolsuper", M("Role.superuser")),
        ("rolinherit", M("Role.inherit")),
        ("rolcreaterole", M("Role.create_role")),
        ("rolcreatedb", M("Role.create_db")),
        ("rolcanlogin", M("Role.login")),
        ("rolreplication", M("Role.replication")),
        ("rolconnlimit", M("Role.conn_limit")),
        ("rolbypassrls", M("Role.bypass_rls")),
        (
            "rolpassword",
            X("always masked in pg_roles; a password is set on create, never read back"),
        ),
        ("rolvaliduntil", X("password expiry is not managed")),
        (
            "rolconfig",
            X("per-role settings (ALTER ROLE … SET) are not managed"),
        ),
    ],
};

pub(crate) const PG_AUTH_MEMBERS: Relation = Relation {
    name: "pg_auth_members",
    columns: &[
        ("oid", OID),
        ("roleid", M("Role.member_of (the parent role)")),
        ("member", I("join key: the member role")),
        ("grantor", X("who granted a membership is not managed")),
        ("admin_option", X("WITH ADMIN OPTION is not managed")),
        ("inherit_option", X("per-membership INHERIT is not managed")),
        ("set_option", X("per-membership SET is not managed")),
    ],
};

pub(crate) const PG_DEFAULT_ACL: Relation = Relation {
    name: "pg_default_acl",
    columns: &[
        ("oid", OID),
        ("defaclrole", M("DefaultGrant.owner")),
        (
            "defaclnamespace",
            M("DefaultGrant.schema (0: the whole database)"),
        ),
        ("defaclobjtype", M("DefaultGrant.on")),
        (
            "defaclacl",
            M("Model.default_grants (managed roles' entries, with `permissions` opted in)"),
        ),
    ],
};

pub(crate) const PG_SHDEPEND: Relation = Relation {
    name: "pg_shdepend",
    columns: &[
        (
            "dbid",
            I("counts what a dropped role keeps elsewhere (Role.dependents)"),
        ),
        ("classid", I("counted only")),
        ("objid", I("counted only")),
        ("objsubid", I("counted only")),
        ("refclassid", I("join key: pg_authid")),
        ("refobjid", I("join key: the role")),
        ("deptype", I("owner or privilege: Role.dependents")),
    ],
};
