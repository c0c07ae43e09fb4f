//! Turning changes into steps with what each creates, drops, alters and needs; the graph orders
//! them (see [`super::graph`]). This file covers schemas, enums and tables; `order_objects` the
//! other kinds.

use super::Hazard;
use super::PlanDeps;
use super::graph::{Node, rank};
use super::{Action, Phase, Step};
use crate::diff::{AdoptedKey, Change, CommentKind, TableChange, TableDiff};
use crate::lint::{self, Subject};
use crate::model::{
    Column, DataType, ForeignKey, Index, Model, QualifiedName, ReplicaIdentity, Table,
};
use crate::postgres::inspect::deps::ObjKey;
use crate::postgres::{ddl, ddl_objects, names, quote};
use std::collections::{HashMap, HashSet};

pub fn table_address(q: &QualifiedName) -> String {
    format!("table.{}.{}", q.schema, q.name)
}

pub fn enum_address(q: &QualifiedName) -> String {
    format!("enum.{}.{}", q.schema, q.name)
}

pub fn schema_address(name: &str) -> String {
    format!("schema.{name}")
}

pub(super) fn step(
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
        phase: Default::default(),
    }
}

pub(super) fn display(q: &QualifiedName) -> String {
    quote::qualified(q)
}

/// What planning needs besides the changes.
pub(super) struct Ctx<'a> {
    pub current: &'a Model,
    pub desired: &'a Model,
    pub deps: &'a PlanDeps,
    /// Online mode: concurrent index builds and constraints validated outside the transaction.
    pub online: bool,
    /// Current inheritance children of each parent table (`INHERITS`).
    pub children: HashMap<QualifiedName, Vec<QualifiedName>>,
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
    pub fn desired_deps(&self, k: &ObjKey) -> Vec<ObjKey> {
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
            Change::RenameSchema { from, to } => out.push(
                Node::new(
                    step(
                        schema_address(to),
                        Action::Rename,
                        format!(
                            "Rename schema {} to {}",
                            quote::ident(from),
                            quote::ident(to)
                        ),
                        vec![format!(
                            "ALTER SCHEMA {} RENAME TO {}",
                            quote::ident(from),
                            quote::ident(to)
                        )],
                        vec![],
                    ),
                    rank::SCHEMA,
                )
                .creates([ObjKey::Schema(to.clone())]),
            ),
            Change::RenameTable { from, to } => {
                let mut stmts = Vec::new();
                if from.schema != to.schema {
                    stmts.push(format!(
                        "ALTER TABLE {} SET SCHEMA {}",
                        display(from),
                        quote::ident(&to.schema)
                    ));
                }
                if from.name != to.name {
                    stmts.push(format!(
                        "ALTER TABLE {} RENAME TO {}",
                        quote::qualified_parts(&to.schema, &from.name),
                        quote::ident(&to.name)
                    ));
                }
                out.push(
                    Node::new(
                        step(
                            table_address(to),
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
            Change::CreateSchema(s) => {
                let mut stmts = vec![ddl::create_schema(s)];
                if s.comment.is_some() {
                    stmts.push(ddl::comment_on_schema(&s.name, &s.comment));
                }
                out.push(
                    Node::new(
                        step(
                            schema_address(&s.name),
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
                        schema_address(&to.name),
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
                        schema_address(&s.name),
                        Action::Delete,
                        format!("Drop schema {}", quote::ident(&s.name)),
                        vec![ddl::drop_schema(&s.name)],
                        lint::hazards(&Subject::DropSchema { name: &s.name }),
                    ),
                    rank::DROP_SCHEMA,
                )
                .drops([ObjKey::Schema(s.name.clone())]),
            ),
            Change::CreateEnum(e) => {
                let q = QualifiedName::new(&e.schema, &e.name);
                let mut stmts = vec![ddl::create_enum(e)];
                if e.comment.is_some() {
                    stmts.push(ddl::comment_on_type(&q, &e.comment));
                }
                out.push(
                    Node::new(
                        step(
                            enum_address(&q),
                            Action::Create,
                            format!("Create enum type {}", display(&q)),
                            stmts,
                            vec![],
                        ),
                        rank::TYPES,
                    )
                    .creates([ObjKey::Type(q.clone())])
                    .needs([ObjKey::Schema(q.schema.clone())]),
                );
            }
            Change::AlterEnum { from, to, added } => {
                let q = QualifiedName::new(&to.schema, &to.name);
                let mut stmts: Vec<String> =
                    added.iter().map(|a| ddl::add_enum_value(&q, a)).collect();
                // New values are committed before the transaction, so that it can use them
                // (as a default, in a check…); not when a rename in the plan must come first.
                let renames = changes
                    .iter()
                    .any(|c| matches!(c, Change::RenameSchema { .. }));
                let phase = if renames || added.is_empty() {
                    Phase::Transaction
                } else {
                    Phase::Before
                };
                if from.comment != to.comment {
                    stmts.push(ddl::comment_on_type(&q, &to.comment));
                }
                out.push(
                    Node::new(
                        step(
                            enum_address(&q),
                            Action::Update,
                            format!("Add values to enum type {}", display(&q)),
                            stmts,
                            vec![],
                        ),
                        rank::TYPES,
                    )
                    .alters([ObjKey::Type(q)])
                    .phase(phase, None),
                );
            }
            Change::RebuildEnum { from, to } => out.push(rebuild_enum(from, to, ctx)),
            Change::DropEnum(e) => {
                let q = QualifiedName::new(&e.schema, &e.name);
                out.push(
                    Node::new(
                        step(
                            enum_address(&q),
                            Action::Delete,
                            format!("Drop enum type {}", display(&q)),
                            vec![ddl::drop_enum(&q)],
                            vec![],
                        ),
                        rank::DROP_TYPES,
                    )
                    .drops([ObjKey::Type(q)]),
                );
            }
            Change::DropTable(t) => drop_table(&mut out, t, changes),
            Change::DropDefault { table, column } => out.push(
                Node::new(
                    step(
                        table_address(table),
                        Action::Update,
                        format!(
                            "Drop the default of {}.{} until what it uses is rebuilt",
                            display(table),
                            quote::ident(&column.name)
                        ),
                        vec![ddl::alter_table(
                            table,
                            &[format!(
                                "ALTER COLUMN {} DROP DEFAULT",
                                quote::ident(&column.name)
                            )],
                        )],
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
                            table_address(table),
                            Action::Update,
                            format!(
                                "Set the default of {}.{} again",
                                display(table),
                                quote::ident(&column.name)
                            ),
                            vec![ddl::alter_table(
                                table,
                                &[format!(
                                    "ALTER COLUMN {} SET DEFAULT {}",
                                    quote::ident(&column.name),
                                    column.default.clone().unwrap_or_default()
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
    super::order_objects::nodes(&mut out, changes, ctx);
    out
}

fn rebuild_enum(from: &crate::model::Enum, to: &crate::model::Enum, ctx: &Ctx) -> Node {
    let q = QualifiedName::new(&to.schema, &to.name);
    let old = names::clip(
        &format!("{}__strata_old", to.name),
        names::MAX_IDENTIFIER_BYTES,
    )
    .to_string();
    let mut stmts = ddl_objects::rebuild_enum_start(to, &old);
    let mut columns = Vec::new();
    let is_this = |t: &DataType| t.named() == Some(&q);
    for t in ctx.current.tables() {
        let Some(want) = ctx.desired.table(&t.qualified()) else {
            continue;
        };
        for c in &t.columns {
            let Some(wc) = want.column(&c.name) else {
                continue;
            };
            if !is_this(&c.ty) || !is_this(&wc.ty) {
                continue;
            }
            let tq = t.qualified();
            let cname = quote::ident(&c.name);
            let target = crate::postgres::types::storage_sql(&wc.ty);
            let cast = if matches!(wc.ty, DataType::Array(_)) {
                "text[]"
            } else {
                "text"
            };
            let mut clauses = Vec::new();
            if c.default.is_some() {
                clauses.push(format!("ALTER COLUMN {cname} DROP DEFAULT"));
            }
            clauses.push(format!(
                "ALTER COLUMN {cname} TYPE {target} USING {cname}::{cast}::{target}"
            ));
            if let Some(d) = &wc.default {
                clauses.push(format!("ALTER COLUMN {cname} SET DEFAULT {d}"));
            }
            stmts.push(ddl::alter_table(&tq, &clauses));
            columns.push(col(&tq, &c.name));
        }
    }
    stmts.push(format!(
        "DROP TYPE {}",
        quote::qualified_parts(&to.schema, &old)
    ));
    let removed: Vec<String> = from
        .values
        .iter()
        .filter(|v| !to.values.contains(v))
        .cloned()
        .collect();
    let hz = lint::hazards(&Subject::RebuildEnum {
        name: &q,
        removed: &removed,
    });
    Node::new(
        step(
            enum_address(&q),
            Action::Replace,
            format!("Rebuild enum type {} and convert its columns", display(&q)),
            stmts,
            hz,
        ),
        rank::TYPES,
    )
    .drops([ObjKey::Type(q.clone())].into_iter().chain(columns.clone()))
    .creates([ObjKey::Type(q)].into_iter().chain(columns))
}

fn create_tables(
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
                let generated = names::partition_index(&t.name, &ix.parts, &ix.include);
                stmts.push(ddl::rename_index(&t.schema, &generated, &ix.name));
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
        let mut needs = vec![ObjKey::Schema(q.schema.clone())];
        for c in &t.columns {
            needs.extend(type_needs(&c.ty));
            needs.extend(collation_needs(ctx, c.collation.as_deref()));
        }
        for k in &keys {
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
        for fk in &inline {
            if fk.ref_table != q {
                needs.extend(fk_needs(fk, ctx.desired));
            }
        }
        out.push(
            Node::new(
                step(
                    table_address(&q),
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
            let mut stmts = vec![ddl::alter_table(
                &q,
                &[ddl::add_constraint_as_declared(
                    ddl::foreign_key_def(fk),
                    fk.not_valid,
                )],
            )];
            if fk.comment.is_some() {
                stmts.push(ddl::comment_on_constraint(&q, &fk.name, &fk.comment));
            }
            out.push(
                Node::new(
                    step(
                        table_address(&q),
                        Action::Create,
                        format!(
                            "Add foreign key {} to {}",
                            quote::ident(&fk.name),
                            display(&q)
                        ),
                        stmts,
                        vec![],
                    ),
                    rank::ADD_FK,
                )
                .creates([con(&q, &fk.name)])
                .needs(
                    [ObjKey::Table(q.clone())]
                        .into_iter()
                        .chain(fk_needs(fk, ctx.desired)),
                ),
            );
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

fn drop_table(out: &mut Vec<Node>, t: &Table, changes: &[Change]) {
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
                    table_address(&q),
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
                table_address(&q),
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

/// Name of the temporary check online mode uses to set NOT NULL without a long lock.
fn not_null_check_name(column: &str) -> String {
    let mut name = format!("{column}_strata_not_null");
    while name.len() > 63 {
        name.pop();
    }
    name
}

/// Online mode: a unique index built concurrently (phase 2), then attached as a `kind`
/// (`UNIQUE` or `PRIMARY KEY`) constraint. A unique constraint is attached right after it in
/// phase 2 (a brief catalog change), so foreign keys that reference it are added and validated
/// online too; a primary key waits for the final transaction, where its columns' NOT NULL
/// (itself set through a validated check) is already in place.
#[allow(clippy::too_many_arguments)]
fn online_unique(
    out: &mut Vec<Node>,
    q: &QualifiedName,
    kind: &str,
    name: &str,
    columns: &[String],
    include: &[String],
    nulls_distinct: bool,
    deferrable: crate::model::Deferrable,
    comment: &Option<String>,
    mut hazards: Vec<Hazard>,
) {
    let addr = table_address(q);
    let ix = crate::model::Index {
        name: name.to_string(),
        unique: true,
        method: "btree".into(),
        parts: columns
            .iter()
            .map(|c| crate::model::IndexPart::column(c.clone()))
            .collect(),
        include: include.to_vec(),
        predicate: None,
        nulls_distinct,
        comment: None,
        storage_params: Default::default(),
        invalid: false,
    };
    hazards.extend(lint::hazards(&Subject::Online {
        table: q,
        what: &format!("builds unique index \"{name}\" concurrently"),
    }));
    let ik = ObjKey::Index(q.clone(), name.to_string());
    let mut needs = vec![ObjKey::Table(q.clone())];
    needs.extend(columns.iter().chain(include).map(|c| col(q, c)));
    out.push(
        Node::new(
            step(
                addr.clone(),
                Action::Update,
                format!(
                    "Build the index of {} {} on {} concurrently",
                    kind.to_lowercase(),
                    quote::ident(name),
                    display(q)
                ),
                vec![ddl::create_index_concurrently(q, &ix)],
                hazards,
            ),
            rank::CREATE_INDEX,
        )
        .creates([ik.clone()])
        .needs(needs)
        .phase(Phase::Online, Some(vec![ddl::create_index(q, &ix)])),
    );
    let mut stmts = vec![ddl::alter_table(
        q,
        &[ddl::add_constraint_using_index(
            kind,
            name,
            name,
            deferrable.sql(),
        )],
    )];
    if comment.is_some() {
        stmts.push(ddl::comment_on_constraint(q, name, comment));
    }
    out.push(
        Node::new(
            step(
                addr,
                Action::Update,
                format!(
                    "Add {} {} to {} using its new index",
                    kind.to_lowercase(),
                    quote::ident(name),
                    display(q)
                ),
                stmts,
                vec![],
            ),
            rank::ADD_FK,
        )
        .creates([con(q, name)])
        .needs([ik])
        .phase(
            if kind == "UNIQUE" {
                Phase::Online
            } else {
                Phase::Final
            },
            None,
        ),
    );
}

/// Online mode: `VALIDATE CONSTRAINT` outside the transaction, after the constraint was added
/// `NOT VALID`.
fn online_validate(out: &mut Vec<Node>, q: &QualifiedName, name: &str, what: &str) {
    out.push(
        Node::new(
            step(
                table_address(q),
                Action::Update,
                format!("Validate {what} {} on {}", quote::ident(name), display(q)),
                vec![ddl::validate_constraint(q, name)],
                lint::hazards(&Subject::Online {
                    table: q,
                    what: &format!("validates {what} \"{name}\""),
                }),
            ),
            rank::ADD_FK,
        )
        .needs([con(q, name)])
        .phase(Phase::Online, None),
    );
}

/// The parent's index that partition `t`'s index `ix` is attached to, when `t` is a partition
/// and its parent has an index of the same definition.
fn parent_index_of(ctx: &Ctx, t: &Table, ix: &Index) -> Option<(QualifiedName, String)> {
    let parent = ctx.desired.table(&t.partition_of.as_ref()?.parent)?;
    parent
        .indexes
        .iter()
        .find(|theirs| {
            Index {
                name: theirs.name.clone(),
                comment: theirs.comment.clone(),
                ..ix.clone()
            } == **theirs
        })
        .map(|theirs| (parent.qualified(), theirs.name.clone()))
}

/// The partitions' own indexes that an index created on partitioned table `q` attaches
/// (PostgreSQL takes a matching index a partition has instead of building one): they are
/// created first, so the partition keeps the name the schema gives it.
fn partition_indexes_to_adopt(ctx: &Ctx, q: &QualifiedName, ix: &Index) -> Vec<ObjKey> {
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
                .filter(|own| {
                    Index {
                        name: ix.name.clone(),
                        comment: ix.comment.clone(),
                        ..(*own).clone()
                    } == *ix
                })
                .map(|own| ObjKey::Index(t.qualified(), own.name.clone()))
        })
        .collect()
}

fn alter_table(out: &mut Vec<Node>, d: &TableDiff, ctx: &Ctx) {
    let q = d.to.qualified();
    let addr = table_address(&q);
    // PostgreSQL builds no index concurrently on a partitioned table and takes no NOT VALID
    // foreign key there; partitions follow their parent.
    let online = ctx.online && d.to.partition.is_none() && d.to.partition_of.is_none();
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
    let mut main = Node::new(
        step(
            addr.clone(),
            Action::Update,
            format!("Modify table {}", display(&q)),
            vec![],
            vec![],
        ),
        rank::ALTER_TABLE,
    )
    .alters([ObjKey::Table(q.clone())])
    .needs([ObjKey::Table(q.clone())]);

    // Column changes of a parent reach its inheritance children: the hazards say so.
    let child_tables: &[QualifiedName] = ctx.children.get(&q).map_or(&[], Vec::as_slice);
    let children: Vec<String> = child_tables.iter().map(display).collect();
    for c in &d.changes {
        let mut change_hazards = lint::hazards(&Subject::AlterTable {
            table: &d.to,
            change: c,
            online,
        });
        if !children.is_empty()
            && matches!(
                c,
                TableChange::AddColumn(_)
                    | TableChange::DropColumn(_)
                    | TableChange::AlterColumn { .. }
            )
        {
            for h in &mut change_hazards {
                h.message.push_str(&format!(
                    ", and in its child tables {}",
                    children.join(", ")
                ));
            }
        }
        match c {
            TableChange::SetComment { to, .. } => post.push(ddl::comment_on_table(&q, to)),
            TableChange::AddColumn(c) => {
                hz.extend(change_hazards);
                clauses.push(ddl::add_column(c));
                if c.comment.is_some() {
                    post.push(ddl::comment_on_column(&q, &c.name, &c.comment));
                }
                post.extend(ddl::column_settings(&q, c));
                let k = col(&q, &c.name);
                main.needs.extend(type_needs(&c.ty));
                main.needs
                    .extend(collation_needs(ctx, c.collation.as_deref()));
                main.needs.extend(ctx.desired_deps(&k));
                main.creates.push(k);
            }
            TableChange::DropColumn(c) => {
                hz.extend(change_hazards);
                column_drops.push(ddl::drop_column(&c.name));
                main.drops.push(col(&q, &c.name));
                // The drop reaches the children that have the column only from this table.
                for child in child_tables {
                    if ctx
                        .current
                        .table(child)
                        .is_some_and(|t| t.column(&c.name).is_none())
                    {
                        main.drops.push(col(child, &c.name));
                    }
                }
            }
            TableChange::AlterColumn { from, to } => {
                hz.extend(change_hazards);
                // Online: NOT NULL through a validated check (no scan under the lock).
                let online_not_null =
                    online && from.nullable && !to.nullable && to.generated.is_none();
                let relaxed = Column {
                    nullable: true,
                    ..to.clone()
                };
                if online_not_null {
                    let tmp = not_null_check_name(&to.name);
                    clauses.push(format!(
                        "ADD CONSTRAINT {} CHECK ({} IS NOT NULL) NOT VALID",
                        quote::ident(&tmp),
                        quote::ident(&to.name)
                    ));
                    main.creates.push(con(&q, &tmp));
                    online_validate(out, &q, &tmp, "the NOT NULL check");
                    out.push(
                        Node::new(
                            step(
                                addr.clone(),
                                Action::Update,
                                format!(
                                    "Set {} NOT NULL on {} using the validated check",
                                    quote::ident(&to.name),
                                    display(&q)
                                ),
                                vec![
                                    ddl::alter_table(
                                        &q,
                                        &[format!(
                                            "ALTER COLUMN {} SET NOT NULL",
                                            quote::ident(&to.name)
                                        )],
                                    ),
                                    ddl::alter_table(&q, &[ddl::drop_constraint(&tmp)]),
                                ],
                                vec![],
                            ),
                            rank::ADD_FK,
                        )
                        .alters([col(&q, &to.name)])
                        .needs([con(&q, &tmp)])
                        .phase(Phase::Final, None),
                    );
                }
                alter_column(
                    ctx,
                    &q,
                    from,
                    if online_not_null { &relaxed } else { to },
                    &mut column_drops,
                    &mut clauses,
                    &mut pre_post,
                    &mut post,
                );
                let k = col(&q, &to.name);
                let rebuilt = from.ty.storage() != to.ty.storage()
                    || from.collation != to.collation
                    || (to.generated.is_some() && from.generated != to.generated);
                if rebuilt {
                    main.drops.push(k.clone());
                    main.creates.push(k.clone());
                } else {
                    main.alters.push(k.clone());
                    main.creates.push(k.clone());
                }
                main.needs.extend(type_needs(&to.ty));
                main.needs
                    .extend(collation_needs(ctx, to.collation.as_deref()));
                main.needs.extend(ctx.desired_deps(&k));
            }
            TableChange::DropPrimaryKey(pk) => {
                drop_clauses.push(ddl::drop_constraint(&pk.name));
                main.drops.push(con(&q, &pk.name));
            }
            TableChange::DropUnique(u) => {
                drop_clauses.push(ddl::drop_constraint(&u.name));
                main.drops.push(con(&q, &u.name));
            }
            TableChange::DropCheck(ch) => {
                if let Some(n) = &ch.name {
                    drop_clauses.push(ddl::drop_constraint(n));
                    main.drops.push(con(&q, n));
                }
            }
            TableChange::DropExclude(x) => {
                drop_clauses.push(ddl::drop_constraint(&x.name));
                main.drops.push(con(&q, &x.name));
            }
            TableChange::AddPrimaryKey(pk) if online => online_unique(
                out,
                &q,
                "PRIMARY KEY",
                &pk.name,
                &pk.columns,
                &pk.include,
                true,
                pk.deferrable,
                &pk.comment,
                change_hazards,
            ),
            TableChange::AddUnique(u) if online => online_unique(
                out,
                &q,
                "UNIQUE",
                &u.name,
                &u.columns,
                &u.include,
                u.nulls_distinct,
                u.deferrable,
                &u.comment,
                change_hazards,
            ),
            TableChange::AddCheck(ch) if online && ch.name.is_some() && !ch.not_valid => {
                hz.extend(change_hazards);
                let n = ch.name.clone().unwrap_or_default();
                clauses.push(format!(
                    "{} NOT VALID",
                    ddl::add_constraint(ddl::check_def(ch))
                ));
                if ch.comment.is_some() {
                    post.push(ddl::comment_on_constraint(&q, &n, &ch.comment));
                }
                let k = con(&q, &n);
                main.needs.extend(ctx.desired_deps(&k));
                main.creates.push(k);
                online_validate(out, &q, &n, "check");
            }
            TableChange::AddPrimaryKey(pk) => {
                hz.extend(change_hazards);
                clauses.push(ddl::add_constraint(ddl::primary_key_def(pk)));
                if pk.comment.is_some() {
                    post.push(ddl::comment_on_constraint(&q, &pk.name, &pk.comment));
                }
                main.creates.push(con(&q, &pk.name));
            }
            TableChange::AddUnique(u) => {
                hz.extend(change_hazards);
                clauses.push(ddl::add_constraint(ddl::unique_def(u)));
                if u.comment.is_some() {
                    post.push(ddl::comment_on_constraint(&q, &u.name, &u.comment));
                }
                main.creates.push(con(&q, &u.name));
            }
            TableChange::AddCheck(ch) => {
                hz.extend(change_hazards);
                clauses.push(ddl::add_constraint_as_declared(
                    ddl::check_def(ch),
                    ch.not_valid,
                ));
                if let Some(n) = &ch.name {
                    if ch.comment.is_some() {
                        post.push(ddl::comment_on_constraint(&q, n, &ch.comment));
                    }
                    let k = con(&q, n);
                    main.needs.extend(ctx.desired_deps(&k));
                    main.creates.push(k);
                }
            }
            TableChange::AddExclude(x) => {
                hz.extend(change_hazards);
                clauses.push(ddl::add_constraint(ddl_objects::exclude_def(x)));
                if x.comment.is_some() {
                    post.push(ddl::comment_on_constraint(&q, &x.name, &x.comment));
                }
                let k = con(&q, &x.name);
                main.needs.extend(ctx.desired_deps(&k));
                main.creates.push(k);
            }
            TableChange::DropForeignKey(fk) => fk_drops.push((fk, change_hazards)),
            TableChange::AddForeignKey(fk) => new_fks.push((fk, change_hazards)),
            TableChange::DropIndex(ix) => index_drops.push((
                ddl::drop_index(&q.schema, &ix.name),
                ObjKey::Index(q.clone(), ix.name.clone()),
            )),
            TableChange::AddIndex(ix) => new_indexes.push((ix, change_hazards)),
            TableChange::AdoptIndex { index, key } => {
                hz.extend(change_hazards);
                let (kind, name, deferrable, comment) = match key {
                    AdoptedKey::Primary(pk) => {
                        ("PRIMARY KEY", &pk.name, pk.deferrable, &pk.comment)
                    }
                    AdoptedKey::Unique(u) => ("UNIQUE", &u.name, u.deferrable, &u.comment),
                };
                clauses.push(ddl::add_constraint_using_index(
                    kind,
                    name,
                    index,
                    deferrable.sql(),
                ));
                if comment.is_some() {
                    post.push(ddl::comment_on_constraint(&q, name, comment));
                }
                main.drops.push(ObjKey::Index(q.clone(), index.clone()));
                main.creates.push(con(&q, name));
            }
            TableChange::RenameConstraint { from, to } => {
                renames.push(ddl::rename_constraint(&q, from, to));
                main.drops.push(con(&q, from));
                main.creates.push(con(&q, to));
            }
            TableChange::RenameColumn { from, to } => {
                hz.extend(lint::hazards(&Subject::RenameColumn {
                    table: &q,
                    from,
                    to,
                }));
                renames.push(format!(
                    "ALTER TABLE {} RENAME COLUMN {} TO {}",
                    display(&q),
                    quote::ident(from),
                    quote::ident(to)
                ));
                main.creates.push(col(&q, to));
            }
            TableChange::RenameIndex { from, to } => {
                renames.push(ddl::rename_index(&q.schema, from, to));
                main.drops.push(ObjKey::Index(q.clone(), from.clone()));
                main.creates.push(ObjKey::Index(q.clone(), to.clone()));
            }
            TableChange::CommentOn { kind, name, to, .. } => post.push(match kind {
                CommentKind::Constraint => ddl::comment_on_constraint(&q, name, to),
                CommentKind::Index => ddl::comment_on_index(&q.schema, name, to),
            }),
            TableChange::SetRowSecurity {
                enabled,
                forced,
                was_enabled,
                was_forced,
            } => {
                hz.extend(change_hazards);
                post.extend(ddl_objects::row_security(
                    &q,
                    *enabled,
                    *forced,
                    *was_enabled,
                    *was_forced,
                ));
            }
            // After the index it names exists (new indexes are steps of their own).
            TableChange::SetReplicaIdentity { to, .. } => {
                let mut needs = vec![ObjKey::Table(q.clone())];
                if let ReplicaIdentity::Index(ix) = to {
                    needs.push(ObjKey::Index(q.clone(), ix.clone()));
                    needs.push(con(&q, ix));
                }
                out.push(
                    Node::new(
                        step(
                            addr.clone(),
                            Action::Update,
                            format!("Set the replica identity of {}", display(&q)),
                            vec![ddl::replica_identity(&q, to)],
                            change_hazards,
                        ),
                        rank::ADD_FK,
                    )
                    .alters([ObjKey::Table(q.clone())])
                    .needs(needs),
                );
            }
            TableChange::SetStorageParams { from, to } => {
                hz.extend(change_hazards);
                clauses.extend(ddl::storage_param_clauses(from, to));
            }
            TableChange::SetIndexStorageParams { index, from, to } => {
                hz.extend(change_hazards);
                post.push(ddl::alter_index_params(
                    &q.schema,
                    index,
                    &ddl::storage_param_clauses(from, to),
                ));
            }
            TableChange::ValidateConstraint(name) => {
                hz.extend(change_hazards);
                // Scans the table under SHARE UPDATE EXCLUSIVE: writes go on.
                clauses.push(ddl::validate_clause(name));
            }
            TableChange::SetLogged { unlogged } => {
                hz.extend(change_hazards);
                clauses.push(if *unlogged {
                    "SET UNLOGGED".to_string()
                } else {
                    "SET LOGGED".to_string()
                });
            }
            // Detach before the parent changes (its new columns must not reach a table that
            // leaves), attach after both sides have their final columns.
            TableChange::Attach(p) => out.push(
                Node::new(
                    step(
                        addr.clone(),
                        Action::Update,
                        format!("Attach {} to {}", display(&q), display(&p.parent)),
                        vec![ddl_objects::attach_partition(&q, p)],
                        vec![],
                    ),
                    rank::ADD_FK,
                )
                .alters([ObjKey::Table(q.clone()), ObjKey::Table(p.parent.clone())])
                .needs([ObjKey::Table(q.clone()), ObjKey::Table(p.parent.clone())]),
            ),
            // Leave a parent before either side changes; join one once both have their final
            // columns (the child must already have the parent's).
            TableChange::NoInherit(p) => out.push(
                Node::new(
                    step(
                        addr.clone(),
                        Action::Update,
                        format!("Stop inheriting {} from {}", display(&q), display(p)),
                        vec![ddl::alter_table(
                            &q,
                            &[format!("NO INHERIT {}", quote::qualified(p))],
                        )],
                        vec![],
                    ),
                    rank::DROP_INDEX,
                )
                .alters([ObjKey::Table(q.clone()), ObjKey::Table(p.clone())]),
            ),
            TableChange::Inherit(p) => out.push(
                Node::new(
                    step(
                        addr.clone(),
                        Action::Update,
                        format!("Inherit {} from {}", display(&q), display(p)),
                        vec![ddl::alter_table(
                            &q,
                            &[format!("INHERIT {}", quote::qualified(p))],
                        )],
                        vec![],
                    ),
                    rank::ADD_FK,
                )
                .alters([ObjKey::Table(q.clone()), ObjKey::Table(p.clone())])
                .needs([ObjKey::Table(q.clone()), ObjKey::Table(p.clone())]),
            ),
            TableChange::Detach(p) => out.push(
                Node::new(
                    step(
                        addr.clone(),
                        Action::Update,
                        format!("Detach {} from {}", display(&q), display(&p.parent)),
                        vec![ddl_objects::detach_partition(&q, p)],
                        vec![],
                    ),
                    rank::DROP_INDEX,
                )
                .alters([ObjKey::Table(q.clone()), ObjKey::Table(p.parent.clone())]),
            ),
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
        out.push(
            Node::new(
                step(
                    addr.clone(),
                    Action::Update,
                    format!("Drop foreign key {} of {}", names.join(", "), display(&q)),
                    vec![ddl::alter_table(&q, &clauses)],
                    h,
                ),
                rank::DROP_FK,
            )
            .drops(fk_drops.iter().map(|(fk, _)| con(&q, &fk.name))),
        );
    }
    if !index_drops.is_empty() {
        out.push(
            Node::new(
                step(
                    addr.clone(),
                    Action::Update,
                    format!("Drop indexes of {}", display(&q)),
                    index_drops.iter().map(|(s, _)| s.clone()).collect(),
                    vec![],
                ),
                rank::DROP_INDEX,
            )
            .drops(index_drops.iter().map(|(_, k)| k.clone())),
        );
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
        main.step.statements = stmts;
        main.step.hazards = hz;
        out.push(main);
    }
    for (ix, mut h) in new_indexes {
        let mut stmts = vec![ddl::create_index(&q, ix)];
        if ix.comment.is_some() {
            stmts.push(ddl::comment_on_index(&q.schema, &ix.name, &ix.comment));
        }
        let (phase, fallback) = if online {
            let fallback = stmts.clone();
            stmts[0] = ddl::create_index_concurrently(&q, ix);
            h.extend(lint::hazards(&Subject::Online {
                table: &q,
                what: &format!("builds index \"{}\" concurrently", ix.name),
            }));
            (Phase::Online, Some(fallback))
        } else {
            (Phase::Transaction, None)
        };
        let k = ObjKey::Index(q.clone(), ix.name.clone());
        let mut needs = vec![ObjKey::Table(q.clone())];
        needs.extend(ix.parts.iter().filter_map(|p| match &p.key {
            crate::model::IndexKey::Column(c) => Some(col(&q, c)),
            crate::model::IndexKey::Expr(_) => None,
        }));
        needs.extend(ctx.desired_deps(&k));
        needs.extend(partition_indexes_to_adopt(ctx, &q, ix));
        out.push(
            Node::new(
                step(
                    addr.clone(),
                    Action::Update,
                    format!("Create index {} on {}", quote::ident(&ix.name), display(&q)),
                    stmts,
                    h,
                ),
                rank::CREATE_INDEX,
            )
            .creates([k])
            .needs(needs)
            .phase(phase, fallback),
        );
    }
    for (fk, h) in new_fks {
        let mut def = ddl::add_constraint_as_declared(ddl::foreign_key_def(fk), fk.not_valid);
        if online && !fk.not_valid {
            def.push_str(" NOT VALID");
            online_validate(out, &q, &fk.name, "foreign key");
        }
        // Online, a key it references may be attached in phase 2: then the foreign key is
        // added there too (NOT VALID is a brief catalog change), else it stays in phase 1.
        let references_online_key = online
            && ctx.current.table(&fk.ref_table).is_some_and(|cur| {
                let has = |cols: &[String]| {
                    cur.primary_key.as_ref().is_some_and(|p| p.columns == cols)
                        || cur.uniques.iter().any(|u| u.columns == cols)
                };
                !has(&fk.ref_columns)
            });
        let mut stmts = vec![ddl::alter_table(&q, &[def])];
        if fk.comment.is_some() {
            stmts.push(ddl::comment_on_constraint(&q, &fk.name, &fk.comment));
        }
        let mut needs = vec![ObjKey::Table(q.clone())];
        needs.extend(fk.columns.iter().map(|c| col(&q, c)));
        needs.extend(fk_needs(fk, ctx.desired));
        out.push(
            Node::new(
                step(
                    addr.clone(),
                    Action::Update,
                    format!(
                        "Add foreign key {} to {}",
                        quote::ident(&fk.name),
                        display(&q)
                    ),
                    stmts,
                    h,
                ),
                rank::ADD_FK,
            )
            .creates([con(&q, &fk.name)])
            .needs(needs)
            .phase(
                if references_online_key {
                    Phase::Online
                } else {
                    Phase::Transaction
                },
                None,
            ),
        );
    }
}

/// Clauses and extra statements for one column change.
#[allow(clippy::too_many_arguments)]
fn alter_column(
    ctx: &Ctx,
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
    if let (Some(a), Some(b)) = (&from.identity, &to.identity)
        && let Some(change) = ddl::identity_options_change(q, &to.name, a, b)
    {
        after.push(change);
    }
    if from.storage.is_some() && to.storage.is_none() {
        after.push(ddl::reset_storage(q, &to.name));
    }
    match (&from.ty, &to.ty) {
        (DataType::Serial(_), DataType::Serial(b)) if from.ty != to.ty => {
            after.push(ddl::with_serial_sequence(
                q,
                &to.name,
                &format!("ALTER SEQUENCE %s AS {}", b.integer_type()),
            ));
        }
        (DataType::Serial(_), _) => {
            // Kept when the configuration declares it (the diff alters it instead).
            let seq = names::make_object_name(&q.name, Some(&to.name), "seq");
            if ctx
                .desired
                .schemas
                .get(&q.schema)
                .is_none_or(|s| !s.sequences.contains_key(&seq))
            {
                after.push(ddl::with_serial_sequence(q, &to.name, "DROP SEQUENCE %s"));
            }
        }
        (_, DataType::Serial(k)) => {
            let seq = names::make_object_name(&q.name, Some(&to.name), "seq");
            let exists = ctx
                .current
                .schemas
                .get(&q.schema)
                .is_some_and(|s| s.sequences.contains_key(&seq));
            if exists {
                // The column already draws from a sequence of that name: adopt it.
                after.push(format!(
                    "ALTER SEQUENCE {} AS {} OWNED BY {}.{}",
                    quote::qualified_parts(&q.schema, &seq),
                    k.integer_type(),
                    display(q),
                    quote::ident(&to.name)
                ));
                after.push(ddl::alter_table(
                    q,
                    &[format!(
                        "ALTER COLUMN {} SET DEFAULT nextval({}::regclass)",
                        quote::ident(&to.name),
                        quote::literal(&quote::qualified_parts(&q.schema, &seq))
                    )],
                ));
            } else {
                after.extend(ddl::make_serial(q, &to.name, &seq, k.integer_type()));
            }
        }
        _ => {}
    }
    if from.comment != to.comment {
        comments.push(ddl::comment_on_column(q, &to.name, &to.comment));
    }
}
