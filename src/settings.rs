//! Settings: everything a command needs to know, resolved once from the config file and the
//! flags (flags win), and what follows directly from them: the target's URL and connection,
//! where scratch databases come from, the hazard policy with the command line on top.

use crate::cli::{GlobalArgs, HazardArgs};
use crate::config;
use crate::config::duration::{DURATION_HELP, Timeout, Timeouts};
use crate::devdb::{DevSource, cluster as private_cluster};
use crate::lint::Category;
use crate::lint::policy::{Level, Policy, Selector};
use crate::postgres::connect::{DbUrl, error_text};
use crate::render::Painter;
use miette::{Diagnostic, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use thiserror::Error;
use tokio_postgres::Client;

/// A usage problem that is not tied to a file.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(strata::usage))]
pub(crate) struct UsageError {
    pub(crate) message: String,
    #[help]
    pub(crate) help: Option<String>,
}

/// strata chose not to act, to keep the database safe: a policy denies a hazard, no one can
/// approve, a saved plan is for another database, a rehearsal failed. Nothing was changed.
/// Errors come in four families, each with its code: usage (`strata::usage`: the command line,
/// the config or the schema files are wrong), refused (`strata::refused`, this), database
/// errors (`strata::apply::*`, `strata::inspect`, `strata::connect`: what the server said, with
/// the statement) and runtime failures of strata's own work (`strata::normalize`,
/// `strata::fleet::*`, …).
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(strata::refused))]
pub(crate) struct RefusedError {
    pub(crate) message: String,
    #[help]
    pub(crate) help: Option<String>,
}

/// A [`RefusedError`].
pub(crate) fn refused(message: impl Into<String>, help: impl Into<String>) -> miette::Report {
    RefusedError {
        message: message.into(),
        help: Some(help.into()),
    }
    .into()
}

pub(crate) fn usage(message: impl Into<String>, help: impl Into<String>) -> miette::Report {
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
    /// `lock_timeout`, `statement_timeout`s and `db_lock_wait` from the env (flags of the
    /// commands that take them go on top: [`Settings::timeouts_with`]).
    pub timeouts: Timeouts,
    pub vars: BTreeMap<String, String>,
    /// Online mode (env `online = true` or `--online`).
    pub online: bool,
    /// Rehearse applies on a scratch copy first (env `rehearse = true` or `--rehearse`).
    pub rehearse: bool,
    /// Hazard policy from the config (flags are added by the commands).
    pub policy: Policy,
    /// Directory of the config file (or the working directory): relative paths, and where an
    /// old per-project private cluster (`.strata/`) may still run.
    pub project_dir: PathBuf,
    pub config_path: PathBuf,
    pub painter: Painter,
    /// The env's `migration { dir }` (`migrate --dir` overrides it).
    pub migration_dir: Option<PathBuf>,
    /// The config file's `data "external_schema"` programs, by name.
    pub external_schemas: BTreeMap<String, config::ExternalSchema>,
    /// `--verbose`: full text where reports abbreviate (blockers' queries).
    pub verbose: bool,
    /// Why the env's `url` is empty (see `config::Env::url_unset`).
    pub url_unset: Option<String>,
    /// `-input=false`: never prompt (approval then needs `-auto-approve`).
    pub input: bool,
    /// The config file's `variable` blocks (with an env).
    pub config_variables: Vec<String>,
    /// A fleet env's targets (`for_each`); `None` for one database.
    pub fleet: Option<Vec<config::Target>>,
    /// The roles (and their privileges) the env manages; `None` manages none.
    pub roles: Option<crate::model::RoleScope>,
}

impl Settings {
    /// Whether a prompt can be shown: input allowed and a terminal to ask on.
    pub(crate) fn can_prompt(&self) -> bool {
        use std::io::IsTerminal;
        self.input && std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
    }

    /// Why no prompt can be shown (see [`Settings::can_prompt`]).
    pub(crate) fn no_prompt_reason(&self) -> &'static str {
        if self.input {
            "no terminal to ask for approval"
        } else {
            "-input=false forbids asking for approval"
        }
    }
}

/// Resolves the settings: the config file's env (when one is named), then the flags.
pub(crate) fn resolve(g: &GlobalArgs, painter: Painter) -> Result<Settings> {
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
        timeouts: Timeouts::default(),
        vars: vars.clone(),
        online: false,
        rehearse: false,
        policy: Policy::default(),
        project_dir: cwd.clone(),
        config_path: config_path.clone(),
        painter,
        migration_dir: None,
        external_schemas: BTreeMap::new(),
        verbose: g.verbose,
        url_unset: None,
        input: g.input,
        config_variables: Vec::new(),
        fleet: None,
        roles: None,
    };
    if let Some(name) = &g.env {
        let origin = g
            .env_from_variable
            .then_some("the STRATA_ENV environment variable");
        let env = config::load_env_with(&config_path, name, &vars, origin, &run_sql_data)?;
        s.project_dir = config_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or(cwd.clone());
        s.url = env.url;
        s.url_unset = env.url_unset;
        s.config_variables = env.variables;
        s.dev = env.dev;
        s.src = env.src;
        s.schemas = env.schemas;
        s.exclude = env.exclude;
        s.migration_dir = env.migration_dir;
        s.external_schemas = env.external_schemas;
        s.fleet = env.fleet;
        s.roles = env.roles;
        // The env's `vars` under the command line's.
        for (k, v) in env.vars {
            s.vars.entry(k).or_insert(v);
        }
        if let Some(l) = &env.lock_timeout {
            s.timeouts.lock = timeout_setting("lock_timeout", l)?;
        }
        if let Some(t) = &env.statement_timeout {
            s.timeouts.statement = Some(timeout_setting("statement_timeout", t)?);
        }
        if let Some(t) = &env.online_statement_timeout {
            s.timeouts.online_statement = Some(timeout_setting("online_statement_timeout", t)?);
        }
        s.online = env.online.unwrap_or(false);
        s.rehearse = env.rehearse.unwrap_or(false);
        s.policy = env.policy;
        if let Some(w) = &env.db_lock_wait {
            s.timeouts.db_lock_wait = timeout_setting("db_lock_wait", w)?;
        }
    }
    if g.url.is_some() {
        // One database named on the command line: not the fleet.
        s.url = g.url.clone();
        s.fleet = None;
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

/// Runs a `data "sql"` query of the config file. Settings are resolved before the command's
/// runtime work starts, so the query runs on a runtime of its own, on a thread of its own.
fn run_sql_data(q: &config::SqlQuery) -> Result<Vec<String>, String> {
    let q = q.clone();
    std::thread::scope(|scope| {
        scope
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| format!("cannot start a runtime: {e}"))?;
                runtime.block_on(async move {
                    let url = DbUrl::parse(&q.url).map_err(|e| e.to_string())?;
                    let client = connect(&url).await.map_err(|e| format!("{e}"))?;
                    crate::postgres::session::first_column(&client, &q.query, &q.args)
                        .await
                        .map_err(|e| format!("{} (on {})", error_text(&e), url.redacted()))
                })
            })
            .join()
            .unwrap_or_else(|_| Err("the query's thread failed".to_string()))
    })
}

/// The settings' policy with the command line's `--allow-hazards`/`--allow-destructive` on top.
pub(crate) fn policy_with(s: &Settings, h: &HazardArgs) -> Result<Policy> {
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

/// A timeout setting of the env, e.g. `5s`.
fn timeout_setting(what: &str, v: &str) -> Result<Timeout> {
    Timeout::parse(v).ok_or_else(|| usage(format!("invalid {what} {v:?}"), DURATION_HELP))
}

impl Settings {
    /// The env's timeouts with a command's flags on top.
    pub(crate) fn timeouts_with(
        &self,
        lock: Option<Timeout>,
        statement: Option<Timeout>,
        db_lock_wait: Option<Timeout>,
    ) -> Timeouts {
        Timeouts {
            lock: lock.unwrap_or(self.timeouts.lock),
            statement: statement.or(self.timeouts.statement),
            online_statement: self.timeouts.online_statement,
            db_lock_wait: db_lock_wait.unwrap_or(self.timeouts.db_lock_wait),
        }
    }
}

/// Resolves and connects to the target database.
pub(crate) async fn target_url(s: &Settings) -> Result<DbUrl> {
    let Some(raw) = &s.url else {
        if let Some(why) = &s.url_unset {
            return Err(usage(
                format!("no target database: {why}"),
                "set the variable (in CI: the job's secrets or environment), or pass --url postgres://…",
            ));
        }
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
pub(crate) fn dev_source(s: &Settings) -> Result<DevSource> {
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
pub(crate) async fn connect(url: &DbUrl) -> Result<Client> {
    let client = url.connect().await?;
    client
        .batch_execute(crate::postgres::connect::SESSION_SQL)
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

/// A connection for reading the target's catalog: [`connect`] with `lock_timeout` set, so that
/// a catalog read that waits for another session's ACCESS EXCLUSIVE lock (a long `ALTER TABLE`
/// elsewhere) fails after the timeout instead of hanging `plan` for as long as that lock is
/// held. [`inspect_failed`] turns the failure into a message naming the holder. JIT is off
/// ([`crate::postgres::connect::reader_session_sql`]).
pub(crate) async fn connect_reader(url: &DbUrl, lock_timeout: Timeout) -> Result<Client> {
    configured_reader(url, lock_timeout, false).await
}

/// [`connect_reader`] for a connection that only reads the catalog and is closed after: also
/// [`crate::postgres::connect::CATALOG_ONLY_SESSION`].
pub(crate) async fn connect_catalog_reader(url: &DbUrl, lock_timeout: Timeout) -> Result<Client> {
    configured_reader(url, lock_timeout, true).await
}

async fn configured_reader(
    url: &DbUrl,
    lock_timeout: Timeout,
    catalog_only: bool,
) -> Result<Client> {
    let client = connect(url).await?;
    let mut setup = crate::postgres::connect::reader_session_sql(&lock_timeout.postgres());
    if catalog_only {
        setup.push_str("; ");
        setup.push_str(crate::postgres::connect::CATALOG_ONLY_SESSION);
    }
    client.batch_execute(&setup).await.map_err(|e| {
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

/// The error of a failed inspection of `url`: when a catalog query gave up waiting for a lock,
/// a message naming the sessions that hold ACCESS EXCLUSIVE locks in the database and what
/// to do; any other error as it is.
pub(crate) async fn inspect_failed(
    url: &DbUrl,
    lock_timeout: Timeout,
    verbose: bool,
    error: miette::Report,
) -> miette::Report {
    let locked = error
        .downcast_ref::<crate::postgres::inspect::InspectError>()
        .is_some_and(|e| e.locked);
    if !locked {
        return error;
    }
    let holders = match connect(url).await {
        Ok(c) => crate::postgres::locks::exclusive_holders(&c)
            .await
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let mut message = format!(
        "cannot read the schema of {}: a catalog query waited lock_timeout {lock_timeout} for a \
         lock another session holds",
        url.redacted()
    );
    if holders.is_empty() {
        message.push_str(" (the lock has been released since: run the command again)");
    }
    for (b, relations) in &holders {
        message.push_str(&format!(
            "\n  {} locked ACCESS EXCLUSIVE by {}",
            relations.join(", "),
            b.describe(verbose)
        ));
    }
    usage(
        message,
        "wait for that session's transaction to end (or end it: SELECT pg_terminate_backend(pid)), \
         or wait longer with the env's lock_timeout (apply: --lock-timeout); --verbose shows the \
         sessions' full queries",
    )
}

/// How the target is named in prompts: the env, else the database.
pub(crate) fn target_label(s: &Settings, url: &DbUrl) -> String {
    match &s.env_name {
        Some(e) => format!("env \"{e}\""),
        None => format!("database \"{}\"", url.dbname()),
    }
}
