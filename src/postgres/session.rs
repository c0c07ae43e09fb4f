//! The SQL the other layers run at runtime (not the planner's DDL, which is `ddl`): apply's
//! and migrate's advisory lock, scratch sessions and databases, an index's validity, and the
//! revisions table of versioned migrations. Callers execute these texts and read the rows; the
//! text lives here, with the rest of strata's SQL (`tests/architecture.rs` keeps it so).

use crate::postgres::quote;

/// Tries strata's advisory lock once (`$1`: the key); one `bool` column.
pub(crate) const TRY_ADVISORY_LOCK: &str = "SELECT pg_try_advisory_lock($1)";

/// Releases strata's advisory lock (`$1`: the key).
pub(crate) const ADVISORY_UNLOCK: &str = "SELECT pg_advisory_unlock($1)";

/// The session's backend process id; one `int4` column.
pub(crate) const BACKEND_PID: &str = "SELECT pg_backend_pid()";

/// Opens the one transaction of a scratch session (rolled back at the end): names resolve in
/// `public`, function bodies are not checked against objects created later, and a lock wait
/// gives up after a minute instead of hanging; no JIT compilation (the catalog queries that read
/// the result back are costed high enough to trigger it, and compiling takes longer than running
/// them).
pub(crate) const SCRATCH_TRANSACTION: &str = "BEGIN; SET LOCAL search_path = public; SET LOCAL check_function_bodies = off; SET LOCAL lock_timeout = '60s'; SET LOCAL jit = off";

/// Ends a scratch transaction.
pub(crate) const ROLLBACK: &str = "ROLLBACK";

/// The session settings of a connection to a scratch database (no JIT, as above).
pub(crate) const SCRATCH_SESSION: &str =
    "SET search_path = public; SET check_function_bodies = off; SET jit = off";

/// Creates an empty database (from `template0`, so nothing of `template1` comes along).
pub(crate) fn create_database(name: &str) -> String {
    format!("CREATE DATABASE {} TEMPLATE template0", quote::ident(name))
}

/// Scratch databases no session is connected to; one `text` column (their names).
pub(crate) const UNUSED_SCRATCH_DATABASES: &str = "SELECT d.datname::text FROM pg_database d WHERE d.datname LIKE 'strata\\_scratch\\_%' \
     AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)";

/// Whether the index `$1` (a name, qualified or resolved through the search path) is valid;
/// no row when there is no such index.
pub(crate) const INDEX_VALIDITY: &str =
    "SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass($1)";

/// Whether the relation `$1` exists; one `bool` column.
pub(crate) const RELATION_EXISTS: &str = "SELECT to_regclass($1) IS NOT NULL";

/// The revisions table of versioned migrations: its schema and table created when missing.
pub(crate) fn create_revisions_table(schema: &str, table: &str) -> String {
    format!(
        "CREATE SCHEMA IF NOT EXISTS {schema};
CREATE TABLE IF NOT EXISTS {table} (
  version text PRIMARY KEY,
  description text NOT NULL DEFAULT '',
  kind text NOT NULL DEFAULT 'applied' CHECK (kind IN ('applied', 'baseline')),
  checksum text NOT NULL DEFAULT '',
  applied integer NOT NULL DEFAULT 0,
  total integer NOT NULL DEFAULT 0,
  execution_time_ms bigint NOT NULL DEFAULT 0,
  error text,
  error_statement text,
  applied_at timestamptz NOT NULL DEFAULT now(),
  strata_version text NOT NULL DEFAULT ''
);
COMMENT ON TABLE {table} IS 'Migration files strata applied (strata migrate apply)'",
        schema = quote::ident(schema),
    )
}

/// Every row of the revisions table `table` (quoted), columns in [`REVISION_COLUMNS`] order.
pub(crate) fn read_revisions(table: &str) -> String {
    format!("SELECT {REVISION_COLUMNS} FROM {table}")
}

/// The columns [`read_revisions`] returns, in order.
pub(crate) const REVISION_COLUMNS: &str = "version, description, kind, checksum, applied, total, execution_time_ms, error, error_statement, applied_at";

/// Inserts or replaces a revision: `$1`…`$9` the columns of [`REVISION_COLUMNS`] but
/// `applied_at` (now), `$10` strata's version.
pub(crate) fn upsert_revision(table: &str) -> String {
    format!(
        "INSERT INTO {table} AS r (version, description, kind, checksum, applied, total, execution_time_ms, error, error_statement, applied_at, strata_version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now(), $10)
                 ON CONFLICT (version) DO UPDATE SET description = EXCLUDED.description, kind = EXCLUDED.kind,
                   checksum = EXCLUDED.checksum, applied = EXCLUDED.applied, total = EXCLUDED.total,
                   execution_time_ms = EXCLUDED.execution_time_ms, error = EXCLUDED.error,
                   error_statement = EXCLUDED.error_statement, applied_at = now(), strata_version = EXCLUDED.strata_version"
    )
}

/// Deletes the revisions whose version is in `$1` (a `text[]`).
pub(crate) fn delete_revisions(table: &str) -> String {
    format!("DELETE FROM {table} WHERE version = ANY($1)")
}

/// Runs a user's query (env.hcl's `data "sql"`) with `args` as text parameters and returns
/// the first column of every row as text, NULLs left out. Text, integer, boolean and OID
/// columns are read; another type is an error asking for a cast.
pub(crate) async fn first_column(
    client: &tokio_postgres::Client,
    query: &str,
    args: &[String],
) -> Result<Vec<String>, tokio_postgres::Error> {
    use tokio_postgres::types::{ToSql, Type};
    let types = vec![Type::TEXT; args.len()];
    let statement = client.prepare_typed(query, &types).await?;
    let params: Vec<&(dyn ToSql + Sync)> = args.iter().map(|a| a as &(dyn ToSql + Sync)).collect();
    let rows = client.query(&statement, &params).await?;
    let Some(column) = statement.columns().first() else {
        return Ok(Vec::new());
    };
    let ty = column.type_().clone();
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let value: Option<String> = match ty {
            Type::TEXT | Type::VARCHAR | Type::NAME | Type::BPCHAR => row.try_get(0)?,
            Type::INT2 => row.try_get::<_, Option<i16>>(0)?.map(|v| v.to_string()),
            Type::INT4 => row.try_get::<_, Option<i32>>(0)?.map(|v| v.to_string()),
            Type::INT8 => row.try_get::<_, Option<i64>>(0)?.map(|v| v.to_string()),
            Type::OID => row.try_get::<_, Option<u32>>(0)?.map(|v| v.to_string()),
            Type::BOOL => row.try_get::<_, Option<bool>>(0)?.map(|v| v.to_string()),
            // Read as text by the server: the error names the type and asks for `::text`.
            _ => row.try_get(0)?,
        };
        out.extend(value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_statement_parses() {
        let table = "\"strata\".\"strata_schema_revisions\"";
        for sql in [
            TRY_ADVISORY_LOCK.to_string(),
            ADVISORY_UNLOCK.to_string(),
            BACKEND_PID.to_string(),
            SCRATCH_TRANSACTION.to_string(),
            SCRATCH_SESSION.to_string(),
            create_database("strata_scratch_1_2_ab\"c"),
            UNUSED_SCRATCH_DATABASES.to_string(),
            INDEX_VALIDITY.to_string(),
            RELATION_EXISTS.to_string(),
            create_revisions_table("strata", table),
            read_revisions(table),
            upsert_revision(table),
            delete_revisions(table),
        ] {
            assert!(pg_query::parse(&sql, 0).is_ok(), "{sql}");
        }
        assert_eq!(
            create_database("a\"b"),
            "CREATE DATABASE \"a\"\"b\" TEMPLATE template0"
        );
    }
}
