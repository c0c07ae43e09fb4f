//! Indexes: create (also concurrently), rename, storage parameters, drop.

use super::*;

/// `ALTER INDEX … SET (…), RESET (…)`.
pub fn alter_index_params(schema: &str, name: &str, clauses: &[String]) -> String {
    format!(
        "ALTER INDEX {} {}",
        qualified_parts(schema, name),
        clauses.join(", ")
    )
}

pub fn rename_index(schema: &str, from: &str, to: &str) -> String {
    format!(
        "ALTER INDEX {} RENAME TO {}",
        qualified_parts(schema, from),
        ident(to)
    )
}

pub fn create_index(t: &QualifiedName, ix: &Index) -> String {
    create_index_with(t, ix, false)
}

/// `CREATE INDEX CONCURRENTLY`: builds without blocking writes; cannot run in a transaction.
pub fn create_index_concurrently(t: &QualifiedName, ix: &Index) -> String {
    create_index_with(t, ix, true)
}

pub(super) fn create_index_with(t: &QualifiedName, ix: &Index, concurrently: bool) -> String {
    let parts: Vec<String> = ix
        .parts
        .iter()
        .map(|p| {
            let mut s = match &p.key {
                IndexKey::Column(c) => ident(c),
                IndexKey::Expr(e) => format!("({e})"),
            };
            if let Some(c) = &p.collation {
                s.push_str(&format!(" COLLATE {}", ident(c)));
            }
            if let Some(o) = &p.opclass {
                s.push(' ');
                s.push_str(o);
                if !p.opclass_params.is_empty() {
                    s.push_str(&format!(" ({})", param_list(&p.opclass_params)));
                }
            }
            if p.desc {
                s.push_str(" DESC");
            }
            if p.nulls_first != p.desc {
                s.push_str(if p.nulls_first {
                    " NULLS FIRST"
                } else {
                    " NULLS LAST"
                });
            }
            s
        })
        .collect();
    let mut s = format!(
        "CREATE {}INDEX {}{} ON {}{} ({})",
        if ix.unique { "UNIQUE " } else { "" },
        if concurrently { "CONCURRENTLY " } else { "" },
        ident(&ix.name),
        qualified(t),
        if ix.method == "btree" {
            String::new()
        } else {
            format!(" USING {}", ix.method)
        },
        parts.join(", ")
    );
    if !ix.include.is_empty() {
        s.push_str(&format!(" INCLUDE ({})", ident_list(&ix.include)));
    }
    if !ix.nulls_distinct {
        s.push_str(" NULLS NOT DISTINCT");
    }
    if !ix.storage_params.is_empty() {
        s.push_str(&format!(" WITH ({})", param_list(&ix.storage_params)));
    }
    if let Some(w) = &ix.predicate {
        s.push_str(&format!(" WHERE {w}"));
    }
    s
}

pub fn drop_index(schema: &str, name: &str) -> String {
    format!("DROP INDEX {}", qualified_parts(schema, name))
}

/// `DROP INDEX CONCURRENTLY IF EXISTS` of an already quoted (possibly qualified) index name.
pub fn drop_index_concurrently(quoted: &str) -> String {
    format!("DROP INDEX CONCURRENTLY IF EXISTS {quoted}")
}
