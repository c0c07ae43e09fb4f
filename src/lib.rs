//! strata: declarative PostgreSQL schema management. Desired state in HCL (Atlas's dialect),
//! `plan` diffs it against a live database, `apply` executes the plan in one transaction.
//!
//! The flow: `config` → `hcl` loader → [`model::Model`] (desired) → `normalize` (scratch
//! database round trip) → `diff` against the inspected current model → `plan` → `render` or
//! `apply`. See ARCHITECTURE.md.

#![warn(unreachable_pub)]

pub mod apply;
pub mod cli;
pub mod commands;
pub mod config;
pub(crate) mod devdb;
pub mod diff;
pub(crate) mod fleet;
pub mod hcl;
pub mod lint;
pub mod migrate;
pub mod model;
pub(crate) mod normalize;
pub(crate) mod pipeline;
pub mod plan;
pub mod postgres;
pub mod render;
pub(crate) mod settings;
pub(crate) mod sources;
pub(crate) mod timing;

use std::ffi::OsString;
use std::process::ExitCode;

/// Entry point of the binary: parses arguments, runs the command on a single-threaded runtime,
/// prints errors as diagnostics. On Ctrl-C or SIGTERM it cancels the running statements (so
/// nothing keeps running on the server), lets the command roll back and report, and cleans up
/// scratch databases.
pub fn main_with_args(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    timing::start();
    let args = cli::rewrite_args(args);
    if let Ok(exe) = std::env::current_exe() {
        devdb::cluster::set_program(exe);
    }
    let parsed = match cli::parse(args) {
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
    let parsed_verbose = parsed.global.verbose;
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
    // A prompt abandoned on an interrupt still blocks its thread in a terminal read: do not
    // wait for it (the process ends here).
    runtime.shutdown_background();
    let verbose = parsed_verbose;
    let print_error = |report: miette::Report| {
        let text = if verbose {
            format!("{report:?}")
        } else {
            format!(
                "{:?}",
                Shown {
                    report: &report,
                    color: stderr_color
                }
            )
        };
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
                    "Interrupted ({signal}): the command ended as it says above; its result stands."
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

/// A report as users see it: without strata's internal error codes (`strata::usage`,
/// `strata::connect`: they name the code's module, not anything the user can act on; `--verbose`
/// shows them). Codes that are places (`schema.hcl:3:5`) or lint codes stay.
struct Shown<'a> {
    report: &'a miette::Report,
    color: bool,
}

impl std::fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let handler = miette::MietteHandlerOpts::new()
            .color(self.color)
            .unicode(self.color)
            .terminal_links(false)
            .width(100)
            .build();
        miette::ReportHandler::debug(&handler, &WithoutInternalCode(self.report.as_ref()), f)
    }
}

/// Forwards a diagnostic, hiding a `strata::…` code.
struct WithoutInternalCode<'a>(&'a dyn miette::Diagnostic);

impl std::fmt::Debug for WithoutInternalCode<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.0, f)
    }
}

impl std::fmt::Display for WithoutInternalCode<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self.0, f)
    }
}

impl std::error::Error for WithoutInternalCode<'_> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl miette::Diagnostic for WithoutInternalCode<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        let code = self.0.code()?;
        if code.to_string().starts_with("strata::") {
            None
        } else {
            Some(code)
        }
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.0.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.help()
    }
    fn url<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.0.url()
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0.source_code()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.0.labels()
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        self.0.related()
    }
    fn diagnostic_source(&self) -> Option<&dyn miette::Diagnostic> {
        self.0.diagnostic_source()
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
