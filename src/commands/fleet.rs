//! Fleets on the command line: `plan` and `apply` of an env with `for_each` (one plan per
//! group of targets whose plans do the same, one approval, a progress line per target, a final
//! table and a report), `strata fleet list` and `strata fleet merge`.

use super::{Settings, policy_with, refused, usage};
use crate::cli::{
    ApplyArgs, EXIT_CHANGES, EXIT_ERROR, EXIT_OK, FleetAction, FleetArgs, FleetCommandArgs,
    FleetFormat, PlanArgs, PlanFormat,
};
use crate::fleet::report::{Entry, Report};
use crate::fleet::{self, ApplyFleet, Member, Planned, Status};
use crate::lint::policy::Policy;
use crate::render::{self, Painter};
use miette::Result;
use std::time::Instant;

/// How many target names a human listing shows before "… and N more".
const NAMES_SHOWN: usize = 12;

/// The fleet's members: the `--shard` slice, the `--target`s, less those `done` (resume).
fn selected(
    s: &Settings,
    args: &FleetArgs,
    done: &std::collections::HashSet<&str>,
) -> Result<Vec<Member>> {
    let all = fleet::members(s)?;
    for t in &args.targets {
        if !all.iter().any(|m| &m.key == t) {
            return Err(usage(
                format!("--target {t}: the fleet has no such target"),
                "`strata fleet list` lists the targets",
            ));
        }
    }
    Ok(all
        .into_iter()
        .filter(|m| args.shard.is_none_or(|sh| fleet::in_shard(&sh, &m.key)))
        .filter(|m| args.targets.is_empty() || args.targets.contains(&m.key))
        .filter(|m| !done.contains(m.name.as_str()))
        .collect())
}

fn env_label(s: &Settings) -> String {
    s.env_name
        .as_deref()
        .map_or_else(|| "fleet".to_string(), |e| format!("env \"{e}\""))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "a, b, c, … and 7 more".
fn names<'a>(names: impl Iterator<Item = &'a str>, all: bool) -> String {
    let list: Vec<&str> = names.collect();
    if all || list.len() <= NAMES_SHOWN {
        return list.join(", ");
    }
    format!(
        "{}, … and {} more",
        list[..NAMES_SHOWN].join(", "),
        list.len() - NAMES_SHOWN
    )
}

/// Plans the selected members, printing nothing but a note on stderr.
async fn plan_members(s: &Settings, members: Vec<Member>, parallelism: usize) -> Vec<Planned> {
    let n = members.len();
    let started = Instant::now();
    let planned = fleet::plan_all(members, parallelism, &mut |_| {}).await;
    eprintln!(
        "{}",
        s.painter.dim(&format!(
            "Planned {} of {} in {:.2}s (parallelism {parallelism}).",
            plural(n, "target", "targets"),
            env_label(s),
            started.elapsed().as_secs_f64()
        ))
    );
    planned
}

/// The grouped plans, human-readable: one section per group, its plan shown once.
fn print_groups(s: &Settings, planned: &[Planned], policy: &Policy, verbose: bool) {
    let p = &s.painter;
    for g in fleet::groups(planned) {
        let Some(tp) = g.plan() else { continue };
        let count = plural(g.members.len(), "target", "targets");
        let list = names(g.members.iter().map(|m| m.member.name.as_str()), verbose);
        if tp.plan.is_empty() {
            println!(
                "{} {}",
                p.bold(&format!("{count}:")),
                p.bold_green("No changes.")
            );
            println!("  {}", p.dim(&list));
            println!();
            continue;
        }
        println!(
            "{} {}",
            p.bold(&format!("{count}:")),
            render::human::summary_line(&tp.plan, p)
        );
        println!("  {list}");
        println!();
        let own = g.members.len() > 1
            && g.members[0].member.settings.schemas != g.members[1].member.settings.schemas;
        if own {
            println!(
                "{}",
                p.dim(&format!(
                    "  (shown for {}; the others' plans differ only in their own schema's name)",
                    g.members[0].member.name
                ))
            );
        }
        print!(
            "{}{}",
            render::human::warnings(&tp.warnings, p),
            render::human::plan_with_policy(&tp.plan, p, policy)
        );
        if let Some(msg) = &tp.too_big {
            println!("{} {msg}", p.bold(&p.yellow("Warning:")));
        }
        println!();
    }
    let failed: Vec<&Planned> = planned.iter().filter(|p| p.outcome.is_err()).collect();
    if !failed.is_empty() {
        println!(
            "{}",
            p.bold_red(&format!(
                "{} could not be planned:",
                plural(failed.len(), "target", "targets")
            ))
        );
        for f in failed {
            if let Err(e) = &f.outcome {
                println!("  {}: {}", f.member.name, first_line(e));
            }
        }
        println!();
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// The fleet plan as JSON: every target (its status, group and summary) and every group's plan.
fn plan_json(s: &Settings, planned: &[Planned], policy: &Policy) -> serde_json::Value {
    let targets: Vec<serde_json::Value> = planned
        .iter()
        .map(|p| match &p.outcome {
            Ok(tp) => serde_json::json!({
                "target": p.member.name,
                "status": if tp.plan.is_empty() { "no_changes" } else { "changes" },
                "group": (!tp.group.is_empty()).then_some(&tp.group),
                "summary": tp.plan.summary,
                "elapsed_ms": p.elapsed.as_millis() as u64,
            }),
            Err(e) => serde_json::json!({
                "target": p.member.name,
                "status": "error",
                "error": e,
                "elapsed_ms": p.elapsed.as_millis() as u64,
            }),
        })
        .collect();
    let groups: Vec<serde_json::Value> = fleet::groups(planned)
        .iter()
        .filter_map(|g| {
            let tp = g.plan()?;
            let plan: serde_json::Value =
                serde_json::from_str(&render::json_with_warnings(&tp.plan, policy, &tp.warnings))
                    .unwrap_or(serde_json::Value::Null);
            Some(serde_json::json!({
                "group": g.key,
                "targets": g.members.iter().map(|m| m.member.name.as_str()).collect::<Vec<_>>(),
                "plan": plan,
            }))
        })
        .collect();
    serde_json::json!({
        "format_version": 1,
        "env": s.env_name,
        "targets": targets,
        "groups": groups,
    })
}

/// `strata plan` of a fleet env.
pub(crate) async fn plan(s: &Settings, args: &PlanArgs) -> Result<u8> {
    if !matches!(args.format, PlanFormat::Human | PlanFormat::Json) {
        return Err(usage(
            "a fleet plan is printed as human text or JSON",
            "use --format human or --format json, or plan one target with --url",
        ));
    }
    let policy = policy_with(s, &args.hazards)?;
    let members = selected(s, &args.fleet, &Default::default())?;
    let planned = plan_members(s, members, args.fleet.parallelism as usize).await;
    match args.format {
        PlanFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&plan_json(s, &planned, &policy))
                .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
        ),
        _ => print_groups(s, &planned, &policy, s.verbose),
    }
    let errors = planned.iter().filter(|p| p.outcome.is_err()).count();
    if let Some(out) = &args.out {
        if errors > 0 {
            return Err(usage(
                format!(
                    "the plan was not saved: {} could not be planned",
                    plural(errors, "target", "targets")
                ),
                "fix them (or leave them out with --target/--shard) and plan again",
            ));
        }
        fleet::saved::save(s.env_name.clone(), &planned, out)?;
        if args.format == PlanFormat::Human {
            println!("Saved the fleet's plans to: {}", out.display());
            println!();
            println!("To perform exactly these actions, run the following command to apply:");
            println!(
                "    strata --env {} apply \"{}\"",
                s.env_name.as_deref().unwrap_or("ENV"),
                out.display()
            );
        }
    }
    if errors > 0 {
        return Err(usage(
            format!(
                "{} of {} could not be planned",
                plural(errors, "target", "targets"),
                planned.len()
            ),
            "see the errors above; the other targets' plans stand",
        ));
    }
    let changes = planned
        .iter()
        .any(|p| p.outcome.as_ref().is_ok_and(|tp| !tp.plan.is_empty()));
    if args.detailed_exitcode && changes {
        return Ok(EXIT_CHANGES);
    }
    Ok(EXIT_OK)
}

/// `strata apply` of a fleet env.
pub(crate) async fn apply(s: &Settings, args: &ApplyArgs) -> Result<u8> {
    if args.rehearse || s.rehearse {
        return Err(usage(
            "--rehearse is not available for a fleet env yet",
            "use --canary N to apply to a few targets first",
        ));
    }
    let fa = &args.fleet_apply;
    let resumed = match &fa.resume {
        Some(f) => Some(Report::read(f)?),
        None => None,
    };
    let done = resumed.as_ref().map(Report::done).unwrap_or_default();
    let policy = policy_with(s, &args.hazards)?;
    let members = selected(s, &args.fleet, &done)?;
    if let Some(r) = &resumed {
        println!(
            "Resuming from a report: {} done, {} left to apply.",
            plural(done.len(), "target", "targets"),
            members.len()
        );
        if r.env != s.env_name {
            return Err(usage(
                "the report is of another env",
                "resume with the report of this env's apply",
            ));
        }
    }
    let t = s.timeouts_with(args.lock_timeout, args.statement_timeout, args.db_lock_wait);
    let mut planning = s.clone();
    planning.timeouts.lock = t.lock;
    let members: Vec<Member> = members
        .into_iter()
        .map(|mut m| {
            m.settings.timeouts.lock = t.lock;
            m.settings.online |= args.online;
            m
        })
        .collect();
    let parallelism = args.fleet.parallelism as usize;
    let saved = args.plan_file.is_some();
    let planned = match &args.plan_file {
        Some(file) => {
            let f = fleet::saved::load(file)?;
            if f.fleet.env != s.env_name {
                return Err(usage(
                    format!(
                        "the plan in {} was made for env \"{}\"",
                        file.display(),
                        f.fleet.env.as_deref().unwrap_or("(none)")
                    ),
                    "apply it with the env it was made for",
                ));
            }
            let (planned, missing) = fleet::saved::planned(&f, members);
            println!(
                "Applying the saved plans from {} ({} for {}).",
                file.display(),
                plural(f.plans.len(), "distinct plan", "distinct plans"),
                plural(f.fleet.targets.len(), "target", "targets")
            );
            if !missing.is_empty() {
                println!(
                    "{} {} of the saved plan {} not in the fleet anymore: {}",
                    s.painter.bold(&s.painter.yellow("Warning:")),
                    plural(missing.len(), "target", "targets"),
                    if missing.len() == 1 { "is" } else { "are" },
                    names(missing.iter().map(String::as_str), s.verbose)
                );
            }
            planned
        }
        None => plan_members(&planning, members, parallelism).await,
    };
    print_groups(s, &planned, &policy, s.verbose);
    let with_changes = planned
        .iter()
        .filter(|p| p.outcome.as_ref().is_ok_and(|tp| !tp.plan.is_empty()))
        .count();
    let plan_errors = planned.iter().any(|p| p.outcome.is_err());
    let stop_now = with_changes == 0 || (plan_errors && fa.fail_fast);
    if !stop_now {
        if !args.auto_approve && !saved && !s.can_prompt() {
            return Err(refused(
                format!("refusing to apply: {}", s.no_prompt_reason()),
                "review the plans above, then re-run apply with -auto-approve to apply without a prompt",
            ));
        }
        if !args.auto_approve && !saved {
            println!(
                "{}",
                s.painter.bold(&format!(
                    "Do you want to perform these actions on {} of {}?",
                    plural(with_changes, "target", "targets"),
                    env_label(s)
                ))
            );
            println!("  Strata will apply each target's plan in its own transaction.");
            println!("  Only 'yes' will be accepted to approve.");
            println!();
            if !super::approved("re-run with -auto-approve to apply without a prompt").await? {
                println!();
                println!("Apply cancelled.");
                return Ok(EXIT_ERROR);
            }
        }
    }
    let opts = ApplyFleet {
        parallelism,
        canary: fa.canary,
        fail_fast: fa.fail_fast,
        timeouts: t,
        refuse_denied: (args.auto_approve || saved).then_some(&policy),
        verbose: s.verbose,
        saved,
    };
    let started = Instant::now();
    let painter = s.painter;
    let outcomes = if stop_now {
        fleet::not_applied(
            &planned,
            "not applied: another target failed to plan (--fail-fast)",
        )
    } else {
        println!();
        fleet::apply_all(&planned, &opts, &mut |o, k, n| progress(&painter, o, k, n)).await
    };
    let mut entries: Vec<Entry> = outcomes.iter().map(Entry::from).collect();
    if let Some(r) = resumed {
        // The report of a resumed run covers the whole fleet: what was done before stays.
        let mut all: Vec<Entry> = r
            .targets
            .into_iter()
            .filter(|e| e.status.is_done())
            .collect();
        all.append(&mut entries);
        entries = all;
    }
    let report = Report::new(
        s.env_name.clone(),
        args.fleet.shard.map(|sh| sh.to_string()),
        entries,
    );
    println!();
    print_table(&painter, &report, started.elapsed().as_secs_f64());
    if let Some(path) = &fa.report {
        report.write(path)?;
        println!("Report written to {}.", path.display());
    }
    if crate::postgres::connect::interrupted() {
        return Err(usage(
            "interrupted: the targets listed as succeeded are applied, the others are not",
            "resume with `strata apply --resume REPORT` (write one with --report)",
        ));
    }
    if report.all_done() {
        Ok(EXIT_OK)
    } else {
        Ok(EXIT_ERROR)
    }
}

/// `[137/500] tenant_17 ✓ 0.41s`.
fn progress(p: &Painter, o: &fleet::Outcome, finished: usize, total: usize) {
    match o.status {
        Status::Succeeded => println!(
            "[{finished}/{total}] {} {} {:.2}s",
            o.name,
            p.green("✓"),
            o.elapsed.as_secs_f64()
        ),
        Status::Failed => println!(
            "[{finished}/{total}] {} {} {:.2}s: {}",
            o.name,
            p.red("✗"),
            o.elapsed.as_secs_f64(),
            first_line(o.error.as_deref().unwrap_or("failed"))
        ),
        _ => {}
    }
}

/// The final table: counts by status, then each target that did not succeed, with why.
fn print_table(p: &Painter, r: &Report, seconds: f64) {
    let line = format!(
        "Fleet apply: {} succeeded, {} failed, {} refused, {} skipped, {} unchanged ({:.1}s).",
        r.count(Status::Succeeded),
        r.count(Status::Failed),
        r.count(Status::Refused),
        r.count(Status::Skipped),
        r.count(Status::Unchanged),
        seconds
    );
    if r.all_done() {
        println!("{}", p.bold_green(&line));
    } else {
        println!("{}", p.bold_red(&line));
    }
    let width = r
        .targets
        .iter()
        .filter(|e| !e.status.is_done())
        .map(|e| e.target.chars().count())
        .max()
        .unwrap_or(0);
    for e in r.targets.iter().filter(|e| !e.status.is_done()) {
        let status = match e.status {
            Status::Failed => p.red("failed "),
            Status::Refused => p.yellow("refused"),
            _ => p.dim("skipped"),
        };
        println!(
            "  {:<width$}  {status}  {}",
            e.target,
            first_line(e.error.as_deref().unwrap_or(""))
        );
    }
}

/// `strata fleet list|merge`.
pub(crate) fn run(s: &Settings, args: &FleetCommandArgs) -> Result<u8> {
    match &args.action {
        FleetAction::List { shard } => {
            for m in fleet::members(s)? {
                if shard.is_none_or(|sh| fleet::in_shard(&sh, &m.key)) {
                    println!("{}", m.name);
                }
            }
            Ok(EXIT_OK)
        }
        FleetAction::Merge {
            reports,
            out,
            format,
        } => {
            let read: Vec<Report> = reports
                .iter()
                .map(|f| Report::read(f))
                .collect::<Result<_>>()?;
            let merged = Report::merge(read)?;
            match format {
                FleetFormat::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&merged).unwrap_or_default()
                ),
                FleetFormat::Human => {
                    let ms: u64 = merged.targets.iter().map(|e| e.elapsed_ms).sum();
                    print_table(&s.painter, &merged, ms as f64 / 1000.0);
                }
            }
            if let Some(path) = out {
                merged.write(path)?;
            }
            Ok(if merged.all_done() {
                EXIT_OK
            } else {
                EXIT_ERROR
            })
        }
    }
}
