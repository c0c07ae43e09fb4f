//! `strata diff FROM TO`: the plan that would turn the database FROM into TO — another
//! database (both read as they are, neither changed, nothing normalized), or schema files (what
//! `strata plan --url FROM --src TO` computes). Exit codes as `plan -detailed-exitcode`.

use super::{Settings, policy_with, prepare, target_url, usage};
use crate::cli::{DiffArgs, EXIT_CHANGES, EXIT_OK, HazardArgs};
use crate::pipeline::diff_databases;
use miette::Result;
use std::path::PathBuf;

/// Whether `text` names a database rather than schema files.
fn is_database(text: &str) -> bool {
    ["postgres://", "postgresql://", "local://"]
        .iter()
        .any(|scheme| text.starts_with(scheme))
}

/// `text` as the target URL (a `local://` name resolved on the private cluster).
async fn database(s: &Settings, text: &str) -> Result<crate::postgres::connect::DbUrl> {
    let mut at = s.clone();
    at.url = Some(text.to_string());
    at.url_unset = None;
    target_url(&at).await
}

pub async fn run(s: &Settings, args: &DiffArgs) -> Result<u8> {
    if !is_database(&args.from) {
        return Err(usage(
            format!(
                "FROM must be a database URL (postgres://…, or local://NAME), not {:?}",
                args.from
            ),
            "diff changes FROM into TO: name the database to change first; schema files can be TO (comparing from schema files is not supported yet)",
        ));
    }
    let policy = policy_with(s, &HazardArgs::default())?;
    let from = database(s, &args.from).await?;
    let (plan, warnings) = if is_database(&args.to) {
        let to = database(s, &args.to).await?;
        diff_databases(s, &from, &to).await?
    } else {
        let mut s = s.clone();
        s.url = Some(args.from.clone());
        s.url_unset = None;
        s.src = vec![PathBuf::from(&args.to)];
        let prepared = prepare(&s).await?;
        (prepared.plan, prepared.warnings)
    };
    super::plan::print_plan(s, args.format, &plan, &policy, &warnings);
    Ok(if plan.is_empty() {
        EXIT_OK
    } else {
        EXIT_CHANGES
    })
}
