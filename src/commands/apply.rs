//! `strata apply` and `strata apply FILE`.

use super::{Settings, dev_source, policy_with, prepare, refused, target_label, usage};
use crate::apply::{self, ApplyOptions, Progress, current_view};
use crate::cli::{ApplyArgs, EXIT_ERROR, EXIT_OK};
use crate::config::duration::Timeouts;
use crate::devdb::ScratchDb;
use crate::diff;
use crate::lint::policy::{Level, Policy};
use crate::model::{Model, Scope};
use crate::plan::{self, Action, Plan, Step, saved};
use crate::postgres::connect::DbUrl;
use crate::render::{self, Painter};
use miette::Result;
use std::time::{Duration, Instant};

struct Printer {
    painter: Painter,
    /// Objects a step has started on: a later step on the same object (a new table's foreign
    /// key) says what it does instead of `Creating...` again.
    started: std::collections::HashSet<crate::model::ObjectId>,
}

impl Printer {
    fn new(painter: Painter) -> Self {
        Printer {
            painter,
            started: Default::default(),
        }
    }
}

/// Terraform's words: starting, still running, done.
fn verbs(a: Action) -> (&'static str, &'static str, &'static str) {
    match a {
        Action::Create => ("Creating...", "Still creating...", "Creation complete"),
        Action::Delete => (
            "Destroying...",
            "Still destroying...",
            "Destruction complete",
        ),
        Action::Update | Action::Replace | Action::Rename => (
            "Modifying...",
            "Still modifying...",
            "Modifications complete",
        ),
    }
}

impl Progress for Printer {
    fn step_started(&mut self, index: usize, step: &Step) {
        let object = self.painter.bold(&step.object.to_string());
        if self.started.insert(step.object.clone()) {
            println!("{object}: {}", verbs(step.action).0);
        } else {
            println!(
                "{object}: {} [step {}: {}]",
                verbs(step.action).0,
                index + 1,
                step.description
            );
        }
    }

    fn step_running(&mut self, _index: usize, step: &Step, elapsed: Duration) {
        println!(
            "{}: {} [{}s elapsed]",
            self.painter.bold(&step.object.to_string()),
            verbs(step.action).1,
            elapsed.as_secs()
        );
    }

    fn step_finished(&mut self, index: usize, step: &Step, elapsed: Duration) {
        println!(
            "{}: {} after {:.2}s [step {}: {}]",
            self.painter.bold(&step.object.to_string()),
            verbs(step.action).2,
            elapsed.as_secs_f64(),
            index + 1,
            step.description
        );
    }
}

/// Progress nobody sees (rehearsals).
struct Quiet;

impl Progress for Quiet {
    fn step_started(&mut self, _index: usize, _step: &Step) {}
    fn step_finished(&mut self, _index: usize, _step: &Step, _elapsed: Duration) {}
}

/// Timeouts and waits: the flags over the settings.
fn timeouts(s: &Settings, args: &ApplyArgs) -> Timeouts {
    s.timeouts_with(args.lock_timeout, args.statement_timeout, args.db_lock_wait)
}

/// Refuses a plan whose hazards the policy denies, unless a human approves it interactively.
fn refuse_denied(plan: &Plan, policy: &Policy, why: &str) -> Result<()> {
    let denied: Vec<(usize, &crate::lint::Hazard)> = plan
        .hazards()
        .filter(|(_, h)| policy.level(h) == Level::Deny)
        .collect();
    if denied.is_empty() {
        return Ok(());
    }
    let mut codes: Vec<&str> = denied.iter().map(|(_, h)| h.code.as_str()).collect();
    codes.sort();
    codes.dedup();
    let mut message = format!(
        "refusing to apply {why}: {} {} the policy denies\n",
        denied.len(),
        if denied.len() == 1 {
            "hazard"
        } else {
            "hazards"
        }
    );
    for (i, h) in &denied {
        message.push_str(&format!(
            "  step {} ({}): {} {}: {}\n",
            i + 1,
            plan.steps[*i].description,
            h.code,
            h.category.label(),
            h.message
        ));
    }
    message.push_str("Nothing was changed.");
    Err(refused(
        message,
        format!(
            "review the plan, then allow exactly these with --allow-hazards {} (--allow-destructive allows every data-loss hazard), or add them to the env's lint {{ allow = [...] }} block; `strata explain CODE` says what each means",
            codes.join(",")
        ),
    ))
}

/// Prints Terraform's approval question. It goes to standard output with the plan, so that
/// `apply | tee log` shows (and logs) the plan before the question; only the answer line is
/// on the terminal's standard error.
fn ask_approval(s: &Settings, plan: &crate::plan::Plan, policy: &Policy, url: &DbUrl) {
    let target = target_label(s, url);
    println!();
    println!(
        "{}",
        s.painter.bold(&format!(
            "Do you want to perform these actions on {target}?"
        ))
    );
    println!("  Strata will perform the actions described above.");
    let denied = plan
        .hazards()
        .filter(|(_, h)| policy.level(h) == Level::Deny)
        .count();
    if denied > 0 {
        let text = if denied == 1 {
            "1 hazard marked ✖ above needs your approval (an unattended apply would refuse it)."
                .to_string()
        } else {
            format!(
                "{denied} hazards marked ✖ above need your approval (an unattended apply would refuse them)."
            )
        };
        println!("  {}", s.painter.bold_red(&text));
    }
    println!("  Only 'yes' will be accepted to approve.");
    println!();
    let _ = std::io::Write::flush(&mut std::io::stdout());
}

pub(crate) async fn run(s: &Settings, args: &ApplyArgs) -> Result<u8> {
    let fleet_file = args
        .plan_file
        .as_deref()
        .is_some_and(crate::fleet::saved::is_fleet_file);
    if s.fleet.is_some() || fleet_file {
        if s.fleet.is_none() {
            return Err(usage(
                "this plan file holds a fleet's plans",
                "apply it with the fleet env it was made for: strata --env NAME apply FILE",
            ));
        }
        return super::fleet::apply(s, args).await;
    }
    let mut s = s.clone();
    s.online |= args.online;
    s.rehearse |= args.rehearse;
    if let Some(file) = &args.plan_file {
        return apply_saved(&s, args, file).await;
    }
    let t = timeouts(&s, args);
    let policy = policy_with(&s, &args.hazards)?;
    let interactive = s.can_prompt();
    // Reading the target waits for locks as long as the apply would.
    s.timeouts.lock = t.lock;
    let mut prepared = prepare(&s).await?;
    let plan = prepared.plan.clone();
    print!(
        "{}{}",
        render::human::warnings(&prepared.warnings, &s.painter),
        render::human::plan_with_policy(&plan, &s.painter, &policy)
    );
    if plan.is_empty() {
        return Ok(EXIT_OK);
    }
    // Before asking anything: a transaction the server's lock table cannot hold.
    if let Some(e) = apply::lock_shortfall(&prepared.client, &plan).await? {
        return Err(e.into());
    }
    if !args.auto_approve && !interactive {
        // Nothing was changed: reading the database is all that happened.
        return Err(refused(
            format!("refusing to apply: {}", s.no_prompt_reason()),
            "review the plan above, then re-run apply with -auto-approve (or --auto-approve) to apply without a prompt",
        ));
    }
    if args.auto_approve {
        refuse_denied(&plan, &policy, "unattended (-auto-approve)")?;
    }
    if s.rehearse {
        rehearse(&s, &plan, &t, &prepared.current, Some(&prepared.desired)).await?;
    }
    if !args.auto_approve {
        ask_approval(&s, &plan, &policy, &prepared.url);
        if !super::approved("re-run with -auto-approve to apply without a prompt").await? {
            println!();
            println!("Apply cancelled.");
            return Ok(EXIT_ERROR);
        }
    }
    println!();
    let opts = ApplyOptions {
        timeouts: t,
        scope: prepared.scope.clone(),
        check_fingerprint: true,
        saved: false,
        monitor: Some(prepared.url.clone()),
        verbose: s.verbose,
    };
    let mut printer = Printer::new(s.painter);
    apply::apply(&mut prepared.client, &plan, &opts, &mut printer).await?;
    complete(&s, &plan);
    Ok(EXIT_OK)
}

fn complete(s: &Settings, plan: &Plan) {
    println!();
    println!(
        "{} Resources: {} added, {} changed, {} destroyed.",
        s.painter.bold_green("Apply complete!"),
        plan.summary.add,
        plan.summary.change,
        plan.summary.destroy
    );
}

/// `strata apply FILE`: exactly the saved steps, no prompt, if the database is unchanged.
async fn apply_saved(s: &Settings, args: &ApplyArgs, file: &std::path::Path) -> Result<u8> {
    let (plan, desired) = saved::load_with_desired(file)?;
    if args.online && !plan.online {
        return Err(usage(
            "--online cannot change a saved plan",
            "make the plan with `strata plan --online -out FILE` instead",
        ));
    }
    // The target: --url, else the env named on the command line, else the plan's env. The
    // plan's env also brings its policy and timeouts when the config file is at hand.
    let mut s = s.clone();
    if s.url.is_none() && plan.env.is_none() {
        return Err(usage(
            format!(
                "the plan in {} was made without an env; say where to apply it",
                file.display()
            ),
            "pass --url URL (the plan file never stores credentials)",
        ));
    }
    if let Some(env) = plan
        .env
        .as_ref()
        .filter(|_| s.env_name.is_none() && (s.url.is_none() || s.config_path.is_file()))
    {
        let url = s.url.clone();
        let g = crate::cli::GlobalArgs {
            env: Some(env.clone()),
            config: s.config_path.clone(),
            url: None,
            dev_url: s.dev.clone(),
            src: vec![],
            schemas: vec![],
            exclude: vec![],
            vars: s.vars.clone().into_iter().collect(),
            no_color: !s.painter.color,
            verbose: s.verbose,
            input: s.input,
            env_from_variable: false,
        };
        let from_env = crate::settings::resolve(&g, s.painter)?;
        s = Settings {
            online: s.online || from_env.online,
            rehearse: s.rehearse || from_env.rehearse,
            ..from_env
        };
        if url.is_some() {
            s.url = url;
        }
    }
    let t = timeouts(&s, args);
    let policy = &policy_with(&s, &args.hazards)?;
    if let (Some(named), Some(planned)) = (&s.env_name, &plan.env)
        && named != planned
    {
        return Err(usage(
            format!(
                "the plan in {} was made for env \"{planned}\", not \"{named}\"",
                file.display()
            ),
            "apply it to the env it was made for, or make a new plan for this env",
        ));
    }
    let url = super::target_url(&s).await?;
    let mut client = crate::settings::connect_reader(&url, t.lock).await?;
    let scope = Scope {
        schemas: plan.schemas.clone(),
        exclude: plan.exclude.clone(),
        roles: plan.roles.clone(),
    };
    println!(
        "Applying the saved plan from {} ({} steps) to {}.",
        file.display(),
        plan.steps.len(),
        url.redacted()
    );
    // Check staleness before anything else, so a stale plan never reaches the policy or a
    // rehearsal; apply checks again under its lock.
    let current = match current_view(&client, &scope).await {
        Ok(c) => c,
        Err(e) => return Err(crate::settings::inspect_failed(&url, t.lock, s.verbose, e).await),
    };
    crate::pipeline::refuse_other_database(&client, &plan, &url).await?;
    if plan::fingerprint(&current) != plan.fingerprint {
        return Err(apply::ApplyError::Stale {
            message: "Saved plan is stale: the database changed since the plan was made".into(),
        }
        .into());
    }
    if plan.is_empty() {
        println!("{}", render::human::NO_CHANGES);
        return Ok(EXIT_OK);
    }
    refuse_denied(&plan, policy, "a saved plan")?;
    if s.rehearse {
        rehearse(&s, &plan, &t, &current, desired.as_ref()).await?;
    }
    let opts = ApplyOptions {
        timeouts: t,
        scope,
        check_fingerprint: true,
        saved: true,
        monitor: Some(url.clone()),
        verbose: s.verbose,
    };
    let mut printer = Printer::new(s.painter);
    apply::apply(&mut client, &plan, &opts, &mut printer).await?;
    complete(&s, &plan);
    Ok(EXIT_OK)
}

/// Runs `plan` on a scratch database holding a copy of `current`, then re-plans there against
/// `desired` (when known): refuses when a step fails or something is left to do.
async fn rehearse(
    s: &Settings,
    plan: &Plan,
    t: &Timeouts,
    current: &Model,
    desired: Option<&Model>,
) -> Result<()> {
    let started = Instant::now();
    let dev = dev_source(s)?;
    let server: DbUrl = dev.server().await?;
    let mut scratch = ScratchDb::create(&server).await?;
    let result = async {
        let ddl = super::inspect::sql(current)?;
        scratch.client.batch_execute(&ddl).await.map_err(|e| {
            usage(
                format!(
                    "rehearsal: cannot copy the current schema to a scratch database: {}",
                    crate::postgres::connect::error_text(&e)
                ),
                "the dev server needs the same extensions and roles as the target; nothing was changed",
            )
        })?;
        let opts = ApplyOptions {
            timeouts: *t,
            scope: Scope {
                schemas: plan.schemas.clone(),
                exclude: plan.exclude.clone(),
                roles: plan.roles.clone(),
            },
            check_fingerprint: false,
            saved: false,
            monitor: None,
            verbose: false,
        };
        apply::apply(&mut scratch.client, plan, &opts, &mut Quiet)
            .await
            .map_err(|e| {
                refused(
                    format!("rehearsal failed on a scratch copy: {e}"),
                    "nothing was applied to the target; fix the configuration and plan again",
                )
            })?;
        if let Some(desired) = desired {
            let after = current_view(&scratch.client, &opts.scope).await?;
            let left = diff::diff(&after, desired)?;
            if !left.is_empty() {
                return Err(refused(
                    format!(
                        "rehearsal: after the plan ran on a scratch copy, {} change(s) were still planned; the plan would not converge",
                        left.len()
                    ),
                    "nothing was applied to the target; please report this with `strata plan --format json`",
                ));
            }
        }
        Ok::<_, miette::Report>(())
    }
    .await;
    // The scratch database goes away whatever happened.
    let dropped = scratch.drop_now().await;
    result?;
    dropped?;
    println!(
        "{} the plan ran on a scratch copy of the database in {:.2}s{}.",
        s.painter.bold_green("Rehearsal passed:"),
        started.elapsed().as_secs_f64(),
        if desired.is_some() {
            " and left nothing to change"
        } else {
            ""
        }
    );
    println!();
    Ok(())
}
