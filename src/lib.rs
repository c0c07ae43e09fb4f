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
pub mod plan;
pub mod postgres;
pub mod render;
pub mod sources;

use std::ffi::OsString;
use std::process::ExitCode;

/// Entry point of the binary: parses arguments, runs the command on a single-threaded runtime,
/// prints errors as diagnostics, cleans up scratch databases on Ctrl-C.
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
    let color = !parsed.global.no_color
        && std::env::var_os("NO_COLOR").is_none()
        && console::colors_enabled();
    let stderr_color = !parsed.global.no_color
        && std::env::var_os("NO_COLOR").is_none()
        && console::colors_enabled_stderr();
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
        tokio::select! {
            r = commands::run(parsed, painter) => {
                devdb::cleanup_all().await;
                Some(r)
            }
            _ = tokio::signal::ctrl_c() => {
                devdb::cleanup_all().await;
                None
            }
        }
    });
    match result {
        Some(Ok(code)) => ExitCode::from(code),
        Some(Err(report)) => {
            let text = format!("{report:?}");
            eprintln!("{}", postgres::connect::redact_text(&text));
            ExitCode::from(cli::EXIT_ERROR)
        }
        None => {
            eprintln!("\nInterrupted; scratch databases were cleaned up.");
            ExitCode::from(130)
        }
    }
}
