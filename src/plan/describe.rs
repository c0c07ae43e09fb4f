//! The reviewer's view of a plan: one [`ObjectChange`] per changed object with the attributes
//! that change and what happens to the things inside it, linked to the steps that do it.

use super::Hazard;
use super::{Action, AttrChange, ObjectChange, Step};
use crate::diff::{AdoptedKey, Change, CommentKind, TableChange};
use crate::hcl::writer::string_literal;
use crate::lint::{self, Subject};
use crate::model::{ObjectId, ObjectKind, QualifiedName, Table};

mod attrs;
pub(super) use attrs::index_attrs;
use attrs::*;

pub(super) type Attrs = Vec<(String, String)>;

pub(super) fn q(s: &str) -> String {
    string_literal(s)
}

pub(super) fn list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

pub(super) fn opt_comment(a: &mut Attrs, c: &Option<String>) {
    if let Some(c) = c {
        a.push(("comment".into(), q(c)));
    }
}

pub(super) fn as_new(a: Attrs) -> Vec<AttrChange> {
    a.into_iter()
        .map(|(name, v)| AttrChange {
            name,
            old: None,
            new: Some(v),
        })
        .collect()
}

pub(super) fn as_old(a: Attrs) -> Vec<AttrChange> {
    a.into_iter()
        .map(|(name, v)| AttrChange {
            name,
            old: Some(v),
            new: None,
        })
        .collect()
}

pub(super) fn diff_attrs(old: Attrs, new: Attrs) -> Vec<AttrChange> {
    let mut out = Vec::new();
    for (k, v) in &new {
        match old.iter().find(|(ok, _)| ok == k) {
            Some((_, ov)) if ov == v => {}
            Some((_, ov)) => out.push(AttrChange {
                name: k.clone(),
                old: Some(ov.clone()),
                new: Some(v.clone()),
            }),
            None => out.push(AttrChange {
                name: k.clone(),
                old: None,
                new: Some(v.clone()),
            }),
        }
    }
    for (k, v) in old {
        if !new.iter().any(|(nk, _)| *nk == k) {
            out.push(AttrChange {
                name: k,
                old: Some(v),
                new: None,
            });
        }
    }
    out
}

/// The line diff of `old` → `new` (two lines of context), `None` when they are equal.
pub(super) fn text_diff(attr: &str, old: &str, new: &str) -> Option<super::TextDiff> {
    if old == new {
        return None;
    }
    let (old, new) = (with_newline(old), with_newline(new));
    let diff = similar::TextDiff::from_lines(old.as_str(), new.as_str());
    let mut lines = Vec::new();
    for (i, group) in diff.grouped_ops(2).iter().enumerate() {
        if i > 0 {
            lines.push("…".to_string());
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let sign = match change.tag() {
                    similar::ChangeTag::Delete => "- ",
                    similar::ChangeTag::Insert => "+ ",
                    similar::ChangeTag::Equal => "  ",
                };
                let text = change.value().trim_end_matches(['\n', '\r']);
                lines.push(format!("{sign}{text}"));
            }
        }
    }
    Some(super::TextDiff {
        attr: attr.to_string(),
        lines,
    })
}

/// A last line without its newline still compares equal to the same line with one.
fn with_newline(s: &str) -> String {
    let mut s = s.trim_end_matches(['\n', ' ']).to_string();
    s.push('\n');
    s
}

pub(super) fn node(
    kind: ObjectKind,
    label: &str,
    action: Action,
    attrs: Vec<AttrChange>,
) -> ObjectChange {
    ObjectChange {
        address: ObjectId::relative(kind, label),
        kind: kind.to_string(),
        label: q(label),
        action,
        reason: None,
        attrs,
        text_diffs: vec![],
        texts: vec![],
        children: vec![],
        hazards: vec![],
        steps: vec![],
    }
}

fn table_children(t: &Table, action: Action) -> Vec<ObjectChange> {
    let conv = |a: Attrs| {
        if action == Action::Delete {
            as_old(a)
        } else {
            as_new(a)
        }
    };
    let mut out = Vec::new();
    for c in &t.columns {
        out.push(node(
            ObjectKind::Column,
            &c.name,
            action,
            conv(column_attrs(c)),
        ));
    }
    if let Some(pk) = &t.primary_key {
        out.push(node(
            ObjectKind::PrimaryKey,
            &pk.name,
            action,
            conv(pk_attrs(pk)),
        ));
    }
    for ix in &t.indexes {
        out.push(node(
            ObjectKind::Index,
            &ix.name,
            action,
            conv(index_attrs(ix)),
        ));
    }
    for u in &t.uniques {
        out.push(node(
            ObjectKind::Unique,
            &u.name,
            action,
            conv(unique_attrs(u)),
        ));
    }
    for c in &t.checks {
        out.push(node(
            ObjectKind::Check,
            c.name.as_deref().unwrap_or(""),
            action,
            conv(check_attrs(c)),
        ));
    }
    for fk in &t.foreign_keys {
        out.push(node(
            ObjectKind::ForeignKey,
            &fk.name,
            action,
            conv(fk_attrs(fk)),
        ));
    }
    out
}

/// Builds the object view of `changes` and links each object to its steps.
pub fn objects(
    changes: &[Change],
    steps: Vec<Step>,
    reasons: &super::recreate::Reasons,
    online: bool,
) -> (Vec<ObjectChange>, Vec<Step>) {
    let mut out: Vec<ObjectChange> = Vec::new();
    for c in changes {
        if let Some(o) = super::describe_objects::object(c) {
            out.push(o);
            continue;
        }
        let o = match c {
            Change::RenameSchema { from, to } => {
                let mut n = node(ObjectKind::Schema, to, Action::Rename, vec![]);
                n.address = ObjectId::schema(to);
                n.reason = Some(format!("renamed from {}", q(from)));
                n
            }
            Change::RenameTable { from, to } => {
                let mut n = node(ObjectKind::Table, &to.name, Action::Rename, vec![]);
                n.address = ObjectId::table(to);
                n.reason = Some(format!("renamed from {}", q(&from.to_string())));
                n.hazards = lint::hazards(&Subject::RenameTable { from, to });
                n
            }
            Change::CreateSchema(s) => {
                let mut a = Vec::new();
                opt_comment(&mut a, &s.comment);
                let mut n = node(ObjectKind::Schema, &s.name, Action::Create, as_new(a));
                n.address = ObjectId::schema(&s.name);
                n
            }
            Change::AlterSchema { from, to } => {
                let mut n = node(
                    ObjectKind::Schema,
                    &to.name,
                    Action::Update,
                    vec![AttrChange {
                        name: "comment".into(),
                        old: from.comment.as_deref().map(q),
                        new: to.comment.as_deref().map(q),
                    }],
                );
                n.address = ObjectId::schema(&to.name);
                n
            }
            Change::DropSchema(s) => {
                let mut n = node(ObjectKind::Schema, &s.name, Action::Delete, vec![]);
                n.address = ObjectId::schema(&s.name);
                n.hazards
                    .extend(lint::hazards(&Subject::DropSchema { name: &s.name }));
                n
            }
            Change::CreateEnum(e) => {
                let mut n = node(
                    ObjectKind::Enum,
                    &e.name,
                    Action::Create,
                    as_new(enum_attrs(e)),
                );
                n.address = ObjectId::enum_type(&QualifiedName::new(&e.schema, &e.name));
                n
            }
            Change::AlterEnum { from, to, .. } => {
                let mut n = node(
                    ObjectKind::Enum,
                    &to.name,
                    Action::Update,
                    diff_attrs(enum_attrs(from), enum_attrs(to)),
                );
                n.address = ObjectId::enum_type(&QualifiedName::new(&to.schema, &to.name));
                n
            }
            Change::DropEnum(e) => {
                let mut n = node(
                    ObjectKind::Enum,
                    &e.name,
                    Action::Delete,
                    as_old(enum_attrs(e)),
                );
                n.address = ObjectId::enum_type(&QualifiedName::new(&e.schema, &e.name));
                n
            }
            Change::CreateTable(t) => {
                let mut a = vec![("schema".to_string(), t.schema.clone())];
                opt_comment(&mut a, &t.comment);
                let mut n = node(ObjectKind::Table, &t.name, Action::Create, as_new(a));
                n.address = ObjectId::table(&t.qualified());
                n.children = table_children(t, Action::Create);
                n
            }
            Change::DropTable(t) => {
                let mut a = vec![("schema".to_string(), t.schema.clone())];
                opt_comment(&mut a, &t.comment);
                let mut n = node(ObjectKind::Table, &t.name, Action::Delete, as_old(a));
                n.address = ObjectId::table(&t.qualified());
                n.children = table_children(t, Action::Delete);
                n.hazards
                    .extend(lint::hazards(&Subject::DropTable { table: t }));
                n
            }
            Change::AlterTable(d) => {
                let mut n = node(ObjectKind::Table, &d.to.name, Action::Update, vec![]);
                n.address = ObjectId::table(&d.to.qualified());
                let mut children: Vec<ObjectChange> = Vec::new();
                let mut pending_drops: Vec<(ObjectKind, ObjectChange, Attrs)> = Vec::new();
                for ch in &d.changes {
                    let hz: Vec<Hazard> = lint::hazards(&Subject::AlterTable {
                        table: &d.to,
                        change: ch,
                        online,
                    });
                    let mut child = match ch {
                        TableChange::SetComment { from, to } => {
                            n.attrs.push(AttrChange {
                                name: "comment".into(),
                                old: from.as_deref().map(q),
                                new: to.as_deref().map(q),
                            });
                            continue;
                        }
                        TableChange::AddColumn(c) => node(
                            ObjectKind::Column,
                            &c.name,
                            Action::Create,
                            as_new(column_attrs(c)),
                        ),
                        TableChange::DropColumn(c) => node(
                            ObjectKind::Column,
                            &c.name,
                            Action::Delete,
                            as_old(column_attrs(c)),
                        ),
                        TableChange::AlterColumn { from, to } => {
                            let action = if to.generated.is_some() && from.generated != to.generated
                            {
                                Action::Replace
                            } else {
                                Action::Update
                            };
                            node(
                                ObjectKind::Column,
                                &to.name,
                                action,
                                diff_attrs(column_attrs(from), column_attrs(to)),
                            )
                        }
                        TableChange::AddPrimaryKey(pk) => pair(
                            &mut pending_drops,
                            ObjectKind::PrimaryKey,
                            &pk.name,
                            pk_attrs(pk),
                        ),
                        TableChange::DropPrimaryKey(pk) => {
                            pending_drops.push((
                                ObjectKind::PrimaryKey,
                                node(
                                    ObjectKind::PrimaryKey,
                                    &pk.name,
                                    Action::Delete,
                                    as_old(pk_attrs(pk)),
                                ),
                                pk_attrs(pk),
                            ));
                            continue;
                        }
                        TableChange::AddUnique(u) => pair(
                            &mut pending_drops,
                            ObjectKind::Unique,
                            &u.name,
                            unique_attrs(u),
                        ),
                        TableChange::DropUnique(u) => {
                            pending_drops.push((
                                ObjectKind::Unique,
                                node(
                                    ObjectKind::Unique,
                                    &u.name,
                                    Action::Delete,
                                    as_old(unique_attrs(u)),
                                ),
                                unique_attrs(u),
                            ));
                            continue;
                        }
                        TableChange::AddCheck(c) => pair(
                            &mut pending_drops,
                            ObjectKind::Check,
                            c.name.as_deref().unwrap_or(""),
                            check_attrs(c),
                        ),
                        TableChange::DropCheck(c) => {
                            let name = c.name.clone().unwrap_or_default();
                            pending_drops.push((
                                ObjectKind::Check,
                                node(
                                    ObjectKind::Check,
                                    &name,
                                    Action::Delete,
                                    as_old(check_attrs(c)),
                                ),
                                check_attrs(c),
                            ));
                            continue;
                        }
                        TableChange::AddForeignKey(fk) => pair(
                            &mut pending_drops,
                            ObjectKind::ForeignKey,
                            &fk.name,
                            fk_attrs(fk),
                        ),
                        TableChange::DropForeignKey(fk) => {
                            let mut dn = node(
                                ObjectKind::ForeignKey,
                                &fk.name,
                                Action::Delete,
                                as_old(fk_attrs(fk)),
                            );
                            dn.hazards = hz;
                            pending_drops.push((ObjectKind::ForeignKey, dn, fk_attrs(fk)));
                            continue;
                        }
                        TableChange::AddIndex(ix) => pair(
                            &mut pending_drops,
                            ObjectKind::Index,
                            &ix.name,
                            index_attrs(ix),
                        ),
                        TableChange::DropIndex(ix) => {
                            pending_drops.push((
                                ObjectKind::Index,
                                node(
                                    ObjectKind::Index,
                                    &ix.name,
                                    Action::Delete,
                                    as_old(index_attrs(ix)),
                                ),
                                index_attrs(ix),
                            ));
                            continue;
                        }
                        TableChange::AdoptIndex { index, key } => {
                            let (kind, attrs) = match key {
                                AdoptedKey::Primary(pk) => (ObjectKind::PrimaryKey, pk_attrs(pk)),
                                AdoptedKey::Unique(u) => (ObjectKind::Unique, unique_attrs(u)),
                            };
                            let mut n = node(kind, key.name(), Action::Create, as_new(attrs));
                            n.reason =
                                Some(format!("takes over the existing unique index {}", q(index)));
                            n
                        }
                        TableChange::RenameConstraint { from, to } => {
                            let mut r = node(ObjectKind::Constraint, to, Action::Rename, vec![]);
                            r.reason = Some(format!("renamed from {}", q(from)));
                            r
                        }
                        TableChange::RenameColumn { from, to } => {
                            let mut r = node(ObjectKind::Column, to, Action::Rename, vec![]);
                            r.reason = Some(format!("renamed from {}", q(from)));
                            r.hazards = lint::hazards(&Subject::RenameColumn {
                                table: &d.to.qualified(),
                                from,
                                to,
                            });
                            r
                        }
                        TableChange::RenameIndex { from, to } => {
                            let mut r = node(ObjectKind::Index, to, Action::Rename, vec![]);
                            r.reason = Some(format!("renamed from {}", q(from)));
                            r
                        }
                        TableChange::AddExclude(x) => pair(
                            &mut pending_drops,
                            ObjectKind::Exclude,
                            &x.name,
                            exclude_attrs(x),
                        ),
                        TableChange::DropExclude(x) => {
                            pending_drops.push((
                                ObjectKind::Exclude,
                                node(
                                    ObjectKind::Exclude,
                                    &x.name,
                                    Action::Delete,
                                    as_old(exclude_attrs(x)),
                                ),
                                exclude_attrs(x),
                            ));
                            continue;
                        }
                        TableChange::SetRowSecurity {
                            enabled,
                            forced,
                            was_enabled,
                            was_forced,
                        } => {
                            n.attrs.push(AttrChange {
                                name: "row_security".into(),
                                old: Some(format!(
                                    "{{ enabled = {was_enabled}, enforced = {was_forced} }}"
                                )),
                                new: Some(format!(
                                    "{{ enabled = {enabled}, enforced = {forced} }}"
                                )),
                            });
                            n.hazards.extend(hz);
                            continue;
                        }
                        TableChange::SetStorageParams { from, to } => {
                            n.attrs.push(AttrChange {
                                name: "storage_params".into(),
                                old: (!from.is_empty())
                                    .then(|| crate::hcl::writer::storage_params(from)),
                                new: (!to.is_empty())
                                    .then(|| crate::hcl::writer::storage_params(to)),
                            });
                            n.hazards.extend(hz);
                            continue;
                        }
                        TableChange::SetIndexStorageParams { index, from, to } => {
                            n.attrs.push(AttrChange {
                                name: format!("index {} storage_params", q(index)),
                                old: (!from.is_empty())
                                    .then(|| crate::hcl::writer::storage_params(from)),
                                new: (!to.is_empty())
                                    .then(|| crate::hcl::writer::storage_params(to)),
                            });
                            n.hazards.extend(hz);
                            continue;
                        }
                        TableChange::SetReplicaIdentity { from, to } => {
                            let show = |r: &crate::model::ReplicaIdentity| match r {
                                crate::model::ReplicaIdentity::Index(ix) => {
                                    ObjectId::relative(ObjectKind::Index, ix).to_string()
                                }
                                other => other.sql_keyword().to_string(),
                            };
                            n.attrs.push(AttrChange {
                                name: "replica_identity".into(),
                                old: Some(show(from)),
                                new: Some(show(to)),
                            });
                            n.hazards.extend(hz);
                            continue;
                        }
                        TableChange::ValidateConstraint(name) => {
                            n.attrs.push(AttrChange {
                                name: format!("constraint {} valid", q(name)),
                                old: Some("false".into()),
                                new: Some("true".into()),
                            });
                            n.hazards.extend(hz);
                            continue;
                        }
                        TableChange::SetLogged { unlogged } => {
                            n.attrs.push(AttrChange {
                                name: "unlogged".into(),
                                old: Some((!unlogged).to_string()),
                                new: Some(unlogged.to_string()),
                            });
                            n.hazards.extend(hz);
                            continue;
                        }
                        TableChange::Attach(p) => {
                            n.attrs.push(AttrChange {
                                name: "partition_of".into(),
                                old: None,
                                new: Some(format!("{} {}", p.parent, q(&p.bound))),
                            });
                            continue;
                        }
                        TableChange::Inherit(p) => {
                            n.attrs.push(AttrChange {
                                name: "inherits".into(),
                                old: None,
                                new: Some(p.to_string()),
                            });
                            continue;
                        }
                        TableChange::NoInherit(p) => {
                            n.attrs.push(AttrChange {
                                name: "inherits".into(),
                                old: Some(p.to_string()),
                                new: None,
                            });
                            continue;
                        }
                        TableChange::Detach(p) => {
                            n.attrs.push(AttrChange {
                                name: "partition_of".into(),
                                old: Some(format!("{} {}", p.parent, q(&p.bound))),
                                new: None,
                            });
                            continue;
                        }
                        TableChange::CommentOn {
                            kind,
                            name,
                            from,
                            to,
                        } => node(
                            match kind {
                                CommentKind::Constraint => ObjectKind::Constraint,
                                CommentKind::Index => ObjectKind::Index,
                            },
                            name,
                            Action::Update,
                            vec![AttrChange {
                                name: "comment".into(),
                                old: from.as_deref().map(q),
                                new: to.as_deref().map(q),
                            }],
                        ),
                    };
                    if child.hazards.is_empty() {
                        child.hazards = hz;
                    }
                    children.push(child);
                }
                children.extend(pending_drops.into_iter().map(|(_, n, _)| n));
                n.children = children;
                n
            }
            _ => continue,
        };
        out.push(o);
    }
    let mut out = super::describe_objects::merge(out);
    for o in &mut out {
        if let Some(r) = reasons.get(&o.address) {
            o.reason = Some(r.clone());
        }
    }
    // Link steps and order objects by their first step.
    for (i, s) in steps.iter().enumerate() {
        if let Some(o) = out.iter_mut().find(|o| o.address == s.object) {
            o.steps.push(i);
        }
    }
    out.sort_by_key(|o| o.steps.first().copied().unwrap_or(usize::MAX));
    (out, steps)
}

/// An added sub-object: if a drop of the same kind and name is pending, the pair is a
/// replacement showing the attributes that differ.
fn pair(
    pending: &mut Vec<(ObjectKind, ObjectChange, Attrs)>,
    kind: ObjectKind,
    name: &str,
    attrs: Attrs,
) -> ObjectChange {
    match pending
        .iter()
        .position(|(k, n, _)| *k == kind && n.label == q(name))
    {
        Some(i) => {
            let (_, old, old_attrs) = pending.remove(i);
            let mut n = node(kind, name, Action::Replace, diff_attrs(old_attrs, attrs));
            n.hazards = old.hazards;
            if n.attrs.is_empty() {
                n.reason = Some("depends on a key that is rebuilt".into());
            }
            n
        }
        None => node(kind, name, Action::Create, as_new(attrs)),
    }
}
