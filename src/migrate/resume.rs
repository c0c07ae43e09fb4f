//! Resuming a `txmode none` migration file that stopped part-way (killed, disconnected, or
//! failed): the statement that was running when it stopped may have left something behind.
//!
//! `CREATE INDEX CONCURRENTLY` commits its catalog entry before it builds: interrupted, it
//! leaves an INVALID index that blocks a re-run (`relation … already exists`) and slows every
//! write. Before the statement runs again, strata drops that invalid index. When the index is
//! there and valid, the statement finished but its progress was not recorded (the process died
//! between the two): the statement counts as done.

use crate::postgres::quote;
use pg_query::NodeEnum;
use tokio_postgres::GenericClient;

/// What to do with the statement a resumed file starts at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resume {
    /// Run it.
    Run,
    /// An invalid index it left was dropped (the quoted name); run it.
    DroppedInvalid(String),
    /// It already completed (the index it creates exists and is valid); skip it.
    AlreadyDone(String),
}

/// The index a `CREATE INDEX CONCURRENTLY` statement creates: `(schema, name)`, with the schema
/// empty when the table is not qualified. `None` for any other statement or an unnamed index.
pub(crate) fn concurrent_index(statement: &str) -> Option<(String, String)> {
    let parsed = pg_query::parse(statement, 0).ok()?;
    let node = parsed
        .protobuf
        .stmts
        .first()?
        .stmt
        .as_ref()?
        .node
        .as_ref()?;
    match node {
        NodeEnum::IndexStmt(i) if i.concurrent && !i.idxname.is_empty() => {
            let schema = i
                .relation
                .as_ref()
                .map(|r| r.schemaname.clone())
                .unwrap_or_default();
            Some((schema, i.idxname.clone()))
        }
        _ => None,
    }
}

/// Looks at what `statement` may have left and cleans it up. `interrupted` is true when the
/// previous run stopped without an error (so a completed statement may not have been counted).
pub(crate) async fn prepare<C: GenericClient + Sync>(
    client: &C,
    statement: &str,
    interrupted: bool,
) -> Result<Resume, tokio_postgres::Error> {
    let Some((schema, name)) = concurrent_index(statement) else {
        return Ok(Resume::Run);
    };
    let qualified = if schema.is_empty() {
        quote::ident(&name)
    } else {
        quote::qualified_parts(&schema, &name)
    };
    // to_regclass resolves an unqualified name through the session's search_path, as the
    // CREATE INDEX statement itself does.
    let row = client
        .query_opt(crate::postgres::session::INDEX_VALIDITY, &[&qualified])
        .await?;
    let valid: Option<bool> = match row {
        Some(r) => r.try_get(0)?,
        None => None,
    };
    match valid {
        None => Ok(Resume::Run),
        Some(true) if interrupted => Ok(Resume::AlreadyDone(qualified)),
        Some(true) => Ok(Resume::Run),
        Some(false) => {
            client
                .batch_execute(&crate::postgres::ddl::drop_index_concurrently(&qualified))
                .await?;
            Ok(Resume::DroppedInvalid(qualified))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_named_concurrent_indexes() {
        assert_eq!(
            concurrent_index("CREATE INDEX CONCURRENTLY b_idx ON s.t (a)"),
            Some(("s".into(), "b_idx".into()))
        );
        assert_eq!(
            concurrent_index("create unique index concurrently if not exists \"X y\" on t (a)"),
            Some(("".into(), "X y".into()))
        );
        assert_eq!(concurrent_index("CREATE INDEX b_idx ON t (a)"), None);
        assert_eq!(concurrent_index("CREATE INDEX CONCURRENTLY ON t (a)"), None);
        assert_eq!(concurrent_index("SELECT 1"), None);
        assert_eq!(concurrent_index("not sql"), None);
    }
}
