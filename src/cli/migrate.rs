//! `strata migrate …`: flags of the versioned-migration commands.

use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Exit code of `migrate status` when files are pending.
pub(crate) const EXIT_PENDING: u8 = 3;
/// Exit code of `migrate status` when the last migration failed.
pub(crate) const EXIT_FAILED: u8 = 4;
/// Exit code of `migrate status` when an applied file changed or the sum file does not match.
pub(crate) const EXIT_MISMATCH: u8 = 5;
/// Exit code of `migrate status --drift` when the database differs from the applied files.
pub(crate) const EXIT_DRIFT: u8 = 6;

#[derive(Debug, Args)]
pub(crate) struct MigrateArgs {
    /// Migration directory (overrides the env's `migration { dir }`; default `migrations`).
    #[arg(long, global = true)]
    pub(crate) dir: Option<PathBuf>,
    #[command(subcommand)]
    pub(crate) action: MigrateAction,
}

#[derive(Debug, Subcommand)]
pub(crate) enum MigrateAction {
    /// Write a migration file with the changes from the directory's state to the desired schema.
    Diff(DiffArgs),
    /// Create an empty migration file.
    New(NewArgs),
    /// Recompute the sum file (strata.sum) after editing files by hand.
    Hash,
    /// Check the sum file and replay every file on a scratch database.
    Validate,
    /// Apply pending migration files to the target database.
    Apply(MigrateApplyArgs),
    /// Show applied, pending and failed files (exit 0 up to date, 3 pending, 4 failed,
    /// 5 checksum mismatch, 6 drift).
    Status(StatusArgs),
    /// Revert the last N applied files (down files, or a computed reverse plan).
    Down(DownArgs),
    /// Check migration files for dangerous changes.
    Lint(LintArgs),
}

#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// Name of the migration, e.g. add_users (becomes <timestamp>_add_users.sql).
    pub(crate) name: String,
}

#[derive(Debug, Args)]
pub(crate) struct NewArgs {
    /// Name of the migration.
    pub(crate) name: String,
}

/// How migration files are wrapped in transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum TxMode {
    /// Each file in its own transaction (files with `-- strata:txmode none` run without one).
    #[default]
    File,
    /// All pending files in one transaction.
    All,
    /// No transaction: every statement commits on its own.
    None,
}

#[derive(Debug, Args)]
pub(crate) struct MigrateApplyArgs {
    /// Apply at most this many pending files.
    pub(crate) count: Option<usize>,
    /// Print the files and statements that would run, and change nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Transaction mode.
    #[arg(long, value_enum, default_value_t = TxMode::File)]
    pub(crate) tx_mode: TxMode,
    /// For a database that existed before strata: mark the files up to VERSION as applied.
    #[arg(long)]
    pub(crate) baseline: Option<String>,
    /// PostgreSQL lock_timeout for the statements, e.g. 5s, 500ms, 2m (a bare number is seconds;
    /// default 5s, or the env's `lock_timeout`).
    #[arg(long, value_parser = crate::config::duration::timeout_arg)]
    pub(crate) lock_timeout: Option<crate::config::duration::Timeout>,
    /// How long to wait for another strata on the same database (default 30s).
    #[arg(long, value_parser = crate::config::duration::timeout_arg)]
    pub(crate) db_lock_wait: Option<crate::config::duration::Timeout>,
}

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// Also replay the applied files on a scratch database and report objects changed by hand.
    #[arg(long)]
    pub(crate) drift: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DownArgs {
    /// How many applied files to revert.
    #[arg(default_value_t = 1)]
    pub(crate) count: usize,
    /// Print what would run and change nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Revert without asking for approval (required when there is no terminal).
    #[arg(long)]
    pub(crate) auto_approve: bool,
    /// Allow steps that lose data when there is no prompt.
    #[arg(long)]
    pub(crate) allow_destructive: bool,
    /// PostgreSQL lock_timeout for the statements, e.g. 5s, 500ms, 2m (a bare number is seconds;
    /// default 5s, or the env's `lock_timeout`).
    #[arg(long, value_parser = crate::config::duration::timeout_arg)]
    pub(crate) lock_timeout: Option<crate::config::duration::Timeout>,
}

#[derive(Debug, Args)]
pub(crate) struct LintArgs {
    /// Lint the last N files.
    #[arg(long, conflicts_with = "git_base")]
    pub(crate) latest: Option<usize>,
    /// Lint the files that are not in this git revision (e.g. origin/main).
    #[arg(long)]
    pub(crate) git_base: Option<String>,
}
