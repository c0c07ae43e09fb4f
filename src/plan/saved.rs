//! Plan files: `plan -out FILE` writes the plan as JSON (steps, SQL, hazards, env, the
//! fingerprint of the inspected database; the target URL with its password masked), `apply
//! FILE` and `show FILE` read it back.

use super::Plan;
use miette::{Diagnostic, Result};
use std::path::Path;
use thiserror::Error;

/// Version of the plan file format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Error, Diagnostic)]
pub enum PlanFileError {
    #[error("cannot write the plan to {path}: {reason}")]
    #[diagnostic(code(strata::plan_file::write))]
    Write { path: String, reason: String },
    #[error("cannot read the plan file {path}: {reason}")]
    #[diagnostic(
        code(strata::plan_file::read),
        help("pass a file written by `strata plan -out FILE`")
    )]
    Read { path: String, reason: String },
    #[error("{path} is not a strata plan file: {reason}")]
    #[diagnostic(
        code(strata::plan_file::invalid),
        help("pass a file written by `strata plan -out FILE`; re-run plan to make a new one")
    )]
    Invalid { path: String, reason: String },
    #[error(
        "the plan file {path} has format version {found}; this strata reads version {FORMAT_VERSION}"
    )]
    #[diagnostic(
        code(strata::plan_file::version),
        help("make the plan again with this version of strata")
    )]
    Version { path: String, found: u32 },
}

/// Writes `plan` to `path` (via a temporary file, so a reader never sees half a plan).
pub fn save(plan: &Plan, path: &Path) -> Result<()> {
    let err = |reason: String| PlanFileError::Write {
        path: path.display().to_string(),
        reason,
    };
    let text = serde_json::to_string_pretty(plan).map_err(|e| err(e.to_string()))?;
    let tmp = path.with_extension("strata-tmp");
    std::fs::write(&tmp, format!("{text}\n")).map_err(|e| err(e.to_string()))?;
    std::fs::rename(&tmp, path).map_err(|e| err(e.to_string()))?;
    Ok(())
}

/// Reads a plan file.
pub fn load(path: &Path) -> Result<Plan> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| PlanFileError::Read {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| PlanFileError::Invalid {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
    let found = value
        .get("format_version")
        .and_then(|v| v.as_u64())
        .ok_or_else(|| PlanFileError::Invalid {
            path: shown.clone(),
            reason: "no format_version".into(),
        })?;
    if found != u64::from(FORMAT_VERSION) {
        return Err(PlanFileError::Version {
            path: shown,
            found: u32::try_from(found).unwrap_or(u32::MAX),
        }
        .into());
    }
    serde_json::from_value(value).map_err(|e| {
        PlanFileError::Invalid {
            path: shown,
            reason: e.to_string(),
        }
        .into()
    })
}
