//! Ordering changes into executable steps.
//!
//! Phases, each only after what it needs:
//! 1. create schemas, schema comments;  2. create enums, add enum values;
//! 3. drop foreign keys;  4. drop indexes;  5. drop tables (referencing tables first);
//! 6. create tables (referenced tables first, foreign keys inline where the target exists);
//! 7. alter tables;  8. create indexes;  9. add foreign keys (cycles, existing tables);
//! 10. drop enums;  11. drop schemas.

use super::hazards::{self, Hazard};
use super::{Action, Step};
use crate::diff::{Change, CommentKind, TableChange, TableDiff};
use crate::model::{Column, DataType, ForeignKey, Model, QualifiedName, Table};
use crate::postgres::{ddl, names, quote};
use std::collections::{BTreeSet, HashSet};

#[derive(Default)]
struct Phases {
    create_schemas: Vec<Step>,
    enums: Vec<Step>,
    drop_fks: Vec<Step>,
    drop_indexes: Vec<Step>,
    drop_tables: Vec<Step>,
    create_tables: Vec<Step>,
    alter_tables: Vec<Step>,
    create_indexes: Vec<Step>,
    add_fks: Vec<Step>,
    drop_enums: Vec<Step>,
    drop_schemas: Vec<Step>,
}

impl Phases {
    fn into_steps(self) -> Vec<Step> {
        [
            self.create_schemas,
            self.enums,
            self.drop_fks,
            self.drop_indexes,
            self.drop_tables,
            self.create_tables,
            self.alter_tables,
            self.create_indexes,
            self.add_fks,
            self.drop_enums,
            self.drop_schemas,
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

pub fn table_address(q: &QualifiedName) -> String {
    format!("table.{}.{}", q.schema, q.name)
}

pub fn enum_address(q: &QualifiedName) -> String {
    format!("enum.{}.{}", q.schema, q.name)
}

pub fn schema_address(name: &str) -> String {
    format!("schema.{name}")
}

fn step(
    object: String,
    action: Action,
    description: String,
    statements: Vec<String>,
    hazards: Vec<Hazard>,
) -> Step {
    Step {
        object,
        action,
        description,
        statements,
        hazards,
    }
}

fn display(q: &QualifiedName) -> String {
    quote::qualified(q)
}

/// Orders `changes` into steps.
pub fn steps(changes: &[Change], current: &Model) -> Vec<Step> {
    let mut p = Phases::default();
    let created: HashSet<QualifiedName> = changes
        .iter()
        .filter_map(|c| match c {
            Change::CreateTable(t) => Some(t.qualified()),
            _ => None,
        })
        .collect();
    let altered: HashSet<QualifiedName> = changes
        .iter()
        .filter_map(|c| match c {
            Change::AlterTable(d) => Some(d.to.qualified()),
            _ => None,
        })
        .collect();

    for c in changes {
        match c {
            Change::CreateSchema(s) => {
                let mut stmts = vec![ddl::create_schema(s)];
                if s.comment.is_some() {
                    stmts.push(ddl::comment_on_schema(&s.name, &s.comment));
                }
                p.create_schemas.push(step(
                    schema_address(&s.name),
                    Action::Create,
                    format!("Create schema {}", quote::ident(&s.name)),
                    stmts,
                    vec![],
                ));
            }
            Change::AlterSchema { to, .. } => {
                p.create_schemas.push(step(
                    schema_address(&to.name),
                    Action::Update,
                    format!("Set the comment of schema {}", quote::ident(&to.name)),
                    vec![ddl::comment_on_schema(&to.name, &to.comment)],
                    vec![],
                ));
            }
            Change::DropSchema(s) => {
                p.drop_schemas.push(step(
                    schema_address(&s.name),
                    Action::Delete,
                    format!("Drop schema {}", quote::ident(&s.name)),
                    vec![ddl::drop_schema(&s.name)],
                    vec![hazards::drop_schema(&s.name)],
                ));
            }
            Change::CreateEnum(e) => {
                let q = QualifiedName::new(&e.schema, &e.name);
                let mut stmts = vec![ddl::create_enum(e)];
                if e.comment.is_some() {
                    stmts.push(ddl::comment_on_type(&q, &e.comment));
                }
                p.enums.push(step(
                    enum_address(&q),
                    Action::Create,
                    format!("Create enum type {}", display(&q)),
                    stmts,
                    vec![],
                ));
            }
            Change::AlterEnum { from, to, added } => {
                let q = QualifiedName::new(&to.schema, &to.name);
                let mut stmts: Vec<String> =
                    added.iter().map(|a| ddl::add_enum_value(&q, a)).collect();
                if from.comment != to.comment {
                    stmts.push(ddl::comment_on_type(&q, &to.comment));
                }
                p.enums.push(step(
                    enum_address(&q),
                    Action::Update,
                    format!("Add values to enum type {}", display(&q)),
                    stmts,
                    vec![],
                ));
            }
            Change::DropEnum(e) => {
                let q = QualifiedName::new(&e.schema, &e.name);
                p.drop_enums.push(step(
                    enum_address(&q),
                    Action::Delete,
                    format!("Drop enum type {}", display(&q)),
                    vec![ddl::drop_enum(&q)],
                    vec![],
                ));
            }
            Change::CreateTable(_) | Change::DropTable(_) => {}
            Change::AlterTable(d) => alter_table(&mut p, d),
        }
    }
    create_tables(&mut p, changes, current, &created, &altered);
    drop_tables(&mut p, changes);
    p.into_steps()
}

fn create_tables(
    p: &mut Phases,
    changes: &[Change],
    current: &Model,
    created: &HashSet<QualifiedName>,
    altered: &HashSet<QualifiedName>,
) {
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
                current.table(&fk.ref_table).is_some() && !altered.contains(&fk.ref_table)
            };
            if target_ready {
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
        let mut created = t.clone();
        created.uniques = kept;
        let mut stmts = vec![ddl::create_table(&created, &inline)];
        for u in &repeats_pk {
            stmts.push(ddl::alter_table(
                &q,
                &[ddl::add_constraint(ddl::unique_def(u))],
            ));
        }
        stmts.extend(comments_of_new_table(t, &inline));
        for ix in &t.indexes {
            stmts.push(ddl::create_index(&q, ix));
            if ix.comment.is_some() {
                stmts.push(ddl::comment_on_index(&t.schema, &ix.name, &ix.comment));
            }
        }
        p.create_tables.push(step(
            table_address(&q),
            Action::Create,
            format!("Create table {}", display(&q)),
            stmts,
            vec![],
        ));
        for fk in deferred {
            let mut stmts = vec![ddl::alter_table(
                &q,
                &[ddl::add_constraint(ddl::foreign_key_def(fk))],
            )];
            if fk.comment.is_some() {
                stmts.push(ddl::comment_on_constraint(&q, &fk.name, &fk.comment));
            }
            p.add_fks.push(step(
                table_address(&q),
                Action::Create,
                format!(
                    "Add foreign key {} to {}",
                    quote::ident(&fk.name),
                    display(&q)
                ),
                stmts,
                vec![],
            ));
        }
        placed.insert(q);
    }
}

fn comments_of_new_table(t: &Table, inline: &[&ForeignKey]) -> Vec<String> {
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
    if let Some(pk) = &t.primary_key
        && pk.comment.is_some()
    {
        out.push(ddl::comment_on_constraint(&q, &pk.name, &pk.comment));
    }
    for u in &t.uniques {
        if u.comment.is_some() {
            out.push(ddl::comment_on_constraint(&q, &u.name, &u.comment));
        }
    }
    for c in &t.checks {
        if let (Some(n), Some(_)) = (&c.name, &c.comment) {
            out.push(ddl::comment_on_constraint(&q, n, &c.comment));
        }
    }
    for fk in inline {
        if fk.comment.is_some() {
            out.push(ddl::comment_on_constraint(&q, &fk.name, &fk.comment));
        }
    }
    out
}

fn drop_tables(p: &mut Phases, changes: &[Change]) {
    let mut pending: Vec<&Table> = changes
        .iter()
        .filter_map(|c| match c {
            Change::DropTable(t) => Some(t),
            _ => None,
        })
        .collect();
    while !pending.is_empty() {
        let remaining: BTreeSet<QualifiedName> = pending.iter().map(|t| t.qualified()).collect();
        // A table can go once no other remaining table references it.
        let referenced = |q: &QualifiedName| {
            pending
                .iter()
                .any(|u| u.qualified() != *q && u.foreign_keys.iter().any(|fk| fk.ref_table == *q))
        };
        let idx = match pending.iter().position(|t| !referenced(&t.qualified())) {
            Some(i) => i,
            None => {
                // A cycle: drop the foreign keys that point into the first table, then the table.
                let target = pending[0].qualified();
                for u in &pending {
                    let uq = u.qualified();
                    if uq == target {
                        continue;
                    }
                    let names: Vec<String> = u
                        .foreign_keys
                        .iter()
                        .filter(|fk| fk.ref_table == target && remaining.contains(&uq))
                        .map(|fk| ddl::drop_constraint(&fk.name))
                        .collect();
                    if !names.is_empty() {
                        p.drop_tables.push(step(
                            table_address(&uq),
                            Action::Delete,
                            format!("Drop foreign keys of {} that form a cycle", display(&uq)),
                            vec![ddl::alter_table(&uq, &names)],
                            vec![],
                        ));
                    }
                }
                0
            }
        };
        let t = pending.remove(idx);
        let q = t.qualified();
        p.drop_tables.push(step(
            table_address(&q),
            Action::Delete,
            format!("Drop table {}", display(&q)),
            vec![ddl::drop_table(&q)],
            vec![hazards::drop_table(&q.to_string())],
        ));
    }
}

fn alter_table(p: &mut Phases, d: &TableDiff) {
    let q = d.to.qualified();
    let addr = table_address(&q);
    let tname = q.to_string();
    let mut fk_drops = Vec::new();
    let mut index_drops = Vec::new();
    let mut drop_clauses = Vec::new();
    let mut column_drops = Vec::new();
    let mut clauses = Vec::new();
    let mut renames = Vec::new();
    let mut post = Vec::new();
    let mut pre_post = Vec::new();
    let mut hz: Vec<Hazard> = Vec::new();
    let mut new_indexes = Vec::new();
    let mut new_fks = Vec::new();

    for c in &d.changes {
        let change_hazards = hazards::table_change(&tname, c);
        match c {
            TableChange::SetComment { to, .. } => post.push(ddl::comment_on_table(&q, to)),
            TableChange::AddColumn(col) => {
                hz.extend(change_hazards);
                clauses.push(ddl::add_column(col));
                if col.comment.is_some() {
                    post.push(ddl::comment_on_column(&q, &col.name, &col.comment));
                }
            }
            TableChange::DropColumn(col) => {
                hz.extend(change_hazards);
                column_drops.push(ddl::drop_column(&col.name));
            }
            TableChange::AlterColumn { from, to } => {
                hz.extend(change_hazards);
                alter_column(
                    &q,
                    from,
                    to,
                    &mut column_drops,
                    &mut clauses,
                    &mut pre_post,
                    &mut post,
                );
            }
            TableChange::DropPrimaryKey(pk) => drop_clauses.push(ddl::drop_constraint(&pk.name)),
            TableChange::DropUnique(u) => drop_clauses.push(ddl::drop_constraint(&u.name)),
            TableChange::DropCheck(ch) => {
                if let Some(n) = &ch.name {
                    drop_clauses.push(ddl::drop_constraint(n));
                }
            }
            TableChange::AddPrimaryKey(pk) => {
                hz.extend(change_hazards);
                clauses.push(ddl::add_constraint(ddl::primary_key_def(pk)));
                if pk.comment.is_some() {
                    post.push(ddl::comment_on_constraint(&q, &pk.name, &pk.comment));
                }
            }
            TableChange::AddUnique(u) => {
                hz.extend(change_hazards);
                clauses.push(ddl::add_constraint(ddl::unique_def(u)));
                if u.comment.is_some() {
                    post.push(ddl::comment_on_constraint(&q, &u.name, &u.comment));
                }
            }
            TableChange::AddCheck(ch) => {
                hz.extend(change_hazards);
                clauses.push(ddl::add_constraint(ddl::check_def(ch)));
                if let (Some(n), Some(_)) = (&ch.name, &ch.comment) {
                    post.push(ddl::comment_on_constraint(&q, n, &ch.comment));
                }
            }
            TableChange::DropForeignKey(fk) => fk_drops.push((fk, change_hazards)),
            TableChange::AddForeignKey(fk) => new_fks.push((fk, change_hazards)),
            TableChange::DropIndex(ix) => index_drops.push(ddl::drop_index(&q.schema, &ix.name)),
            TableChange::AddIndex(ix) => new_indexes.push((ix, change_hazards)),
            TableChange::RenameConstraint { from, to } => {
                renames.push(ddl::rename_constraint(&q, from, to))
            }
            TableChange::RenameIndex { from, to } => {
                renames.push(ddl::rename_index(&q.schema, from, to))
            }
            TableChange::CommentOn { kind, name, to, .. } => post.push(match kind {
                CommentKind::Constraint => ddl::comment_on_constraint(&q, name, to),
                CommentKind::Index => ddl::comment_on_index(&q.schema, name, to),
            }),
        }
    }

    if !fk_drops.is_empty() {
        let clauses: Vec<String> = fk_drops
            .iter()
            .map(|(fk, _)| ddl::drop_constraint(&fk.name))
            .collect();
        let names: Vec<String> = fk_drops
            .iter()
            .map(|(fk, _)| quote::ident(&fk.name))
            .collect();
        let h: Vec<Hazard> = fk_drops.iter().flat_map(|(_, h)| h.clone()).collect();
        p.drop_fks.push(step(
            addr.clone(),
            Action::Update,
            format!("Drop foreign key {} of {}", names.join(", "), display(&q)),
            vec![ddl::alter_table(&q, &clauses)],
            h,
        ));
    }
    if !index_drops.is_empty() {
        p.drop_indexes.push(step(
            addr.clone(),
            Action::Update,
            format!("Drop indexes of {}", display(&q)),
            index_drops,
            vec![],
        ));
    }
    // Constraints go before columns: dropping a column silently drops its constraints.
    drop_clauses.extend(column_drops);
    let mut stmts = Vec::new();
    if renames.is_empty() {
        let mut all = drop_clauses;
        all.extend(clauses);
        if !all.is_empty() {
            stmts.push(ddl::alter_table(&q, &all));
        }
    } else {
        if !drop_clauses.is_empty() {
            stmts.push(ddl::alter_table(&q, &drop_clauses));
        }
        stmts.extend(renames);
        if !clauses.is_empty() {
            stmts.push(ddl::alter_table(&q, &clauses));
        }
    }
    stmts.extend(pre_post);
    stmts.extend(post);
    if !stmts.is_empty() {
        p.alter_tables.push(step(
            addr.clone(),
            Action::Update,
            format!("Modify table {}", display(&q)),
            stmts,
            hz,
        ));
    }
    for (ix, h) in new_indexes {
        let mut stmts = vec![ddl::create_index(&q, ix)];
        if ix.comment.is_some() {
            stmts.push(ddl::comment_on_index(&q.schema, &ix.name, &ix.comment));
        }
        p.create_indexes.push(step(
            addr.clone(),
            Action::Update,
            format!("Create index {} on {}", quote::ident(&ix.name), display(&q)),
            stmts,
            h,
        ));
    }
    for (fk, h) in new_fks {
        let mut stmts = vec![ddl::alter_table(
            &q,
            &[ddl::add_constraint(ddl::foreign_key_def(fk))],
        )];
        if fk.comment.is_some() {
            stmts.push(ddl::comment_on_constraint(&q, &fk.name, &fk.comment));
        }
        p.add_fks.push(step(
            addr.clone(),
            Action::Update,
            format!(
                "Add foreign key {} to {}",
                quote::ident(&fk.name),
                display(&q)
            ),
            stmts,
            h,
        ));
    }
}

/// Clauses and extra statements for one column change.
fn alter_column(
    q: &QualifiedName,
    from: &Column,
    to: &Column,
    drop_clauses: &mut Vec<String>,
    clauses: &mut Vec<String>,
    after: &mut Vec<String>,
    comments: &mut Vec<String>,
) {
    // A new or changed generation expression needs the column rebuilt.
    let regenerate = to.generated.is_some() && from.generated != to.generated;
    if regenerate {
        drop_clauses.push(ddl::drop_column(&from.name));
        clauses.push(ddl::add_column(to));
        if to.comment.is_some() {
            comments.push(ddl::comment_on_column(q, &to.name, &to.comment));
        }
        return;
    }
    let from_serial = matches!(from.ty, DataType::Serial(_));
    let to_serial = matches!(to.ty, DataType::Serial(_));
    // Model serials carry no default; give the clause builder the real one.
    let mut from_eff = from.clone();
    if from_serial && !to_serial {
        from_eff.default = Some("nextval(…)".into());
    }
    clauses.extend(ddl::alter_column(&from_eff, to));
    match (&from.ty, &to.ty) {
        (DataType::Serial(_), DataType::Serial(b)) if from.ty != to.ty => {
            after.push(ddl::with_serial_sequence(
                q,
                &to.name,
                &format!("ALTER SEQUENCE %s AS {}", b.integer_type()),
            ));
        }
        (DataType::Serial(_), _) => {
            after.push(ddl::with_serial_sequence(q, &to.name, "DROP SEQUENCE %s"));
        }
        (_, DataType::Serial(k)) => {
            let seq = names::make_object_name(&q.name, Some(&to.name), "seq");
            after.extend(ddl::make_serial(q, &to.name, &seq, k.integer_type()));
        }
        _ => {}
    }
    if from.comment != to.comment {
        comments.push(ddl::comment_on_column(q, &to.name, &to.comment));
    }
}
