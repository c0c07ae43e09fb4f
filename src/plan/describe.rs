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

/// A type as the HCL files spell it.
pub(super) fn ty(t: &crate::model::DataType) -> String {
    crate::hcl::types::to_hcl(t, &|n: &QualifiedName| {
        Some(crate::postgres::types::display(
            &crate::model::DataType::Named(n.clone()),
        ))
    })
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
pub(crate) fn objects(
    changes: &[Change],
    steps: Vec<Step>,
    reasons: &super::recreate::Reasons,
    online: bool,
) -> (Vec<ObjectChange>, Vec<Step>) {
    let mut out: Vec<ObjectChange> = Vec::new();
    for c in changes {
        let o = match c {
            Change::AlterTable(d) => Some(alter_table_object(d, online)),
            _ => super::describe_objects::object(c).or_else(|| schema_or_table_object(c)),
        };
        out.extend(o);
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

/// Schemas, enums and tables created, renamed, altered (comment, values) or dropped.
fn schema_or_table_object(c: &Change) -> Option<ObjectChange> {
    Some(match c {
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
        _ => return None,
    })
}

/// An altered table: attributes of its own, and its parts (columns, keys, checks, indexes) as
/// children; a part dropped and added again under its name is one replacement.
fn alter_table_object(d: &crate::diff::TableDiff, online: bool) -> ObjectChange {
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
        if let Some((attr, with_hazards)) = table_attr(ch) {
            n.attrs.push(attr);
            if with_hazards {
                n.hazards.extend(hz);
            }
            continue;
        }
        children.extend(table_part(ch, &d.to, &mut pending_drops, hz));
    }
    children.extend(pending_drops.into_iter().map(|(_, n, _)| n));
    // An attribute that ends where it started (a default dropped and set again around an enum
    // rebuild) is no change to review; a part left with nothing to show is not shown.
    n.attrs.retain(|a| a.old != a.new);
    for c in &mut children {
        if c.action == Action::Update {
            c.attrs.retain(|a| a.old != a.new);
        }
    }
    children.retain(|c| {
        c.action != Action::Update
            || !c.attrs.is_empty()
            || !c.hazards.is_empty()
            || !c.text_diffs.is_empty()
            || !c.children.is_empty()
            || c.reason.is_some()
    });
    n.children = children;
    n
}

/// A change shown as an attribute of the table itself, and whether its hazards go with it.
fn table_attr(ch: &TableChange) -> Option<(AttrChange, bool)> {
    let attr =
        |name: String, old: Option<String>, new: Option<String>| AttrChange { name, old, new };
    let params = |p: &std::collections::BTreeMap<String, String>| {
        (!p.is_empty()).then(|| crate::hcl::writer::storage_params(p))
    };
    Some(match ch {
        TableChange::SetComment { from, to } => (
            attr(
                "comment".into(),
                from.as_deref().map(q),
                to.as_deref().map(q),
            ),
            false,
        ),
        TableChange::SetRowSecurity {
            enabled,
            forced,
            was_enabled,
            was_forced,
        } => (
            attr(
                "row_security".into(),
                Some(format!(
                    "{{ enabled = {was_enabled}, enforced = {was_forced} }}"
                )),
                Some(format!("{{ enabled = {enabled}, enforced = {forced} }}")),
            ),
            true,
        ),
        TableChange::SetStorageParams { from, to } => (
            attr("storage_params".into(), params(from), params(to)),
            true,
        ),
        TableChange::SetIndexStorageParams { index, from, to } => (
            attr(
                format!("index {} storage_params", q(index)),
                params(from),
                params(to),
            ),
            true,
        ),
        TableChange::SetReplicaIdentity { from, to } => {
            let show = |r: &crate::model::ReplicaIdentity| match r {
                crate::model::ReplicaIdentity::Index(ix) => {
                    ObjectId::relative(ObjectKind::Index, ix).to_string()
                }
                other => other.sql_keyword().to_string(),
            };
            (
                attr("replica_identity".into(), Some(show(from)), Some(show(to))),
                true,
            )
        }
        TableChange::ValidateConstraint(name) => (
            attr(
                format!("constraint {} valid", q(name)),
                Some("false".into()),
                Some("true".into()),
            ),
            true,
        ),
        TableChange::SetLogged { unlogged } => (
            attr(
                "unlogged".into(),
                Some((!unlogged).to_string()),
                Some(unlogged.to_string()),
            ),
            true,
        ),
        TableChange::Attach(p) => (
            attr(
                "partition_of".into(),
                None,
                Some(format!("{} {}", p.parent, q(&p.bound))),
            ),
            false,
        ),
        TableChange::Detach(p) => (
            attr(
                "partition_of".into(),
                Some(format!("{} {}", p.parent, q(&p.bound))),
                None,
            ),
            false,
        ),
        TableChange::Inherit(p) => (attr("inherits".into(), None, Some(p.to_string())), false),
        TableChange::NoInherit(p) => (attr("inherits".into(), Some(p.to_string()), None), false),
        _ => return None,
    })
}

/// A dropped part, held back until the end: an add of the same kind and name pairs with it.
fn pending_drop(
    pending: &mut Vec<(ObjectKind, ObjectChange, Attrs)>,
    kind: ObjectKind,
    name: &str,
    attrs: Attrs,
    hazards: Option<Vec<Hazard>>,
) {
    let mut n = node(kind, name, Action::Delete, as_old(attrs.clone()));
    if let Some(h) = hazards {
        n.hazards = h;
    }
    pending.push((kind, n, attrs));
}

/// A change to a part of the table (column, key, check, index, exclusion), as a child of the
/// table; `None` for a drop held back in `pending`.
fn table_part(
    ch: &TableChange,
    table: &Table,
    pending: &mut Vec<(ObjectKind, ObjectChange, Attrs)>,
    hz: Vec<Hazard>,
) -> Option<ObjectChange> {
    let mut child = match ch {
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
            let action = if to.generated.is_some() && from.generated != to.generated {
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
        TableChange::AddPrimaryKey(pk) => {
            pair(pending, ObjectKind::PrimaryKey, &pk.name, pk_attrs(pk))
        }
        TableChange::DropPrimaryKey(pk) => {
            pending_drop(
                pending,
                ObjectKind::PrimaryKey,
                &pk.name,
                pk_attrs(pk),
                None,
            );
            return None;
        }
        TableChange::AddUnique(u) => pair(pending, ObjectKind::Unique, &u.name, unique_attrs(u)),
        TableChange::DropUnique(u) => {
            pending_drop(pending, ObjectKind::Unique, &u.name, unique_attrs(u), None);
            return None;
        }
        TableChange::AddCheck(c) => pair(
            pending,
            ObjectKind::Check,
            c.name.as_deref().unwrap_or(""),
            check_attrs(c),
        ),
        TableChange::DropCheck(c) => {
            let name = c.name.clone().unwrap_or_default();
            pending_drop(pending, ObjectKind::Check, &name, check_attrs(c), None);
            return None;
        }
        TableChange::AddForeignKey(fk) => {
            pair(pending, ObjectKind::ForeignKey, &fk.name, fk_attrs(fk))
        }
        TableChange::DropForeignKey(fk) => {
            pending_drop(
                pending,
                ObjectKind::ForeignKey,
                &fk.name,
                fk_attrs(fk),
                Some(hz),
            );
            return None;
        }
        TableChange::AddIndex(ix) => pair(pending, ObjectKind::Index, &ix.name, index_attrs(ix)),
        TableChange::DropIndex(ix) => {
            pending_drop(pending, ObjectKind::Index, &ix.name, index_attrs(ix), None);
            return None;
        }
        TableChange::AddExclude(x) => pair(pending, ObjectKind::Exclude, &x.name, exclude_attrs(x)),
        TableChange::DropExclude(x) => {
            pending_drop(
                pending,
                ObjectKind::Exclude,
                &x.name,
                exclude_attrs(x),
                None,
            );
            return None;
        }
        TableChange::AdoptIndex { index, key } => {
            let (kind, attrs) = match key {
                AdoptedKey::Primary(pk) => (ObjectKind::PrimaryKey, pk_attrs(pk)),
                AdoptedKey::Unique(u) => (ObjectKind::Unique, unique_attrs(u)),
            };
            let mut n = node(kind, key.name(), Action::Create, as_new(attrs));
            n.reason = Some(format!("takes over the existing unique index {}", q(index)));
            n
        }
        TableChange::RenameConstraint { from, to } => renamed(ObjectKind::Constraint, from, to),
        TableChange::RenameIndex { from, to } => renamed(ObjectKind::Index, from, to),
        TableChange::RenameColumn { from, to } => {
            let mut r = renamed(ObjectKind::Column, from, to);
            r.hazards = lint::hazards(&Subject::RenameColumn {
                table: &table.qualified(),
                from,
                to,
            });
            r
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
        _ => return None,
    };
    if child.hazards.is_empty() {
        child.hazards = hz;
    }
    Some(child)
}

/// A part renamed from `from` to `to`.
fn renamed(kind: ObjectKind, from: &str, to: &str) -> ObjectChange {
    let mut r = node(kind, to, Action::Rename, vec![]);
    r.reason = Some(format!("renamed from {}", q(from)));
    r
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
