//! Turning changes into steps with what each creates, drops, alters and needs; the graph orders
//! them (see [`super::graph`]). This file covers schemas, table renames and defaults and the
//! shared helpers; one file per kind beside it covers the rest (`enums.rs`, `create_table.rs`,
//! `alter_table.rs`, `extension.rs`, `sequence.rs`, `collation.rs`, `domain.rs`,
//! `composite.rs`, `function.rs`, `aggregate.rs`, `event_trigger.rs`, `view.rs`, `trigger.rs`, `policy.rs`).

use super::Hazard;
use super::PlanDeps;
use super::graph::{Node, rank};
use super::{Action, Phase, Step};
use crate::diff::{AdoptedKey, Change, CommentKind, TableChange, TableDiff};
use crate::lint::{self, Subject};
use crate::model::{
    Column, DataType, ForeignKey, Index, Model, ObjectId, QualifiedName, ReplicaIdentity, Table,
};
use crate::postgres::inspect::deps::ObjKey;
use crate::postgres::{ddl, ddl_objects, names, quote};
use std::collections::{HashMap, HashSet};

mod enums;
use enums::*;
mod create_table;
use create_table::*;
mod online;
use online::*;
mod partition;
use partition::*;
mod alter_table;
use alter_table::*;
mod extension;
mod sequence;
use sequence::*;
mod collation;
mod composite;
mod domain;
mod function;
pub(crate) use function::function_id;
use function::*;
mod aggregate;
pub(crate) use aggregate::aggregate_id;
use aggregate::*;
mod event_trigger;
pub(crate) use event_trigger::event_trigger_id;
mod view;
pub(crate) use view::view_id;
use view::*;
mod trigger;
pub(crate) use trigger::trigger_id;
mod policy;
mod role;
pub(crate) use role::membership_id;
use role::*;

pub(super) fn step(
    object: ObjectId,
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
        phase: Default::default(),
    }
}

pub(super) fn display(q: &QualifiedName) -> String {
    quote::qualified(q)
}

/// What planning needs besides the changes.
pub(super) struct Ctx<'a> {
    pub(crate) current: &'a Model,
    pub(crate) desired: &'a Model,
    pub(crate) deps: &'a PlanDeps,
    /// Online mode: concurrent index builds and constraints validated outside the transaction.
    pub(crate) online: bool,
    /// Current inheritance children of each parent table (`INHERITS`).
    pub(crate) children: HashMap<QualifiedName, Vec<QualifiedName>>,
}

/// Children of each parent table in `model`, read once per plan.
pub(super) fn inheritance_children(model: &Model) -> HashMap<QualifiedName, Vec<QualifiedName>> {
    let mut out: HashMap<QualifiedName, Vec<QualifiedName>> = HashMap::new();
    for t in model.tables() {
        for p in &t.inherits {
            out.entry(p.clone()).or_default().push(t.qualified());
        }
    }
    out
}

impl Ctx<'_> {
    /// What the desired version of `k` depends on.
    pub(crate) fn desired_deps(&self, k: &ObjKey) -> Vec<ObjKey> {
        self.deps.desired.of(k).cloned().collect()
    }
}

/// Keys a type needs to exist: a user type, or a table or view used as a row type.
pub(super) fn type_needs(ty: &DataType) -> Vec<ObjKey> {
    match ty.named() {
        Some(q) => vec![
            ObjKey::Type(q.clone()),
            ObjKey::Table(q.clone()),
            ObjKey::View(q.clone()),
        ],
        None => vec![],
    }
}

/// Keys of the declared collations a column's `COLLATE name` can resolve to.
pub(super) fn collation_needs(ctx: &Ctx, name: Option<&str>) -> Vec<ObjKey> {
    let Some(name) = name else { return vec![] };
    ctx.desired
        .collations()
        .filter(|c| c.name == name)
        .map(|c| ObjKey::Type(QualifiedName::new(&c.schema, &c.name)))
        .collect()
}

fn col(q: &QualifiedName, c: &str) -> ObjKey {
    ObjKey::Column(q.clone(), c.to_string())
}

fn con(q: &QualifiedName, n: &str) -> ObjKey {
    ObjKey::Constraint(q.clone(), n.to_string())
}

/// Every key a table brings: itself, its columns, constraints and indexes.
pub(super) fn table_keys(t: &Table) -> Vec<ObjKey> {
    let q = t.qualified();
    let mut keys = vec![ObjKey::Table(q.clone())];
    keys.extend(t.columns.iter().map(|c| col(&q, &c.name)));
    keys.extend(t.primary_key.iter().map(|p| con(&q, &p.name)));
    keys.extend(t.uniques.iter().map(|u| con(&q, &u.name)));
    keys.extend(
        t.checks
            .iter()
            .filter_map(|c| c.name.as_ref())
            .map(|n| con(&q, n)),
    );
    keys.extend(t.excludes.iter().map(|x| con(&q, &x.name)));
    keys.extend(t.foreign_keys.iter().map(|f| con(&q, &f.name)));
    keys.extend(
        t.indexes
            .iter()
            .map(|i| ObjKey::Index(q.clone(), i.name.clone())),
    );
    keys
}

/// What a foreign key needs: the referenced table and its keys.
fn fk_needs(fk: &ForeignKey, desired: &Model) -> Vec<ObjKey> {
    let r = &fk.ref_table;
    let mut needs = vec![ObjKey::Table(r.clone())];
    needs.extend(fk.ref_columns.iter().map(|c| col(r, c)));
    if let Some(t) = desired.table(r) {
        needs.extend(t.primary_key.iter().map(|p| con(r, &p.name)));
        needs.extend(t.uniques.iter().map(|u| con(r, &u.name)));
        needs.extend(
            t.indexes
                .iter()
                .filter(|i| i.unique)
                .map(|i| ObjKey::Index(r.clone(), i.name.clone())),
        );
    }
    needs
}

/// Schemas renamed, created, altered (comment) and dropped.
fn schema_nodes(out: &mut Vec<Node>, c: &Change) {
    match c {
        Change::RenameSchema { from, to } => out.push(
            Node::new(
                step(
                    ObjectId::schema(to),
                    Action::Rename,
                    format!(
                        "Rename schema {} to {}",
                        quote::ident(from),
                        quote::ident(to)
                    ),
                    vec![ddl::rename_schema(from, to)],
                    vec![],
                ),
                rank::SCHEMA,
            )
            .creates([ObjKey::Schema(to.clone())]),
        ),
        Change::CreateSchema(s) => {
            let mut stmts = vec![ddl::create_schema(s)];
            if s.comment.is_some() {
                stmts.push(ddl::comment_on_schema(&s.name, &s.comment));
            }
            out.push(
                Node::new(
                    step(
                        ObjectId::schema(&s.name),
                        Action::Create,
                        format!("Create schema {}", quote::ident(&s.name)),
                        stmts,
                        vec![],
                    ),
                    rank::SCHEMA,
                )
                .creates([ObjKey::Schema(s.name.clone())]),
            );
        }
        Change::AlterSchema { to, .. } => out.push(
            Node::new(
                step(
                    ObjectId::schema(&to.name),
                    Action::Update,
                    format!("Set the comment of schema {}", quote::ident(&to.name)),
                    vec![ddl::comment_on_schema(&to.name, &to.comment)],
                    vec![],
                ),
                rank::SCHEMA,
            )
            .alters([ObjKey::Schema(to.name.clone())]),
        ),
        Change::DropSchema(s) => out.push(
            Node::new(
                step(
                    ObjectId::schema(&s.name),
                    Action::Delete,
                    format!("Drop schema {}", quote::ident(&s.name)),
                    vec![ddl::drop_schema(&s.name)],
                    lint::hazards(&Subject::DropSchema { name: &s.name }),
                ),
                rank::DROP_SCHEMA,
            )
            .drops([ObjKey::Schema(s.name.clone())]),
        ),
        _ => {}
    }
}

/// Builds the nodes for all changes.
pub(super) fn nodes(changes: &[Change], ctx: &Ctx) -> Vec<Node> {
    let mut out = Vec::new();
    let created: HashSet<QualifiedName> = changes
        .iter()
        .filter_map(|c| match c {
            Change::CreateTable(t) => Some(t.qualified()),
            _ => None,
        })
        .collect();
    for c in changes {
        match c {
            Change::RenameSchema { .. }
            | Change::CreateSchema(_)
            | Change::AlterSchema { .. }
            | Change::DropSchema(_) => schema_nodes(&mut out, c),
            Change::RenameTable { from, to } => {
                let mut stmts = Vec::new();
                if from.schema != to.schema {
                    stmts.push(ddl::set_table_schema(from, &to.schema));
                }
                if from.name != to.name {
                    stmts.push(ddl::rename_table(&to.schema, &from.name, &to.name));
                    // A serial column's sequence is named after the table; a fresh build of
                    // the renamed table would name it after the new one.
                    for c in ctx.desired.table(to).into_iter().flat_map(|t| &t.columns) {
                        if matches!(c.ty, DataType::Serial(_)) {
                            let old = names::make_object_name(&from.name, Some(&c.name), "seq");
                            let new = names::make_object_name(&to.name, Some(&c.name), "seq");
                            if old != new {
                                stmts.push(ddl_objects::rename_sequence_if_exists(
                                    &to.schema, &old, &new,
                                ));
                            }
                        }
                    }
                }
                out.push(
                    Node::new(
                        step(
                            ObjectId::table(to),
                            Action::Rename,
                            format!("Rename table {} to {}", display(from), display(to)),
                            stmts,
                            lint::hazards(&Subject::RenameTable { from, to }),
                        ),
                        rank::SCHEMA,
                    )
                    .creates([ObjKey::Table(to.clone())])
                    .needs([ObjKey::Schema(to.schema.clone())]),
                );
            }
            Change::CreateEnum(_)
            | Change::AlterEnum { .. }
            | Change::RebuildEnum { .. }
            | Change::DropEnum(_) => enum_nodes(&mut out, c, changes, ctx),
            Change::DropTable(t) => drop_table(&mut out, t, changes),
            Change::DropDefault { table, column } => out.push(
                Node::new(
                    step(
                        ObjectId::table(table),
                        Action::Update,
                        format!(
                            "Drop the default of {}.{} until what it uses is rebuilt",
                            display(table),
                            quote::ident(&column.name)
                        ),
                        vec![ddl::alter_table(table, &[ddl::drop_default(&column.name)])],
                        vec![],
                    ),
                    rank::DROP_TRIGGER_POLICY,
                )
                .alters([col(table, &column.name)]),
            ),
            Change::SetDefault { table, column } => {
                let k = col(table, &column.name);
                out.push(
                    Node::new(
                        step(
                            ObjectId::table(table),
                            Action::Update,
                            format!(
                                "Set the default of {}.{} again",
                                display(table),
                                quote::ident(&column.name)
                            ),
                            vec![ddl::alter_table(
                                table,
                                &[ddl::set_default(
                                    &column.name,
                                    column.default.as_deref().unwrap_or_default(),
                                )],
                            )],
                            vec![],
                        ),
                        rank::ALTER_TABLE,
                    )
                    .creates([k.clone()])
                    .needs(ctx.desired_deps(&k)),
                );
            }
            Change::AlterTable(d) => alter_table(&mut out, d, ctx),
            _ => {}
        }
    }
    create_tables(&mut out, changes, ctx, &created);
    object_nodes(&mut out, changes, ctx);
    out
}

/// The nodes of the kinds beyond schemas, enums and tables, one file per kind.
fn object_nodes(out: &mut Vec<Node>, changes: &[Change], ctx: &Ctx) {
    for c in changes {
        if let Some(n) = super::kind::kind_op!(c, super::kind::node_of, ctx) {
            out.push(n);
            continue;
        }
        match c {
            Change::CreateSequence(_) | Change::AlterSequence { .. } | Change::DropSequence(_) => {
                sequence_nodes(out, c)
            }
            Change::CreateFunction(_)
            | Change::ReplaceFunction { .. }
            | Change::DropFunction(_) => function_nodes(out, c, ctx),
            Change::CreateAggregate(_)
            | Change::ReplaceAggregate { .. }
            | Change::DropAggregate(_) => aggregate_nodes(out, c, ctx),
            Change::CreateView(_) | Change::AlterView { .. } | Change::DropView(_) => {
                view_nodes(out, c, ctx)
            }
            Change::CreateRole(_)
            | Change::AlterRole { .. }
            | Change::DropRole(_)
            | Change::GrantMembership { .. }
            | Change::RevokeMembership { .. }
            | Change::GrantPrivileges { .. }
            | Change::RevokePrivileges { .. }
            | Change::GrantDefaults(_)
            | Change::RevokeDefaults(_) => role_nodes(out, c, ctx),
            _ => {}
        }
    }
}
