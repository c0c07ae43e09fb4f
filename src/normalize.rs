//! Normalization through PostgreSQL: desired tables that do not already match the live
//! database are created in a scratch database and inspected back with the same inspector, so
//! expressions, type aliases and generated names compare in PostgreSQL's canonical form.
//! Tables that already match (a plan of freshly inspected HCL) never leave the process.

use crate::devdb::{DevSource, ScratchDb};
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
    // A fresh database already has `public`.
    let mut empty = Model::default();
    if subset.schemas.contains_key("public") {
        empty.schemas.insert(
            "public".into(),
            Schema {
                name: "public".into(),
                ..Default::default()
            },
        );
    }
    let changes = diff::diff(&empty, &subset)?;
    let p = plan::build(&changes, &empty, &subset, &PlanContext::default());

    let server = dev.server().await?;
    let scratch = ScratchDb::create(&server).await?;
    let result = run_in_scratch(&scratch, &p, &subset, sources).await;
    let dropped = scratch.drop_now().await;
    let normalized = result?;
    dropped?;

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

async fn run_in_scratch(
    scratch: &ScratchDb,
    p: &plan::Plan,
    subset: &Model,
    sources: &SourceMap,
) -> Result<Model> {
    let all: Vec<&str> = p.statements().collect();
    let script = format!("BEGIN;\n{};\nCOMMIT;", all.join(";\n"));
    if let Err(first) = scratch.client.batch_execute(&script).await {
        let _ = scratch.client.batch_execute("ROLLBACK").await;
        // Find the statement that fails, to name it and point at its HCL.
        for step in &p.steps {
            for st in &step.statements {
                if let Err(e) = scratch.client.batch_execute(st).await {
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
                    return Err(InvalidSchema {
                        message: error_text(&e),
                        statement: st.clone(),
                        help: Some(format!("the failing statement was:\n{st}")),
                        at,
                    }
                    .into());
                }
            }
        }
        return Err(InvalidSchema {
            message: error_text(&first),
            statement: String::new(),
            help: None,
            at: vec![],
        }
        .into());
    }
    let schemas: Vec<String> = subset.schemas.keys().cloned().collect();
    let scope = Scope {
        schemas: Some(schemas),
    };
    let model = inspect(&scratch.client, &scope).await?;
    Ok(model)
}
