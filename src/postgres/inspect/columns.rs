//! Column rows and table storage parameters.

use super::*;

pub(super) fn column_from_row(r: &Row) -> Result<Column, RowError> {
    let r = Cols::new(r, "columns");
    let fmt: String = r.col::<Option<String>>("fmt")?.unwrap_or_default();
    let typschema: String = r.col("typschema")?;
    let typname: String = r.col("typname")?;
    let is_array: bool = r.col("is_array")?;
    let ty = if is_array {
        let elem_schema: String = r.col("elemschema")?;
        let elem = if elem_schema == "pg_catalog" {
            DataType::Builtin(r.col::<Option<String>>("elemfmt")?.unwrap_or_default())
        } else {
            DataType::Named(QualifiedName::new(
                elem_schema,
                r.col::<String>("elemname")?,
            ))
        };
        DataType::Array(Box::new(elem))
    } else if typschema == "pg_catalog" {
        DataType::Builtin(fmt.clone())
    } else {
        DataType::Named(QualifiedName::new(typschema, typname))
    };
    let mut default: Option<String> = r.col("def")?;
    let serial: bool = r.col("is_serial")?;
    let ty = match (&ty, serial) {
        (DataType::Builtin(b), true) => match SerialKind::from_integer_type(b) {
            Some(kind) => {
                default = None;
                DataType::Serial(kind)
            }
            None => ty,
        },
        _ => ty,
    };
    let identity_kind: i8 = r.col("attidentity")?;
    let identity = match identity_kind as u8 {
        b'a' | b'd' => {
            let increment = r.col::<Option<i64>>("seqincrement")?.unwrap_or(1);
            let seqtype: Option<String> = r.col("seqtype")?;
            let (lo, hi) =
                objects::sequence_defaults(seqtype.as_deref().unwrap_or("bigint"), increment > 0);
            let min = r.col::<Option<i64>>("seqmin")?.unwrap_or(lo);
            let max = r.col::<Option<i64>>("seqmax")?.unwrap_or(hi);
            Some(Box::new(Identity {
                always: identity_kind as u8 == b'a',
                start: r.col::<Option<i64>>("seqstart")?.unwrap_or(1),
                increment,
                min_value: (min != lo).then_some(min),
                max_value: (max != hi).then_some(max),
                cache: r.col::<Option<i64>>("seqcache")?.unwrap_or(1),
                cycle: r.col::<Option<bool>>("seqcycle")?.unwrap_or(false),
            }))
        }
        _ => None,
    };
    let generated_kind: i8 = r.col("attgenerated")?;
    let generated = if generated_kind as u8 == b's' {
        default.take()
    } else {
        None
    };
    Ok(Column {
        name: r.col("attname")?,
        ty,
        nullable: !r.col::<bool>("attnotnull")?,
        default,
        identity,
        generated,
        collation: r.col("collation")?,
        comment: r.col("comment")?,
        storage: r
            .col::<Option<String>>("storage")?
            .as_deref()
            .and_then(crate::model::Storage::parse),
        compression: r
            .col::<Option<String>>("compression")?
            .as_deref()
            .and_then(crate::model::Compression::parse),
        statistics: r.col::<Option<i32>>("statistics")?,
    })
}

/// `reloptions` (`{fillfactor=70,autovacuum_enabled=off}`) as a map.
pub(super) fn storage_params(
    options: Option<&[String]>,
) -> std::collections::BTreeMap<String, String> {
    options
        .unwrap_or_default()
        .iter()
        .filter_map(|o| o.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A row of the columns query: the column of relation `rel` at `num`.
pub(super) struct ColRow {
    pub(super) rel: u32,
    pub(super) num: i16,
    pub(super) column: Column,
    /// Its `n_distinct` and `n_distinct_inherited` options, which the model leaves out.
    pub(super) n_distinct: Option<Vec<String>>,
}

impl ColRow {
    pub(super) fn from_row(r: &Row) -> Result<ColRow, RowError> {
        Ok(ColRow {
            rel: col(r, "attrelid", "columns")?,
            num: col(r, "attnum", "columns")?,
            column: column_from_row(r)?,
            n_distinct: col(r, "n_distinct", "columns")?,
        })
    }
}

/// Puts `columns`, whose attnums are `nums`, in attnum order (in place, without new room
/// when they are in order already).
fn in_attnum_order(columns: &mut Vec<Column>, nums: Vec<i16>) {
    if nums.is_sorted() {
        return;
    }
    let mut numbered: Vec<(i16, Column)> = nums.into_iter().zip(columns.drain(..)).collect();
    numbered.sort_unstable_by_key(|(num, _)| *num);
    columns.extend(numbered.into_iter().map(|(_, c)| c));
}

/// Column names by (relation, attnum), for constraints and indexes that list attnums; the
/// columns go to their tables, and their unmodeled options to `unmanaged` (when given).
/// Inherited columns are read for the keys that use them.
pub(super) async fn attnames<C: GenericClient + Sync>(
    client: &C,
    by_oid: &mut HashMap<u32, Table>,
    column_rows: Vec<ColRow>,
    constraint_rows: &[ConRow],
    index_rows: &[IdxRow],
    mut unmanaged: Option<&mut Vec<Unmanaged>>,
) -> Result<HashMap<(u32, i16), String>, InspectError> {
    let mut attnames: HashMap<(u32, i16), String> = HashMap::with_capacity(column_rows.len());
    // Each table's columns in a list of exactly their number (pushing one at a time leaves up
    // to half of it spare).
    let mut counts: HashMap<u32, usize> = HashMap::with_capacity(by_oid.len());
    for row in &column_rows {
        *counts.entry(row.rel).or_default() += 1;
    }
    let mut nums: HashMap<u32, Vec<i16>> = HashMap::with_capacity(counts.len());
    for (oid, n) in counts {
        if let Some(table) = by_oid.get_mut(&oid) {
            table.columns.reserve_exact(n);
            nums.insert(oid, Vec::with_capacity(n));
        }
    }
    for row in column_rows {
        attnames.insert((row.rel, row.num), row.column.name.clone());
        let (Some(table), Some(table_nums)) = (by_oid.get_mut(&row.rel), nums.get_mut(&row.rel))
        else {
            continue;
        };
        if let (Some(warnings), Some(options)) = (unmanaged.as_deref_mut(), row.n_distinct) {
            warnings.extend(options.into_iter().map(|value| {
                Unmanaged::column_option(&table.schema, &table.name, &row.column.name, value)
            }));
        }
        table.columns.push(row.column);
        table_nums.push(row.num);
    }
    // The rows come in no particular order (an ORDER BY made the server sort every column's
    // wide row, spilling to disk on large catalogs): put each table's columns in attnum order.
    for (oid, table_nums) in nums {
        if let Some(table) = by_oid.get_mut(&oid) {
            in_attnum_order(&mut table.columns, table_nums);
        }
    }
    // Inherited columns are not the child's own, but its constraints and indexes may use them.
    let mut known: std::collections::HashSet<u32> = attnames.keys().map(|(o, _)| *o).collect();
    for (oid, t) in by_oid.iter() {
        if !t.inherits.is_empty() {
            known.remove(oid);
        }
    }
    let missing: Vec<u32> = constraint_rows
        .iter()
        .flat_map(|r| [r.conrelid, r.confrelid])
        .chain(index_rows.iter().map(|r| r.rel))
        .filter(|oid| *oid != 0 && !known.contains(oid))
        .collect::<std::collections::BTreeSet<u32>>()
        .into_iter()
        .collect();
    if !missing.is_empty() {
        let rows = client
            .query(
                "SELECT attrelid, attnum, attname::text FROM pg_attribute WHERE attrelid = ANY($1) AND attnum > 0 AND NOT attisdropped",
                &[&missing],
            )
            .await
            .map_err(|e| InspectError::query("constraint columns", &e))?;
        for r in &rows {
            let r = Cols::new(r, "constraint columns");
            attnames.insert((r.col(0)?, r.col(1)?), r.col(2)?);
        }
    }
    Ok(attnames)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(columns: &[Column]) -> Vec<&str> {
        columns.iter().map(|c| c.name.as_str()).collect()
    }

    #[test]
    fn columns_read_out_of_order_are_put_in_attnum_order() {
        let int = || DataType::Builtin("integer".into());
        let mut columns = vec![
            Column::new("c", int()),
            Column::new("a", int()),
            Column::new("b", int()),
        ];
        in_attnum_order(&mut columns, vec![3, 1, 2]);
        assert_eq!(names(&columns), ["a", "b", "c"]);
        // Already in order: left as it is.
        in_attnum_order(&mut columns, vec![1, 2, 3]);
        assert_eq!(names(&columns), ["a", "b", "c"]);
    }
}
