//! Constraint rows: keys, foreign keys (actions, deferrability), checks, exclusions.

use super::*;

/// A constraint row, kept small until column names are known.
pub(super) struct ConRow {
    pub(super) conrelid: u32,
    pub(super) name: String,
    pub(super) contype: u8,
    pub(super) conkey: Vec<i16>,
    pub(super) confkey: Vec<i16>,
    pub(super) confrelid: u32,
    pub(super) ref_schema: Option<String>,
    pub(super) ref_table: Option<String>,
    pub(super) confupdtype: i8,
    pub(super) confdeltype: i8,
    pub(super) deferrable: Deferrable,
    pub(super) check_expr: Option<String>,
    pub(super) indkey: Option<Vec<i16>>,
    pub(super) indnkeyatts: Option<i16>,
    pub(super) nulls_not_distinct: bool,
    pub(super) comment: Option<String>,
    pub(super) validated: bool,
    pub(super) no_inherit: bool,
}

impl ConRow {
    pub(super) fn from_row(r: &Row) -> Result<ConRow, RowError> {
        let r = Cols::new(r, "constraints");
        Ok(ConRow {
            conrelid: r.col("conrelid")?,
            name: r.col("conname")?,
            contype: r.col::<i8>("contype")? as u8,
            conkey: r.col::<Option<Vec<i16>>>("conkey")?.unwrap_or_default(),
            confkey: r.col::<Option<Vec<i16>>>("confkey")?.unwrap_or_default(),
            confrelid: r.col("confrelid")?,
            ref_schema: r.col("ref_schema")?,
            ref_table: r.col("ref_table")?,
            confupdtype: r.col("confupdtype")?,
            confdeltype: r.col("confdeltype")?,
            deferrable: deferrable(r)?,
            check_expr: r.col("check_expr")?,
            indkey: r.col("indkey")?,
            indnkeyatts: r.col("indnkeyatts")?,
            nulls_not_distinct: r.col("nulls_not_distinct")?,
            comment: r.col("comment")?,
            validated: r.col("convalidated")?,
            no_inherit: r.col("connoinherit")?,
        })
    }
}

pub(super) fn action(code: i8) -> ReferentialAction {
    match code as u8 {
        b'r' => ReferentialAction::Restrict,
        b'c' => ReferentialAction::Cascade,
        b'n' => ReferentialAction::SetNull,
        b'd' => ReferentialAction::SetDefault,
        _ => ReferentialAction::NoAction,
    }
}

pub(super) fn deferrable(r: Cols<'_>) -> Result<Deferrable, RowError> {
    Ok(
        match (
            r.col::<bool>("condeferrable")?,
            r.col::<bool>("condeferred")?,
        ) {
            (false, _) => Deferrable::NotDeferrable,
            (true, false) => Deferrable::InitiallyImmediate,
            (true, true) => Deferrable::InitiallyDeferred,
        },
    )
}
