//! Terraform-style plan output.

use super::Painter;
use crate::plan::{Action, AttrChange, ObjectChange, Plan};

/// Text shown when there is nothing to do.
pub const NO_CHANGES: &str = "No changes. Your database matches the configuration.";

fn symbol(a: Action, p: &Painter) -> String {
    match a {
        Action::Create => p.green("+"),
        Action::Delete => p.red("-"),
        Action::Update | Action::Rename => p.yellow("~"),
        Action::Replace => format!("{}/{}", p.red("-"), p.green("+")),
    }
}

/// Width of the symbol column, so blocks line up like Terraform's.
fn sym_pad(a: Action) -> &'static str {
    match a {
        Action::Replace => "",
        _ => "  ",
    }
}

fn header(o: &ObjectChange, p: &Painter) -> String {
    let what = match o.action {
        Action::Create => "will be created".to_string(),
        Action::Update => "will be updated in-place".to_string(),
        Action::Rename => "will be renamed".to_string(),
        Action::Delete => p.bold_red("will be destroyed"),
        Action::Replace => format!("{} replaced", p.bold_red("must be")),
    };
    p.bold(&format!("  # {} {what}", o.address))
}

/// Renders the whole plan for a terminal.
pub fn plan(plan: &Plan, p: &Painter) -> String {
    let mut out = String::new();
    if plan.is_empty() {
        out.push_str(&format!(
            "{} {}\n",
            p.bold_green("No changes."),
            &NO_CHANGES["No changes. ".len()..]
        ));
        return out;
    }
    out.push_str("Strata compared the database with the configuration. Actions are indicated with the\nfollowing symbols:\n");
    let used = |a: Action| {
        plan.objects
            .iter()
            .any(|o| o.action == a || o.children.iter().any(|c| c.action == a))
    };
    if used(Action::Create) {
        out.push_str(&format!("  {} create\n", p.green("+")));
    }
    if used(Action::Update) || used(Action::Rename) {
        out.push_str(&format!("  {} update in-place\n", p.yellow("~")));
    }
    if used(Action::Delete) {
        out.push_str(&format!("  {} destroy\n", p.red("-")));
    }
    if used(Action::Replace) {
        out.push_str(&format!(
            "{} destroy and then create replacement\n",
            symbol(Action::Replace, p)
        ));
    }
    out.push_str("\nStrata will perform the following actions:\n");
    for o in &plan.objects {
        out.push('\n');
        object(o, plan, p, &mut out);
    }
    let hazards: Vec<_> = plan.hazards().collect();
    if !hazards.is_empty() {
        out.push('\n');
        out.push_str(&p.bold("Hazards:"));
        out.push('\n');
        for (i, h) in &hazards {
            let line = format!(
                "  {} ({}): {} [step {}]",
                h.code,
                h.category.label(),
                h.message,
                i + 1
            );
            out.push_str(&if h.is_data_loss() {
                p.red(&line)
            } else {
                p.yellow(&line)
            });
            out.push('\n');
        }
    }
    out.push('\n');
    out.push_str(&summary_line(plan, p));
    out.push('\n');
    out
}

/// `Plan: X to add, Y to change, Z to destroy.`
pub fn summary_line(plan: &Plan, p: &Painter) -> String {
    format!(
        "{} {} to add, {} to change, {} to destroy.",
        p.bold("Plan:"),
        plan.summary.add,
        plan.summary.change,
        plan.summary.destroy
    )
}

fn object(o: &ObjectChange, plan: &Plan, p: &Painter, out: &mut String) {
    out.push_str(&header(o, p));
    out.push('\n');
    if let Some(r) = &o.reason {
        out.push_str(&p.dim(&format!("  # ({r})")));
        out.push('\n');
    }
    out.push_str(&format!(
        "{}{} {} {} {{\n",
        sym_pad(o.action),
        symbol(o.action, p),
        o.kind,
        o.label
    ));
    attrs(&o.attrs, o.action, 6, p, out);
    for c in &o.children {
        child(c, p, out);
    }
    out.push_str("    }\n");
    for h in &o.hazards {
        let line = format!("    ! {} {}: {}", h.code, h.category.label(), h.message);
        out.push_str(&if h.is_data_loss() {
            p.bold_red(&line)
        } else {
            p.yellow(&line)
        });
        out.push('\n');
    }
    if !o.steps.is_empty() {
        out.push('\n');
        out.push_str(&p.dim("    SQL:"));
        out.push('\n');
        for &i in &o.steps {
            let s = &plan.steps[i];
            for (k, st) in s.statements.iter().enumerate() {
                for (n, line) in format!("{st};").lines().enumerate() {
                    let prefix = if n == 0 && k == 0 {
                        format!("    {:>2}. ", i + 1)
                    } else {
                        "        ".to_string()
                    };
                    out.push_str(&p.dim(&format!("{prefix}{line}")));
                    out.push('\n');
                }
            }
        }
    }
}

fn child(c: &ObjectChange, p: &Painter, out: &mut String) {
    let destructive = c.hazards.iter().any(|h| h.is_data_loss());
    let note = match (&c.reason, destructive) {
        (_, true) => {
            let h = c
                .hazards
                .iter()
                .find(|h| h.is_data_loss())
                .map(|h| h.code.clone())
                .unwrap_or_default();
            format!(" {}", p.bold_red(&format!("# data loss ({h})")))
        }
        (Some(r), false) => format!(" {}", p.dim(&format!("# {r}"))),
        _ => String::new(),
    };
    let sym = symbol(c.action, p);
    let pad = if c.action == Action::Replace {
        "    "
    } else {
        "      "
    };
    match c.action {
        Action::Create | Action::Delete => {
            let inline: Vec<String> = c
                .attrs
                .iter()
                .map(|a| {
                    format!(
                        "{} = {}",
                        a.name,
                        a.new
                            .as_ref()
                            .or(a.old.as_ref())
                            .cloned()
                            .unwrap_or_default()
                    )
                })
                .collect();
            out.push_str(&format!(
                "{pad}{sym} {} {} {{ {} }}{note}\n",
                c.kind,
                c.label,
                inline.join(", ")
            ));
        }
        Action::Rename => {
            out.push_str(&format!("{pad}{sym} {} {}{note}\n", c.kind, c.label));
        }
        Action::Update | Action::Replace => {
            out.push_str(&format!("{pad}{sym} {} {} {{{note}\n", c.kind, c.label));
            attrs(&c.attrs, Action::Update, 10, p, out);
            out.push_str("        }\n");
        }
    }
    for h in c.hazards.iter().filter(|h| !h.is_data_loss()) {
        out.push_str(&p.yellow(&format!(
            "          ! {} {}: {}",
            h.code,
            h.category.label(),
            h.message
        )));
        out.push('\n');
    }
}

fn attrs(list: &[AttrChange], parent: Action, indent: usize, p: &Painter, out: &mut String) {
    let width = list
        .iter()
        .map(|a| a.name.chars().count())
        .max()
        .unwrap_or(0);
    let ind = " ".repeat(indent);
    for a in list {
        let name = format!("{:width$}", a.name);
        let line = match (&a.old, &a.new) {
            (None, Some(n)) => format!("{ind}{} {name} = {n}", p.green("+")),
            (Some(o), None) if parent == Action::Delete => {
                format!("{ind}{} {name} = {o}", p.red("-"))
            }
            (Some(o), None) => format!("{ind}{} {name} = {o} {}", p.red("-"), p.dim("-> null")),
            (Some(o), Some(n)) => {
                format!("{ind}{} {name} = {o} {} {n}", p.yellow("~"), p.dim("->"))
            }
            (None, None) => continue,
        };
        out.push_str(&line);
        out.push('\n');
    }
}
