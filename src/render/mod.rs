//! Views: how plans, errors and progress read on a terminal, as JSON and as SQL. Nothing here
//! decides anything or talks to a database.

pub mod human;

use crate::plan::Plan;

/// Colors for terminal output; all methods are no-ops when color is off.
#[derive(Debug, Clone, Copy)]
pub struct Painter {
    pub color: bool,
}

impl Painter {
    pub fn new(color: bool) -> Self {
        Painter { color }
    }

    fn paint(&self, s: &str, style: console::Style) -> String {
        if self.color {
            style.force_styling(true).apply_to(s).to_string()
        } else {
            s.to_string()
        }
    }

    pub fn green(&self, s: &str) -> String {
        self.paint(s, console::Style::new().green())
    }

    pub fn red(&self, s: &str) -> String {
        self.paint(s, console::Style::new().red())
    }

    pub fn yellow(&self, s: &str) -> String {
        self.paint(s, console::Style::new().yellow())
    }

    pub fn cyan(&self, s: &str) -> String {
        self.paint(s, console::Style::new().cyan())
    }

    pub fn bold(&self, s: &str) -> String {
        self.paint(s, console::Style::new().bold())
    }

    pub fn bold_red(&self, s: &str) -> String {
        self.paint(s, console::Style::new().bold().red())
    }

    pub fn bold_green(&self, s: &str) -> String {
        self.paint(s, console::Style::new().bold().green())
    }

    pub fn dim(&self, s: &str) -> String {
        self.paint(s, console::Style::new().dim())
    }
}

/// The plan as a JSON document.
pub fn json(plan: &Plan) -> String {
    serde_json::to_string_pretty(plan).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// The plan as an SQL script: each step's statements under a comment, hazards as comments.
pub fn sql(plan: &Plan) -> String {
    let mut out = String::new();
    for s in &plan.steps {
        out.push_str(&format!("-- {}\n", s.description));
        for h in &s.hazards {
            out.push_str(&format!(
                "-- hazard {} ({}): {}\n",
                h.code,
                h.category.label(),
                h.message
            ));
        }
        for st in &s.statements {
            out.push_str(st);
            out.push_str(";\n");
        }
    }
    out
}
