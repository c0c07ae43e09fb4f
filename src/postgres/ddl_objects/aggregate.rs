//! Aggregates (`CREATE AGGREGATE`) and event triggers (`CREATE EVENT TRIGGER`).

use super::*;
use crate::model::{Aggregate, EventTrigger};

/// The aggregated arguments, `*` for none.
fn aggregate_args(a: &Aggregate, with_names: bool) -> String {
    if a.args.is_empty() {
        return "*".into();
    }
    a.args
        .iter()
        .map(|arg| {
            let mut s = String::new();
            if arg.mode == ArgMode::Variadic {
                s.push_str("VARIADIC ");
            }
            if with_names && let Some(n) = &arg.name {
                s.push_str(&ident(n));
                s.push(' ');
            }
            s.push_str(&types::sql(&arg.ty));
            s
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `"schema"."name"(types)`: how DROP and COMMENT name an aggregate.
pub(crate) fn aggregate_ref(a: &Aggregate) -> String {
    format!(
        "{}({})",
        qualified_parts(&a.schema, &a.name),
        aggregate_args(a, false)
    )
}

/// `CREATE [OR REPLACE] AGGREGATE`, and its comment when it has one (or when replacing).
pub(crate) fn create_aggregate(a: &Aggregate, or_replace: bool) -> Vec<String> {
    let mut opts = vec![
        format!("SFUNC = {}", qualified(&a.state_func)),
        format!("STYPE = {}", types::sql(&a.state_type)),
    ];
    if let Some(f) = &a.final_func {
        opts.push(format!("FINALFUNC = {}", qualified(f)));
    }
    if let Some(v) = &a.initial_value {
        opts.push(format!("INITCOND = {}", literal(v)));
    }
    opts.push(
        match a.parallel {
            Parallel::Safe => "PARALLEL = SAFE",
            Parallel::Restricted => "PARALLEL = RESTRICTED",
            Parallel::Unsafe => "PARALLEL = UNSAFE",
        }
        .into(),
    );
    let mut out = vec![format!(
        "CREATE {}AGGREGATE {}({}) ({})",
        if or_replace { "OR REPLACE " } else { "" },
        qualified_parts(&a.schema, &a.name),
        aggregate_args(a, true),
        opts.join(", ")
    )];
    if a.comment.is_some() || or_replace {
        out.push(comment_on_aggregate(a));
    }
    out
}

pub(crate) fn comment_on_aggregate(a: &Aggregate) -> String {
    format!(
        "COMMENT ON AGGREGATE {} IS {}",
        aggregate_ref(a),
        comment(&a.comment)
    )
}

pub(crate) fn drop_aggregate(a: &Aggregate) -> String {
    format!("DROP AGGREGATE {}", aggregate_ref(a))
}

/// `CREATE EVENT TRIGGER`, then its enabled state and comment when they are not the defaults.
pub(crate) fn create_event_trigger(e: &EventTrigger) -> Vec<String> {
    let when = if e.tags.is_empty() {
        String::new()
    } else {
        let tags: Vec<String> = e.tags.iter().map(|t| literal(t)).collect();
        format!(" WHEN TAG IN ({})", tags.join(", "))
    };
    let mut out = vec![format!(
        "CREATE EVENT TRIGGER {} ON {}{when} EXECUTE FUNCTION {}()",
        ident(&e.name),
        ident(&e.event),
        qualified(&e.function)
    )];
    if e.enabled != 'O' {
        out.push(set_event_trigger_enabled(e));
    }
    if e.comment.is_some() {
        out.push(comment_on_event_trigger(e));
    }
    out
}

/// `ALTER EVENT TRIGGER … ENABLE | DISABLE | ENABLE REPLICA | ENABLE ALWAYS`.
pub(crate) fn set_event_trigger_enabled(e: &EventTrigger) -> String {
    let action = match e.enabled {
        'D' => "DISABLE",
        'A' => "ENABLE ALWAYS",
        'R' => "ENABLE REPLICA",
        _ => "ENABLE",
    };
    format!("ALTER EVENT TRIGGER {} {action}", ident(&e.name))
}

pub(crate) fn comment_on_event_trigger(e: &EventTrigger) -> String {
    format!(
        "COMMENT ON EVENT TRIGGER {} IS {}",
        ident(&e.name),
        comment(&e.comment)
    )
}

pub(crate) fn drop_event_trigger(e: &EventTrigger) -> String {
    format!("DROP EVENT TRIGGER {}", ident(&e.name))
}
