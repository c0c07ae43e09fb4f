//! New tables (with their inline keys, partitions and comments) and dropped tables.

use super::*;

pub(super) fn create_tables(
    out: &mut Vec<Node>,
    changes: &[Change],
    ctx: &Ctx,
    created: &HashSet<QualifiedName>,
) {
    let altered: HashSet<QualifiedName> = changes
        .iter()
        .filter_map(|c| match c {
            Change::AlterTable(d) => Some(d.to.qualified()),
            _ => None,
        })
        .collect();
    let mut pending: Vec<&Table> = changes
        .iter()
        .filter_map(|c| match c {
            Change::CreateTable(t) => Some(t),
            _ => None,
        })
        .collect();
    let mut placed: HashSet<QualifiedName> = HashSet::new();
    while !pending.is_empty() {
        let ready = pending.iter().position(|t| {
            t.foreign_keys.iter().all(|fk| {
                fk.ref_table == t.qualified()
                    || !created.contains(&fk.ref_table)
                    || placed.contains(&fk.ref_table)
            })
        });
        // In a cycle, create the first table and add its foreign keys afterwards.
        let t = pending.remove(ready.unwrap_or(0));
        let q = t.qualified();
        let mut inline: Vec<&ForeignKey> = Vec::new();
        let mut deferred: Vec<&ForeignKey> = Vec::new();
        for fk in &t.foreign_keys {
            let target_ready = if fk.ref_table == q {
                true
            } else if created.contains(&fk.ref_table) {
                placed.contains(&fk.ref_table)
            } else {
                ctx.current.table(&fk.ref_table).is_some() && !altered.contains(&fk.ref_table)
            };
            // PostgreSQL ignores NOT VALID inside CREATE TABLE: such keys are added after it.
            if target_ready && !fk.not_valid {
                inline.push(fk)
            } else {
                deferred.push(fk)
            }
        }
        // PostgreSQL silently drops a UNIQUE constraint that repeats the primary key inside
        // CREATE TABLE; add those afterwards so they exist.
        let pk_cols = t.primary_key.as_ref().map(|pk| pk.columns.clone());
        let (repeats_pk, kept): (Vec<_>, Vec<_>) = t
            .uniques
            .iter()
            .cloned()
            .partition(|u| Some(&u.columns) == pk_cols.as_ref());
        let mut shape = t.clone();
        shape.uniques = kept;
        // Likewise NOT VALID checks.
        let (not_valid, valid): (Vec<_>, Vec<_>) =
            shape.checks.drain(..).partition(|c| c.not_valid);
        shape.checks = valid;
        let mut stmts = vec![ddl::create_table(&shape, &inline)];
        for c in &not_valid {
            stmts.push(ddl::alter_table(
                &q,
                &[ddl::add_constraint_as_declared(ddl::check_def(c), true)],
            ));
        }
        for u in &repeats_pk {
            stmts.push(ddl::alter_table(
                &q,
                &[ddl::add_constraint(ddl::unique_def(u))],
            ));
        }
        stmts.extend(comments_of_new_table(t, &inline));
        let mut adopted = Vec::new();
        for ix in &t.indexes {
            // A new partition gets its parent's indexes under PostgreSQL's names: one the
            // schema names otherwise is renamed, not built twice.
            if let Some(parent_ix) = parent_index_of(ctx, t, ix) {
                let parent_index = QualifiedName::new(&parent_ix.0.schema, &parent_ix.1);
                stmts.push(ddl::rename_attached_index(&q, &parent_index, &ix.name));
                adopted.push(ObjKey::Index(parent_ix.0, parent_ix.1));
            } else {
                stmts.push(ddl::create_index(&q, ix));
            }
            if ix.comment.is_some() {
                stmts.push(ddl::comment_on_index(&t.schema, &ix.name, &ix.comment));
            }
        }
        if !t.replica_identity.is_default() {
            stmts.push(ddl::replica_identity(&q, &t.replica_identity));
        }
        for c in &t.columns {
            stmts.extend(ddl::column_settings(&q, c));
        }
        let mut keys = table_keys(t);
        keys.retain(|k| !deferred.iter().any(|fk| *k == con(&q, &fk.name)));
        let needs = new_table_needs(ctx, t, &q, &keys, adopted, &inline);
        out.push(
            Node::new(
                step(
                    ObjectId::table(&q),
                    Action::Create,
                    format!("Create table {}", display(&q)),
                    stmts,
                    vec![],
                ),
                rank::CREATE_TABLE,
            )
            .creates(keys)
            .needs(needs),
        );
        for fk in deferred {
            deferred_foreign_key(out, ctx, &q, fk);
        }
        placed.insert(q);
    }
}

/// What creating the new table `t` needs: its schema, types, collations, the dependencies of
/// its keys, the parent indexes it adopts, its partition parent and the targets of its inline
/// foreign keys.
fn new_table_needs(
    ctx: &Ctx,
    t: &Table,
    q: &QualifiedName,
    keys: &[ObjKey],
    adopted: Vec<ObjKey>,
    inline: &[&ForeignKey],
) -> Vec<ObjKey> {
    let mut needs = vec![ObjKey::Schema(q.schema.clone())];
    for c in &t.columns {
        needs.extend(type_needs(&c.ty));
        needs.extend(collation_needs(ctx, c.collation.as_deref()));
    }
    for k in keys {
        needs.extend(ctx.desired_deps(k));
    }
    needs.extend(adopted);
    if let Some(p) = &t.partition_of {
        needs.push(ObjKey::Table(p.parent.clone()));
        needs.extend(
            ctx.desired
                .table(&p.parent)
                .map(table_keys)
                .unwrap_or_default(),
        );
    }
    for fk in inline {
        if fk.ref_table != *q {
            needs.extend(fk_needs(fk, ctx.desired));
        }
    }
    needs
}

/// A foreign key of a new table added after it (its target comes later, or it is `NOT VALID`).
fn deferred_foreign_key(out: &mut Vec<Node>, ctx: &Ctx, q: &QualifiedName, fk: &ForeignKey) {
    let mut stmts = vec![ddl::alter_table(
        q,
        &[ddl::add_constraint_as_declared(
            ddl::foreign_key_def(fk),
            fk.not_valid,
        )],
    )];
    if fk.comment.is_some() {
        stmts.push(ddl::comment_on_constraint(q, &fk.name, &fk.comment));
    }
    out.push(
        Node::new(
            step(
                ObjectId::table(q),
                Action::Create,
                format!(
                    "Add foreign key {} to {}",
                    quote::ident(&fk.name),
                    display(q)
                ),
                stmts,
                vec![],
            ),
            rank::ADD_FK,
        )
        .creates([con(q, &fk.name)])
        .needs(
            [ObjKey::Table(q.clone())]
                .into_iter()
                .chain(fk_needs(fk, ctx.desired)),
        ),
    );
}

pub(super) fn comments_of_new_table(t: &Table, inline: &[&ForeignKey]) -> Vec<String> {
    let q = t.qualified();
    let mut out = Vec::new();
    if t.comment.is_some() {
        out.push(ddl::comment_on_table(&q, &t.comment));
    }
    for c in &t.columns {
        if c.comment.is_some() {
            out.push(ddl::comment_on_column(&q, &c.name, &c.comment));
        }
    }
    let mut named: Vec<(&str, &Option<String>)> = Vec::new();
    if let Some(pk) = &t.primary_key {
        named.push((&pk.name, &pk.comment));
    }
    named.extend(t.uniques.iter().map(|u| (u.name.as_str(), &u.comment)));
    named.extend(
        t.checks
            .iter()
            .filter_map(|c| c.name.as_deref().map(|n| (n, &c.comment))),
    );
    named.extend(t.excludes.iter().map(|x| (x.name.as_str(), &x.comment)));
    named.extend(inline.iter().map(|f| (f.name.as_str(), &f.comment)));
    for (n, c) in named {
        if c.is_some() {
            out.push(ddl::comment_on_constraint(&q, n, c));
        }
    }
    if t.rls_enabled || t.rls_forced {
        out.extend(ddl_objects::row_security(
            &q,
            t.rls_enabled,
            t.rls_forced,
            false,
            false,
        ));
    }
    out
}

pub(super) fn drop_table(out: &mut Vec<Node>, t: &Table, changes: &[Change]) {
    let q = t.qualified();
    let dropped: HashSet<QualifiedName> = changes
        .iter()
        .filter_map(|c| match c {
            Change::DropTable(x) => Some(x.qualified()),
            _ => None,
        })
        .collect();
    // Foreign keys into other dropped tables go first, so dropped tables never wait on each
    // other (cycles included).
    let cross: Vec<&ForeignKey> = t
        .foreign_keys
        .iter()
        .filter(|fk| fk.ref_table != q && dropped.contains(&fk.ref_table))
        .collect();
    if !cross.is_empty() {
        let clauses: Vec<String> = cross
            .iter()
            .map(|fk| ddl::drop_constraint(&fk.name))
            .collect();
        out.push(
            Node::new(
                step(
                    ObjectId::table(&q),
                    Action::Delete,
                    format!("Drop foreign keys of {} into dropped tables", display(&q)),
                    vec![ddl::alter_table(&q, &clauses)],
                    vec![],
                ),
                rank::DROP_FK,
            )
            .drops(cross.iter().map(|fk| con(&q, &fk.name))),
        );
    }
    let mut keys = table_keys(t);
    keys.retain(|k| !cross.iter().any(|fk| *k == con(&q, &fk.name)));
    keys.extend(
        t.triggers
            .iter()
            .map(|tr| ObjKey::Trigger(q.clone(), tr.name.clone())),
    );
    keys.extend(
        t.policies
            .iter()
            .map(|p| ObjKey::Policy(q.clone(), p.name.clone())),
    );
    out.push(
        Node::new(
            step(
                ObjectId::table(&q),
                Action::Delete,
                format!("Drop table {}", display(&q)),
                vec![ddl::drop_table(&q)],
                lint::hazards(&Subject::DropTable { table: t }),
            ),
            rank::DROP_TABLE,
        )
        .drops(keys),
    );
}
