//! What happens to a hazard: refused, shown, or silenced. Set per env in env.hcl
//! (`lint { deny = [...] warn = [...] allow = [...] }`, also spelled `policy`), overridden by
//! `--allow-hazards` and `--allow-destructive`.
//!
//! Defaults: data-loss hazards are `deny` — an unattended apply (`-auto-approve`, a saved plan)
//! refuses them, an interactive apply shows them in red and asks; everything else is `warn`.

use super::{Category, Hazard, find};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The decision for one hazard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Refused unattended; needs a human's "yes" or an explicit allow.
    Deny,
    /// Shown; never blocks.
    Warn,
    /// Accepted: shown dimmed, never blocks.
    Allow,
}

impl Level {
    pub(crate) fn parse(s: &str) -> Option<Level> {
        match s.trim().to_ascii_lowercase().as_str() {
            "deny" | "error" => Some(Level::Deny),
            "warn" | "warning" => Some(Level::Warn),
            "allow" | "ignore" => Some(Level::Allow),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Level::Deny => "deny",
            Level::Warn => "warn",
            Level::Allow => "allow",
        }
    }
}

/// A code (`DS102`) or a category (`data_loss`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Selector {
    Code(&'static str),
    Category(Category),
}

impl Selector {
    /// Parses a code or a category name; the error says what is accepted.
    pub fn parse(s: &str) -> Result<Selector, String> {
        if let Some(r) = find(s) {
            return Ok(Selector::Code(r.code));
        }
        if let Some(c) = Category::parse(s) {
            return Ok(Selector::Category(c));
        }
        Err(format!(
            "unknown hazard code or category {s:?}: use a code such as DS102 (`strata explain` lists them) or one of {}",
            Category::ALL
                .iter()
                .map(|c| c.key())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

/// Levels by code and by category; a code's level wins over its category's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    codes: HashMap<&'static str, Level>,
    categories: HashMap<Category, Level>,
    /// From the command line: wins over everything the configuration says.
    forced: Vec<(Selector, Level)>,
}

impl Policy {
    pub(crate) fn set(&mut self, selector: &Selector, level: Level) {
        match selector {
            Selector::Code(c) => {
                self.codes.insert(c, level);
            }
            Selector::Category(c) => {
                self.categories.insert(*c, level);
            }
        }
    }

    /// Applies `other` on top of `self` (an env's policy over the global one, flags over both).
    pub(crate) fn merge(&mut self, other: &Policy) {
        self.codes.extend(other.codes.iter().map(|(k, v)| (*k, *v)));
        self.categories
            .extend(other.categories.iter().map(|(k, v)| (*k, *v)));
        self.forced.extend(other.forced.iter().cloned());
    }

    /// Sets a level from the command line: it wins over codes and categories the configuration
    /// sets (`--allow-destructive` allows a data-loss code the env denies).
    pub fn force(&mut self, selector: Selector, level: Level) {
        self.forced.push((selector, level));
    }

    /// Allows every selector in comma-separated lists (`--allow-hazards DS102,MF104`), over
    /// whatever the configuration says.
    pub(crate) fn allow_list(&mut self, lists: &[String]) -> Result<(), String> {
        for list in lists {
            for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                self.force(Selector::parse(item)?, Level::Allow);
            }
        }
        Ok(())
    }

    pub(crate) fn level(&self, h: &Hazard) -> Level {
        for (sel, level) in self.forced.iter().rev() {
            let hit = match sel {
                Selector::Code(c) => h.code.eq_ignore_ascii_case(c),
                Selector::Category(c) => *c == h.category,
            };
            if hit {
                return *level;
            }
        }
        if let Some(l) = find(&h.code).and_then(|r| self.codes.get(r.code)) {
            return *l;
        }
        if let Some(l) = self.categories.get(&h.category) {
            return *l;
        }
        match h.category {
            Category::DataLoss => Level::Deny,
            _ => Level::Warn,
        }
    }

    /// The level a rule gets when no hazard is at hand (for `strata explain`).
    pub(crate) fn rule_level(&self, code: &str) -> Option<Level> {
        let r = find(code)?;
        Some(self.level(&Hazard::new(r.code, r.category, "")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(code: &str, c: Category) -> Hazard {
        Hazard::new(code, c, "m")
    }

    #[test]
    fn data_loss_is_denied_by_default_the_rest_warned() {
        let p = Policy::default();
        assert_eq!(p.level(&h("DS102", Category::DataLoss)), Level::Deny);
        assert_eq!(p.level(&h("PG101", Category::Lock)), Level::Warn);
    }

    #[test]
    fn codes_win_over_categories() {
        let mut p = Policy::default();
        p.set(&Selector::parse("data_loss").unwrap(), Level::Allow);
        p.set(&Selector::parse("ds102").unwrap(), Level::Deny);
        assert_eq!(p.level(&h("DS103", Category::DataLoss)), Level::Allow);
        assert_eq!(p.level(&h("DS102", Category::DataLoss)), Level::Deny);
    }

    #[test]
    fn allow_lists_take_codes_and_categories() {
        let mut p = Policy::default();
        p.allow_list(&["DS102, lock".into()]).unwrap();
        assert_eq!(p.level(&h("DS102", Category::DataLoss)), Level::Allow);
        assert_eq!(p.level(&h("PG101", Category::Lock)), Level::Allow);
        assert_eq!(p.level(&h("DS103", Category::DataLoss)), Level::Deny);
        let err = p.allow_list(&["DS999".into()]).unwrap_err();
        assert!(err.contains("DS999"), "{err}");
    }

    #[test]
    fn command_line_allows_win_over_configured_denies() {
        let mut p = Policy::default();
        p.set(&Selector::parse("DS102").unwrap(), Level::Deny);
        p.force(Selector::Category(Category::DataLoss), Level::Allow);
        assert_eq!(p.level(&h("DS102", Category::DataLoss)), Level::Allow);
    }

    #[test]
    fn merge_overrides() {
        let mut global = Policy::default();
        global.set(&Selector::Category(Category::Lock), Level::Deny);
        let mut env = Policy::default();
        env.set(&Selector::Category(Category::Lock), Level::Allow);
        global.merge(&env);
        assert_eq!(global.level(&h("PG101", Category::Lock)), Level::Allow);
    }
}
