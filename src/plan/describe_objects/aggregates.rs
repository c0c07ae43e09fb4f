//! The reviewer's view of aggregates.

use super::{Attrs, as_new, as_old, at, diff_attrs, list, node, opt_comment, q, ty};
use crate::diff::Change;
use crate::model::{Aggregate, ObjectKind, Parallel};
use crate::plan::order::aggregate_id;
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

/// Aggregates; `None` for the other kinds.
pub(super) fn aggregate_object(c: &Change) -> Option<ObjectChange> {
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
        _ => return None,
    })
}
