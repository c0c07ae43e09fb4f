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
