//! Renames declared with `moved { from = …  to = … }` blocks, Terraform-style.
//!
//! Before diffing, each move whose `from` exists in the database and whose `to` does not yet is
//! applied to the inspected model: the object takes its new name there (and so do the
//! references to it), and a rename change is recorded. The diff then sees the object under its
//! new name and plans only what else changed; the planner runs the renames first. Once applied,
//! a move is a no-op, so the block can stay in the configuration.
//!
//! Indexes and constraints are accepted as targets, but need no action: the differ already
//! renames an index or constraint whose definition is unchanged.

use super::{Change, TableChange, TableDiff};
use crate::model::{DataType, IndexKey, Model, ObjectId, ObjectKind, QualifiedName};

/// What a `moved` block's `from` or `to` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    Schema(String),
    Table(QualifiedName),
    Column(QualifiedName, String),
    /// An index or a constraint (`kind` is its HCL block name).
    Part {
        table: QualifiedName,
        kind: ObjectKind,
        name: String,
    },
}

impl Target {
    /// The object the target names.
    pub(crate) fn id(&self) -> ObjectId {
        match self {
            Target::Schema(s) => ObjectId::schema(s),
            Target::Table(q) => ObjectId::table(q),
            Target::Column(q, c) => ObjectId::column(q, c),
            Target::Part { table, kind, name } => ObjectId::part(table, *kind, name),
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.id(), f)
    }
}

/// One `moved` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Move {
    pub(crate) from: Target,
    pub(crate) to: Target,
}

/// A rename to run, as the moves decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rename {
    Schema {
        from: String,
        to: String,
    },
    Table {
        from: QualifiedName,
        to: QualifiedName,
    },
    Column {
        /// The table under its final name.
        table: QualifiedName,
        from: String,
        to: String,
    },
}

/// Applies the moves that are due to `current` (renaming objects and references in place) and
/// returns the renames, in the order they must run.
pub(crate) fn apply(current: &mut Model, desired: &Model, moves: &[Move]) -> Vec<Rename> {
    let mut out = Vec::new();
    // Schemas first, then tables, then columns: later moves name tables by their new names.
    for m in moves {
        if let (Target::Schema(from), Target::Schema(to)) = (&m.from, &m.to)
            && current.schemas.contains_key(from)
            && !current.schemas.contains_key(to)
            && desired.schemas.contains_key(to)
            && !desired.schemas.contains_key(from)
        {
            rename_schema(current, from, to);
            out.push(Rename::Schema {
                from: from.clone(),
                to: to.clone(),
            });
        }
    }
    for m in moves {
        if let (Target::Table(from), Target::Table(to)) = (&m.from, &m.to)
            && current.table(from).is_some()
            && current.table(to).is_none()
            && desired.table(to).is_some()
            && desired.table(from).is_none()
        {
            rename_table(current, from, to);
            out.push(Rename::Table {
                from: from.clone(),
                to: to.clone(),
            });
        }
    }
    for m in moves {
        if let (Target::Column(ft, from), Target::Column(tt, to)) = (&m.from, &m.to) {
            // The column's table is the `to` table (it may have been renamed just above).
            let table = if current.table(ft).is_some() && ft == tt {
                ft
            } else {
                tt
            };
            let Some(t) = current.table(table) else {
                continue;
            };
            let Some(dt) = desired.table(tt) else {
                continue;
            };
            if t.column(from).is_some()
                && t.column(to).is_none()
                && dt.column(to).is_some()
                && dt.column(from).is_none()
            {
                rename_column(current, table, from, to);
                out.push(Rename::Column {
                    table: table.clone(),
                    from: from.clone(),
                    to: to.clone(),
                });
            }
        }
    }
    out
}

/// Puts the renames in front of the changes the diff found.
pub(crate) fn with_renames(
    renames: &[Rename],
    current: &Model,
    desired: &Model,
    changes: &mut Vec<Change>,
) {
    let mut front = Vec::new();
    for r in renames {
        match r {
            Rename::Schema { from, to } => front.push(Change::RenameSchema {
                from: from.clone(),
                to: to.clone(),
            }),
            Rename::Table { from, to } => front.push(Change::RenameTable {
                from: from.clone(),
                to: to.clone(),
            }),
            Rename::Column { table, from, to } => {
                let rc = TableChange::RenameColumn {
                    from: from.clone(),
                    to: to.clone(),
                };
                let existing = changes.iter_mut().find_map(|c| match c {
                    Change::AlterTable(d) if d.to.qualified() == *table => Some(d),
                    _ => None,
                });
                match existing {
                    Some(d) => d.changes.insert(0, rc),
                    None => {
                        if let (Some(have), Some(want)) =
                            (current.table(table), desired.table(table))
                        {
                            changes.push(Change::AlterTable(Box::new(TableDiff {
                                from: have.clone(),
                                to: want.clone(),
                                changes: vec![rc],
                            })));
                        }
                    }
                }
            }
        }
    }
    front.append(changes);
    *changes = front;
}

/// Renames a schema everywhere in the model: every `schema` field and qualified name holding
/// it. Done on the serialized form, so no object kind can be forgotten.
fn rename_schema(m: &mut Model, from: &str, to: &str) {
    fn walk(v: &mut serde_json::Value, from: &str, to: &str) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, x) in map.iter_mut() {
                    if k == "schema" && x.as_str() == Some(from) {
                        *x = serde_json::Value::String(to.to_string());
                    } else {
                        walk(x, from, to);
                    }
                }
            }
            serde_json::Value::Array(items) => {
                for x in items {
                    walk(x, from, to);
                }
            }
            _ => {}
        }
    }
    let Ok(mut value) = serde_json::to_value(&*m) else {
        return;
    };
    walk(&mut value, from, to);
    if let Some(schemas) = value.get_mut("schemas").and_then(|s| s.as_object_mut())
        && let Some(s) = schemas.remove(from)
    {
        schemas.insert(to.to_string(), s);
    }
    if let Some(s) = value.get_mut("schemas").and_then(|s| s.get_mut(to)) {
        s["name"] = serde_json::Value::String(to.to_string());
    }
    if let Ok(renamed) = serde_json::from_value(value) {
        *m = renamed;
    }
}

fn rename_table(m: &mut Model, from: &QualifiedName, to: &QualifiedName) {
    let Some(mut t) = m
        .schemas
        .get_mut(&from.schema)
        .and_then(|s| s.tables.remove(&from.name))
    else {
        return;
    };
    t.schema = to.schema.clone();
    t.name = to.name.clone();
    if let Some(s) = m.schemas.get_mut(&to.schema) {
        s.tables.insert(to.name.clone(), t);
    }
    for s in m.schemas.values_mut() {
        for t in s.tables.values_mut() {
            for fk in &mut t.foreign_keys {
                if fk.ref_table == *from {
                    fk.ref_table = to.clone();
                }
            }
            if let Some(p) = &mut t.partition_of
                && p.parent == *from
            {
                p.parent = to.clone();
            }
            for c in &mut t.columns {
                retype(&mut c.ty, from, to);
            }
        }
        for q in s.sequences.values_mut() {
            if let Some((t, _)) = &mut q.owned_by
                && t == from
            {
                *t = to.clone();
            }
        }
    }
}

/// A table's row type used as a column type follows the table's rename.
fn retype(ty: &mut DataType, from: &QualifiedName, to: &QualifiedName) {
    match ty {
        DataType::Named(q) if q == from => *q = to.clone(),
        DataType::Array(inner) => retype(inner, from, to),
        _ => {}
    }
}

fn rename_column(m: &mut Model, table: &QualifiedName, from: &str, to: &str) {
    let swap = |c: &mut String| {
        if c == from {
            *c = to.to_string();
        }
    };
    if let Some(t) = m
        .schemas
        .get_mut(&table.schema)
        .and_then(|s| s.tables.get_mut(&table.name))
    {
        for c in &mut t.columns {
            swap(&mut c.name);
        }
        if let Some(pk) = &mut t.primary_key {
            pk.columns.iter_mut().for_each(swap);
            pk.include.iter_mut().for_each(swap);
        }
        for u in &mut t.uniques {
            u.columns.iter_mut().for_each(swap);
            u.include.iter_mut().for_each(swap);
        }
        for fk in &mut t.foreign_keys {
            fk.columns.iter_mut().for_each(swap);
        }
        for i in &mut t.indexes {
            for p in &mut i.parts {
                if let IndexKey::Column(c) = &mut p.key {
                    swap(c);
                }
            }
            i.include.iter_mut().for_each(swap);
        }
        for x in &mut t.excludes {
            for (k, _) in &mut x.elements {
                if let IndexKey::Column(c) = k {
                    swap(c);
                }
            }
        }
    }
    for s in m.schemas.values_mut() {
        for t in s.tables.values_mut() {
            for fk in &mut t.foreign_keys {
                if fk.ref_table == *table {
                    fk.ref_columns.iter_mut().for_each(swap);
                }
            }
        }
        for q in s.sequences.values_mut() {
            if let Some((t, c)) = &mut q.owned_by
                && t == table
            {
                swap(c);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, Schema, Table};

    fn model(tables: &[(&str, &[&str])]) -> Model {
        let mut m = Model::default();
        let mut s = Schema {
            name: "public".into(),
            ..Default::default()
        };
        for (t, cols) in tables {
            s.tables.insert(
                t.to_string(),
                Table {
                    schema: "public".into(),
                    name: t.to_string(),
                    columns: cols
                        .iter()
                        .map(|c| Column::new(*c, DataType::builtin("text")))
                        .collect(),
                    ..Default::default()
                },
            );
        }
        m.schemas.insert("public".into(), s);
        m
    }

    fn q(n: &str) -> QualifiedName {
        QualifiedName::new("public", n)
    }

    #[test]
    fn table_and_column_moves_apply_once() {
        let mut current = model(&[("users", &["id", "name"])]);
        let desired = model(&[("people", &["id", "full_name"])]);
        let moves = vec![
            Move {
                from: Target::Table(q("users")),
                to: Target::Table(q("people")),
            },
            Move {
                from: Target::Column(q("people"), "name".into()),
                to: Target::Column(q("people"), "full_name".into()),
            },
        ];
        let renames = apply(&mut current, &desired, &moves);
        assert_eq!(renames.len(), 2);
        assert_eq!(current, desired);
        // Applied: the same moves do nothing the next time.
        assert!(apply(&mut current, &desired, &moves).is_empty());
    }

    #[test]
    fn schema_moves_rename_every_reference() {
        let mut current = model(&[("t", &["id"])]);
        let mut desired = current.clone();
        rename_schema(&mut desired, "public", "app");
        assert_eq!(desired.schemas["app"].tables["t"].schema, "app");
        let renames = apply(
            &mut current,
            &desired,
            &[Move {
                from: Target::Schema("public".into()),
                to: Target::Schema("app".into()),
            }],
        );
        assert_eq!(renames.len(), 1);
        assert_eq!(current, desired);
    }
}
