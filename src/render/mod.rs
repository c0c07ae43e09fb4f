//! Views: how plans, errors and progress read on a terminal, as JSON and as SQL. Nothing here
//! decides anything or talks to a database.

pub mod erd;
pub(crate) mod erd_html;
pub(crate) mod erd_layout;
pub(crate) mod erd_plan;
pub mod human;
pub mod markdown;

use crate::lint::policy::Policy;
use crate::plan::{Phase, Plan};
use crate::postgres::inspect::Unmanaged;

/// Colors for terminal output; all methods are no-ops when color is off.
#[derive(Debug, Clone, Copy)]
pub struct Painter {
    pub(crate) color: bool,
}

impl Painter {
    pub fn new(color: bool) -> Self {
        Painter { color }
    }

    fn paint(&self, s: &str, style: console::Style) -> String {
        if self.color {
            style.force_styling(true).apply_to(s).to_string()
        } else {
            s.to_string()
        }
    }

    pub(crate) fn green(&self, s: &str) -> String {
        self.paint(s, console::Style::new().green())
    }

    pub(crate) fn red(&self, s: &str) -> String {
        self.paint(s, console::Style::new().red())
    }

    pub(crate) fn yellow(&self, s: &str) -> String {
        self.paint(s, console::Style::new().yellow())
    }

    pub(crate) fn cyan(&self, s: &str) -> String {
        self.paint(s, console::Style::new().cyan())
    }

    pub(crate) fn bold(&self, s: &str) -> String {
        self.paint(s, console::Style::new().bold())
    }

    pub(crate) fn bold_red(&self, s: &str) -> String {
        self.paint(s, console::Style::new().bold().red())
    }

    pub(crate) fn bold_green(&self, s: &str) -> String {
        self.paint(s, console::Style::new().bold().green())
    }

    pub(crate) fn dim(&self, s: &str) -> String {
        self.paint(s, console::Style::new().dim())
    }
}

/// The plan as a JSON document, hazards judged by the default policy.
pub fn json(plan: &Plan) -> String {
    json_with_policy(plan, &Policy::default())
}

/// The plan as a JSON document: the plan itself (as saved by `plan -out`) plus `hazards`, every
/// step's hazards with the policy's decision (`deny`, `warn`, `allow`).
pub(crate) fn json_with_policy(plan: &Plan, policy: &Policy) -> String {
    json_with_warnings(plan, policy, &[])
}

/// [`json_with_policy`] plus, when there are any, a top-level `warnings` array: the target
/// database's unmanaged attributes (`object`, `attribute`, `value`, `message`).
pub(crate) fn json_with_warnings(plan: &Plan, policy: &Policy, warnings: &[Unmanaged]) -> String {
    let mut value = match serde_json::to_value(plan) {
        Ok(v) => v,
        Err(e) => {
            return format!(
                "{{\"error\": {}}}",
                serde_json::Value::String(e.to_string())
            );
        }
    };
    let hazards: Vec<serde_json::Value> = plan
        .hazards()
        .map(|(i, h)| {
            serde_json::json!({
                "step": i + 1,
                "object": plan.steps[i].object,
                "code": h.code,
                "category": h.category,
                "message": h.message,
                "level": policy.level(h),
            })
        })
        .collect();
    if let Some(map) = value.as_object_mut() {
        map.insert("hazards".into(), serde_json::Value::Array(hazards));
        if !warnings.is_empty() {
            let warnings = warnings
                .iter()
                .map(|w| {
                    serde_json::json!({
                        "object": w.object,
                        "attribute": w.attribute,
                        "value": w.value,
                        "message": w.message(),
                    })
                })
                .collect();
            map.insert("warnings".into(), serde_json::Value::Array(warnings));
        }
    }
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// The plan as an SQL script: each step's statements under a comment, hazards as comments.
/// The plan as a script `psql` runs the way `apply` does: `BEGIN;` … `COMMIT;` around the
/// statements apply runs in a transaction (all of them, unless online mode moved some out),
/// phase headers when there are phases.
pub fn sql(plan: &Plan) -> String {
    let mut out = String::new();
    let phased = plan.steps.iter().any(|s| s.phase != Phase::Transaction);
    let in_transaction = |p: Phase| matches!(p, Phase::Transaction | Phase::Final);
    let mut phase: Option<Phase> = None;
    for s in &plan.steps {
        if phase != Some(s.phase) {
            if phase.is_some_and(in_transaction) {
                out.push_str("COMMIT;\n");
            }
            if phased {
                out.push_str(match s.phase {
                    Phase::Before => {
                        "-- Phase 0: committed before the transaction (new enum values)\n"
                    }
                    Phase::Transaction => "-- Phase 1: in one transaction\n",
                    Phase::Online => {
                        "-- Phase 2: outside any transaction, one statement at a time\n"
                    }
                    Phase::Final => "-- Phase 3: in a final transaction\n",
                });
            }
            if in_transaction(s.phase) {
                out.push_str("BEGIN;\n");
            }
            phase = Some(s.phase);
        }
        out.push_str(&format!("-- {}\n", s.description));
        for h in &s.hazards {
            out.push_str(&format!(
                "-- hazard {} ({}): {}\n",
                h.code,
                h.category.label(),
                h.message
            ));
        }
        for st in &s.statements {
            out.push_str(st);
            out.push_str(";\n");
        }
    }
    if phase.is_some_and(in_transaction) {
        out.push_str("COMMIT;\n");
    }
    out
}
