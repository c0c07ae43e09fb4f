//! Dependents that PostgreSQL will not leave in place: when a change drops or rebuilds an object
//! (a column's type, a view, a function, an enum), the objects that depend on it are dropped
//! before and created again after, in the same transaction, and the plan says why.

use crate::diff::{Change, Rel, TableChange, TableDiff};
use crate::model::{Model, ObjectId, QualifiedName};
use crate::postgres::inspect::deps::{Deps, ObjKey};
use std::collections::{HashMap, HashSet, VecDeque};

/// Address → why the object is recreated.
pub(crate) type Reasons = HashMap<ObjectId, String>;

fn describe(k: &ObjKey) -> String {
    match k {
        ObjKey::Column(q, c) => format!("column {q}.{c}"),
        ObjKey::Table(q) => format!("table {q}"),
        ObjKey::View(q) => format!("view {q}"),
        ObjKey::Type(q) => format!("type {q}"),
        ObjKey::Function(s, sig) => format!("function {s}.{sig}"),
        ObjKey::Sequence(q) => format!("sequence {q}"),
        other => format!("{other:?}"),
    }
}

/// Keys whose current version a change removes or rebuilds.
fn invalidated(c: &Change) -> Vec<ObjKey> {
    match c {
        Change::DropTable(t) => {
            let q = t.qualified();
            let mut v = vec![ObjKey::Table(q.clone())];
            v.extend(
                t.columns
                    .iter()
                    .map(|c| ObjKey::Column(q.clone(), c.name.clone())),
            );
            v
        }
        Change::AlterTable(d) => {
            let q = d.to.qualified();
            d.changes
                .iter()
                .filter_map(|ch| match ch {
                    TableChange::DropColumn(c) => Some(ObjKey::Column(q.clone(), c.name.clone())),
                    TableChange::AlterColumn { from, to }
                        if from.ty.storage() != to.ty.storage()
                            || from.collation != to.collation
                            || (to.generated.is_some() && from.generated != to.generated) =>
                    {
                        Some(ObjKey::Column(q.clone(), to.name.clone()))
                    }
                    _ => None,
                })
                .collect()
        }
        Change::DropView(v) => vec![ObjKey::View(QualifiedName::new(&v.schema, &v.name))],
        Change::DropAggregate(a) => vec![ObjKey::Function(
            a.schema.clone(),
            crate::postgres::types::aggregate_signature(a),
        )],
        Change::DropFunction(f) => vec![ObjKey::Function(
            f.schema.clone(),
            crate::postgres::types::signature(f),
        )],
        Change::RebuildEnum { from, .. } | Change::DropEnum(from) => {
            vec![ObjKey::Type(QualifiedName::new(&from.schema, &from.name))]
        }
        Change::DropDomain(d) => vec![ObjKey::Type(QualifiedName::new(&d.schema, &d.name))],
        Change::DropComposite(c) => vec![ObjKey::Type(QualifiedName::new(&c.schema, &c.name))],
        Change::DropSequence(s) => vec![ObjKey::Sequence(QualifiedName::new(&s.schema, &s.name))],
        _ => vec![],
    }
}

/// Objects the changes already drop or recreate.
fn touched(changes: &[Change]) -> HashSet<ObjKey> {
    let mut t = HashSet::new();
    for c in changes {
        match c {
            Change::DropView(v) | Change::CreateView(v) => {
                t.insert(ObjKey::View(QualifiedName::new(&v.schema, &v.name)));
            }
            Change::DropFunction(f) | Change::CreateFunction(f) => {
                t.insert(ObjKey::Function(
                    f.schema.clone(),
                    crate::postgres::types::signature(f),
                ));
            }
            Change::DropAggregate(a) | Change::CreateAggregate(a) => {
                t.insert(ObjKey::Function(
                    a.schema.clone(),
                    crate::postgres::types::aggregate_signature(a),
                ));
            }
            Change::DropEventTrigger(e) | Change::CreateEventTrigger(e) => {
                t.insert(ObjKey::EventTrigger(e.name.clone()));
            }
            Change::DropTrigger { on, trigger } | Change::CreateTrigger { on, trigger } => {
                t.insert(ObjKey::Trigger(on.name.clone(), trigger.name.clone()));
            }
            Change::DropPolicy { on, policy } | Change::CreatePolicy { on, policy } => {
                t.insert(ObjKey::Policy(on.clone(), policy.name.clone()));
            }
            Change::AlterTable(d) => {
                let q = d.to.qualified();
                for ch in &d.changes {
                    match ch {
                        TableChange::DropCheck(c) | TableChange::AddCheck(c) => {
                            if let Some(n) = &c.name {
                                t.insert(ObjKey::Constraint(q.clone(), n.clone()));
                            }
                        }
                        TableChange::DropIndex(i) | TableChange::AddIndex(i) => {
                            t.insert(ObjKey::Index(q.clone(), i.name.clone()));
                        }
                        TableChange::DropExclude(x) | TableChange::AddExclude(x) => {
                            t.insert(ObjKey::Constraint(q.clone(), x.name.clone()));
                        }
                        _ => {}
                    }
                }
            }
            Change::DropTable(tb) => {
                t.insert(ObjKey::Table(tb.qualified()));
            }
            _ => {}
        }
    }
    t
}

fn table_diff<'a>(
    changes: &'a mut Vec<Change>,
    current: &Model,
    desired: &Model,
    q: &QualifiedName,
) -> Option<&'a mut TableDiff> {
    let pos = changes
        .iter()
        .position(|c| matches!(c, Change::AlterTable(d) if d.to.qualified() == *q));
    let pos = match pos {
        Some(p) => p,
        None => {
            let (from, to) = (current.table(q)?, desired.table(q)?);
            changes.push(Change::AlterTable(Box::new(TableDiff {
                from: from.clone(),
                to: to.clone(),
                changes: vec![],
            })));
            changes.len() - 1
        }
    };
    match &mut changes[pos] {
        Change::AlterTable(d) => Some(d),
        _ => None,
    }
}

/// Adds drop-and-recreate changes for the dependents of what `changes` invalidate.
pub(crate) fn expand(
    changes: &[Change],
    current: &Model,
    desired: &Model,
    deps: &Deps,
) -> (Vec<Change>, Reasons) {
    let reverse = deps.reverse();
    let mut x = Expansion {
        current,
        desired,
        out: changes.to_vec(),
        reasons: Reasons::new(),
        seen: touched(changes),
    };
    let mut queue: VecDeque<(ObjKey, ObjKey)> = VecDeque::new();
    for c in changes {
        for k in invalidated(c) {
            for d in reverse.get(&k).into_iter().flatten() {
                queue.push_back(((*d).clone(), k.clone()));
            }
        }
    }
    while let Some((dep, cause)) = queue.pop_front() {
        if !x.seen.insert(dep.clone()) {
            continue;
        }
        let why = format!(
            "recreated because it depends on {}, which changes",
            describe(&cause)
        );
        if x.recreate(&dep, why) {
            for d in reverse.get(&dep).into_iter().flatten() {
                queue.push_back(((*d).clone(), dep.clone()));
            }
        }
    }
    let recreated: HashSet<ObjectId> = x.reasons.keys().cloned().collect();
    regrant(&mut x.out, &recreated, desired);
    (x.out, x.reasons)
}

/// A recreated view or routine loses its privileges: its desired ones are granted again after
/// it is created (and nothing is revoked from the object about to be dropped).
fn regrant(out: &mut Vec<Change>, recreated: &HashSet<ObjectId>, desired: &Model) {
    if recreated.is_empty() || desired.grants.is_empty() {
        return;
    }
    out.retain(|c| match c {
        Change::GrantPrivileges { on, .. } | Change::RevokePrivileges { on, .. } => {
            !recreated.contains(on)
        }
        _ => true,
    });
    let mut grants: std::collections::BTreeMap<(String, ObjectId), Vec<crate::model::Grant>> =
        Default::default();
    for g in desired.grants.iter().filter(|g| recreated.contains(&g.on)) {
        grants
            .entry((g.grantee.clone(), g.on.clone()))
            .or_default()
            .push(g.clone());
    }
    for ((grantee, on), grants) in grants {
        out.push(Change::GrantPrivileges {
            grantee,
            on,
            grants,
        });
    }
}

/// What [`expand`] builds up: the changes, why objects are recreated, and the keys already
/// handled.
struct Expansion<'a> {
    current: &'a Model,
    desired: &'a Model,
    out: Vec<Change>,
    reasons: Reasons,
    seen: HashSet<ObjKey>,
}

impl Expansion<'_> {
    /// Recreates `dep` (or, for a column, its default) when both versions have it; `true` when
    /// what depends on it must be recreated too.
    fn recreate(&mut self, dep: &ObjKey, why: String) -> bool {
        match dep {
            ObjKey::View(q) => return self.view(q, why),
            ObjKey::Function(s, sig) => return self.function(s, sig, why),
            ObjKey::Trigger(q, name) => self.trigger(q, name, why),
            ObjKey::EventTrigger(name) => self.event_trigger(name, why),
            ObjKey::Policy(q, name) => self.policy(q, name, why),
            ObjKey::Constraint(q, name) => self.constraint(q, name, why),
            ObjKey::Index(q, name) => self.index(q, name, why),
            ObjKey::Column(q, c) => self.default(q, c, why),
            _ => {}
        }
        false
    }

    /// A view dropped and created again, with the triggers on it.
    fn view(&mut self, q: &QualifiedName, why: String) -> bool {
        let (current, desired) = (self.current, self.desired);
        let (out, seen, reasons) = (&mut self.out, &mut self.seen, &mut self.reasons);
        let mut cascade = false;
        if let (Some(have), Some(want)) = (current.view(q), desired.view(q)) {
            out.push(Change::DropView(have.clone()));
            out.push(Change::CreateView(want.clone()));
            // Triggers on the view go with it.
            for t in &want.triggers {
                // Once: not again through the trigger's own dependency on the view, and
                // not when the plan already creates it.
                if !seen.insert(ObjKey::Trigger(q.clone(), t.name.clone())) {
                    continue;
                }
                out.push(Change::CreateTrigger {
                    on: Rel {
                        name: q.clone(),
                        is_view: true,
                    },
                    trigger: t.clone(),
                });
            }
            reasons.insert(super::order::view_id(want), why);
            cascade = true;
        }
        cascade
    }

    fn function(&mut self, s: &str, sig: &str, why: String) -> bool {
        let (current, desired) = (self.current, self.desired);
        let (out, reasons) = (&mut self.out, &mut self.reasons);
        let mut cascade = false;
        let have = current.schemas.get(s).and_then(|x| x.functions.get(sig));
        let want = desired.schemas.get(s).and_then(|x| x.functions.get(sig));
        if let (Some(h), Some(w)) = (have, want) {
            out.push(Change::DropFunction(h.clone()));
            out.push(Change::CreateFunction(w.clone()));
            reasons.insert(super::order::function_id(w), why.clone());
            cascade = true;
        }
        // Aggregates share the functions' key.
        let have = current.schemas.get(s).and_then(|x| x.aggregates.get(sig));
        let want = desired.schemas.get(s).and_then(|x| x.aggregates.get(sig));
        if let (Some(h), Some(w)) = (have, want) {
            out.push(Change::DropAggregate(h.clone()));
            out.push(Change::CreateAggregate(w.clone()));
            reasons.insert(super::order::aggregate_id(w), why);
            cascade = true;
        }
        cascade
    }

    fn event_trigger(&mut self, name: &str, why: String) {
        let have = self.current.event_triggers.get(name);
        let want = self.desired.event_triggers.get(name);
        if let (Some(h), Some(w)) = (have, want) {
            self.out.push(Change::DropEventTrigger(h.clone()));
            self.out.push(Change::CreateEventTrigger(w.clone()));
            self.reasons.insert(super::order::event_trigger_id(w), why);
        }
    }

    fn trigger(&mut self, q: &QualifiedName, name: &str, why: String) {
        let (current, desired) = (self.current, self.desired);
        let (out, reasons) = (&mut self.out, &mut self.reasons);
        let find = |m: &Model| {
            m.table(q)
                .map(|t| (&t.triggers, false))
                .or_else(|| m.view(q).map(|v| (&v.triggers, true)))
                .and_then(|(ts, is_view)| {
                    ts.iter()
                        .find(|t| t.name == name)
                        .map(|t| (t.clone(), is_view))
                })
        };
        if let (Some((h, is_view)), Some((w, _))) = (find(current), find(desired)) {
            let on = Rel {
                name: q.clone(),
                is_view,
            };
            reasons.insert(super::order::trigger_id(q, &w), why);
            out.push(Change::DropTrigger {
                on: on.clone(),
                trigger: h,
            });
            out.push(Change::CreateTrigger { on, trigger: w });
        }
    }

    fn policy(&mut self, q: &QualifiedName, name: &str, why: String) {
        let (current, desired) = (self.current, self.desired);
        let (out, reasons) = (&mut self.out, &mut self.reasons);
        let find = |m: &Model| {
            m.table(q)
                .and_then(|t| t.policies.iter().find(|p| p.name == name).cloned())
        };
        if let (Some(h), Some(w)) = (find(current), find(desired)) {
            reasons.insert(ObjectId::policy(q, name), why);
            out.push(Change::DropPolicy {
                on: q.clone(),
                policy: h,
            });
            out.push(Change::CreatePolicy {
                on: q.clone(),
                policy: w,
            });
        }
    }

    /// A check or exclusion constraint dropped and added again in its table's diff.
    fn constraint(&mut self, q: &QualifiedName, name: &str, why: String) {
        let (current, desired) = (self.current, self.desired);
        let (out, reasons) = (&mut self.out, &mut self.reasons);
        let want_check = desired.table(q).and_then(|t| {
            t.checks
                .iter()
                .find(|c| c.name.as_deref() == Some(name))
                .cloned()
        });
        let have_check = current.table(q).and_then(|t| {
            t.checks
                .iter()
                .find(|c| c.name.as_deref() == Some(name))
                .cloned()
        });
        let want_x = desired
            .table(q)
            .and_then(|t| t.excludes.iter().find(|x| x.name == name).cloned());
        let have_x = current
            .table(q)
            .and_then(|t| t.excludes.iter().find(|x| x.name == name).cloned());
        if let Some(d) = table_diff(out, current, desired, q) {
            if let (Some(h), Some(w)) = (have_check, want_check) {
                d.changes.push(TableChange::DropCheck(h));
                d.changes.push(TableChange::AddCheck(w));
            } else if let (Some(h), Some(w)) = (have_x, want_x) {
                d.changes.push(TableChange::DropExclude(h));
                d.changes.push(TableChange::AddExclude(w));
            }
        }
        reasons.insert(ObjectId::table(q), why);
    }

    /// An index dropped and added again in its table's diff.
    fn index(&mut self, q: &QualifiedName, name: &str, why: String) {
        let (current, desired) = (self.current, self.desired);
        let (out, reasons) = (&mut self.out, &mut self.reasons);
        let have = current
            .table(q)
            .and_then(|t| t.indexes.iter().find(|i| i.name == name).cloned());
        let want = desired
            .table(q)
            .and_then(|t| t.indexes.iter().find(|i| i.name == name).cloned());
        if let (Some(h), Some(w)) = (have, want) {
            if let Some(d) = table_diff(out, current, desired, q) {
                d.changes.push(TableChange::DropIndex(h));
                d.changes.push(TableChange::AddIndex(w));
            }
            reasons.insert(ObjectId::table(q), why);
        }
    }

    fn default(&mut self, q: &QualifiedName, c: &str, why: String) {
        let (current, desired) = (self.current, self.desired);
        let (out, reasons) = (&mut self.out, &mut self.reasons);
        // A default that uses the object: drop it first, set it again after.
        let have = current.table(q).and_then(|t| t.column(c)).cloned();
        let want = desired.table(q).and_then(|t| t.column(c)).cloned();
        if let (Some(h), Some(w)) = (have, want)
            && h.default.is_some()
            && w.default.is_some()
            && h.ty.storage() == w.ty.storage()
            && h.generated.is_none()
        {
            out.push(Change::DropDefault {
                table: q.clone(),
                column: h,
            });
            out.push(Change::SetDefault {
                table: q.clone(),
                column: w,
            });
            reasons.insert(ObjectId::table(q), why);
        }
    }
}
