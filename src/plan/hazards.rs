//! Hazards of individual changes: what can go wrong when a step runs against a database that
//! holds data. Each hazard has a stable code users can allow or deny.

use crate::diff::TableChange;
use crate::model::{Column, DataType};
use crate::postgres::types;
use serde::{Deserialize, Serialize};

/// What kind of risk a hazard is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Data is deleted.
    DataLoss,
    /// The statement may fail on existing rows.
    MayFail,
    /// Takes a strong lock or rewrites the table.
    Lock,
    /// Running application code may break.
    Compatibility,
    /// Who may see or change which rows changes.
    Security,
}

impl Category {
    pub fn label(self) -> &'static str {
        match self {
            Category::DataLoss => "data loss",
            Category::MayFail => "may fail",
            Category::Lock => "lock",
            Category::Compatibility => "compatibility",
            Category::Security => "security",
        }
    }
}

/// One hazard attached to a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hazard {
    pub code: String,
    pub category: Category,
    pub message: String,
}

impl Hazard {
    pub fn new(code: &str, category: Category, message: impl Into<String>) -> Self {
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

pub fn drop_schema(name: &str) -> Hazard {
    Hazard::new(
        "DS101",
        Category::DataLoss,
        format!("drops schema \"{name}\""),
    )
}

pub fn drop_table(name: &str) -> Hazard {
    Hazard::new(
        "DS102",
        Category::DataLoss,
        format!("drops table \"{name}\" and all its rows"),
    )
}

pub fn drop_column(table: &str, column: &str) -> Hazard {
    Hazard::new(
        "DS103",
        Category::DataLoss,
        format!("drops column \"{column}\" of \"{table}\" and the data in it"),
    )
}

pub fn drop_sequence(name: &str) -> Hazard {
    Hazard::new(
        "DS104",
        Category::DataLoss,
        format!("drops sequence \"{name}\" and its current value"),
    )
}

pub fn rebuild_enum(name: &str, removed: &[&String]) -> Hazard {
    let what = if removed.is_empty() {
        "reorders its values".to_string()
    } else {
        format!(
            "removes {}",
            removed
                .iter()
                .map(|v| format!("'{v}'"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Hazard::new(
        "DS105",
        Category::MayFail,
        format!(
            "rebuilds enum \"{name}\" ({what}) and rewrites the columns that use it: fails if rows hold a removed value"
        ),
    )
}

pub fn drop_extension(name: &str) -> Hazard {
    Hazard::new(
        "DS106",
        Category::Compatibility,
        format!("drops extension \"{name}\" and the functions and types it provides"),
    )
}

pub fn extension_update(name: &str) -> Hazard {
    Hazard::new(
        "EX101",
        Category::Compatibility,
        format!("updates extension \"{name}\" to another version"),
    )
}

pub fn drop_routine(address: &str) -> Hazard {
    Hazard::new(
        "BC103",
        Category::Compatibility,
        format!("drops {address}: callers break"),
    )
}

pub fn drop_view(address: &str) -> Hazard {
    Hazard::new(
        "BC104",
        Category::Compatibility,
        format!("drops {address}: queries that read it break"),
    )
}

pub fn domain_constraint(name: &str) -> Hazard {
    Hazard::new(
        "MF107",
        Category::MayFail,
        format!("adds a constraint to domain \"{name}\": fails if existing values violate it"),
    )
}

pub fn policy_change(name: &str) -> Hazard {
    Hazard::new(
        "SC101",
        Category::Security,
        format!("changes row-level security policy \"{name}\": rows may become visible or hidden"),
    )
}

/// Hazards of a change inside an existing table.
pub fn table_change(table: &str, change: &TableChange) -> Vec<Hazard> {
    match change {
        TableChange::DropColumn(c) if c.generated.is_none() => vec![drop_column(table, &c.name)],
        TableChange::AddColumn(c) => {
            let mut h = Vec::new();
            if !c.nullable
                && c.default.is_none()
                && c.identity.is_none()
                && c.generated.is_none()
                && !matches!(c.ty, DataType::Serial(_))
            {
                h.push(Hazard::new(
                    "MF103",
                    Category::MayFail,
                    format!(
                        "adds NOT NULL column \"{}\" without a default: fails if \"{table}\" has rows",
                        c.name
                    ),
                ));
            }
            h
        }
        TableChange::AlterColumn { from, to } => alter_column(table, from, to),
        TableChange::DropForeignKey(fk) => vec![Hazard::new(
            "CD101",
            Category::Compatibility,
            format!("drops foreign key \"{}\"", fk.name),
        )],
        TableChange::AddUnique(u) => vec![Hazard::new(
            "MF101",
            Category::MayFail,
            format!(
                "adds unique constraint \"{}\": fails if \"{table}\" has duplicates",
                u.name
            ),
        )],
        TableChange::AddPrimaryKey(pk) => vec![Hazard::new(
            "MF101",
            Category::MayFail,
            format!(
                "adds primary key \"{}\": fails on duplicates or NULLs",
                pk.name
            ),
        )],
        TableChange::AddIndex(i) if i.unique => vec![Hazard::new(
            "MF101",
            Category::MayFail,
            format!(
                "adds unique index \"{}\": fails if \"{table}\" has duplicates",
                i.name
            ),
        )],
        TableChange::SetRowSecurity {
            enabled,
            forced,
            was_enabled,
            was_forced,
        } => {
            if (!enabled && *was_enabled) || (!forced && *was_forced) {
                vec![Hazard::new(
                    "SC102",
                    Category::Security,
                    format!(
                        "relaxes row-level security on \"{table}\": every row becomes visible to roles the policies restricted"
                    ),
                )]
            } else {
                vec![Hazard::new(
                    "SC103",
                    Category::Security,
                    format!(
                        "enables row-level security on \"{table}\": roles without a matching policy see no rows"
                    ),
                )]
            }
        }
        TableChange::SetLogged { unlogged } => vec![Hazard::new(
            "LK102",
            Category::Lock,
            format!(
                "rewrites \"{table}\" as {} under an exclusive lock{}",
                if *unlogged { "UNLOGGED" } else { "LOGGED" },
                if *unlogged {
                    "; its data is lost on a crash and is not replicated"
                } else {
                    ""
                }
            ),
        )],
        TableChange::AddExclude(x) => vec![Hazard::new(
            "MF108",
            Category::MayFail,
            format!(
                "adds exclusion constraint \"{}\": fails if existing rows conflict",
                x.name
            ),
        )],
        TableChange::AddCheck(c) => vec![Hazard::new(
            "MF105",
            Category::MayFail,
            format!(
                "adds check {}: fails if existing rows violate it",
                c.name
                    .as_deref()
                    .map(|n| format!("\"{n}\""))
                    .unwrap_or_default()
            ),
        )],
        TableChange::AddForeignKey(fk) => vec![Hazard::new(
            "MF106",
            Category::MayFail,
            format!(
                "adds foreign key \"{}\": fails if existing rows have no match",
                fk.name
            ),
        )],
        _ => vec![],
    }
}

fn alter_column(table: &str, from: &Column, to: &Column) -> Vec<Hazard> {
    let mut h = Vec::new();
    if from.generated.is_none() && to.generated.is_some() {
        h.push(drop_column(table, &to.name));
    }
    if from.ty.storage() != to.ty.storage() {
        if is_lossless(&from.ty, &to.ty) {
            h.push(Hazard::new(
                "LK101",
                Category::Lock,
                format!(
                    "changes the type of \"{}\" from {} to {}: may rewrite the table under an exclusive lock",
                    to.name,
                    types::display(&from.ty.storage()),
                    types::display(&to.ty.storage())
                ),
            ));
        } else {
            h.push(Hazard::new(
                "DT101",
                Category::DataLoss,
                format!(
                    "changes the type of \"{}\" from {} to {}: values may be truncated, lose precision or fail to convert",
                    to.name,
                    types::display(&from.ty.storage()),
                    types::display(&to.ty.storage())
                ),
            ));
        }
    }
    if from.nullable && !to.nullable {
        h.push(Hazard::new(
            "MF104",
            Category::MayFail,
            format!("sets \"{}\" NOT NULL: fails if it holds NULLs", to.name),
        ));
    }
    h
}

/// Type changes that keep every value.
pub fn is_lossless(from: &DataType, to: &DataType) -> bool {
    let (DataType::Builtin(a), DataType::Builtin(b)) = (from.storage(), to.storage()) else {
        return false;
    };
    let rank = |t: &str| match t {
        "smallint" => Some(1),
        "integer" => Some(2),
        "bigint" => Some(3),
        "numeric" => Some(4),
        _ => None,
    };
    if let (Some(x), Some(y)) = (rank(&a), rank(&b)) {
        return x <= y;
    }
    let len = |t: &str, base: &str| -> Option<Option<u32>> {
        if t == base {
            return Some(None);
        }
        t.strip_prefix(base)?
            .strip_prefix('(')?
            .strip_suffix(')')?
            .parse()
            .ok()
            .map(Some)
    };
    let is_text = |t: &str| t == "text";
    // varchar(n) → varchar(m ≥ n) / varchar / text; char(n) → text/varchar.
    if let Some(n) = len(&a, "character varying") {
        if is_text(&b) {
            return true;
        }
        if let Some(m) = len(&b, "character varying") {
            return match (n, m) {
                (_, None) => true,
                (Some(n), Some(m)) => m >= n,
                (None, Some(_)) => false,
            };
        }
    }
    if len(&a, "character").is_some() && (is_text(&b) || len(&b, "character varying") == Some(None))
    {
        return true;
    }
    if a == "text" && len(&b, "character varying") == Some(None) {
        return true;
    }
    matches!(
        (a.as_str(), b.as_str()),
        ("timestamp without time zone", "timestamp with time zone")
            | ("real", "double precision")
            | ("json", "jsonb")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lossless_type_changes() {
        let t = DataType::builtin;
        assert!(is_lossless(&t("integer"), &t("bigint")));
        assert!(!is_lossless(&t("bigint"), &t("integer")));
        assert!(is_lossless(
            &t("character varying(10)"),
            &t("character varying(20)")
        ));
        assert!(!is_lossless(
            &t("character varying(20)"),
            &t("character varying(10)")
        ));
        assert!(is_lossless(&t("character varying(10)"), &t("text")));
        assert!(!is_lossless(&t("text"), &t("character varying(10)")));
        assert!(!is_lossless(&t("text"), &t("integer")));
    }

    #[test]
    fn dropping_a_column_is_data_loss() {
        let c = Column::new("legacy", DataType::builtin("text"));
        let h = table_change("users", &TableChange::DropColumn(c));
        assert_eq!(h[0].code, "DS103");
        assert!(h[0].is_data_loss());
    }
}
