//! Column types in HCL, Atlas's spelling: bare identifiers (`int`, `text`, `double_precision`),
//! calls (`varchar(255)`, `numeric(10, 2)`, `timestamptz(3)`), references to enums
//! (`enum.status`) and the `sql("…")` escape.

use crate::model::{DataType, QualifiedName};
use crate::postgres::types::{builtin, parse_sql_type};

/// Interval field types Atlas spells as their own identifiers (`day_to_second(4)`).
const INTERVAL_FIELDS: &[&str] = &[
    "year",
    "month",
    "day",
    "hour",
    "minute",
    "second",
    "year_to_month",
    "day_to_hour",
    "day_to_minute",
    "day_to_second",
    "hour_to_minute",
    "hour_to_second",
    "minute_to_second",
];

/// Resolves an identifier or call such as `varchar` + `[255]` to a type, or `None` when it is not
/// a type name strata knows.
pub(crate) fn from_call(name: &str, args: &[u32]) -> Option<DataType> {
    let lower = name.to_ascii_lowercase();
    let spaced = lower.replace('_', " ");
    let arglist = if args.is_empty() {
        String::new()
    } else {
        format!(
            "({})",
            args.iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
                .join(",")
        )
    };
    if INTERVAL_FIELDS.contains(&lower.as_str()) {
        return builtin(&format!("interval {spaced}{arglist}")).map(DataType::Builtin);
    }
    match lower.as_str() {
        "serial" | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2"
            if args.is_empty() =>
        {
            return Some(parse_sql_type(&lower));
        }
        _ => {}
    }
    // `timestamp_with_time_zone(3)`: precision goes after the base word.
    for (prefix, zone) in [
        ("timestamp with time zone", "with time zone"),
        ("timestamp without time zone", "without time zone"),
        ("time with time zone", "with time zone"),
        ("time without time zone", "without time zone"),
    ] {
        if spaced == prefix {
            let base = prefix.split(' ').next().unwrap_or(prefix);
            return builtin(&format!("{base}{arglist} {zone}")).map(DataType::Builtin);
        }
    }
    // Names with an underscore of their own (`event_trigger`, `pg_lsn`) as they are.
    builtin(&format!("{spaced}{arglist}"))
        .or_else(|| builtin(&format!("{lower}{arglist}")))
        .map(DataType::Builtin)
}

/// Resolves the text of `sql("…")`.
/// Types of widely used extensions that Atlas's HCL writes bare (`type = hstore`,
/// `type = vector(3)`, `type = geometry(Point,4326)`).
pub(crate) const EXTENSION_TYPES: &[&str] = &[
    "hstore",
    "citext",
    "ltree",
    "lquery",
    "ltxtquery",
    "cube",
    "seg",
    "isbn",
    "isbn13",
    "issn",
    "issn13",
    "ean13",
    "upc",
    "ismn",
    "ismn13",
    "lo",
    "vector",
    "halfvec",
    "sparsevec",
    "geometry",
    "geography",
    "box2d",
    "box3d",
    "raster",
];

/// `true` for a type name in `EXTENSION_TYPES`.
pub(crate) fn is_extension_type(name: &str) -> bool {
    EXTENSION_TYPES.contains(&name)
}

pub(crate) fn from_sql(text: &str) -> DataType {
    parse_sql_type(text)
}

/// An enum reference `enum.status` / `enum.app.status` resolved by the loader.
pub(crate) fn from_enum(q: QualifiedName) -> DataType {
    DataType::Named(q)
}

/// How a type is written in HCL. `enum_ref` turns a user type into an `enum.x` reference when the
/// model manages that enum.
pub(crate) fn to_hcl(ty: &DataType, enum_ref: &dyn Fn(&QualifiedName) -> Option<String>) -> String {
    match ty {
        DataType::Serial(k) => k.name().to_string(),
        DataType::Named(q) => match enum_ref(q) {
            Some(r) => r,
            None => sql_call(&crate::postgres::types::sql(ty)),
        },
        DataType::Builtin(b) => builtin_to_hcl(b).unwrap_or_else(|| sql_call(b)),
        // Element user types are qualified so the text loads back without PostgreSQL.
        DataType::Array(e) => match e.as_ref() {
            DataType::Named(q) => sql_call(&format!(
                "{}.{}[]",
                crate::postgres::quote::ident_if_needed(&q.schema),
                crate::postgres::quote::ident_if_needed(&q.name)
            )),
            _ => sql_call(&crate::postgres::types::display(ty)),
        },
        DataType::Unresolved(_) => sql_call(&crate::postgres::types::display(ty)),
    }
}

fn sql_call(s: &str) -> String {
    format!("sql({})", super::writer::string_literal(s))
}

/// Atlas spelling of a canonical built-in type, when there is one that loads back to the same type.
fn builtin_to_hcl(b: &str) -> Option<String> {
    let (head, args, tail) = match b.find('(') {
        Some(open) => {
            let close = b.find(')')?;
            (
                b[..open].trim(),
                Some(&b[open + 1..close]),
                b[close + 1..].trim(),
            )
        }
        None => (b, None, ""),
    };
    let args = args.map(|a| a.replace(',', ", "));
    let call = |name: &str| match &args {
        Some(a) => format!("{name}({a})"),
        None => name.to_string(),
    };
    let spelled = match (head, tail) {
        ("character varying", "") => call("varchar"),
        ("character", "") => call("char"),
        ("bit varying", "") => call("bit_varying"),
        ("double precision", "") => "double_precision".into(),
        ("timestamp", "without time zone") | ("timestamp without time zone", "") => {
            call("timestamp")
        }
        ("timestamp", "with time zone") | ("timestamp with time zone", "") => call("timestamptz"),
        ("time", "without time zone") | ("time without time zone", "") => call("time"),
        ("time", "with time zone") | ("time with time zone", "") => call("timetz"),
        (h, "")
            if h.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') =>
        {
            call(h)
        }
        _ => return None,
    };
    // Only use the spelling if it loads back to exactly this type.
    let (name, nums) = match spelled.find('(') {
        Some(open) => {
            let nums = spelled[open + 1..spelled.len() - 1]
                .split(',')
                .map(|n| n.trim().parse::<u32>().ok())
                .collect::<Option<Vec<_>>>()?;
            (&spelled[..open], nums)
        }
        None => (spelled.as_str(), vec![]),
    };
    match from_call(name, &nums) {
        Some(DataType::Builtin(back)) if back == b => Some(spelled),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: &[u32]) -> String {
        match from_call(name, args) {
            Some(DataType::Builtin(b)) => b,
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn atlas_spellings() {
        assert_eq!(call("int", &[]), "integer");
        assert_eq!(call("double_precision", &[]), "double precision");
        assert_eq!(call("character_varying", &[255]), "character varying(255)");
        assert_eq!(call("varchar", &[255]), "character varying(255)");
        assert_eq!(call("numeric", &[10, 2]), "numeric(10,2)");
        assert_eq!(call("timestamptz", &[3]), "timestamp(3) with time zone");
        assert_eq!(
            call("timestamp_with_time_zone", &[3]),
            "timestamp(3) with time zone"
        );
        assert_eq!(call("day_to_second", &[4]), "interval day to second(4)");
        assert_eq!(call("year", &[]), "interval year");
        assert_eq!(call("bit_varying", &[8]), "bit varying(8)");
        assert!(from_call("nonsense", &[]).is_none());
    }

    #[test]
    fn round_trips_every_builtin_spelling() {
        let none = |_: &QualifiedName| None;
        for canon in [
            "integer",
            "smallint",
            "bigint",
            "real",
            "double precision",
            "boolean",
            "text",
            "character varying",
            "character varying(255)",
            "character(1)",
            "character(10)",
            "bpchar",
            "numeric",
            "numeric(10,2)",
            "numeric(10,0)",
            "timestamp without time zone",
            "timestamp(3) without time zone",
            "timestamp with time zone",
            "timestamp(0) with time zone",
            "time without time zone",
            "time(2) with time zone",
            "interval",
            "interval(3)",
            "interval day to second(3)",
            "interval year",
            "bit(3)",
            "bit varying",
            "bit varying(5)",
            "uuid",
            "jsonb",
            "json",
            "bytea",
            "inet",
            "cidr",
            "macaddr",
            "money",
            "xml",
            "tsvector",
            "point",
            "int4range",
            "date",
            "\"char\"",
            "name",
            "oid",
        ] {
            let hcl = to_hcl(&DataType::builtin(canon), &none);
            let back = if let Some(inner) = hcl.strip_prefix("sql(\"") {
                from_sql(&inner[..inner.len() - 2].replace("\\\"", "\""))
            } else {
                let (name, args) = match hcl.find('(') {
                    Some(o) => (
                        &hcl[..o],
                        hcl[o + 1..hcl.len() - 1]
                            .split(',')
                            .map(|a| a.trim().parse::<u32>().unwrap())
                            .collect::<Vec<_>>(),
                    ),
                    None => (hcl.as_str(), vec![]),
                };
                from_call(name, &args).unwrap()
            };
            assert_eq!(back, DataType::builtin(canon), "{canon} -> {hcl}");
        }
    }
}
