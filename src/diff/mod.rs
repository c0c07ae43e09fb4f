//! Model × Model → typed changes. Objects are matched by name with hash-map joins; nothing here
//! knows SQL. The planner turns the changes into ordered SQL steps.

mod objects;

pub use crate::model::{EnumPosition, EnumValueAdd};
pub use objects::Rel;

pub mod moves;
use crate::model::{
    Check, Collation, Column, Composite, DataType, Domain, Enum, Exclude, Extension, ForeignKey,
    Function, Index, Model, PartitionOf, Policy, PrimaryKey, QualifiedName, ReplicaIdentity,
    Schema, Sequence, Table, Trigger, Unique, View,
};
use miette::Diagnostic;
use std::collections::{BTreeMap, HashMap, HashSet};
use thiserror::Error;

/// One change to the database, in the vocabulary of the model.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// From a `moved` block: runs before everything else.
    RenameSchema {
        from: String,
        to: String,
    },
    /// From a `moved` block (also across schemas).
    RenameTable {
        from: QualifiedName,
        to: QualifiedName,
    },
    CreateSchema(Schema),
    DropSchema(Schema),
    /// Comment change.
    AlterSchema {
        from: Schema,
        to: Schema,
    },
    CreateEnum(Enum),
    DropEnum(Enum),
    /// Values appended or inserted (existing values keep their order), and/or a comment change.
    AlterEnum {
        from: Enum,
        to: Enum,
        added: Vec<EnumValueAdd>,
    },
    CreateTable(Table),
    DropTable(Table),
    AlterTable(Box<TableDiff>),
    /// Values removed or reordered: the type is rebuilt and its columns converted.
    RebuildEnum {
        from: Enum,
        to: Enum,
    },
    CreateExtension(Extension),
    DropExtension(Extension),
    AlterExtension {
        from: Extension,
        to: Extension,
    },
    CreateSequence(Sequence),
    DropSequence(Sequence),
    AlterSequence {
        from: Sequence,
        to: Sequence,
    },
    CreateCollation(Collation),
    DropCollation(Collation),
    /// A comment change; any other change drops and creates the collation.
    AlterCollation {
        from: Collation,
        to: Collation,
    },
    CreateDomain(Domain),
    DropDomain(Domain),
    AlterDomain {
        from: Domain,
        to: Domain,
    },
    CreateComposite(Composite),
    DropComposite(Composite),
    AlterComposite {
        from: Composite,
        to: Composite,
    },
    CreateFunction(Function),
    DropFunction(Function),
    /// `CREATE OR REPLACE` (same signature and return type) or a comment change.
    ReplaceFunction {
        from: Function,
        to: Function,
    },
    CreateView(View),
    DropView(View),
    /// Options, comments, materialized view indexes, refresh.
    AlterView {
        from: View,
        to: View,
    },
    CreateTrigger {
        on: Rel,
        trigger: Trigger,
    },
    DropTrigger {
        on: Rel,
        trigger: Trigger,
    },
    /// Enabled state or comment.
    AlterTrigger {
        on: Rel,
        from: Trigger,
        to: Trigger,
    },
    /// A column default that depends on an object being rebuilt: dropped first…
    DropDefault {
        table: QualifiedName,
        column: Column,
    },
    /// …and set again afterwards.
    SetDefault {
        table: QualifiedName,
        column: Column,
    },
    CreatePolicy {
        on: QualifiedName,
        policy: Policy,
    },
    DropPolicy {
        on: QualifiedName,
        policy: Policy,
    },
    AlterPolicy {
        on: QualifiedName,
        from: Policy,
        to: Policy,
    },
}

/// Changes inside one table that exists on both sides.
#[derive(Debug, Clone, PartialEq)]
pub struct TableDiff {
    pub from: Table,
    pub to: Table,
    pub changes: Vec<TableChange>,
}

/// A change inside a table.
// `AlterColumn` holds two columns; changes live in short per-table vectors, so boxing it
// would cost an allocation per column change for no measurable gain.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum TableChange {
    SetComment {
        from: Option<String>,
        to: Option<String>,
    },
    AddColumn(Column),
    DropColumn(Column),
    /// From a `moved` block.
    RenameColumn {
        from: String,
        to: String,
    },
    AlterColumn {
        from: Column,
        to: Column,
    },
    AddPrimaryKey(PrimaryKey),
    DropPrimaryKey(PrimaryKey),
    AddUnique(Unique),
    DropUnique(Unique),
    AddCheck(Check),
    DropCheck(Check),
    AddForeignKey(ForeignKey),
    DropForeignKey(ForeignKey),
    AddIndex(Index),
    DropIndex(Index),
    /// `ADD CONSTRAINT … USING INDEX`: a declared primary key or unique constraint takes over
    /// a unique index the table already has with exactly its definition (one an interrupted
    /// online apply built, or one made by hand) instead of dropping it and building another.
    AdoptIndex {
        index: String,
        key: AdoptedKey,
    },
    /// A constraint whose definition is unchanged but whose name differs.
    RenameConstraint {
        from: String,
        to: String,
    },
    RenameIndex {
        from: String,
        to: String,
    },
    /// Comment change on a constraint (`kind` is `constraint`) or an index (`index`).
    CommentOn {
        kind: CommentKind,
        name: String,
        from: Option<String>,
        to: Option<String>,
    },
    AddExclude(Exclude),
    DropExclude(Exclude),
    /// `VALIDATE CONSTRAINT`: a `NOT VALID` check or foreign key declared valid.
    ValidateConstraint(String),
    /// `SET (…)` / `RESET (…)` of the table's storage parameters.
    SetStorageParams {
        from: BTreeMap<String, String>,
        to: BTreeMap<String, String>,
    },
    /// `ALTER INDEX … SET (…)` / `RESET (…)`: an index whose only change is its storage
    /// parameters (no rebuild).
    SetIndexStorageParams {
        index: String,
        from: BTreeMap<String, String>,
        to: BTreeMap<String, String>,
    },
    /// `REPLICA IDENTITY …`.
    SetReplicaIdentity {
        from: ReplicaIdentity,
        to: ReplicaIdentity,
    },
    /// `ENABLE`/`DISABLE`/`FORCE`/`NO FORCE ROW LEVEL SECURITY`.
    SetRowSecurity {
        enabled: bool,
        forced: bool,
        was_enabled: bool,
        was_forced: bool,
    },
    /// `SET LOGGED` / `SET UNLOGGED`.
    SetLogged {
        unlogged: bool,
    },
    /// `ATTACH PARTITION` to a parent.
    Attach(PartitionOf),
    /// `DETACH PARTITION` from a parent.
    Detach(PartitionOf),
    /// `INHERIT parent`.
    Inherit(QualifiedName),
    /// `NO INHERIT parent`.
    NoInherit(QualifiedName),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentKind {
    Constraint,
    Index,
}

/// The constraint an [`TableChange::AdoptIndex`] adds.
#[derive(Debug, Clone, PartialEq)]
pub enum AdoptedKey {
    Primary(PrimaryKey),
    Unique(Unique),
}

impl AdoptedKey {
    pub fn name(&self) -> &str {
        match self {
            AdoptedKey::Primary(pk) => &pk.name,
            AdoptedKey::Unique(u) => &u.name,
        }
    }
}

impl TableChange {
    /// `true` for changes that only remove something.
    pub fn is_drop(&self) -> bool {
        matches!(
            self,
            TableChange::DropColumn(_)
                | TableChange::DropPrimaryKey(_)
                | TableChange::DropUnique(_)
                | TableChange::DropCheck(_)
                | TableChange::DropForeignKey(_)
                | TableChange::DropIndex(_)
        )
    }
}

/// A change strata will not make automatically.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(strata::unsupported_change))]
pub struct UnsupportedChange {
    pub message: String,
    #[help]
    pub help: Option<String>,
}

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
    // Enums.
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
    objects::diff_objects(current, desired, &mut changes);
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
    // A collation whose definition changes is dropped and created again, which PostgreSQL
    // refuses while columns, domains or indexes use it.
    for c in &changes {
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
    for c in &changes {
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
    Ok(changes)
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

/// A primary key or unique constraint added to a partitioned table takes over each partition's
/// own matching key (PostgreSQL attaches it instead of building another), so dropping that key
/// would fail (`cannot drop inherited constraint`). When the partition's key has the name
/// PostgreSQL would give the one it creates, its drop leaves the plan: the attached key is
/// exactly what the desired schema implies. The same holds for plain indexes.
fn keep_keys_the_parent_adopts(table_diffs: &mut Vec<TableDiff>) {
    let adds: Vec<(QualifiedName, TableChange)> = table_diffs
        .iter()
        .flat_map(|d| {
            d.changes
                .iter()
                .filter(|c| {
                    matches!(
                        c,
                        TableChange::AddPrimaryKey(_)
                            | TableChange::AddUnique(_)
                            | TableChange::AddIndex(_)
                    )
                })
                .map(|c| (d.to.qualified(), c.clone()))
        })
        .collect();
    if adds.is_empty() {
        return;
    }
    for d in table_diffs.iter_mut() {
        let Some(parent) = d.to.partition_of.as_ref().map(|p| p.parent.clone()) else {
            continue;
        };
        let table = d.to.name.clone();
        d.changes.retain(|c| {
            !adds.iter().any(|(owner, add)| {
                *owner == parent
                    && match (c, add) {
                        (TableChange::DropPrimaryKey(mine), TableChange::AddPrimaryKey(theirs)) => {
                            mine.name == crate::postgres::names::primary_key(&table)
                                && mine.columns == theirs.columns
                                && mine.include == theirs.include
                                && mine.deferrable == theirs.deferrable
                        }
                        (TableChange::DropUnique(mine), TableChange::AddUnique(theirs)) => {
                            mine.name == crate::postgres::names::unique(&table, &mine.columns)
                                && mine.columns == theirs.columns
                                && mine.include == theirs.include
                                && mine.nulls_distinct == theirs.nulls_distinct
                                && mine.deferrable == theirs.deferrable
                        }
                        (TableChange::DropIndex(mine), TableChange::AddIndex(theirs)) => {
                            mine.name
                                == crate::postgres::names::partition_index(
                                    &table,
                                    &mine.parts,
                                    &mine.include,
                                )
                                && Index {
                                    name: theirs.name.clone(),
                                    comment: theirs.comment.clone(),
                                    ..mine.clone()
                                } == *theirs
                        }
                        _ => false,
                    }
            })
        });
    }
    table_diffs.retain(|d| !d.changes.is_empty());
}

/// Adjusts the current version of a table with `INHERITS` parents so that only real changes to
/// its own columns remain: columns of a parent it leaves become its own (`NO INHERIT` keeps
/// them), and a column it has from a parent in both versions is neither added nor dropped
/// (PostgreSQL refuses both: the parent's changes reach it by recursion).
///
/// A column the table declares itself stays its own when the table inherits it as well:
/// PostgreSQL has no statement that makes it inherited-only, so a desired table that leaves
/// such a column to its parent is refused, naming the column.
fn inheritance_view(
    have: &mut Table,
    want: &Table,
    current: &Model,
    desired: &Model,
) -> Result<(), UnsupportedChange> {
    if have.inherits.is_empty() && want.inherits.is_empty() {
        return Ok(());
    }
    let leaving: Vec<QualifiedName> = have
        .inherits
        .iter()
        .filter(|p| !want.inherits.contains(p))
        .cloned()
        .collect();
    for (owner, mut c) in ancestor_columns(current, &leaving) {
        if have.column(&c.name).is_none() {
            // A serial column's sequence stays its parent's: here it is a plain integer
            // column whose default draws from that sequence.
            if let DataType::Serial(kind) = c.ty {
                let seq =
                    crate::postgres::names::make_object_name(&owner.name, Some(&c.name), "seq");
                let seq = if owner.schema == "public" {
                    seq
                } else {
                    format!("{}.{seq}", owner.schema)
                };
                c.ty = DataType::Builtin(kind.integer_type().into());
                c.default = Some(format!("nextval('{seq}'::regclass)"));
            }
            have.columns.push(c);
        }
    }
    let later: HashSet<String> = ancestor_columns(desired, &want.inherits)
        .into_iter()
        .map(|(_, c)| c.name)
        .collect();
    let staying: Vec<QualifiedName> = have
        .inherits
        .iter()
        .filter(|p| want.inherits.contains(p))
        .cloned()
        .collect();
    let now: HashSet<String> = ancestor_columns(current, &staying)
        .into_iter()
        .map(|(_, c)| c.name)
        .collect();
    let kept_local: Vec<&str> = have
        .columns
        .iter()
        .filter(|c| want.column(&c.name).is_none() && later.contains(&c.name))
        .map(|c| c.name.as_str())
        .collect();
    if !kept_local.is_empty() {
        let parents: Vec<String> = want.inherits.iter().map(|p| format!("\"{p}\"")).collect();
        let names: Vec<String> = kept_local.iter().map(|c| format!("\"{c}\"")).collect();
        return Err(UnsupportedChange {
            message: format!(
                "column {} of \"{}\" would stay declared in the table itself: PostgreSQL cannot make a column the table already has inherited-only (from {})",
                names.join(", "),
                want.qualified(),
                parents.join(", ")
            ),
            help: Some(format!(
                "declare {} in \"{}\" as well (it is then both its own and inherited, which is what PostgreSQL keeps), or re-create the table",
                names.join(", "),
                want.qualified()
            )),
        });
    }
    for c in &want.columns {
        if have.column(&c.name).is_none() && now.contains(&c.name) && later.contains(&c.name) {
            have.columns.push(c.clone());
        }
    }
    Ok(())
}

/// The columns of `parents` and of their own parents, nearest first, each name once, with the
/// table that declares each.
fn ancestor_columns(model: &Model, parents: &[QualifiedName]) -> Vec<(QualifiedName, Column)> {
    let mut out: Vec<(QualifiedName, Column)> = Vec::new();
    let mut todo: Vec<QualifiedName> = parents.iter().rev().cloned().collect();
    let mut seen = HashSet::new();
    while let Some(p) = todo.pop() {
        if !seen.insert(p.clone()) {
            continue;
        }
        if let Some(pt) = model.table(&p) {
            for c in &pt.columns {
                if !out.iter().any(|(_, x)| x.name == c.name) {
                    out.push((p.clone(), c.clone()));
                }
            }
            todo.extend(pt.inherits.iter().rev().cloned());
        }
    }
    out
}

/// A partition's columns are its parent's: fill them in so that attaching and detaching compare
/// columns with the parent's.
fn with_parent_columns(t: &Table, model: &Model) -> Table {
    let mut t = t.clone();
    if t.columns.is_empty() {
        let mut parent = t.partition_of.as_ref().map(|p| p.parent.clone());
        while let Some(p) = parent {
            match model.table(&p) {
                Some(pt) if !pt.columns.is_empty() => {
                    t.columns = pt.columns.clone();
                    break;
                }
                Some(pt) => parent = pt.partition_of.as_ref().map(|x| x.parent.clone()),
                None => break,
            }
        }
    }
    t
}

/// A partition that is detached keeps what it had from its parent, now as its own: the
/// parent's indexes (under the names PostgreSQL gave the partition's copies), primary key and
/// unique constraints (likewise), checks and foreign keys (under the parent's names). The
/// inspector shows none of them on a partition, so they are added to its current version here;
/// the diff then keeps or drops each as the desired table says.
fn detached_view(have: &mut Table, current: &Model) {
    let Some(parent) = have
        .partition_of
        .as_ref()
        .and_then(|p| current.table(&p.parent))
    else {
        return;
    };
    let same_definition = |a: &Index, b: &Index| {
        Index {
            name: b.name.clone(),
            comment: b.comment.clone(),
            ..a.clone()
        } == *b
    };
    for ix in parent.indexes.iter().filter(|ix| !ix.invalid) {
        if !have.indexes.iter().any(|own| same_definition(ix, own)) {
            have.indexes.push(Index {
                name: crate::postgres::names::partition_index(&have.name, &ix.parts, &ix.include),
                comment: None,
                ..ix.clone()
            });
        }
    }
    if let (None, Some(pk)) = (&have.primary_key, &parent.primary_key) {
        have.primary_key = Some(PrimaryKey {
            name: crate::postgres::names::primary_key(&have.name),
            comment: None,
            ..pk.clone()
        });
    }
    for u in &parent.uniques {
        if !have.uniques.iter().any(|own| own.columns == u.columns) {
            have.uniques.push(Unique {
                name: crate::postgres::names::unique(&have.name, &u.columns),
                comment: None,
                ..u.clone()
            });
        }
    }
    for c in parent.checks.iter().filter(|c| !c.no_inherit) {
        if !have.checks.iter().any(|own| own.name == c.name) {
            have.checks.push(c.clone());
        }
    }
    for fk in &parent.foreign_keys {
        if !have.foreign_keys.iter().any(|own| own.name == fk.name) {
            have.foreign_keys.push(fk.clone());
        }
    }
}

/// Diffs two versions of the same table.
pub fn diff_table(have: &Table, want: &Table) -> Result<TableDiff, UnsupportedChange> {
    let mut changes = Vec::new();
    if have.partition != want.partition {
        return Err(UnsupportedChange {
            message: format!(
                "the partition key of table \"{}.{}\" cannot be changed in place",
                want.schema, want.name
            ),
            help: Some(
                "drop the table and create it again (rename it first to keep the data)".into(),
            ),
        });
    }
    match (&have.partition_of, &want.partition_of) {
        (Some(a), Some(b)) if a != b => {
            changes.push(TableChange::Detach(a.clone()));
            changes.push(TableChange::Attach(b.clone()));
        }
        (Some(a), None) => changes.push(TableChange::Detach(a.clone())),
        (None, Some(b)) => changes.push(TableChange::Attach(b.clone())),
        _ => {}
    }
    for p in have.inherits.iter().filter(|p| !want.inherits.contains(p)) {
        changes.push(TableChange::NoInherit(p.clone()));
    }
    for p in want.inherits.iter().filter(|p| !have.inherits.contains(p)) {
        changes.push(TableChange::Inherit(p.clone()));
    }
    if have.storage_params != want.storage_params {
        changes.push(TableChange::SetStorageParams {
            from: have.storage_params.clone(),
            to: want.storage_params.clone(),
        });
    }
    if have.replica_identity != want.replica_identity {
        changes.push(TableChange::SetReplicaIdentity {
            from: have.replica_identity.clone(),
            to: want.replica_identity.clone(),
        });
    }
    if have.unlogged != want.unlogged {
        changes.push(TableChange::SetLogged {
            unlogged: want.unlogged,
        });
    }
    if have.rls_enabled != want.rls_enabled || have.rls_forced != want.rls_forced {
        changes.push(TableChange::SetRowSecurity {
            enabled: want.rls_enabled,
            forced: want.rls_forced,
            was_enabled: have.rls_enabled,
            was_forced: have.rls_forced,
        });
    }
    if have.comment != want.comment {
        changes.push(TableChange::SetComment {
            from: have.comment.clone(),
            to: want.comment.clone(),
        });
    }
    // Columns, joined by name.
    let have_cols: HashMap<&str, &Column> =
        have.columns.iter().map(|c| (c.name.as_str(), c)).collect();
    let want_cols: HashSet<&str> = want.columns.iter().map(|c| c.name.as_str()).collect();
    for c in &have.columns {
        if !want_cols.contains(c.name.as_str()) {
            changes.push(TableChange::DropColumn(c.clone()));
        }
    }
    for c in &want.columns {
        match have_cols.get(c.name.as_str()) {
            None => changes.push(TableChange::AddColumn(c.clone())),
            Some(h) if *h != c => changes.push(TableChange::AlterColumn {
                from: (*h).clone(),
                to: c.clone(),
            }),
            _ => {}
        }
    }
    // Primary key.
    match (&have.primary_key, &want.primary_key) {
        (Some(h), Some(w)) if h != w => {
            if h.columns == w.columns && h.include == w.include && h.deferrable == w.deferrable {
                if h.name != w.name {
                    changes.push(TableChange::RenameConstraint {
                        from: h.name.clone(),
                        to: w.name.clone(),
                    });
                }
                if h.comment != w.comment {
                    changes.push(comment_change(
                        CommentKind::Constraint,
                        &w.name,
                        &h.comment,
                        &w.comment,
                    ));
                }
            } else {
                changes.push(TableChange::DropPrimaryKey(h.clone()));
                changes.push(TableChange::AddPrimaryKey(w.clone()));
            }
        }
        (Some(h), None) => changes.push(TableChange::DropPrimaryKey(h.clone())),
        (None, Some(w)) => changes.push(TableChange::AddPrimaryKey(w.clone())),
        _ => {}
    }
    named_diff(
        &have.uniques,
        &want.uniques,
        |u| u.name.as_str(),
        |a, b| {
            Unique {
                comment: None,
                name: String::new(),
                ..a.clone()
            } == Unique {
                comment: None,
                name: String::new(),
                ..b.clone()
            }
        },
        |u| u.comment.clone(),
        CommentKind::Constraint,
        TableChange::DropUnique,
        TableChange::AddUnique,
        &mut changes,
        true,
    );
    diff_checks(&have.checks, &want.checks, &mut changes);
    // A NOT VALID key declared valid is validated in place, not dropped and added again.
    let have_fks: Vec<ForeignKey> = have
        .foreign_keys
        .iter()
        .map(|h| {
            let validated = want.foreign_keys.iter().find(|w| {
                w.name == h.name
                    && h.not_valid
                    && !w.not_valid
                    && ForeignKey {
                        not_valid: false,
                        ..h.clone()
                    } == **w
            });
            match validated {
                Some(_) => {
                    changes.push(TableChange::ValidateConstraint(h.name.clone()));
                    ForeignKey {
                        not_valid: false,
                        ..h.clone()
                    }
                }
                None => h.clone(),
            }
        })
        .collect();
    named_diff(
        &have_fks,
        &want.foreign_keys,
        |f| f.name.as_str(),
        |a, b| {
            ForeignKey {
                comment: None,
                name: String::new(),
                ..a.clone()
            } == ForeignKey {
                comment: None,
                name: String::new(),
                ..b.clone()
            }
        },
        |f| f.comment.clone(),
        CommentKind::Constraint,
        TableChange::DropForeignKey,
        TableChange::AddForeignKey,
        &mut changes,
        true,
    );
    named_diff(
        &have.excludes,
        &want.excludes,
        |x| x.name.as_str(),
        |a, b| {
            Exclude {
                comment: None,
                name: String::new(),
                ..a.clone()
            } == Exclude {
                comment: None,
                name: String::new(),
                ..b.clone()
            }
        },
        |x| x.comment.clone(),
        CommentKind::Constraint,
        TableChange::DropExclude,
        TableChange::AddExclude,
        &mut changes,
        true,
    );
    // An index whose only change is its storage parameters is altered, not rebuilt.
    let have_indexes: Vec<Index> = have
        .indexes
        .iter()
        .map(|h| {
            let params_only = want.indexes.iter().find(|w| {
                w.name == h.name
                    && w.storage_params != h.storage_params
                    && Index {
                        storage_params: w.storage_params.clone(),
                        ..h.clone()
                    } == **w
            });
            match params_only {
                Some(w) => {
                    changes.push(TableChange::SetIndexStorageParams {
                        index: h.name.clone(),
                        from: h.storage_params.clone(),
                        to: w.storage_params.clone(),
                    });
                    Index {
                        storage_params: w.storage_params.clone(),
                        ..h.clone()
                    }
                }
                None => h.clone(),
            }
        })
        .collect();
    named_diff(
        &have_indexes,
        &want.indexes,
        |i| i.name.as_str(),
        |a, b| {
            Index {
                comment: None,
                name: String::new(),
                ..a.clone()
            } == Index {
                comment: None,
                name: String::new(),
                ..b.clone()
            }
        },
        |i| i.comment.clone(),
        CommentKind::Index,
        TableChange::DropIndex,
        TableChange::AddIndex,
        &mut changes,
        true,
    );
    Ok(TableDiff {
        from: have.clone(),
        to: want.clone(),
        changes,
    })
}

fn comment_change(
    kind: CommentKind,
    name: &str,
    from: &Option<String>,
    to: &Option<String>,
) -> TableChange {
    TableChange::CommentOn {
        kind,
        name: name.to_string(),
        from: from.clone(),
        to: to.clone(),
    }
}

/// Diffs two lists of named objects: same name and same definition → at most a comment change;
/// same definition under another name → rename; otherwise drop and add.
#[allow(clippy::too_many_arguments)]
fn named_diff<T: Clone + PartialEq>(
    have: &[T],
    want: &[T],
    name: impl Fn(&T) -> &str,
    same_definition: impl Fn(&T, &T) -> bool,
    comment: impl Fn(&T) -> Option<String>,
    kind: CommentKind,
    drop: impl Fn(T) -> TableChange,
    add: impl Fn(T) -> TableChange,
    changes: &mut Vec<TableChange>,
    renames: bool,
) {
    let have_by: HashMap<&str, &T> = have.iter().map(|x| (name(x), x)).collect();
    let want_names: HashSet<&str> = want.iter().map(&name).collect();
    let mut dropped: Vec<&T> = have
        .iter()
        .filter(|h| !want_names.contains(name(h)))
        .collect();
    let mut added: Vec<&T> = Vec::new();
    for w in want {
        match have_by.get(name(w)) {
            None => added.push(w),
            Some(h) => {
                if *h == w {
                    continue;
                }
                if same_definition(h, w) {
                    changes.push(comment_change(kind, name(w), &comment(h), &comment(w)));
                } else {
                    changes.push(drop((*h).clone()));
                    changes.push(add(w.clone()));
                }
            }
        }
    }
    for w in added {
        let rename_from = if renames {
            dropped.iter().position(|h| same_definition(h, w))
        } else {
            None
        };
        match rename_from {
            Some(i) => {
                let h = dropped.remove(i);
                let rename = match kind {
                    CommentKind::Index => TableChange::RenameIndex {
                        from: name(h).to_string(),
                        to: name(w).to_string(),
                    },
                    CommentKind::Constraint => TableChange::RenameConstraint {
                        from: name(h).to_string(),
                        to: name(w).to_string(),
                    },
                };
                changes.push(rename);
                if comment(h) != comment(w) {
                    changes.push(comment_change(kind, name(w), &comment(h), &comment(w)));
                }
            }
            None => changes.push(add(w.clone())),
        }
    }
    for h in dropped {
        changes.push(drop(h.clone()));
    }
}

fn diff_checks(have: &[Check], want: &[Check], changes: &mut Vec<TableChange>) {
    let mut matched: HashSet<usize> = HashSet::new();
    let mut to_add = Vec::new();
    for w in want {
        let by_name = w
            .name
            .as_ref()
            .and_then(|n| have.iter().position(|h| h.name.as_ref() == Some(n)));
        match by_name {
            Some(i) => {
                matched.insert(i);
                let h = &have[i];
                // PostgreSQL cannot make a valid check NOT VALID or change NO INHERIT in place;
                // it can validate a NOT VALID one.
                if h.expr != w.expr || h.no_inherit != w.no_inherit || (!h.not_valid && w.not_valid)
                {
                    changes.push(TableChange::DropCheck(h.clone()));
                    changes.push(TableChange::AddCheck(w.clone()));
                    continue;
                }
                if h.not_valid && !w.not_valid {
                    changes.push(TableChange::ValidateConstraint(
                        w.name.clone().unwrap_or_default(),
                    ));
                }
                if h.comment != w.comment {
                    changes.push(comment_change(
                        CommentKind::Constraint,
                        w.name.as_deref().unwrap_or_default(),
                        &h.comment,
                        &w.comment,
                    ));
                }
            }
            None => to_add.push(w),
        }
    }
    for w in to_add {
        // An unnamed check, or one renamed: match by expression.
        let same = have.iter().enumerate().position(|(i, h)| {
            !matched.contains(&i)
                && h.expr == w.expr
                && h.no_inherit == w.no_inherit
                && h.not_valid == w.not_valid
        });
        match same {
            Some(i) => {
                matched.insert(i);
                let h = &have[i];
                if let (Some(from), Some(to)) = (&h.name, &w.name) {
                    changes.push(TableChange::RenameConstraint {
                        from: from.clone(),
                        to: to.clone(),
                    });
                }
                if h.comment != w.comment {
                    let n = w
                        .name
                        .clone()
                        .or_else(|| h.name.clone())
                        .unwrap_or_default();
                    changes.push(comment_change(
                        CommentKind::Constraint,
                        &n,
                        &h.comment,
                        &w.comment,
                    ));
                }
            }
            None => changes.push(TableChange::AddCheck(w.clone())),
        }
    }
    for (i, h) in have.iter().enumerate() {
        if !matched.contains(&i) {
            changes.push(TableChange::DropCheck(h.clone()));
        }
    }
}

/// Whether `ix` is the index PostgreSQL would build for a key on `columns` (plain b-tree,
/// ascending, default operator classes and collations, no predicate, no parameters, valid).
fn index_fits_key(
    ix: &Index,
    columns: &[String],
    include: &[String],
    nulls_distinct: bool,
) -> bool {
    ix.unique
        && !ix.invalid
        && ix.method == "btree"
        && ix.predicate.is_none()
        && ix.storage_params.is_empty()
        && ix.include == include
        && ix.nulls_distinct == nulls_distinct
        && ix.parts.len() == columns.len()
        && ix.parts.iter().zip(columns).all(|(p, c)| {
            matches!(&p.key, crate::model::IndexKey::Column(k) if k == c)
                && !p.desc
                && !p.nulls_first
                && p.opclass.is_none()
                && p.opclass_params.is_empty()
                && p.collation.is_none()
        })
}

/// A primary key or unique constraint added where the table has an index that the plan would
/// drop and that fits the key exactly: the key takes the index over (`ADD CONSTRAINT … USING
/// INDEX`, which also renames it), so nothing is rebuilt. This is how an online apply
/// interrupted between building the index and adding the constraint is finished.
fn adopt_existing_indexes(d: &mut TableDiff) {
    let mut i = 0;
    while i < d.changes.len() {
        let (columns, include, nulls_distinct) = match &d.changes[i] {
            TableChange::AddPrimaryKey(pk) => (&pk.columns, &pk.include, true),
            TableChange::AddUnique(u) => (&u.columns, &u.include, u.nulls_distinct),
            _ => {
                i += 1;
                continue;
            }
        };
        let found = d.changes.iter().position(|c| {
            matches!(c, TableChange::DropIndex(ix) if index_fits_key(ix, columns, include, nulls_distinct)
                // Another index of the desired table may not already use the name.
                && !d.to.indexes.iter().any(|w| w.name == ix.name))
        });
        let Some(j) = found else {
            i += 1;
            continue;
        };
        let TableChange::DropIndex(ix) = d.changes.remove(j) else {
            unreachable!("position() matched a DropIndex");
        };
        if j < i {
            i -= 1;
        }
        let key = match d.changes[i].clone() {
            TableChange::AddPrimaryKey(pk) => AdoptedKey::Primary(pk),
            TableChange::AddUnique(u) => AdoptedKey::Unique(u),
            _ => unreachable!("matched above"),
        };
        d.changes[i] = TableChange::AdoptIndex {
            index: ix.name,
            key,
        };
        i += 1;
    }
}

/// A foreign key depends on the unique index of the key it references. When that key is dropped
/// or rebuilt, foreign keys that stay must be dropped first and added again afterwards.
fn recreate_dependent_foreign_keys(current: &Model, desired: &Model, diffs: &mut Vec<TableDiff>) {
    // Keys (table, sorted column set) that the plan drops.
    let mut rebuilt: HashSet<(QualifiedName, Vec<String>)> = HashSet::new();
    for d in diffs.iter() {
        for c in &d.changes {
            let cols = match c {
                TableChange::DropPrimaryKey(pk) => pk.columns.clone(),
                TableChange::DropUnique(u) => u.columns.clone(),
                TableChange::DropIndex(i) if i.unique => i
                    .parts
                    .iter()
                    .filter_map(|p| match &p.key {
                        crate::model::IndexKey::Column(c) => Some(c.clone()),
                        crate::model::IndexKey::Expr(_) => None,
                    })
                    .collect(),
                _ => continue,
            };
            let mut cols = cols;
            cols.sort();
            rebuilt.insert((d.to.qualified(), cols));
        }
    }
    if rebuilt.is_empty() {
        return;
    }
    for have in current.tables() {
        let Some(want) = desired.table(&have.qualified()) else {
            continue;
        };
        for fk in &have.foreign_keys {
            let mut cols = fk.ref_columns.clone();
            cols.sort();
            if !rebuilt.contains(&(fk.ref_table.clone(), cols)) {
                continue;
            }
            let pos = match diffs
                .iter()
                .position(|d| d.to.qualified() == have.qualified())
            {
                Some(p) => p,
                None => {
                    diffs.push(TableDiff {
                        from: have.clone(),
                        to: want.clone(),
                        changes: Vec::new(),
                    });
                    diffs.len() - 1
                }
            };
            let d = &mut diffs[pos];
            let already_dropped = d
                .changes
                .iter()
                .any(|c| matches!(c, TableChange::DropForeignKey(f) if f.name == fk.name));
            if already_dropped {
                continue;
            }
            // A rename of this key would now be a drop + add.
            d.changes.retain(
                |c| !matches!(c, TableChange::RenameConstraint { from, .. } if *from == fk.name),
            );
            d.changes.push(TableChange::DropForeignKey(fk.clone()));
            let desired_fk = want
                .foreign_keys
                .iter()
                .find(|f| f.name == fk.name)
                .or_else(|| {
                    want.foreign_keys.iter().find(|f| {
                        ForeignKey {
                            name: String::new(),
                            comment: None,
                            ..(*f).clone()
                        } == ForeignKey {
                            name: String::new(),
                            comment: None,
                            ..fk.clone()
                        }
                    })
                });
            if let Some(w) = desired_fk
                && !d
                    .changes
                    .iter()
                    .any(|c| matches!(c, TableChange::AddForeignKey(f) if f.name == w.name))
            {
                d.changes.push(TableChange::AddForeignKey(w.clone()));
            }
        }
    }
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
