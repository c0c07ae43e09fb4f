//! Triggers.

use super::*;

/// A trigger's events as SQL spells them (`INSERT`, `UPDATE OF a, b`, …), the columns of
/// `UPDATE OF` written by `columns` (quoted in SQL, plain for the reviewer).
pub(crate) fn trigger_events(
    e: &TriggerEvents,
    columns: impl Fn(&[String]) -> String,
) -> Vec<String> {
    let mut events = Vec::new();
    if e.insert {
        events.push("INSERT".to_string());
    }
    if e.update {
        events.push("UPDATE".to_string());
    }
    if !e.update_of.is_empty() {
        events.push(format!("UPDATE OF {}", columns(&e.update_of)));
    }
    if e.delete {
        events.push("DELETE".to_string());
    }
    if e.truncate {
        events.push("TRUNCATE".to_string());
    }
    events
}

pub(crate) fn create_trigger(on: &QualifiedName, t: &Trigger) -> Vec<String> {
    let events = trigger_events(&t.events, ident_list);
    let timing = match t.timing {
        TriggerTiming::Before => "BEFORE",
        TriggerTiming::After => "AFTER",
        TriggerTiming::InsteadOf => "INSTEAD OF",
    };
    let mut s = format!(
        "CREATE {}TRIGGER {} {timing} {} ON {}",
        if t.constraint { "CONSTRAINT " } else { "" },
        ident(&t.name),
        events.join(" OR "),
        qualified(on)
    );
    if t.constraint {
        s.push_str(match t.deferrable {
            crate::model::Deferrable::InitiallyDeferred => " DEFERRABLE INITIALLY DEFERRED",
            crate::model::Deferrable::InitiallyImmediate => " DEFERRABLE INITIALLY IMMEDIATE",
            crate::model::Deferrable::NotDeferrable => " NOT DEFERRABLE",
        });
    }
    if t.old_table.is_some() || t.new_table.is_some() {
        s.push_str(" REFERENCING");
        if let Some(o) = &t.old_table {
            s.push_str(&format!(" OLD TABLE AS {}", ident(o)));
        }
        if let Some(n) = &t.new_table {
            s.push_str(&format!(" NEW TABLE AS {}", ident(n)));
        }
    }
    s.push_str(if t.for_each_row {
        " FOR EACH ROW"
    } else {
        " FOR EACH STATEMENT"
    });
    if let Some(w) = &t.when {
        s.push_str(&format!(" WHEN ({w})"));
    }
    s.push_str(&format!(
        " EXECUTE FUNCTION {}({})",
        qualified(&t.function),
        t.args
            .iter()
            .map(|a| literal(a))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let mut out = vec![s];
    if let Some(e) = enable_trigger(on, t) {
        out.push(e);
    }
    if t.comment.is_some() {
        out.push(comment_on_trigger(on, t));
    }
    out
}

pub(crate) fn enable_trigger(on: &QualifiedName, t: &Trigger) -> Option<String> {
    let action = match t.enabled {
        'D' => "DISABLE TRIGGER",
        'A' => "ENABLE ALWAYS TRIGGER",
        'R' => "ENABLE REPLICA TRIGGER",
        _ => return None,
    };
    Some(format!(
        "ALTER TABLE {} {action} {}",
        qualified(on),
        ident(&t.name)
    ))
}

pub(crate) fn set_trigger_enabled(on: &QualifiedName, t: &Trigger) -> String {
    enable_trigger(on, t).unwrap_or_else(|| {
        format!(
            "ALTER TABLE {} ENABLE TRIGGER {}",
            qualified(on),
            ident(&t.name)
        )
    })
}

pub(crate) fn comment_on_trigger(on: &QualifiedName, t: &Trigger) -> String {
    format!(
        "COMMENT ON TRIGGER {} ON {} IS {}",
        ident(&t.name),
        qualified(on),
        comment(&t.comment)
    )
}

pub(crate) fn drop_trigger(on: &QualifiedName, t: &Trigger) -> String {
    format!("DROP TRIGGER {} ON {}", ident(&t.name), qualified(on))
}
