//! Partitions: keys and indexes a partitioned parent adopts, and detached partitions compared
//! on their own.

use super::*;

/// A primary key or unique constraint added to a partitioned table takes over each partition's
/// own matching key (PostgreSQL attaches it instead of building another), so dropping that key
/// would fail (`cannot drop inherited constraint`), and its drop leaves the plan. A key keeps
/// its name when attached; attached keys' names are not part of the model (a partition lists
/// only keys of its own), so a name of its own is kept rather than rebuilding the partition's
/// index to get PostgreSQL's. A plain index is kept when it has PostgreSQL's name (partitions
/// list attached indexes of other names).
pub(super) fn keep_keys_the_parent_adopts(table_diffs: &mut Vec<TableDiff>) {
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
                            mine.columns == theirs.columns
                                && mine.include == theirs.include
                                && mine.deferrable == theirs.deferrable
                        }
                        (TableChange::DropUnique(mine), TableChange::AddUnique(theirs)) => {
                            mine.columns == theirs.columns
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
                                && mine.same_definition(theirs)
                        }
                        _ => false,
                    }
            })
        });
    }
    table_diffs.retain(|d| !d.changes.is_empty());
}

/// A partition that is detached keeps what it had from its parent, now as its own: the
/// parent's indexes (under the names PostgreSQL gave the partition's copies), primary key and
/// unique constraints (likewise), checks and foreign keys (under the parent's names). The
/// inspector shows none of them on a partition, so they are added to its current version here;
/// the diff then keeps or drops each as the desired table says.
pub(super) fn detached_view(have: &mut Table, current: &Model) {
    let Some(parent) = have
        .partition_of
        .as_ref()
        .and_then(|p| current.table(&p.parent))
    else {
        return;
    };
    for ix in parent.indexes.iter().filter(|ix| !ix.invalid) {
        if !have.indexes.iter().any(|own| own.same_definition(ix)) {
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
