//! `strata plan`.

use super::{Settings, prepare};
use crate::cli::{EXIT_CHANGES, EXIT_OK, PlanArgs, PlanFormat};
use crate::render;
use miette::Result;

pub async fn run(s: &Settings, args: &PlanArgs) -> Result<u8> {
    let prepared = prepare(s).await?;
    let plan = &prepared.plan;
    match args.format {
        PlanFormat::Human => print!("{}", render::human::plan(plan, &s.painter)),
        PlanFormat::Json => println!("{}", render::json(plan)),
        PlanFormat::Sql => print!("{}", render::sql(plan)),
    }
    if args.detailed_exitcode && !plan.is_empty() {
        return Ok(EXIT_CHANGES);
    }
    Ok(EXIT_OK)
}
