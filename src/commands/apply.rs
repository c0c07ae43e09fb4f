//! `strata apply`.

use super::{Settings, parse_duration, prepare, target_label, usage};
use crate::apply::{self, ApplyOptions, Progress};
use crate::cli::{ApplyArgs, EXIT_ERROR, EXIT_OK};
use crate::plan::{Action, Step};
use crate::render::{self, Painter};
use miette::Result;
use std::io::IsTerminal;
use std::time::Duration;

struct Printer {
    painter: Painter,
}

fn verbs(a: Action) -> (&'static str, &'static str) {
    match a {
        Action::Create => ("Creating...", "Creation complete"),
        Action::Delete => ("Destroying...", "Destruction complete"),
        Action::Update | Action::Replace | Action::Rename => {
            ("Modifying...", "Modifications complete")
        }
    }
}

impl Progress for Printer {
    fn step_started(&mut self, _index: usize, step: &Step) {
        println!(
            "{}: {}",
            self.painter.bold(&step.object),
            verbs(step.action).0
        );
    }

    fn step_finished(&mut self, index: usize, step: &Step, elapsed: Duration) {
        println!(
            "{}: {} after {:.2}s [step {}: {}]",
            self.painter.bold(&step.object),
            verbs(step.action).1,
            elapsed.as_secs_f64(),
            index + 1,
            step.description
        );
    }
}

pub async fn run(s: &Settings, args: &ApplyArgs) -> Result<u8> {
    let lock_timeout = args
        .lock_timeout
        .clone()
        .unwrap_or_else(|| s.lock_timeout.clone());
    if parse_duration(&lock_timeout).is_none() {
        return Err(usage(
            format!("invalid lock timeout {lock_timeout:?}"),
            "use a duration such as 5s or 500ms",
        ));
    }
    let db_lock_wait = match &args.db_lock_wait {
        Some(w) => parse_duration(w).ok_or_else(|| {
            usage(
                format!("invalid --db-lock-wait {w:?}"),
                "use a duration such as 30s",
            )
        })?,
        None => s.db_lock_wait,
    };
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if !args.auto_approve && !interactive {
        // Refuse before touching anything, so a pipeline learns it at once.
        return Err(usage(
            "refusing to apply: no terminal to ask for approval",
            "run `strata plan` to review the changes, then re-run apply with -auto-approve (or --auto-approve) to apply without a prompt",
        ));
    }
    let mut prepared = prepare(s).await?;
    let plan = prepared.plan.clone();
    print!("{}", render::human::plan(&plan, &s.painter));
    if plan.is_empty() {
        return Ok(EXIT_OK);
    }
    if !args.auto_approve {
        let target = target_label(s, &prepared.url);
        eprintln!();
        eprintln!(
            "{}",
            s.painter.bold(&format!(
                "Do you want to perform these actions on {target}?"
            ))
        );
        eprintln!("  Strata will perform the actions described above.");
        eprintln!("  Only 'yes' will be accepted to approve.");
        eprintln!();
        let answer: String = dialoguer::Input::new()
            .with_prompt("  Enter a value")
            .allow_empty(true)
            .interact_text()
            .map_err(|e| {
                usage(
                    format!("cannot read the answer: {e}"),
                    "re-run with -auto-approve to apply without a prompt",
                )
            })?;
        if answer.trim() != "yes" {
            println!();
            println!("Apply cancelled.");
            return Ok(EXIT_ERROR);
        }
    }
    println!();
    let opts = ApplyOptions {
        lock_timeout,
        db_lock_wait,
        scope: prepared.scope.clone(),
    };
    let mut printer = Printer { painter: s.painter };
    apply::apply(&mut prepared.client, &plan, &opts, &mut printer).await?;
    println!();
    println!(
        "{} Resources: {} added, {} changed, {} destroyed.",
        s.painter.bold_green("Apply complete!"),
        plan.summary.add,
        plan.summary.change,
        plan.summary.destroy
    );
    Ok(EXIT_OK)
}
