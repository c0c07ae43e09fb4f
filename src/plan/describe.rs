//! The reviewer's view of a plan: one [`ObjectChange`] per changed object with the attributes
//! that change and what happens to the things inside it, linked to the steps that do it.

use super::Hazard;
use super::order::{enum_address, schema_address, table_address};
use super::{Action, AttrChange, ObjectChange, Step};
use crate::diff::{AdoptedKey, Change, CommentKind, TableChange};
use crate::hcl::types as hcl_types;
use crate::hcl::writer::{default_hcl, string_literal};
use crate::lint::{self, Subject};
use crate::model::{
    Check, Column, Enum, ForeignKey, Index, IndexKey, PrimaryKey, QualifiedName, Table, Unique,
};
use crate::postgres::types;

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

fn type_text(c: &Column) -> String {
    hcl_types::to_hcl(&c.ty, &|n: &QualifiedName| {
        Some(types::display(&crate::model::DataType::Named(n.clone())))
    })
}

fn column_attrs(c: &Column) -> Attrs {
    let mut a = vec![
        ("type".into(), type_text(c)),
        ("null".into(), c.nullable.to_string()),
    ];
    if let Some(d) = &c.default {
        a.push(("default".into(), default_hcl(d, &c.ty)));
    }
    if let Some(id) = &c.identity {
        a.push((
            "identity".into(),
            format!(
                "{}{}{}",
                if id.always { "ALWAYS" } else { "BY_DEFAULT" },
                if id.start != 1 {
                    format!(", start {}", id.start)
                } else {
                    String::new()
                },
                if id.increment != 1 {
                    format!(", increment {}", id.increment)
                } else {
                    String::new()
                }
            ) + &identity_bounds(id),
        ));
    }
    if let Some(g) = &c.generated {
        a.push(("as".into(), q(g)));
    }
    if let Some(coll) = &c.collation {
        a.push(("collate".into(), q(coll)));
    }
    if let Some(s) = c.storage {
        a.push(("storage".into(), s.sql().into()));
    }
    if let Some(s) = c.compression {
        a.push(("compression".into(), s.name().into()));
    }
    if let Some(n) = c.statistics {
        a.push(("statistics".into(), n.to_string()));
    }
    opt_comment(&mut a, &c.comment);
    a
}

/// `, min 2, max 90, cache 5, cycle` for the options that are not the defaults.
fn identity_bounds(id: &crate::model::Identity) -> String {
    let mut s = String::new();
    if let Some(v) = id.min_value {
        s.push_str(&format!(", min {v}"));
    }
    if let Some(v) = id.max_value {
        s.push_str(&format!(", max {v}"));
    }
    if id.cache != 1 {
        s.push_str(&format!(", cache {}", id.cache));
    }
    if id.cycle {
        s.push_str(", cycle");
    }
    s
}

fn pk_attrs(pk: &PrimaryKey) -> Attrs {
    let mut a = vec![("columns".into(), list(&pk.columns))];
    if !pk.include.is_empty() {
        a.push(("include".into(), list(&pk.include)));
    }
    if pk.deferrable != crate::model::Deferrable::NotDeferrable {
        a.push(("deferrable".into(), format!("{:?}", pk.deferrable)));
    }
    opt_comment(&mut a, &pk.comment);
    a
}

fn unique_attrs(u: &Unique) -> Attrs {
    let mut a = vec![("columns".into(), list(&u.columns))];
    if !u.include.is_empty() {
        a.push(("include".into(), list(&u.include)));
    }
    if !u.nulls_distinct {
        a.push(("nulls_distinct".into(), "false".into()));
    }
    opt_comment(&mut a, &u.comment);
    a
}

fn check_attrs(c: &Check) -> Attrs {
    let mut a = vec![("expr".into(), q(&c.expr))];
    opt_comment(&mut a, &c.comment);
    a
}

fn fk_attrs(fk: &ForeignKey) -> Attrs {
    let target = format!("{}.{}", fk.ref_table.schema, fk.ref_table.name);
    let mut a = vec![
        ("columns".into(), list(&fk.columns)),
        (
            "references".into(),
            format!("{target}({})", fk.ref_columns.join(", ")),
        ),
    ];
    if fk.on_update != crate::model::ReferentialAction::NoAction {
        a.push(("on_update".into(), fk.on_update.hcl().into()));
    }
    if fk.on_delete != crate::model::ReferentialAction::NoAction {
        a.push(("on_delete".into(), fk.on_delete.hcl().into()));
    }
    opt_comment(&mut a, &fk.comment);
    a
}

fn exclude_attrs(x: &crate::model::Exclude) -> Attrs {
    let parts: Vec<String> = x
        .elements
        .iter()
        .map(|(k, op)| match k {
            IndexKey::Column(c) => format!("{c} WITH {op}"),
            IndexKey::Expr(e) => format!("({e}) WITH {op}"),
        })
        .collect();
    let mut a = vec![
        ("on".into(), list(&parts)),
        ("type".into(), x.method.to_ascii_uppercase()),
    ];
    if let Some(w) = &x.predicate {
        a.push(("where".into(), q(w)));
    }
    opt_comment(&mut a, &x.comment);
    a
}

pub(super) fn index_attrs(ix: &Index) -> Attrs {
    let parts: Vec<String> = ix
        .parts
        .iter()
        .map(|p| {
            let mut s = match &p.key {
                IndexKey::Column(c) => c.clone(),
                IndexKey::Expr(e) => format!("({e})"),
            };
            if let Some(o) = &p.opclass {
                s.push_str(&format!(" {o}"));
                if !p.opclass_params.is_empty() {
                    s.push_str(&format!(
                        " ({})",
                        crate::postgres::ddl::param_list(&p.opclass_params)
                    ));
                }
            }
            if p.desc {
                s.push_str(" DESC");
            }
            if p.nulls_first != p.desc {
                s.push_str(if p.nulls_first {
                    " NULLS FIRST"
                } else {
                    " NULLS LAST"
                });
            }
            s
        })
        .collect();
    let mut a = vec![("on".into(), list(&parts))];
    if ix.unique {
        a.push(("unique".into(), "true".into()));
    }
    if ix.method != "btree" {
        a.push(("type".into(), ix.method.to_ascii_uppercase()));
    }
    if let Some(w) = &ix.predicate {
        a.push(("where".into(), q(w)));
    }
    if !ix.include.is_empty() {
        a.push(("include".into(), list(&ix.include)));
    }
    if !ix.nulls_distinct {
        a.push(("nulls_distinct".into(), "false".into()));
    }
    if ix.invalid {
        a.push(("valid".into(), "false".into()));
    }
    opt_comment(&mut a, &ix.comment);
    a
}

fn enum_attrs(e: &Enum) -> Attrs {
    let mut a = vec![
        ("schema".into(), e.schema.clone()),
        (
            "values".into(),
            list(&e.values.iter().map(|v| q(v)).collect::<Vec<_>>()),
        ),
    ];
    opt_comment(&mut a, &e.comment);
    a
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

pub(super) fn node(
    kind: &str,
    label: &str,
    action: Action,
    attrs: Vec<AttrChange>,
) -> ObjectChange {
    ObjectChange {
        address: format!("{kind}.{label}"),
        kind: kind.into(),
        label: q(label),
        action,
        reason: None,
        attrs,
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
        out.push(node("column", &c.name, action, conv(column_attrs(c))));
    }
    if let Some(pk) = &t.primary_key {
        out.push(node("primary_key", &pk.name, action, conv(pk_attrs(pk))));
    }
    for ix in &t.indexes {
        out.push(node("index", &ix.name, action, conv(index_attrs(ix))));
    }
    for u in &t.uniques {
        out.push(node("unique", &u.name, action, conv(unique_attrs(u))));
    }
    for c in &t.checks {
        out.push(node(
            "check",
            c.name.as_deref().unwrap_or(""),
            action,
            conv(check_attrs(c)),
        ));
    }
    for fk in &t.foreign_keys {
        out.push(node("foreign_key", &fk.name, action, conv(fk_attrs(fk))));
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
                let mut n = node("schema", to, Action::Rename, vec![]);
                n.address = schema_address(to);
                n.reason = Some(format!("renamed from {}", q(from)));
                n
            }
            Change::RenameTable { from, to } => {
                let mut n = node("table", &to.name, Action::Rename, vec![]);
                n.address = table_address(to);
                n.reason = Some(format!("renamed from {}", q(&from.to_string())));
                n.hazards = lint::hazards(&Subject::RenameTable { from, to });
                n
            }
            Change::CreateSchema(s) => {
                let mut a = Vec::new();
                opt_comment(&mut a, &s.comment);
                let mut n = node("schema", &s.name, Action::Create, as_new(a));
                n.address = schema_address(&s.name);
                n
            }
            Change::AlterSchema { from, to } => {
                let mut n = node(
                    "schema",
                    &to.name,
                    Action::Update,
                    vec![AttrChange {
                        name: "comment".into(),
                        old: from.comment.as_deref().map(q),
                        new: to.comment.as_deref().map(q),
                    }],
                );
                n.address = schema_address(&to.name);
                n
            }
            Change::DropSchema(s) => {
                let mut n = node("schema", &s.name, Action::Delete, vec![]);
                n.address = schema_address(&s.name);
                n.hazards
                    .extend(lint::hazards(&Subject::DropSchema { name: &s.name }));
                n
            }
            Change::CreateEnum(e) => {
                let mut n = node("enum", &e.name, Action::Create, as_new(enum_attrs(e)));
                n.address = enum_address(&QualifiedName::new(&e.schema, &e.name));
                n
            }
            Change::AlterEnum { from, to, .. } => {
                let mut n = node(
                    "enum",
                    &to.name,
                    Action::Update,
                    diff_attrs(enum_attrs(from), enum_attrs(to)),
                );
                n.address = enum_address(&QualifiedName::new(&to.schema, &to.name));
                n
            }
            Change::DropEnum(e) => {
                let mut n = node("enum", &e.name, Action::Delete, as_old(enum_attrs(e)));
                n.address = enum_address(&QualifiedName::new(&e.schema, &e.name));
                n
            }
            Change::CreateTable(t) => {
                let mut a = vec![("schema".to_string(), t.schema.clone())];
                opt_comment(&mut a, &t.comment);
                let mut n = node("table", &t.name, Action::Create, as_new(a));
                n.address = table_address(&t.qualified());
                n.children = table_children(t, Action::Create);
                n
            }
            Change::DropTable(t) => {
                let mut a = vec![("schema".to_string(), t.schema.clone())];
                opt_comment(&mut a, &t.comment);
                let mut n = node("table", &t.name, Action::Delete, as_old(a));
                n.address = table_address(&t.qualified());
                n.children = table_children(t, Action::Delete);
                n.hazards
                    .extend(lint::hazards(&Subject::DropTable { table: t }));
                n
            }
            Change::AlterTable(d) => {
                let mut n = node("table", &d.to.name, Action::Update, vec![]);
                n.address = table_address(&d.to.qualified());
                let mut children: Vec<ObjectChange> = Vec::new();
                let mut pending_drops: Vec<(String, ObjectChange, Attrs)> = Vec::new();
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
                        TableChange::AddColumn(c) => {
                            node("column", &c.name, Action::Create, as_new(column_attrs(c)))
                        }
                        TableChange::DropColumn(c) => {
                            node("column", &c.name, Action::Delete, as_old(column_attrs(c)))
                        }
                        TableChange::AlterColumn { from, to } => {
                            let action = if to.generated.is_some() && from.generated != to.generated
                            {
                                Action::Replace
                            } else {
                                Action::Update
                            };
                            node(
                                "column",
                                &to.name,
                                action,
                                diff_attrs(column_attrs(from), column_attrs(to)),
                            )
                        }
                        TableChange::AddPrimaryKey(pk) => {
                            pair(&mut pending_drops, "primary_key", &pk.name, pk_attrs(pk))
                        }
                        TableChange::DropPrimaryKey(pk) => {
                            pending_drops.push((
                                "primary_key".into(),
                                node(
                                    "primary_key",
                                    &pk.name,
                                    Action::Delete,
                                    as_old(pk_attrs(pk)),
                                ),
                                pk_attrs(pk),
                            ));
                            continue;
                        }
                        TableChange::AddUnique(u) => {
                            pair(&mut pending_drops, "unique", &u.name, unique_attrs(u))
                        }
                        TableChange::DropUnique(u) => {
                            pending_drops.push((
                                "unique".into(),
                                node("unique", &u.name, Action::Delete, as_old(unique_attrs(u))),
                                unique_attrs(u),
                            ));
                            continue;
                        }
                        TableChange::AddCheck(c) => pair(
                            &mut pending_drops,
                            "check",
                            c.name.as_deref().unwrap_or(""),
                            check_attrs(c),
                        ),
                        TableChange::DropCheck(c) => {
                            let name = c.name.clone().unwrap_or_default();
                            pending_drops.push((
                                "check".into(),
                                node("check", &name, Action::Delete, as_old(check_attrs(c))),
                                check_attrs(c),
                            ));
                            continue;
                        }
                        TableChange::AddForeignKey(fk) => {
                            pair(&mut pending_drops, "foreign_key", &fk.name, fk_attrs(fk))
                        }
                        TableChange::DropForeignKey(fk) => {
                            let mut dn = node(
                                "foreign_key",
                                &fk.name,
                                Action::Delete,
                                as_old(fk_attrs(fk)),
                            );
                            dn.hazards = hz;
                            pending_drops.push(("foreign_key".into(), dn, fk_attrs(fk)));
                            continue;
                        }
                        TableChange::AddIndex(ix) => {
                            pair(&mut pending_drops, "index", &ix.name, index_attrs(ix))
                        }
                        TableChange::DropIndex(ix) => {
                            pending_drops.push((
                                "index".into(),
                                node("index", &ix.name, Action::Delete, as_old(index_attrs(ix))),
                                index_attrs(ix),
                            ));
                            continue;
                        }
                        TableChange::AdoptIndex { index, key } => {
                            let (kind, attrs) = match key {
                                AdoptedKey::Primary(pk) => ("primary_key", pk_attrs(pk)),
                                AdoptedKey::Unique(u) => ("unique", unique_attrs(u)),
                            };
                            let mut n = node(kind, key.name(), Action::Create, as_new(attrs));
                            n.reason =
                                Some(format!("takes over the existing unique index {}", q(index)));
                            n
                        }
                        TableChange::RenameConstraint { from, to } => {
                            let mut r = node("constraint", to, Action::Rename, vec![]);
                            r.reason = Some(format!("renamed from {}", q(from)));
                            r
                        }
                        TableChange::RenameColumn { from, to } => {
                            let mut r = node("column", to, Action::Rename, vec![]);
                            r.reason = Some(format!("renamed from {}", q(from)));
                            r.hazards = lint::hazards(&Subject::RenameColumn {
                                table: &d.to.qualified(),
                                from,
                                to,
                            });
                            r
                        }
                        TableChange::RenameIndex { from, to } => {
                            let mut r = node("index", to, Action::Rename, vec![]);
                            r.reason = Some(format!("renamed from {}", q(from)));
                            r
                        }
                        TableChange::AddExclude(x) => {
                            pair(&mut pending_drops, "exclude", &x.name, exclude_attrs(x))
                        }
                        TableChange::DropExclude(x) => {
                            pending_drops.push((
                                "exclude".into(),
                                node("exclude", &x.name, Action::Delete, as_old(exclude_attrs(x))),
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
                                    format!("index.{ix}")
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
                                CommentKind::Constraint => "constraint",
                                CommentKind::Index => "index",
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
    pending: &mut Vec<(String, ObjectChange, Attrs)>,
    kind: &str,
    name: &str,
    attrs: Attrs,
) -> ObjectChange {
    match pending
        .iter()
        .position(|(k, n, _)| k == kind && n.label == q(name))
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
