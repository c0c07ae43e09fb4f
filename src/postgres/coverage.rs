//! The catalog-coverage ledger: every column of every catalog relation the inspector reads,
//! each either *modeled* (the model field that holds it) or *not modeled* (why, and what strata
//! does when a database uses a non-default value). `tests/coverage.rs` compares it with the
//! live server's `pg_attribute`, so a column PostgreSQL adds (or one the ledger misnames) fails
//! the build instead of being silently ignored.
//!
//! What "warned" means: the target database's value is reported by
//! [`crate::postgres::inspect::unmanaged`] (a `Warning:` in `plan`, `"warnings"` in JSON, stderr
//! for `inspect`) and left as it is; the attribute named is the one in the warning.

/// How strata treats one catalog column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// Read into the model; names the field(s) holding it.
    Modeled(&'static str),
    /// Not modeled: internal or derived (oids, join keys, counters, statistics, values that
    /// follow from modeled ones). Ignored.
    Internal(&'static str),
    /// Not modeled and outside what strata manages (ownership, privileges, kinds strata does not
    /// create); non-default values are ignored. The reason says why.
    Ignored(&'static str),
    /// Not modeled; a non-default value makes inspect report a warning with this attribute.
    Warned {
        reason: &'static str,
        attribute: &'static str,
    },
}

impl Coverage {
    pub fn is_modeled(self) -> bool {
        matches!(self, Coverage::Modeled(_))
    }

    /// One line: what the column is to strata.
    #[cfg(test)]
    pub(crate) fn describe(self) -> String {
        match self {
            Coverage::Modeled(f) => format!("modeled: {f}"),
            Coverage::Internal(r) => format!("not modeled: internal/derived ({r}); ignored"),
            Coverage::Ignored(r) => format!("not modeled: {r}; ignored"),
            Coverage::Warned { reason, attribute } => {
                format!("not modeled: {reason}; warned: \"{attribute}\"")
            }
        }
    }
}

/// One catalog relation and all its columns.
#[derive(Debug, Clone, Copy)]
pub struct Relation {
    pub name: &'static str,
    pub columns: &'static [(&'static str, Coverage)],
}

use Coverage::{Ignored as X, Internal as I, Modeled as M};

mod objects;
mod roles;
mod tables;
mod types;
use objects::*;
use roles::*;
use tables::*;
use types::*;

const fn w(reason: &'static str, attribute: &'static str) -> Coverage {
    Coverage::Warned { reason, attribute }
}

const OID: Coverage = I("row identity, used only to join");
const OWNER: Coverage = X("ownership is not managed");
const ACL: Coverage = X("privileges (GRANT/REVOKE) are not managed");

/// Columns that exist only in some PostgreSQL major versions: `(relation, column, first, last)`.
/// The check skips them on other servers.
pub(crate) const VERSIONED: &[(&str, &str, u32, u32)] = &[
    ("pg_attribute", "attcompression", 14, 99),
    ("pg_proc", "prosqlbody", 14, 99),
    ("pg_inherits", "inhdetachpending", 14, 99),
    ("pg_index", "indnullsnotdistinct", 15, 99),
    ("pg_constraint", "confdelsetcols", 15, 99),
    ("pg_publication_rel", "prqual", 15, 99),
    ("pg_publication_rel", "prattrs", 15, 99),
    ("pg_publication_namespace", "oid", 15, 99),
    ("pg_publication_namespace", "pnpubid", 15, 99),
    ("pg_publication_namespace", "pnnspid", 15, 99),
    ("pg_collation", "colliculocale", 15, 16),
    ("pg_collation", "collicurules", 16, 99),
    ("pg_collation", "colllocale", 17, 99),
    ("pg_auth_members", "oid", 16, 99),
    ("pg_auth_members", "inherit_option", 16, 99),
    ("pg_auth_members", "set_option", 16, 99),
];

/// The ledger.
pub const LEDGER: &[Relation] = &[
    PG_NAMESPACE,
    PG_CLASS,
    PG_ATTRIBUTE,
    PG_ATTRDEF,
    PG_CONSTRAINT,
    PG_INDEX,
    PG_SEQUENCE,
    PG_TYPE,
    PG_ENUM,
    PG_PROC,
    PG_AGGREGATE,
    PG_TRIGGER,
    PG_EVENT_TRIGGER,
    PG_POLICY,
    PG_EXTENSION,
    PG_COLLATION,
    PG_DEPEND,
    PG_INHERITS,
    PG_PARTITIONED_TABLE,
    PG_DESCRIPTION,
    PG_REWRITE,
    PG_AM,
    PG_OPCLASS,
    PG_LANGUAGE,
    PG_SECLABEL,
    PG_PUBLICATION_REL,
    PG_PUBLICATION_NAMESPACE,
    PG_PUBLICATION,
    PG_TABLESPACE,
    PG_OPERATOR,
    PG_ROLES,
    PG_AUTH_MEMBERS,
    PG_DEFAULT_ACL,
    PG_SHDEPEND,
];

/// Compares the ledger with the live columns `(relation, column)` of a server of major version
/// `major`. Every problem is one line naming the relation and the column.
pub fn check(
    ledger: &[Relation],
    live: &[(String, String)],
    major: u32,
) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    let exists_here = |rel: &str, col: &str| {
        VERSIONED
            .iter()
            .find(|(r, c, _, _)| *r == rel && *c == col)
            .is_none_or(|(_, _, lo, hi)| (*lo..=*hi).contains(&major))
    };
    for (rel, col) in live {
        match ledger.iter().find(|r| r.name == rel) {
            None => problems.push(format!("{rel}: relation is not in the ledger")),
            Some(r) if !r.columns.iter().any(|(c, _)| c == col) => problems.push(format!(
                "{rel}.{col}: live column is neither modeled nor listed as not modeled"
            )),
            _ => {}
        }
    }
    for r in ledger {
        let mut seen = std::collections::HashSet::new();
        for (col, _) in r.columns {
            if !seen.insert(*col) {
                problems.push(format!("{}.{col}: listed twice", r.name));
            }
            let live_here = live.iter().any(|(lr, lc)| lr == r.name && lc == col);
            if !live_here && exists_here(r.name, col) {
                problems.push(format!(
                    "{}.{col}: the ledger names a column the server does not have",
                    r.name
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &[Relation] = &[Relation {
        name: "pg_enum",
        columns: &[
            ("oid", OID),
            ("enumtypid", I("join key")),
            ("enumsortorder", M("order of Enum.values")),
        ],
    }];

    fn live(cols: &[&str]) -> Vec<(String, String)> {
        cols.iter()
            .map(|c| ("pg_enum".to_string(), c.to_string()))
            .collect()
    }

    #[test]
    fn a_live_column_missing_from_the_ledger_fails() {
        let err = check(
            SMALL,
            &live(&["oid", "enumtypid", "enumsortorder", "enumlabel"]),
            15,
        )
        .unwrap_err();
        assert_eq!(
            err,
            vec![
                "pg_enum.enumlabel: live column is neither modeled nor listed as not modeled"
                    .to_string()
            ]
        );
    }

    #[test]
    fn a_ledger_column_the_server_lacks_fails() {
        let err = check(SMALL, &live(&["oid", "enumtypid"]), 15).unwrap_err();
        assert_eq!(
            err,
            vec![
                "pg_enum.enumsortorder: the ledger names a column the server does not have"
                    .to_string()
            ]
        );
        assert!(check(SMALL, &live(&["oid", "enumtypid", "enumsortorder"]), 15).is_ok());
    }

    #[test]
    fn versioned_columns_are_expected_only_on_their_versions() {
        let full = LEDGER.iter().find(|r| r.name == "pg_collation").unwrap();
        let cols = |skip: &[&str]| -> Vec<(String, String)> {
            full.columns
                .iter()
                .filter(|(c, _)| !skip.contains(c))
                .map(|(c, _)| ("pg_collation".to_string(), c.to_string()))
                .collect()
        };
        let one = std::slice::from_ref(full);
        assert!(check(one, &cols(&["colllocale", "collicurules"]), 15).is_ok());
        assert!(check(one, &cols(&["colliculocale"]), 17).is_ok());
        assert!(check(one, &cols(&["colllocale", "collicurules", "collname"]), 15).is_err());
    }

    #[test]
    fn every_entry_describes_itself() {
        for r in LEDGER {
            for (c, cov) in r.columns {
                assert!(!cov.describe().is_empty(), "{}.{c}", r.name);
            }
        }
    }
}
