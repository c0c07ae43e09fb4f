//! `strata explain [CODE]`: what a hazard or lint code means and what to do about it.

use super::{Settings, usage};
use crate::cli::{EXIT_OK, ExplainArgs};
use crate::lint::{self, Check};
use miette::Result;

pub(crate) fn run(s: &Settings, args: &ExplainArgs) -> Result<u8> {
    let p = &s.painter;
    // A category (`data_loss`, as `--allow-hazards` takes it) lists its codes.
    let category = args.code.as_deref().and_then(lint::Category::parse);
    if args.code.is_none() || category.is_some() {
        let heading = match category {
            Some(c) => format!(
                "Codes in the category {} (`strata explain CODE` for details):",
                c.label()
            ),
            None => "Hazard and lint codes (`strata explain CODE` for details):".to_string(),
        };
        println!("{}", p.bold(&heading));
        println!();
        for r in lint::all()
            .iter()
            .filter(|r| category.is_none_or(|c| r.category == c))
        {
            let level = s
                .policy
                .rule_level(r.code)
                .map(|l| l.as_str())
                .unwrap_or("warn");
            println!(
                "  {}  {:<13} {:<5}  {}",
                p.bold(r.code),
                r.category.key(),
                level,
                r.title
            );
        }
        return Ok(EXIT_OK);
    }
    let code = args.code.as_deref().unwrap_or_default();
    let Some(r) = lint::find(code) else {
        return Err(usage(
            format!("unknown code or category {code:?}"),
            "run `strata explain` to list every code and its category",
        ));
    };
    let level = s
        .policy
        .rule_level(r.code)
        .map(|l| l.as_str())
        .unwrap_or("warn");
    println!("{}: {}", p.bold(r.code), r.title);
    println!();
    println!("  category: {} ({})", r.category.label(), r.category.key());
    println!(
        "  checked:  {}",
        match r.check {
            Check::Step(_) => "on every plan step that changes an existing object",
            Check::Schema(_) => "on the desired schema by `strata validate` (no database)",
            Check::Sql => "on migration files by `strata migrate lint`",
        }
    );
    println!(
        "  policy:   {level}{}",
        if s.env_name.is_some() {
            " in this env"
        } else {
            " by default"
        }
    );
    println!();
    for line in wrap(r.explain, 78) {
        println!("  {line}");
    }
    println!();
    println!(
        "  Allow it for one apply with --allow-hazards {}, or in env.hcl: lint {{ allow = [\"{}\"] }}",
        r.code, r.code
    );
    Ok(EXIT_OK)
}

/// Greedy word wrap.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
