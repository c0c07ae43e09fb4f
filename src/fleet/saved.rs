//! Saved fleet plans: `plan -out FILE` of a fleet env writes one plan per distinct plan and
//! database fingerprint (database-per-tenant fleets of one schema share one), and for every
//! target which plan is its own, with the database identity it was made for. `apply FILE`
//! applies exactly those plans, each target checked like a saved plan of one database (the
//! same database, unchanged since). No credentials are stored (targets are named as printed,
//! URLs masked): the env names the targets again.
//!
//! Integrity is that of single plan files (`plan::saved`): a SHA-256 checksum of the content,
//! and every step that destroys data must carry a data-loss hazard.

use super::{Member, Planned, TargetPlan};
use crate::plan::Plan;
use crate::plan::saved::{FORMAT_VERSION, PlanFileError, check_consistent, checksum};
use miette::Result;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct FleetPlanFile {
    pub(crate) format_version: u32,
    pub(crate) fleet: Fleet,
    /// The distinct plans; targets refer to them by index.
    pub(crate) plans: Vec<Plan>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Fleet {
    pub(crate) env: Option<String>,
    pub(crate) targets: Vec<SavedTarget>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SavedTarget {
    /// `each.key`.
    pub(crate) key: String,
    /// As printed (a URL key without its password).
    pub(crate) target: String,
    /// Index into `plans`.
    pub(crate) plan: usize,
    /// The database the plan was made on (`postgres::inspect::database_identity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) database: Option<String>,
}

/// Whether a plan file is a fleet's (has `fleet`), without checking the rest.
pub(crate) fn is_fleet_file(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|v| v.get("fleet").is_some())
}

/// Writes the planned targets (all planned without error) to `path`.
pub(crate) fn save(env: Option<String>, planned: &[Planned], path: &Path) -> Result<()> {
    let err = |reason: String| PlanFileError::Write {
        path: path.display().to_string(),
        reason,
    };
    let mut plans: Vec<Plan> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut targets = Vec::with_capacity(planned.len());
    for p in planned {
        let Ok(tp) = &p.outcome else {
            return Err(err(format!("target {} was not planned", p.member.name)).into());
        };
        let key = distinct(&tp.plan).map_err(|e| err(e.to_string()))?;
        let i = *index.entry(key).or_insert_with(|| {
            let mut shared = tp.plan.clone();
            shared.database = None;
            plans.push(shared);
            plans.len() - 1
        });
        targets.push(SavedTarget {
            key: p.member.key.clone(),
            target: p.member.name.clone(),
            plan: i,
            database: tp.plan.database.clone(),
        });
    }
    let file = FleetPlanFile {
        format_version: FORMAT_VERSION,
        fleet: Fleet { env, targets },
        plans,
    };
    let mut value = serde_json::to_value(&file).map_err(|e| err(e.to_string()))?;
    let sum = checksum(&value).map_err(|e| err(e.to_string()))?;
    if let Some(o) = value.as_object_mut() {
        o.insert("checksum".into(), serde_json::Value::String(sum));
    }
    let text = serde_json::to_string_pretty(&value).map_err(|e| err(e.to_string()))?;
    let tmp = path.with_extension("strata-tmp");
    std::fs::write(&tmp, text + "\n")
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|e| err(e.to_string()))?;
    Ok(())
}

/// What makes two targets' plans one: the same steps and the same database fingerprint.
fn distinct(plan: &Plan) -> Result<String, serde_json::Error> {
    let steps = serde_json::to_vec(&plan.steps)?;
    let mut h = Sha256::new();
    h.update(&steps);
    h.update(plan.fingerprint.as_bytes());
    h.update(plan.schemas.join("\u{1f}").as_bytes());
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Reads a fleet plan file, checking its checksum and every plan's consistency.
pub(crate) fn load(path: &Path) -> Result<FleetPlanFile> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| PlanFileError::Read {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    let invalid = |reason: String| PlanFileError::Invalid {
        path: shown.clone(),
        reason,
    };
    let mut value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| invalid(e.to_string()))?;
    let found = value
        .get("format_version")
        .and_then(|v| v.as_u64())
        .ok_or_else(|| invalid("no format_version".into()))?;
    if found != u64::from(FORMAT_VERSION) {
        return Err(PlanFileError::Version {
            path: shown,
            found: u32::try_from(found).unwrap_or(u32::MAX),
        }
        .into());
    }
    let stored = value
        .as_object_mut()
        .and_then(|o| o.remove("checksum"))
        .and_then(|c| c.as_str().map(str::to_string))
        .ok_or_else(|| invalid("no checksum".into()))?;
    if checksum(&value).map_err(|e| invalid(e.to_string()))? != stored {
        return Err(invalid(
            "its checksum does not match its content: it was changed after `strata plan` wrote it"
                .into(),
        )
        .into());
    }
    let file: FleetPlanFile = serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?;
    for p in &file.plans {
        check_consistent(p).map_err(&invalid)?;
    }
    if let Some(t) = file
        .fleet
        .targets
        .iter()
        .find(|t| t.plan >= file.plans.len())
    {
        return Err(invalid(format!(
            "target {} refers to plan {} of {}",
            t.target,
            t.plan + 1,
            file.plans.len()
        ))
        .into());
    }
    Ok(file)
}

/// The saved plans of the `members` (the env's targets, selected), as planned targets: each
/// with its saved plan and the database it was made for. A member the file does not list is
/// planned as an error (apply reports it failed); so is a target of the file the env no longer
/// has.
pub(crate) fn planned(file: &FleetPlanFile, members: Vec<Member>) -> (Vec<Planned>, Vec<String>) {
    let by_key: HashMap<&str, &SavedTarget> = file
        .fleet
        .targets
        .iter()
        .map(|t| (t.key.as_str(), t))
        .collect();
    let mut missing: Vec<String> = file
        .fleet
        .targets
        .iter()
        .filter(|t| !members.iter().any(|m| m.key == t.key))
        .map(|t| t.target.clone())
        .collect();
    missing.sort();
    let out = members
        .into_iter()
        .map(|m| {
            let outcome = match by_key.get(m.key.as_str()) {
                Some(t) => {
                    let mut plan = file.plans[t.plan].clone();
                    plan.database = t.database.clone();
                    plan.target = m.name.clone();
                    Ok(TargetPlan {
                        group: super::group_key(&plan, &m.settings.schemas),
                        plan,
                        warnings: Vec::new(),
                        too_big: None,
                    })
                }
                None => Err("not in the saved plan: plan the fleet again".to_string()),
            };
            Planned {
                member: m,
                outcome,
                elapsed: std::time::Duration::ZERO,
            }
        })
        .collect();
    (out, missing)
}
