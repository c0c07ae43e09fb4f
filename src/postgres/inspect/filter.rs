//! What an inspection reads: the schemas, and the roles with their privileges.

/// Which schemas to read.
#[derive(Debug, Clone, Default)]
pub struct SchemaFilter {
    /// Only these schemas; `None` reads every schema that is not a system or extension schema.
    pub(crate) schemas: Option<Vec<String>>,
    /// The roles (and their privileges) to read; `None` reads none.
    pub(crate) roles: Option<crate::model::RoleScope>,
}

impl SchemaFilter {
    /// The schemas of a plan's scope (an empty list reads no schema).
    pub(crate) fn of(scope: &crate::model::Scope) -> SchemaFilter {
        SchemaFilter {
            schemas: Some(scope.schemas.clone()),
            roles: scope.roles.clone(),
        }
    }

    /// The `schemas` setting: an empty list reads every schema.
    pub fn listed(schemas: &[String]) -> SchemaFilter {
        SchemaFilter {
            schemas: (!schemas.is_empty()).then(|| schemas.to_vec()),
            roles: None,
        }
    }

    /// Also reads the roles and privileges `roles` manages.
    pub fn with_roles(mut self, roles: Option<crate::model::RoleScope>) -> SchemaFilter {
        self.roles = roles;
        self
    }
}
