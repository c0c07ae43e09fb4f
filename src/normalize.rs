//! Normalization through PostgreSQL: desired tables that do not already match the live
//! database are created in a scratch database and inspected back with the same inspector, so
//! expressions, type aliases and generated names compare in PostgreSQL's canonical form.
//! Tables that already match (a plan of freshly inspected HCL) never leave the process.

use crate::devdb::{DevSource, ScratchTx};
use crate::diff;
use crate::hcl::SourceMap;
use crate::hcl::diag::HclError;
use crate::model::{Model, QualifiedName, Schema};
use crate::plan::{self, PlanContext};
use crate::postgres::connect::error_text;
use crate::postgres::inspect::{Scope, inspect};
use miette::{Diagnostic, Result};
use thiserror::Error;

/// The desired schema is invalid according to PostgreSQL.
#[derive(Debug, Error, Diagnostic)]
#[error("PostgreSQL rejected the desired schema: {message}")]
#[diagnostic(code(strata::invalid_schema))]
pub struct InvalidSchema {
    pub message: String,
    pub statement: String,
    #[help]
    pub help: Option<String>,
    #[related]
    pub at: Vec<HclError>,
}

const UNNAMED_CHECK: &str = "strata_unnamed_check_";

/// Tables of `desired` that differ from `current` and must be normalized.
pub fn dirty_tables(current: &Model, desired: &Model) -> Vec<QualifiedName> {
    desired
        .tables()
        .filter(|t| current.table(&t.qualified()) != Some(*t))
        .map(|t| t.qualified())
        .collect()
}

/// Returns `desired` with every table that differs from `current` in PostgreSQL's canonical form.
/// Reports how many tables went through the scratch database.
pub async fn normalize(
    current: &Model,
    desired: &Model,
    dev: &DevSource,
    sources: &SourceMap,
) -> Result<(Model, usize)> {
    let dirty = dirty_tables(current, desired);
    if dirty.is_empty() {
        return Ok((desired.clone(), 0));
    }
    // The subset to create: every schema and enum (cheap), the dirty tables without foreign keys
    // (they only name columns), unnamed checks under names we can map back.
    let mut subset = Model::default();
    for (name, s) in &desired.schemas {
        subset.schemas.insert(
            name.clone(),
            Schema {
                name: s.name.clone(),
                comment: None,
                enums: s.enums.clone(),
                ..Default::default()
            },
        );
    }
    for q in &dirty {
        let Some(t) = desired.table(q) else { continue };
        let mut t = t.clone();
        t.foreign_keys.clear();
        t.comment = None;
        for c in &mut t.columns {
            c.comment = None;
        }
        for (i, c) in t.checks.iter_mut().enumerate() {
            if c.name.is_none() {
                c.name = Some(format!("{UNNAMED_CHECK}{i}"));
            }
        }
        if let Some(s) = subset.schemas.get_mut(&q.schema) {
            s.tables.insert(q.name.clone(), t);
        }
    }
    // Deadlocks with a concurrent normalization on the same dev database are retried.
    let mut attempt = 0;
    let normalized = loop {
        attempt += 1;
        let scratch = ScratchTx::begin(dev).await?;
        let result = run_in_scratch(&scratch, &subset, sources).await;
        scratch.rollback().await;
        match result {
            Err(Failure::Deadlock) if attempt < 5 => continue,
            Err(Failure::Deadlock) => {
                return Err(miette::miette!(
                    "normalization kept deadlocking with another strata on the dev database"
                ));
            }
            Err(Failure::Other(e)) => return Err(e),
            Ok(m) => break m,
        }
    };

    let mut out = desired.clone();
    for q in &dirty {
        let (Some(orig), Some(norm)) = (desired.table(q), normalized.table(q)) else {
            continue;
        };
        let mut t = norm.clone();
        t.foreign_keys = orig.foreign_keys.clone();
        t.comment = orig.comment.clone();
        for c in &mut t.columns {
            c.comment = orig.column(&c.name).and_then(|o| o.comment.clone());
        }
        for c in &mut t.checks {
            if c.name
                .as_deref()
                .is_some_and(|n| n.starts_with(UNNAMED_CHECK))
            {
                // Keep the user's comment; the name stays PostgreSQL's business.
                let idx = c
                    .name
                    .as_deref()
                    .and_then(|n| n[UNNAMED_CHECK.len()..].parse::<usize>().ok());
                c.comment = idx
                    .and_then(|i| orig.checks.get(i))
                    .and_then(|o| o.comment.clone());
                c.name = None;
            } else if let Some(o) = orig.checks.iter().find(|o| o.name == c.name) {
                c.comment = o.comment.clone();
            }
        }
        t.sort();
        if let Some(s) = out.schemas.get_mut(&q.schema) {
            s.tables.insert(q.name.clone(), t);
        }
    }
    Ok((out, dirty.len()))
}

enum Failure {
    Deadlock,
    Other(miette::Report),
}

fn is_deadlock(e: &tokio_postgres::Error) -> bool {
    e.as_db_error()
        .is_some_and(|d| d.code() == &tokio_postgres::error::SqlState::T_R_DEADLOCK_DETECTED)
}

fn other(e: impl Into<miette::Report>) -> Failure {
    Failure::Other(e.into())
}

async fn run_in_scratch(
    scratch: &ScratchTx,
    subset: &Model,
    sources: &SourceMap,
) -> Result<Model, Failure> {
    // What the dev database already has (a fresh one has `public`).
    let existing = scratch
        .client
        .query(
            "SELECT nspname::text FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'",
            &[],
        )
        .await
        .map_err(|e| {
            Failure::Other(miette::miette!(
                "cannot read the dev database: {}",
                error_text(&e)
            ))
        })?;
    let mut empty = Model::default();
    for row in existing {
        let name: String = row.get(0);
        if subset.schemas.contains_key(&name) {
            empty.schemas.insert(
                name.clone(),
                Schema {
                    name,
                    ..Default::default()
                },
            );
        }
    }
    let changes = diff::diff(&empty, subset).map_err(other)?;
    let p = plan::build(&changes, &empty, subset, &PlanContext::default());
    let all: Vec<&str> = p.statements().collect();
    let script = format!(
        "SAVEPOINT strata_batch;\n{};\nRELEASE SAVEPOINT strata_batch;",
        all.join(";\n")
    );
    if let Err(first) = scratch.client.batch_execute(&script).await {
        if is_deadlock(&first) {
            return Err(Failure::Deadlock);
        }
        let _ = scratch
            .client
            .batch_execute("ROLLBACK TO SAVEPOINT strata_batch")
            .await;
        // Find the statement that fails, to name it and point at its HCL.
        for step in &p.steps {
            for st in &step.statements {
                if let Err(e) = scratch.client.batch_execute(st).await {
                    if is_deadlock(&e) {
                        return Err(Failure::Deadlock);
                    }
                    let at = sources
                        .objects
                        .get(&step.object)
                        .map(|loc| {
                            vec![HclError::new(
                                loc.clone(),
                                format!("declared here: {}", step.object),
                                "this object",
                            )]
                        })
                        .unwrap_or_default();
                    let exists = e.as_db_error().is_some_and(|d| {
                        d.code() == &tokio_postgres::error::SqlState::DUPLICATE_TABLE
                            || d.code() == &tokio_postgres::error::SqlState::DUPLICATE_OBJECT
                            || d.code() == &tokio_postgres::error::SqlState::DUPLICATE_SCHEMA
                    });
                    let help = if exists {
                        format!(
                            "the dev database ({}) must not hold the objects of your schema: point `dev` at an empty database\nthe failing statement was:\n{st}",
                            scratch.url.redacted()
                        )
                    } else {
                        format!("the failing statement was:\n{st}")
                    };
                    return Err(other(InvalidSchema {
                        message: error_text(&e),
                        statement: st.clone(),
                        help: Some(help),
                        at,
                    }));
                }
            }
        }
        return Err(other(InvalidSchema {
            message: error_text(&first),
            statement: String::new(),
            help: None,
            at: vec![],
        }));
    }
    let schemas: Vec<String> = subset.schemas.keys().cloned().collect();
    let scope = Scope {
        schemas: Some(schemas),
    };
    inspect(&scratch.client, &scope)
        .await
        .map_err(Failure::Other)
}
