//! SQL text for every change the planner makes. Every identifier is quoted; expressions are
//! passed through as PostgreSQL will store them.

use crate::model::{
    Check, Column, Enum, EnumPosition, EnumValueAdd, ForeignKey, Identity, Index, IndexKey,
    PartitionKey, PrimaryKey, QualifiedName, ReferentialAction, Schema, Table, Unique,
};
use crate::postgres::quote::{ident, ident_list, literal, qualified, qualified_parts};
use crate::postgres::types;

mod comment;
pub(crate) use comment::*;
mod enums;
pub(crate) use enums::*;
mod column;
pub(crate) use column::*;
mod constraint;
pub(crate) use constraint::*;
mod index;
pub(crate) use index::*;

pub(crate) fn create_schema(s: &Schema) -> String {
    format!("CREATE SCHEMA {}", ident(&s.name))
}

pub(crate) fn drop_schema(name: &str) -> String {
    format!("DROP SCHEMA {}", ident(name))
}

pub(crate) fn rename_schema(from: &str, to: &str) -> String {
    format!("ALTER SCHEMA {} RENAME TO {}", ident(from), ident(to))
}

/// `ALTER TABLE from SET SCHEMA schema`: the table keeps its name.
pub(crate) fn set_table_schema(from: &QualifiedName, schema: &str) -> String {
    format!(
        "ALTER TABLE {} SET SCHEMA {}",
        qualified(from),
        ident(schema)
    )
}

/// `ALTER TABLE schema.from RENAME TO to`: the table stays in `schema`.
pub(crate) fn rename_table(schema: &str, from: &str, to: &str) -> String {
    format!(
        "ALTER TABLE {} RENAME TO {}",
        qualified_parts(schema, from),
        ident(to)
    )
}

/// The `SET UNLOGGED` / `SET LOGGED` clause of `ALTER TABLE`.
pub(crate) fn set_logged(unlogged: bool) -> String {
    if unlogged {
        "SET UNLOGGED".to_string()
    } else {
        "SET LOGGED".to_string()
    }
}

/// The `INHERIT parent` clause of `ALTER TABLE`.
pub(crate) fn inherit(parent: &QualifiedName) -> String {
    format!("INHERIT {}", qualified(parent))
}

/// The `NO INHERIT parent` clause of `ALTER TABLE`.
pub(crate) fn no_inherit(parent: &QualifiedName) -> String {
    format!("NO INHERIT {}", qualified(parent))
}

fn partition_clause(p: &PartitionKey) -> String {
    let parts: Vec<String> = p
        .parts
        .iter()
        .map(|k| match k {
            IndexKey::Column(c) => ident(c),
            IndexKey::Expr(e) => format!("({e})"),
        })
        .collect();
    format!(" PARTITION BY {} ({})", p.strategy.sql(), parts.join(", "))
}

/// `CREATE TABLE` with columns and constraints; `fks` are the foreign keys created inline.
/// Partitions take their columns from the parent: `CREATE TABLE … PARTITION OF parent …`.
pub(crate) fn create_table(t: &Table, fks: &[&ForeignKey]) -> String {
    let mut lines: Vec<String> = if t.partition_of.is_some() {
        Vec::new()
    } else {
        t.columns.iter().map(column_def).collect()
    };
    if let Some(pk) = &t.primary_key {
        lines.push(primary_key_def(pk));
    }
    lines.extend(t.uniques.iter().map(unique_def));
    lines.extend(t.checks.iter().map(check_def));
    lines.extend(t.excludes.iter().map(super::ddl_objects::exclude_def));
    lines.extend(fks.iter().map(|f| foreign_key_def(f)));
    let body = if lines.is_empty() {
        String::new()
    } else {
        format!("\n  {}\n", lines.join(",\n  "))
    };
    let mut s = match &t.partition_of {
        Some(p) => {
            let body = if lines.is_empty() {
                String::new()
            } else {
                format!(" ({body})")
            };
            format!(
                "CREATE TABLE {} PARTITION OF {}{body} {}",
                qualified(&t.qualified()),
                qualified(&p.parent),
                p.bound
            )
        }
        None => format!(
            "CREATE {}TABLE {} ({body}){}",
            if t.unlogged { "UNLOGGED " } else { "" },
            qualified(&t.qualified()),
            if t.inherits.is_empty() {
                String::new()
            } else {
                format!(
                    " INHERITS ({})",
                    t.inherits
                        .iter()
                        .map(qualified)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        ),
    };
    if let Some(p) = &t.partition {
        s.push_str(&partition_clause(p));
    }
    if !t.storage_params.is_empty() {
        s.push_str(&format!(" WITH ({})", param_list(&t.storage_params)));
    }
    s
}

/// `fillfactor = '70', autovacuum_enabled = 'false'`: names quoted as identifiers, values as
/// literals (PostgreSQL stores the text either way).
pub(crate) fn param_list(params: &std::collections::BTreeMap<String, String>) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{} = {}", ident(k), literal(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `SET (…)` and `RESET (…)` clauses that turn storage parameters `from` into `to`.
pub(crate) fn storage_param_clauses(
    from: &std::collections::BTreeMap<String, String>,
    to: &std::collections::BTreeMap<String, String>,
) -> Vec<String> {
    let mut out = Vec::new();
    let set: std::collections::BTreeMap<String, String> = to
        .iter()
        .filter(|(k, v)| from.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !set.is_empty() {
        out.push(format!("SET ({})", param_list(&set)));
    }
    let reset: Vec<String> = from
        .keys()
        .filter(|k| !to.contains_key(*k))
        .cloned()
        .collect();
    if !reset.is_empty() {
        out.push(format!("RESET ({})", ident_list(&reset)));
    }
    out
}

pub(crate) fn drop_table(q: &QualifiedName) -> String {
    format!("DROP TABLE {}", qualified(q))
}

/// `ALTER TABLE t <clause>, <clause>, …`.
pub(crate) fn alter_table(q: &QualifiedName, clauses: &[String]) -> String {
    if clauses.len() == 1 {
        format!("ALTER TABLE {} {}", qualified(q), clauses[0])
    } else {
        format!("ALTER TABLE {}\n  {}", qualified(q), clauses.join(",\n  "))
    }
}

/// `ALTER TABLE … REPLICA IDENTITY …`.
pub(crate) fn replica_identity(q: &QualifiedName, ri: &crate::model::ReplicaIdentity) -> String {
    let mut s = format!(
        "ALTER TABLE {} REPLICA IDENTITY {}",
        qualified(q),
        ri.sql_keyword()
    );
    if let crate::model::ReplicaIdentity::Index(ix) = ri {
        s.push(' ');
        s.push_str(&ident(ix));
    }
    s
}

/// `DROP DATABASE IF EXISTS … WITH (FORCE)`.
pub(crate) fn drop_database_force(name: &str) -> String {
    format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", ident(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollar_tags_never_occur_in_the_body() {
        assert_eq!(dollar_quoted("SELECT 1"), "$strata$ SELECT 1 $strata$");
        let body = "SELECT '$strata$', '$strata1$'";
        let q = dollar_quoted(body);
        assert!(q.starts_with("$strata2$ "), "{q}");
        assert!(q.ends_with(" $strata2$"), "{q}");
    }
}
