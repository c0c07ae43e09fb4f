//! The reviewer's view of aggregates and event triggers.

use super::{Attrs, as_new, as_old, at, diff_attrs, list, node, opt_comment, q, ty};
use crate::diff::Change;
use crate::model::{Aggregate, EventTrigger, ObjectId, ObjectKind, Parallel};
use crate::plan::order::{aggregate_id, event_trigger_id};
use crate::plan::{Action, ObjectChange};
use crate::postgres::types;

fn aggregate_attrs(a: &Aggregate) -> Attrs {
    let args: Vec<String> = a
        .args
        .iter()
        .map(|x| {
            format!(
                "{}{}",
                x.name.as_ref().map(|n| format!("{n} ")).unwrap_or_default(),
                ty(&x.ty)
            )
        })
        .collect();
    let mut out = vec![
        ("args".into(), list(&args)),
        ("state_type".into(), ty(&a.state_type)),
        ("state_func".into(), a.state_func.to_string()),
    ];
    if let Some(f) = &a.final_func {
        out.push(("final_func".into(), f.to_string()));
    }
    if let Some(v) = &a.initial_value {
        out.push(("initial_value".into(), q(v)));
    }
    match a.parallel {
        Parallel::Unsafe => {}
        Parallel::Restricted => out.push(("parallel".into(), "RESTRICTED".into())),
        Parallel::Safe => out.push(("parallel".into(), "SAFE".into())),
    }
    opt_comment(&mut out, &a.comment);
    out
}

fn event_trigger_attrs(e: &EventTrigger) -> Attrs {
    let mut out = vec![
        ("on".into(), e.event.clone()),
        ("execute".into(), e.function.to_string()),
    ];
    if !e.tags.is_empty() {
        out.push((
            "tags".into(),
            list(&e.tags.iter().map(|t| q(t)).collect::<Vec<_>>()),
        ));
    }
    if e.enabled != 'O' {
        let state = match e.enabled {
            'D' => "false",
            'A' => "ALWAYS",
            'R' => "REPLICA",
            _ => "true",
        };
        out.push(("enabled".into(), state.into()));
    }
    opt_comment(&mut out, &e.comment);
    out
}

/// Aggregates and event triggers; `None` for the other kinds.
pub(super) fn aggregate_or_event_trigger_object(c: &Change) -> Option<ObjectChange> {
    let sig = types::aggregate_signature;
    Some(match c {
        Change::CreateAggregate(a) => at(
            node(
                ObjectKind::Aggregate,
                &sig(a),
                Action::Create,
                as_new(aggregate_attrs(a)),
            ),
            aggregate_id(a),
        ),
        Change::ReplaceAggregate { from, to } => at(
            node(
                ObjectKind::Aggregate,
                &sig(to),
                Action::Update,
                diff_attrs(aggregate_attrs(from), aggregate_attrs(to)),
            ),
            aggregate_id(to),
        ),
        Change::DropAggregate(a) => at(
            node(
                ObjectKind::Aggregate,
                &sig(a),
                Action::Delete,
                as_old(aggregate_attrs(a)),
            ),
            aggregate_id(a),
        ),
        Change::CreateEventTrigger(e) => at(
            node(
                ObjectKind::EventTrigger,
                &e.name,
                Action::Create,
                as_new(event_trigger_attrs(e)),
            ),
            event_trigger_id(e),
        ),
        Change::AlterEventTrigger { from, to } => at(
            node(
                ObjectKind::EventTrigger,
                &to.name,
                Action::Update,
                diff_attrs(event_trigger_attrs(from), event_trigger_attrs(to)),
            ),
            event_trigger_id(to),
        ),
        Change::DropEventTrigger(e) => at(
            node(
                ObjectKind::EventTrigger,
                &e.name,
                Action::Delete,
                as_old(event_trigger_attrs(e)),
            ),
            ObjectId::event_trigger(&e.name),
        ),
        _ => return None,
    })
}
