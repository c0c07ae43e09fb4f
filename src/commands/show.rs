//! `strata show FILE`: renders a saved plan.

use super::Settings;
use crate::cli::{EXIT_OK, PlanFormat, ShowArgs};
use crate::plan::saved;
use crate::render;
use miette::Result;

pub(crate) fn run(s: &Settings, args: &ShowArgs) -> Result<u8> {
    let plan = saved::load(&args.file)?;
    // Judge hazards by the plan's env policy when the config file is at hand.
    let mut s = s.clone();
    if s.env_name.is_none()
        && s.config_path.is_file()
        && let Some(env) = &plan.env
        && let Ok(e) = crate::config::load_env(&s.config_path, env, &s.vars, None)
    {
        s.policy = e.policy;
    }
    let s = &s;
    match args.format {
        PlanFormat::Html => {
            return Err(super::usage(
                "--format html needs the database the plan was made against",
                "run `strata plan --format html` against it",
            ));
        }
        PlanFormat::Human => {
            let p = &s.painter;
            println!(
                "{} made {} for {}{}{}",
                p.bold("Saved plan"),
                plan.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
                plan.env
                    .as_deref()
                    .map(|e| format!("env \"{e}\" ("))
                    .unwrap_or_default(),
                plan.target,
                if plan.env.is_some() { ")" } else { "" }
            );
            println!();
            print!("{}", render::human::plan_with_policy(&plan, p, &s.policy));
        }
        PlanFormat::Json => println!("{}", render::json_with_policy(&plan, &s.policy)),
        PlanFormat::Sql => print!("{}", render::sql(&plan)),
        PlanFormat::Markdown => print!("{}", render::markdown::plan(&plan, &s.policy, &[])),
    }
    Ok(EXIT_OK)
}
