//! Plan files: `plan -out FILE` writes the plan as JSON (steps, SQL, hazards, env, the
//! fingerprint of the inspected database; the target URL with its password masked) and the
//! desired schema it leads to (so `apply FILE --rehearse` can check that it converges); `apply
//! FILE` and `show FILE` read it back.
//!
//! Integrity: the file carries a SHA-256 `checksum` of everything else in it, and reading
//! checks it, that every object's steps exist, and that every step whose SQL destroys data
//! (DROP TABLE/SCHEMA, TRUNCATE, DELETE, DROP ATTRIBUTE) carries a data-loss hazard, so an edited
//! file is refused instead of run. The checksum is not a secret-keyed signature: it stops
//! edits and corruption, not someone who recomputes it; the hazard check holds either way.

use super::Plan;
use crate::model::Model;
use miette::{Diagnostic, Result};
use serde::Serialize;
use std::path::Path;
use thiserror::Error;

/// Version of the plan file format this build reads and writes (2: with `checksum`).
pub(crate) const FORMAT_VERSION: u32 = 2;

#[derive(Debug, Error, Diagnostic)]
pub(crate) enum PlanFileError {
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
pub(crate) fn save(plan: &Plan, desired: Option<&Model>, path: &Path) -> Result<()> {
    use std::io::Write;
    let err = |reason: String| PlanFileError::Write {
        path: path.display().to_string(),
        reason,
    };
    let tmp = path.with_extension("strata-tmp");
    let mut value =
        serde_json::to_value(PlanFile { plan, desired }).map_err(|e| err(e.to_string()))?;
    let sum = checksum(&value).map_err(|e| err(e.to_string()))?;
    if let Some(o) = value.as_object_mut() {
        o.insert("checksum".into(), serde_json::Value::String(sum));
    }
    let file = std::fs::File::create(&tmp).map_err(|e| err(e.to_string()))?;
    let mut out = std::io::BufWriter::new(file);
    serde_json::to_writer_pretty(&mut out, &value).map_err(|e| err(e.to_string()))?;
    writeln!(out).map_err(|e| err(e.to_string()))?;
    out.flush().map_err(|e| err(e.to_string()))?;
    drop(out);
    std::fs::rename(&tmp, path).map_err(|e| err(e.to_string()))?;
    Ok(())
}

/// Reads a plan file.
pub(crate) fn load(path: &Path) -> Result<Plan> {
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
    if value.get("fleet").is_some() {
        return Err(PlanFileError::Invalid {
            path: shown,
            reason: "it holds a fleet's plans (`strata --env NAME apply FILE` applies them)".into(),
        }
        .into());
    }
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
    let tampered = |reason: String| PlanFileError::Invalid {
        path: shown.clone(),
        reason,
    };
    let stored = value
        .as_object_mut()
        .and_then(|o| o.remove("checksum"))
        .and_then(|c| c.as_str().map(str::to_string))
        .ok_or_else(|| tampered("no checksum".into()))?;
    if checksum(&value).map_err(invalid)? != stored {
        return Err(tampered(
            "its checksum does not match its content: it was changed after `strata plan` wrote it"
                .into(),
        )
        .into());
    }
    let desired = value.as_object_mut().and_then(|o| o.remove("desired"));
    let plan: Plan = serde_json::from_value(value).map_err(invalid)?;
    check_consistent(&plan).map_err(tampered)?;
    let desired = match desired.filter(|_| with_desired) {
        Some(d) => Some(serde_json::from_value(d).map_err(invalid)?),
        None => None,
    };
    Ok((plan, desired))
}

/// SHA-256 (hex) of the compact JSON of `value`.
pub(crate) fn checksum(value: &serde_json::Value) -> Result<String, serde_json::Error> {
    use sha2::{Digest, Sha256};
    let bytes = serde_json::to_vec(value)?;
    Ok(Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Every object's steps exist, and every step that destroys data says so with a data-loss
/// hazard (which the policy then judges).
pub(crate) fn check_consistent(plan: &Plan) -> Result<(), String> {
    for o in &plan.objects {
        if let Some(i) = o.steps.iter().find(|&&i| i >= plan.steps.len()) {
            return Err(format!(
                "{} refers to step {} but the file has {} step(s)",
                o.address,
                i + 1,
                plan.steps.len()
            ));
        }
    }
    for (i, step) in plan.steps.iter().enumerate() {
        for st in &step.statements {
            if let Some(what) = destroys_data(st)
                && !step.is_destructive()
            {
                return Err(format!(
                    "step {} runs {what} but carries no data-loss hazard",
                    i + 1
                ));
            }
        }
    }
    Ok(())
}

/// What a statement destroys, for the statements that lose data whatever the schema:
/// `DROP TABLE`, `DROP SCHEMA`, `TRUNCATE`, `DELETE`, `ALTER TYPE … DROP ATTRIBUTE`.
pub(crate) fn destroys_data(statement: &str) -> Option<&'static str> {
    use pg_query::NodeEnum;
    use pg_query::protobuf::{AlterTableType, ObjectType};
    let parsed = pg_query::parse(statement, 0).ok()?;
    for raw in &parsed.protobuf.stmts {
        let Some(node) = raw.stmt.as_ref().and_then(|n| n.node.as_ref()) else {
            continue;
        };
        match node {
            NodeEnum::DropStmt(d) => {
                if d.remove_type == ObjectType::ObjectTable as i32 {
                    return Some("DROP TABLE");
                }
                if d.remove_type == ObjectType::ObjectSchema as i32 {
                    return Some("DROP SCHEMA");
                }
            }
            NodeEnum::TruncateStmt(_) => return Some("TRUNCATE"),
            NodeEnum::DeleteStmt(_) => return Some("DELETE"),
            NodeEnum::AlterTableStmt(a) if a.objtype == ObjectType::ObjectType as i32 => {
                let drops = a.cmds.iter().any(|c| {
                    matches!(&c.node, Some(NodeEnum::AlterTableCmd(cmd))
                        if cmd.subtype == AlterTableType::AtDropColumn as i32)
                });
                if drops {
                    return Some("ALTER TYPE … DROP ATTRIBUTE");
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::destroys_data;

    #[test]
    fn finds_statements_that_destroy_data() {
        assert_eq!(destroys_data("DROP TABLE public.t"), Some("DROP TABLE"));
        assert_eq!(destroys_data("DROP SCHEMA s CASCADE"), Some("DROP SCHEMA"));
        assert_eq!(destroys_data("TRUNCATE t"), Some("TRUNCATE"));
        assert_eq!(destroys_data("DELETE FROM t"), Some("DELETE"));
        assert_eq!(
            destroys_data("ALTER TYPE c DROP ATTRIBUTE b"),
            Some("ALTER TYPE … DROP ATTRIBUTE")
        );
        assert_eq!(destroys_data("CREATE TABLE t (a int)"), None);
        assert_eq!(destroys_data("DROP VIEW v"), None);
        assert_eq!(destroys_data("ALTER TYPE c ADD ATTRIBUTE b int"), None);
    }
}
