//! Roles (`pg_roles`, memberships from `pg_auth_members`, what keeps a drop from succeeding from
//! `pg_shdepend`) and the privileges granted on the inspected objects, from the catalogs' `*acl`
//! columns through `aclexplode`: one query per catalog (schemas, relations, columns, routines).
//! Read only when the env manages roles or privileges ([`RoleScope`]); only the managed roles'
//! are kept. `PUBLIC`'s privileges and the owner's own (implicit) ones are never read.

use super::objects::{type_desc_sql, type_from_desc};
use crate::model::{DefaultGrant, Dependents, Grant, Model, ObjectId, ObjectKind, Role, RoleScope};
use crate::postgres::rows::{Cols, RowError};
use crate::postgres::types::display;
use tokio_postgres::types::ToSql;
use tokio_postgres::{GenericClient, Row};

/// The rows of the role query and of the privilege queries (empty when privileges are not
/// managed), pipelined on `client`.
pub(super) async fn rows<C: GenericClient + Sync>(
    client: &C,
    scope: Option<&RoleScope>,
    schemas: &[&(dyn ToSql + Sync)],
) -> Result<RoleRows, super::InspectError> {
    let Some(scope) = scope else {
        return Ok(RoleRows::default());
    };
    let grants = async {
        if !scope.permissions {
            return Ok((Vec::new(), Vec::new()));
        }
        let (rel, col, routine) = (relation_acl_sql(), column_acl_sql(), routine_acl_sql());
        let (a, b, c, d, e, f) = tokio::try_join!(
            super::query(client, "schema privileges", SCHEMA_ACL, schemas),
            super::query(client, "relation privileges", &rel, schemas),
            super::query(client, "column privileges", &col, schemas),
            super::query(client, "routine privileges", &routine, schemas),
            super::query(client, "type privileges", TYPE_ACL, schemas),
            super::query(client, "default privileges", DEFAULT_ACL, schemas),
        )?;
        Ok(([a, b, c, d, e].concat(), f))
    };
    let roles = async {
        if scope.roles {
            super::query(client, "roles", ROLES, &[]).await
        } else {
            Ok(Vec::new())
        }
    };
    let (roles, (grants, defaults)) = tokio::try_join!(roles, grants)?;
    Ok(RoleRows {
        roles,
        grants,
        defaults,
    })
}

/// The rows of the role queries: roles, privileges, default privileges.
#[derive(Default)]
pub(super) struct RoleRows {
    roles: Vec<Row>,
    grants: Vec<Row>,
    defaults: Vec<Row>,
}

/// Default privileges (`pg_default_acl`) for the whole database or a listed schema; the
/// owner's own entries are implicit.
const DEFAULT_ACL: &str = "SELECT pg_get_userbyid(d.defaclrole)::text AS owner, n.nspname::text AS schema, \
        d.defaclobjtype::text AS objtype, g.rolname::text AS grantee, \
        a.privilege_type::text AS privilege, a.is_grantable \
     FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace \
     CROSS JOIN LATERAL aclexplode(d.defaclacl) a JOIN pg_roles g ON g.oid = a.grantee \
     WHERE a.grantee <> d.defaclrole \
       AND (d.defaclnamespace = 0 OR $1::text[] IS NULL OR n.nspname = ANY($1))";

/// Every role but PostgreSQL's predefined ones, the bootstrap superuser and the role strata is
/// connected as (never managed: a plan must not drop or weaken the role that runs it).
const ROLES: &str = "SELECT r.rolname::text AS name, r.rolsuper, r.rolinherit, r.rolcreaterole, \
        r.rolcreatedb, r.rolcanlogin, r.rolreplication, r.rolbypassrls, r.rolconnlimit, \
        ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid \
              WHERE m.member = r.oid ORDER BY 1) AS member_of, \
        (SELECT count(*) FROM pg_shdepend d WHERE d.refclassid = 'pg_authid'::regclass \
           AND d.refobjid = r.oid AND d.deptype = 'o') AS owned, \
        (SELECT count(*) FROM pg_shdepend d WHERE d.refclassid = 'pg_authid'::regclass \
           AND d.refobjid = r.oid AND d.deptype <> 'o' AND d.dbid <> 0 \
           AND d.dbid <> (SELECT oid FROM pg_database WHERE datname = current_database())) AS elsewhere \
     FROM pg_roles r \
     WHERE r.rolname !~ '^pg_' AND r.oid <> 10 AND r.rolname <> current_user";

const NOT_SYSTEM: &str = "n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' AND ($1::text[] IS NULL OR n.nspname = ANY($1))";

/// Schemas' privileges.
const SCHEMA_ACL: &str = "SELECT 'schema'::text AS kind, n.nspname::text AS schema, n.nspname::text AS name, \
        NULL::text AS col, g.rolname::text AS grantee, a.privilege_type::text AS privilege, \
        a.is_grantable, ARRAY[]::text[] AS argtypes \
     FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a JOIN pg_roles g ON g.oid = a.grantee \
     WHERE a.grantee <> n.nspowner AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' \
       AND ($1::text[] IS NULL OR n.nspname = ANY($1))";

/// Enums', domains' and composite types' privileges.
const TYPE_ACL: &str = "SELECT CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' ELSE 'composite' END AS kind, \
        n.nspname::text AS schema, t.typname::text AS name, NULL::text AS col, \
        g.rolname::text AS grantee, a.privilege_type::text AS privilege, a.is_grantable, \
        ARRAY[]::text[] AS argtypes \
     FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
     CROSS JOIN LATERAL aclexplode(t.typacl) a JOIN pg_roles g ON g.oid = a.grantee \
     WHERE (t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class c \
            WHERE c.oid = t.typrelid AND c.relkind = 'c'))) \
       AND a.grantee <> t.typowner AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' \
       AND ($1::text[] IS NULL OR n.nspname = ANY($1))";

const RELATION_KIND: &str = "CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized' \
        WHEN 'S' THEN 'sequence' ELSE 'table' END";

/// Tables', views', materialized views' and sequences' privileges.
fn relation_acl_sql() -> String {
    format!(
        "SELECT {RELATION_KIND} AS kind, n.nspname::text AS schema, c.relname::text AS name, NULL::text AS col, \
        g.rolname::text AS grantee, a.privilege_type::text AS privilege, a.is_grantable, \
        ARRAY[]::text[] AS argtypes \
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
     CROSS JOIN LATERAL aclexplode(c.relacl) a JOIN pg_roles g ON g.oid = a.grantee \
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND a.grantee <> c.relowner AND {NOT_SYSTEM}"
    )
}

/// Column privileges of tables and views.
fn column_acl_sql() -> String {
    format!(
        "SELECT {RELATION_KIND} AS kind, n.nspname::text AS schema, c.relname::text AS name, att.attname::text AS col, \
        g.rolname::text AS grantee, a.privilege_type::text AS privilege, a.is_grantable, \
        ARRAY[]::text[] AS argtypes \
     FROM pg_attribute att JOIN pg_class c ON c.oid = att.attrelid \
     JOIN pg_namespace n ON n.oid = c.relnamespace \
     CROSS JOIN LATERAL aclexplode(att.attacl) a JOIN pg_roles g ON g.oid = a.grantee \
     WHERE att.attnum > 0 AND NOT att.attisdropped AND att.attacl IS NOT NULL \
       AND c.relkind IN ('r', 'p', 'v', 'm') AND a.grantee <> c.relowner AND {NOT_SYSTEM}"
    )
}

/// Functions' and procedures' privileges, with their input argument types (the signature).
fn routine_acl_sql() -> String {
    format!(
        "SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END AS kind, \
                n.nspname::text AS schema, p.proname::text AS name, NULL::text AS col, \
                g.rolname::text AS grantee, a.privilege_type::text AS privilege, a.is_grantable, \
                ARRAY(SELECT {} FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY u(t, i) ORDER BY i) AS argtypes \
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
         CROSS JOIN LATERAL aclexplode(p.proacl) a JOIN pg_roles g ON g.oid = a.grantee \
         WHERE p.prokind IN ('f', 'p') AND a.grantee <> p.proowner AND {NOT_SYSTEM}",
        type_desc_sql("u.t", "NULL"),
    )
}

/// The roles and grants of the rows into `model`, the managed ones only.
pub(super) fn add(
    model: &mut Model,
    scope: Option<&RoleScope>,
    rows: &RoleRows,
) -> Result<(), RowError> {
    let Some(scope) = scope else { return Ok(()) };
    for r in &rows.roles {
        let role = role_from_row(r)?;
        if scope.manages(&role.name) {
            model.roles.insert(role.name.clone(), role);
        }
    }
    for r in &rows.grants {
        if let Some(g) = grant_from_row(r)?
            && scope.manages(&g.grantee)
        {
            model.grants.insert(g);
        }
    }
    for r in &rows.defaults {
        if let Some(d) = default_grant_from_row(r)?
            && scope.manages(&d.grantee)
        {
            model.default_grants.insert(d);
        }
    }
    Ok(())
}

fn role_from_row(r: &Row) -> Result<Role, RowError> {
    let r = Cols::new(r, "roles");
    let mut role = Role::new(&r.col::<String>("name")?);
    role.superuser = r.col("rolsuper")?;
    role.inherit = r.col("rolinherit")?;
    role.create_role = r.col("rolcreaterole")?;
    role.create_db = r.col("rolcreatedb")?;
    role.login = r.col("rolcanlogin")?;
    role.replication = r.col("rolreplication")?;
    role.bypass_rls = r.col("rolbypassrls")?;
    role.conn_limit = r.col("rolconnlimit")?;
    role.member_of = r.col("member_of")?;
    role.dependents = Dependents {
        owned: r.col("owned")?,
        elsewhere: r.col("elsewhere")?,
    };
    Ok(role)
}

/// A privilege row; `None` for a kind strata does not model.
fn grant_from_row(r: &Row) -> Result<Option<Grant>, RowError> {
    let r = Cols::new(r, "privileges");
    let kind: String = r.col("kind")?;
    let Ok(kind) = kind.parse::<ObjectKind>() else {
        return Ok(None);
    };
    let schema: String = r.col("schema")?;
    let mut name: String = r.col("name")?;
    let on = match kind {
        ObjectKind::Schema => ObjectId::schema(&name),
        ObjectKind::Function | ObjectKind::Procedure => {
            let types: Vec<String> = r.col("argtypes")?;
            let types: Vec<String> = types.iter().map(|t| display(&type_from_desc(t))).collect();
            name = format!("{name}({})", types.join(", "));
            ObjectId::in_schema(kind, &schema, &name)
        }
        _ => ObjectId::in_schema(kind, &schema, &name),
    };
    Ok(Some(Grant {
        on,
        column: r.col("col")?,
        grantee: r.col("grantee")?,
        privilege: r.col("privilege")?,
        grantable: r.col("is_grantable")?,
    }))
}

fn default_grant_from_row(r: &Row) -> Result<Option<DefaultGrant>, RowError> {
    let r = Cols::new(r, "default privileges");
    let objtype: String = r.col("objtype")?;
    let Some((on, _, _)) = DefaultGrant::KINDS
        .iter()
        .find(|(_, letter, _)| objtype.starts_with(*letter))
    else {
        return Ok(None);
    };
    Ok(Some(DefaultGrant {
        owner: r.col("owner")?,
        schema: r.col("schema")?,
        on: on.to_string(),
        grantee: r.col("grantee")?,
        privilege: r.col("privilege")?,
        grantable: r.col("is_grantable")?,
    }))
}
