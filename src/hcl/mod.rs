//! HCL ⇄ [`Model`](crate::model::Model): the loader (Atlas-compatible PostgreSQL dialect with
//! spans for diagnostics), the canonical writer used by `inspect`, and the comment-preserving
//! formatter used by `fmt`.

mod chunks;
pub(crate) mod diag;
pub(crate) mod eval;
pub(crate) mod fmt;
pub(crate) mod loader;
pub(crate) mod syntax;
pub(crate) mod types;
pub mod writer;
pub(crate) mod writer_objects;
pub(crate) mod writer_roles;

pub use diag::{HclError, HclErrors, SourceFile};
pub(crate) use loader::SourceMap;
pub use loader::{LoadOptions, Loaded, load};

use miette::{Diagnostic, Result};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// A schema path that could not be read.
#[derive(Debug, Error, Diagnostic)]
#[error("cannot read {path}: {reason}")]
#[diagnostic(
    code(strata::src),
    help("check the --src paths or the env's `src` list")
)]
pub(crate) struct ReadError {
    pub(crate) path: String,
    pub(crate) reason: String,
}

/// Expands files and directories into the `.hcl` files they hold, sorted by name. `skip` lists
/// files that are not schema files (the env.hcl in use).
pub(crate) fn collect_files(
    paths: &[PathBuf],
    skip: &[PathBuf],
) -> Result<Vec<PathBuf>, ReadError> {
    let skip: Vec<PathBuf> = skip.iter().filter_map(|p| p.canonicalize().ok()).collect();
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| ReadError {
            path: p.display().to_string(),
            reason: e.to_string(),
        })?;
        if meta.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| ReadError {
                    path: p.display().to_string(),
                    reason: e.to_string(),
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "hcl") && f.is_file())
                .collect();
            entries.sort();
            out.extend(entries);
        } else {
            out.push(p.clone());
        }
    }
    out.retain(|f| !f.canonicalize().is_ok_and(|c| skip.contains(&c)));
    out.dedup();
    Ok(out)
}

/// Reads files into memory.
pub(crate) fn read_files(files: &[PathBuf]) -> Result<Vec<SourceFile>, ReadError> {
    files
        .iter()
        .map(|f| {
            std::fs::read_to_string(f)
                .map(|text| SourceFile::new(display_path(f), text))
                .map_err(|e| ReadError {
                    path: f.display().to_string(),
                    reason: e.to_string(),
                })
        })
        .collect()
}

/// A path as shown in messages: relative to the working directory when possible.
pub(crate) fn display_path(p: &Path) -> String {
    if let Ok(cwd) = std::env::current_dir()
        && let Ok(rel) = p.strip_prefix(&cwd)
    {
        return rel.display().to_string();
    }
    p.display().to_string()
}
