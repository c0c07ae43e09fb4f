//! One file per command: glue from settings to the pipeline and to rendering or applying.
//! Settings live in [`crate::settings`], the desired-state pipeline in [`crate::pipeline`];
//! both are re-exported here for the commands.

pub(crate) mod apply;
pub(crate) mod cluster;
pub(crate) mod diff;
pub(crate) mod docs;
pub(crate) mod erd;
pub(crate) mod explain;
pub(crate) mod fleet;
pub(crate) mod fmt;
pub(crate) mod inspect;
pub(crate) mod migrate;
pub(crate) mod plan;
pub(crate) mod show;
pub(crate) mod validate;

use crate::cli::{Cli, Command};
pub(crate) use crate::model::apply_exclude;
pub(crate) use crate::pipeline::load_desired;
pub use crate::pipeline::{Prepared, prepare};
use crate::render::Painter;
pub use crate::settings::Settings;
pub(crate) use crate::settings::{
    connect, dev_source, policy_with, refused, target_label, target_url, usage,
};
use miette::Result;

/// Runs the parsed command line; returns the exit code.
pub(crate) async fn run(cli: Cli, painter: Painter) -> Result<u8> {
    // Neither needs settings (nor an env.hcl that parses).
    match &cli.command {
        Command::Completions(args) => return docs::completions(args),
        Command::Man(args) => return docs::man(args),
        Command::Version => {
            println!("strata {}", env!("CARGO_PKG_VERSION"));
            return Ok(crate::cli::EXIT_OK);
        }
        _ => {}
    }
    let settings = crate::settings::resolve(&cli.global, painter)?;
    match cli.command {
        Command::Plan(args) => plan::run(&settings, &args).await,
        Command::Apply(args) => apply::run(&settings, &args).await,
        Command::Inspect(args) => {
            let from_sources = !cli.global.src.is_empty() && cli.global.url.is_none();
            inspect::run(&settings, &args, from_sources).await
        }
        Command::Validate(args) => validate::run(&settings, &args),
        Command::Fmt(args) => fmt::run(&settings, &args),
        Command::Cluster(args) => cluster::run(&settings, &args).await,
        Command::Show(args) => show::run(&settings, &args),
        Command::Explain(args) => explain::run(&settings, &args),
        Command::Migrate(args) => migrate::run(&settings, &args).await,
        Command::Completions(args) => docs::completions(&args),
        Command::Man(args) => docs::man(&args),
        Command::Version => Ok(crate::cli::EXIT_OK),
        Command::Diff(args) => diff::run(&settings, &args).await,
        Command::Fleet(args) => fleet::run(&settings, &args),
        Command::Erd(args) => {
            let from_sources = !cli.global.src.is_empty() && cli.global.url.is_none();
            erd::run(&settings, &args, from_sources).await
        }
    }
}

/// Reads the approval answer at the terminal: `true` only for `yes`. Ctrl-C at the prompt (the
/// terminal is in raw mode, so it arrives as input, not as a signal) and end of input are a
/// "no", not an error. The answer is read on a blocking thread, so a signal that arrives while
/// the prompt waits (SIGTERM, or a SIGINT between two keys, when the terminal is briefly not in
/// raw mode) is handled at once: the answer is "no" and the terminal's modes are put back.
pub(crate) async fn approved(hint: &str) -> Result<bool> {
    let modes = TerminalModes::save();
    let prompt = tokio::task::spawn_blocking(read_answer);
    let answer = tokio::select! {
        answer = prompt => answer,
        () = crate::postgres::connect::until_interrupted() => {
            modes.restore();
            return Ok(false);
        }
    };
    match answer {
        Ok(Ok(yes)) => Ok(yes),
        Ok(Err(e)) => Err(usage(
            format!("cannot read the answer: {e}"),
            hint.to_string(),
        )),
        Err(e) => Err(usage(
            format!("cannot read the answer: {e}"),
            hint.to_string(),
        )),
    }
}

fn read_answer() -> std::result::Result<bool, dialoguer::Error> {
    match dialoguer::Input::<String>::new()
        .with_prompt("  Enter a value")
        .allow_empty(true)
        .interact_text()
    {
        Ok(answer) => Ok(answer.trim() == "yes"),
        Err(dialoguer::Error::IO(e))
            if matches!(
                e.kind(),
                std::io::ErrorKind::Interrupted | std::io::ErrorKind::UnexpectedEof
            ) =>
        {
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// The terminal modes of standard input before a prompt, to put back when the prompt is
/// abandoned while it holds the terminal in raw mode (strata then exits without the prompt
/// restoring them, and the shell would be left without echo).
struct TerminalModes(Option<libc::termios>);

impl TerminalModes {
    fn save() -> TerminalModes {
        // SAFETY: isatty and tcgetattr only read the state of descriptor 0 into a zeroed
        // termios owned here.
        unsafe {
            if libc::isatty(0) != 1 {
                return TerminalModes(None);
            }
            let mut modes: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut modes) != 0 {
                return TerminalModes(None);
            }
            TerminalModes(Some(modes))
        }
    }

    fn restore(&self) {
        if let Some(modes) = &self.0 {
            // SAFETY: sets descriptor 0's modes to values tcgetattr returned for it.
            unsafe {
                libc::tcsetattr(0, libc::TCSANOW, modes);
            }
        }
    }
}
