//! strata: declarative PostgreSQL schema management. Desired state in HCL (Atlas's dialect),
//! `plan` diffs it against a live database, `apply` executes the plan in one transaction.
//!
//! The flow: `config` → `hcl` loader → [`model::Model`] (desired) → `normalize` (scratch
//! database round trip) → `diff` against the inspected current model → `plan` → `render` or
//! `apply`. See ARCHITECTURE.md.

pub mod apply;
pub mod cli;
pub mod commands;
pub mod config;
pub mod devdb;
pub mod diff;
pub mod hcl;
pub mod lint;
pub mod migrate;
pub mod model;
pub mod normalize;
pub mod pipeline;
pub mod plan;
pub mod postgres;
pub mod render;
pub mod settings;
pub mod sources;
pub mod timing;

use std::ffi::OsString;
use std::process::ExitCode;

/// Entry point of the binary: parses arguments, runs the command on a single-threaded runtime,
/// prints errors as diagnostics. On Ctrl-C or SIGTERM it cancels the running statements (so
/// nothing keeps running on the server), lets the command roll back and report, and cleans up
/// scratch databases.
pub fn main_with_args(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    use clap::Parser;
    let args = cli::rewrite_args(args);
    let parsed = match cli::Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                cli::EXIT_ERROR
            } else {
                cli::EXIT_OK
            });
        }
    };
    // no-color.org: a NO_COLOR that is present and not empty turns color off.
    let no_color =
        parsed.global.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = !no_color && console::colors_enabled();
    let stderr_color = !no_color && console::colors_enabled_stderr();
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(
            miette::MietteHandlerOpts::new()
                .color(stderr_color)
                .unicode(stderr_color)
                .terminal_links(false)
                .width(100)
                .build(),
        )
    }));
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(cli::EXIT_ERROR);
        }
    };
    let painter = render::Painter::new(color);
    let result = runtime.block_on(async move {
        let command = commands::run(parsed, painter);
        tokio::pin!(command);
        tokio::select! {
            r = &mut command => {
                devdb::cleanup_all().await;
                Outcome::Finished(r)
            }
            signal = interrupt() => {
                eprintln!("\n{signal}: cancelling the running statement…");
                postgres::connect::cancel_all().await;
                // The command sees its statement cancelled, rolls back and says what stays
                // applied. A second signal, or a command that does not end, stops the wait.
                let r = tokio::select! {
                    r = &mut command => Some(r),
                    _ = interrupt() => None,
                    _ = tokio::time::sleep(std::time::Duration::from_secs(30)) => None,
                };
                devdb::cleanup_all().await;
                Outcome::Interrupted(signal, r)
            }
        }
    });
    let print_error = |report: miette::Report| {
        let text = format!("{report:?}");
        eprintln!("{}", postgres::connect::redact_text(&text));
    };
    match result {
        Outcome::Finished(Ok(code)) => ExitCode::from(code),
        Outcome::Finished(Err(report)) => {
            print_error(report);
            ExitCode::from(cli::EXIT_ERROR)
        }
        Outcome::Interrupted(signal, r) => {
            match r {
                Some(Ok(_)) => eprintln!(
                    "Interrupted ({signal}) after the command had finished: its result stands."
                ),
                Some(Err(report)) => {
                    print_error(report);
                    eprintln!(
                        "Interrupted ({signal}): the running statement was cancelled and its transaction rolled back (see above for what stays applied); scratch databases were cleaned up."
                    );
                }
                None => eprintln!(
                    "Interrupted ({signal}): cancel requests were sent and the connections closed, so the server rolls back any open transaction; scratch databases were cleaned up."
                ),
            }
            ExitCode::from(130)
        }
    }
}

/// How the command ended.
enum Outcome {
    Finished(miette::Result<u8>),
    /// A signal arrived; the command's result if it ended after the cancel requests.
    Interrupted(&'static str, Option<miette::Result<u8>>),
}

/// Waits for SIGINT (Ctrl-C) or SIGTERM and names it. Both mean the same to strata.
async fn interrupt() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    let term = async {
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => "SIGINT",
        _ = term => "SIGTERM",
    }
}
