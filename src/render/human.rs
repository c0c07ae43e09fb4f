//! Terraform-style plan output.

use super::Painter;
use crate::lint::Hazard;
use crate::lint::policy::{Level, Policy};
use crate::plan::{Action, AttrChange, ObjectChange, Plan};
use crate::postgres::inspect::Unmanaged;

/// Text shown when there is nothing to do.
pub(crate) const NO_CHANGES: &str = "No changes. Your database matches the configuration.";

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

/// Renders the whole plan for a terminal, with the default policy.
pub fn plan(plan: &Plan, p: &Painter) -> String {
    plan_with_policy(plan, p, &Policy::default())
}

/// One hazard line: red `✖` for hazards the policy denies, yellow `!` for warnings, dim `·` for
/// allowed ones.
fn hazard_line(h: &Hazard, policy: &Policy, p: &Painter, indent: &str, suffix: &str) -> String {
    let text = format!("{} {}: {}{suffix}", h.code, h.category.label(), h.message);
    match policy.level(h) {
        Level::Deny => p.bold_red(&format!("{indent}✖ {text}")),
        Level::Warn => p.yellow(&format!("{indent}! {text}")),
        Level::Allow => p.dim(&format!("{indent}· {text} (allowed)")),
    }
}

/// The target database's unmanaged attributes, one `Warning:` line each, then a blank line
/// (nothing at all when there are none). Printed before the plan.
pub(crate) fn warnings(warnings: &[Unmanaged], p: &Painter) -> String {
    let mut out = String::new();
    for w in warnings {
        out.push_str(&format!(
            "{} {}\n",
            p.bold(&p.yellow("Warning:")),
            w.message()
        ));
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// Renders the whole plan for a terminal; `policy` decides how each hazard is marked.
pub(crate) fn plan_with_policy(plan: &Plan, p: &Painter, policy: &Policy) -> String {
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
        object(o, plan, p, policy, &mut out);
    }
    for h in &plan.hints {
        out.push('\n');
        out.push_str(&format!("{} {h}\n", p.cyan(&p.bold("Hint:"))));
    }
    let hazards: Vec<_> = plan.hazards().collect();
    if !hazards.is_empty() {
        out.push('\n');
        out.push_str(&p.bold("Hazards:"));
        out.push('\n');
        for (i, h) in &hazards {
            out.push_str(&hazard_line(
                h,
                policy,
                p,
                "  ",
                &format!(" [step {}]", i + 1),
            ));
            out.push('\n');
        }
        let denied = hazards
            .iter()
            .filter(|(_, h)| policy.level(h) == Level::Deny)
            .count();
        if denied > 0 {
            out.push('\n');
            out.push_str(&p.bold_red(&format!(
                "{denied} {} need{} approval:",
                if denied == 1 { "hazard" } else { "hazards" },
                if denied == 1 { "s" } else { "" }
            )));
            out.push_str(&format!(
                " an unattended apply (-auto-approve, or a saved plan) refuses {}\nunless allowed (--allow-hazards CODES, --allow-destructive, or the env's lint block).\n",
                if denied == 1 { "it" } else { "them" }
            ));
        }
    }
    if plan
        .steps
        .iter()
        .any(|s| s.phase != crate::plan::Phase::Transaction)
    {
        out.push('\n');
        out.push_str(&phases(plan, p));
    }
    out.push('\n');
    out.push_str(&summary_line(plan, p));
    out.push('\n');
    out
}

/// How an online plan runs: which steps go in which phase.
fn phases(plan: &Plan, p: &Painter) -> String {
    use crate::plan::Phase;
    let mut out = p.bold(if plan.online {
        "Apply runs in phases (online mode):"
    } else {
        "Apply runs in phases:"
    });
    out.push('\n');
    for (phase, label) in [
        (
            Phase::Before,
            "phase 0, committed first, each on its own (new enum values)",
        ),
        (Phase::Transaction, "phase 1, in one transaction"),
        (
            Phase::Online,
            "phase 2, one by one, outside any transaction",
        ),
        (Phase::Final, "phase 3, in a final transaction"),
    ] {
        let steps: Vec<String> = plan
            .steps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.phase == phase)
            .map(|(i, _)| (i + 1).to_string())
            .collect();
        // Phases are named, not listed: a plan without phase 1 starts at phase 2.
        match steps.as_slice() {
            [] => {}
            [one] => out.push_str(&format!("  {label}: step {one}\n")),
            many => out.push_str(&format!("  {label}: steps {}\n", many.join(", "))),
        }
    }
    out
}

/// `Plan: X to add, Y to change, Z to destroy.`
pub(crate) fn summary_line(plan: &Plan, p: &Painter) -> String {
    format!(
        "{} {} to add, {} to change, {} to destroy.",
        p.bold("Plan:"),
        plan.summary.add,
        plan.summary.change,
        plan.summary.destroy
    )
}

fn object(o: &ObjectChange, plan: &Plan, p: &Painter, policy: &Policy, out: &mut String) {
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
    // A text shown as a line diff is not also shown cut short.
    let shown: Vec<AttrChange> = o
        .attrs
        .iter()
        .filter(|a| !o.text_diffs.iter().any(|d| d.attr == a.name))
        .cloned()
        .collect();
    attrs(&shown, o.action, 6, p, out);
    text_diffs(o, 6, p, out);
    for c in &o.children {
        child(c, p, policy, out);
    }
    out.push_str("    }\n");
    for h in &o.hazards {
        out.push_str(&hazard_line(h, policy, p, "    ", ""));
        out.push('\n');
    }
    if !o.steps.is_empty() {
        out.push('\n');
        out.push_str(&p.dim("    SQL:"));
        out.push('\n');
        for &i in &o.steps {
            let s = &plan.steps[i];
            match s.phase {
                crate::plan::Phase::Transaction => {}
                crate::plan::Phase::Before => {
                    out.push_str(&p.dim(&format!(
                        "    {:>2}. -- phase 0: committed before the transaction\n",
                        i + 1
                    )));
                }
                crate::plan::Phase::Online => {
                    out.push_str(&p.dim(&format!(
                        "    {:>2}. -- phase 2: outside the transaction, one statement at a time\n",
                        i + 1
                    )));
                }
                crate::plan::Phase::Final => {
                    out.push_str(&p.dim(&format!(
                        "    {:>2}. -- phase 3: in the final transaction\n",
                        i + 1
                    )));
                }
            }
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

fn child(c: &ObjectChange, p: &Painter, policy: &Policy, out: &mut String) {
    let note = match &c.reason {
        Some(r) => format!(" {}", p.dim(&format!("# {r}"))),
        None => String::new(),
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
        Action::Update if c.attrs.is_empty() => {
            out.push_str(&format!("{pad}{sym} {} {}{note}\n", c.kind, c.label));
        }
        Action::Update | Action::Replace => {
            out.push_str(&format!("{pad}{sym} {} {} {{{note}\n", c.kind, c.label));
            attrs(&c.attrs, Action::Update, 10, p, out);
            out.push_str("        }\n");
        }
    }
    // Every hazard on its own line, marked by the policy, as for whole objects.
    for h in &c.hazards {
        out.push_str(&hazard_line(h, policy, p, "          ", ""));
        out.push('\n');
    }
}

/// `as:` and its line diff below the attributes, Terraform-style.
fn text_diffs(o: &ObjectChange, indent: usize, p: &Painter, out: &mut String) {
    let ind = " ".repeat(indent);
    for d in &o.text_diffs {
        out.push_str(&format!(
            "{ind}{} {} {}\n",
            p.yellow("~"),
            d.attr,
            p.dim("(lines changed)")
        ));
        for line in &d.lines {
            let shown = match line.get(..2) {
                Some("- ") => p.red(line),
                Some("+ ") => p.green(line),
                _ => p.dim(line),
            };
            out.push_str(&format!("{ind}    {shown}\n"));
        }
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
