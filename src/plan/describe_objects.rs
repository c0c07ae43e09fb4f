//! The reviewer's view of objects beyond tables, and merging a drop and a create of the same
//! object into one replacement.

use super::describe::{
    Attrs, as_new, as_old, diff_attrs, index_attrs, list, node, opt_comment, q, text_diff, ty,
};
use super::order::{function_id, view_id};
use super::{Action, AttrChange, ObjectChange};
use crate::diff::Change;
use crate::lint::{self, Subject};
use crate::model::{Function, ObjectId, ObjectKind, QualifiedName, Returns, Sequence, View};

mod aggregates;
mod roles;

fn short(s: &str) -> String {
    let one = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > 72 {
        format!("{}…", one.chars().take(72).collect::<String>())
    } else {
        one
    }
}

fn sequence_attrs(s: &Sequence) -> Attrs {
    let mut a = vec![
        ("type".into(), s.ty.clone()),
        ("increment".into(), s.increment.to_string()),
    ];
    if let Some(v) = s.start {
        a.push(("start".into(), v.to_string()));
    }
    if let Some(v) = s.min {
        a.push(("min_value".into(), v.to_string()));
    }
    if let Some(v) = s.max {
        a.push(("max_value".into(), v.to_string()));
    }
    if s.cache != 1 {
        a.push(("cache".into(), s.cache.to_string()));
    }
    if s.cycle {
        a.push(("cycle".into(), "true".into()));
    }
    if let Some((t, c)) = &s.owned_by {
        a.push(("owned_by".into(), format!("{t}.{c}")));
    }
    opt_comment(&mut a, &s.comment);
    a
}

fn function_attrs(f: &Function) -> Attrs {
    let args: Vec<String> = f
        .args
        .iter()
        .map(|a| {
            format!(
                "{}{}",
                a.name.as_ref().map(|n| format!("{n} ")).unwrap_or_default(),
                ty(&a.ty)
            )
        })
        .collect();
    let mut a = vec![
        ("lang".into(), f.language.clone()),
        ("args".into(), list(&args)),
    ];
    match &f.returns {
        Some(Returns::Type(t)) => a.push(("return".into(), ty(t))),
        Some(Returns::SetOf(t)) => a.push(("return_set".into(), ty(t))),
        Some(Returns::Table(cols)) => a.push((
            "return_table".into(),
            list(
                &cols
                    .iter()
                    .map(|(n, t)| format!("{n} {}", ty(t)))
                    .collect::<Vec<_>>(),
            ),
        )),
        None => {}
    }
    a.push(("as".into(), q(&short(&f.body))));
    a.push((
        "volatility".into(),
        format!("{:?}", f.volatility).to_ascii_uppercase(),
    ));
    if f.strict {
        a.push(("strict".into(), "true".into()));
    }
    if f.security_definer {
        a.push(("security".into(), "DEFINER".into()));
    }
    if !f.config.is_empty() {
        a.push((
            "set".into(),
            list(
                &f.config
                    .iter()
                    .map(|(k, v)| format!("{k} = {v}"))
                    .collect::<Vec<_>>(),
            ),
        ));
    }
    opt_comment(&mut a, &f.comment);
    a
}

fn view_attrs(v: &View) -> Attrs {
    let mut a = vec![
        ("schema".into(), v.schema.clone()),
        ("as".into(), q(&short(&v.query))),
    ];
    if let Some(c) = &v.check_option {
        a.push(("check_option".into(), c.clone()));
    }
    if v.security_barrier {
        a.push(("security_barrier".into(), "true".into()));
    }
    if v.security_invoker {
        a.push(("security_invoker".into(), "true".into()));
    }
    if v.materialized && !v.with_data {
        a.push(("with_data".into(), "false".into()));
    }
    if !v.storage_params.is_empty() {
        a.push((
            "storage_params".into(),
            crate::hcl::writer::storage_params(&v.storage_params),
        ));
    }
    for ix in &v.indexes {
        a.push((
            format!("index {}", q(&ix.name)),
            format!(
                "{{ {} }}",
                index_attrs(ix)
                    .into_iter()
                    .map(|(k, v)| format!("{k} = {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    opt_comment(&mut a, &v.comment);
    a
}

fn at(mut n: ObjectChange, address: ObjectId) -> ObjectChange {
    n.address = address;
    n
}

/// The object view of a change of the kinds this file covers; `None` for the others.
pub(crate) fn object(c: &Change) -> Option<ObjectChange> {
    let mut n = described(c)?;
    // What `merge` needs to show a replaced body as a line diff.
    match c {
        Change::CreateFunction(f) | Change::DropFunction(f) => {
            n.texts.push(("as".into(), f.body.clone()));
        }
        Change::CreateView(v) | Change::DropView(v) => {
            n.texts.push(("as".into(), v.query.clone()));
        }
        _ => {}
    }
    Some(n)
}

fn described(c: &Change) -> Option<ObjectChange> {
    super::kind::kind_op!(c, super::kind::object_of)
        .or_else(|| sequence_object(c))
        .or_else(|| type_object(c))
        .or_else(|| routine_or_view_object(c))
        .or_else(|| default_object(c))
        .or_else(|| aggregates::aggregate_object(c))
        .or_else(|| roles::role_object(c))
}

/// Sequences.
fn sequence_object(c: &Change) -> Option<ObjectChange> {
    Some(match c {
        Change::CreateSequence(s) => at(
            node(
                ObjectKind::Sequence,
                &s.name,
                Action::Create,
                as_new(sequence_attrs(s)),
            ),
            ObjectId::sequence(&QualifiedName::new(&s.schema, &s.name)),
        ),
        Change::AlterSequence { from, to } => at(
            node(
                ObjectKind::Sequence,
                &to.name,
                Action::Update,
                diff_attrs(sequence_attrs(from), sequence_attrs(to)),
            ),
            ObjectId::sequence(&QualifiedName::new(&to.schema, &to.name)),
        ),
        Change::DropSequence(s) => {
            let qn = QualifiedName::new(&s.schema, &s.name);
            let mut n = at(
                node(
                    ObjectKind::Sequence,
                    &s.name,
                    Action::Delete,
                    as_old(sequence_attrs(s)),
                ),
                ObjectId::sequence(&qn),
            );
            n.hazards
                .extend(lint::hazards(&Subject::DropSequence { name: &qn }));
            n
        }
        _ => return None,
    })
}

/// Enum rebuilds.
fn type_object(c: &Change) -> Option<ObjectChange> {
    Some(match c {
        Change::RebuildEnum { from, to } => {
            let mut n = at(
                node(
                    ObjectKind::Enum,
                    &to.name,
                    Action::Replace,
                    vec![AttrChange {
                        name: "values".into(),
                        old: Some(list(&from.values.iter().map(|v| q(v)).collect::<Vec<_>>())),
                        new: Some(list(&to.values.iter().map(|v| q(v)).collect::<Vec<_>>())),
                    }],
                ),
                ObjectId::enum_type(&QualifiedName::new(&to.schema, &to.name)),
            );
            n.reason = Some(
                "values were removed or reordered: the type is rebuilt and its columns converted"
                    .into(),
            );
            n
        }
        _ => return None,
    })
}

/// Functions, procedures and views.
fn routine_or_view_object(c: &Change) -> Option<ObjectChange> {
    Some(match c {
        Change::CreateFunction(f) => at(
            node(
                ObjectKind::routine(f.kind),
                &crate::postgres::types::signature(f),
                Action::Create,
                as_new(function_attrs(f)),
            ),
            function_id(f),
        ),
        Change::ReplaceFunction { from, to } => {
            let mut n = node(
                ObjectKind::routine(to.kind),
                &crate::postgres::types::signature(to),
                Action::Update,
                diff_attrs(function_attrs(from), function_attrs(to)),
            );
            n.text_diffs.extend(text_diff("as", &from.body, &to.body));
            at(n, function_id(to))
        }
        Change::DropFunction(f) => at(
            node(
                ObjectKind::routine(f.kind),
                &crate::postgres::types::signature(f),
                Action::Delete,
                as_old(function_attrs(f)),
            ),
            function_id(f),
        ),
        Change::CreateView(v) => at(
            node(
                ObjectKind::view(v.materialized),
                &v.name,
                Action::Create,
                as_new(view_attrs(v)),
            ),
            view_id(v),
        ),
        Change::AlterView { from, to } => {
            let mut n = node(
                ObjectKind::view(to.materialized),
                &to.name,
                Action::Update,
                diff_attrs(view_attrs(from), view_attrs(to)),
            );
            n.text_diffs.extend(text_diff("as", &from.query, &to.query));
            at(n, view_id(to))
        }
        Change::DropView(v) => at(
            node(
                ObjectKind::view(v.materialized),
                &v.name,
                Action::Delete,
                as_old(view_attrs(v)),
            ),
            view_id(v),
        ),
        _ => return None,
    })
}

/// Column defaults dropped and set again around a rebuild.
fn default_object(c: &Change) -> Option<ObjectChange> {
    Some(match c {
        Change::DropDefault { table, column } | Change::SetDefault { table, column } => {
            let mut n = at(
                node(ObjectKind::Table, &table.name, Action::Update, vec![]),
                ObjectId::table(table),
            );
            // The default ends as it started: say why it is touched, with no attribute change.
            let mut c = node(ObjectKind::Column, &column.name, Action::Update, vec![]);
            c.reason = Some("its default is dropped and set again around the change".into());
            n.children.push(c);
            n
        }
        _ => return None,
    })
}

/// Merges objects with the same address: a drop and a create become one replacement; several
/// updates become one.
pub(crate) fn merge(list: Vec<ObjectChange>) -> Vec<ObjectChange> {
    let mut out: Vec<ObjectChange> = Vec::new();
    for o in list {
        match out.iter_mut().find(|x| x.address == o.address) {
            None => out.push(o),
            Some(x) => {
                let old_attrs: Attrs = x
                    .attrs
                    .iter()
                    .filter_map(|a| a.old.clone().map(|v| (a.name.clone(), v)))
                    .collect();
                let new_attrs: Attrs = o
                    .attrs
                    .iter()
                    .filter_map(|a| a.new.clone().map(|v| (a.name.clone(), v)))
                    .collect();
                match (x.action, o.action) {
                    (Action::Delete, Action::Create) => {
                        x.action = Action::Replace;
                        x.attrs = diff_attrs(old_attrs, new_attrs);
                        for (name, old) in &x.texts {
                            if let Some((_, new)) = o.texts.iter().find(|(n, _)| n == name) {
                                x.text_diffs.extend(text_diff(name, old, new));
                            }
                        }
                    }
                    (Action::Create, Action::Delete) => {
                        x.action = Action::Replace;
                    }
                    _ => {
                        if x.action != Action::Replace {
                            x.action = Action::Update;
                        }
                        x.attrs.extend(o.attrs);
                    }
                }
                for c in o.children {
                    if !x.children.contains(&c) {
                        x.children.push(c);
                    }
                }
                x.hazards.extend(o.hazards);
                if x.reason.is_none() {
                    x.reason = o.reason;
                }
            }
        }
    }
    for o in &mut out {
        o.texts.clear();
    }
    out
}
