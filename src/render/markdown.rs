//! The plan as GitHub-flavored Markdown, for a pull-request comment (`--format markdown`): the
//! summary line, a table of the objects, the hazards marked by the policy, the rename hints and
//! each step's SQL in a collapsible block. It stays under GitHub's comment limit
//! ([`COMMENT_LIMIT`]): whole table rows and whole steps are left out, never part of one, and a
//! note says how many.

use super::human::NO_CHANGES;
use crate::lint::Hazard;
use crate::lint::policy::{Level, Policy};
use crate::plan::{Action, ObjectChange, Phase, Plan, Step};
use crate::postgres::inspect::Unmanaged;

/// GitHub's limit on the body of an issue or pull-request comment, in characters.
pub const COMMENT_LIMIT: usize = 65_536;

/// Room kept for the note that says what was left out.
const NOTE_ROOM: usize = 600;

/// The plan as Markdown within [`COMMENT_LIMIT`]; `policy` decides each hazard's mark.
pub fn plan(plan: &Plan, policy: &Policy, warnings: &[Unmanaged]) -> String {
    plan_within(plan, policy, warnings, COMMENT_LIMIT)
}

/// [`plan`] within `limit` bytes (a byte count is never below the character count GitHub
/// applies).
pub fn plan_within(plan: &Plan, policy: &Policy, warnings: &[Unmanaged], limit: usize) -> String {
    let mut doc = Doc {
        out: String::new(),
        limit: limit.saturating_sub(NOTE_ROOM),
        left_out: LeftOut::default(),
    };
    doc.out.push_str("### strata plan");
    if let Some(env) = &plan.env {
        doc.out.push_str(&format!(" for env {}", code_span(env)));
    }
    doc.out.push_str("\n\n");
    let lines = warnings
        .iter()
        .map(|w| format!("> **Warning:** {}\n", text(&w.message())));
    doc.left_out.warnings = doc.push_half(lines.collect::<Vec<_>>());
    if !warnings.is_empty() {
        doc.out.push('\n');
    }
    if plan.is_empty() {
        doc.out.push_str(&format!("**{}**\n", text(NO_CHANGES)));
        return doc.out;
    }
    doc.out.push_str(&format!("**{}**\n", summary_line(plan)));
    objects(plan, &mut doc);
    hazards(plan, policy, &mut doc);
    hints(plan, &mut doc);
    steps(plan, policy, &mut doc);
    doc.finish()
}

/// `Plan: X to add, Y to change, Z to destroy.`
pub(crate) fn summary_line(plan: &Plan) -> String {
    format!(
        "Plan: {} to add, {} to change, {} to destroy.",
        plan.summary.add, plan.summary.change, plan.summary.destroy
    )
}

/// What did not fit.
#[derive(Default)]
struct LeftOut {
    warnings: usize,
    objects: usize,
    hazards: usize,
    hints: usize,
    steps: usize,
}

/// The document being written, and what its budget left out.
struct Doc {
    out: String,
    limit: usize,
    left_out: LeftOut,
}

impl Doc {
    /// Appends `piece` if it fits the budget.
    fn fits(&mut self, piece: &str) -> bool {
        if self.out.len() + piece.len() > self.limit {
            return false;
        }
        self.out.push_str(piece);
        true
    }

    /// Appends each piece while they fit; returns how many did not.
    fn push_all(&mut self, pieces: impl IntoIterator<Item = String>) -> usize {
        let mut skipped = 0;
        for p in pieces {
            if skipped > 0 || !self.fits(&p) {
                skipped += 1;
            }
        }
        skipped
    }

    /// Like [`Doc::push_all`], using at most half of the room left: the steps after a long
    /// table still get the other half.
    fn push_half(&mut self, pieces: impl IntoIterator<Item = String>) -> usize {
        let limit = self.limit;
        self.limit = self.out.len() + limit.saturating_sub(self.out.len()) / 2;
        let skipped = self.push_all(pieces);
        self.limit = limit;
        skipped
    }

    fn finish(mut self) -> String {
        let l = &self.left_out;
        let parts: Vec<String> = [
            (l.warnings, "warning", "warnings"),
            (l.objects, "object row", "object rows"),
            (l.hazards, "hazard", "hazards"),
            (l.hints, "hint", "hints"),
            (l.steps, "step", "steps"),
        ]
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| format!("{n} {}", if *n == 1 { one } else { many }))
        .collect();
        if !parts.is_empty() {
            self.out.push_str(&format!(
                "\n> [!NOTE]\n> This comment stops at GitHub's limit of {COMMENT_LIMIT} characters: {} left out. Run `strata show PLAN_FILE` (or `strata plan`) for the rest.\n",
                parts.join(", ")
            ));
        }
        self.out
    }
}

fn action_word(a: Action) -> &'static str {
    match a {
        Action::Create => "create",
        Action::Update => "update",
        Action::Delete => "destroy",
        Action::Replace => "replace",
        Action::Rename => "rename",
    }
}

fn objects(plan: &Plan, doc: &mut Doc) {
    doc.out
        .push_str("\n| Object | Action | Reason |\n|---|---|---|\n");
    // The parts of a created or destroyed object are in its SQL; those of a changed one say
    // what changes.
    let rows = plan.objects.iter().flat_map(|o| {
        let parts = match o.action {
            Action::Create | Action::Delete => &[][..],
            _ => &o.children[..],
        };
        std::iter::once(object_row(o, "")).chain(parts.iter().map(|c| object_row(c, "↳ ")))
    });
    doc.left_out.objects = doc.push_half(rows.collect::<Vec<_>>());
}

fn object_row(o: &ObjectChange, prefix: &str) -> String {
    format!(
        "| {prefix}{} | {} | {} |\n",
        cell_code(&o.address.to_string()),
        action_word(o.action),
        o.reason.as_deref().map(text).unwrap_or_default()
    )
}

/// `✖ deny`, `! warn`, `· allow`: the marks of the terminal's plan.
fn mark(level: Level) -> &'static str {
    match level {
        Level::Deny => "✖",
        Level::Warn => "!",
        Level::Allow => "·",
    }
}

fn hazards(plan: &Plan, policy: &Policy, doc: &mut Doc) {
    let all: Vec<(usize, &Hazard)> = plan.hazards().collect();
    if all.is_empty() {
        return;
    }
    doc.out.push_str(
        "\n#### Hazards\n\n| | Code | Category | Level | Step | Object | Message |\n|---|---|---|---|---|---|---|\n",
    );
    let rows = all.iter().map(|(i, h)| {
        let level = policy.level(h);
        format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            mark(level),
            text(&h.code),
            text(h.category.label()),
            level.as_str(),
            i + 1,
            cell_code(&plan.steps[*i].object.to_string()),
            text(&h.message)
        )
    });
    doc.left_out.hazards = doc.push_half(rows.collect::<Vec<_>>());
    let denied = all
        .iter()
        .filter(|(_, h)| policy.level(h) == Level::Deny)
        .count();
    if denied > 0 {
        let (noun, verb, it) = if denied == 1 {
            ("hazard", "needs", "it")
        } else {
            ("hazards", "need", "them")
        };
        doc.out.push_str(&format!(
            "\n**✖ {denied} {noun} {verb} approval:** an unattended apply (`-auto-approve`, or a saved plan) refuses {it} unless allowed (`--allow-hazards CODES`, `--allow-destructive`, or the env's lint block).\n"
        ));
    }
}

/// A hint's first line is prose, the rest (a `moved` block) code.
fn hints(plan: &Plan, doc: &mut Doc) {
    if plan.hints.is_empty() {
        return;
    }
    doc.out.push_str("\n#### Hints\n\n");
    let items = plan.hints.iter().map(|h| {
        let (prose, code) = h.split_once('\n').unwrap_or((h, ""));
        let mut item = format!("- {}\n", text(prose));
        if !code.trim().is_empty() {
            item.push_str(&fenced("hcl", &dedent(code), "  "));
        }
        item
    });
    doc.left_out.hints = doc.push_half(items.collect::<Vec<_>>());
}

fn steps(plan: &Plan, policy: &Policy, doc: &mut Doc) {
    doc.out.push_str("\n#### Steps\n\n");
    let blocks = plan
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| step_block(i, s, policy));
    doc.left_out.steps = doc.push_all(blocks.collect::<Vec<_>>());
}

fn phase_note(p: Phase) -> &'static str {
    match p {
        Phase::Transaction => "",
        Phase::Before => " (phase 0: committed before the transaction)",
        Phase::Online => " (phase 2: outside the transaction)",
        Phase::Final => " (phase 3: in the final transaction)",
    }
}

fn step_block(i: usize, s: &Step, policy: &Policy) -> String {
    let marks: Vec<String> = s
        .hazards
        .iter()
        .map(|h| format!("{} {}", mark(policy.level(h)), h.code))
        .collect();
    let marks = if marks.is_empty() {
        String::new()
    } else {
        format!(" — {}", marks.join(", "))
    };
    let sql: String = s.statements.iter().map(|st| format!("{st};\n")).collect();
    format!(
        "<details><summary>{}. {}{}{}</summary>\n\n{}\n</details>\n\n",
        i + 1,
        html(&s.description),
        html(phase_note(s.phase)),
        html(&marks),
        fenced("sql", &sql, "")
    )
}

/// A fenced code block whose fence is longer than any run of backticks in `body`, so that the
/// body can never close it.
fn fenced(lang: &str, body: &str, indent: &str) -> String {
    let longest = longest_run(body, '`');
    let fence = "`".repeat(longest.max(2) + 1);
    let mut out = format!("{indent}{fence}{lang}\n");
    for line in body.lines() {
        out.push_str(indent);
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(&format!("{indent}{fence}\n"));
    out
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in s.chars() {
        run = if ch == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// Removes the indentation every non-blank line shares.
fn dedent(s: &str) -> String {
    let indent = s
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    s.lines()
        .map(|l| l.get(indent..).unwrap_or(l.trim_start()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Text inside an HTML element (`<summary>`): GitHub does not read Markdown there, so only
/// HTML's own characters are escaped.
fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\n', " ")
}

/// Plain Markdown text, safe in a table cell: Markdown's punctuation escaped, pipes escaped,
/// newlines as `<br>`.
pub(crate) fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' | '!' => {
                out.push('\\');
                out.push(ch);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' => {}
            '\n' => out.push_str("<br>"),
            _ => out.push(ch),
        }
    }
    out
}

/// An inline code span in a table cell: delimited by more backticks than it holds, its pipes
/// escaped (GitHub splits cells before it reads code spans), newlines as spaces.
pub(crate) fn cell_code(s: &str) -> String {
    let body = s.replace('|', "\\|").replace(['\n', '\r'], " ");
    let ticks = "`".repeat(longest_run(&body, '`') + 1);
    let pad = if body.starts_with('`') || body.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{body}{pad}{ticks}")
}

fn code_span(s: &str) -> String {
    cell_code(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_pipes_and_newlines() {
        assert_eq!(text("a|b\nc"), "a\\|b<br>c");
        assert_eq!(cell_code("t.\"a|b\""), "`t.\"a\\|b\"`");
        assert_eq!(cell_code("x`y"), "``x`y``");
        assert_eq!(cell_code("`y"), "`` `y ``");
    }

    #[test]
    fn fences_outlast_the_backticks_they_hold() {
        let f = fenced("sql", "SELECT '```';", "");
        assert!(f.starts_with("````sql\n") && f.ends_with("\n````\n"), "{f}");
    }

    #[test]
    fn dedent_keeps_relative_indentation() {
        assert_eq!(dedent("  a {\n    b\n  }"), "a {\n  b\n}");
    }
}
