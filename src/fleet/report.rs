//! The report of a fleet apply (`apply --report FILE`): one entry per target with its status,
//! read back by `apply --resume FILE` (what has not succeeded is applied again) and combined
//! by `strata fleet merge` (one table and exit code for the shards of a CI matrix).
//! Targets are named as printed: a URL without its password.

use super::{Outcome, Status};
use miette::Result;
use serde::{Deserialize, Serialize};
use std::path::Path;

pub(crate) const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct Report {
    pub(crate) format_version: u32,
    pub(crate) strata_version: String,
    pub(crate) created_at: chrono::DateTime<chrono::Utc>,
    pub(crate) env: Option<String>,
    /// `--shard K/N` of the run, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) shard: Option<String>,
    pub(crate) targets: Vec<Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct Entry {
    pub(crate) target: String,
    pub(crate) status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<String>,
    #[serde(default)]
    pub(crate) elapsed_ms: u64,
    #[serde(default)]
    pub(crate) steps: usize,
    /// The plan group (what the plan did), when the target was planned with changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) group: Option<String>,
}

impl From<&Outcome> for Entry {
    fn from(o: &Outcome) -> Self {
        Entry {
            target: o.name.clone(),
            status: o.status,
            error: o.error.clone(),
            elapsed_ms: o.elapsed.as_millis() as u64,
            steps: o.steps,
            group: o.group.clone().filter(|g| !g.is_empty()),
        }
    }
}

impl Report {
    pub(crate) fn new(env: Option<String>, shard: Option<String>, targets: Vec<Entry>) -> Report {
        Report {
            format_version: FORMAT_VERSION,
            strata_version: env!("CARGO_PKG_VERSION").to_string(),
            created_at: chrono::Utc::now(),
            env,
            shard,
            targets,
        }
    }

    /// How many targets have each status.
    pub(crate) fn count(&self, status: Status) -> usize {
        self.targets.iter().filter(|e| e.status == status).count()
    }

    /// Whether every target succeeded or had nothing to change.
    pub(crate) fn all_done(&self) -> bool {
        self.targets.iter().all(|e| e.status.is_done())
    }

    /// Writes the report through a temporary file, so a reader never sees half of it.
    pub(crate) fn write(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(|e| {
            miette::miette!(
                code = "strata::fleet::report",
                "cannot write the report: {e}"
            )
        })?;
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, text + "\n")
            .and_then(|_| std::fs::rename(&tmp, path))
            .map_err(|e| {
                miette::miette!(
                    code = "strata::fleet::report",
                    "cannot write the report {}: {e}",
                    path.display()
                )
            })
    }

    pub(crate) fn read(path: &Path) -> Result<Report> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            miette::miette!(
                code = "strata::fleet::report",
                help = "pass the file an earlier `apply --report FILE` wrote",
                "cannot read the report {}: {e}",
                path.display()
            )
        })?;
        let report: Report = serde_json::from_str(&text).map_err(|e| {
            miette::miette!(
                code = "strata::fleet::report",
                help = "pass the file an earlier `apply --report FILE` wrote",
                "{} is not a strata fleet report: {e}",
                path.display()
            )
        })?;
        if report.format_version != FORMAT_VERSION {
            return Err(miette::miette!(
                code = "strata::fleet::report",
                "{} is a report of format {}, this strata reads format {FORMAT_VERSION}",
                path.display(),
                report.format_version
            ));
        }
        Ok(report)
    }

    /// Several reports as one (the shards of one fleet): a target listed twice keeps its
    /// latest entry by report time, and the envs must agree.
    pub(crate) fn merge(reports: Vec<Report>) -> Result<Report> {
        let mut envs: Vec<&Option<String>> = reports.iter().map(|r| &r.env).collect();
        envs.sort();
        envs.dedup();
        if envs.len() > 1 {
            return Err(miette::miette!(
                code = "strata::fleet::report",
                help = "merge the reports of one fleet env",
                "the reports are of different envs: {}",
                envs.iter()
                    .map(|e| e.as_deref().unwrap_or("(none)"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let env = reports.first().and_then(|r| r.env.clone());
        let mut sorted = reports;
        sorted.sort_by_key(|r| r.created_at);
        let mut targets: Vec<Entry> = Vec::new();
        let mut at: std::collections::HashMap<String, usize> = Default::default();
        for r in sorted {
            for e in r.targets {
                match at.get(&e.target) {
                    Some(&i) => targets[i] = e,
                    None => {
                        at.insert(e.target.clone(), targets.len());
                        targets.push(e);
                    }
                }
            }
        }
        Ok(Report::new(env, None, targets))
    }

    /// The targets this report says are done (succeeded or unchanged): `--resume` skips them.
    pub(crate) fn done(&self) -> std::collections::HashSet<&str> {
        self.targets
            .iter()
            .filter(|e| e.status.is_done())
            .map(|e| e.target.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(t: &str, status: Status) -> Entry {
        Entry {
            target: t.into(),
            status,
            error: None,
            elapsed_ms: 1,
            steps: 0,
            group: None,
        }
    }

    #[test]
    fn merge_keeps_the_latest_entry_of_a_target_and_refuses_other_envs() {
        let mut a = Report::new(
            Some("t".into()),
            Some("1/2".into()),
            vec![entry("x", Status::Failed), entry("y", Status::Succeeded)],
        );
        a.created_at -= chrono::Duration::seconds(10);
        let b = Report::new(Some("t".into()), None, vec![entry("x", Status::Succeeded)]);
        let m = Report::merge(vec![b.clone(), a.clone()]).unwrap();
        assert_eq!(m.targets.len(), 2);
        assert_eq!(m.targets[0].status, Status::Succeeded);
        assert!(m.all_done());
        let other = Report::new(Some("u".into()), None, vec![]);
        assert!(Report::merge(vec![a, other]).is_err());
    }

    #[test]
    fn a_report_round_trips_through_a_file() {
        let dir = std::env::temp_dir().join(format!("strata-report-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("r.json");
        let r = Report::new(None, None, vec![entry("x", Status::Refused)]);
        r.write(&path).unwrap();
        assert_eq!(Report::read(&path).unwrap(), r);
        std::fs::write(&path, "{}").unwrap();
        assert!(Report::read(&path).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
