//! The desired-state pipeline, one for every command: desired source (HCL files, SQL files,
//! `external_schema` programs) → [`Model`] → `moved` blocks → [`Scope`] → normalize → diff →
//! plan. `plan`/`apply` compare with the inspected target database ([`prepare`]), `migrate
//! diff` with a replayed migration directory ([`desired`] then [`compare`]).

use crate::devdb::DevSource;
use crate::diff::moves::{Move, Target};
use crate::diff::{self, Change};
use crate::hcl::{self, LoadOptions, Loaded, SourceMap};
use crate::model::{Model, Scope};
use crate::normalize;
use crate::plan::{self as planner, Plan, PlanContext, PlanDeps};
use crate::postgres::connect::{DbUrl, error_text};
use crate::postgres::inspect::deps::{Deps, dependencies};
use crate::postgres::inspect::{SchemaFilter, Unmanaged, inspect_target, unmanaged};
use crate::settings::{
    Settings, connect_catalog_reader, dev_source, inspect_failed, target_url, usage,
};
use crate::sources;
use miette::Result;
use tokio_postgres::Client;

/// Loads the desired schema from the sources.
pub(crate) fn load_desired(s: &Settings) -> Result<Loaded> {
    if s.src.is_empty() {
        return Err(usage(
            "no schema source",
            "pass --src schema.hcl (a file or a directory), or use --env with an env that has `src`",
        ));
    }
    if sources::is_sql(&s.src)? {
        return Err(usage(
            "the schema sources are SQL, not HCL",
            "SQL sources run in a scratch database: use `strata plan` (or `strata migrate validate`) to check them",
        ));
    }
    let files = hcl::collect_files(&s.src, std::slice::from_ref(&s.config_path))?;
    if files.is_empty() {
        return Err(usage(
            "the schema sources hold no .hcl files",
            "check --src or the env's `src`",
        ));
    }
    let sources = hcl::read_files(&files)?;
    let loaded = hcl::load(
        &sources,
        &LoadOptions {
            vars: s.vars.clone(),
        },
    )?;
    check_vars_declared(s, &loaded.variables)?;
    Ok(loaded)
}

/// Like Terraform, a `--var` no `variable` block declares (in the config file or the schema
/// files) is an error: it is most likely a typo, and its value would silently go unused.
pub(crate) fn check_vars_declared(s: &Settings, schema_variables: &[String]) -> Result<()> {
    let declared =
        |name: &String| s.config_variables.contains(name) || schema_variables.contains(name);
    let Some(name) = s.vars.keys().find(|n| !declared(n)) else {
        return Ok(());
    };
    let mut known: Vec<&String> = s.config_variables.iter().chain(schema_variables).collect();
    known.sort();
    known.dedup();
    let where_ = if s.env_name.is_some() {
        "the config file or the schema files"
    } else {
        "the schema files (the config file's variables count with --env)"
    };
    Err(usage(
        format!("--var {name}: no variable \"{name}\" is declared in {where_}"),
        if known.is_empty() {
            format!(
                "declare it with a `variable \"{name}\" {{ type = string }}` block, or drop the --var"
            )
        } else {
            format!(
                "declared variables: {}; or declare it with a `variable \"{name}\" {{ type = string }}` block",
                known
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
    ))
}

/// The desired schema as its source gave it, before it is cut to the scope and compared.
pub(crate) struct Desired {
    pub(crate) model: Model,
    /// `moved` blocks (HCL only).
    pub(crate) moves: Vec<Move>,
    form: Form,
}

enum Form {
    /// From HCL: normalized through a scratch database when compared (the files, for
    /// diagnostics).
    Hcl(SourceMap),
    /// From SQL, read back from a scratch database: already canonical.
    Sql(Deps),
}

/// Reads the desired schema from the settings' sources: HCL is loaded on a blocking thread,
/// SQL sources run in a scratch database from `dev`.
pub(crate) async fn desired(s: &Settings, dev: &DevSource) -> Result<Desired> {
    if sources::is_sql(&s.src)? {
        check_vars_declared(s, &[])?;
        let (model, deps) = sources::load(s, dev).await?;
        return Ok(Desired {
            model,
            moves: Vec::new(),
            form: Form::Sql(deps),
        });
    }
    let settings = s.clone();
    let loaded = tokio::task::spawn_blocking(move || {
        let loaded = load_desired(&settings);
        release_freed_memory();
        loaded
    })
    .await
    .map_err(|e| miette::miette!(code = "strata::src", "loading the schema files failed: {e}"))??;
    Ok(Desired {
        model: loaded.model,
        moves: loaded.moves,
        form: Form::Hcl(loaded.sources),
    })
}

/// Gives the memory freed while parsing back to the system. glibc keeps what a thread frees
/// in that thread's arena, where the other thread (inspecting the database at the same time)
/// cannot reuse it: at 20,000 tables that was tens of MB of the process's peak.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages of the allocator's arenas to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// A current and a desired model, cut to the same scope, in canonical form, and their changes.
pub(crate) struct Compared {
    pub(crate) current: Model,
    pub(crate) desired: Model,
    pub(crate) scope: Scope,
    pub(crate) changes: Vec<Change>,
    pub(crate) deps: PlanDeps,
    /// Tables that went through the scratch database.
    pub(crate) normalized: usize,
    /// The current model's fingerprint from before `moved` blocks renamed objects in it (the
    /// database's, which a saved plan is checked against), and without the declared extensions
    /// matched outside the scope; `None` when neither applies.
    pub(crate) fingerprint: Option<String>,
    /// The `moved` blocks, and the current model before they applied (when they did).
    moves: Vec<Move>,
    before_moves: Option<Model>,
}

/// Compares `current` (inspected or replayed, not yet cut down) with the desired schema: cuts
/// both to the scope (the `schemas` setting, else the desired schemas), applies the due `moved`
/// blocks to `current`, normalizes the desired schema and diffs.
pub(crate) async fn compare(
    s: &Settings,
    dev: &DevSource,
    mut current: Model,
    current_deps: Deps,
    desired: Desired,
) -> Result<Compared> {
    let Desired {
        model: mut desired,
        moves,
        form,
    } = desired;
    let mut scope = Scope {
        schemas: if s.schemas.is_empty() {
            desired.schemas.keys().cloned().collect()
        } else {
            s.schemas.clone()
        },
        exclude: s.exclude.clone(),
        roles: s.roles.clone(),
    };
    refuse_unmanaged_roles(&scope, &desired)?;
    scope.restrict(&mut desired);
    // A schema being renamed by a `moved` block is managed under its old name until then.
    for m in &moves {
        if let (Target::Schema(from), Target::Schema(to)) = (&m.from, &m.to)
            && scope.schemas.contains(to)
            && !scope.schemas.contains(from)
            && current.schemas.contains_key(from)
            && !current.schemas.contains_key(to)
        {
            scope.schemas.push(from.clone());
        }
    }
    let all_extensions = current.extensions.clone();
    scope.restrict(&mut current);
    // `moved` blocks rename objects in the current model.
    let mut fingerprint = None;
    let mut before_moves = None;
    let renames = if moves.is_empty() {
        Vec::new()
    } else {
        fingerprint = Some(planner::fingerprint(&current));
        before_moves = Some(current.clone());
        diff::moves::apply(&mut current, &desired, &moves)
    };
    // An extension is one per database: a declared one installed in a schema outside the scope
    // (`extensions`, `pg_catalog`) is matched there, not created again. It is not part of the
    // scoped database the fingerprint stands for.
    let elsewhere: Vec<_> = all_extensions
        .into_iter()
        .filter(|(n, _)| desired.extensions.contains_key(n) && !current.extensions.contains_key(n))
        .collect();
    if !elsewhere.is_empty() {
        fingerprint.get_or_insert_with(|| planner::fingerprint(&current));
        current.extensions.extend(elsewhere);
    }
    let (desired, desired_deps, normalized) = match form {
        Form::Hcl(sources) => {
            let n = normalize::normalize(&current, &current_deps, desired, dev, &sources).await?;
            let mut model = n.model;
            normalize::canonical_serials(&mut model);
            crate::timing::stage("normalized");
            (model, n.deps, n.count)
        }
        Form::Sql(deps) => (desired, deps, 0),
    };
    let mut changes = diff::diff(&current, &desired)?;
    diff::moves::with_renames(&renames, &current, &desired, &mut changes);
    Ok(Compared {
        current,
        desired,
        scope,
        changes,
        deps: PlanDeps {
            current: current_deps,
            desired: desired_deps,
        },
        normalized,
        fingerprint,
        moves,
        before_moves,
    })
}

/// A role the files declare (or grant to) that the env's `roles` list does not manage would be
/// silently left out: that is an error, naming the roles and the list.
fn refuse_unmanaged_roles(scope: &Scope, desired: &Model) -> Result<()> {
    let Some(r) = scope.roles.as_ref().filter(|r| !r.names.is_empty()) else {
        return Ok(());
    };
    let mut outside: Vec<&str> = Vec::new();
    if r.roles {
        outside.extend(desired.roles.keys().map(String::as_str));
    }
    if r.permissions {
        outside.extend(desired.grants.iter().map(|g| g.grantee.as_str()));
        outside.extend(desired.default_grants.iter().map(|g| g.grantee.as_str()));
    }
    outside.retain(|n| !r.manages(n));
    outside.sort_unstable();
    outside.dedup();
    if outside.is_empty() {
        return Ok(());
    }
    Err(usage(
        format!(
            "the schema declares role(s) {} that the env does not manage (roles = {:?})",
            outside
                .iter()
                .map(|n| format!("{n:?}"))
                .collect::<Vec<_>>()
                .join(", "),
            r.names
        ),
        "add them to the env's `roles` list, or remove their blocks",
    ))
}

impl Compared {
    /// The plan of the changes; fails when their dependencies form a cycle.
    pub(crate) fn plan(
        &self,
        ctx: &PlanContext,
    ) -> std::result::Result<Plan, planner::graph::Cycle> {
        let mut plan =
            planner::try_build(&self.changes, &self.current, &self.desired, &self.deps, ctx)?;
        if let Some(f) = &self.fingerprint {
            plan.fingerprint = f.clone();
        }
        Ok(plan)
    }

    /// The way back, from the desired schema to the current one as it was before the `moved`
    /// blocks: the renames are undone, not dropped and added.
    pub(crate) fn reverse(&self) -> std::result::Result<Compared, diff::UnsupportedChange> {
        let target = self.before_moves.as_ref().unwrap_or(&self.current).clone();
        let mut from = self.desired.clone();
        let back: Vec<Move> = self
            .moves
            .iter()
            .map(|m| Move {
                from: m.to.clone(),
                to: m.from.clone(),
            })
            .collect();
        let renames = diff::moves::apply(&mut from, &target, &back);
        let mut changes = diff::diff(&from, &target)?;
        diff::moves::with_renames(&renames, &from, &target, &mut changes);
        Ok(Compared {
            current: from,
            desired: target,
            scope: self.scope.clone(),
            changes,
            deps: PlanDeps {
                current: self.deps.desired.clone(),
                desired: self.deps.current.clone(),
            },
            normalized: 0,
            fingerprint: None,
            moves: Vec::new(),
            before_moves: None,
        })
    }
}

/// A computed plan with everything it was computed from.
pub struct Prepared {
    pub(crate) url: DbUrl,
    pub client: Client,
    pub(crate) current: Model,
    pub(crate) desired: Model,
    pub scope: Scope,
    pub plan: Plan,
    /// Tables that went through the scratch database.
    pub normalized: usize,
    /// Non-default values of attributes strata does not manage, in the managed schemas of the
    /// target database (never of a scratch database).
    pub warnings: Vec<Unmanaged>,
}

/// Loads the desired schema and inspects the target side by side, then compares and plans.
pub async fn prepare(s: &Settings) -> Result<Prepared> {
    prepare_on(s, None).await
}

/// [`prepare`] against `target` when given (a database strata made, whose URL is not in the
/// settings), else against the settings' target.
pub(crate) async fn prepare_on(s: &Settings, target: Option<DbUrl>) -> Result<Prepared> {
    // Before any connection: a dev URL that is the target is refused outright.
    let dev = dev_source(s)?;
    let (loaded, inspected) =
        tokio::join!(desired(s, &dev), inspect_on(s, target, Connections::Two));
    crate::timing::stage("loaded and inspected");
    let loaded = loaded?;
    finish(s, &dev, loaded, inspected?).await
}

/// [`prepare`] against `url` with a desired schema that is already canonical
/// ([`canonical_desired`]): nothing goes through a scratch database. Fleets plan every target
/// this way, normalizing the desired schema once.
pub(crate) async fn prepare_canonical(
    s: &Settings,
    url: DbUrl,
    desired: Desired,
) -> Result<Prepared> {
    let dev = dev_source(s)?;
    let inspected = inspect_on(s, Some(url), Connections::One).await?;
    finish(s, &dev, desired, inspected).await
}

/// The desired schema of the settings' sources, normalized through a scratch database once
/// (every table, as against an empty database), for comparing with many databases.
pub(crate) async fn canonical_desired(s: &Settings) -> Result<Desired> {
    let dev = dev_source(s)?;
    let loaded = desired(s, &dev).await?;
    let compared = compare(s, &dev, Model::default(), Deps::default(), loaded).await?;
    Ok(Desired {
        model: compared.desired,
        moves: compared.moves,
        form: Form::Sql(compared.deps.desired),
    })
}

impl Desired {
    /// A copy for comparing with another database: only a canonical desired schema (from SQL,
    /// or [`canonical_desired`]) is reused; HCL as written is normalized per comparison.
    pub(crate) fn reuse(&self) -> Option<Desired> {
        match &self.form {
            Form::Sql(deps) => Some(Desired {
                model: self.model.clone(),
                moves: self.moves.clone(),
                form: Form::Sql(deps.clone()),
            }),
            Form::Hcl(_) => None,
        }
    }
}

/// What inspecting the target gives: its URL, a connection, its model, its unmanaged
/// attributes and its dependencies.
type Inspected = (DbUrl, Client, Model, Vec<Unmanaged>, Deps);

/// How many connections inspecting one target opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Connections {
    /// One: the queries are pipelined on it. Fleets inspect many targets at once, so a second
    /// backend per target (its start-up and cold catalog caches) costs more than it saves.
    One,
    /// Two: the server reads the catalog for both at once (one target, cores to spare).
    Two,
}

async fn inspect_on(s: &Settings, target: Option<DbUrl>, conns: Connections) -> Result<Inspected> {
    let url = match target {
        Some(url) => url,
        None => target_url(s).await?,
    };
    let (client, current, warnings, deps) = read_target(s, &url, conns).await?;
    Ok((url, client, current, warnings, deps))
}

/// A live database's model, its unmanaged attributes and its dependencies, read on `conns`
/// read-only connections; the first stays open for the caller.
async fn read_target(
    s: &Settings,
    url: &DbUrl,
    conns: Connections,
) -> Result<(Client, Model, Vec<Unmanaged>, Deps)> {
    let lock = s.timeouts.lock;
    let client = connect_catalog_reader(url, lock);
    let (client, second) = match conns {
        Connections::Two => {
            let (a, b) = tokio::try_join!(client, connect_catalog_reader(url, lock))?;
            (a, Some(b))
        }
        Connections::One => (client.await?, None),
    };
    let other = second.as_ref().unwrap_or(&client);
    // Without an explicit list, the desired schemas are known only after loading: read
    // every schema and keep the right ones when comparing.
    let filter = SchemaFilter::listed(&s.schemas).with_roles(s.roles.clone());
    let read = tokio::try_join!(inspect_target(&client, other, &filter), async {
        dependencies(other, &filter)
            .await
            .map_err(miette::Report::new)
    });
    match read {
        Ok(((model, warnings), deps)) => {
            // The first connection goes on to apply: the user's statements run with the
            // server's settings.
            client
                .batch_execute(crate::postgres::connect::CATALOG_ONLY_RESET)
                .await
                .map_err(|e| {
                    miette::miette!(
                        code = "strata::inspect",
                        "cannot reset the session settings on {} ({}): {}",
                        url.redacted(),
                        crate::postgres::connect::CATALOG_ONLY_RESET,
                        crate::postgres::connect::error_text(&e)
                    )
                })?;
            Ok((client, model, warnings, deps))
        }
        Err(e) => Err(inspect_failed(url, lock, s.verbose, e).await),
    }
}

/// Compares the inspected target with the desired schema and plans.
async fn finish(
    s: &Settings,
    dev: &DevSource,
    desired: Desired,
    inspected: Inspected,
) -> Result<Prepared> {
    let (url, client, current, mut warnings, current_deps) = inspected;
    let compared = compare(s, dev, current, current_deps, desired).await?;
    unmanaged::restrict(&mut warnings, &compared.scope);
    refuse_impossible_conversions(&client, &compared.changes).await?;
    // A server that does not let this role read its identity (pg_control_system) still plans:
    // the saved plan then falls back to the fingerprint check alone.
    let database = crate::postgres::inspect::database_identity(&client)
        .await
        .ok();
    crate::timing::stage("diffed");
    let plan = compared.plan(&PlanContext {
        env: s.env_name.clone(),
        target: url.redacted(),
        database,
        schemas: compared.scope.schemas.clone(),
        exclude: s.exclude.clone(),
        online: s.online,
        roles: s.roles.clone(),
    })?;
    Ok(Prepared {
        url,
        client,
        current: compared.current,
        desired: compared.desired,
        scope: compared.scope,
        plan,
        normalized: compared.normalized,
        warnings,
    })
}

/// Refuses, at plan time, a column type change that PostgreSQL has no conversion for (bigint
/// to timestamp): applying it would fail half-way with `cannot cast type …`. Each type change
/// that needs a `USING` cast is probed on the target with a NULL of the old type; a probe
/// that fails for another reason (a type the plan creates) is left to apply.
async fn refuse_impossible_conversions(
    client: &tokio_postgres::Client,
    changes: &[diff::Change],
) -> Result<()> {
    for change in changes {
        let diff::Change::AlterTable(td) = change else {
            continue;
        };
        for tc in &td.changes {
            let diff::TableChange::AlterColumn { from, to } = tc else {
                continue;
            };
            let Some(probe) = crate::postgres::ddl::conversion_probe(from, to) else {
                continue;
            };
            let Err(e) = client.batch_execute(&probe).await else {
                continue;
            };
            let no_cast = e.as_db_error().is_some_and(|d| {
                *d.code() == tokio_postgres::error::SqlState::CANNOT_COERCE
                    || *d.code() == tokio_postgres::error::SqlState::UNDEFINED_FUNCTION
            });
            if no_cast {
                return Err(diff::UnsupportedChange {
                    message: format!(
                        "column \"{}.{}.{}\" cannot be converted from {} to {}: {}",
                        td.to.schema,
                        td.to.name,
                        to.name,
                        crate::postgres::types::storage_sql(&from.ty),
                        crate::postgres::types::storage_sql(&to.ty),
                        error_text(&e)
                    ),
                    help: Some(format!(
                        "PostgreSQL has no cast between these types, so strata cannot keep the data. Either add a new column of the new type, fill it (UPDATE … SET new = <conversion of \"{}\">), and drop the old one, or drop the column and add it again (its data is lost)",
                        from.name
                    )),
                }
                .into());
            }
        }
    }
    Ok(())
}

/// Two live databases, read as they are: the plan that would turn `from` into `to` (`strata
/// diff`). Both sides come from PostgreSQL, so both are canonical: nothing is normalized, no
/// scratch database is used, and neither database is changed. Without `--schema`, every user
/// schema of either side is compared (one only `from` has is dropped).
pub(crate) async fn diff_databases(
    s: &Settings,
    from: &DbUrl,
    to: &DbUrl,
) -> Result<(Plan, Vec<Unmanaged>)> {
    let ((current, mut warnings, current_deps), (desired, _, desired_deps)) =
        tokio::try_join!(read_database(s, from), read_database(s, to))?;
    let mut s = s.clone();
    if s.schemas.is_empty() {
        let mut all: Vec<String> = current
            .schemas
            .keys()
            .chain(desired.schemas.keys())
            .cloned()
            .collect();
        all.sort();
        all.dedup();
        s.schemas = all;
    }
    let desired = Desired {
        model: desired,
        moves: Vec::new(),
        form: Form::Sql(desired_deps),
    };
    let dev = dev_source(&s)?;
    let compared = compare(&s, &dev, current, current_deps, desired).await?;
    unmanaged::restrict(&mut warnings, &compared.scope);
    let plan = compared.plan(&PlanContext {
        env: s.env_name.clone(),
        target: from.redacted(),
        database: None,
        schemas: compared.scope.schemas.clone(),
        exclude: s.exclude.clone(),
        online: s.online,
        roles: s.roles.clone(),
    })?;
    Ok((plan, warnings))
}

/// A live database's model, its unmanaged attributes and its dependencies.
async fn read_database(s: &Settings, url: &DbUrl) -> Result<(Model, Vec<Unmanaged>, Deps)> {
    let (_, model, warnings, deps) = read_target(s, url, Connections::Two).await?;
    Ok((model, warnings, deps))
}

/// A saved plan is applied only to the database it was made for (the same cluster and
/// database; a physical replica or a restart keeps both), even when another has the same
/// schema. Plans saved before strata recorded the database, or where the server does not tell
/// its identity, are checked by fingerprint only.
pub(crate) async fn refuse_other_database(
    client: &tokio_postgres::Client,
    plan: &Plan,
    url: &DbUrl,
) -> Result<()> {
    let Some(made_for) = &plan.database else {
        return Ok(());
    };
    // Unreadable here (a role without access to pg_control_system): the fingerprint check
    // still guards the apply.
    let Ok(here) = crate::postgres::inspect::database_identity(client).await else {
        return Ok(());
    };
    if *made_for == here {
        return Ok(());
    }
    Err(crate::settings::refused(
        format!(
            "this plan was made for another database: {} (not {}); nothing was changed",
            plan.target,
            url.redacted()
        ),
        "apply it to the database it was made for, or run `strata plan -out FILE` against this one",
    ))
}
