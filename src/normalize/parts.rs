//! Which parts of a differing table must go through the scratch database. The current model is
//! read from PostgreSQL, so every part equal to a current one is already in canonical form; only
//! what is new or changed needs PostgreSQL. At 5,000 tables with 10% changed, a dropped check or
//! a changed `NOT NULL` sent the whole table (and its indexes) through the scratch database.

use crate::model::{Check, Column, DataType, Index, Model, QualifiedName, Table, Unique};
use crate::postgres::inspect::deps::ObjKey;
use std::collections::HashSet;

/// Whether `want`, a desired table that differs from the live `cur`, holds anything that is
/// not already in PostgreSQL's form: a new or changed column (other than its nullability and
/// comment), index, check, key or table property, or a dropped column. A table whose
/// differences are only removed indexes, checks or keys, nullability, comments, row security
/// flags or foreign keys (never normalized, see [`super::subset`]) is compared as written.
pub(super) fn needs_normalizing(cur: &Table, want: &Table) -> bool {
    // A dropped column goes through PostgreSQL: a kept index or check that still reads it is
    // then an error at plan time, not an index the apply drops silently.
    !(cur.columns.iter().all(|c| want.column(&c.name).is_some())
        && want
            .columns
            .iter()
            .all(|w| cur.column(&w.name).is_some_and(|c| same_column_form(c, w)))
        && want.indexes.iter().all(|w| has_index(cur, w))
        && want.checks.iter().all(|w| has_check(cur, w))
        && want.uniques.iter().all(|w| has_unique(cur, w))
        && same_key(cur, want)
        && cur.partition == want.partition
        && cur.partition_of == want.partition_of
        && cur.inherits == want.inherits
        && cur.excludes == want.excludes
        && cur.triggers == want.triggers
        && cur.policies == want.policies
        && cur.storage_params == want.storage_params
        && cur.replica_identity == want.replica_identity
        && cur.unlogged == want.unlogged)
}

/// Everything PostgreSQL may spell its own way is equal: all but nullability and comment.
fn same_column_form(c: &Column, w: &Column) -> bool {
    c.ty == w.ty
        && c.default == w.default
        && c.identity == w.identity
        && c.generated == w.generated
        && c.collation == w.collation
        && c.storage == w.storage
        && c.compression == w.compression
        && c.statistics == w.statistics
}

fn same_key(cur: &Table, want: &Table) -> bool {
    match (&cur.primary_key, &want.primary_key) {
        (None, None) => true,
        (Some(c), Some(w)) => {
            c.name == w.name
                && c.columns == w.columns
                && c.include == w.include
                && c.deferrable == w.deferrable
        }
        _ => false,
    }
}

fn has_index(cur: &Table, w: &Index) -> bool {
    cur.indexes
        .iter()
        .any(|c| c.name == w.name && c.same_definition(w))
}

/// A named check by name, an unnamed one (PostgreSQL names it) by its expression.
fn has_check(cur: &Table, w: &Check) -> bool {
    cur.checks.iter().any(|c| {
        (w.name.is_none() || c.name == w.name)
            && c.expr == w.expr
            && c.not_valid == w.not_valid
            && c.no_inherit == w.no_inherit
    })
}

fn has_unique(cur: &Table, w: &Unique) -> bool {
    cur.uniques.iter().any(|c| {
        c.name == w.name
            && c.columns == w.columns
            && c.include == w.include
            && c.nulls_distinct == w.nulls_distinct
            && c.deferrable == w.deferrable
    })
}

/// Whether parts of `want` equal to `cur`'s can be left out of its scratch copy: every column
/// they may read is still there with the same type, collation and generation expression (a
/// retyped column can change how PostgreSQL spells an index expression that reads it).
pub(super) fn parts_reusable(cur: &Table, want: &Table) -> bool {
    cur.columns.iter().all(|c| {
        want.column(&c.name).is_some_and(|w| {
            c.ty == w.ty && c.collation == w.collation && c.generated == w.generated
        })
    })
}

/// Whether `want`'s scratch copy can leave out what equals `cur`'s ([`drop_reused_parts`],
/// [`strip_reused_columns`]): [`parts_reusable`], for a table outside any partitioning or
/// inheritance, as parent or child (`parents`: [`inheritance_parents`]). A child copies its
/// parent's defaults and keys, so a parent left bare would change its children.
pub(super) fn reusable(cur: &Table, want: &Table, parents: &HashSet<QualifiedName>) -> bool {
    parts_reusable(cur, want)
        && !parents.contains(&want.qualified())
        && want.partition.is_none()
        && want.partition_of.is_none()
        && want.inherits.is_empty()
        && cur.partition.is_none()
        && cur.partition_of.is_none()
        && cur.inherits.is_empty()
}

/// The tables some table of `a` or `b` inherits from or is a partition of.
pub(super) fn inheritance_parents(a: &Model, b: &Model) -> HashSet<QualifiedName> {
    a.tables()
        .chain(b.tables())
        .flat_map(|t| {
            t.inherits
                .iter()
                .chain(t.partition_of.as_ref().map(|p| &p.parent))
                .cloned()
        })
        .collect()
}

/// Leaves only the type (with collation, `NOT NULL`, storage) of the columns of `scratch`
/// equal to `cur`'s, and no primary key when it equals `cur`'s: their defaults, identities,
/// generation expressions and key are canonical already, and creating them is most of a
/// table's cost in the scratch database (an identity is a sequence, a key an index). The new
/// and changed parts still find every column they read.
pub(super) fn strip_reused_columns(scratch: &mut Table, cur: &Table) {
    for c in &mut scratch.columns {
        if cur.column(&c.name).is_some_and(|k| same_column_form(k, c)) {
            c.default = None;
            c.identity = None;
            c.generated = None;
            if let DataType::Serial(kind) = c.ty {
                c.ty = DataType::Builtin(kind.integer_type().to_string());
            }
        }
    }
    if same_key(cur, scratch) {
        scratch.primary_key = None;
    }
}

/// The dependency keys of what [`strip_reused_columns`] left as the database has it in the
/// scratch copy of `want`: those columns and that key keep the database's dependencies (a
/// default's sequence or function).
pub(super) fn reused_keys(q: &QualifiedName, cur: &Table, want: &Table) -> Vec<ObjKey> {
    let mut keys: Vec<ObjKey> = want
        .columns
        .iter()
        .filter(|w| cur.column(&w.name).is_some_and(|k| same_column_form(k, w)))
        .map(|w| ObjKey::Column(q.clone(), w.name.clone()))
        .collect();
    if let Some(pk) = &want.primary_key
        && same_key(cur, want)
    {
        keys.push(ObjKey::Constraint(q.clone(), pk.name.clone()));
    }
    keys
}

/// Removes from `scratch` (the copy of a desired table for the scratch database) the indexes,
/// named checks and unique constraints equal to `cur`'s: they are canonical already.
pub(super) fn drop_reused_parts(scratch: &mut Table, cur: &Table) {
    scratch.indexes.retain(|w| !has_index(cur, w));
    scratch
        .checks
        .retain(|w| w.name.is_none() || !has_check(cur, w));
    scratch.uniques.retain(|w| !has_unique(cur, w));
}

/// Puts back into `norm` (a table read from the scratch database) what [`drop_reused_parts`]
/// and [`strip_reused_columns`] left out of `orig` (the desired table), as `orig` has it.
pub(super) fn restore_reused_parts(norm: &mut Table, orig: &Table, cur: &Table) {
    for c in &mut norm.columns {
        if let Some(o) = orig.column(&c.name)
            && cur.column(&c.name).is_some_and(|k| same_column_form(k, o))
        {
            *c = o.clone();
        }
    }
    if norm.primary_key.is_none() && same_key(cur, orig) {
        norm.primary_key = orig.primary_key.clone();
    }
    for i in &orig.indexes {
        if !norm.indexes.iter().any(|n| n.name == i.name) {
            norm.indexes.push(i.clone());
        }
    }
    for c in &orig.checks {
        if c.name.is_some() && !norm.checks.iter().any(|n| n.name == c.name) {
            norm.checks.push(c.clone());
        }
    }
    for u in &orig.uniques {
        if !norm.uniques.iter().any(|n| n.name == u.name) {
            norm.uniques.push(u.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DataType, IndexPart};

    fn table() -> Table {
        let mut t = Table {
            schema: "s".into(),
            name: "t".into(),
            ..Default::default()
        };
        t.columns = vec![
            Column::new("a", DataType::Builtin("integer".into())),
            Column::new("b", DataType::Builtin("text".into())),
        ];
        t.indexes = vec![Index {
            name: "t_a".into(),
            unique: false,
            method: "btree".into(),
            parts: vec![IndexPart::column("a")],
            include: vec![],
            predicate: None,
            nulls_distinct: true,
            comment: None,
            storage_params: Default::default(),
            invalid: false,
        }];
        t.checks = vec![Check {
            name: Some("t_b".into()),
            expr: "(b <> ''::text)".into(),
            comment: None,
            not_valid: false,
            no_inherit: false,
        }];
        t
    }

    #[test]
    fn removed_parts_nullability_and_comments_need_no_scratch_database() {
        let cur = table();
        let mut want = table();
        want.checks.clear();
        want.columns[0].nullable = true;
        want.columns[1].comment = Some("text".into());
        want.indexes[0].comment = Some("an index".into());
        assert!(!needs_normalizing(&cur, &want));
        let mut want = table();
        want.columns.remove(1);
        want.checks.clear();
        assert!(needs_normalizing(&cur, &want), "a dropped column");
    }

    #[test]
    fn new_or_changed_parts_do() {
        let cur = table();
        let mut want = table();
        want.columns[1].default = Some("'x'".into());
        assert!(needs_normalizing(&cur, &want), "a changed default");
        let mut want = table();
        want.columns
            .push(Column::new("c", DataType::Builtin("int".into())));
        assert!(needs_normalizing(&cur, &want), "a new column");
        let mut want = table();
        want.indexes[0].predicate = Some("a > 0".into());
        assert!(needs_normalizing(&cur, &want), "a changed index");
        let mut want = table();
        want.checks[0].name = None;
        want.checks[0].expr = "b <> ''".into();
        assert!(
            needs_normalizing(&cur, &want),
            "an unnamed check as written"
        );
        let mut want = table();
        want.checks[0].name = None;
        assert!(
            !needs_normalizing(&cur, &want),
            "an unnamed check spelled as PostgreSQL does"
        );
    }

    #[test]
    fn equal_parts_are_left_out_only_while_their_columns_keep_their_types() {
        let mut cur = table();
        cur.columns[0].default = Some("0".into());
        cur.columns[0].nullable = false;
        cur.primary_key = Some(crate::model::PrimaryKey {
            name: "t_pkey".into(),
            columns: vec!["a".into()],
            include: vec![],
            deferrable: Default::default(),
            comment: None,
        });
        let mut want = cur.clone();
        want.columns[1].default = Some("'x'".into());
        let none = HashSet::new();
        assert!(parts_reusable(&cur, &want) && reusable(&cur, &want, &none));
        let mut scratch = want.clone();
        drop_reused_parts(&mut scratch, &cur);
        strip_reused_columns(&mut scratch, &cur);
        assert!(scratch.indexes.is_empty() && scratch.checks.is_empty());
        assert_eq!(scratch.primary_key, None, "an unchanged key");
        assert_eq!(
            scratch.columns[0].default, None,
            "an unchanged column's default"
        );
        assert_eq!(
            scratch.columns[1].default, want.columns[1].default,
            "a changed one"
        );
        let q = QualifiedName::new("s", "t");
        assert_eq!(
            reused_keys(&q, &cur, &want),
            vec![
                ObjKey::Column(q.clone(), "a".into()),
                ObjKey::Constraint(q.clone(), "t_pkey".into())
            ]
        );
        restore_reused_parts(&mut scratch, &want, &cur);
        assert_eq!(scratch, want, "everything left out is put back");
        let mut parted = want.clone();
        parted.inherits = vec![QualifiedName::new("s", "parent")];
        assert!(
            !reusable(&cur, &parted, &none),
            "inheritance children are created whole"
        );
        let mut child = parted.clone();
        child.name = "c".into();
        child.inherits = vec![q.clone()];
        let mut model = Model::default();
        model.schemas.insert(
            "s".into(),
            crate::model::Schema {
                name: "s".into(),
                tables: [("c".to_string(), child)].into(),
                ..Default::default()
            },
        );
        let parents = inheritance_parents(&model, &Model::default());
        assert!(!reusable(&cur, &want, &parents), "and so are their parents");

        let cur = table();
        let mut want = table();

        want.columns[0].ty = DataType::Builtin("bigint".into());
        assert!(!parts_reusable(&cur, &want), "a retyped column");
        let mut want = table();
        want.columns.remove(1);
        assert!(!parts_reusable(&cur, &want), "a dropped column");
    }
}
