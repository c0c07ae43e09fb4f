//! ARCHITECTURE.md's layering rules, checked on the source text (no database, no build of
//! anything): the module graph is acyclic but for the back-edges still listed here, only the
//! command layer prints, only the command layer (and `lib.rs`) uses `crate::commands`, SQL
//! text outside `src/postgres/` does not grow, object addresses are spelled only by
//! `model::ObjectId`, and the crate's public surface is only what the integration tests use. The lists of known exceptions can only shrink:
//! a test fails when an exception is gone, so that it is taken off the list.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Dependency edges between top-level modules that close a cycle today (issue 10 lists them).
/// Removing one from the code must remove it here.
const KNOWN_BACK_EDGES: &[(&str, &str)] = &[];

/// Files outside the command layer that still use `crate::commands`.
const KNOWN_COMMANDS_USERS: &[&str] = &[];

/// String literals that start with an SQL keyword, per file outside `src/postgres/` (tests
/// excluded). A file may only go down; a new file may not appear.
const SQL_OUTSIDE_POSTGRES: &[(&str, usize)] =
    &[("src/migrate/lint.rs", 3), ("src/plan/saved.rs", 3)];

/// Files that still read result rows with `Row::get`, which panics on an unexpected NULL or
/// type (read them with `postgres::rows::col` or `Cols`). Can only shrink.
const KNOWN_ROW_GETS: &[&str] = &[];

/// The one module that may call `Row::get`-like methods on rows.
const ROWS_MODULE: &str = "src/postgres/rows.rs";

const SQL_KEYWORDS: &[&str] = &[
    "CREATE ",
    "ALTER ",
    "DROP ",
    "SET ",
    "RESET ",
    "COMMENT ON ",
    "VALIDATE ",
    "ADD ",
    "TRUNCATE ",
    "DELETE ",
    "INSERT ",
    "UPDATE ",
    "SELECT ",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, as (path relative to the crate, text without its tests).
fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                // Test code: after `#[cfg(test)]`, and whole `tests.rs` files (declared as
                // `#[cfg(test)] mod tests;`).
                let code = if p.file_name().is_some_and(|n| n == "tests.rs") {
                    String::new()
                } else {
                    text.split("#[cfg(test)]").next().unwrap_or("").to_string()
                };
                let rel = p
                    .strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")))
                    .unwrap()
                    .display()
                    .to_string();
                out.push((rel, code));
            }
        }
    }
    out.sort();
    out
}

/// The top-level module a file belongs to (`src/plan/order.rs` → `plan`), `None` for the
/// crate root.
fn module_of(rel: &str) -> Option<String> {
    let rest = rel.strip_prefix("src/")?;
    let first = rest.split('/').next()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib" && name != "main").then(|| name.to_string())
}

/// Identifiers that follow `crate::` in `code`, including those inside `use crate::{a, b::c}`.
fn crate_references(code: &str) -> BTreeSet<String> {
    references(code, "crate::")
}

/// Identifiers that follow `prefix` (`crate::`, `strata::`) in `code`, including those inside
/// `use crate::{a, b::c}`.
fn references(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        rest = &rest[i + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level items of the group up to its matching brace: the first identifier of
            // each comma-separated part at depth 0.
            let mut depth = 0;
            let mut start = 0;
            let mut end = group.len();
            for (j, b) in group.bytes().enumerate() {
                match b {
                    b'{' => depth += 1,
                    b'}' if depth == 0 => {
                        end = j;
                        break;
                    }
                    b'}' => depth -= 1,
                    b',' if depth == 0 => {
                        out.insert(ident(group[start..j].trim()));
                        start = j + 1;
                    }
                    _ => {}
                }
            }
            out.insert(ident(group[start..end].trim()));
        } else {
            out.insert(ident(rest));
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

type Graph = BTreeMap<String, BTreeSet<String>>;

fn module_graph() -> Graph {
    let files = sources(&src());
    let modules: BTreeSet<String> = files.iter().filter_map(|(p, _)| module_of(p)).collect();
    let mut g: Graph = modules
        .iter()
        .map(|m| (m.clone(), BTreeSet::new()))
        .collect();
    for (path, code) in &files {
        let Some(m) = module_of(path) else { continue };
        for r in crate_references(code) {
            if r != m && modules.contains(&r) {
                g.entry(m.clone()).or_default().insert(r);
            }
        }
    }
    g
}

/// A cycle in `g`, as the list of modules on it, if there is one.
fn find_cycle(g: &Graph) -> Option<Vec<String>> {
    fn visit(
        v: &str,
        g: &Graph,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(v.to_string(), 1);
        stack.push(v.to_string());
        for w in g.get(v).into_iter().flatten() {
            match state.get(w.as_str()).copied().unwrap_or(0) {
                1 => {
                    let from = stack.iter().position(|x| x == w).unwrap_or(0);
                    let mut cycle = stack[from..].to_vec();
                    cycle.push(w.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(w, g, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(v.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for v in g.keys() {
        if state.get(v.as_str()).copied().unwrap_or(0) == 0
            && let Some(c) = visit(v, g, &mut state, &mut Vec::new())
        {
            return Some(c);
        }
    }
    None
}

#[test]
fn module_graph_is_acyclic_but_for_the_known_back_edges() {
    let mut g = module_graph();
    for (from, to) in KNOWN_BACK_EDGES {
        let present = g.get_mut(*from).is_some_and(|s| s.remove(*to));
        assert!(
            present,
            "the back-edge {from} → {to} is gone: take it off KNOWN_BACK_EDGES"
        );
    }
    if let Some(cycle) = find_cycle(&g) {
        panic!(
            "module cycle: {} — a lower layer uses a higher one; move the shared code down",
            cycle.join(" → ")
        );
    }
}

#[test]
fn the_cycle_check_finds_cycles() {
    let mut g: Graph = BTreeMap::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("c".into());
    g.entry("c".into()).or_default();
    assert_eq!(find_cycle(&g), None);
    g.entry("c".into()).or_default().insert("a".into());
    assert_eq!(
        find_cycle(&g),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    // The real graph has none, and one back-edge (a lower layer using the command layer)
    // closes one.
    let mut real = module_graph();
    assert_eq!(find_cycle(&real), None);
    real.entry("model".into())
        .or_default()
        .insert("commands".into());
    assert!(find_cycle(&real).is_some());
    let refs =
        crate_references("use crate::{apply::x, model::{A, B}, plan};\nlet y = crate::diff::f();");
    assert_eq!(
        refs.into_iter().collect::<Vec<_>>(),
        vec!["apply", "diff", "model", "plan"]
    );
}

/// The modules `src/lib.rs` declares `pub mod`: the ones the integration tests (and
/// `src/main.rs`) name. Every other module is `pub(crate)`, and `#![warn(unreachable_pub)]`
/// makes rustc ask for `pub(crate)` on every item no outside user can reach, so that what
/// nothing uses is reported as dead code. Can only shrink: a module the tests stop naming fails
/// the test, so that it is taken off the list and made `pub(crate)`.
const PUBLIC_MODULES: &[&str] = &[
    "apply", "cli", "commands", "config", "diff", "hcl", "lint", "migrate", "model", "plan",
    "postgres", "render",
];

/// The modules `code` (a crate root) declares `pub mod` (`pub(crate) mod` and `mod` are not).
fn pub_modules(code: &str) -> BTreeSet<String> {
    code.lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|r| r.trim_end_matches(';').trim().to_string())
        .collect()
}

/// Whether `code` (a crate root) has rustc report `pub` items that are not reachable from
/// outside the crate.
fn checks_unreachable_pub(code: &str) -> bool {
    code.lines()
        .map(str::trim)
        .any(|l| l == "#![warn(unreachable_pub)]" || l == "#![deny(unreachable_pub)]")
}

/// The crate's users outside `src/`: integration tests, benches, examples, and the binary.
fn external_users() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = vec![std::fs::read_to_string(src().join("main.rs")).unwrap()];
    let mut stack: Vec<PathBuf> = ["tests", "benches", "examples"]
        .iter()
        .map(|d| root.join(d))
        .filter(|d| d.is_dir())
        .collect();
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn the_public_surface_is_what_the_tests_use() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    assert!(
        checks_unreachable_pub(&lib),
        "src/lib.rs lost `#![warn(unreachable_pub)]`: it keeps items no test uses pub(crate)"
    );
    let declared = pub_modules(&lib);
    let listed: BTreeSet<String> = PUBLIC_MODULES.iter().map(|s| s.to_string()).collect();
    let new: Vec<&String> = declared.difference(&listed).collect();
    assert!(
        new.is_empty(),
        "{new:?} are `pub mod` in src/lib.rs: make them pub(crate) (the public surface is what \
         the integration tests use; if one does, add the module to PUBLIC_MODULES)"
    );
    let gone: Vec<&String> = listed.difference(&declared).collect();
    assert!(
        gone.is_empty(),
        "{gone:?} are no longer `pub mod` in src/lib.rs: take them off PUBLIC_MODULES"
    );
    let used: BTreeSet<String> = external_users()
        .iter()
        .flat_map(|code| references(code, "strata::"))
        .collect();
    let unused: Vec<&String> = listed.difference(&used).collect();
    assert!(
        unused.is_empty(),
        "{unused:?} are `pub mod` but no test, bench, example or src/main.rs names them: make \
         them pub(crate) in src/lib.rs and take them off PUBLIC_MODULES"
    );
    // The checks themselves.
    let sample = "//! Doc.\n\n#![warn(unreachable_pub)]\n\npub mod a;\npub(crate) mod b;\nmod c;\n";
    assert!(checks_unreachable_pub(sample));
    assert!(!checks_unreachable_pub(
        &sample.replace("#![warn(unreachable_pub)]", "")
    ));
    assert_eq!(pub_modules(sample), BTreeSet::from(["a".to_string()]));
    assert_eq!(
        references(
            "use strata::{hcl::{A, B}, plan};\nstrata::diff::diff(&a, &b);",
            "strata::"
        )
        .into_iter()
        .collect::<Vec<_>>(),
        vec!["diff", "hcl", "plan"]
    );
}

/// Errors come in families (`settings::RefusedError`'s comment): a refusal (strata chose not to
/// act) is `refused(…)`, never a usage error. Caught by its words: a `usage(` whose message
/// says it refuses.
#[test]
fn refusals_are_not_usage_errors() {
    let mut wrong = Vec::new();
    for (path, code) in sources(&src()) {
        for (i, _) in code.match_indices("usage(") {
            let next: String = code[i..].chars().take(160).collect();
            let message = next.split(',').next().unwrap_or("");
            if message.contains("refusing") || message.contains("refused") {
                wrong.push(format!("{path}: {}", message.trim()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "a refusal written as a usage error: use settings::refused\n{}",
        wrong.join("\n")
    );
}

#[test]
fn only_the_command_layer_prints() {
    for (path, code) in sources(&src()) {
        let allowed = path.starts_with("src/commands/")
            || path.starts_with("src/render/")
            || path == "src/lib.rs"
            || path == "src/main.rs";
        let prints = ["println!(", "print!("].iter().any(|m| {
            code.match_indices(m)
                .any(|(i, _)| i == 0 || !code.as_bytes()[i - 1].is_ascii_alphanumeric())
        });
        assert!(
            allowed || !prints,
            "{path} prints to stdout: return data and let a command or the renderer print it"
        );
    }
}

#[test]
fn only_the_command_layer_uses_commands() {
    let mut users = BTreeSet::new();
    for (path, code) in sources(&src()) {
        if path.starts_with("src/commands/") || path == "src/lib.rs" || path == "src/main.rs" {
            continue;
        }
        if crate_references(&code).contains("commands") {
            users.insert(path);
        }
    }
    let known: BTreeSet<String> = KNOWN_COMMANDS_USERS.iter().map(|s| s.to_string()).collect();
    let new: Vec<&String> = users.difference(&known).collect();
    let gone: Vec<&String> = known.difference(&users).collect();
    assert!(
        new.is_empty(),
        "{new:?} use crate::commands: the command layer sits on top; move what they need down"
    );
    assert!(
        gone.is_empty(),
        "{gone:?} no longer use crate::commands: take them off KNOWN_COMMANDS_USERS"
    );
}

fn sql_literals(code: &str) -> usize {
    code.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(|l| {
            SQL_KEYWORDS
                .iter()
                .map(|k| l.matches(&format!("\"{k}")).count())
                .sum::<usize>()
        })
        .sum()
}

#[test]
fn sql_text_does_not_spread_outside_postgres() {
    let baseline: BTreeMap<&str, usize> = SQL_OUTSIDE_POSTGRES.iter().copied().collect();
    let mut problems = Vec::new();
    for (path, code) in sources(&src()) {
        if path.starts_with("src/postgres/") {
            continue;
        }
        let n = sql_literals(&code);
        let allowed = baseline.get(path.as_str()).copied().unwrap_or(0);
        if n > allowed {
            problems.push(format!(
                "{path}: {n} SQL string literal(s), at most {allowed}: write SQL in postgres::ddl"
            ));
        } else if n < allowed {
            problems.push(format!(
                "{path}: {n} SQL string literal(s), the baseline says {allowed}: lower it"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(
        sql_literals("let s = \"ALTER TABLE x\";\n// \"DROP y\"\nf(\"SELECT 1\")"),
        2
    );
}

/// Lines of `code` that look like `Row::get`: `.get(` on a receiver named `r` or `row` (also
/// across a line break), `.get(<digits>)`, or the two-parameter turbofish `.get::<_, T>`.
fn row_gets(code: &str) -> Vec<usize> {
    let bytes = code.as_bytes();
    let mut lines = Vec::new();
    for (i, _) in code.match_indices(".get") {
        let after = &code[i + ".get".len()..];
        if !(after.starts_with('(') || after.starts_with("::<")) {
            continue;
        }
        let mut end = i;
        while end > 0 && bytes[end - 1].is_ascii_whitespace() {
            end -= 1;
        }
        let mut start = end;
        while start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
            start -= 1;
        }
        let receiver = &code[start..end];
        let digits = after
            .strip_prefix('(')
            .map(|a| a.trim_start_matches(|c: char| c.is_ascii_digit()))
            .is_some_and(|a| a.starts_with(')') && !after.starts_with("()"));
        if receiver == "r" || receiver == "row" || digits || after.starts_with("::<_,") {
            lines.push(code[..i].matches('\n').count() + 1);
        }
    }
    lines.dedup();
    lines
}

#[test]
fn rows_are_decoded_without_panicking() {
    let mut users = BTreeMap::new();
    for (path, code) in sources(&src()) {
        if path == ROWS_MODULE {
            continue;
        }
        let lines = row_gets(&code);
        if !lines.is_empty() {
            users.insert(path, lines);
        }
    }
    let known: BTreeSet<&str> = KNOWN_ROW_GETS.iter().copied().collect();
    let new: Vec<String> = users
        .iter()
        .filter(|(p, _)| !known.contains(p.as_str()))
        .map(|(p, l)| format!("{p} (lines {l:?})"))
        .collect();
    let gone: Vec<&&str> = known.iter().filter(|p| !users.contains_key(**p)).collect();
    assert!(
        new.is_empty(),
        "Row::get panics on a NULL or a type the database chose; use postgres::rows::col or \
         Cols instead: {new:?}"
    );
    assert!(
        gone.is_empty(),
        "{gone:?} no longer call Row::get: take them off KNOWN_ROW_GETS"
    );
    assert_eq!(
        row_gets(
            "let a = r.get(0);\nlet b = row\n    .get::<_, bool>(\"x\");\nm.get(&k);\nv.get(12)\n\
             m.get(\"k\"); x.get::<_, i32>(1); r.col(0)?; f.get()"
        ),
        vec![1, 3, 5, 6]
    );
}

/// Lines of `code` where a `miette!(…)` call has no `code = …` among its arguments.
fn uncoded_diagnostics(code: &str) -> Vec<usize> {
    let bytes = code.as_bytes();
    let mut lines = Vec::new();
    for (i, _) in code.match_indices("miette!(") {
        if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_') {
            continue;
        }
        // The arguments up to the matching parenthesis, string literals skipped.
        let start = i + "miette!(".len();
        let mut depth = 0;
        let mut end = code.len();
        let mut in_string = false;
        let mut j = start;
        while j < bytes.len() {
            match (in_string, bytes[j]) {
                (true, b'\\') => j += 1,
                (true, b'"') | (false, b'"') => in_string = !in_string,
                (false, b'(') => depth += 1,
                (false, b')') if depth == 0 => {
                    end = j;
                    break;
                }
                (false, b')') => depth -= 1,
                _ => {}
            }
            j += 1;
        }
        let args = &code[start..end];
        let coded = args.match_indices("code").any(|(k, _)| {
            let before = args[..k].trim_end();
            let after = args[k + "code".len()..].trim_start();
            (before.is_empty() || before.ends_with(','))
                && after.starts_with('=')
                && !after.starts_with("==")
        });
        if !coded {
            lines.push(code[..i].matches('\n').count() + 1);
        }
    }
    lines
}

#[test]
fn every_ad_hoc_diagnostic_has_a_code() {
    let mut problems = Vec::new();
    for (path, code) in sources(&src()) {
        let lines = uncoded_diagnostics(&code);
        if !lines.is_empty() {
            problems.push(format!("{path} (lines {lines:?})"));
        }
    }
    assert!(
        problems.is_empty(),
        "miette!(…) without `code = \"strata::…\"` (or use a typed error with \
         #[diagnostic(code(…))]): {problems:?}"
    );
    assert_eq!(
        uncoded_diagnostics(
            "miette::miette!(\"a (b\")\n\
             miette!(code = \"strata::x\", \"c\")\n\
             miette!(\n  help = \"h\",\n  \"code = {x}\", x = f(code))\n\
             miette!(help = \"h\", code = \"strata::y\", \"d\")\n\
             not_miette!(\"e\")"
        ),
        vec![1, 3]
    );
}

/// The one module that spells object addresses (`table.public.users`, …): `ObjectId`.
const ID_MODULE: &str = "src/model/id.rs";

/// First segments of object addresses (`ObjectKind`'s spellings) and the `{kind}` of a
/// generic one. A string literal that starts with one of them and a dot formats (or matches)
/// an address by hand.
const ADDRESS_KINDS: &[&str] = &[
    "schema",
    "extension",
    "table",
    "enum",
    "domain",
    "composite",
    "collation",
    "sequence",
    "view",
    "materialized",
    "function",
    "procedure",
    "trigger",
    "policy",
    "column",
    "primary_key",
    "index",
    "unique",
    "check",
    "foreign_key",
    "exclude",
    "constraint",
    "{kind}",
];

/// Literals that start like an address but are not one: the default schema file.
const NOT_ADDRESSES: &[&str] = &["schema.hcl"];

/// Lines of `code` (comments skipped) with a string literal that starts like an address.
fn address_literals(code: &str) -> Vec<usize> {
    let mut out = Vec::new();
    for (n, line) in code.lines().enumerate() {
        if line.trim_start().starts_with("//") {
            continue;
        }
        let found = ADDRESS_KINDS.iter().any(|k| {
            let start = format!("\"{k}.");
            line.match_indices(&start).any(|(i, _)| {
                let rest = &line[i + 1..];
                !NOT_ADDRESSES.iter().any(|x| rest.starts_with(x))
            })
        });
        if found {
            out.push(n + 1);
        }
    }
    out
}

#[test]
fn object_addresses_are_spelled_only_by_object_id() {
    let mut problems = Vec::new();
    for (path, code) in sources(&src()) {
        if path == ID_MODULE {
            continue;
        }
        let lines = address_literals(&code);
        if !lines.is_empty() {
            problems.push(format!("{path} (lines {lines:?})"));
        }
    }
    assert!(
        problems.is_empty(),
        "object addresses formatted or parsed by hand (build them with model::ObjectId, read \
         them with its FromStr): {problems:?}"
    );
    assert_eq!(
        address_literals(
            "format!(\"table.{}.{}\", s, t)\n\
             // \"view.s.v\" in a comment\n\
             x.starts_with(\"policy.\")\n\
             join(\"schema.hcl\")\n\
             write!(f, \"{kind}.{name}\")\n\
             ObjectId::schema(\"app\")"
        ),
        vec![1, 3, 5]
    );
}

/// The most lines a source file under `src/` may have.
const MAX_FILE_LINES: usize = 800;

/// The most lines a function in `src/plan`, `src/diff` and `src/postgres` may have, from its
/// `fn` line to its closing brace.
const MAX_FUNCTION_LINES: usize = 150;

/// Functions still longer than `MAX_FUNCTION_LINES`: (file, function). The list may only
/// shrink: a listed function that is gone or now short enough fails the test, so that it is
/// taken off the list.
const KNOWN_LONG_FUNCTIONS: &[(&str, &str)] = &[];

#[test]
fn source_files_stay_small() {
    let mut problems = Vec::new();
    let mut stack = vec![src()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let n = std::fs::read_to_string(&p).unwrap().lines().count();
                if n > MAX_FILE_LINES {
                    let rel = p.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(&p);
                    problems.push(format!("{} has {n} lines", rel.display()));
                }
            }
        }
    }
    problems.sort();
    assert!(
        problems.is_empty(),
        "source files over {MAX_FILE_LINES} lines: split them by concept (one file per object \
         kind or stage) into submodules: {problems:?}"
    );
}

/// The functions of `code` as (name, lines from the `fn` line to the closing brace at the same
/// indentation). Declarations without a body are skipped.
fn function_lengths(code: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let mut rest = trimmed;
        if let Some(r) = rest.strip_prefix("pub") {
            rest = match r.strip_prefix('(') {
                Some(r) => r.split_once(')').map_or("", |(_, r)| r),
                None => r,
            };
            if !rest.starts_with(' ') {
                continue;
            }
            rest = rest.trim_start();
        }
        for q in ["const ", "async ", "unsafe "] {
            rest = rest.strip_prefix(q).unwrap_or(rest);
        }
        let Some(r) = rest.strip_prefix("fn ") else {
            continue;
        };
        let name: String = r
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let close = format!("{indent}}}");
        let body = lines[i..]
            .iter()
            .take_while(|l| !(l.trim_end().ends_with(';') && !l.contains('{') && **l == *line))
            .position(|l| *l == close);
        if let Some(n) = body {
            out.push((name, n + 1));
        }
    }
    out
}

#[test]
fn functions_in_the_core_stay_small() {
    let mut long = BTreeSet::new();
    let mut lengths = BTreeMap::new();
    for dir in ["plan", "diff", "postgres"] {
        for (path, code) in sources(&src().join(dir)) {
            for (name, n) in function_lengths(&code) {
                if n > MAX_FUNCTION_LINES {
                    long.insert((path.clone(), name.clone()));
                }
                lengths.insert((path.clone(), name), n);
            }
        }
    }
    let known: BTreeSet<(String, String)> = KNOWN_LONG_FUNCTIONS
        .iter()
        .map(|(p, f)| (p.to_string(), f.to_string()))
        .collect();
    let new: Vec<String> = long
        .difference(&known)
        .map(|(p, f)| format!("{p}: {f} ({} lines)", lengths[&(p.clone(), f.clone())]))
        .collect();
    let gone: Vec<&(String, String)> = known.difference(&long).collect();
    assert!(
        new.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines: split them into named helpers: {new:?}"
    );
    assert!(
        gone.is_empty(),
        "{gone:?} are gone or no longer over {MAX_FUNCTION_LINES} lines: take them off \
         KNOWN_LONG_FUNCTIONS"
    );
    let sample = "pub(crate) fn short() {\n    x();\n}\n\nimpl A {\n    async fn m(&self) {\n        \
                  if y {\n        }\n    }\n    fn decl(&self);\n}\n";
    assert_eq!(
        function_lengths(sample),
        vec![("short".to_string(), 3), ("m".to_string(), 4)]
    );
}

/// The object kinds `kind_op!` (src/plan/kind.rs) plans through `KindPlan`: the `Change`
/// variants it lists, by kind (`Collation` for `CreateCollation`, `AlterCollation`, …).
fn kind_plan_kinds(kind_rs: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for piece in kind_rs.split("C::").skip(1) {
        let variant: String = piece
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        for op in ["Create", "Alter", "Drop"] {
            if let Some(kind) = variant.strip_prefix(op) {
                out.entry(kind.to_string())
                    .or_default()
                    .insert(variant.clone());
            }
        }
    }
    out
}

/// A kind planned through `KindPlan` is planned in one place: its `impl KindPlan` in
/// `src/plan/order/<kind>.rs`, with create, alter and drop listed in `kind_op!`, and no other
/// node builder or reviewer view in `src/plan/order*` or `src/plan/describe*` matches its
/// changes. (`recreate.rs` may: which objects a change recreates is another concern.)
#[test]
fn a_kind_planned_through_kind_plan_is_planned_in_one_place() {
    let kind_rs = std::fs::read_to_string(src().join("plan/kind.rs")).unwrap();
    let kinds = kind_plan_kinds(&kind_rs);
    assert!(kinds.len() >= 3, "kind_op! lists {kinds:?}");
    let plan = sources(&src().join("plan"));
    let mut problems = Vec::new();
    for (kind, variants) in &kinds {
        if variants.len() != 3 {
            problems.push(format!(
                "kind_op! lists {variants:?} for {kind}, not create, alter and drop"
            ));
        }
        let impls: Vec<&String> = plan
            .iter()
            .filter(|(_, code)| {
                // A kind of its own, or one that lives on a relation (`On<'_, Rel, Trigger>`).
                code.contains(&format!("impl KindPlan for {kind} {{"))
                    || code.lines().any(|l| {
                        l.starts_with("impl KindPlan for On<")
                            && l.ends_with(&format!(", {kind}> {{"))
                    })
            })
            .map(|(rel, _)| rel)
            .collect();
        if impls.len() != 1 || !impls[0].starts_with("src/plan/order/") {
            problems.push(format!(
                "impl KindPlan for {kind}: in {impls:?}, not one file of src/plan/order/"
            ));
        }
        for (rel, code) in &plan {
            let builder = rel.starts_with("src/plan/order") || rel.starts_with("src/plan/describe");
            for v in variants {
                if builder && code.contains(&format!("Change::{v}")) {
                    problems.push(format!("{rel} matches Change::{v}, which kind_op! plans"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn kind_plan_kinds_are_read_from_kind_op() {
    let text = "C::CreateX(o) => …, C::AlterX { from, to } => …, C::DropX(o) => …, C::CreateY(o)";
    let kinds = kind_plan_kinds(text);
    assert_eq!(kinds["X"].len(), 3);
    assert_eq!(
        kinds["Y"].len(),
        1,
        "a kind without its alter and drop is reported"
    );
}
