//! Bounded fuzzing of everything strata reads from files: schema HCL, env.hcl, plan files and
//! migration directories. Inputs are random text and random mutations of valid files (bytes
//! inserted, deleted and replaced with the characters that matter to each syntax). Each input
//! must give a result or a diagnostic (rendered, as a user would see it), never a panic, within
//! a time limit. No database is needed. `STRATA_FUZZ_CASES` raises the case count.

use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SCHEMA: &str = r#"variable "n" {
  type    = number
  default = 3
}
schema "public" {
  comment = "main"
}
enum "status" {
  schema = schema.public
  values = ["a", "b"]
}
table "users" {
  schema = schema.public
  storage_params = { fillfactor = 70 }
  column "id" {
    type = bigint
    identity {
      generated = ALWAYS
      cache     = 5
    }
  }
  column "email" {
    type    = varchar(255)
    default = "x"
  }
  column "s" {
    type = enum.status
    null = true
  }
  primary_key {
    columns = [column.id]
  }
  index "users_email" {
    on {
      column = column.email
      desc   = true
    }
    where = "email <> ''"
  }
  check "c" {
    expr  = "id > 0"
    valid = false
  }
  foreign_key "f" {
    columns     = [column.id]
    ref_columns = [table.users.column.id]
  }
}
view "v" {
  schema = schema.public
  as     = "SELECT id FROM users"
}
"#;

const ENV: &str = r#"variable "url" {
  type    = string
  default = "postgres://u@h/db"
}
locals {
  dev = "postgres://u@h/dev"
}
env "x" {
  url     = var.url
  dev     = local.dev
  src     = ["schema.hcl"]
  schemas = ["public"]
  lint {
    destructive {
      error = false
    }
  }
}
"#;

const PLAN: &str = r#"{"format_version":2,"strata_version":"0.1.0","created_at":"2026-11-30T00:00:00Z","env":null,"target":"postgres://u:****@h/db","schemas":["public"],"exclude":[],"online":false,"fingerprint":"abc","objects":[{"address":"table.public.t","kind":"table","label":"\"t\"","action":"create","reason":null,"attrs":[],"children":[],"steps":[0],"hazards":[]}],"steps":[{"object":"table.public.t","action":"create","description":"Create table","statements":["CREATE TABLE t (id int)"],"hazards":[],"phase":"transaction"}],"summary":{"add":1,"change":0,"destroy":0},"hints":[],"checksum":"0"}"#;

const MIGRATION: &str = "-- strata:txmode none\n-- strata:nolint PG101\n\nCREATE TABLE a (id int);\nCREATE INDEX CONCURRENTLY i ON a (id);\nCREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;\n";

const SUM: &str = "h1:abc=\n1_a.sql h1:def=\n";

fn cases() -> u32 {
    std::env::var("STRATA_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000)
}

fn config() -> Config {
    Config {
        cases: cases(),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/fuzz.proptest-regressions",
        ))),
        ..Config::default()
    }
}

/// A valid file with edits: each edit inserts, deletes or replaces a short run at a position.
fn mutated(seed: &'static str, alphabet: &'static str) -> impl Strategy<Value = String> {
    let chars: Vec<char> = alphabet.chars().collect();
    let edit = (
        0usize..=seed.len(),
        0usize..4,
        0usize..3,
        proptest::collection::vec(proptest::sample::select(chars), 0..6),
    );
    proptest::collection::vec(edit, 1..6).prop_map(move |edits| {
        let mut s: Vec<char> = seed.chars().collect();
        for (at, len, kind, insert) in edits {
            let at = at.min(s.len());
            let end = (at + len).min(s.len());
            match kind {
                0 => {
                    s.splice(at..at, insert);
                }
                1 => {
                    s.drain(at..end);
                }
                _ => {
                    s.splice(at..end, insert);
                }
            }
        }
        s.into_iter().collect()
    })
}

/// Random text, or a mutated seed.
fn input(seed: &'static str, alphabet: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![
        1 => ".{0,200}",
        4 => mutated(seed, alphabet),
    ]
}

/// Renders a diagnostic the way the binary prints it (graphical, with the source snippet).
fn render(report: &miette::Report) -> String {
    let mut out = String::new();
    let _ = miette::GraphicalReportHandler::new()
        .with_width(100)
        .render_report(&mut out, report.as_ref());
    out
}

/// Longest one input may take: beyond it the input counts as a hang and the test process ends
/// with the input printed.
const HANG: Duration = Duration::from_secs(10);

/// A watchdog for one fuzz target: `start` before each input, `done` after the last.
struct Watchdog {
    current: Arc<Mutex<Option<(Instant, String)>>>,
    stop: Arc<AtomicBool>,
}

impl Watchdog {
    fn new(name: &'static str) -> Watchdog {
        let current: Arc<Mutex<Option<(Instant, String)>>> = Arc::new(Mutex::new(None));
        let stop = Arc::new(AtomicBool::new(false));
        let (c, s) = (current.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(200));
                if let Ok(guard) = c.lock()
                    && let Some((started, input)) = guard.as_ref()
                    && started.elapsed() > HANG
                {
                    eprintln!("fuzz {name}: input ran over {HANG:?} (a hang): {input:?}");
                    std::process::exit(101);
                }
            }
        });
        Watchdog { current, stop }
    }

    fn start(&self, input: &str) {
        if let Ok(mut g) = self.current.lock() {
            *g = Some((Instant::now(), input.chars().take(2000).collect()));
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn run(
    name: &'static str,
    strategy: impl Strategy<Value = String>,
    target: impl Fn(&str) -> Result<(), TestCaseError>,
) {
    let count = AtomicUsize::new(0);
    let watchdog = Watchdog::new(name);
    let mut runner = TestRunner::new(config());
    let result = runner.run(&strategy, |text| {
        count.fetch_add(1, Ordering::Relaxed);
        watchdog.start(&text);
        target(&text)
    });
    eprintln!(
        "fuzz {name}: {} inputs, 0 panics, 0 hangs",
        count.load(Ordering::Relaxed)
    );
    if let Err(e) = result {
        panic!("fuzz {name}: {e}");
    }
}

const HCL_CHARS: &str = "{}[]()\"=.,#$\\\n ab_019-*/:%~é\u{0}";

#[test]
fn fuzz_schema_hcl() {
    run("schema HCL", input(SCHEMA, HCL_CHARS), |text| {
        let file = strata::hcl::SourceFile::new("schema.hcl", text.to_string());
        match strata::hcl::load(&[file], &Default::default()) {
            Ok(loaded) => {
                // What loads can be written back.
                let _ = strata::hcl::writer::write(&loaded.model);
            }
            Err(e) => {
                let _ = render(&miette::Report::new(e));
            }
        }
        Ok(())
    });
}

#[test]
fn fuzz_env_hcl() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("env.hcl");
    run("env.hcl", input(ENV, HCL_CHARS), |text| {
        std::fs::write(&path, text).unwrap();
        if let Err(e) = strata::config::load_env(&path, "x", &Default::default(), None) {
            let _ = render(&e);
        }
        Ok(())
    });
}

#[test]
fn fuzz_plan_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.json");
    run(
        "plan files",
        input(PLAN, "{}[]\":,0123456789abcdefnulltrue\\ -"),
        |text| {
            std::fs::write(&path, text).unwrap();
            if let Err(e) = strata::plan::saved::load_with_desired(&path) {
                let _ = render(&e);
            }
            Ok(())
        },
    );
}

#[test]
fn fuzz_migration_directories() {
    let dir = tempfile::tempdir().unwrap();
    let strategy = (
        input(MIGRATION, "-;$'\"()\n strata:txmodenolint ABCDEFGHIJ\\/*"),
        input(SUM, "h1:=abc \n_.sql0123456789+/"),
    );
    let count = AtomicUsize::new(0);
    let watchdog = Watchdog::new("migration directories");
    let mut runner = TestRunner::new(config());
    let result = runner.run(&strategy, |(sql, sum)| {
        count.fetch_add(1, Ordering::Relaxed);
        watchdog.start(&format!("{sql}\n--- strata.sum:\n{sum}"));
        std::fs::write(dir.path().join("1_a.sql"), &sql).unwrap();
        std::fs::write(dir.path().join("strata.sum"), &sum).unwrap();
        match strata::migrate::dir::Dir::open(dir.path()) {
            Ok(d) => {
                if let Err(e) = d.check_sum() {
                    let _ = render(&miette::Report::new(e));
                }
                for m in &d.migrations {
                    if let Ok(file) = m.sql(dir.path()) {
                        let _ = file.directives();
                        if let Err(e) = file.statements() {
                            let _ = render(&miette::Report::new(e));
                        }
                    }
                }
            }
            Err(e) => {
                let _ = render(&miette::Report::new(e));
            }
        }
        Ok(())
    });
    eprintln!(
        "fuzz migration directories: {} inputs, 0 panics, 0 hangs",
        count.load(Ordering::Relaxed)
    );
    if let Err(e) = result {
        panic!("fuzz migration directories: {e}");
    }
}
