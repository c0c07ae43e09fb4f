//! Command-line definitions, Terraform-style single-dash flags (`-auto-approve`), exit codes.

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::path::PathBuf;

pub(crate) mod migrate;

/// Exit code for success with no changes (and every successful command).
pub(crate) const EXIT_OK: u8 = 0;
/// Exit code for errors.
pub(crate) const EXIT_ERROR: u8 = 1;
/// Exit code of `plan -detailed-exitcode` when there are changes.
pub(crate) const EXIT_CHANGES: u8 = 2;

/// Declarative PostgreSQL schema management: plan and apply HCL schemas like Terraform.
#[derive(Debug, Parser)]
#[command(name = "strata", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Flags every command takes (each command's help lists only those that mean something to it,
/// see [`command`]).
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Global options")]
pub(crate) struct GlobalArgs {
    /// Environment from the config file (an `env "NAME"` block).
    #[arg(long, global = true, env = "STRATA_ENV")]
    pub(crate) env: Option<String>,
    /// Config file with env, variable, locals and data blocks.
    #[arg(long, global = true, default_value = "env.hcl")]
    pub(crate) config: PathBuf,
    /// Target database URL (overrides the env's `url`), e.g. postgres://user@host:5432/db.
    #[arg(long, global = true)]
    pub(crate) url: Option<String>,
    /// Server for scratch databases used to normalize the schema (overrides the env's `dev`).
    #[arg(long = "dev-url", global = true)]
    pub(crate) dev_url: Option<String>,
    /// Schema source: an .hcl or .sql file, or a directory of them. Repeatable.
    #[arg(long, global = true)]
    pub(crate) src: Vec<PathBuf>,
    /// Schema to manage. Repeatable. Default: the schemas the configuration declares.
    #[arg(long = "schema", global = true)]
    pub(crate) schemas: Vec<String>,
    /// Glob of objects to leave alone (`schema`, `schema.table`). Repeatable.
    #[arg(long, global = true)]
    pub(crate) exclude: Vec<String>,
    /// Value for a variable: --var name=value. Repeatable.
    #[arg(long = "var", global = true, value_parser = parse_var)]
    pub(crate) vars: Vec<(String, String)>,
    /// Plain output without colors (also: the NO_COLOR environment variable).
    #[arg(long, global = true)]
    pub(crate) no_color: bool,
    /// More detail in reports: a lock-timeout report shows the blocking sessions' queries in
    /// full (by default normalized, constants replaced by `$n`, and truncated).
    #[arg(long, short = 'v', global = true)]
    pub(crate) verbose: bool,
    /// Ask for input at the terminal (Terraform's `-input`): with -input=false a prompt is never
    /// shown, so apply and migrate down need -auto-approve.
    #[arg(long, global = true, value_name = "BOOL", num_args = 0..=1, default_value_t = true,
          default_missing_value = "true", action = clap::ArgAction::Set)]
    pub(crate) input: bool,
    /// Whether `--env` came from the STRATA_ENV environment variable (set by [`parse`]).
    #[arg(skip)]
    pub(crate) env_from_variable: bool,
}

/// `--shard K/N`: the K-th of N slices of a fleet (1-based; which targets are in it is
/// `fleet::in_shard`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shard {
    pub(crate) index: u64,
    pub(crate) count: u64,
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

fn parse_shard(s: &str) -> Result<Shard, String> {
    let (k, n) = s
        .split_once('/')
        .ok_or_else(|| format!("{s:?} is not K/N (e.g. 2/3)"))?;
    let index: u64 = k
        .trim()
        .parse()
        .map_err(|_| format!("{k:?} is not a number"))?;
    let count: u64 = n
        .trim()
        .parse()
        .map_err(|_| format!("{n:?} is not a number"))?;
    if count == 0 || index == 0 || index > count {
        return Err(format!("shard {index}/{count}: K must be between 1 and N"));
    }
    Ok(Shard { index, count })
}

fn parse_var(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected name=value, got {s:?}")),
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Show the changes that would make the database match the configuration.
    Plan(PlanArgs),
    /// Plan, ask for approval, and apply the changes (one transaction; phases in online mode).
    Apply(ApplyArgs),
    /// Print the live database as HCL, SQL or an ER diagram (with --src and no --url: the schema
    /// sources).
    Inspect(InspectArgs),
    /// Check the schema files without a database, and run the schema lints.
    Validate(ValidateArgs),
    /// Rewrite HCL files in canonical format, keeping comments.
    Fmt(FmtArgs),
    /// Manage strata's private PostgreSQL cluster (shared by all projects, stops when unused).
    Cluster(ClusterArgs),
    /// Render a plan saved with `plan -out FILE`.
    Show(ShowArgs),
    /// Explain a hazard or lint code (without a code: list them all).
    Explain(ExplainArgs),
    /// Versioned migrations: write, check, lint and apply SQL migration files.
    Migrate(migrate::MigrateArgs),
    /// Print a shell completion script: `strata completions bash > /etc/bash_completion.d/strata`.
    Completions(CompletionsArgs),
    /// Print the man page (with --dir, write one page per command there).
    Man(ManArgs),
    /// Print strata's version (also `--version`, `-version`).
    Version,
    /// Show the plan that would turn FROM into TO, each a database URL or schema files. Exit
    /// code 0 when they match, 2 when they differ, 1 on error.
    Diff(DiffArgs),
    /// Fleets (envs with for_each): list the targets, merge the reports of sharded applies.
    Fleet(FleetCommandArgs),
    /// Draw the live database (with --src and no --url: the schema sources) as an
    /// entity-relationship diagram: one self-contained HTML page, or an SVG.
    Erd(ErdArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum ErdFormat {
    /// One HTML file with the diagram, search, pan and zoom, and a table's details on click;
    /// no network needed to view it.
    #[default]
    Html,
    /// The bare SVG diagram.
    Svg,
}

#[derive(Debug, Args)]
pub(crate) struct ErdArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ErdFormat::Html)]
    pub(crate) format: ErdFormat,
    /// Write the diagram to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// What to change: a database URL (postgres://…, or local://NAME), or schema files (built
    /// in a scratch database on the dev server first).
    pub(crate) from: String,
    /// What it should become: a database URL, or schema files (an .hcl or .sql file, or a
    /// directory of them).
    pub(crate) to: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub(crate) format: PlanFormat,
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell.
    pub(crate) shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub(crate) struct ManArgs {
    /// Write strata.1 and one strata-COMMAND.1 per command into this directory.
    #[arg(long, value_name = "DIR")]
    pub(crate) dir: Option<std::path::PathBuf>,
}

/// Flags that decide which hazards block an apply.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct HazardArgs {
    /// Allow these hazard codes or categories (comma-separated, repeatable), e.g. DS102,MF104
    /// or data_loss.
    #[arg(long = "allow-hazards", value_name = "CODES")]
    pub(crate) allow_hazards: Vec<String>,
    /// Allow every data-loss hazard (drops of schemas, tables, columns, sequences; removed enum
    /// values; lossy type changes), whatever the env's lint block says.
    #[arg(long)]
    pub(crate) allow_destructive: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// Also list lint findings the policy allows.
    #[arg(long)]
    pub(crate) all: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// The saved plan file.
    pub(crate) file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub(crate) format: PlanFormat,
}

#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// A code such as DS102, or a category such as data_loss.
    pub(crate) code: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum PlanFormat {
    #[default]
    Human,
    Sql,
    Json,
    /// GitHub-flavored Markdown for a pull-request comment (within GitHub's 65,536 characters).
    Markdown,
    /// An HTML page: the schema's diagram with what the plan adds, changes and drops colored,
    /// and the plan's SQL (`strata plan` only).
    Html,
}

#[derive(Debug, Args)]
pub(crate) struct PlanArgs {
    /// Exit 0 when there are no changes, 1 on error, 2 when there are changes.
    #[arg(long)]
    pub(crate) detailed_exitcode: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub(crate) format: PlanFormat,
    /// Save the plan to FILE; `strata apply FILE` applies exactly it later.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// Online mode: build indexes on existing tables concurrently and validate new constraints
    /// outside the transaction (apply runs in phases).
    #[arg(long)]
    pub(crate) online: bool,
    #[command(flatten)]
    pub(crate) hazards: HazardArgs,
    #[command(flatten)]
    pub(crate) fleet: FleetArgs,
}

/// Options of `plan` and `apply` for a fleet env (`for_each`).
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Fleet options (envs with for_each)")]
pub(crate) struct FleetArgs {
    /// How many targets are inspected, planned or applied at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) parallelism: u16,
    /// Only the K-th of N slices of the fleet (a stable hash of each target's key), e.g. 2/3:
    /// N jobs of a CI matrix cover the fleet exactly once.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub(crate) shard: Option<Shard>,
    /// Only this target (its key, `each.key`). Repeatable.
    #[arg(long = "target", value_name = "KEY")]
    pub(crate) targets: Vec<String>,
}

/// Options of `apply` for a fleet env.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Fleet options (envs with for_each)")]
pub(crate) struct FleetApplyArgs {
    /// Apply to N targets first, and stop before the others when any of them fails.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub(crate) canary: usize,
    /// Start no further target after one fails (default: go on and report every failure).
    #[arg(long)]
    pub(crate) fail_fast: bool,
    /// Write a JSON report of every target's outcome to FILE.
    #[arg(long, value_name = "FILE")]
    pub(crate) report: Option<PathBuf>,
    /// Apply only the targets a report of an earlier apply does not list as succeeded or
    /// unchanged.
    #[arg(long, value_name = "FILE")]
    pub(crate) resume: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ApplyArgs {
    /// A plan saved with `plan -out FILE`: applied exactly, without a prompt, if the database
    /// has not changed since.
    #[arg(value_name = "PLAN_FILE")]
    pub(crate) plan_file: Option<PathBuf>,
    /// Apply without asking for approval (required when there is no terminal).
    #[arg(long)]
    pub(crate) auto_approve: bool,
    /// Online mode (see `plan --online`).
    #[arg(long)]
    pub(crate) online: bool,
    /// Run the plan on a scratch copy of the database first and refuse if it fails or leaves
    /// changes.
    #[arg(long)]
    pub(crate) rehearse: bool,
    /// PostgreSQL statement_timeout for the statements in transactions (default: none, or the
    /// env's `statement_timeout`).
    #[arg(long, value_parser = crate::config::duration::timeout_arg)]
    pub(crate) statement_timeout: Option<crate::config::duration::Timeout>,
    #[command(flatten)]
    pub(crate) hazards: HazardArgs,
    /// PostgreSQL lock_timeout for the statements, e.g. 5s, 500ms, 2m (a bare number is seconds;
    /// default 5s, or the env's `lock_timeout`).
    #[arg(long, value_parser = crate::config::duration::timeout_arg)]
    pub(crate) lock_timeout: Option<crate::config::duration::Timeout>,
    /// How long to wait for another strata apply on the same database (default 30s).
    #[arg(long, value_parser = crate::config::duration::timeout_arg)]
    pub(crate) db_lock_wait: Option<crate::config::duration::Timeout>,
    #[command(flatten)]
    pub(crate) fleet: FleetArgs,
    #[command(flatten)]
    pub(crate) fleet_apply: FleetApplyArgs,
}

#[derive(Debug, Args)]
pub(crate) struct FleetCommandArgs {
    #[command(subcommand)]
    pub(crate) action: FleetAction,
}

#[derive(Debug, Subcommand)]
pub(crate) enum FleetAction {
    /// List the fleet env's targets (with --shard: those of one slice).
    List {
        #[arg(long, value_name = "K/N", value_parser = parse_shard)]
        shard: Option<Shard>,
    },
    /// Combine the reports of several `apply --report` runs (the shards of a CI matrix) into
    /// one table; exit 0 when every target succeeded or had nothing to change, 1 otherwise.
    Merge {
        /// Report files.
        #[arg(required = true, value_name = "REPORT")]
        reports: Vec<PathBuf>,
        /// Also write the combined report to FILE.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = FleetFormat::Human)]
        format: FleetFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum FleetFormat {
    #[default]
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum InspectFormat {
    #[default]
    Hcl,
    Sql,
    /// An entity-relationship diagram in Mermaid's `erDiagram` syntax.
    Mermaid,
    /// An entity-relationship diagram in Graphviz's DOT language.
    Dot,
}

#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = InspectFormat::Hcl)]
    pub(crate) format: InspectFormat,
}

#[derive(Debug, Args)]
pub(crate) struct FmtArgs {
    /// Exit 1 and list the files that are not formatted, without changing them.
    #[arg(long)]
    pub(crate) check: bool,
    /// Files or directories (default: the schema sources, or the current directory).
    pub(crate) paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ClusterArgs {
    #[command(subcommand)]
    pub(crate) action: ClusterAction,
}

#[derive(Debug, Subcommand, Clone)]
pub(crate) enum ClusterAction {
    /// Start the private cluster (created on first use) and print its URL.
    Start,
    /// Stop the private cluster now (its data stays).
    Stop,
    /// Show whether the private cluster runs, where, on which port, when it stops, and its
    /// databases.
    Status,
    /// Stop the server once it has been unused for the idle time (started by strata).
    #[command(hide = true)]
    Watchdog {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long)]
        bin: PathBuf,
        #[arg(long = "idle-ms")]
        idle_ms: u64,
    },
}

/// The global options each command shows in its help; the others are hidden there (they are
/// still accepted, as everywhere in clap, but mean nothing to that command).
const SHOWN_GLOBALS: &[(&str, &[&str])] = &[
    (
        "inspect",
        &[
            "env", "config", "url", "dev_url", "src", "schemas", "exclude", "vars", "no_color",
            "verbose",
        ],
    ),
    (
        "validate",
        &[
            "env", "config", "src", "schemas", "exclude", "vars", "no_color",
        ],
    ),
    ("fmt", &["env", "config", "src", "vars", "no_color"]),
    ("cluster", &["env", "config", "vars", "no_color"]),
    ("show", &["env", "config", "vars", "no_color"]),
    ("explain", &["no_color"]),
    (
        "diff",
        &[
            "env", "config", "dev_url", "schemas", "exclude", "vars", "no_color", "verbose",
        ],
    ),
    ("fleet", &["env", "config", "vars", "no_color"]),
    ("completions", &[]),
    ("man", &[]),
    ("version", &[]),
];

/// The global options every command's help lists, whatever [`SHOWN_GLOBALS`] says.
const ALWAYS_SHOWN: &[&str] = &["help", "version"];

/// The command line, built, with each command's help trimmed to the global options that mean
/// something to it. Parsing, completions and man pages all use this.
pub(crate) fn command() -> clap::Command {
    let mut cmd = Cli::command();
    cmd.build();
    let globals = global_ids();
    for sub in cmd.get_subcommands_mut() {
        let Some((_, shown)) = SHOWN_GLOBALS.iter().find(|(n, _)| *n == sub.get_name()) else {
            continue;
        };
        let hidden: Vec<&String> = globals
            .iter()
            .filter(|g| !shown.contains(&g.as_str()) && !ALWAYS_SHOWN.contains(&g.as_str()))
            .collect();
        hide_args(sub, &hidden);
    }
    cmd
}

/// The ids of the global options.
fn global_ids() -> Vec<String> {
    GlobalArgs::augment_args(clap::Command::new("strata"))
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect()
}

/// Hides options in a built command and its subcommands. `mut_args` keeps the options in
/// place (a built command's lookup keys point at their positions; `mut_arg` would move one).
fn hide_args(cmd: &mut clap::Command, ids: &[&String]) {
    let owned = std::mem::take(cmd).mut_args(|a| {
        if ids.iter().any(|id| a.get_id() == id.as_str()) {
            a.hide(true)
        } else {
            a
        }
    });
    *cmd = owned;
    for sub in cmd.get_subcommands_mut() {
        hide_args(sub, ids);
    }
}

/// Parses a (rewritten) command line.
pub fn parse(args: Vec<OsString>) -> Result<Cli, clap::Error> {
    use clap::FromArgMatches;
    let matches = command().try_get_matches_from(args)?;
    let mut cli = Cli::from_arg_matches(&matches)?;
    cli.global.env_from_variable = matches!(
        matches.value_source("env"),
        Some(clap::parser::ValueSource::EnvVariable)
    );
    Ok(cli)
}

/// Rewrites Terraform spellings (`-auto-approve`, `-detailed-exitcode=…`) to clap's `--` form.
pub fn rewrite_args(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut longs: Vec<String> = Vec::new();
    let cmd = Cli::command();
    fn collect(c: &clap::Command, longs: &mut Vec<String>) {
        for a in c.get_arguments() {
            if let Some(l) = a.get_long() {
                longs.push(l.to_string());
            }
        }
        for sub in c.get_subcommands() {
            collect(sub, longs);
        }
    }
    collect(&cmd, &mut longs);
    longs.extend(["help", "version"].map(String::from));
    args.into_iter()
        .map(|a| match a.to_str() {
            Some(s) if s.starts_with('-') && !s.starts_with("--") && s.len() > 2 => {
                let name = s[1..].split('=').next().unwrap_or("");
                // Known long options, and unknown words too, so that clap names the whole
                // option it rejects (`--nosuch`, not `-n`). Clusters of our short options
                // (`-vh`) and negative numbers stay as they are.
                let shorts = name.chars().all(|c| matches!(c, 'v' | 'h' | 'V'));
                let word = name.len() > 1 && name.starts_with(|c: char| c.is_ascii_alphabetic());
                if longs.iter().any(|l| l == name) || (word && !shorts) {
                    OsString::from(format!("-{s}"))
                } else {
                    a
                }
            }
            _ => a,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Cli {
        super::parse(rewrite_args(args.iter().map(OsString::from)))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn help(args: &[&str]) -> String {
        let e = super::parse(rewrite_args(args.iter().map(OsString::from)))
            .err()
            .unwrap_or_else(|| panic!("{args:?} is not a help request"));
        e.render().to_string()
    }

    #[test]
    fn terraform_spellings() {
        let c = parse(&["strata", "apply", "-input=false", "-lock-timeout=5s"]);
        assert!(!c.global.input);
        assert!(parse(&["strata", "apply", "-input"]).global.input);
        assert!(parse(&["strata", "plan"]).global.input);
        assert!(matches!(
            parse(&["strata", "version"]).command,
            Command::Version
        ));
        let v = super::parse(rewrite_args(["strata", "-version"].map(OsString::from)))
            .err()
            .map(|e| e.kind());
        assert_eq!(v, Some(clap::error::ErrorKind::DisplayVersion));
        // An unknown option is named whole, not as its first letter.
        let e = super::parse(rewrite_args(
            ["strata", "plan", "-nosuch=1"].map(OsString::from),
        ))
        .err()
        .map(|e| e.render().to_string())
        .unwrap_or_default();
        assert!(e.contains("'--nosuch"), "{e}");
        // Our short options still cluster.
        assert!(parse(&["strata", "plan", "-v"]).global.verbose);
    }

    #[test]
    fn help_wraps_between_words_on_a_narrow_terminal() {
        let cmd = command();
        let Some(apply) = cmd.find_subcommand("apply") else {
            panic!("no apply command")
        };
        let text = apply.clone().term_width(40).render_long_help().to_string();
        // Flags and values are never cut: every line break falls between words.
        for l in text.lines() {
            assert!(
                !l.trim_end().ends_with('-') || l.trim().len() == 1,
                "{l:?} in\n{text}"
            );
        }
        assert!(text.contains("--auto-approve"), "{text}");
        // Descriptions are wrapped to the width (only usage and option names may be longer).
        for l in text.lines() {
            let t = l.trim_start();
            if !t.starts_with('-') && !t.starts_with("Usage") {
                assert!(l.chars().count() <= 40, "{l:?} is wider than 40:\n{text}");
            }
        }
        // Every `--flag` in the text is a whole option of the command (none cut in two).
        let longs: Vec<String> = apply
            .get_arguments()
            .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
            .chain(["--help".to_string(), "--version".to_string()])
            .collect();
        for word in text.split_whitespace().filter(|w| w.starts_with("--")) {
            let flag: String = word
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            assert!(
                longs.contains(&flag) || flag == "--",
                "{flag:?} is not an option of apply:\n{text}"
            );
        }
    }

    #[test]
    fn help_lists_the_global_options_a_command_uses() {
        let fmt = help(&["strata", "fmt", "--help"]);
        assert!(fmt.contains("Global options"), "{fmt}");
        assert!(fmt.contains("--src"), "{fmt}");
        assert!(!fmt.contains("--url"), "{fmt}");
        assert!(!fmt.contains("--dev-url"), "{fmt}");
        let explain = help(&["strata", "explain", "--help"]);
        assert!(
            !explain.contains("--dev-url") && !explain.contains("--src"),
            "{explain}"
        );
        let cluster = help(&["strata", "cluster", "start", "--help"]);
        assert!(!cluster.contains("--src"), "{cluster}");
        let plan = help(&["strata", "plan", "--help"]);
        for o in ["--url", "--dev-url", "--src", "--env", "--var", "--input"] {
            assert!(plan.contains(o), "{o} missing in {plan}");
        }
        // Hidden in help, still accepted.
        assert!(
            parse(&["strata", "fmt", "--url", "postgres://x/y"])
                .global
                .url
                .is_some()
        );
    }

    #[test]
    fn single_dash_terraform_flags() {
        let c = parse(&["strata", "apply", "-auto-approve"]);
        assert!(matches!(
            c.command,
            Command::Apply(ApplyArgs {
                auto_approve: true,
                ..
            })
        ));
        let c = parse(&["strata", "plan", "-detailed-exitcode", "--format=json"]);
        assert!(matches!(
            c.command,
            Command::Plan(PlanArgs {
                detailed_exitcode: true,
                format: PlanFormat::Json,
                ..
            })
        ));
        let c = parse(&["strata", "-env=prod", "plan"]);
        assert_eq!(c.global.env.as_deref(), Some("prod"));
    }

    #[test]
    fn out_in_every_spelling() {
        for args in [
            &["strata", "plan", "-out=p.json"][..],
            &["strata", "plan", "-out", "p.json"],
            &["strata", "plan", "--out", "p.json"],
        ] {
            let Command::Plan(p) = parse(args).command else {
                panic!("not a plan")
            };
            assert_eq!(p.out.as_deref(), Some(std::path::Path::new("p.json")));
        }
        let Command::Apply(a) = parse(&[
            "strata",
            "apply",
            "p.json",
            "--allow-hazards",
            "DS102,DS103",
        ])
        .command
        else {
            panic!("not an apply")
        };
        assert_eq!(a.plan_file.as_deref(), Some(std::path::Path::new("p.json")));
        assert_eq!(a.hazards.allow_hazards, vec!["DS102,DS103".to_string()]);
    }

    #[test]
    fn vars_parse() {
        let c = parse(&["strata", "validate", "--var", "a=1", "--var", "b=x=y"]);
        assert_eq!(
            c.global.vars,
            vec![("a".into(), "1".into()), ("b".into(), "x=y".into())]
        );
    }

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
        // Every command named in SHOWN_GLOBALS exists, and so does every option it names.
        let cmd = command();
        let globals = global_ids();
        for (name, shown) in SHOWN_GLOBALS {
            assert!(cmd.find_subcommand(name).is_some(), "no command {name}");
            for g in *shown {
                assert!(globals.iter().any(|x| x == g), "no global option {g}");
            }
        }
    }
}
