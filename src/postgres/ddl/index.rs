//! Indexes: create (also concurrently), rename, storage parameters, drop.

use super::*;

/// `ALTER INDEX … SET (…), RESET (…)`.
pub(crate) fn alter_index_params(schema: &str, name: &str, clauses: &[String]) -> String {
    format!(
        "ALTER INDEX {} {}",
        qualified_parts(schema, name),
        clauses.join(", ")
    )
}

pub(crate) fn rename_index(schema: &str, from: &str, to: &str) -> String {
    format!(
        "ALTER INDEX {} RENAME TO {}",
        qualified_parts(schema, from),
        ident(to)
    )
}

/// Renames the index PostgreSQL attached to `partition` for the partitioned table's index
/// `parent_index` to `to`. A new partition gets a copy of each of its parent's indexes under a
/// name PostgreSQL chooses, numbered when the plain one is taken by another relation, so the
/// index is found by its attachment rather than by that name.
pub(crate) fn rename_attached_index(
    partition: &QualifiedName,
    parent_index: &QualifiedName,
    to: &str,
) -> String {
    let body = format!(
        "DECLARE ix regclass;\nBEGIN\n  \
         SELECT i.inhrelid::regclass INTO ix FROM pg_catalog.pg_inherits i\n    \
         JOIN pg_catalog.pg_index x ON x.indexrelid = i.inhrelid\n    \
         WHERE i.inhparent = {parent}::regclass AND x.indrelid = {part}::regclass;\n  \
         IF ix IS NULL THEN\n    \
         RAISE EXCEPTION 'no index of % is attached to %', {part}, {parent};\n  \
         END IF;\n  \
         EXECUTE format('ALTER INDEX %s RENAME TO %I', ix, {to});\nEND",
        parent = literal(&qualified(parent_index)),
        part = literal(&qualified(partition)),
        to = literal(to),
    );
    // Dollar quotes keep the body readable; the tag is one the body does not contain.
    let mut tag = "$strata$".to_string();
    let mut n = 0;
    while body.contains(&tag) {
        n += 1;
        tag = format!("$strata{n}$");
    }
    format!("DO {tag}\n{body}\n{tag}")
}

pub(crate) fn create_index(t: &QualifiedName, ix: &Index) -> String {
    create_index_with(t, ix, false)
}

/// `CREATE INDEX CONCURRENTLY`: builds without blocking writes; cannot run in a transaction.
pub(crate) fn create_index_concurrently(t: &QualifiedName, ix: &Index) -> String {
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

pub(crate) fn drop_index(schema: &str, name: &str) -> String {
    format!("DROP INDEX {}", qualified_parts(schema, name))
}

/// `DROP INDEX CONCURRENTLY IF EXISTS` of an already quoted (possibly qualified) index name.
pub(crate) fn drop_index_concurrently(quoted: &str) -> String {
    format!("DROP INDEX CONCURRENTLY IF EXISTS {quoted}")
}

#[cfg(test)]
mod attached_tests {
    use super::*;

    #[test]
    fn the_rename_body_never_contains_its_own_quote_tag() {
        let part = QualifiedName::new("s", "p$strata$");
        let parent = QualifiedName::new("s", "m_ix");
        let sql = rename_attached_index(&part, &parent, "x$strata1$y");
        assert!(sql.starts_with("DO $strata2$\n"), "{sql}");
        assert!(sql.ends_with("\n$strata2$"), "{sql}");
        let parsed = pg_query::parse(&sql, 0);
        assert!(parsed.is_ok(), "{sql}");
    }
}
