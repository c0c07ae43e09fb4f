//! Normalization through PostgreSQL: desired objects that do not already match the live
//! database are created in a scratch transaction on the dev database and inspected back with the
//! same inspector, so expressions, view queries, type aliases and generated names compare in
//! PostgreSQL's canonical form. The scratch catalog also yields the desired objects'
//! dependencies. Objects that already match (a plan of freshly inspected HCL) never leave the
//! process.

use crate::devdb::{DevSource, ScratchDb, ScratchTx};
use crate::diff;
use crate::hcl::SourceMap;
use crate::hcl::diag::HclError;
use crate::model::{Model, ObjectId, ObjectKind, QualifiedName, Schema, Table};
use crate::plan::{self, PlanContext, PlanDeps, Step};
use crate::postgres::connect::{DbUrl, error_text};
use crate::postgres::inspect::deps::{Deps, ObjKey, dependencies};
use crate::postgres::inspect::{SchemaFilter, inspect};
use crate::postgres::locks::{batch_sizes, lock_table, statement_locks};
use miette::{Diagnostic, Result};
use std::collections::{BTreeSet, HashSet};
use thiserror::Error;
use tokio_postgres::Client;

mod parts;

/// The desired schema is invalid according to PostgreSQL.
#[derive(Debug, Error, Diagnostic)]
#[error("PostgreSQL rejected the desired schema: {message}")]
#[diagnostic(code(strata::invalid_schema))]
pub(crate) struct InvalidSchema {
    pub(crate) message: String,
    pub(crate) statement: String,
    #[help]
    pub(crate) help: Option<String>,
    #[related]
    pub(crate) at: Vec<HclError>,
}

const UNNAMED_CHECK: &str = "strata_unnamed_check_";

/// A normalized desired model.
pub(crate) struct Normalized {
    pub(crate) model: Model,
    /// Dependencies of the desired objects (from the scratch catalog, or the current ones for
    /// objects that did not need normalizing).
    pub(crate) deps: Deps,
    /// How many objects went through the scratch database.
    pub(crate) count: usize,
}

/// What differs from the database and so must go through PostgreSQL.
struct Dirty {
    tables: Vec<QualifiedName>,
    /// Views, routines, triggers or policies differ: create everything.
    everything: bool,
    count: usize,
}

fn schema_objects_differ(cur: Option<&Schema>, want: &Schema) -> usize {
    let mut n = 0;
    let same = |a: bool| if a { 0 } else { 1 };
    match cur {
        None => {
            n += want.views.len()
                + want.collations.len()
                + want.functions.len()
                + want.aggregates.len()
                + want.domains.len()
                + want.composites.len()
                + want.sequences.len();
        }
        Some(c) => {
            n += same(c.views == want.views);
            n += same(c.functions == want.functions);
            n += same(c.aggregates == want.aggregates);
            n += same(c.domains == want.domains);
            n += same(c.collations == want.collations);
            n += same(c.composites == want.composites);
            n += same(c.sequences == want.sequences);
        }
    }
    n
}

fn find_dirty(current: &Model, desired: &Model) -> Dirty {
    let mut tables = Vec::new();
    let mut everything = false;
    let mut count = 0;
    for t in desired.tables() {
        let cur = current.table(&t.qualified());
        if cur != Some(t) {
            // A table that only lost parts or changed its nullability is compared as written.
            if cur.is_none_or(|c| parts::needs_normalizing(c, t)) {
                tables.push(t.qualified());
                count += 1;
            }
            let strip = |x: &Table| Table {
                triggers: vec![],
                policies: vec![],
                ..x.clone()
            };
            let triggers_or_policies_differ =
                cur.is_none_or(|c| c.triggers != t.triggers || c.policies != t.policies);
            if (triggers_or_policies_differ && (!t.triggers.is_empty() || !t.policies.is_empty()))
                || t.partition_of.is_some()
                || t.partition.is_some()
                || !t.inherits.is_empty()
                || cur.is_some_and(|c| strip(c) == strip(t) && c != t)
            {
                everything = true;
            }
        }
    }
    // Routines whose signatures use table row types, or whose SQL-standard bodies PostgreSQL
    // checks at creation, need the tables they use.
    let needs_tables = desired.functions().any(|f| {
        let b = f.body.trim_start().to_ascii_uppercase();
        let standard =
            f.language == "sql" && (b.starts_with("BEGIN ATOMIC") || b.starts_with("RETURN "));
        let row_types =
            f.args
                .iter()
                .map(|a| &a.ty)
                .chain(match &f.returns {
                    Some(crate::model::Returns::Type(t))
                    | Some(crate::model::Returns::SetOf(t)) => vec![t],
                    _ => vec![],
                })
                .any(|t| t.named().is_some_and(|n| !desired.has_type(n)));
        standard || row_types
    });
    if needs_tables && count > 0 {
        everything = true;
    }
    for (name, s) in &desired.schemas {
        let differs = schema_objects_differ(current.schemas.get(name), s);
        if differs > 0 {
            count += differs;
            everything = true;
        }
    }
    Dirty {
        tables,
        everything,
        count,
    }
}

/// Returns `desired` with everything that differs from `current` in PostgreSQL's canonical form.
pub(crate) async fn normalize(
    current: &Model,
    current_deps: &Deps,
    desired: Model,
    dev: &DevSource,
    sources: &SourceMap,
) -> Result<Normalized> {
    let dirty = find_dirty(current, &desired);
    if dirty.count == 0 {
        return Ok(Normalized {
            model: desired,
            deps: current_deps.clone(),
            count: 0,
        });
    }
    let (subset, trimmed) = subset(current, &desired, &dirty);
    // Deadlocks with a concurrent normalization on the same dev database are retried.
    let mut attempt = 0;
    let (normalized, scratch_deps) = loop {
        attempt += 1;
        let scratch = ScratchTx::begin(dev).await?;
        crate::timing::stage("normalize: scratch begun");
        let result = run_in_scratch(&scratch, &subset, &desired, sources).await;
        scratch.rollback().await;
        match result {
            Err(Failure::Deadlock) if attempt < 5 => continue,
            Err(Failure::Deadlock) => {
                return Err(miette::miette!(
                    code = "strata::normalize::deadlock",
                    "normalization kept deadlocking with another strata on the dev database"
                ));
            }
            Err(Failure::Other(e)) => return Err(e),
            Err(Failure::TooManyLocks { budget }) => {
                break run_batched(dev, &subset, &desired, sources, budget)
                    .await
                    .map_err(|f| match f {
                        Failure::Other(e) => e,
                        _ => miette::miette!(
                            code = "strata::normalize",
                            "normalization failed in a scratch database"
                        ),
                    })?;
            }
            Ok(m) => break m,
        }
    };
    // Columns and keys left as the database has them keep the database's dependencies.
    let reused: HashSet<ObjKey> = trimmed
        .iter()
        .filter_map(|q| Some(parts::reused_keys(q, current.table(q)?, desired.table(q)?)))
        .flatten()
        .collect();
    let model = merge_back(desired, current, &subset, &trimmed, &normalized, &dirty);
    let mut deps = current_deps.clone();
    let from_scratch: HashSet<ObjKey> = scratch_deps
        .on
        .keys()
        .filter(|k| !reused.contains(k))
        .cloned()
        .collect();
    deps.merge(&scratch_deps, &from_scratch);
    Ok(Normalized {
        model,
        deps,
        count: dirty.count,
    })
}

/// What to create in the scratch database: every schema, extension and type, every routine and
/// sequence; the tables that differ (all tables, views, triggers and policies when one of
/// those differ); never foreign keys. Also names the tables whose copy holds only what differs
/// from the database ([`parts::reusable`]), for [`merge_back`] to complete.
fn subset(current: &Model, desired: &Model, dirty: &Dirty) -> (Model, HashSet<QualifiedName>) {
    let parents = parts::inheritance_parents(current, desired);
    let mut trimmed = HashSet::new();
    let mut subset = Model {
        extensions: desired.extensions.clone(),
        ..Default::default()
    };
    for (name, s) in &desired.schemas {
        let mut seqs = s.sequences.clone();
        for q in seqs.values_mut() {
            q.owned_by = None;
        }
        subset.schemas.insert(
            name.clone(),
            Schema {
                name: s.name.clone(),
                comment: None,
                enums: s.enums.clone(),
                collations: s.collations.clone(),
                domains: s.domains.clone(),
                composites: s.composites.clone(),
                sequences: seqs,
                functions: s.functions.clone(),
                aggregates: s.aggregates.clone(),
                views: if dirty.everything {
                    s.views.clone()
                } else {
                    Default::default()
                },
                tables: Default::default(),
            },
        );
    }
    let tables: Vec<QualifiedName> = if dirty.everything {
        desired.tables().map(|t| t.qualified()).collect()
    } else {
        dirty.tables.clone()
    };
    for q in &tables {
        let Some(t) = desired.table(q) else { continue };
        let mut t = t.clone();
        // Named by their place among the desired checks, before any is left out.
        for (i, c) in t.checks.iter_mut().enumerate() {
            if c.name.is_none() {
                c.name = Some(format!("{UNNAMED_CHECK}{i}"));
            }
        }
        // What equals the database's is canonical already: only the columns' types stay.
        if let Some(cur) = current.table(q)
            && parts::reusable(cur, &t, &parents)
        {
            parts::drop_reused_parts(&mut t, cur);
            parts::strip_reused_columns(&mut t, cur);
            trimmed.insert(q.clone());
        }
        t.foreign_keys.clear();
        t.comment = None;
        for c in &mut t.columns {
            c.comment = None;
        }
        if let Some(s) = subset.schemas.get_mut(&q.schema) {
            s.tables.insert(q.name.clone(), t);
        }
    }
    (subset, trimmed)
}

/// Puts the normalized objects back into the desired model, keeping what normalization strips
/// (foreign keys, comments, sequence owners) and leaving untouched objects as they were.
/// The addresses of the routines of schema `name` whose key normalization changed (`f(character
/// varying(10))` → `f(character varying)`), old to new: a name with one overload on both sides.
fn rekeyed_routines(
    name: &str,
    before: &std::collections::BTreeMap<String, crate::model::Function>,
    after: &std::collections::BTreeMap<String, crate::model::Function>,
) -> Vec<(ObjectId, ObjectId)> {
    let mut out = Vec::new();
    for (sig, f) in before.iter().filter(|(sig, _)| !after.contains_key(*sig)) {
        let same_name = |m: &std::collections::BTreeMap<String, crate::model::Function>| {
            m.values().filter(|g| g.name == f.name).count()
        };
        let new: Vec<&String> = after
            .iter()
            .filter(|(k, g)| g.name == f.name && !before.contains_key(*k))
            .map(|(k, _)| k)
            .collect();
        if let [new] = new.as_slice()
            && same_name(before) == 1
            && same_name(after) == 1
        {
            out.push((
                ObjectId::routine(f.kind, name, sig),
                ObjectId::routine(f.kind, name, new),
            ));
        }
    }
    out
}

fn merge_back(
    desired: Model,
    current: &Model,
    subset: &Model,
    trimmed: &HashSet<QualifiedName>,
    normalized: &Model,
    dirty: &Dirty,
) -> Model {
    let mut out = desired;
    let mut rekeyed: Vec<(ObjectId, ObjectId)> = Vec::new();
    for (name, s) in out.schemas.iter_mut() {
        let Some(ns) = normalized.schemas.get(name) else {
            continue;
        };
        // Routines may change key when PostgreSQL resolves their argument types; their
        // privileges follow them.
        rekeyed.extend(rekeyed_routines(name, &s.functions, &ns.functions));
        s.functions = ns.functions.clone();
        s.aggregates = ns.aggregates.clone();
        s.domains = ns.domains.clone();
        s.collations = ns.collations.clone();
        s.composites = ns.composites.clone();
        s.enums = ns.enums.clone();
        let owners: Vec<(String, Option<(QualifiedName, String)>)> = s
            .sequences
            .iter()
            .map(|(k, v)| (k.clone(), v.owned_by.clone()))
            .collect();
        s.sequences = ns.sequences.clone();
        for (k, owner) in owners {
            if let Some(seq) = s.sequences.get_mut(&k) {
                seq.owned_by = owner;
            }
        }
        if dirty.everything {
            s.views = ns.views.clone();
        }
    }
    for q in subset.tables().map(|t| t.qualified()).collect::<Vec<_>>() {
        let (Some(orig), Some(norm)) = (out.table(&q).cloned(), normalized.table(&q)) else {
            continue;
        };
        let mut t = norm.clone();
        if trimmed.contains(&q)
            && let Some(cur) = current.table(&q)
        {
            parts::restore_reused_parts(&mut t, &orig, cur);
        }
        t.foreign_keys = orig.foreign_keys.clone();
        t.comment = orig.comment.clone();
        for c in &mut t.columns {
            c.comment = orig.column(&c.name).and_then(|o| o.comment.clone());
        }
        for c in &mut t.checks {
            if c.name
                .as_deref()
                .is_some_and(|n| n.starts_with(UNNAMED_CHECK))
            {
                // Keep the user's comment; the name stays PostgreSQL's business.
                let idx = c
                    .name
                    .as_deref()
                    .and_then(|n| n[UNNAMED_CHECK.len()..].parse::<usize>().ok());
                c.comment = idx
                    .and_then(|i| orig.checks.get(i))
                    .and_then(|o| o.comment.clone());
                c.name = None;
            } else if let Some(o) = orig.checks.iter().find(|o| o.name == c.name) {
                c.comment = o.comment.clone();
            }
        }
        t.sort();
        if let Some(s) = out.schemas.get_mut(&q.schema) {
            s.tables.insert(q.name.clone(), t);
        }
    }
    if !rekeyed.is_empty() {
        out.grants = std::mem::take(&mut out.grants)
            .into_iter()
            .map(|mut g| {
                if let Some((_, new)) = rekeyed.iter().find(|(old, _)| *old == g.on) {
                    g.on = new.clone();
                }
                g
            })
            .collect();
    }
    out.sort();
    out
}

enum Failure {
    Deadlock,
    /// The scratch transaction would not fit in the server's lock table: split the work into
    /// transactions of at most `budget` locks in a scratch database.
    TooManyLocks {
        budget: u64,
    },
    Other(miette::Report),
}

fn is_deadlock(e: &tokio_postgres::Error) -> bool {
    e.as_db_error()
        .is_some_and(|d| d.code() == &tokio_postgres::error::SqlState::T_R_DEADLOCK_DETECTED)
}

fn other(e: impl Into<miette::Report>) -> Failure {
    Failure::Other(e.into())
}

/// Roles policies name; created (and rolled back) when the dev server lacks them.
fn policy_roles(m: &Model) -> BTreeSet<String> {
    m.tables()
        .flat_map(|t| t.policies.iter().flat_map(|p| p.roles.iter().cloned()))
        .filter(|r| r != "public")
        .collect()
}

/// The schemas a scratch database already has, as a model to plan the subset against.
async fn existing(c: &Client, subset: &Model) -> Result<Model, Failure> {
    let rows = c
        .query(crate::postgres::inspect::USER_SCHEMA_NAMES, &[])
        .await
        .map_err(|e| {
            Failure::Other(miette::miette!(
                code = "strata::normalize",
                "cannot read the dev database: {}",
                error_text(&e)
            ))
        })?;
    let mut empty = Model::default();
    for row in rows {
        let name: String = row.try_get(0).map_err(|e| {
            other(miette::miette!(
                code = "strata::normalize",
                "cannot read the dev database: {e}"
            ))
        })?;
        if subset.schemas.contains_key(&name) {
            empty.schemas.insert(
                name.clone(),
                Schema {
                    name,
                    ..Default::default()
                },
            );
        }
    }
    Ok(empty)
}

/// Creates the roles policies name, inside the current (rolled back) transaction.
async fn create_roles(c: &Client, desired: &Model) -> Result<(), Failure> {
    for r in policy_roles(desired) {
        let sql = format!(
            "DO $strata$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {}) THEN CREATE ROLE {}; END IF; END $strata$",
            crate::postgres::quote::literal(&r),
            crate::postgres::quote::ident(&r)
        );
        c.batch_execute(&sql).await.map_err(|e| {
            Failure::Other(miette::miette!(
                code = "strata::normalize",
                "cannot create role {r} in the scratch transaction: {}",
                error_text(&e)
            ))
        })?;
    }
    Ok(())
}

/// The plan that builds `subset` from `empty`.
fn build_plan(empty: &Model, subset: &Model) -> Result<plan::Plan, Failure> {
    let changes = diff::diff(empty, subset).map_err(other)?;
    Ok(plan::build(
        &changes,
        empty,
        subset,
        &PlanDeps::default(),
        &PlanContext::default(),
    ))
}

/// Reads the normalized subset back.
async fn read_back(c: &Client, subset: &Model) -> Result<(Model, Deps), Failure> {
    let schemas: Vec<String> = subset.schemas.keys().cloned().collect();
    let scope = SchemaFilter {
        schemas: Some(schemas),
        roles: None,
    };
    let model = inspect(c, &scope).await.map_err(Failure::Other)?;
    let deps = dependencies(c, &scope)
        .await
        .map_err(|e| Failure::Other(e.into()))?;
    Ok((model, deps))
}

async fn run_in_scratch(
    scratch: &ScratchTx,
    subset: &Model,
    desired: &Model,
    sources: &SourceMap,
) -> Result<(Model, Deps), Failure> {
    let c = &scratch.client;
    // What the dev database already has (a fresh one has `public`).
    let empty = existing(c, subset).await?;
    let p = build_plan(&empty, subset)?;
    let table = lock_table(c)
        .await
        .map_err(|e| other(miette::miette!(code = "strata::normalize", "{e}")))?;
    let budget = table.batch_budget();
    let needed: u64 = p.statements().map(statement_locks).sum();
    if needed > budget {
        return Err(Failure::TooManyLocks { budget });
    }
    create_roles(c, desired).await?;
    let steps: Vec<&Step> = p.steps.iter().collect();
    crate::timing::stage("normalize: scratch planned");
    first_failure(&scratch.url, settle(c, &steps).await?, sources)?;
    crate::timing::stage("normalize: scratch created");
    let read = read_back(c, subset).await;
    crate::timing::stage("normalize: scratch read back");
    read
}

/// Normalization too big for one transaction: a scratch database of its own, filled in
/// transactions that each fit in `budget` locks and committed one by one. Policies (and the
/// roles they name) go in the last transaction, which is read back and rolled back, so no role
/// outlives the run. The database is dropped at the end, on errors too.
async fn run_batched(
    dev: &DevSource,
    subset: &Model,
    desired: &Model,
    sources: &SourceMap,
    budget: u64,
) -> Result<(Model, Deps), Failure> {
    let server = dev.server().await.map_err(Failure::Other)?;
    let db = ScratchDb::create(&server).await.map_err(Failure::Other)?;
    let result = fill_in_batches(&db, subset, desired, sources, budget).await;
    let _ = db.drop_now().await;
    result
}

/// Fills the scratch database in committed transactions of at most `budget` locks, in plan
/// order (creators before users, foreign keys never: see [`subset`]). A step that fails in its
/// batch (a view reading a view of a later batch) is tried again in the next one; the policies,
/// and whatever never succeeded, run in the last transaction, which is read back and rolled back.
async fn fill_in_batches(
    db: &ScratchDb,
    subset: &Model,
    desired: &Model,
    sources: &SourceMap,
    budget: u64,
) -> Result<(Model, Deps), Failure> {
    let c = &db.client;
    crate::timing::stage("normalize: scratch database created");
    let empty = existing(c, subset).await?;
    let p = build_plan(&empty, subset)?;
    let (mut last, rest): (Vec<&Step>, Vec<&Step>) = p
        .steps
        .iter()
        .partition(|s| s.object.kind() == ObjectKind::Policy);
    let needs = rest
        .iter()
        .map(|s| s.statements.iter().map(|x| statement_locks(x)).sum());
    let mut carried: Vec<&Step> = Vec::new();
    let mut from = 0;
    for n in batch_sizes(needs, budget) {
        let batch = &rest[from..from + n];
        from += n;
        exec(c, "BEGIN").await?;
        // The batch in one script; then what failed before and now, so that a step that never
        // succeeds does not send every later batch one statement at a time.
        let mut retry = std::mem::take(&mut carried);
        retry.extend(settle(c, batch).await?.into_iter().map(|f| f.0));
        carried = settle(c, &retry).await?.into_iter().map(|f| f.0).collect();
        exec(c, "COMMIT").await?;
        crate::timing::stage("normalize: scratch batch committed");
    }
    carried.append(&mut last);
    exec(c, "BEGIN").await?;
    let result = async {
        create_roles(c, desired).await?;
        first_failure(&db.url, settle(c, &carried).await?, sources)?;
        read_back(c, subset).await
    }
    .await;
    let _ = c.batch_execute("ROLLBACK").await;
    result
}

async fn exec(c: &Client, sql: &str) -> Result<(), Failure> {
    c.batch_execute(sql).await.map_err(|e| {
        other(miette::miette!(
            code = "strata::normalize",
            "scratch database: {sql} failed: {}",
            error_text(&e)
        ))
    })
}

/// A step that never succeeded: the failing statement and PostgreSQL's error.
type Failed<'a> = (&'a Step, String, tokio_postgres::Error);

/// The first step that never succeeded, as the user's error.
fn first_failure(url: &DbUrl, failed: Vec<Failed>, sources: &SourceMap) -> Result<(), Failure> {
    match failed.into_iter().next() {
        None => Ok(()),
        Some((step, st, e)) => Err(invalid(url, step, &st, &e, sources)),
    }
}

/// Runs `steps` in the open transaction: all at once, or, when that fails, one at a time,
/// retrying the ones that fail while others still succeed (a view that reads a view created
/// later). Returns the steps that never succeed, in order.
async fn settle<'a>(c: &Client, steps: &[&'a Step]) -> Result<Vec<Failed<'a>>, Failure> {
    if steps.is_empty() {
        return Ok(Vec::new());
    }
    let all: Vec<&str> = steps
        .iter()
        .flat_map(|s| s.statements.iter().map(String::as_str))
        .collect();
    let script = format!(
        "SAVEPOINT strata_batch;\n{};\nRELEASE SAVEPOINT strata_batch;",
        all.join(";\n")
    );
    match c.batch_execute(&script).await {
        Ok(()) => return Ok(Vec::new()),
        Err(e) if is_deadlock(&e) => return Err(Failure::Deadlock),
        Err(_) => {
            let _ = c.batch_execute("ROLLBACK TO SAVEPOINT strata_batch").await;
        }
    }
    let mut pending: Vec<&Step> = steps.to_vec();
    loop {
        let before = pending.len();
        let mut failed = Vec::new();
        for step in pending {
            if let Some((st, e)) = try_step(c, step).await? {
                failed.push((step, st, e));
            }
        }
        if failed.is_empty() || failed.len() == before {
            return Ok(failed);
        }
        pending = failed.into_iter().map(|(s, _, _)| s).collect();
    }
}

/// Runs one step under a savepoint; when it fails, rolls it back and names the failing
/// statement.
async fn try_step(
    c: &Client,
    step: &Step,
) -> Result<Option<(String, tokio_postgres::Error)>, Failure> {
    let body = step.statements.join(";\n");
    let sql = format!("SAVEPOINT strata_step;\n{body};\nRELEASE SAVEPOINT strata_step;");
    let Err(e) = c.batch_execute(&sql).await else {
        return Ok(None);
    };
    if is_deadlock(&e) {
        return Err(Failure::Deadlock);
    }
    let _ = c.batch_execute("ROLLBACK TO SAVEPOINT strata_step").await;
    // Find the statement that failed, to name it.
    let mut failing = body;
    for st in &step.statements {
        let probe = format!("SAVEPOINT strata_probe;\n{st};\nRELEASE SAVEPOINT strata_probe;");
        if c.batch_execute(&probe).await.is_err() {
            let _ = c.batch_execute("ROLLBACK TO SAVEPOINT strata_probe").await;
            failing = st.clone();
            break;
        }
    }
    let _ = c.batch_execute("ROLLBACK TO SAVEPOINT strata_step").await;
    Ok(Some((failing, e)))
}

fn invalid(
    url: &DbUrl,
    step: &Step,
    st: &str,
    e: &tokio_postgres::Error,
    sources: &SourceMap,
) -> Failure {
    let at = sources
        .objects
        .get(&step.object)
        .map(|loc| {
            vec![HclError::new(
                loc.clone(),
                format!("declared here: {}", step.object),
                "this object",
            )]
        })
        .unwrap_or_default();
    let exists = e.as_db_error().is_some_and(|d| {
        d.code() == &tokio_postgres::error::SqlState::DUPLICATE_TABLE
            || d.code() == &tokio_postgres::error::SqlState::DUPLICATE_OBJECT
            || d.code() == &tokio_postgres::error::SqlState::DUPLICATE_SCHEMA
            || d.code() == &tokio_postgres::error::SqlState::DUPLICATE_FUNCTION
    });
    let help = if exists {
        format!(
            "the dev database ({}) must not hold the objects of your schema: point `dev` at an empty database\nthe failing statement was:\n{st}",
            url.redacted()
        )
    } else {
        format!("the failing statement was:\n{st}")
    };
    other(InvalidSchema {
        message: error_text(e),
        statement: st.to_string(),
        help: Some(help),
        at,
    })
}

/// A declared sequence owned by an integer column whose default draws from it is what
/// PostgreSQL calls a serial column, and the inspector reads it back as one (the sequence
/// hidden): rewrite the desired model the same way, so the two compare equal.
pub(crate) fn canonical_serials(model: &mut Model) {
    use crate::model::{DataType, SerialKind};
    let mut owned: Vec<(QualifiedName, String, QualifiedName)> = Vec::new();
    for s in model.sequences() {
        if let Some((t, c)) = &s.owned_by {
            owned.push((t.clone(), c.clone(), QualifiedName::new(&s.schema, &s.name)));
        }
    }
    for (table, column, seq) in owned {
        let Some(col) = model
            .schemas
            .get_mut(&table.schema)
            .and_then(|s| s.tables.get_mut(&table.name))
            .and_then(|t| t.columns.iter_mut().find(|c| c.name == column))
        else {
            continue;
        };
        let DataType::Builtin(b) = &col.ty else {
            continue;
        };
        let Some(kind) = SerialKind::from_integer_type(b) else {
            continue;
        };
        if !col
            .default
            .as_deref()
            .is_some_and(|d| crate::postgres::defaults::draws_from(d, &seq))
        {
            continue;
        }
        col.ty = DataType::Serial(kind);
        col.default = None;
        if let Some(s) = model.schemas.get_mut(&seq.schema) {
            s.sequences.remove(&seq.name);
        }
    }
}
