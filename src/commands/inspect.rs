//! `strata inspect`.

use super::{Settings, apply_exclude, target_url};
use crate::cli::{EXIT_OK, InspectArgs, InspectFormat};
use crate::diff;
use crate::hcl::writer;
use crate::model::{Model, Schema};
use crate::plan::{self, PlanContext};
use crate::postgres::inspect::{SchemaFilter, inspect_target, unmanaged};
use crate::render;
use crate::settings::{connect_catalog_reader, inspect_failed};
use miette::Result;

/// `from_sources`: `--src` without `--url` on the command line, so the schema sources are
/// rendered instead of a database.
pub(crate) async fn run(s: &Settings, args: &InspectArgs, from_sources: bool) -> Result<u8> {
    let model = if from_sources {
        desired(s).await?
    } else {
        live(s).await?
    };
    print_model(&model, args.format)
}

/// The schema the sources declare (HCL needs no database; SQL sources run in a scratch
/// database), cut to `--schema` and `--exclude`.
pub(super) async fn desired(s: &Settings) -> Result<Model> {
    let dev = crate::settings::dev_source(s)?;
    let mut model = crate::pipeline::desired(s, &dev).await?.model;
    let schemas = if s.schemas.is_empty() {
        model.schemas.keys().cloned().collect()
    } else {
        s.schemas.clone()
    };
    crate::model::Scope {
        schemas,
        exclude: s.exclude.clone(),
        roles: s.roles.clone(),
    }
    .restrict(&mut model);
    Ok(model)
}

/// The target database's schema; what strata does not manage is reported on stderr.
pub(super) async fn live(s: &Settings) -> Result<Model> {
    let url = target_url(s).await?;
    // Two connections: the server reads the catalog for both at once.
    let lock = s.timeouts.lock;
    let (client, second) = tokio::try_join!(
        connect_catalog_reader(&url, lock),
        connect_catalog_reader(&url, lock)
    )?;
    let filter = SchemaFilter::listed(&s.schemas).with_roles(s.roles.clone());
    let (mut model, mut warnings) = match inspect_target(&client, &second, &filter).await {
        Ok(r) => r,
        Err(e) => return Err(inspect_failed(&url, lock, s.verbose, e).await),
    };
    // A listed schema the database lacks is most likely a typo: say so rather than print nothing.
    let missing: Vec<String> = s
        .schemas
        .iter()
        .filter(|n| !model.schemas.contains_key(*n))
        .map(|n| format!("{n:?}"))
        .collect();
    if !missing.is_empty() {
        return Err(crate::settings::usage(
            format!(
                "no schema {} in the database at {}",
                missing.join(", "),
                url.redacted()
            ),
            "check --schema (or the env's `schemas`); `strata inspect` without it reads every schema",
        ));
    }
    // Extensions are read wherever they are installed; the output names those in its schemas.
    if !s.schemas.is_empty() {
        model
            .extensions
            .retain(|_, e| e.schema.as_ref().is_none_or(|x| s.schemas.contains(x)));
    }
    apply_exclude(&mut model, &s.exclude);
    if s.schemas.is_empty() {
        hide_bookkeeping(&mut model);
    }
    // What the output cannot say: attributes strata does not manage, on stderr.
    let scope = crate::model::Scope {
        schemas: model.schemas.keys().cloned().collect(),
        exclude: s.exclude.clone(),
        roles: s.roles.clone(),
    };
    unmanaged::restrict(&mut warnings, &scope);
    for w in &warnings {
        eprintln!("{} {}", s.painter.yellow("warning:"), w.message());
    }
    Ok(model)
}

fn print_model(model: &Model, format: InspectFormat) -> Result<u8> {
    match format {
        InspectFormat::Hcl => {
            use std::io::Write;
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let mut failed = None;
            writer::write_each(model, |text| {
                if failed.is_none()
                    && let Err(e) = out.write_all(text.as_bytes())
                {
                    failed = Some(e);
                }
            });
            if let Some(e) = failed.or_else(|| out.flush().err()) {
                // A closed pipe (`strata inspect | head`) is not an error worth a report.
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(miette::miette!(
                        code = "strata::output",
                        "cannot write the output: {e}"
                    ));
                }
            }
        }
        InspectFormat::Sql => print!("{}", sql(model)?),
        InspectFormat::Mermaid => print!("{}", render::erd::mermaid(model)),
        InspectFormat::Dot => print!("{}", render::erd::dot(model)),
    }
    Ok(EXIT_OK)
}

/// Leaves out the schema that holds only strata's own revisions table (`strata migrate`): it
/// is strata's bookkeeping, not part of the application's schema. Asked for by name with
/// `--schema strata`, it is shown.
fn hide_bookkeeping(model: &mut Model) {
    use crate::migrate::revisions::{SCHEMA, TABLE};
    if let Some(schema) = model.schemas.get(SCHEMA) {
        let only_revisions = schema.tables.len() == 1
            && schema.tables.contains_key(TABLE)
            && schema.enums.is_empty()
            && schema.domains.is_empty()
            && schema.collations.is_empty()
            && schema.composites.is_empty()
            && schema.sequences.is_empty()
            && schema.views.is_empty()
            && schema.functions.is_empty();
        if only_revisions {
            model.schemas.remove(SCHEMA);
        }
    }
}

/// The DDL that creates `model` in an empty database (which already has `public`).
pub(crate) fn sql(model: &Model) -> Result<String> {
    let mut empty = Model::default();
    if model.schemas.contains_key("public") {
        empty.schemas.insert(
            "public".into(),
            Schema {
                name: "public".into(),
                ..Default::default()
            },
        );
    }
    let changes = diff::diff(&empty, model)?;
    let p = plan::build(
        &changes,
        &empty,
        model,
        &Default::default(),
        &PlanContext::default(),
    );
    Ok(render::sql(&p))
}
