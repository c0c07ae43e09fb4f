//! Versioned migrations: the migration directory ([`dir`]), its sum file ([`sum`]), the
//! revisions table in the target database ([`revisions`]), SQL splitting and diagnostics
//! ([`sql`]) and the file linter ([`lint`]). Replaying files on a scratch database turns a
//! directory into a [`Model`] with the same inspector `plan` uses; the differ and planner do the
//! rest.

pub mod dir;
pub(crate) mod lint;
pub(crate) mod resume;
pub(crate) mod revisions;
pub(crate) mod sql;
pub(crate) mod sum;

use crate::model::Model;
use crate::postgres::inspect::deps::{Deps, dependencies};
use crate::postgres::inspect::{SchemaFilter, inspect};
use dir::Migration;
use miette::Result;
use std::path::Path;
use tokio_postgres::GenericClient;

/// Runs `migrations` (up files) on `client`, statement by statement; a failure names the file,
/// line and column.
pub(crate) async fn replay<C: GenericClient + Sync>(
    client: &C,
    dir: &Path,
    migrations: &[&Migration],
) -> Result<()> {
    for m in migrations {
        let file = m.sql(dir)?;
        sql::run_file(client, &file, &format!("replaying {} failed", m.name)).await?;
    }
    Ok(())
}

/// Inspects every user schema (but strata's own) with its dependencies.
pub(crate) async fn inspect_state<C: GenericClient + Sync>(client: &C) -> Result<(Model, Deps)> {
    let mut model = inspect(client, &SchemaFilter::default()).await?;
    model.schemas.remove(revisions::SCHEMA);
    let names: Vec<String> = model.schemas.keys().cloned().collect();
    let deps = dependencies(
        client,
        &SchemaFilter {
            schemas: Some(names),
            roles: None,
        },
    )
    .await
    .map_err(miette::Report::new)?;
    Ok((model, deps))
}

use dir::{Dir, compare_versions};
use revisions::{Kind, Revision};
use std::cmp::Ordering;

/// Where a database stands against the migration directory.
#[derive(Debug)]
pub(crate) struct Status<'a> {
    /// The last version applied without error (or the baseline).
    pub(crate) current: Option<String>,
    /// Rows applied without error.
    pub(crate) applied: usize,
    /// Files to apply, in order (a failed file first, to be retried).
    pub(crate) pending: Vec<&'a Migration>,
    /// The file whose last run failed.
    pub(crate) failed: Option<Revision>,
    /// Applied files that changed since: `(file, what)`.
    pub(crate) mismatched: Vec<(String, String)>,
    /// Files without a revision that sort before the current version.
    pub(crate) out_of_order: Vec<&'a Migration>,
}

/// Compares the directory with the revisions table.
pub(crate) fn status<'a>(dir: &'a Dir, revs: &[Revision]) -> Status<'a> {
    let ok: Vec<&Revision> = revs.iter().filter(|r| !r.failed()).collect();
    let current = ok
        .iter()
        .map(|r| r.version.clone())
        .max_by(|a, b| compare_versions(a, b));
    let baseline = ok
        .iter()
        .filter(|r| r.kind == Kind::Baseline)
        .map(|r| r.version.clone())
        .max_by(|a, b| compare_versions(a, b));
    let mut st = Status {
        current: current.clone(),
        applied: ok.len(),
        pending: Vec::new(),
        failed: revs.iter().find(|r| r.failed()).cloned(),
        mismatched: Vec::new(),
        out_of_order: Vec::new(),
    };
    let before = |v: &str, of: &Option<String>| {
        of.as_deref()
            .is_some_and(|c| compare_versions(v, c) != Ordering::Greater)
    };
    for m in &dir.migrations {
        match revs.iter().find(|r| r.version == m.version) {
            Some(r) if r.failed() => st.pending.push(m),
            Some(r) => {
                if r.kind == Kind::Applied && r.checksum != m.checksum() {
                    st.mismatched.push((
                        m.name.clone(),
                        "was edited after it was applied".to_string(),
                    ));
                }
            }
            None if before(&m.version, &baseline) => {}
            None if before(&m.version, &current) => st.out_of_order.push(m),
            None => st.pending.push(m),
        }
    }
    for r in ok.iter().filter(|r| r.kind == Kind::Applied) {
        if dir.find(&r.version).is_none() {
            st.mismatched.push((
                r.version.clone(),
                "was applied but its file is missing from the directory".to_string(),
            ));
        }
    }
    st
}
