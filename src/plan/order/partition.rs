//! Partition indexes a partitioned parent's index adopts.

use super::*;

/// The parent's index that partition `t`'s index `ix` is attached to, when `t` is a partition
/// and its parent has an index of the same definition.
pub(super) fn parent_index_of(ctx: &Ctx, t: &Table, ix: &Index) -> Option<(QualifiedName, String)> {
    let parent = ctx.desired.table(&t.partition_of.as_ref()?.parent)?;
    parent
        .indexes
        .iter()
        .find(|theirs| theirs.same_definition(ix))
        .map(|theirs| (parent.qualified(), theirs.name.clone()))
}

/// The partitions' own indexes that an index created on partitioned table `q` attaches
/// (PostgreSQL takes a matching index a partition has instead of building one): they are
/// created first, so the partition keeps the name the schema gives it.
pub(super) fn partition_indexes_to_adopt(ctx: &Ctx, q: &QualifiedName, ix: &Index) -> Vec<ObjKey> {
    if ctx.desired.table(q).is_none_or(|t| t.partition.is_none()) {
        return Vec::new();
    }
    ctx.desired
        .tables()
        // A partition created by the plan renames the index its parent's gives it instead.
        .filter(|t| {
            t.partition_of.as_ref().is_some_and(|p| p.parent == *q)
                && ctx.current.table(&t.qualified()).is_some()
        })
        .flat_map(|t| {
            t.indexes
                .iter()
                .filter(|own| own.same_definition(ix))
                .map(|own| ObjKey::Index(t.qualified(), own.name.clone()))
        })
        .collect()
}
