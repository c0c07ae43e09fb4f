//! `strata fmt`: canonical formatting of HCL files, comments kept.

use super::{Settings, usage};
use crate::cli::{EXIT_ERROR, EXIT_OK, FmtArgs};
use crate::hcl::{self, HclErrors, SourceFile};
use miette::Result;

pub(crate) fn run(s: &Settings, args: &FmtArgs) -> Result<u8> {
    let paths = if !args.paths.is_empty() {
        args.paths.clone()
    } else if !s.src.is_empty() {
        s.src.clone()
    } else {
        vec![s.project_dir.clone()]
    };
    let mut files = hcl::collect_files(&paths, &[])?;
    if args.paths.is_empty() {
        // The env's `src` may name SQL sources: only HCL is formatted.
        files.retain(|f| f.extension().is_some_and(|x| x == "hcl"));
    }
    if files.is_empty() {
        return Err(usage(
            "no .hcl files to format",
            "pass files or directories: strata fmt schema.hcl",
        ));
    }
    let mut unformatted = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).map_err(|e| hcl::ReadError {
            path: f.display().to_string(),
            reason: e.to_string(),
        })?;
        let formatted = match hcl::fmt::format(&text) {
            Ok(t) => t,
            Err(e) => {
                let file = SourceFile::new(hcl::display_path(f), text.clone());
                return Err(HclErrors {
                    errors: vec![hcl::syntax::syntax_error(&file, &text, &e)],
                }
                .into());
            }
        };
        if formatted != text {
            unformatted.push(hcl::display_path(f));
            if !args.check {
                std::fs::write(f, formatted).map_err(|e| hcl::ReadError {
                    path: f.display().to_string(),
                    reason: e.to_string(),
                })?;
            }
        }
    }
    for f in &unformatted {
        println!("{f}");
    }
    if args.check && !unformatted.is_empty() {
        eprintln!(
            "{} file(s) would be reformatted; run `strata fmt` to fix them",
            unformatted.len()
        );
        return Ok(EXIT_ERROR);
    }
    Ok(EXIT_OK)
}
