//! Typed changes → an ordered, executable [`Plan`]: SQL steps in dependency order, each with its
//! hazards, plus a per-object description for reviewers. A plan is plain data: it serializes to
//! JSON and can be saved and applied later.

pub mod describe;
pub mod hazards;
mod order;

pub use hazards::{Category, Hazard};

use crate::diff::Change;
use crate::model::Model;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What happens to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    Delete,
    /// Dropped and created again.
    Replace,
    /// Renamed, definition unchanged.
    Rename,
}

/// One executable step: the statements that make one change to one object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Address of the object the step changes, e.g. `table.public.users`.
    pub object: String,
    pub action: Action,
    /// What the step does, in words: `Create table "public"."users"`.
    pub description: String,
    /// SQL statements, without trailing semicolons.
    pub statements: Vec<String>,
    pub hazards: Vec<Hazard>,
}

impl Step {
    pub fn is_destructive(&self) -> bool {
        self.hazards.iter().any(Hazard::is_data_loss)
    }
}

/// A changed attribute of an object, for display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttrChange {
    pub name: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// What a reviewer sees for one object: what happens to it, which attributes change, what
/// happens to the things inside it, and the steps that do it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectChange {
    /// `table.public.users`, or for nested objects `column.email`.
    pub address: String,
    /// `table`, `column`, `index`, …
    pub kind: String,
    /// How the object is labelled in HCL, e.g. `"users"`.
    pub label: String,
    pub action: Action,
    /// Why, when it is not obvious (`renamed from "x"`, `depends on a changed key`).
    pub reason: Option<String>,
    pub attrs: Vec<AttrChange>,
    pub children: Vec<ObjectChange>,
    pub hazards: Vec<Hazard>,
    /// Indexes into [`Plan::steps`].
    pub steps: Vec<usize>,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
}

/// A complete plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format_version: u32,
    pub strata_version: String,
    pub created_at: DateTime<Utc>,
    /// Env name the plan was made for, if any.
    pub env: Option<String>,
    /// Target URL with the password masked.
    pub target: String,
    /// Schemas the plan manages.
    pub schemas: Vec<String>,
    /// Fingerprint of the inspected current schema; apply refuses if it no longer matches.
    pub fingerprint: String,
    pub objects: Vec<ObjectChange>,
    pub steps: Vec<Step>,
    pub summary: Summary,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// All hazards of all steps, with the index of their step.
    pub fn hazards(&self) -> impl Iterator<Item = (usize, &Hazard)> {
        self.steps
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.hazards.iter().map(move |h| (i, h)))
    }

    /// Every statement in order.
    pub fn statements(&self) -> impl Iterator<Item = &str> {
        self.steps
            .iter()
            .flat_map(|s| s.statements.iter().map(String::as_str))
    }
}

/// Fingerprint of a model: SHA-256 of its canonical JSON.
pub fn fingerprint(model: &Model) -> String {
    let json = serde_json::to_vec(model).unwrap_or_default();
    let digest = Sha256::digest(&json);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Context recorded in a plan.
#[derive(Debug, Clone, Default)]
pub struct PlanContext {
    pub env: Option<String>,
    pub target: String,
    pub schemas: Vec<String>,
}

/// Builds the plan for `changes` (from [`crate::diff::diff`]) between `current` and `desired`.
pub fn build(changes: &[Change], current: &Model, desired: &Model, ctx: &PlanContext) -> Plan {
    let _ = desired;
    let steps = order::steps(changes, current);
    let (objects, steps) = describe::objects(changes, steps);
    let mut summary = Summary::default();
    for o in &objects {
        match o.action {
            Action::Create => summary.add += 1,
            Action::Delete => summary.destroy += 1,
            Action::Update | Action::Rename => summary.change += 1,
            Action::Replace => {
                summary.add += 1;
                summary.destroy += 1;
            }
        }
    }
    Plan {
        format_version: 1,
        strata_version: env!("CARGO_PKG_VERSION").to_string(),
        created_at: Utc::now(),
        env: ctx.env.clone(),
        target: ctx.target.clone(),
        schemas: ctx.schemas.clone(),
        fingerprint: fingerprint(current),
        objects,
        steps,
        summary,
    }
}
