//! Diffing objects beyond tables: extensions, sequences, domains, composite types, routines,
//! views, triggers and policies.

use super::Change;
use crate::model::{Function, Model, QualifiedName, Table, Trigger, View};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A relation that can carry triggers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rel {
    pub(crate) name: QualifiedName,
    pub(crate) is_view: bool,
}

/// Extensions, sequences, types, routines and views.
pub(crate) fn diff_objects(current: &Model, desired: &Model, out: &mut Vec<Change>) {
    for (name, want) in &desired.extensions {
        match current.extensions.get(name) {
            None => out.push(Change::CreateExtension(want.clone())),
            Some(have) => {
                let schema_differs = want.schema.is_some() && want.schema != have.schema;
                let version_differs = want.version.is_some() && want.version != have.version;
                if schema_differs || version_differs {
                    out.push(Change::AlterExtension {
                        from: have.clone(),
                        to: want.clone(),
                    });
                }
            }
        }
    }
    for (name, have) in &current.extensions {
        if !desired.extensions.contains_key(name) {
            out.push(Change::DropExtension(have.clone()));
        }
    }
    event_triggers(current, desired, out);
    aggregates(current, desired, out);
    for (sname, ws) in &desired.schemas {
        let hs = current.schemas.get(sname);
        for (n, want) in &ws.sequences {
            match hs.and_then(|s| s.sequences.get(n)) {
                None => out.push(Change::CreateSequence(want.clone())),
                Some(have) if have != want => out.push(Change::AlterSequence {
                    from: have.clone(),
                    to: want.clone(),
                }),
                _ => {}
            }
        }
        for (n, want) in &ws.collations {
            match hs.and_then(|s| s.collations.get(n)) {
                None => out.push(Change::CreateCollation(want.clone())),
                Some(have) if !have.same_definition(want) => {
                    out.push(Change::DropCollation(have.clone()));
                    out.push(Change::CreateCollation(want.clone()));
                }
                Some(have) if have.comment != want.comment => out.push(Change::AlterCollation {
                    from: have.clone(),
                    to: want.clone(),
                }),
                _ => {}
            }
        }
        for (n, want) in &ws.domains {
            match hs.and_then(|s| s.domains.get(n)) {
                None => out.push(Change::CreateDomain(want.clone())),
                Some(have) if have != want => {
                    if have.base != want.base {
                        out.push(Change::DropDomain(have.clone()));
                        out.push(Change::CreateDomain(want.clone()));
                    } else {
                        out.push(Change::AlterDomain {
                            from: have.clone(),
                            to: want.clone(),
                        });
                    }
                }
                _ => {}
            }
        }
        for (n, want) in &ws.composites {
            match hs.and_then(|s| s.composites.get(n)) {
                None => out.push(Change::CreateComposite(want.clone())),
                Some(have) if have != want => out.push(Change::AlterComposite {
                    from: have.clone(),
                    to: want.clone(),
                }),
                _ => {}
            }
        }
        for (sig, want) in &ws.functions {
            match hs.and_then(|s| s.functions.get(sig)) {
                None => out.push(Change::CreateFunction(want.clone())),
                Some(have) if have != want => {
                    if replaceable(have, want) {
                        out.push(Change::ReplaceFunction {
                            from: have.clone(),
                            to: want.clone(),
                        });
                    } else {
                        out.push(Change::DropFunction(have.clone()));
                        out.push(Change::CreateFunction(want.clone()));
                    }
                }
                _ => {}
            }
        }
        for (n, want) in &ws.views {
            match hs.and_then(|s| s.views.get(n)) {
                None => {
                    out.push(Change::CreateView(want.clone()));
                    let on = Rel {
                        name: QualifiedName::new(&want.schema, &want.name),
                        is_view: true,
                    };
                    for t in &want.triggers {
                        out.push(Change::CreateTrigger {
                            on: on.clone(),
                            trigger: t.clone(),
                        });
                    }
                }
                Some(have) => diff_view(have, want, out),
            }
        }
    }
    for (sname, hs) in &current.schemas {
        let ws = desired.schemas.get(sname);
        for (n, have) in &hs.sequences {
            if ws.is_none_or(|s| !s.sequences.contains_key(n)) {
                out.push(Change::DropSequence(have.clone()));
            }
        }
        for (n, have) in &hs.domains {
            if ws.is_none_or(|s| !s.domains.contains_key(n)) {
                out.push(Change::DropDomain(have.clone()));
            }
        }
        for (n, have) in &hs.collations {
            if ws.is_none_or(|s| !s.collations.contains_key(n)) {
                out.push(Change::DropCollation(have.clone()));
            }
        }
        for (n, have) in &hs.composites {
            if ws.is_none_or(|s| !s.composites.contains_key(n)) {
                out.push(Change::DropComposite(have.clone()));
            }
        }
        for (sig, have) in &hs.functions {
            if ws.is_none_or(|s| !s.functions.contains_key(sig)) {
                out.push(Change::DropFunction(have.clone()));
            }
        }
        for (n, have) in &hs.views {
            if ws.is_none_or(|s| !s.views.contains_key(n)) {
                out.push(Change::DropView(have.clone()));
            }
        }
    }
}

/// Aggregates, by signature: `CREATE OR REPLACE` where PostgreSQL allows it, else drop and
/// create.
fn aggregates(current: &Model, desired: &Model, out: &mut Vec<Change>) {
    for (sname, ws) in &desired.schemas {
        let hs = current.schemas.get(sname);
        for (sig, want) in &ws.aggregates {
            match hs.and_then(|s| s.aggregates.get(sig)) {
                None => out.push(Change::CreateAggregate(want.clone())),
                Some(have) if have == want => {}
                Some(have) if have.replaceable_by(want) => out.push(Change::ReplaceAggregate {
                    from: have.clone(),
                    to: want.clone(),
                }),
                Some(have) => {
                    out.push(Change::DropAggregate(have.clone()));
                    out.push(Change::CreateAggregate(want.clone()));
                }
            }
        }
    }
    for (sname, hs) in &current.schemas {
        let ws = desired.schemas.get(sname);
        for (sig, have) in &hs.aggregates {
            if ws.is_none_or(|s| !s.aggregates.contains_key(sig)) {
                out.push(Change::DropAggregate(have.clone()));
            }
        }
    }
}

/// Event triggers: database-wide, matched by name. A new event, tag list or function drops and
/// creates the trigger; the enabled state and the comment are altered in place.
fn event_triggers(current: &Model, desired: &Model, out: &mut Vec<Change>) {
    for (name, want) in &desired.event_triggers {
        match current.event_triggers.get(name) {
            None => out.push(Change::CreateEventTrigger(want.clone())),
            Some(have) if have == want => {}
            Some(have) if have.same_definition(want) => out.push(Change::AlterEventTrigger {
                from: have.clone(),
                to: want.clone(),
            }),
            Some(have) => {
                out.push(Change::DropEventTrigger(have.clone()));
                out.push(Change::CreateEventTrigger(want.clone()));
            }
        }
    }
    for (name, have) in &current.event_triggers {
        if !desired.event_triggers.contains_key(name) {
            out.push(Change::DropEventTrigger(have.clone()));
        }
    }
}

/// `CREATE OR REPLACE FUNCTION` keeps the signature and return type, argument names and
/// defaults; anything else needs drop and create.
fn replaceable(have: &Function, want: &Function) -> bool {
    have.kind == want.kind
        && have.returns == want.returns
        && have.args.len() == want.args.len()
        && have.args.iter().zip(&want.args).all(|(a, b)| {
            a.name == b.name
                && a.mode == b.mode
                && a.ty == b.ty
                && (b.default.is_some() || a.default.is_none())
        })
}

fn diff_view(have: &View, want: &View, out: &mut Vec<Change>) {
    if have == want {
        return;
    }
    let definition_changed = have.query != want.query
        || have.materialized != want.materialized
        || (want.materialized && have.with_data && !want.with_data);
    if definition_changed {
        out.push(Change::DropView(have.clone()));
        out.push(Change::CreateView(want.clone()));
        // Dropping the view dropped its triggers.
        let on = Rel {
            name: QualifiedName::new(&want.schema, &want.name),
            is_view: true,
        };
        for t in &want.triggers {
            out.push(Change::CreateTrigger {
                on: on.clone(),
                trigger: t.clone(),
            });
        }
        return;
    }
    let strip = |v: &View| View {
        triggers: Vec::new(),
        ..v.clone()
    };
    if strip(have) != strip(want) {
        out.push(Change::AlterView {
            from: have.clone(),
            to: want.clone(),
        });
    }
    triggers(
        &Rel {
            name: QualifiedName::new(&want.schema, &want.name),
            is_view: true,
        },
        &have.triggers,
        &want.triggers,
        out,
    );
}

/// Trigger changes between two versions of a relation's trigger list.
pub(crate) fn triggers(on: &Rel, have: &[Trigger], want: &[Trigger], out: &mut Vec<Change>) {
    let by_name: HashMap<&str, &Trigger> = have.iter().map(|t| (t.name.as_str(), t)).collect();
    for w in want {
        match by_name.get(w.name.as_str()) {
            None => out.push(Change::CreateTrigger {
                on: on.clone(),
                trigger: w.clone(),
            }),
            Some(h) if *h != w => {
                let same_definition = Trigger {
                    enabled: 'O',
                    comment: None,
                    ..(*h).clone()
                } == Trigger {
                    enabled: 'O',
                    comment: None,
                    ..w.clone()
                };
                if same_definition {
                    out.push(Change::AlterTrigger {
                        on: on.clone(),
                        from: (*h).clone(),
                        to: w.clone(),
                    });
                } else {
                    out.push(Change::DropTrigger {
                        on: on.clone(),
                        trigger: (*h).clone(),
                    });
                    out.push(Change::CreateTrigger {
                        on: on.clone(),
                        trigger: w.clone(),
                    });
                }
            }
            _ => {}
        }
    }
    for h in have {
        if !want.iter().any(|w| w.name == h.name) {
            out.push(Change::DropTrigger {
                on: on.clone(),
                trigger: h.clone(),
            });
        }
    }
}

/// Whether the SQL expression `expr` mentions the identifier `name` (plain or quoted), as a
/// whole word. May say yes for a string literal holding the name: then a policy is recreated
/// where altering it would have done.
fn mentions_identifier(expr: &str, name: &str) -> bool {
    let quoted = format!("\"{}\"", name.replace('"', "\"\""));
    if expr.contains(&quoted) {
        return true;
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    expr.match_indices(name).any(|(i, _)| {
        let before = expr[..i].chars().next_back();
        let after = expr[i + name.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

/// Trigger and policy changes of a table present on both sides (or only desired, with `have`
/// empty).
pub(crate) fn table_objects(have: Option<&Table>, want: &Table, out: &mut Vec<Change>) {
    let q = want.qualified();
    triggers(
        &Rel {
            name: q.clone(),
            is_view: false,
        },
        have.map(|t| t.triggers.as_slice()).unwrap_or(&[]),
        &want.triggers,
        out,
    );
    let hp = have.map(|t| t.policies.as_slice()).unwrap_or(&[]);
    for w in &want.policies {
        match hp.iter().find(|p| p.name == w.name) {
            None => out.push(Change::CreatePolicy {
                on: q.clone(),
                policy: w.clone(),
            }),
            Some(h) if h != w => {
                // ALTER POLICY cannot remove a USING or WITH CHECK expression (setting it to
                // `true` would never converge, and would open the policy): drop and create.
                let removes_expr = (h.using.is_some() && w.using.is_none())
                    || (h.check.is_some() && w.check.is_none());
                // A policy over a column this plan drops goes with the column (PostgreSQL
                // drops it, or refuses the drop): it is created again afterwards, not altered.
                let dropped_columns: Vec<&str> = have
                    .map(|t| {
                        t.columns
                            .iter()
                            .filter(|c| want.column(&c.name).is_none())
                            .map(|c| c.name.as_str())
                            .collect()
                    })
                    .unwrap_or_default();
                let uses_dropped = dropped_columns.iter().any(|c| {
                    [&h.using, &h.check]
                        .into_iter()
                        .flatten()
                        .any(|e| mentions_identifier(e, c))
                });
                if h.command == w.command
                    && h.permissive == w.permissive
                    && !removes_expr
                    && !uses_dropped
                {
                    out.push(Change::AlterPolicy {
                        on: q.clone(),
                        from: h.clone(),
                        to: w.clone(),
                    });
                } else {
                    out.push(Change::DropPolicy {
                        on: q.clone(),
                        policy: h.clone(),
                    });
                    out.push(Change::CreatePolicy {
                        on: q.clone(),
                        policy: w.clone(),
                    });
                }
            }
            _ => {}
        }
    }
    for h in hp {
        if !want.policies.iter().any(|p| p.name == h.name) {
            out.push(Change::DropPolicy {
                on: q.clone(),
                policy: h.clone(),
            });
        }
    }
}
