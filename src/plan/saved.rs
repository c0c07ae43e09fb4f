//! Plan files: `plan -out FILE` writes the plan as JSON (steps, SQL, hazards, env, the
//! fingerprint of the inspected database; the target URL with its password masked) and the
//! desired schema it leads to (so `apply FILE --rehearse` can check that it converges); `apply
//! FILE` and `show FILE` read it back.

use super::Plan;
use crate::model::Model;
use miette::{Diagnostic, Result};
use serde::Serialize;
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

/// What a plan file holds: the plan's fields and, beside them, the desired schema.
#[derive(Serialize)]
struct PlanFile<'a> {
    #[serde(flatten)]
    plan: &'a Plan,
    #[serde(skip_serializing_if = "Option::is_none")]
    desired: Option<&'a Model>,
}

/// Writes `plan` (and the desired schema it leads to) to `path`, via a temporary file so a
/// reader never sees half a plan. The JSON streams to the file.
pub fn save(plan: &Plan, desired: Option<&Model>, path: &Path) -> Result<()> {
    use std::io::Write;
    let err = |reason: String| PlanFileError::Write {
        path: path.display().to_string(),
        reason,
    };
    let tmp = path.with_extension("strata-tmp");
    let file = std::fs::File::create(&tmp).map_err(|e| err(e.to_string()))?;
    let mut out = std::io::BufWriter::new(file);
    serde_json::to_writer_pretty(&mut out, &PlanFile { plan, desired })
        .map_err(|e| err(e.to_string()))?;
    writeln!(out).map_err(|e| err(e.to_string()))?;
    out.flush().map_err(|e| err(e.to_string()))?;
    drop(out);
    std::fs::rename(&tmp, path).map_err(|e| err(e.to_string()))?;
    Ok(())
}

/// Reads a plan file.
pub fn load(path: &Path) -> Result<Plan> {
    Ok(read(path, false)?.0)
}

/// Reads a plan file with the desired schema it was made for (absent in files of older builds).
pub fn load_with_desired(path: &Path) -> Result<(Plan, Option<Model>)> {
    read(path, true)
}

fn read(path: &Path, with_desired: bool) -> Result<(Plan, Option<Model>)> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| PlanFileError::Read {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    let mut value: serde_json::Value =
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
    let invalid = |e: serde_json::Error| PlanFileError::Invalid {
        path: shown.clone(),
        reason: e.to_string(),
    };
    let desired = value.as_object_mut().and_then(|o| o.remove("desired"));
    let plan: Plan = serde_json::from_value(value).map_err(invalid)?;
    let desired = match desired.filter(|_| with_desired) {
        Some(d) => Some(serde_json::from_value(d).map_err(invalid)?),
        None => None,
    };
    Ok((plan, desired))
}
