//! Typed changes → an ordered, executable [`Plan`]: SQL steps in dependency order, each with its
//! hazards, plus a per-object description for reviewers. A plan is plain data: it serializes to
//! JSON and can be saved and applied later.

pub(crate) mod describe;
mod describe_objects;
pub(crate) mod graph;
mod kind;
pub(crate) mod order;
pub(crate) mod recreate;
pub mod saved;

pub(crate) use crate::lint::{Category, Hazard};

use crate::diff::Change;
use crate::model::{Model, ObjectId, QualifiedName};
use crate::postgres::inspect::deps::{Deps, ObjKey};
use crate::postgres::types;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What happens to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Action {
    Create,
    Update,
    Delete,
    /// Dropped and created again.
    Replace,
    /// Renamed, definition unchanged.
    Rename,
}

/// When a step runs. Plans run in one transaction unless online mode moved steps out of it:
/// first the transaction, then the online statements one by one, then a final transaction
/// for what depends on them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Committed on its own before the transaction: enum values added (`ALTER TYPE … ADD
    /// VALUE`), which PostgreSQL lets the transaction use only once committed. Adding a value
    /// loses nothing, so it may stay when the transaction fails.
    Before,
    #[default]
    Transaction,
    /// Outside any transaction (`CREATE INDEX CONCURRENTLY`, `VALIDATE CONSTRAINT`).
    Online,
    /// In a second transaction after the online statements.
    Final,
}

/// One executable step: the statements that make one change to one object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The object the step changes; serialized as its address, e.g. `table.public.users`.
    pub(crate) object: ObjectId,
    pub(crate) action: Action,
    /// What the step does, in words: `Create table "public"."users"`.
    pub description: String,
    /// SQL statements, without trailing semicolons.
    pub statements: Vec<String>,
    pub hazards: Vec<Hazard>,
    #[serde(default)]
    pub phase: Phase,
}

impl Step {
    pub fn is_destructive(&self) -> bool {
        self.hazards.iter().any(Hazard::is_data_loss)
    }
}

/// A changed attribute of an object, for display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct AttrChange {
    pub(crate) name: String,
    pub(crate) old: Option<String>,
    pub(crate) new: Option<String>,
}

/// A line diff of a text attribute: lines start with `- `, `+ ` or two spaces (context);
/// `…` separates distant hunks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct TextDiff {
    pub(crate) attr: String,
    pub(crate) lines: Vec<String>,
}

/// What a reviewer sees for one object: what happens to it, which attributes change, what
/// happens to the things inside it, and the steps that do it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ObjectChange {
    /// `table.public.users`, or for nested objects `column.email` (serialized as text).
    pub(crate) address: ObjectId,
    /// `table`, `column`, `index`, …
    pub(crate) kind: String,
    /// How the object is labelled in HCL, e.g. `"users"`.
    pub(crate) label: String,
    pub(crate) action: Action,
    /// Why, when it is not obvious (`renamed from "x"`, `depends on a changed key`).
    pub(crate) reason: Option<String>,
    pub(crate) attrs: Vec<AttrChange>,
    /// Line diffs of long texts that changed (a view's query, a routine's body): `attrs`
    /// shows them cut short, so the change itself could be out of sight.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) text_diffs: Vec<TextDiff>,
    /// Full texts of long attributes of a created or dropped object, so that a drop and a
    /// create merged into a replacement can show their line diff; empty once merged.
    #[serde(skip)]
    pub(crate) texts: Vec<(String, String)>,
    pub(crate) children: Vec<ObjectChange>,
    pub(crate) hazards: Vec<Hazard>,
    /// Indexes into [`Plan::steps`].
    pub(crate) steps: Vec<usize>,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub add: usize,
    pub(crate) change: usize,
    pub(crate) destroy: usize,
}

/// A complete plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub(crate) format_version: u32,
    pub(crate) strata_version: String,
    pub(crate) created_at: DateTime<Utc>,
    /// Env name the plan was made for, if any.
    pub(crate) env: Option<String>,
    /// Target URL with the password masked.
    pub(crate) target: String,
    /// The target's identity (`postgres::inspect::database_identity`): a saved plan applied
    /// elsewhere is refused as made for another database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) database: Option<String>,
    /// Schemas the plan manages.
    pub(crate) schemas: Vec<String>,
    /// `exclude` globs in effect when the plan was made.
    #[serde(default)]
    pub(crate) exclude: Vec<String>,
    /// The roles (and privileges) the plan manages (a saved plan re-inspects with them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) roles: Option<crate::model::RoleScope>,
    /// Whether the plan was made in online mode (steps run in phases).
    #[serde(default)]
    pub(crate) online: bool,
    /// Fingerprint of the inspected current schema; apply refuses if it no longer matches.
    pub(crate) fingerprint: String,
    pub(crate) objects: Vec<ObjectChange>,
    pub steps: Vec<Step>,
    pub summary: Summary,
    /// Advice for the reviewer, e.g. a drop and an add that look like a rename.
    #[serde(default)]
    pub hints: Vec<String>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// All hazards of all steps, with the index of their step.
    pub fn hazards(&self) -> impl Iterator<Item = (usize, &Hazard)> {
        self.steps
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.hazards.iter().map(move |h| (i, h)))
    }

    /// Every statement in order.
    pub fn statements(&self) -> impl Iterator<Item = &str> {
        self.steps
            .iter()
            .flat_map(|s| s.statements.iter().map(String::as_str))
    }
}

/// Fingerprint of a model: SHA-256 of its canonical JSON.
pub(crate) fn fingerprint(model: &Model) -> String {
    // The JSON streams into the hash: a large schema is never held as text.
    struct HashWriter(Sha256);
    impl std::io::Write for HashWriter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut w = HashWriter(Sha256::new());
    // Serializing plain data into a hash cannot fail; an error would only weaken the check.
    let _ = serde_json::to_writer(&mut w, model);
    let digest = w.0.finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Context recorded in a plan.
#[derive(Debug, Clone, Default)]
pub struct PlanContext {
    pub(crate) env: Option<String>,
    pub(crate) target: String,
    /// The target's identity, when known.
    pub(crate) database: Option<String>,
    pub(crate) schemas: Vec<String>,
    /// `exclude` globs the plan was made with (a saved plan re-inspects with them).
    pub(crate) exclude: Vec<String>,
    /// Online mode: build indexes concurrently and validate constraints outside the
    /// transaction.
    pub(crate) online: bool,
    /// The roles (and privileges) managed.
    pub(crate) roles: Option<crate::model::RoleScope>,
}

/// Dependencies of the current database and of the desired schema (as normalized).
#[derive(Debug, Clone, Default)]
pub struct PlanDeps {
    pub(crate) current: Deps,
    pub(crate) desired: Deps,
}

/// Adds the dependencies the model itself states: columns on their types, foreign keys on the
/// tables they reference, triggers on their functions, partitions on their parents.
pub(crate) fn model_deps(model: &Model, deps: &mut Deps) {
    for t in model.tables() {
        let q = t.qualified();
        for c in &t.columns {
            if let Some(n) = c.ty.named() {
                deps.add(
                    ObjKey::Column(q.clone(), c.name.clone()),
                    ObjKey::Type(n.clone()),
                );
            }
        }
        for fk in &t.foreign_keys {
            deps.add(
                ObjKey::Constraint(q.clone(), fk.name.clone()),
                ObjKey::Table(fk.ref_table.clone()),
            );
            for c in &fk.ref_columns {
                deps.add(
                    ObjKey::Constraint(q.clone(), fk.name.clone()),
                    ObjKey::Column(fk.ref_table.clone(), c.clone()),
                );
            }
        }
        if let Some(p) = &t.partition_of {
            deps.add(ObjKey::Table(q.clone()), ObjKey::Table(p.parent.clone()));
        }
        for p in &t.inherits {
            deps.add(ObjKey::Table(q.clone()), ObjKey::Table(p.clone()));
        }
        for tr in &t.triggers {
            deps.add(
                ObjKey::Trigger(q.clone(), tr.name.clone()),
                ObjKey::Function(
                    tr.function.schema.clone(),
                    format!("{}()", tr.function.name),
                ),
            );
        }
    }
    for v in model.views() {
        let q = QualifiedName::new(&v.schema, &v.name);
        for tr in &v.triggers {
            deps.add(
                ObjKey::Trigger(q.clone(), tr.name.clone()),
                ObjKey::Function(
                    tr.function.schema.clone(),
                    format!("{}()", tr.function.name),
                ),
            );
        }
    }
    for s in model.sequences() {
        if let Some((t, c)) = &s.owned_by {
            deps.add(
                ObjKey::Sequence(QualifiedName::new(&s.schema, &s.name)),
                ObjKey::Column(t.clone(), c.clone()),
            );
        }
    }
    for d in model.domains() {
        if let Some(n) = d.base.named() {
            deps.add(
                ObjKey::Type(QualifiedName::new(&d.schema, &d.name)),
                ObjKey::Type(n.clone()),
            );
        }
    }
    for e in model.event_triggers.values() {
        deps.add(
            ObjKey::EventTrigger(e.name.clone()),
            ObjKey::Function(e.function.schema.clone(), format!("{}()", e.function.name)),
        );
    }
    // An aggregate uses one overload of its state and final functions: depend on each.
    for a in model.aggregates() {
        let key = ObjKey::Function(a.schema.clone(), types::aggregate_signature(a));
        for f in std::iter::once(&a.state_func).chain(&a.final_func) {
            for x in model
                .functions()
                .filter(|x| x.schema == f.schema && x.name == f.name)
            {
                deps.add(
                    key.clone(),
                    ObjKey::Function(x.schema.clone(), types::signature(x)),
                );
            }
        }
    }
}

/// Builds the plan for `changes` (from [`crate::diff::diff`]) between `current` and `desired`;
/// fails, naming the objects, when their dependencies form a cycle no order satisfies.
pub(crate) fn try_build(
    changes: &[Change],
    current: &Model,
    desired: &Model,
    deps: &PlanDeps,
    ctx: &PlanContext,
) -> Result<Plan, graph::Cycle> {
    match assemble(changes, current, desired, deps, ctx) {
        (plan, None) => Ok(plan),
        (_, Some(cycle)) => Err(cycle),
    }
}

/// Builds the plan like [`try_build`], but orders a dependency cycle by the conventional
/// phases instead of failing (PostgreSQL then rejects what cannot run). For internal plans:
/// normalization's scratch work, `inspect`'s SQL, migration lints.
pub fn build(
    changes: &[Change],
    current: &Model,
    desired: &Model,
    deps: &PlanDeps,
    ctx: &PlanContext,
) -> Plan {
    assemble(changes, current, desired, deps, ctx).0
}

/// The plan, and the first dependency cycle its ordering had to break.
fn assemble(
    changes: &[Change],
    current: &Model,
    desired: &Model,
    deps: &PlanDeps,
    ctx: &PlanContext,
) -> (Plan, Option<graph::Cycle>) {
    let mut all = deps.clone();
    model_deps(current, &mut all.current);
    model_deps(desired, &mut all.desired);
    let (changes, reasons) = recreate::expand(changes, current, desired, &all.current);
    let octx = order::Ctx {
        current,
        desired,
        deps: &all,
        online: ctx.online,
        children: order::inheritance_children(current),
    };
    let mut nodes = order::nodes(&changes, &octx);
    // Extensions provide types and functions nothing declares a dependency on: create them first.
    let extensions: Vec<ObjKey> = nodes
        .iter()
        .flat_map(|n| {
            n.creates
                .iter()
                .filter(|k| matches!(k, ObjKey::Extension(_)))
                .cloned()
        })
        .collect();
    for n in &mut nodes {
        if n.rank > graph::rank::EXTENSION {
            n.needs.extend(extensions.iter().cloned());
        }
    }
    let (steps, cycle) = graph::sort(nodes, &all.current);
    let (objects, steps) = describe::objects(&changes, steps, &reasons, ctx.online);
    let mut summary = Summary::default();
    for o in &objects {
        match o.action {
            Action::Create => summary.add += 1,
            Action::Delete => summary.destroy += 1,
            Action::Update | Action::Rename => summary.change += 1,
            Action::Replace => {
                summary.add += 1;
                summary.destroy += 1;
            }
        }
    }
    let plan = Plan {
        format_version: saved::FORMAT_VERSION,
        strata_version: env!("CARGO_PKG_VERSION").to_string(),
        created_at: Utc::now(),
        env: ctx.env.clone(),
        target: ctx.target.clone(),
        database: ctx.database.clone(),
        schemas: ctx.schemas.clone(),
        exclude: ctx.exclude.clone(),
        roles: ctx.roles.clone(),
        online: ctx.online,
        fingerprint: fingerprint(current),
        objects,
        steps,
        summary,
        hints: rename_hints(&changes),
    };
    (plan, cycle)
}

/// A column dropped and another of the same type added to one table, or a table dropped and
/// another with the same columns created, look like renames: say how to keep the data.
fn rename_hints(changes: &[Change]) -> Vec<String> {
    use crate::diff::TableChange;
    let mut hints = Vec::new();
    use crate::hcl::writer::{qualified_table_ref as reference, segment};
    for c in changes {
        let Change::AlterTable(d) = c else { continue };
        let dropped: Vec<&crate::model::Column> = d
            .changes
            .iter()
            .filter_map(|c| match c {
                TableChange::DropColumn(c) => Some(c),
                _ => None,
            })
            .collect();
        let added: Vec<&crate::model::Column> = d
            .changes
            .iter()
            .filter_map(|c| match c {
                TableChange::AddColumn(c) => Some(c),
                _ => None,
            })
            .collect();
        // One hint per dropped column, naming every added column it may have become.
        for old in dropped {
            let candidates: Vec<&&crate::model::Column> = added
                .iter()
                .filter(|a| a.ty.storage() == old.ty.storage())
                .collect();
            let Some(first) = candidates.first() else {
                continue;
            };
            let t = reference(&d.to.qualified());
            let names: Vec<String> = candidates
                .iter()
                .map(|c| format!("\"{}\"", c.name))
                .collect();
            let (added_text, keep) = if candidates.len() == 1 {
                (
                    format!("{} added", names.join("")),
                    "If it was renamed, keep its data with:".to_string(),
                )
            } else {
                (
                    format!("{} added", names.join(", ")),
                    format!(
                        "If it was renamed to one of them, keep its data with (here to \"{}\"):",
                        first.name
                    ),
                )
            };
            hints.push(format!(
                "column \"{}\" of \"{}\" is dropped and {added_text} with the same type. {keep}\n  moved {{\n    from = {t}.column{}\n    to   = {t}.column{}\n  }}",
                old.name,
                d.to.qualified(),
                segment(&old.name),
                segment(&first.name),
            ));
        }
    }
    // Same column types in the same order (names may have changed too).
    let shape = |t: &crate::model::Table| -> Vec<crate::model::DataType> {
        t.columns.iter().map(|c| c.ty.storage()).collect()
    };
    for c in changes {
        let Change::DropTable(old) = c else { continue };
        for c2 in changes {
            if let Change::CreateTable(new) = c2
                && shape(old) == shape(new)
            {
                hints.push(format!(
                    "table \"{}\" is dropped and \"{}\" created with columns of the same types. If it was renamed, keep its rows with:\n  moved {{\n    from = {}\n    to   = {}\n  }}",
                    old.qualified(),
                    new.qualified(),
                    reference(&old.qualified()),
                    reference(&new.qualified()),
                ));
            }
        }
    }
    hints
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{TableChange, TableDiff};
    use crate::model::{Column, DataType, Table};

    #[test]
    fn one_rename_hint_per_dropped_column_naming_every_candidate() {
        let t = Table {
            schema: "public".into(),
            name: "t".into(),
            ..Default::default()
        };
        let col = |n: &str| Column::new(n, DataType::builtin("integer"));
        let text = Column::new("note", DataType::builtin("text"));
        let change = |changes| {
            Change::AlterTable(Box::new(TableDiff {
                from: t.clone(),
                to: t.clone(),
                changes,
            }))
        };
        let hints = rename_hints(&[change(vec![
            TableChange::DropColumn(col("a")),
            TableChange::AddColumn(col("b")),
            TableChange::AddColumn(col("c")),
            TableChange::AddColumn(text.clone()),
        ])]);
        assert_eq!(hints.len(), 1, "{hints:?}");
        assert!(hints[0].contains("\"b\", \"c\" added"), "{}", hints[0]);
        assert!(
            hints[0].contains("to   = table.public.t.column.b"),
            "{}",
            hints[0]
        );
        let hints = rename_hints(&[change(vec![
            TableChange::DropColumn(col("a")),
            TableChange::AddColumn(col("b")),
        ])]);
        assert_eq!(hints.len(), 1);
        assert!(hints[0].contains("If it was renamed, keep its data with:"));
        // A type no added column has: no hint.
        let hints = rename_hints(&[change(vec![
            TableChange::DropColumn(text),
            TableChange::AddColumn(col("b")),
        ])]);
        assert!(hints.is_empty(), "{hints:?}");
    }
}
