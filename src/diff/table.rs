//! One table against its desired self: columns, keys, indexes, checks, comments, and the foreign
//! keys that depend on rebuilt keys.

use super::*;

/// Diffs two versions of the same table.
pub(crate) fn diff_table(have: &Table, want: &Table) -> Result<TableDiff, UnsupportedChange> {
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
    table_properties(have, want, &mut changes);
    diff_columns(have, want, &mut changes);
    diff_primary_key(have, want, &mut changes);
    diff_uniques(have, want, &mut changes);
    diff_checks(&have.checks, &want.checks, &mut changes);
    diff_foreign_keys(have, want, &mut changes);
    diff_excludes(have, want, &mut changes);
    diff_indexes(have, want, &mut changes);
    Ok(TableDiff {
        from: have.clone(),
        to: want.clone(),
        changes,
    })
}

/// Partition and inheritance parents, storage parameters, replica identity, logging, row
/// security and the comment.
fn table_properties(have: &Table, want: &Table, changes: &mut Vec<TableChange>) {
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
}

/// Columns, joined by name.
fn diff_columns(have: &Table, want: &Table, changes: &mut Vec<TableChange>) {
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
}

/// The primary key: renamed or commented in place when only its name or comment differs.
fn diff_primary_key(have: &Table, want: &Table, changes: &mut Vec<TableChange>) {
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
}

/// Unique constraints.
fn diff_uniques(have: &Table, want: &Table, changes: &mut Vec<TableChange>) {
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
        changes,
        true,
    );
}

/// Foreign keys; a NOT VALID key declared valid is validated in place, not dropped and added
/// again.
fn diff_foreign_keys(have: &Table, want: &Table, changes: &mut Vec<TableChange>) {
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
        changes,
        true,
    );
}

/// Exclusion constraints.
fn diff_excludes(have: &Table, want: &Table, changes: &mut Vec<TableChange>) {
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
        changes,
        true,
    );
}

/// Indexes; one whose only change is its storage parameters is altered, not rebuilt.
fn diff_indexes(have: &Table, want: &Table, changes: &mut Vec<TableChange>) {
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
        changes,
        true,
    );
}

pub(super) fn comment_change(
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
pub(super) fn named_diff<T: Clone + PartialEq>(
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

pub(super) fn diff_checks(have: &[Check], want: &[Check], changes: &mut Vec<TableChange>) {
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
pub(super) fn index_fits_key(
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
pub(super) fn adopt_existing_indexes(d: &mut TableDiff) {
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
pub(super) fn recreate_dependent_foreign_keys(
    current: &Model,
    desired: &Model,
    diffs: &mut Vec<TableDiff>,
) {
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
