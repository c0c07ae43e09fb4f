//! One file per command: glue from settings to loading, inspecting, diffing, planning and
//! rendering or applying. Shared setup lives here.

pub mod apply;
pub mod cluster;
pub mod explain;
pub mod fmt;
pub mod inspect;
pub mod migrate;
pub mod plan;
pub mod show;
pub mod validate;

use crate::cli::{Cli, Command, GlobalArgs, HazardArgs};
use crate::config;
use crate::devdb::{DevSource, cluster as private_cluster};
use crate::diff;
use crate::hcl::{self, LoadOptions, Loaded};
use crate::lint::Category;
use crate::lint::policy::{Level, Policy, Selector};
use crate::model::Model;
use crate::normalize;
use crate::plan::{self as planner, Plan, PlanContext, PlanDeps};
use crate::postgres::connect::{DbUrl, error_text};
use crate::postgres::inspect::deps::dependencies;
use crate::postgres::inspect::{Scope, Unmanaged, inspect_target};
use crate::render::Painter;
use miette::{Diagnostic, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use thiserror::Error;
use tokio_postgres::Client;

/// A usage problem that is not tied to a file.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(strata::usage))]
pub struct UsageError {
    pub message: String,
    #[help]
    pub help: Option<String>,
}

pub fn usage(message: impl Into<String>, help: impl Into<String>) -> miette::Report {
    UsageError {
        message: message.into(),
        help: Some(help.into()),
    }
    .into()
}

/// Everything a command needs to know, from the config file and the flags (flags win).
#[derive(Debug, Clone)]
pub struct Settings {
    pub env_name: Option<String>,
    pub url: Option<String>,
    pub dev: Option<String>,
    pub src: Vec<PathBuf>,
    pub schemas: Vec<String>,
    pub exclude: Vec<String>,
    pub lock_timeout: String,
    pub db_lock_wait: Duration,
    pub vars: BTreeMap<String, String>,
    /// `statement_timeout` for statements in transactions (`None`: the server's setting).
    pub statement_timeout: Option<String>,
    /// `statement_timeout` for online statements (concurrent builds, validations).
    pub online_statement_timeout: Option<String>,
    /// Online mode (env `online = true` or `--online`).
    pub online: bool,
    /// Rehearse applies on a scratch copy first (env `rehearse = true` or `--rehearse`).
    pub rehearse: bool,
    /// Hazard policy from the config (flags are added by the commands).
    pub policy: Policy,
    /// Directory of the config file (or the working directory): home of `.strata/`.
    pub project_dir: PathBuf,
    pub config_path: PathBuf,
    pub painter: Painter,
    /// The env's `migration { dir }` (`migrate --dir` overrides it).
    pub migration_dir: Option<PathBuf>,
    /// The config file's `data "external_schema"` programs, by name.
    pub external_schemas: BTreeMap<String, config::ExternalSchema>,
}

/// Runs the parsed command line; returns the exit code.
pub async fn run(cli: Cli, painter: Painter) -> Result<u8> {
    let settings = settings(&cli.global, painter)?;
    match cli.command {
        Command::Plan(args) => plan::run(&settings, &args).await,
        Command::Apply(args) => apply::run(&settings, &args).await,
        Command::Inspect(args) => inspect::run(&settings, &args).await,
        Command::Validate(args) => validate::run(&settings, &args),
        Command::Fmt(args) => fmt::run(&settings, &args),
        Command::Cluster(args) => cluster::run(&settings, &args).await,
        Command::Show(args) => show::run(&settings, &args),
        Command::Explain(args) => explain::run(&settings, &args),
        Command::Migrate(args) => migrate::run(&settings, &args).await,
    }
}

pub(crate) fn settings(g: &GlobalArgs, painter: Painter) -> Result<Settings> {
    let vars: BTreeMap<String, String> = g.vars.iter().cloned().collect();
    let cwd = std::env::current_dir().map_err(|e| {
        usage(
            format!("cannot read the working directory: {e}"),
            "run strata from an existing directory",
        )
    })?;
    let config_path = if g.config.is_absolute() {
        g.config.clone()
    } else {
        cwd.join(&g.config)
    };
    let mut s = Settings {
        env_name: g.env.clone(),
        url: None,
        dev: None,
        src: Vec::new(),
        schemas: Vec::new(),
        exclude: Vec::new(),
        lock_timeout: "5s".into(),
        db_lock_wait: Duration::from_secs(30),
        vars: vars.clone(),
        statement_timeout: None,
        online_statement_timeout: None,
        online: false,
        rehearse: false,
        policy: Policy::default(),
        project_dir: cwd.clone(),
        config_path: config_path.clone(),
        painter,
        migration_dir: None,
        external_schemas: BTreeMap::new(),
    };
    if let Some(name) = &g.env {
        let env = config::load_env(&config_path, name, &vars)?;
        s.project_dir = config_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or(cwd.clone());
        s.url = env.url;
        s.dev = env.dev;
        s.src = env.src;
        s.schemas = env.schemas;
        s.exclude = env.exclude;
        s.migration_dir = env.migration_dir;
        s.external_schemas = env.external_schemas;
        if let Some(l) = env.lock_timeout {
            s.lock_timeout = l;
        }
        s.statement_timeout = env.statement_timeout;
        s.online_statement_timeout = env.online_statement_timeout;
        s.online = env.online.unwrap_or(false);
        s.rehearse = env.rehearse.unwrap_or(false);
        s.policy = env.policy;
        if let Some(w) = env.db_lock_wait {
            s.db_lock_wait = parse_duration(&w).ok_or_else(|| {
                usage(
                    format!("invalid db_lock_wait {w:?}"),
                    "use a duration such as 30s or 2m",
                )
            })?;
        }
    }
    if g.url.is_some() {
        s.url = g.url.clone();
    }
    if g.dev_url.is_some() {
        s.dev = g.dev_url.clone();
    }
    if !g.src.is_empty() {
        s.src = g
            .src
            .iter()
            .map(|p| {
                if p.is_absolute() {
                    p.clone()
                } else {
                    cwd.join(p)
                }
            })
            .collect();
    }
    if !g.schemas.is_empty() {
        s.schemas = g.schemas.clone();
    }
    if !g.exclude.is_empty() {
        s.exclude = g.exclude.clone();
    }
    if s.src.is_empty() {
        let default = s.project_dir.join("schema.hcl");
        if default.is_file() {
            s.src.push(default);
        }
    }
    Ok(s)
}

/// The settings' policy with the command line's `--allow-hazards`/`--allow-destructive` on top.
pub fn policy_with(s: &Settings, h: &HazardArgs) -> Result<Policy> {
    let mut p = s.policy.clone();
    if h.allow_destructive {
        p.force(Selector::Category(Category::DataLoss), Level::Allow);
    }
    p.allow_list(&h.allow_hazards).map_err(|m| {
        usage(
            m,
            "run `strata explain` for the list of codes; categories: data_loss, may_fail, lock, compatibility, security, transaction, style",
        )
    })?;
    Ok(p)
}

/// Checks a duration flag or setting, e.g. `5s`.
pub fn check_duration(what: &str, v: &str) -> Result<()> {
    if parse_duration(v).is_none() {
        return Err(usage(
            format!("invalid {what} {v:?}"),
            "use a duration such as 500ms, 5s, 2m or 1h",
        ));
    }
    Ok(())
}

/// Parses `500ms`, `5s`, `2m`, `1h`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let (num, unit) = s
        .find(|c: char| !c.is_ascii_digit())
        .map(|i| s.split_at(i))
        .unwrap_or((s, "s"));
    let n: u64 = num.parse().ok()?;
    Some(match unit.trim() {
        "ms" => Duration::from_millis(n),
        "s" | "" => Duration::from_secs(n),
        "m" | "min" => Duration::from_secs(n * 60),
        "h" => Duration::from_secs(n * 3600),
        _ => return None,
    })
}

/// Loads the desired schema from the sources.
pub fn load_desired(s: &Settings) -> Result<Loaded> {
    if s.src.is_empty() {
        return Err(usage(
            "no schema source",
            "pass --src schema.hcl (a file or a directory), or use --env with an env that has `src`",
        ));
    }
    if crate::sources::is_sql(&s.src)? {
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
    Ok(loaded)
}

/// Resolves and connects to the target database.
pub async fn target_url(s: &Settings) -> Result<DbUrl> {
    let Some(raw) = &s.url else {
        return Err(usage(
            "no target database",
            "pass --url postgres://…, or use --env with an env that has `url`",
        ));
    };
    resolve_url(s, raw).await
}

async fn resolve_url(s: &Settings, raw: &str) -> Result<DbUrl> {
    if let Some(db) = raw.strip_prefix("local://") {
        let db = db.trim_matches('/');
        let db = if db.is_empty() { "postgres" } else { db };
        return private_cluster::database_url(&s.project_dir, db).await;
    }
    Ok(DbUrl::parse(raw)?)
}

/// Where scratch databases come from.
pub fn dev_source(s: &Settings) -> Result<DevSource> {
    match s.dev.as_deref() {
        None => Ok(DevSource::Cluster(s.project_dir.clone())),
        Some(d) if d.starts_with("local://") || d.starts_with("docker://") => {
            Ok(DevSource::Cluster(s.project_dir.clone()))
        }
        Some(d) => {
            let dev = DbUrl::parse(d)?;
            if let Some(target) = s.url.as_deref().and_then(|u| DbUrl::parse(u).ok())
                && dev.same_database(&target)
            {
                return Err(usage(
                    format!(
                        "the dev database {} is the target database: strata creates the desired schema there to normalize it, which would collide with the schema it manages",
                        dev.redacted()
                    ),
                    "point `dev` (--dev-url) at an empty database of its own, such as postgres://…/strata_dev, or remove it to use strata's private cluster",
                ));
            }
            Ok(DevSource::Url(Box::new(dev)))
        }
    }
}

/// Opens a connection with strata's session settings.
pub async fn connect(url: &DbUrl) -> Result<Client> {
    let client = url.connect().await?;
    client
        .batch_execute("SET search_path = public")
        .await
        .map_err(|e| {
            usage(
                format!(
                    "cannot configure the session on {}: {}",
                    url.redacted(),
                    error_text(&e)
                ),
                "check the database",
            )
        })?;
    Ok(client)
}

/// `true` when `name` matches a glob with `*` and `?`.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some('*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some('?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    go(&p, &n)
}

/// Removes excluded objects: patterns without a dot match schemas, `schema.name` patterns match
/// tables and enums.
pub fn apply_exclude(model: &mut Model, exclude: &[String]) {
    if exclude.is_empty() {
        return;
    }
    model.schemas.retain(|name, _| {
        !exclude
            .iter()
            .any(|p| !p.contains('.') && glob_match(p, name))
    });
    for s in model.schemas.values_mut() {
        let schema = s.name.clone();
        let hit = |n: &str| {
            exclude
                .iter()
                .any(|p| p.contains('.') && glob_match(p, &format!("{schema}.{n}")))
        };
        s.tables.retain(|n, _| !hit(n));
        s.enums.retain(|n, _| !hit(n));
    }
}

/// Keeps what a plan manages of an inspected database: the schemas, extensions installed in
/// them (or anywhere), minus the excluded objects. Planning and the apply-time fingerprint check
/// both see the database through this.
pub fn restrict(model: &mut Model, schemas: &[String], exclude: &[String]) {
    model.schemas.retain(|name, _| schemas.contains(name));
    model
        .extensions
        .retain(|_, e| e.schema.as_ref().is_none_or(|x| schemas.contains(x)));
    apply_exclude(model, exclude);
}

/// Keeps the warnings about objects a plan manages: in `schemas`, not excluded (the patterns of
/// [`apply_exclude`]: without a dot a schema, with one `schema.table`).
pub fn restrict_warnings(warnings: &mut Vec<Unmanaged>, schemas: &[String], exclude: &[String]) {
    warnings.retain(|w| {
        schemas.contains(&w.schema)
            && !exclude.iter().any(|p| {
                if p.contains('.') {
                    w.relation
                        .as_ref()
                        .is_some_and(|r| glob_match(p, &format!("{}.{r}", w.schema)))
                } else {
                    glob_match(p, &w.schema)
                }
            })
    });
}

/// A computed plan with everything it was computed from.
pub struct Prepared {
    pub url: DbUrl,
    pub client: Client,
    pub current: Model,
    pub desired: Model,
    pub scope: Scope,
    pub plan: Plan,
    /// Tables that went through the scratch database.
    pub normalized: usize,
    /// Non-default values of attributes strata does not manage, in the managed schemas of the
    /// target database (never of a scratch database).
    pub warnings: Vec<Unmanaged>,
}

/// Loads, inspects, normalizes, diffs and plans.
pub async fn prepare(s: &Settings) -> Result<Prepared> {
    // Before any connection: a dev URL that is the target is refused outright.
    dev_source(s)?;
    if crate::sources::is_sql(&s.src)? {
        return crate::sources::prepare(s).await;
    }
    // Reading the HCL (CPU) and inspecting the database (I/O) run side by side.
    let settings = s.clone();
    let loading = tokio::task::spawn_blocking(move || load_desired(&settings));
    let inspecting = async {
        let url = target_url(s).await?;
        // Two connections: the server reads the catalog for both at once.
        let (client, second) = tokio::try_join!(connect(&url), connect(&url))?;
        // Without an explicit list, the schemas the HCL declares are known only after loading:
        // read every schema and keep the right ones below.
        let scope = Scope {
            schemas: if s.schemas.is_empty() {
                None
            } else {
                Some(s.schemas.clone())
            },
        };
        let ((current, warnings), deps) =
            tokio::try_join!(inspect_target(&client, &second, &scope), async {
                dependencies(&second, &scope)
                    .await
                    .map_err(miette::Report::new)
            })?;
        Ok::<_, miette::Report>((url, client, current, warnings, deps))
    };
    let (loaded, inspected) = tokio::join!(loading, inspecting);
    crate::timing::stage("loaded and inspected");
    let loaded = loaded.map_err(|e| miette::miette!("loading the schema files failed: {e}"))??;
    let (url, client, mut current, mut warnings, current_deps) = inspected?;
    let mut desired = loaded.model;
    let mut schemas: Vec<String> = if s.schemas.is_empty() {
        desired.schemas.keys().cloned().collect()
    } else {
        s.schemas.clone()
    };
    desired.schemas.retain(|name, _| schemas.contains(name));
    // A schema being renamed by a `moved` block is managed under its old name until then.
    for m in &loaded.moves {
        if let (diff::moves::Target::Schema(from), diff::moves::Target::Schema(to)) =
            (&m.from, &m.to)
            && schemas.contains(to)
            && !schemas.contains(from)
            && current.schemas.contains_key(from)
            && !current.schemas.contains_key(to)
        {
            schemas.push(from.clone());
        }
    }
    apply_exclude(&mut desired, &s.exclude);
    restrict(&mut current, &schemas, &s.exclude);
    restrict_warnings(&mut warnings, &schemas, &s.exclude);
    // `moved` blocks rename objects in the inspected model; the fingerprint a saved plan is
    // checked against is the database's, taken before.
    let mut fingerprint = None;
    let renames = if loaded.moves.is_empty() {
        Vec::new()
    } else {
        fingerprint = Some(planner::fingerprint(&current));
        diff::moves::apply(&mut current, &desired, &loaded.moves)
    };
    let scope = Scope {
        schemas: Some(schemas.clone()),
    };
    let dev = dev_source(s)?;
    let normalized =
        normalize::normalize(&current, &current_deps, desired, &dev, &loaded.sources).await?;
    let mut desired = normalized.model;
    normalize::canonical_serials(&mut desired);
    crate::timing::stage("normalized");
    let mut changes = diff::diff(&current, &desired)?;
    diff::moves::with_renames(&renames, &current, &desired, &mut changes);
    refuse_impossible_conversions(&client, &changes).await?;
    crate::timing::stage("diffed");
    let ctx = PlanContext {
        env: s.env_name.clone(),
        target: url.redacted(),
        schemas,
        exclude: s.exclude.clone(),
        online: s.online,
    };
    let deps = PlanDeps {
        current: current_deps,
        desired: normalized.deps,
    };
    let mut plan = planner::build(&changes, &current, &desired, &deps, &ctx);
    if let Some(f) = fingerprint {
        plan.fingerprint = f;
    }
    Ok(Prepared {
        url,
        client,
        current,
        desired,
        scope,
        plan,
        normalized: normalized.count,
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

/// How the target is named in prompts: the env, else the database.
pub fn target_label(s: &Settings, url: &DbUrl) -> String {
    match &s.env_name {
        Some(e) => format!("env \"{e}\""),
        None => format!("database \"{}\"", url.dbname()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("public.legacy_*", "public.legacy_users"));
        assert!(!glob_match("public.legacy_*", "public.users"));
        assert!(glob_match("*", "anything"));
        assert!(glob_match("a?c", "abc"));
    }

    #[test]
    fn warnings_follow_schemas_and_exclude() {
        let w = |schema: &str, rel: Option<&str>| Unmanaged {
            schema: schema.into(),
            relation: rel.map(str::to_string),
            object: String::new(),
            attribute: String::new(),
            value: String::new(),
        };
        let all = vec![
            w("public", Some("t")),
            w("public", Some("u")),
            w("public", None),
            w("other", Some("t")),
        ];
        let schemas = vec!["public".to_string()];
        let mut kept = all.clone();
        restrict_warnings(&mut kept, &schemas, &[]);
        assert_eq!(kept, all[..3].to_vec());
        let mut kept = all.clone();
        restrict_warnings(&mut kept, &schemas, &["public.t*".into()]);
        assert_eq!(kept, vec![all[1].clone(), all[2].clone()]);
        let mut kept = all.clone();
        restrict_warnings(&mut kept, &schemas, &["pub*".into()]);
        assert!(kept.is_empty());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("5s"), Some(Duration::from_secs(5)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("10"), Some(Duration::from_secs(10)));
        assert_eq!(parse_duration("x"), None);
    }
}
