//! The documentation site (`docs/`, an mdBook) and README.md, checked against the code:
//!
//! - the hazard pages (`docs/src/hazards/`) are what `lint::pages` generates from the rule
//!   registry (`STRATA_UPDATE_DOCS=1` rewrites them), and SUMMARY.md lists them;
//! - every ```` ```hcl ```` block loads: schema blocks through the loader `strata validate` uses,
//!   ```` ```hcl env ```` blocks through the config parser; ```` ```hcl fail ```` blocks must fail
//!   with the message of the ```` ```text ```` block that follows them;
//! - SUMMARY.md and the pages' relative links resolve, and every page is in SUMMARY.md;
//! - `mdbook build` succeeds when `mdbook` is installed.
//!
//! No database is needed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use strata::hcl::{HclErrors, LoadOptions, SourceFile};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn book_src() -> PathBuf {
    root().join("docs").join("src")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// Every `.md` file under `dir`, sorted.
fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
        for entry in entries {
            let p = entry.expect("a directory entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "md") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn updating() -> bool {
    std::env::var("STRATA_UPDATE_DOCS").is_ok_and(|v| v == "1")
}

const UPDATE_HINT: &str =
    "run `STRATA_UPDATE_DOCS=1 cargo test --test docs` to regenerate the hazard pages";

// ---------------------------------------------------------------------------------------------
// Hazard pages

/// Replaces the generated lines of SUMMARY.md (from the hazard index line through the indented
/// lines under it) with `lines`; appends them when the index line is missing.
fn with_summary_lines(summary: &str, lines: &[String]) -> String {
    let first = &lines[0];
    let mut out: Vec<String> = Vec::new();
    let mut it = summary.lines().peekable();
    let mut done = false;
    while let Some(l) = it.next() {
        if !done && l.trim_start().starts_with(first.trim_start()) {
            let indent = &l[..l.len() - l.trim_start().len()];
            out.extend(lines.iter().map(|g| format!("{indent}{g}")));
            while it
                .peek()
                .is_some_and(|n| n.starts_with(&format!("{indent}  ")))
            {
                it.next();
            }
            done = true;
        } else {
            out.push(l.to_string());
        }
    }
    if !done {
        out.push(String::new());
        out.extend(lines.iter().cloned());
    }
    out.join("\n") + "\n"
}

#[test]
fn hazard_pages_are_generated_from_the_rule_registry() {
    let src = book_src();
    let pages = strata::lint::pages::all_pages();
    let expected: BTreeMap<PathBuf, String> = pages
        .into_iter()
        .map(|(p, text)| (src.join(p), text))
        .collect();
    let dir = src.join(strata::lint::pages::DIR);
    let mut problems = Vec::new();
    if updating() {
        std::fs::create_dir_all(&dir).expect("create docs/src/hazards");
        for p in markdown_files(&dir) {
            if !expected.contains_key(&p) {
                std::fs::remove_file(&p).expect("remove a stale hazard page");
            }
        }
        for (p, text) in &expected {
            if std::fs::read_to_string(p).ok().as_deref() != Some(text.as_str()) {
                std::fs::write(p, text).expect("write a hazard page");
            }
        }
        let summary_path = src.join("SUMMARY.md");
        let summary = std::fs::read_to_string(&summary_path).unwrap_or_default();
        let lines = strata::lint::pages::summary_lines();
        std::fs::write(&summary_path, with_summary_lines(&summary, &lines))
            .expect("write SUMMARY.md");
    }
    for (p, text) in &expected {
        match std::fs::read_to_string(p) {
            Ok(t) if &t == text => {}
            Ok(_) => problems.push(format!("{} differs from the registry", p.display())),
            Err(_) => problems.push(format!("{} is missing", p.display())),
        }
    }
    if dir.is_dir() {
        for p in markdown_files(&dir) {
            if !expected.contains_key(&p) {
                problems.push(format!(
                    "{} is not a code of the registry (lint::rules::ALL)",
                    p.display()
                ));
            }
        }
    }
    let summary = read(&src.join("SUMMARY.md"));
    let lines = strata::lint::pages::summary_lines();
    let indent = summary
        .lines()
        .find(|l| l.trim_start().starts_with(lines[0].as_str()))
        .map(|l| &l[..l.len() - l.trim_start().len()])
        .unwrap_or("");
    let block: Vec<String> = lines.iter().map(|l| format!("{indent}{l}")).collect();
    if !summary.contains(&block.join("\n")) {
        problems.push("SUMMARY.md does not list the hazard pages as generated".to_string());
    }
    assert!(
        problems.is_empty(),
        "{}\n{UPDATE_HINT}",
        problems.join("\n")
    );
}

#[test]
fn summary_lines_are_replaced_in_place() {
    let lines = vec![
        "- [H](h/index.md)".to_string(),
        "  - [A](h/A.md)".to_string(),
    ];
    let before = "# S\n- [X](x.md)\n  - [H](h/index.md)\n    - [B](h/B.md)\n  - [Y](y.md)\n";
    assert_eq!(
        with_summary_lines(before, &lines),
        "# S\n- [X](x.md)\n  - [H](h/index.md)\n    - [A](h/A.md)\n  - [Y](y.md)\n"
    );
}

// ---------------------------------------------------------------------------------------------
// HCL blocks

/// A fenced code block of a Markdown file.
#[derive(Debug)]
struct Fence {
    file: PathBuf,
    /// 1-based line of the opening fence.
    line: usize,
    /// The info string's words: `hcl`, `fail`, `env`, …
    info: Vec<String>,
    body: String,
}

impl Fence {
    fn is(&self, word: &str) -> bool {
        self.info.iter().any(|w| w == word)
    }

    fn at(&self) -> String {
        let rel = self.file.strip_prefix(root()).unwrap_or(&self.file);
        format!("{}:{}", rel.display(), self.line)
    }
}

/// The fenced blocks of a Markdown text, in order. Fences may be indented (in list items); the
/// fence's indentation is taken off the block's lines.
fn fences(file: &Path, text: &str) -> Vec<Fence> {
    /// A fence being read: where it opened, its indentation and backticks.
    struct Open {
        fence: Fence,
        indent: usize,
        ticks: String,
        body: Vec<String>,
    }
    let mut out = Vec::new();
    let mut open: Option<Open> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        match open.take() {
            None => {
                if let Some(rest) = trimmed.strip_prefix("```") {
                    let ticks = 3 + rest.chars().take_while(|c| *c == '`').count();
                    let info = rest.trim_start_matches('`').replace(',', " ");
                    open = Some(Open {
                        fence: Fence {
                            file: file.to_path_buf(),
                            line: i + 1,
                            info: info.split_whitespace().map(str::to_string).collect(),
                            body: String::new(),
                        },
                        indent,
                        ticks: "`".repeat(ticks),
                        body: Vec::new(),
                    });
                }
            }
            Some(mut o) => {
                if trimmed.trim_end() == o.ticks {
                    o.fence.body = o.body.join("\n") + "\n";
                    out.push(o.fence);
                } else {
                    o.body.push(line[indent.min(o.indent)..].to_string());
                    open = Some(o);
                }
            }
        }
    }
    assert!(
        open.is_none(),
        "{}: a code block is not closed",
        file.display()
    );
    out
}

/// The text of a schema load's errors: each message with its label, help and notes.
fn hcl_error_text(e: &HclErrors) -> String {
    e.errors
        .iter()
        .map(|e| {
            let mut s = format!("{} ({})", e.message, e.label);
            if let Some(h) = &e.help {
                s.push_str(&format!("; help: {h}"));
            }
            for (_, n) in &e.notes {
                s.push_str(&format!("; {n}"));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Loads a schema block as `strata validate` does: through the HCL loader.
fn load_schema(f: &Fence) -> Result<(), String> {
    let name = format!("{}.hcl", f.at().replace([':', '/'], "_"));
    strata::hcl::load(
        &[SourceFile::new(name, f.body.clone())],
        &LoadOptions::default(),
    )
    .map(|_| ())
    .map_err(|e| hcl_error_text(&e))
}

/// The names of the `env "…"` blocks of a config text.
fn env_names(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("env \""))
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

/// Reads every env of a config block through the config parser (`--env NAME`).
fn load_env(f: &Fence) -> Result<(), String> {
    let names = env_names(&f.body);
    if names.is_empty() {
        return Err("an `hcl env` block declares no `env \"NAME\"` block".to_string());
    }
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("env.hcl");
    std::fs::write(&path, &f.body).expect("write env.hcl");
    for name in names {
        // `data "sql"` queries are not run here: they answer with two sample rows.
        let sample = |_: &strata::config::SqlQuery| Ok(vec!["tenant_a".into(), "tenant_b".into()]);
        if let Err(report) =
            strata::config::load_env_with(&path, &name, &BTreeMap::new(), None, &sample)
        {
            let s = match report.downcast_ref::<HclErrors>() {
                Some(e) => hcl_error_text(e),
                None => match report.help() {
                    Some(h) => format!("{report}; help: {h}"),
                    None => report.to_string(),
                },
            };
            return Err(format!("env {name:?}: {s}"));
        }
    }
    Ok(())
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Checks one file's HCL blocks; returns the problems, each with the block's file and line.
fn check_hcl_blocks(file: &Path) -> (usize, Vec<String>) {
    let text = read(file);
    let all = fences(file, &text);
    let mut problems = Vec::new();
    let mut checked = 0;
    for (i, f) in all.iter().enumerate() {
        if f.info.first().map(String::as_str) != Some("hcl") {
            continue;
        }
        if f.is("fragment") {
            continue;
        }
        checked += 1;
        let result = if f.is("env") {
            load_env(f)
        } else {
            load_schema(f)
        };
        match (f.is("fail"), result) {
            (false, Ok(())) => {}
            (false, Err(e)) => problems.push(format!("{}: does not load:\n{e}", f.at())),
            (true, Ok(())) => problems.push(format!(
                "{}: marked `fail`, but it loads without an error",
                f.at()
            )),
            (true, Err(e)) => match all.get(i + 1) {
                Some(next) if next.info.first().map(String::as_str) == Some("text") => {
                    let shown = collapse(&next.body);
                    if shown.is_empty() || !collapse(&e).contains(&shown) {
                        problems.push(format!(
                            "{}: the error shown at {} is not the actual error:\n{e}",
                            f.at(),
                            next.at()
                        ));
                    }
                }
                _ => problems.push(format!(
                    "{}: a `fail` block must be followed by a ```text block with its error; the error is:\n{e}",
                    f.at()
                )),
            },
        }
    }
    (checked, problems)
}

#[test]
fn every_hcl_block_of_the_docs_and_readme_loads() {
    let mut files = markdown_files(&book_src());
    files.push(root().join("README.md"));
    let mut problems = Vec::new();
    let mut checked = 0;
    let mut fragments = Vec::new();
    for f in &files {
        let (n, p) = check_hcl_blocks(f);
        checked += n;
        problems.extend(p);
        let text = read(f);
        fragments.extend(
            fences(f, &text)
                .into_iter()
                .filter(|b| b.info.first().map(String::as_str) == Some("hcl") && b.is("fragment"))
                .map(|b| b.at()),
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    assert!(checked >= 40, "only {checked} hcl blocks found");
    // Readers copy examples: a block that cannot stand alone is the exception.
    assert!(
        fragments.len() <= 3,
        "too many ```hcl fragment blocks (make them whole): {fragments:?}"
    );
}

/// The checker itself: a broken block, a wrong expected error and a missing one are found.
#[test]
fn the_hcl_block_checker_finds_broken_blocks() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let page = dir.path().join("page.md");
    std::fs::write(
        &page,
        "# T\n\n```hcl\ntable \"t\" {\n  colum \"a\" {}\n}\n```\n\n\
```hcl fail\ntable \"t\" {\n  schema = schema.nowhere\n}\n```\n\n```text\nsomething else\n```\n\n\
```hcl fail\nschema \"public\" {}\n```\n\n\
```hcl env\nenv \"x\" {\n  nonsense = 1\n}\n```\n",
    )
    .expect("write a page");
    let (checked, problems) = check_hcl_blocks(&page);
    assert_eq!(checked, 4);
    assert_eq!(problems.len(), 4, "{problems:#?}");
    assert!(
        problems[0].contains("page.md:3: does not load"),
        "{}",
        problems[0]
    );
    assert!(
        problems[1].contains("page.md:9: the error shown at"),
        "{}",
        problems[1]
    );
    assert!(
        problems[2].contains("page.md:19: marked `fail`"),
        "{}",
        problems[2]
    );
    assert!(
        problems[3].contains("page.md:23: does not load"),
        "{}",
        problems[3]
    );
}

// ---------------------------------------------------------------------------------------------
// SUMMARY.md and links

/// The targets of Markdown links `](target)` in a text, without `#anchor`s.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("](") {
        rest = &rest[i + 2..];
        if let Some(end) = rest.find(')') {
            out.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    out
}

/// Text outside fenced code blocks and inline code spans.
fn prose(text: &str) -> String {
    let mut out = String::new();
    let mut in_fence = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if !in_fence {
            let mut code = false;
            for part in line.split('`') {
                if !code {
                    out.push_str(part);
                }
                code = !code;
            }
            out.push('\n');
        }
    }
    out
}

#[test]
fn summary_lists_every_page_and_only_existing_ones() {
    let src = book_src();
    let summary = read(&src.join("SUMMARY.md"));
    let mut listed = BTreeSet::new();
    let mut problems = Vec::new();
    for target in links(&prose(&summary)) {
        let p = src.join(&target);
        if !p.is_file() {
            problems.push(format!(
                "SUMMARY.md links to {target}, which does not exist"
            ));
        }
        listed.insert(p);
    }
    for page in markdown_files(&src) {
        if page.file_name().is_some_and(|n| n == "SUMMARY.md") {
            continue;
        }
        if !listed.contains(&page) {
            problems.push(format!("{} is not in SUMMARY.md", page.display()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn relative_links_resolve() {
    let mut files = markdown_files(&book_src());
    files.push(root().join("README.md"));
    let mut problems = Vec::new();
    for f in &files {
        let dir = f.parent().expect("a file has a directory");
        for target in links(&prose(&read(f))) {
            let path = target.split('#').next().unwrap_or_default();
            if path.is_empty() || path.contains("://") || path.starts_with("mailto:") {
                continue;
            }
            if !dir.join(path).exists() {
                problems.push(format!(
                    "{}: link to {target} does not resolve",
                    f.display()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// The book builds

#[test]
fn mdbook_builds_the_site() {
    let found = std::process::Command::new("mdbook")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("mdbook is not on PATH: skipping the book build (CI's .ci/run installs it)");
        return;
    }
    let out = tempfile::tempdir().expect("a temp dir");
    let result = std::process::Command::new("mdbook")
        .arg("build")
        .arg(root().join("docs"))
        .arg("--dest-dir")
        .arg(out.path())
        .output()
        .expect("run mdbook");
    assert!(
        result.status.success(),
        "mdbook build failed:\n{}\n{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(out.path().join("index.html").is_file());
}

/// The `strata …` commands of the CI recipes in docs/examples, with shell variables given
/// sample values (`${{ matrix.shard }}`, `${CI_NODE_INDEX}`, `$((…))`).
fn example_commands(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line
            .trim()
            .trim_start_matches("- ")
            .trim_start_matches("run: ");
        let Some(rest) = t.strip_prefix("strata ") else {
            continue;
        };
        let mut cmd = rest.to_string();
        for (from, to) in [
            ("${{ matrix.shard }}", "1"),
            ("${CI_NODE_INDEX}", "1"),
            ("${CI_NODE_TOTAL}", "3"),
            ("$((JOB_COMPLETION_INDEX + 1))", "1"),
        ] {
            cmd = cmd.replace(from, to);
        }
        out.push(cmd);
    }
    out
}

#[test]
fn every_strata_command_of_the_ci_recipes_parses() {
    let dir = root().join("docs/examples");
    let mut checked = 0;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("docs/examples")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let text = read(&path);
        let commands = example_commands(&text);
        assert!(
            !commands.is_empty(),
            "{}: no strata command",
            path.display()
        );
        for cmd in commands {
            assert!(
                !cmd.contains('$'),
                "{}: unsubstituted {cmd}",
                path.display()
            );
            let args: Vec<std::ffi::OsString> = std::iter::once("strata")
                .chain(cmd.split_whitespace())
                .map(Into::into)
                .collect();
            if let Err(e) = strata::cli::parse(strata::cli::rewrite_args(args)) {
                panic!("{}: `strata {cmd}` does not parse: {e}", path.display());
            }
            checked += 1;
        }
        // The guide shows the file as it is.
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            read(&book_src().join("guides/fleets.md")).contains(&format!("examples/{name}")),
            "{name} is not included in the fleets guide"
        );
    }
    assert!(checked >= 5, "only {checked} commands checked");
}
