//! Model × Model → typed changes. Objects are matched by name with hash-map joins; nothing here
//! knows SQL. The planner turns the changes into ordered SQL steps.

mod objects;

pub(crate) use crate::model::{EnumPosition, EnumValueAdd};
pub(crate) use objects::Rel;

pub(crate) mod moves;
use crate::model::{
    Aggregate, Check, Collation, Column, Composite, DataType, DefaultGrant, Domain, Enum,
    EventTrigger, Exclude, Extension, ForeignKey, Function, Grant, Index, Model, ObjectId,
    PartitionOf, Policy, PrimaryKey, QualifiedName, ReplicaIdentity, Role, Schema, Sequence, Table,
    Trigger, Unique, View,
};
use miette::Diagnostic;
use std::collections::{BTreeMap, HashMap, HashSet};
use thiserror::Error;

mod change;
pub(crate) use change::*;
mod partition;
use partition::*;
mod inheritance;
use inheritance::*;
mod roles;
mod table;
pub(crate) use table::*;

/// Computes the changes that turn `current` into `desired`.
pub fn diff(current: &Model, desired: &Model) -> Result<Vec<Change>, UnsupportedChange> {
    let mut changes = Vec::new();
    for (name, want) in &desired.schemas {
        match current.schemas.get(name) {
            None => {
                changes.push(Change::CreateSchema(Schema {
                    tables: BTreeMap::new(),
                    enums: BTreeMap::new(),
                    ..want.clone()
                }));
            }
            Some(have) => {
                if have.comment != want.comment {
                    changes.push(Change::AlterSchema {
                        from: shell(have),
                        to: shell(want),
                    });
                }
            }
        }
    }
    for (name, have) in &current.schemas {
        if !desired.schemas.contains_key(name) {
            changes.push(Change::DropSchema(shell(have)));
        }
    }
    diff_enums(current, desired, &mut changes);
    objects::diff_objects(current, desired, &mut changes);
    keep_serial_sequences(current, desired, &mut changes);
    refuse_redefinitions_in_use(current, desired, &changes)?;
    // Tables.
    let mut table_diffs: Vec<TableDiff> = Vec::new();
    let mut table_objects = Vec::new();
    // Tables replaced because their partition key changes, and their partitions with them.
    let mut replaced: HashSet<QualifiedName> = desired
        .tables()
        .filter(|w| {
            current
                .table(&w.qualified())
                .is_some_and(|h| h.partition != w.partition)
        })
        .map(|w| w.qualified())
        .collect();
    loop {
        let more: Vec<QualifiedName> = desired
            .tables()
            .filter(|w| {
                !replaced.contains(&w.qualified()) && current.table(&w.qualified()).is_some()
            })
            .filter(|w| {
                w.partition_of
                    .as_ref()
                    .is_some_and(|p| replaced.contains(&p.parent))
            })
            .map(|w| w.qualified())
            .collect();
        if more.is_empty() {
            break;
        }
        replaced.extend(more);
    }
    for want in desired.tables() {
        match current.table(&want.qualified()) {
            None => {
                changes.push(Change::CreateTable(want.clone()));
                objects::table_objects(None, want, &mut table_objects);
            }
            Some(have) => {
                if replaced.contains(&want.qualified()) {
                    // The partition key cannot change in place: the table is replaced.
                    changes.push(Change::DropTable(have.clone()));
                    changes.push(Change::CreateTable(want.clone()));
                    objects::table_objects(None, want, &mut table_objects);
                } else if have != want {
                    let want_full = with_parent_columns(want, desired);
                    let mut have_full = with_parent_columns(have, current);
                    // A partition that stays one inherits column changes from its parent.
                    if have.partition_of.is_some() && want.partition_of.is_some() {
                        have_full.columns = want_full.columns.clone();
                    }
                    if have.partition_of.is_some() && want.partition_of.is_none() {
                        detached_view(&mut have_full, current);
                    }
                    inheritance_view(&mut have_full, &want_full, current, desired)?;
                    let d = diff_table(&have_full, &want_full)?;
                    if !d.changes.is_empty() {
                        table_diffs.push(d);
                    }
                    objects::table_objects(Some(have), want, &mut table_objects);
                }
            }
        }
    }
    for have in current.tables() {
        if desired.table(&have.qualified()).is_none() {
            changes.push(Change::DropTable(have.clone()));
        }
    }
    keep_keys_the_parent_adopts(&mut table_diffs);
    // PostgreSQL cannot add an identity column to a table with inheritance children.
    for d in &table_diffs {
        let q = d.to.qualified();
        let Some(col) = d.changes.iter().find_map(|c| match c {
            TableChange::AddColumn(col) if col.identity.is_some() => Some(col),
            _ => None,
        }) else {
            continue;
        };
        let children: Vec<String> = desired
            .tables()
            .filter(|t| t.inherits.contains(&q))
            .map(|t| format!("{}.{}", t.schema, t.name))
            .collect();
        if !children.is_empty() {
            return Err(UnsupportedChange {
                message: format!(
                    "identity column \"{}\" cannot be added to \"{q}\": PostgreSQL does not add identity columns to a table with inheritance children ({})",
                    col.name,
                    children.join(", ")
                ),
                help: Some(
                    "add the column without `identity` (a plain column with a default works), or apply it before the children inherit from the table".into(),
                ),
            });
        }
    }
    for d in &mut table_diffs {
        adopt_existing_indexes(d);
    }
    recreate_dependent_foreign_keys(current, desired, &mut table_diffs);
    changes.extend(
        table_diffs
            .into_iter()
            .map(|d| Change::AlterTable(Box::new(d))),
    );
    changes.extend(table_objects);
    roles::diff_roles(current, desired, &mut changes);
    Ok(changes)
}

/// Enums created, altered (values added in place), rebuilt (values removed or reordered) and
/// dropped.
fn diff_enums(current: &Model, desired: &Model, changes: &mut Vec<Change>) {
    for want in desired.enums() {
        let q = QualifiedName::new(&want.schema, &want.name);
        match current.enum_type(&q) {
            None => changes.push(Change::CreateEnum(want.clone())),
            Some(have) => {
                if have != want {
                    match enum_additions(have, want) {
                        Ok(added) => changes.push(Change::AlterEnum {
                            from: have.clone(),
                            to: want.clone(),
                            added,
                        }),
                        // Values removed or reordered: rebuild the type.
                        Err(_) => changes.push(Change::RebuildEnum {
                            from: have.clone(),
                            to: want.clone(),
                        }),
                    }
                }
            }
        }
    }
    for have in current.enums() {
        if desired
            .enum_type(&QualifiedName::new(&have.schema, &have.name))
            .is_none()
        {
            changes.push(Change::DropEnum(have.clone()));
        }
    }
}

/// Serial columns that become plain ones keep their sequence, and plain columns that become
/// serial adopt theirs.
fn keep_serial_sequences(current: &Model, desired: &Model, changes: &mut Vec<Change>) {
    // A serial column that becomes a plain column drawing from a declared sequence of the same
    // name keeps its sequence: the sequence is altered, not created again.
    for c in changes.iter_mut() {
        let Change::CreateSequence(s) = c else {
            continue;
        };
        let serial = current
            .tables()
            .filter(|t| t.schema == s.schema)
            .find_map(|t| {
                t.columns.iter().find_map(|col| match col.ty {
                    DataType::Serial(k)
                        if crate::postgres::names::make_object_name(
                            &t.name,
                            Some(&col.name),
                            "seq",
                        ) == s.name
                            && desired
                                .table(&t.qualified())
                                .and_then(|w| w.column(&col.name))
                                .is_some_and(|w| !matches!(w.ty, DataType::Serial(_))) =>
                    {
                        Some((t.qualified(), col.name.clone(), k))
                    }
                    _ => None,
                })
            });
        if let Some((table, column, kind)) = serial {
            let mut from = Sequence::new(&s.schema, &s.name);
            from.ty = kind.integer_type().to_string();
            from.owned_by = Some((table, column));
            *c = Change::AlterSequence {
                from,
                to: s.clone(),
            };
        }
    }
    // …and a plain column that becomes serial adopts the sequence it already draws from.
    changes.retain(|c| {
        let Change::DropSequence(s) = c else {
            return true;
        };
        let adopted = desired.tables().filter(|t| t.schema == s.schema).any(|t| {
            t.columns.iter().any(|col| {
                matches!(col.ty, DataType::Serial(_))
                    && crate::postgres::names::make_object_name(&t.name, Some(&col.name), "seq")
                        == s.name
                    && current
                        .table(&t.qualified())
                        .and_then(|h| h.column(&col.name))
                        .is_some_and(|h| !matches!(h.ty, DataType::Serial(_)))
            })
        });
        !adopted
    });
}

/// Redefinitions PostgreSQL refuses while the object is in use (a collation, a domain's base
/// type), as `UnsupportedChange`s naming the users.
fn refuse_redefinitions_in_use(
    current: &Model,
    desired: &Model,
    changes: &[Change],
) -> Result<(), UnsupportedChange> {
    // A collation whose definition changes is dropped and created again, which PostgreSQL
    // refuses while columns, domains or indexes use it.
    for c in changes {
        let Change::DropCollation(coll) = c else {
            continue;
        };
        if !desired
            .collations()
            .any(|x| x.schema == coll.schema && x.name == coll.name)
        {
            continue;
        }
        let mut users: Vec<String> = current
            .tables()
            .flat_map(|t| {
                t.columns
                    .iter()
                    .filter(|col| col.collation.as_deref() == Some(coll.name.as_str()))
                    .map(move |col| format!("{}.{}.{}", t.schema, t.name, col.name))
            })
            .collect();
        users.extend(
            current
                .domains()
                .filter(|d| d.collation.as_deref() == Some(coll.name.as_str()))
                .map(|d| format!("domain {}.{}", d.schema, d.name)),
        );
        if !users.is_empty() {
            return Err(UnsupportedChange {
            message: format!(
                "collation \"{}.{}\" cannot change while it is in use ({})",
                coll.schema,
                coll.name,
                users.join(", ")
            ),
            help: Some(
                "declare a new collation, move the columns to it, and drop the old one in a later change".into(),
            ),
        });
        }
    }
    // A domain whose base type changes is dropped and created again, which PostgreSQL refuses
    // while columns use it.
    for c in changes {
        let Change::DropDomain(d) = c else { continue };
        let q = QualifiedName::new(&d.schema, &d.name);
        if !desired
            .domains()
            .any(|x| x.schema == d.schema && x.name == d.name)
        {
            continue;
        }
        let users: Vec<String> = current
            .tables()
            .flat_map(|t| {
                t.columns
                    .iter()
                    .filter(|col| col.ty.named() == Some(&q))
                    .map(move |col| format!("{}.{}.{}", t.schema, t.name, col.name))
            })
            .collect();
        if !users.is_empty() {
            return Err(UnsupportedChange {
            message: format!(
                "the base type of domain \"{q}\" cannot change while columns use it ({})",
                users.join(", ")
            ),
            help: Some(
                "declare a new domain with the new base type, move the columns to it, and drop the old domain in a later change".into(),
            ),
        });
        }
    }
    Ok(())
}

fn shell(s: &Schema) -> Schema {
    Schema {
        name: s.name.clone(),
        comment: s.comment.clone(),
        ..Default::default()
    }
}

fn enum_additions(have: &Enum, want: &Enum) -> Result<Vec<EnumValueAdd>, UnsupportedChange> {
    // Existing values must keep their relative order in the desired list.
    let positions: HashMap<&str, usize> = want
        .values
        .iter()
        .enumerate()
        .map(|(i, v)| (v.as_str(), i))
        .collect();
    let mut last = None;
    let mut ok = true;
    for v in &have.values {
        match positions.get(v.as_str()) {
            Some(&p) if last.is_none_or(|l| p > l) => last = Some(p),
            _ => ok = false,
        }
    }
    if !ok {
        return Err(UnsupportedChange {
            message: format!(
                "enum \"{}.{}\" would lose or reorder values: it has [{}], the schema wants [{}]",
                want.schema,
                want.name,
                have.values.join(", "),
                want.values.join(", ")
            ),
            help: Some(
                "PostgreSQL can only add enum values; keep the existing values in their order, or rebuild the type by hand".into(),
            ),
        });
    }
    let existing: HashSet<&str> = have.values.iter().map(String::as_str).collect();
    let mut added = Vec::new();
    for (i, v) in want.values.iter().enumerate() {
        if existing.contains(v.as_str()) {
            continue;
        }
        // Anchor on the next value that already exists, else after the previous one.
        let next_existing = want.values[i + 1..]
            .iter()
            .find(|x| existing.contains(x.as_str()));
        let position = match (next_existing, i) {
            (Some(n), _) => EnumPosition::Before(n.clone()),
            (None, 0) => EnumPosition::End,
            (None, _) => EnumPosition::After(want.values[i - 1].clone()),
        };
        added.push(EnumValueAdd {
            value: v.clone(),
            position,
        });
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DataType, IndexPart};

    fn table(name: &str) -> Table {
        Table {
            schema: "public".into(),
            name: name.into(),
            columns: vec![Column::new("id", DataType::builtin("integer"))],
            ..Default::default()
        }
    }

    fn model(tables: Vec<Table>) -> Model {
        let mut m = Model::default();
        let mut s = Schema {
            name: "public".into(),
            ..Default::default()
        };
        for t in tables {
            s.tables.insert(t.name.clone(), t);
        }
        m.schemas.insert("public".into(), s);
        m
    }

    #[test]
    fn equal_models_have_no_changes() {
        let m = model(vec![table("a"), table("b")]);
        assert!(diff(&m, &m).unwrap().is_empty());
    }

    #[test]
    fn detects_column_changes() {
        let have = model(vec![table("a")]);
        let mut t = table("a");
        t.columns[0].nullable = true;
        t.columns
            .push(Column::new("name", DataType::builtin("text")));
        let want = model(vec![t]);
        let changes = diff(&have, &want).unwrap();
        let Change::AlterTable(d) = &changes[0] else {
            panic!("{changes:?}")
        };
        assert!(
            matches!(d.changes[0], TableChange::AddColumn(_))
                || matches!(d.changes[1], TableChange::AddColumn(_))
        );
        assert_eq!(d.changes.len(), 2);
    }

    #[test]
    fn renamed_index_with_same_definition_is_a_rename() {
        let mut a = table("a");
        a.indexes.push(Index {
            name: "old".into(),
            unique: false,
            method: "btree".into(),
            parts: vec![IndexPart::column("id")],
            include: vec![],
            predicate: None,
            nulls_distinct: true,
            comment: None,
            storage_params: Default::default(),
            invalid: false,
        });
        let mut b = a.clone();
        b.indexes[0].name = "new".into();
        let changes = diff(&model(vec![a]), &model(vec![b])).unwrap();
        let Change::AlterTable(d) = &changes[0] else {
            panic!()
        };
        assert_eq!(
            d.changes,
            vec![TableChange::RenameIndex {
                from: "old".into(),
                to: "new".into()
            }]
        );
    }

    #[test]
    fn enum_values_are_inserted_in_place() {
        let have = Enum {
            schema: "public".into(),
            name: "e".into(),
            values: vec!["a".into(), "c".into()],
            comment: None,
        };
        let want = Enum {
            values: vec!["a".into(), "b".into(), "c".into(), "d".into()],
            ..have.clone()
        };
        let added = enum_additions(&have, &want).unwrap();
        assert_eq!(
            added[0],
            EnumValueAdd {
                value: "b".into(),
                position: EnumPosition::Before("c".into())
            }
        );
        assert_eq!(
            added[1],
            EnumValueAdd {
                value: "d".into(),
                position: EnumPosition::After("c".into())
            }
        );
        let reordered = Enum {
            values: vec!["c".into(), "a".into()],
            ..have.clone()
        };
        assert!(enum_additions(&have, &reordered).is_err());
    }
}
