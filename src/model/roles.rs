//! Roles and privileges (Atlas's `role`, `user` and `permission` blocks). Roles are
//! cluster-wide: strata manages them, and the privileges granted to them, only when the env opts
//! in ([`RoleScope`]); otherwise a model holds none.

use super::{Model, ObjectId, ObjectKind, glob_match};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A role (`CREATE ROLE`; a `user` block is a role that can log in).
#[derive(Clone, Serialize, Deserialize)]
pub struct Role {
    pub(crate) name: String,
    pub(crate) login: bool,
    pub(crate) superuser: bool,
    pub(crate) create_db: bool,
    pub(crate) create_role: bool,
    pub(crate) inherit: bool,
    pub(crate) replication: bool,
    pub(crate) bypass_rls: bool,
    /// `CONNECTION LIMIT`; -1 for none.
    pub(crate) conn_limit: i32,
    /// The roles it is a member of (`GRANT parent TO role`), sorted.
    pub(crate) member_of: Vec<String>,
    /// Set when the role is created, never read back (PostgreSQL keeps only a verifier) and
    /// never compared, printed or serialized.
    #[serde(skip)]
    pub(crate) password: Option<Secret>,
    /// Inspected: how many objects the role owns, in any database of the cluster, and how many
    /// privileges it holds in other databases (`pg_shdepend`). Not part of its definition.
    #[serde(skip)]
    pub(crate) dependents: Dependents,
}

/// What keeps `DROP ROLE` from succeeding (see [`Role::dependents`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Dependents {
    pub(crate) owned: i64,
    pub(crate) elsewhere: i64,
}

impl Role {
    /// A role with PostgreSQL's defaults (`NOLOGIN INHERIT`, no limit).
    pub(crate) fn new(name: &str) -> Role {
        Role {
            name: name.to_string(),
            login: false,
            superuser: false,
            create_db: false,
            create_role: false,
            inherit: true,
            replication: false,
            bypass_rls: false,
            conn_limit: -1,
            member_of: Vec::new(),
            password: None,
            dependents: Dependents::default(),
        }
    }

    /// The attributes `ALTER ROLE` changes (everything but membership and password).
    pub(crate) fn same_attributes(&self, other: &Role) -> bool {
        self.login == other.login
            && self.superuser == other.superuser
            && self.create_db == other.create_db
            && self.create_role == other.create_role
            && self.inherit == other.inherit
            && self.replication == other.replication
            && self.bypass_rls == other.bypass_rls
            && self.conn_limit == other.conn_limit
    }
}

impl PartialEq for Role {
    fn eq(&self, other: &Role) -> bool {
        self.name == other.name && self.same_attributes(other) && self.member_of == other.member_of
    }
}

impl Eq for Role {}

impl fmt::Debug for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Role")
            .field("name", &self.name)
            .field("login", &self.login)
            .field("superuser", &self.superuser)
            .field("create_db", &self.create_db)
            .field("create_role", &self.create_role)
            .field("inherit", &self.inherit)
            .field("replication", &self.replication)
            .field("bypass_rls", &self.bypass_rls)
            .field("conn_limit", &self.conn_limit)
            .field("member_of", &self.member_of)
            .field("password", &self.password.as_ref().map(|_| "(sensitive)"))
            .finish()
    }
}

/// A password: its `Debug` and `Display` never show it.
#[derive(Clone)]
pub(crate) struct Secret(String);

impl Secret {
    pub(crate) fn new(text: String) -> Secret {
        Secret(text)
    }

    /// The password itself: only for computing what PostgreSQL stores.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(sensitive)")
    }
}

/// One privilege granted to a managed role: `GRANT privilege ON object TO grantee`. The
/// owner's own privileges and those of `PUBLIC` are never modeled.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Grant {
    /// The schema, table (view, materialized view), sequence, function, procedure or type
    /// (enum, domain, composite).
    pub(crate) on: ObjectId,
    /// A column privilege: the column of the table or view `on`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) column: Option<String>,
    pub(crate) grantee: String,
    /// `SELECT`, `INSERT`, `USAGE`, … upper case.
    pub(crate) privilege: String,
    /// `WITH GRANT OPTION`.
    pub(crate) grantable: bool,
}

/// Which roles an env manages (`schema { mode { roles = …, permissions = … } }`, or the flat
/// `roles`/`permissions` attributes): `None` in a [`super::Scope`] manages none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleScope {
    /// Roles are created, altered and dropped.
    pub roles: bool,
    /// Privileges granted to the managed roles are granted and revoked.
    pub permissions: bool,
    /// Glob patterns of the managed roles' names; empty manages every role but PostgreSQL's
    /// predefined `pg_*` roles (the connecting role and the bootstrap superuser are never read).
    pub names: Vec<String>,
}

impl RoleScope {
    /// Whether role `name` is managed.
    pub(crate) fn manages(&self, name: &str) -> bool {
        if name.starts_with("pg_") || name.eq_ignore_ascii_case("public") {
            return false;
        }
        self.names.is_empty() || self.names.iter().any(|p| glob_match(p, name))
    }
}

impl Model {
    /// Whether the object (and column) a privilege is on is in the model.
    pub(crate) fn has_grant_target(&self, g: &Grant) -> bool {
        let Some(schema) = g.on.schema_name() else {
            return g.on.kind() == ObjectKind::Schema && self.schemas.contains_key(g.on.name());
        };
        let Some(s) = self.schemas.get(schema) else {
            return false;
        };
        let name = g.on.name();
        match g.on.kind() {
            ObjectKind::Table => s.tables.get(name).is_some_and(|t| {
                g.column
                    .as_deref()
                    .is_none_or(|c| t.columns.iter().any(|x| x.name == c))
            }),
            // A view's columns are not modeled: a column privilege on one is kept.
            ObjectKind::View | ObjectKind::Materialized => s.views.contains_key(name),
            ObjectKind::Sequence => s.sequences.contains_key(name),
            ObjectKind::Enum => s.enums.contains_key(name),
            ObjectKind::Domain => s.domains.contains_key(name),
            ObjectKind::Composite => s.composites.contains_key(name),
            ObjectKind::Function | ObjectKind::Procedure => s.functions.contains_key(name),
            _ => false,
        }
    }
}

/// One default privilege (`ALTER DEFAULT PRIVILEGES FOR ROLE owner [IN SCHEMA s] GRANT privilege
/// ON kind TO grantee`): what objects `owner` creates later grant to a managed role.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DefaultGrant {
    /// The role whose future objects it applies to (`FOR ROLE`).
    pub(crate) owner: String,
    /// `IN SCHEMA`; `None` for the whole database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) schema: Option<String>,
    /// `TABLES`, `SEQUENCES`, `FUNCTIONS`, `TYPES` or `SCHEMAS`.
    pub(crate) on: String,
    pub(crate) grantee: String,
    pub(crate) privilege: String,
    pub(crate) grantable: bool,
}

impl DefaultGrant {
    /// The kinds `ALTER DEFAULT PRIVILEGES` takes, with `pg_default_acl.defaclobjtype`'s letter
    /// and the privileges each allows.
    pub(crate) const KINDS: [(&'static str, char, &'static [&'static str]); 5] = [
        (
            "TABLES",
            'r',
            &[
                "SELECT",
                "INSERT",
                "UPDATE",
                "DELETE",
                "TRUNCATE",
                "REFERENCES",
                "TRIGGER",
            ],
        ),
        ("SEQUENCES", 'S', &["USAGE", "SELECT", "UPDATE"]),
        ("FUNCTIONS", 'f', &["EXECUTE"]),
        ("TYPES", 'T', &["USAGE"]),
        ("SCHEMAS", 'n', &["USAGE", "CREATE"]),
    ];

    /// `permission.<grantee>@default.<owner>.<schema or *>.<kind>`: the address of the default
    /// privileges of one grantee, owner, schema and kind.
    pub(crate) fn address(&self) -> ObjectId {
        ObjectId::permission(
            &self.grantee,
            &ObjectId::role(&format!(
                "{}.{}.{}",
                self.owner,
                self.schema.as_deref().unwrap_or("*"),
                self.on
            )),
        )
    }
}
