//! The hazard and lint engine. Every check lives in its own file under `rules/` with a stable
//! code, a one-line title, a longer explanation (`strata explain CODE`) and its own tests.
//!
//! Two kinds of checks exist:
//! - *step* checks look at one typed [`Subject`] — something a plan step does to a database that
//!   may hold data — and return a message when the step is risky; the planner attaches the
//!   resulting [`Hazard`]s to its steps;
//! - *schema* checks look at a desired [`Model`] with no database (`strata validate`) and report
//!   style problems such as `integer` keys or `timestamp` without a time zone.
//!
//! What happens to a hazard (refused, shown, silenced) is the [`policy`]'s business, not the
//! checks'.

pub mod pages;
pub mod policy;
pub(crate) mod rules;

use crate::diff::TableChange;
use crate::model::{Model, ObjectId, QualifiedName, Table};
use serde::{Deserialize, Serialize};

/// What kind of risk a hazard is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Data is deleted.
    DataLoss,
    /// The statement may fail on existing rows.
    MayFail,
    /// Takes a strong lock, scans or rewrites the table.
    Lock,
    /// Running application code may break.
    Compatibility,
    /// Who may see or change which rows changes.
    Security,
    /// Runs outside a transaction: a failure leaves work half done.
    Transaction,
    /// A schema habit that causes pain later.
    Style,
}

impl Category {
    pub(crate) const ALL: [Category; 7] = [
        Category::DataLoss,
        Category::MayFail,
        Category::Lock,
        Category::Compatibility,
        Category::Security,
        Category::Transaction,
        Category::Style,
    ];

    /// Human label, also accepted in policies (`data loss`, `data_loss` and `data-loss`).
    pub(crate) fn label(self) -> &'static str {
        match self {
            Category::DataLoss => "data loss",
            Category::MayFail => "may fail",
            Category::Lock => "lock",
            Category::Compatibility => "compatibility",
            Category::Security => "security",
            Category::Transaction => "transaction",
            Category::Style => "style",
        }
    }

    /// The spelling used in configuration and JSON: `data_loss`.
    pub(crate) fn key(self) -> &'static str {
        match self {
            Category::DataLoss => "data_loss",
            Category::MayFail => "may_fail",
            Category::Lock => "lock",
            Category::Compatibility => "compatibility",
            Category::Security => "security",
            Category::Transaction => "transaction",
            Category::Style => "style",
        }
    }

    /// Parses a category name in any of its spellings, plus Atlas's analyzer names.
    pub(crate) fn parse(s: &str) -> Option<Category> {
        let k = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Some(match k.as_str() {
            "data_loss" | "destructive" => Category::DataLoss,
            "may_fail" | "data_depend" => Category::MayFail,
            "lock" | "locks" => Category::Lock,
            "compatibility" | "incompatible" | "backward_incompatible" => Category::Compatibility,
            "security" => Category::Security,
            "transaction" | "no_transaction" => Category::Transaction,
            "style" => Category::Style,
            _ => return None,
        })
    }
}

/// One hazard attached to a plan step (or a finding of a schema check).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hazard {
    pub code: String,
    pub(crate) category: Category,
    pub message: String,
}

impl Hazard {
    pub(crate) fn new(code: &str, category: Category, message: impl Into<String>) -> Self {
        Hazard {
            code: code.to_string(),
            category,
            message: message.into(),
        }
    }

    pub fn is_data_loss(&self) -> bool {
        self.category == Category::DataLoss
    }
}

/// Something a plan step does that a check may find risky. Steps on tables created in the same
/// plan are never subjects: a new table holds no rows.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Subject<'a> {
    DropSchema {
        name: &'a str,
    },
    DropTable {
        table: &'a Table,
    },
    /// A change inside a table that exists and keeps existing. `table` is the desired table.
    AlterTable {
        table: &'a Table,
        change: &'a TableChange,
        /// Online mode: indexes are built concurrently and constraints added `NOT VALID`.
        online: bool,
    },
    RenameTable {
        from: &'a QualifiedName,
        to: &'a QualifiedName,
    },
    RenameColumn {
        table: &'a QualifiedName,
        from: &'a str,
        to: &'a str,
    },
    /// An enum dropped and created again because values were removed or reordered.
    RebuildEnum {
        name: &'a QualifiedName,
        removed: &'a [String],
    },
    DropSequence {
        name: &'a QualifiedName,
    },
    /// `ALTER TYPE … DROP ATTRIBUTE`.
    DropCompositeField {
        name: &'a QualifiedName,
        field: &'a str,
    },
    DropExtension {
        name: &'a str,
    },
    UpdateExtension {
        name: &'a str,
        from: Option<&'a str>,
        to: Option<&'a str>,
    },
    /// A function or procedure dropped for good (not recreated).
    DropRoutine {
        address: &'a ObjectId,
    },
    /// An event trigger dropped for good (not recreated).
    DropEventTrigger {
        name: &'a str,
    },
    /// Privileges revoked from a role (`REVOKE … ON … FROM role`), or a role membership.
    Revoke {
        grantee: &'a str,
        what: &'a str,
    },
    /// A role dropped (`DROP ROLE`): it logs in no more; what it owns keeps the drop from
    /// succeeding.
    DropRole {
        name: &'a str,
        owned: i64,
        elsewhere: i64,
    },
    /// A view dropped for good (not recreated).
    DropView {
        address: &'a ObjectId,
    },
    AddDomainConstraint {
        domain: &'a QualifiedName,
    },
    /// A row-level security policy created, changed or dropped on an existing table.
    ChangePolicy {
        table: &'a QualifiedName,
        name: &'a str,
    },
    /// A statement the online mode runs outside any transaction.
    Online {
        table: &'a QualifiedName,
        what: &'a str,
    },
}

/// What a check looks at.
#[derive(Clone, Copy)]
pub(crate) enum Check {
    /// Returns a message when the subject is risky.
    Step(fn(&Subject) -> Option<String>),
    /// Returns (object address, message) for every problem in a desired schema.
    Schema(fn(&Model) -> Vec<(ObjectId, String)>),
    /// Found in hand-written SQL by `strata migrate lint` (on the parse tree; see
    /// `migrate::lint`): listed here so `explain` and policies know the code.
    Sql,
}

/// One lint rule.
#[derive(Clone, Copy)]
pub struct Rule {
    /// Stable code, e.g. `DS102`.
    pub code: &'static str,
    pub category: Category,
    /// One line: what the rule detects.
    pub(crate) title: &'static str,
    /// Why it matters and what to do instead (`strata explain CODE`).
    pub(crate) explain: &'static str,
    pub(crate) check: Check,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule").field("code", &self.code).finish()
    }
}

/// Every rule, in code order.
pub fn all() -> &'static [&'static Rule] {
    rules::ALL
}

/// The rule with this code (case-insensitive).
pub(crate) fn find(code: &str) -> Option<&'static Rule> {
    all()
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code.trim()))
}

/// Hazards of one subject, from every step check.
pub(crate) fn hazards(subject: &Subject) -> Vec<Hazard> {
    let mut out = Vec::new();
    for r in all() {
        if let Check::Step(f) = r.check
            && let Some(message) = f(subject)
        {
            out.push(Hazard::new(r.code, r.category, message));
        }
    }
    // Data loss first, then may-fail, locks, compatibility…
    out.sort_by(|a, b| (a.category, &a.code).cmp(&(b.category, &b.code)));
    out
}

/// A schema check's finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Finding {
    /// The object, e.g. `table.public.users.column.id` (serialized as its address).
    pub(crate) object: ObjectId,
    pub(crate) hazard: Hazard,
}

/// Findings of every schema check on a desired schema.
pub(crate) fn schema_findings(model: &Model) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in all() {
        if let Check::Schema(f) = r.check {
            for (object, message) in f(model) {
                out.push(Finding {
                    object,
                    hazard: Hazard::new(r.code, r.category, message),
                });
            }
        }
    }
    out
}

/// `public.users` for messages.
pub(crate) fn qname(q: &QualifiedName) -> String {
    format!("{}.{}", q.schema, q.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_sorted_and_documented() {
        let codes: Vec<&str> = all().iter().map(|r| r.code).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(codes, sorted, "rules must be listed once, in code order");
        for r in all() {
            assert!(
                r.code.len() == 5,
                "{}: codes are two letters and three digits",
                r.code
            );
            assert!(!r.title.is_empty() && !r.title.ends_with('.'), "{}", r.code);
            assert!(
                r.explain.len() > 80,
                "{}: explain why and what to do",
                r.code
            );
        }
    }

    #[test]
    fn categories_parse_in_every_spelling() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.key()), Some(c));
            assert_eq!(Category::parse(c.label()), Some(c));
        }
        assert_eq!(Category::parse("destructive"), Some(Category::DataLoss));
        assert_eq!(Category::parse("nonsense"), None);
    }

    #[test]
    fn find_is_case_insensitive() {
        assert_eq!(find("ds102").map(|r| r.code), Some("DS102"));
        assert!(find("XX999").is_none());
    }
}
