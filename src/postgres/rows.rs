//! Typed decoding of result rows that reports a clear error instead of panicking.
//!
//! `Row::get` panics on a type mismatch or an unexpected NULL; what a query returns is up to the
//! database, so strata reads every column through [`col`] (or [`Cols`]) and turns a value it
//! cannot decode into a [`RowError`] naming the query, the column and the reason.

use miette::Diagnostic;
use std::error::Error as _;
use std::fmt::Display;
use thiserror::Error;
use tokio_postgres::Row;
use tokio_postgres::row::RowIndex;
use tokio_postgres::types::{FromSql, WasNull};

/// A column of a result row could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Error, Diagnostic)]
#[error("unexpected value in column {column} ({what}): {reason}")]
#[diagnostic(code(strata::row))]
pub struct RowError {
    /// The query or the operation the row belongs to (`tables`, `read the revisions table`).
    pub(crate) what: &'static str,
    /// The column: its index and name, as `3 "relname"`.
    pub column: String,
    /// Why it could not be decoded.
    pub reason: String,
}

impl RowError {
    /// The column and the reason, for error types that name `what` themselves.
    pub fn detail(&self) -> String {
        format!("column {}: {}", self.column, self.reason)
    }
}

/// Column `idx` (an index or a name) of `row`, decoded as `T`; `what` names the query.
pub fn col<'a, T, I>(row: &'a Row, idx: I, what: &'static str) -> Result<T, RowError>
where
    T: FromSql<'a>,
    I: RowIndex + Display,
{
    let shown = idx.to_string();
    row.try_get(idx).map_err(|e| {
        let names: Vec<&str> = row.columns().iter().map(|c| c.name()).collect();
        let reason = match e.source() {
            Some(s) if s.is::<WasNull>() => "unexpected NULL".to_string(),
            Some(s) => s.to_string(),
            None if column_index(&names, &shown).is_none() => "no such column".to_string(),
            None => e.to_string(),
        };
        RowError {
            what,
            column: column_label(&names, &shown),
            reason,
        }
    })
}

/// A row and the query it belongs to, to read several columns with [`Cols::col`].
#[derive(Clone, Copy)]
pub struct Cols<'a> {
    row: &'a Row,
    what: &'static str,
}

impl<'a> Cols<'a> {
    pub fn new(row: &'a Row, what: &'static str) -> Cols<'a> {
        Cols { row, what }
    }

    /// Column `idx` decoded as `T`, see [`col`].
    pub fn col<T: FromSql<'a>>(&self, idx: impl RowIndex + Display) -> Result<T, RowError> {
        col(self.row, idx, self.what)
    }
}

/// The position of the column `shown` (an index or a name, as displayed) among `names`.
fn column_index(names: &[&str], shown: &str) -> Option<usize> {
    match shown.parse::<usize>() {
        Ok(i) => (i < names.len()).then_some(i),
        Err(_) => names.iter().position(|n| *n == shown),
    }
}

/// `3 "relname"`: the index and the name of the column `shown` (an index or a name); just the
/// one given when the row has no such column.
pub(crate) fn column_label(names: &[&str], shown: &str) -> String {
    match column_index(names, shown) {
        Some(i) => format!("{i} {:?}", names[i]),
        None if shown.parse::<usize>().is_ok() => shown.to_string(),
        None => format!("{shown:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_the_index_and_the_name() {
        let names = ["oid", "relname", "3"];
        assert_eq!(column_label(&names, "1"), "1 \"relname\"");
        assert_eq!(column_label(&names, "relname"), "1 \"relname\"");
        assert_eq!(column_label(&names, "7"), "7");
        assert_eq!(column_label(&names, "nope"), "\"nope\"");
    }

    #[test]
    fn the_message_names_the_query_and_the_column() {
        let e = RowError {
            what: "tables",
            column: column_label(&["oid", "relname"], "relname"),
            reason: "unexpected NULL".into(),
        };
        assert_eq!(
            e.to_string(),
            "unexpected value in column 1 \"relname\" (tables): unexpected NULL"
        );
        assert_eq!(e.detail(), "column 1 \"relname\": unexpected NULL");
    }
}
