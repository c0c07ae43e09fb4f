//! `strata show FILE`: renders a saved plan.

use super::Settings;
use crate::cli::{EXIT_OK, PlanFormat, ShowArgs};
use crate::plan::saved;
use crate::render;
use miette::Result;

pub fn run(s: &Settings, args: &ShowArgs) -> Result<u8> {
    let plan = saved::load(&args.file)?;
    match args.format {
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
    }
    Ok(EXIT_OK)
}
