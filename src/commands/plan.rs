//! `strata plan`.

use super::{Settings, policy_with, prepare};
use crate::apply::ApplyError;
use crate::cli::{EXIT_CHANGES, EXIT_OK, PlanArgs, PlanFormat};
use crate::plan::saved;
use crate::render;
use miette::Result;

pub(crate) async fn run(s: &Settings, args: &PlanArgs) -> Result<u8> {
    if s.fleet.is_some() {
        return super::fleet::plan(s, args).await;
    }
    let mut s = s.clone();
    s.online |= args.online;
    let policy = policy_with(&s, &args.hazards)?;
    let prepared = prepare(&s).await?;
    let plan = &prepared.plan;
    let too_big = crate::apply::lock_shortfall(&prepared.client, plan).await?;
    if args.format == PlanFormat::Html {
        print!(
            "{}",
            render::erd_plan::page(plan, &prepared.current, &prepared.desired)
        );
    } else {
        print_plan(&s, args.format, plan, &policy, &prepared.warnings);
    }
    if let Some(e) = &too_big {
        warn_too_big(&s, args.format, e);
    }
    if let Some(out) = &args.out {
        saved::save(plan, Some(&prepared.desired), out)?;
        if args.format == PlanFormat::Human {
            println!();
            println!("Saved the plan to: {}", out.display());
            println!();
            println!("To perform exactly these actions, run the following command to apply:");
            let mut cmd = String::from("strata");
            if s.config_path.file_name().is_some_and(|n| n != "env.hcl") {
                cmd.push_str(&format!(" --config \"{}\"", s.config_path.display()));
            }
            if s.env_name.is_none() {
                // The plan file never stores credentials: the target must be named again.
                cmd.push_str(" --url URL");
            }
            println!("    {cmd} apply \"{}\"", out.display());
        }
    } else if args.format == PlanFormat::Human && !plan.is_empty() {
        println!();
        println!(
            "{} You didn't use the -out option to save this plan, so Strata can't guarantee to take exactly these actions if you run \"strata apply\" now.",
            s.painter.bold("Note:")
        );
    }
    if args.detailed_exitcode && !plan.is_empty() {
        return Ok(EXIT_CHANGES);
    }
    Ok(EXIT_OK)
}

/// After a human plan on stdout, else on stderr: the apply will be refused.
fn warn_too_big(s: &Settings, format: PlanFormat, e: &ApplyError) {
    if format == PlanFormat::Human {
        println!();
        println!(
            "{} {}",
            s.painter.bold(&s.painter.yellow("Warning:")),
            lock_warning(e)
        );
    } else {
        eprintln!("{} {}", s.painter.yellow("warning:"), lock_warning(e));
    }
}

/// The plan-time form of `apply`'s refusal of a transaction bigger than the lock table.
pub(super) fn lock_warning(e: &ApplyError) -> String {
    match e {
        ApplyError::TooManyLocks {
            message, advice, ..
        } => format!(
            "{message}: `strata apply` will refuse this plan (it would fail with `out of shared memory`).\n  To apply it in one transaction, {advice}."
        ),
        other => other.to_string(),
    }
}

/// A plan on standard output in `format`, with the target's unmanaged attributes (warnings on
/// stderr for SQL, which must stay a runnable script). `plan` and `diff` print alike.
pub(crate) fn print_plan(
    s: &Settings,
    format: PlanFormat,
    plan: &crate::plan::Plan,
    policy: &crate::lint::policy::Policy,
    warnings: &[crate::postgres::inspect::Unmanaged],
) {
    match format {
        PlanFormat::Human => {
            print!(
                "{}{}",
                render::human::warnings(warnings, &s.painter),
                render::human::plan_with_policy(plan, &s.painter, policy)
            );
        }
        PlanFormat::Json => println!("{}", render::json_with_warnings(plan, policy, warnings)),
        PlanFormat::Sql => {
            for w in warnings {
                eprintln!("{} {}", s.painter.yellow("warning:"), w.message());
            }
            print!("{}", render::sql(plan))
        }
        PlanFormat::Markdown => print!("{}", render::markdown::plan(plan, policy, warnings)),
        // `plan` draws it with both models (`diff` refuses it before it gets here).
        PlanFormat::Html => print!(
            "{}",
            render::erd_plan::page(plan, &Default::default(), &Default::default())
        ),
    }
}
