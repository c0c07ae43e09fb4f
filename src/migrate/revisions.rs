//! The revisions table, `strata.strata_schema_revisions`: one row per migration file that was
//! applied (or baselined, or that failed), in a schema of its own so that plans of the
//! application's schemas never see it.

use crate::postgres::connect::error_text;
use crate::postgres::rows::{Cols, RowError, col};
use crate::postgres::{quote, session};
use miette::{Diagnostic, Result};
use std::time::{Duration, Instant};
use thiserror::Error;
use tokio_postgres::GenericClient;

/// Schema of the revisions table.
pub(crate) const SCHEMA: &str = "strata";
/// Name of the revisions table.
pub(crate) const TABLE: &str = "strata_schema_revisions";

/// A database operation on the revisions table failed.
#[derive(Debug, Error, Diagnostic)]
#[error("could not {what}: {message}")]
#[diagnostic(code(strata::migrate::revisions))]
pub(crate) struct RevisionsError {
    pub(crate) what: String,
    pub(crate) message: String,
}

fn db(what: &str) -> impl Fn(tokio_postgres::Error) -> RevisionsError + '_ {
    move |e| RevisionsError {
        what: what.to_string(),
        message: error_text(&e),
    }
}

impl From<RowError> for RevisionsError {
    fn from(e: RowError) -> RevisionsError {
        RevisionsError {
            what: e.what.to_string(),
            message: e.detail(),
        }
    }
}

/// `"strata"."strata_schema_revisions"`.
pub(crate) fn table() -> String {
    quote::qualified_parts(SCHEMA, TABLE)
}

/// What a row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The file ran (completely, or up to `applied` statements with an error).
    Applied,
    /// `--baseline`: the database already had what the files up to this version create.
    Baseline,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Applied => "applied",
            Kind::Baseline => "baseline",
        }
    }
}

/// One row of the revisions table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Revision {
    pub(crate) version: String,
    pub(crate) description: String,
    pub(crate) kind: Kind,
    /// Base64 SHA-256 of the file when it ran.
    pub(crate) checksum: String,
    /// Statements that ran and were committed.
    pub(crate) applied: i32,
    /// Statements in the file.
    pub(crate) total: i32,
    pub(crate) execution_time_ms: i64,
    pub(crate) error: Option<String>,
    pub(crate) error_statement: Option<String>,
    pub(crate) applied_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl Revision {
    /// Is the file not (yet) completely applied: its run failed with an error, or it stopped
    /// part-way without recording one (the process was killed or lost its connection while a
    /// `txmode none` file ran)? Either way it is pending, and `migrate apply` resumes it.
    pub(crate) fn failed(&self) -> bool {
        self.error.is_some() || self.interrupted()
    }

    /// Did a run stop part-way without recording an error: fewer statements applied than the
    /// file holds and no error? Only `txmode none` files record progress statement by
    /// statement, so only they can be left this way.
    pub(crate) fn interrupted(&self) -> bool {
        self.kind == Kind::Applied && self.error.is_none() && self.applied < self.total
    }
}

/// Creates the schema and table when missing.
pub(crate) async fn ensure<C: GenericClient + Sync>(client: &C) -> Result<(), RevisionsError> {
    let sql = session::create_revisions_table(SCHEMA, &table());
    client
        .batch_execute(&sql)
        .await
        .map_err(db("create the revisions table"))
}

/// Does the table exist?
pub(crate) async fn exists<C: GenericClient + Sync>(client: &C) -> Result<bool, RevisionsError> {
    let row = client
        .query_one(
            session::RELATION_EXISTS,
            &[&format!("{}.{}", quote::ident(SCHEMA), quote::ident(TABLE))],
        )
        .await
        .map_err(db("look for the revisions table"))?;
    Ok(col(&row, 0, "look for the revisions table")?)
}

/// Every row, ordered by version; empty when the table does not exist.
pub(crate) async fn read<C: GenericClient + Sync>(
    client: &C,
) -> Result<Vec<Revision>, RevisionsError> {
    if !exists(client).await? {
        return Ok(Vec::new());
    }
    let rows = client
        .query(&session::read_revisions(&table()), &[])
        .await
        .map_err(db("read the revisions table"))?;
    let mut out: Vec<Revision> = rows
        .iter()
        .map(|r| {
            let r = Cols::new(r, "read the revisions table");
            Ok(Revision {
                version: r.col(0)?,
                description: r.col(1)?,
                kind: if r.col::<String>(2)? == "baseline" {
                    Kind::Baseline
                } else {
                    Kind::Applied
                },
                checksum: r.col(3)?,
                applied: r.col(4)?,
                total: r.col(5)?,
                execution_time_ms: r.col(6)?,
                error: r.col(7)?,
                error_statement: r.col(8)?,
                applied_at: r.col(9)?,
            })
        })
        .collect::<Result<_, RevisionsError>>()?;
    out.sort_by(|a, b| super::dir::compare_versions(&a.version, &b.version));
    Ok(out)
}

/// Inserts or replaces the row of `rev.version`.
pub(crate) async fn upsert<C: GenericClient + Sync>(
    client: &C,
    rev: &Revision,
) -> Result<(), RevisionsError> {
    client
        .execute(
            &session::upsert_revision(&table()),
            &[
                &rev.version,
                &rev.description,
                &rev.kind.as_str(),
                &rev.checksum,
                &rev.applied,
                &rev.total,
                &rev.execution_time_ms,
                &rev.error,
                &rev.error_statement,
                &env!("CARGO_PKG_VERSION"),
            ],
        )
        .await
        .map_err(db("record the migration in the revisions table"))?;
    Ok(())
}

/// Deletes the rows of these versions.
pub(crate) async fn delete<C: GenericClient + Sync>(
    client: &C,
    versions: &[String],
) -> Result<(), RevisionsError> {
    client
        .execute(&session::delete_revisions(&table()), &[&versions])
        .await
        .map_err(db("update the revisions table"))?;
    Ok(())
}

/// Another strata holds the migration lock.
#[derive(Debug, Error, Diagnostic)]
#[error("another strata holds the lock on this database; gave up after {waited:?}")]
#[diagnostic(
    code(strata::migrate::locked),
    help(
        "wait for the other run to finish and try again, or raise --db-lock-wait; nothing was changed"
    )
)]
pub(crate) struct Locked {
    pub(crate) waited: Duration,
}

/// Takes strata's advisory lock for the session (the same key `strata apply` uses), waiting
/// up to `wait`. It is released when the connection closes.
pub(crate) async fn lock<C: GenericClient + Sync>(client: &C, wait: Duration) -> Result<()> {
    let started = Instant::now();
    loop {
        let row = client
            .query_one(
                session::TRY_ADVISORY_LOCK,
                &[&crate::apply::ADVISORY_LOCK_KEY],
            )
            .await
            .map_err(db("take the advisory lock"))?;
        if col::<bool, _>(&row, 0, "take the advisory lock").map_err(RevisionsError::from)? {
            return Ok(());
        }
        if started.elapsed() >= wait {
            return Err(Locked { waited: wait }.into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The first object that makes the database not empty, outside strata's own schema: a
/// relation, a routine or a type in a user schema, or a user schema other than `public`.
pub(crate) async fn first_unmanaged_object<C: GenericClient + Sync>(
    client: &C,
) -> Result<Option<String>, RevisionsError> {
    let sql = "
WITH user_ns AS (
  SELECT oid, nspname FROM pg_namespace
  WHERE nspname !~ '^pg_' AND nspname NOT IN ('information_schema', $1)
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = pg_namespace.oid AND d.deptype = 'e')
), ext AS (
  SELECT objid, classid FROM pg_depend WHERE deptype = 'e'
)
SELECT what FROM (
  SELECT 1 AS o, format('table %I.%I', n.nspname, c.relname) AS what
  FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_class'::regclass AND ext.objid = c.oid)
  UNION ALL
  SELECT 2, format('function %I.%I', n.nspname, p.proname)
  FROM pg_proc p JOIN user_ns n ON n.oid = p.pronamespace
  WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_proc'::regclass AND ext.objid = p.oid)
  UNION ALL
  SELECT 3, format('type %I.%I', n.nspname, t.typname)
  FROM pg_type t JOIN user_ns n ON n.oid = t.typnamespace
  WHERE t.typtype IN ('e', 'd', 'c', 'r', 'm') AND (t.typrelid = 0 OR EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c'))
    AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_type'::regclass AND ext.objid = t.oid)
  UNION ALL
  SELECT 4, format('schema %I', nspname) FROM user_ns WHERE nspname <> 'public'
) x ORDER BY o, what LIMIT 1";
    let rows = client
        .query(sql, &[&SCHEMA])
        .await
        .map_err(db("check whether the database is empty"))?;
    Ok(rows
        .first()
        .map(|r| col(r, 0, "check whether the database is empty"))
        .transpose()?)
}
