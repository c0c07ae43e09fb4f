//! The databases of a server, as strata's private cluster needs them: which exist, creating one,
//! and who is connected. Errors are plain text for the caller to wrap.

use crate::postgres::connect::error_text;
use crate::postgres::quote::ident;
use crate::postgres::rows::col;
use tokio_postgres::Client;

/// Creates database `name` unless it exists. Returns whether it created it.
pub(crate) async fn create_if_missing(admin: &Client, name: &str) -> Result<bool, String> {
    let exists = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await
        .map_err(|e| format!("cannot list databases: {}", error_text(&e)))?;
    if exists.is_some() {
        return Ok(false);
    }
    match admin
        .batch_execute(&format!("CREATE DATABASE {}", ident(name)))
        .await
    {
        Ok(()) => Ok(true),
        // Another strata created it meanwhile.
        Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::DUPLICATE_DATABASE) => {
            Ok(false)
        }
        Err(e) => Err(format!("cannot create it: {}", error_text(&e))),
    }
}

/// The databases users made: all but `postgres`, the templates and scratch databases.
pub(crate) async fn user_databases(admin: &Client) -> Result<Vec<String>, String> {
    let rows = admin
        .query(
            "SELECT datname::text FROM pg_database WHERE NOT datistemplate \
             AND datname <> 'postgres' AND datname NOT LIKE 'strata\\_scratch\\_%' ORDER BY 1",
            &[],
        )
        .await
        .map_err(|e| error_text(&e))?;
    rows.iter()
        .map(|r| col::<String, _>(r, 0, "databases").map_err(|e| e.to_string()))
        .collect()
}

/// Client sessions other than the caller's.
pub(crate) async fn client_sessions(admin: &Client) -> Result<i64, String> {
    let row = admin
        .query_one(
            "SELECT count(*) FROM pg_stat_activity \
             WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
            &[],
        )
        .await
        .map_err(|e| error_text(&e))?;
    col::<i64, _>(&row, 0, "sessions").map_err(|e| e.to_string())
}
