//! `strata plan --format html`: the ERD of the desired schema with what the plan adds, changes
//! and drops colored (green, amber, red), and the plan's SQL below it. The colors come from
//! the plan's reviewer objects ([`Plan::objects`], by [`ObjectChange::address`]); what the plan
//! drops is drawn from the current model, since the desired one no longer has it.

use super::erd_html::{self, Mark, Marks, Page};
use crate::model::{Model, ObjectKind, QualifiedName};
use crate::plan::{Action, ObjectChange, Plan};

fn mark(action: Action) -> Mark {
    match action {
        Action::Create => Mark::Added,
        Action::Delete => Mark::Dropped,
        Action::Update | Action::Replace | Action::Rename => Mark::Changed,
    }
}

/// The kinds drawn as boxes.
fn drawn(kind: ObjectKind) -> bool {
    matches!(
        kind,
        ObjectKind::Table | ObjectKind::View | ObjectKind::Materialized | ObjectKind::Enum
    )
}

/// The model to draw (the desired one plus what the plan drops) and its marks.
pub(crate) fn plan_view(plan: &Plan, current: &Model, desired: &Model) -> (Model, Marks) {
    let mut model = desired.clone();
    let mut marks = Marks::default();
    for o in &plan.objects {
        let kind = o.address.kind();
        let Some(schema) = o.address.schema_name() else {
            continue;
        };
        if !drawn(kind) {
            continue;
        }
        let q = QualifiedName::new(schema, o.address.name());
        marks.tables.insert(q.clone(), mark(o.action));
        if o.action == Action::Delete {
            restore(&mut model, current, kind, &q);
        }
        if kind == ObjectKind::Table {
            columns(&mut model, current, &q, o, &mut marks);
        }
    }
    (model, marks)
}

/// Puts a dropped object of the current model back into the drawn one.
fn restore(model: &mut Model, current: &Model, kind: ObjectKind, q: &QualifiedName) {
    let Some(from) = current.schemas.get(&q.schema) else {
        return;
    };
    let into = model
        .schemas
        .entry(q.schema.clone())
        .or_insert_with(|| crate::model::Schema {
            name: q.schema.clone(),
            ..Default::default()
        });
    match kind {
        ObjectKind::Table => {
            if let Some(t) = from.tables.get(&q.name) {
                into.tables
                    .entry(q.name.clone())
                    .or_insert_with(|| t.clone());
            }
        }
        ObjectKind::View | ObjectKind::Materialized => {
            if let Some(v) = from.views.get(&q.name) {
                into.views
                    .entry(q.name.clone())
                    .or_insert_with(|| v.clone());
            }
        }
        ObjectKind::Enum => {
            if let Some(e) = from.enums.get(&q.name) {
                into.enums
                    .entry(q.name.clone())
                    .or_insert_with(|| e.clone());
            }
        }
        _ => {}
    }
}

/// Marks a table's columns; a dropped column is drawn again, from the current model, after
/// the desired columns.
fn columns(
    model: &mut Model,
    current: &Model,
    q: &QualifiedName,
    o: &ObjectChange,
    marks: &mut Marks,
) {
    let whole = mark(o.action);
    if matches!(o.action, Action::Create | Action::Delete)
        && let Some(t) = model.table(q)
    {
        for c in &t.columns {
            marks.columns.insert((q.clone(), c.name.clone()), whole);
        }
    }
    for child in &o.children {
        if child.address.kind() != ObjectKind::Column {
            continue;
        }
        let name = child.address.name().to_string();
        let m = mark(child.action);
        if m == Mark::Dropped
            && let Some(old) = current.table(q).and_then(|t| t.column(&name))
            && let Some(t) = model
                .schemas
                .get_mut(&q.schema)
                .and_then(|s| s.tables.get_mut(&q.name))
            && t.column(&name).is_none()
        {
            t.columns.push(old.clone());
        }
        marks.columns.insert((q.clone(), name), m);
    }
}

/// The plan as an HTML page: the colored diagram, then the SQL.
pub(crate) fn page(plan: &Plan, current: &Model, desired: &Model) -> String {
    let (model, marks) = plan_view(plan, current, desired);
    let sql = super::sql(plan);
    let summary = plan.summary;
    let title = format!(
        "strata plan: {} to add, {} to change, {} to destroy",
        summary.add, summary.change, summary.destroy
    );
    erd_html::html(
        &model,
        &Page {
            title: &title,
            marks: Some(&marks),
            sql: Some(if sql.is_empty() {
                "-- No changes."
            } else {
                &sql
            }),
        },
    )
}
