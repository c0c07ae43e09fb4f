//! `strata completions SHELL` and `strata man`: generated from the clap definitions, so they
//! never fall behind the flags.

use crate::cli::{CompletionsArgs, EXIT_OK, ManArgs};
use miette::Result;
use std::io::Write;

pub(crate) fn completions(args: &CompletionsArgs) -> Result<u8> {
    let mut cmd = crate::cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "strata", &mut out);
    write_stdout(&out)?;
    Ok(EXIT_OK)
}

pub(crate) fn man(args: &ManArgs) -> Result<u8> {
    let cmd = crate::cli::command();
    let Some(dir) = &args.dir else {
        let mut out = Vec::new();
        render(&cmd, &mut out)?;
        write_stdout(&out)?;
        return Ok(EXIT_OK);
    };
    std::fs::create_dir_all(dir).map_err(|e| cannot_write(dir, &e))?;
    let mut pages = vec![(String::from("strata"), cmd.clone())];
    for sub in cmd.get_subcommands() {
        let name = format!("strata-{}", sub.get_name());
        for nested in sub.get_subcommands() {
            pages.push((
                format!("{name}-{}", nested.get_name()),
                nested.clone().name(format!("{name}-{}", nested.get_name())),
            ));
        }
        pages.push((name.clone(), sub.clone().name(name)));
    }
    for (name, page) in &pages {
        let mut out = Vec::new();
        render(page, &mut out)?;
        let path = dir.join(format!("{name}.1"));
        std::fs::write(&path, out).map_err(|e| cannot_write(&path, &e))?;
    }
    println!("wrote {} man pages to {}", pages.len(), dir.display());
    Ok(EXIT_OK)
}

fn render(cmd: &clap::Command, out: &mut Vec<u8>) -> Result<()> {
    clap_mangen::Man::new(cmd.clone())
        .render(out)
        .map_err(|e| miette::miette!(code = "strata::output", "cannot render the man page: {e}"))
}

fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|_| stdout.flush()) {
        Ok(()) => Ok(()),
        // `strata man | head` closes the pipe early: not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(miette::miette!(
            code = "strata::output",
            "cannot write the output: {e}"
        )),
    }
}

fn cannot_write(path: &std::path::Path, e: &std::io::Error) -> miette::Report {
    miette::miette!(
        code = "strata::output",
        "cannot write {}: {e}",
        path.display()
    )
}
