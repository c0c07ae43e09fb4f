//! Command-line definitions, Terraform-style single-dash flags (`-auto-approve`), exit codes.

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::path::PathBuf;

pub mod migrate;

/// Exit code for success with no changes (and every successful command).
pub const EXIT_OK: u8 = 0;
/// Exit code for errors.
pub const EXIT_ERROR: u8 = 1;
/// Exit code of `plan -detailed-exitcode` when there are changes.
pub const EXIT_CHANGES: u8 = 2;

/// Declarative PostgreSQL schema management: plan and apply HCL schemas like Terraform.
#[derive(Debug, Parser)]
#[command(name = "strata", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Environment from the config file (an `env "NAME"` block).
    #[arg(long, global = true, env = "STRATA_ENV")]
    pub env: Option<String>,
    /// Config file with env, variable, locals and data blocks.
    #[arg(long, global = true, default_value = "env.hcl")]
    pub config: PathBuf,
    /// Target database URL (overrides the env's `url`), e.g. postgres://user@host:5432/db.
    #[arg(long, global = true)]
    pub url: Option<String>,
    /// Server for scratch databases used to normalize the schema (overrides the env's `dev`).
    #[arg(long = "dev-url", global = true)]
    pub dev_url: Option<String>,
    /// Schema source: an .hcl or .sql file, or a directory of them. Repeatable.
    #[arg(long, global = true)]
    pub src: Vec<PathBuf>,
    /// Schema to manage. Repeatable. Default: the schemas the configuration declares.
    #[arg(long = "schema", global = true)]
    pub schemas: Vec<String>,
    /// Glob of objects to leave alone (`schema`, `schema.table`). Repeatable.
    #[arg(long, global = true)]
    pub exclude: Vec<String>,
    /// Value for a variable: --var name=value. Repeatable.
    #[arg(long = "var", global = true, value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
    /// Plain output without colors (also: the NO_COLOR environment variable).
    #[arg(long, global = true)]
    pub no_color: bool,
    /// More detail in reports: a lock-timeout report shows the blocking sessions' queries in
    /// full (by default normalized, constants replaced by `$n`, and truncated).
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
}

fn parse_var(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected name=value, got {s:?}")),
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the changes that would make the database match the configuration.
    Plan(PlanArgs),
    /// Plan, ask for approval, and apply the changes (one transaction; phases in online mode).
    Apply(ApplyArgs),
    /// Print the live database as HCL (or SQL).
    Inspect(InspectArgs),
    /// Check the schema files without a database, and run the schema lints.
    Validate(ValidateArgs),
    /// Rewrite HCL files in canonical format, keeping comments.
    Fmt(FmtArgs),
    /// Manage strata's private PostgreSQL cluster in .strata/.
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
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write strata.1 and one strata-COMMAND.1 per command into this directory.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
}

/// Flags that decide which hazards block an apply.
#[derive(Debug, Args, Clone, Default)]
pub struct HazardArgs {
    /// Allow these hazard codes or categories (comma-separated, repeatable), e.g. DS102,MF104
    /// or data_loss.
    #[arg(long = "allow-hazards", value_name = "CODES")]
    pub allow_hazards: Vec<String>,
    /// Allow every data-loss hazard (drops of schemas, tables, columns, sequences; removed enum
    /// values; lossy type changes), whatever the env's lint block says.
    #[arg(long)]
    pub allow_destructive: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Also list lint findings the policy allows.
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The saved plan file.
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A code such as DS102, or a category such as data_loss.
    pub code: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum PlanFormat {
    #[default]
    Human,
    Sql,
    Json,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Exit 0 when there are no changes, 1 on error, 2 when there are changes.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,
    /// Save the plan to FILE; `strata apply FILE` applies exactly it later.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Online mode: build indexes on existing tables concurrently and validate new constraints
    /// outside the transaction (apply runs in phases).
    #[arg(long)]
    pub online: bool,
    #[command(flatten)]
    pub hazards: HazardArgs,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// A plan saved with `plan -out FILE`: applied exactly, without a prompt, if the database
    /// has not changed since.
    #[arg(value_name = "PLAN_FILE")]
    pub plan_file: Option<PathBuf>,
    /// Apply without asking for approval (required when there is no terminal).
    #[arg(long)]
    pub auto_approve: bool,
    /// Online mode (see `plan --online`).
    #[arg(long)]
    pub online: bool,
    /// Run the plan on a scratch copy of the database first and refuse if it fails or leaves
    /// changes.
    #[arg(long)]
    pub rehearse: bool,
    /// PostgreSQL statement_timeout for the statements in transactions (default: none, or the
    /// env's `statement_timeout`).
    #[arg(long, value_parser = crate::config::duration::timeout_arg)]
    pub statement_timeout: Option<crate::config::duration::Timeout>,
    #[command(flatten)]
    pub hazards: HazardArgs,
    /// PostgreSQL lock_timeout for the statements, e.g. 5s, 500ms, 2m (a bare number is seconds;
    /// default 5s, or the env's `lock_timeout`).
    #[arg(long, value_parser = crate::config::duration::timeout_arg)]
    pub lock_timeout: Option<crate::config::duration::Timeout>,
    /// How long to wait for another strata apply on the same database (default 30s).
    #[arg(long, value_parser = crate::config::duration::timeout_arg)]
    pub db_lock_wait: Option<crate::config::duration::Timeout>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum InspectFormat {
    #[default]
    Hcl,
    Sql,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = InspectFormat::Hcl)]
    pub format: InspectFormat,
}

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Exit 1 and list the files that are not formatted, without changing them.
    #[arg(long)]
    pub check: bool,
    /// Files or directories (default: the schema sources, or the current directory).
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ClusterArgs {
    #[command(subcommand)]
    pub action: ClusterAction,
}

#[derive(Debug, Subcommand, Clone, Copy)]
pub enum ClusterAction {
    /// Start the private cluster (created on first use) and print its URL.
    Start,
    /// Stop the private cluster.
    Stop,
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
    args.into_iter()
        .map(|a| match a.to_str() {
            Some(s) if s.starts_with('-') && !s.starts_with("--") && s.len() > 2 => {
                let name = s[1..].split('=').next().unwrap_or("");
                if longs.iter().any(|l| l == name) {
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
        Cli::parse_from(rewrite_args(args.iter().map(OsString::from)))
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
    }
}
