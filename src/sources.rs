//! Schema sources other than HCL: `.sql` files, directories of them (run in lexical order), and
//! `data "external_schema"` programs that print DDL. The SQL runs in a scratch database and is
//! read back with the same inspector `plan` uses, so the desired model is already in
//! PostgreSQL's canonical form and needs no normalization. The pipeline compares it.

use crate::config::{EXTERNAL_SCHEMA_SCHEME, ExternalSchema};
use crate::devdb::{DevSource, ScratchDb};
use crate::migrate::sql::{SqlError, SqlFile, run_file};
use crate::model::Model;
use crate::postgres::inspect::deps::{Deps, dependencies};
use crate::postgres::inspect::{SchemaFilter, inspect};
use crate::settings::{Settings, usage};
use miette::{Diagnostic, Result};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// An external schema program failed.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(strata::external_schema))]
pub(crate) struct ProgramError {
    pub(crate) message: String,
    #[help]
    pub(crate) help: Option<String>,
}

/// One entry of `src`.
enum Entry {
    Hcl,
    Sql(PathBuf),
    SqlDir(PathBuf),
    Program(String),
}

/// The program name of an `external_schema://NAME` source.
fn program_name(p: &Path) -> Option<String> {
    let s = p.to_string_lossy();
    s.find(EXTERNAL_SCHEMA_SCHEME).map(|i| {
        s[i + EXTERNAL_SCHEMA_SCHEME.len()..]
            .trim_matches('/')
            .to_string()
    })
}

fn classify(p: &Path) -> Result<Entry> {
    if let Some(name) = program_name(p) {
        return Ok(Entry::Program(name));
    }
    if p.is_dir() {
        let mut hcl = false;
        let mut sql = false;
        if let Ok(entries) = std::fs::read_dir(p) {
            for e in entries.flatten() {
                let f = e.path();
                match f.extension().and_then(|x| x.to_str()) {
                    Some("hcl") => hcl = true,
                    Some("sql") => sql = true,
                    _ => {}
                }
            }
        }
        return match (hcl, sql) {
            (true, true) => Err(mixed(&format!(
                "{} holds both .hcl and .sql files",
                crate::hcl::display_path(p)
            ))),
            (false, true) => Ok(Entry::SqlDir(p.to_path_buf())),
            _ => Ok(Entry::Hcl),
        };
    }
    if p.extension().is_some_and(|x| x == "sql") {
        return Ok(Entry::Sql(p.to_path_buf()));
    }
    Ok(Entry::Hcl)
}

fn mixed(what: &str) -> miette::Report {
    usage(
        format!("mixed schema sources: {what}"),
        "use either HCL (.hcl files) or SQL (.sql files, external_schema programs) for the desired schema, not both; `strata inspect` turns one into the other",
    )
}

/// `true` when the sources are SQL (files, directories or programs); an error when HCL and SQL
/// are mixed.
pub(crate) fn is_sql(src: &[PathBuf]) -> Result<bool> {
    let mut hcl = false;
    let mut sql = false;
    for p in src {
        match classify(p)? {
            Entry::Hcl => hcl = true,
            _ => sql = true,
        }
    }
    if hcl && sql {
        return Err(mixed("the sources name both .hcl and SQL sources"));
    }
    Ok(sql)
}

/// Reads the SQL sources into memory (running programs), in order.
pub(crate) async fn read(s: &Settings) -> Result<Vec<SqlFile>> {
    let mut out = Vec::new();
    for p in &s.src {
        match classify(p)? {
            Entry::Hcl => return Err(mixed("the sources name both .hcl and SQL sources")),
            Entry::Sql(f) => out.push(read_file(&f)?),
            Entry::SqlDir(d) => {
                let mut files: Vec<PathBuf> = std::fs::read_dir(&d)
                    .map_err(|e| read_error(&d, &e))?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|f| f.extension().is_some_and(|x| x == "sql") && f.is_file())
                    .collect();
                files.sort();
                for f in files {
                    out.push(read_file(&f)?);
                }
            }
            Entry::Program(name) => {
                let Some(x) = s.external_schemas.get(&name) else {
                    return Err(usage(
                        format!("no data \"external_schema\" \"{name}\" in the config file"),
                        "declare it in env.hcl: data \"external_schema\" \"NAME\" { program = [\"python3\", \"models.py\"] }, and select the env with --env",
                    ));
                };
                out.push(run_program(x).await?);
            }
        }
    }
    Ok(out)
}

fn read_error(p: &Path, e: &std::io::Error) -> miette::Report {
    crate::hcl::ReadError {
        path: p.display().to_string(),
        reason: e.to_string(),
    }
    .into()
}

fn read_file(p: &Path) -> Result<SqlFile> {
    let text = std::fs::read_to_string(p).map_err(|e| read_error(p, &e))?;
    Ok(SqlFile::new(crate::hcl::display_path(p), text))
}

/// Runs an external schema program and returns what it printed.
pub(crate) async fn run_program(x: &ExternalSchema) -> Result<SqlFile> {
    let shown = x.program.join(" ");
    let Some((cmd, args)) = x.program.split_first() else {
        return Err(ProgramError {
            message: format!("external_schema \"{}\" has an empty program", x.name),
            help: None,
        }
        .into());
    };
    let output = tokio::process::Command::new(cmd)
        .args(args)
        .current_dir(&x.working_dir)
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .map_err(|e| ProgramError {
            message: format!(
                "cannot run `{shown}` (external_schema \"{}\") in {}: {e}",
                x.name,
                x.working_dir.display()
            ),
            help: Some("check the program and working_dir of the data block".into()),
        })?;
    let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
    if !output.status.success() {
        return Err(ProgramError {
            message: format!(
                "`{shown}` (external_schema \"{}\") failed with {}{}",
                x.name,
                output.status,
                if stderr.is_empty() {
                    String::new()
                } else {
                    format!(":\n{stderr}")
                }
            ),
            help: Some("the program must print the schema as SQL DDL on stdout and exit 0".into()),
        }
        .into());
    }
    let text = String::from_utf8(output.stdout).map_err(|_| ProgramError {
        message: format!(
            "`{shown}` (external_schema \"{}\") printed text that is not UTF-8",
            x.name
        ),
        help: None,
    })?;
    Ok(SqlFile::new(format!("output of `{shown}`"), text))
}

/// Runs the SQL sources in a scratch database and inspects the result.
pub(crate) async fn load(s: &Settings, dev: &DevSource) -> Result<(Model, Deps)> {
    let files = read(s).await?;
    let server = dev.server().await?;
    let scratch = ScratchDb::create(&server).await?;
    let result = load_into(&scratch, &files).await;
    let dropped = scratch.drop_now().await;
    let out = result?;
    dropped?;
    Ok(out)
}

async fn load_into(scratch: &ScratchDb, files: &[SqlFile]) -> Result<(Model, Deps)> {
    for f in files {
        run_file(
            &scratch.client,
            f,
            &format!("PostgreSQL rejected {}", f.name),
        )
        .await
        .map_err(|e: SqlError| e.with_help("fix the schema source and run again"))?;
    }
    let mut model = inspect(&scratch.client, &SchemaFilter::default()).await?;
    // `public` exists in every database: it is managed when the SQL puts something in it.
    if model.schemas.get("public").is_some_and(schema_is_empty) {
        model.schemas.remove("public");
    }
    let scope = SchemaFilter {
        schemas: Some(model.schemas.keys().cloned().collect()),
        roles: None,
    };
    let deps = dependencies(&scratch.client, &scope)
        .await
        .map_err(miette::Report::new)?;
    Ok((model, deps))
}

fn schema_is_empty(s: &crate::model::Schema) -> bool {
    s.tables.is_empty()
        && s.enums.is_empty()
        && s.domains.is_empty()
        && s.collations.is_empty()
        && s.composites.is_empty()
        && s.sequences.is_empty()
        && s.views.is_empty()
        && s.functions.is_empty()
        && s.aggregates.is_empty()
}
