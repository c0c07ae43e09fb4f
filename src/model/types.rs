//! Column data types.

use super::QualifiedName;
use serde::{Deserialize, Serialize};

/// The type of a column.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) enum DataType {
    /// A built-in type spelled exactly as PostgreSQL's `format_type` prints it, e.g. `integer`,
    /// `character varying(255)`, `timestamp(3) with time zone`.
    Builtin(String),
    /// `smallserial`, `serial`, `bigserial`: an integer column whose default draws from a
    /// sequence the column owns.
    Serial(SerialKind),
    /// A user-defined or extension type (enum, domain, composite, `citext`, …).
    Named(QualifiedName),
    /// An array of the element type (PostgreSQL ignores declared dimensions).
    Array(Box<DataType>),
    /// An `sql("…")` type strata could not canonicalize on its own; PostgreSQL resolves it during
    /// normalization.
    Unresolved(String),
}

/// The three serial pseudo-types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) enum SerialKind {
    Small,
    Regular,
    Big,
}

impl SerialKind {
    /// The integer type underneath.
    pub(crate) fn integer_type(self) -> &'static str {
        match self {
            SerialKind::Small => "smallint",
            SerialKind::Regular => "integer",
            SerialKind::Big => "bigint",
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            SerialKind::Small => "smallserial",
            SerialKind::Regular => "serial",
            SerialKind::Big => "bigserial",
        }
    }

    pub(crate) fn from_integer_type(ty: &str) -> Option<Self> {
        match ty {
            "smallint" => Some(SerialKind::Small),
            "integer" => Some(SerialKind::Regular),
            "bigint" => Some(SerialKind::Big),
            _ => None,
        }
    }
}

impl DataType {
    #[cfg(test)]
    pub(crate) fn builtin(s: &str) -> Self {
        DataType::Builtin(s.to_string())
    }

    /// The type with serials replaced by their integer type: what the column really stores.
    pub(crate) fn storage(&self) -> DataType {
        match self {
            DataType::Serial(k) => DataType::Builtin(k.integer_type().to_string()),
            other => other.clone(),
        }
    }

    /// User types this type refers to (the element type of arrays included).
    pub(crate) fn named(&self) -> Option<&QualifiedName> {
        match self {
            DataType::Named(q) => Some(q),
            DataType::Array(e) => e.named(),
            _ => None,
        }
    }
}
