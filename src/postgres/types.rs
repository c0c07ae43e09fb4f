//! PostgreSQL type names: turning what users write (`int`, `varchar(255)`, `timestamptz(3)`,
//! `double precision[]`) into the canonical spelling `format_type` prints, and back into SQL.

use crate::model::{ArgMode, DataType, Function, QualifiedName, SerialKind};
use crate::postgres::{ident, quote};

/// Canonicalizes a type written in SQL. Built-in types and qualified user types are resolved
/// locally; anything else (an unqualified user type, an unusual spelling) comes back as
/// [`DataType::Unresolved`] for PostgreSQL to resolve during normalization.
pub(crate) fn parse_sql_type(text: &str) -> DataType {
    let trimmed = text.trim();
    match parse_inner(trimmed) {
        Some(t) => t,
        None => DataType::Unresolved(trimmed.to_string()),
    }
}

fn parse_inner(text: &str) -> Option<DataType> {
    let text = text.trim();
    // Arrays: `x[]`, `x[3]`, `x[][]`, `x ARRAY`, `x ARRAY[3]`.
    if let Some(base) = strip_array_suffix(text) {
        let elem = parse_inner(base)?;
        if matches!(elem, DataType::Serial(_) | DataType::Array(_)) {
            return match elem {
                DataType::Array(_) => Some(elem),
                _ => None,
            };
        }
        return Some(DataType::Array(Box::new(elem)));
    }
    // Qualified names.
    if let Some([schema, name]) = ident::split(text).as_deref() {
        if schema == "pg_catalog" {
            return builtin(name).map(DataType::Builtin);
        }
        return Some(DataType::Named(QualifiedName::new(schema, name)));
    }
    if text.starts_with('"') {
        let name = ident::parse(text)?;
        if name == "char" {
            return Some(DataType::Builtin("\"char\"".into()));
        }
        return None;
    }
    let lower = text.to_ascii_lowercase();
    match lower.as_str() {
        "serial" | "serial4" => return Some(DataType::Serial(SerialKind::Regular)),
        "bigserial" | "serial8" => return Some(DataType::Serial(SerialKind::Big)),
        "smallserial" | "serial2" => return Some(DataType::Serial(SerialKind::Small)),
        _ => {}
    }
    builtin(&lower).map(DataType::Builtin)
}

fn strip_array_suffix(text: &str) -> Option<&str> {
    let t = text.trim_end();
    if let Some(stripped) = t.strip_suffix(']') {
        let open = stripped.rfind('[')?;
        let dims = &stripped[open + 1..];
        if dims
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_whitespace())
        {
            let base = stripped[..open].trim_end();
            // Collapse further dimensions: `int[][]` is the same type as `int[]`.
            return Some(strip_array_suffix(base).unwrap_or(base));
        }
        // `x ARRAY[3]`
        let before = stripped[..open].trim_end();
        let upper = before.to_ascii_uppercase();
        if upper.ends_with(" ARRAY") {
            return Some(before[..before.len() - 6].trim_end());
        }
        return None;
    }
    let upper = t.to_ascii_uppercase();
    if upper.ends_with(" ARRAY") {
        return Some(t[..t.len() - 6].trim_end());
    }
    None
}

/// Splits `name(args) rest` into the name words, the arguments and anything after the parens.
fn split_args(text: &str) -> Option<(String, Vec<String>, String)> {
    match text.find('(') {
        None => Some((text.to_string(), vec![], String::new())),
        Some(open) => {
            let close = text[open..].find(')')? + open;
            let args = text[open + 1..close]
                .split(',')
                .map(|a| a.trim().to_string())
                .collect::<Vec<_>>();
            if args
                .iter()
                .any(|a| a.is_empty() || !a.chars().all(|c| c.is_ascii_digit()))
            {
                return None;
            }
            Some((
                text[..open].trim().to_string(),
                args,
                text[close + 1..].trim().to_string(),
            ))
        }
    }
}

fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Built-in types without modifiers, spelled as `format_type` spells them.
const PLAIN: &[&str] = &[
    "text",
    "date",
    "uuid",
    "json",
    "jsonb",
    "bytea",
    "inet",
    "cidr",
    "macaddr",
    "macaddr8",
    "money",
    "xml",
    "tsvector",
    "tsquery",
    "point",
    "line",
    "lseg",
    "box",
    "path",
    "polygon",
    "circle",
    "oid",
    "name",
    "xid",
    "xid8",
    "cid",
    "tid",
    "regclass",
    "regcollation",
    "regconfig",
    "regdictionary",
    "regnamespace",
    "regoper",
    "regoperator",
    "regproc",
    "regprocedure",
    "regrole",
    "regtype",
    "int4range",
    "int8range",
    "numrange",
    "tsrange",
    "tstzrange",
    "daterange",
    "int4multirange",
    "int8multirange",
    "nummultirange",
    "tsmultirange",
    "tstzmultirange",
    "datemultirange",
    "pg_lsn",
    "pg_snapshot",
    "txid_snapshot",
    "jsonpath",
    "record",
    "void",
    "trigger",
    "event_trigger",
    "anyelement",
    "anyarray",
    "anynonarray",
    "anyenum",
    "anyrange",
    "internal",
    "unknown",
];

/// Canonical `format_type` spelling of a built-in type written in lower case, or `None`.
pub(crate) fn builtin(lower: &str) -> Option<String> {
    let (name, args, rest) = split_args(lower)?;
    let t = Spelled {
        name: words(&name),
        args,
        rest: words(&rest),
    };
    // The families are disjoint: at most one knows the name.
    t.number()
        .or_else(|| t.character())
        .or_else(|| t.time())
        .or_else(|| t.bits())
        .or_else(|| t.plain())
}

/// A type name as written: the words of its name, its modifiers, and the words after them.
struct Spelled {
    name: String,
    args: Vec<String>,
    rest: String,
}

impl Spelled {
    /// Modifier `i` as a number.
    fn n(&self, i: usize) -> Option<u32> {
        self.args.get(i).and_then(|a| a.parse::<u32>().ok())
    }

    /// `s` when the type has no modifiers and nothing after its name.
    fn simple(&self, s: &str) -> Option<String> {
        (self.args.is_empty() && self.rest.is_empty()).then(|| s.to_string())
    }

    /// At most one modifier and nothing after it.
    fn one_modifier(&self) -> bool {
        self.rest.is_empty() && self.args.len() <= 1
    }

    fn number(&self) -> Option<String> {
        match self.name.as_str() {
            "smallint" | "int2" => self.simple("smallint"),
            "integer" | "int" | "int4" => self.simple("integer"),
            "bigint" | "int8" => self.simple("bigint"),
            "real" | "float4" => self.simple("real"),
            "double precision" | "float8" => self.simple("double precision"),
            "float" if self.one_modifier() => match self.n(0) {
                Some(p) if (1..=24).contains(&p) => Some("real".into()),
                Some(p) if (25..=53).contains(&p) => Some("double precision".into()),
                Some(_) => None,
                None => Some("double precision".into()),
            },
            "numeric" | "decimal" if self.rest.is_empty() => {
                match (self.n(0), self.n(1), self.args.len()) {
                    (None, _, 0) => Some("numeric".into()),
                    (Some(p), None, 1) => Some(format!("numeric({p},0)")),
                    (Some(p), Some(s), 2) => Some(format!("numeric({p},{s})")),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn character(&self) -> Option<String> {
        match self.name.as_str() {
            "boolean" | "bool" => self.simple("boolean"),
            "varchar" | "character varying" | "char varying" if self.one_modifier() => {
                Some(match self.n(0) {
                    Some(l) => format!("character varying({l})"),
                    None => "character varying".into(),
                })
            }
            "char" | "character" | "bpchar" if self.one_modifier() => {
                Some(match (self.name.as_str(), self.n(0)) {
                    (_, Some(l)) => format!("character({l})"),
                    ("bpchar", None) => "bpchar".into(),
                    (_, None) => "character(1)".into(),
                })
            }
            _ => None,
        }
    }

    /// `base(p) zone`, or `base zone` without a precision.
    fn with_p(&self, base: &str, zone: &str) -> String {
        match self.n(0) {
            Some(p) => format!("{base}({p}) {zone}"),
            None => format!("{base} {zone}"),
        }
    }

    /// The time-zone suffix after a precision (`timestamp(3) with time zone`).
    fn zone(&self) -> Option<&'static str> {
        match self.rest.as_str() {
            "" | "without time zone" => Some("without time zone"),
            "with time zone" => Some("with time zone"),
            _ => None,
        }
    }

    fn time(&self) -> Option<String> {
        match self.name.as_str() {
            "timestamp" => Some(self.with_p("timestamp", self.zone()?)),
            "timestamptz" if self.rest.is_empty() => {
                Some(self.with_p("timestamp", "with time zone"))
            }
            "time" => Some(self.with_p("time", self.zone()?)),
            "timetz" if self.rest.is_empty() => Some(self.with_p("time", "with time zone")),
            "timestamp without time zone"
            | "timestamp with time zone"
            | "time without time zone"
            | "time with time zone" => self.simple(&self.name),
            iv if iv.starts_with("interval ") && self.one_modifier() => {
                let fields = iv["interval ".len()..].to_string();
                let with_p = match self.n(0) {
                    Some(p) => format!("{fields}({p})"),
                    None => fields,
                };
                interval(&[], &with_p)
            }
            "interval" => interval(&self.args, &self.rest),
            _ => None,
        }
    }

    fn bits(&self) -> Option<String> {
        match self.name.as_str() {
            "bit" if self.one_modifier() => Some(format!("bit({})", self.n(0).unwrap_or(1))),
            "varbit" | "bit varying" if self.one_modifier() => Some(match self.n(0) {
                Some(l) => format!("bit varying({l})"),
                None => "bit varying".into(),
            }),
            _ => None,
        }
    }

    fn plain(&self) -> Option<String> {
        if PLAIN.contains(&self.name.as_str()) {
            self.simple(&self.name)
        } else {
            None
        }
    }
}

fn interval(args: &[String], rest: &str) -> Option<String> {
    // `interval(3)`, `interval day to second(3)`, `interval year`.
    const FIELDS: &[&str] = &[
        "year",
        "month",
        "day",
        "hour",
        "minute",
        "second",
        "year to month",
        "day to hour",
        "day to minute",
        "day to second",
        "hour to minute",
        "hour to second",
        "minute to second",
    ];
    if rest.is_empty() {
        return match args {
            [] => Some("interval".into()),
            [p] => Some(format!("interval({p})")),
            _ => None,
        };
    }
    // `interval(3) day`? PostgreSQL doesn't accept precision before fields.
    if !args.is_empty() {
        return None;
    }
    let (fields, prec) = match rest.find('(') {
        Some(open) => {
            let close = rest.find(')')?;
            let p = rest[open + 1..close].trim().parse::<u32>().ok()?;
            (words(&rest[..open]), Some(p))
        }
        None => (rest.to_string(), None),
    };
    if !FIELDS.contains(&fields.as_str()) {
        return None;
    }
    if prec.is_some() && !fields.ends_with("second") {
        return None;
    }
    Some(match prec {
        Some(p) => format!("interval {fields}({p})"),
        None => format!("interval {fields}"),
    })
}

/// The SQL spelling of a type for DDL. Serials keep their pseudo-type name, which is only valid
/// in `CREATE TABLE` / `ADD COLUMN`.
pub(crate) fn sql(ty: &DataType) -> String {
    match ty {
        DataType::Builtin(s) => s.clone(),
        DataType::Serial(k) => k.name().to_string(),
        DataType::Named(q) => quote::qualified(q),
        DataType::Array(e) => format!("{}[]", sql(e)),
        DataType::Unresolved(s) => s.clone(),
    }
}

/// The SQL spelling of the type a column stores (serials as their integer type).
pub(crate) fn storage_sql(ty: &DataType) -> String {
    sql(&ty.storage())
}

/// How the type reads in a plan or an error: `format_type` style, user types qualified only
/// outside `public`.
pub(crate) fn display(ty: &DataType) -> String {
    match ty {
        DataType::Builtin(s) => s.clone(),
        DataType::Serial(k) => k.name().to_string(),
        DataType::Named(q) if q.schema == "public" => quote::ident_if_needed(&q.name),
        DataType::Named(q) => format!(
            "{}.{}",
            quote::ident_if_needed(&q.schema),
            quote::ident_if_needed(&q.name)
        ),
        DataType::Array(e) => format!("{}[]", display(e)),
        DataType::Unresolved(s) => s.clone(),
    }
}

/// An aggregate's key, in the functions' namespace: `name(type, type)`; `name()` for `(*)`.
pub(crate) fn aggregate_signature(a: &crate::model::Aggregate) -> String {
    let types: Vec<String> = a.args.iter().map(|a| display(&a.ty)).collect();
    format!("{}({})", a.name, types.join(", "))
}

/// The key that identifies a routine among overloads: `name(type, type)` over input types.
pub(crate) fn signature(f: &Function) -> String {
    let types: Vec<String> = f
        .args
        .iter()
        .filter(|a| a.mode != ArgMode::Out)
        .map(|a| display(&a.ty))
        .collect();
    format!("{}({})", f.name, types.join(", "))
}

/// The name of the type without modifiers, as PostgreSQL prints it in a cast of a literal:
/// `character varying(10)` → `character varying`, `character(3)` → `bpchar`.
pub(crate) fn cast_name(ty: &DataType) -> Option<String> {
    Some(match ty {
        DataType::Builtin(s) => {
            let base = match s.find('(') {
                Some(open) => {
                    let close = s.find(')')?;
                    words(&format!("{} {}", &s[..open], &s[close + 1..]))
                }
                None => s.clone(),
            };
            match base.as_str() {
                "character" => "bpchar".to_string(),
                "interval" => "interval".to_string(),
                b if b.starts_with("interval ") => "interval".to_string(),
                b => b.to_string(),
            }
        }
        DataType::Named(_) => display(ty),
        DataType::Array(e) => format!("{}[]", cast_name(e)?),
        DataType::Serial(_) | DataType::Unresolved(_) => return None,
    })
}

/// Broad type category, used to decide whether a type change needs `USING`.
pub(crate) fn category(ty: &DataType) -> &'static str {
    match ty {
        DataType::Serial(_) => "numeric",
        DataType::Builtin(s) => {
            let base = s.split('(').next().unwrap_or(s).trim();
            match base {
                "smallint" | "integer" | "bigint" | "real" | "double precision" | "numeric" => {
                    "numeric"
                }
                "text" | "character varying" | "character" | "bpchar" | "name" => "string",
                "timestamp" | "timestamp without time zone" | "timestamp with time zone" => {
                    "timestamp"
                }
                "time" | "time without time zone" | "time with time zone" => "time",
                "bit" | "bit varying" => "bit",
                "json" | "jsonb" => "json",
                "inet" | "cidr" => "network",
                _ if s.starts_with("timestamp") => "timestamp",
                _ if s.starts_with("time") => "time",
                _ if s.starts_with("interval") => "interval",
                _ => "other",
            }
        }
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        match parse_sql_type(s) {
            DataType::Builtin(b) => b,
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn canonicalizes_builtin_aliases() {
        assert_eq!(canon("int"), "integer");
        assert_eq!(canon("INT4"), "integer");
        assert_eq!(canon("int8"), "bigint");
        assert_eq!(canon("float8"), "double precision");
        assert_eq!(canon("float(10)"), "real");
        assert_eq!(canon("float(30)"), "double precision");
        assert_eq!(canon("varchar(255)"), "character varying(255)");
        assert_eq!(canon("character varying"), "character varying");
        assert_eq!(canon("char"), "character(1)");
        assert_eq!(canon("char(5)"), "character(5)");
        assert_eq!(canon("bpchar"), "bpchar");
        assert_eq!(canon("numeric(10)"), "numeric(10,0)");
        assert_eq!(canon("decimal(10, 2)"), "numeric(10,2)");
        assert_eq!(canon("timestamptz"), "timestamp with time zone");
        assert_eq!(canon("timestamptz(3)"), "timestamp(3) with time zone");
        assert_eq!(canon("timestamp(3)"), "timestamp(3) without time zone");
        assert_eq!(
            canon("timestamp with time zone"),
            "timestamp with time zone"
        );
        assert_eq!(canon("timetz(2)"), "time(2) with time zone");
        assert_eq!(
            canon("interval day to second(3)"),
            "interval day to second(3)"
        );
        assert_eq!(canon("interval(2)"), "interval(2)");
        assert_eq!(canon("bit"), "bit(1)");
        assert_eq!(canon("varbit(5)"), "bit varying(5)");
        assert_eq!(canon("\"char\""), "\"char\"");
        assert_eq!(canon("pg_catalog.int4"), "integer");
    }

    #[test]
    fn arrays_and_user_types() {
        assert_eq!(
            parse_sql_type("varchar(20)[]"),
            DataType::Array(Box::new(DataType::builtin("character varying(20)")))
        );
        assert_eq!(
            parse_sql_type("int[][]"),
            DataType::Array(Box::new(DataType::builtin("integer")))
        );
        assert_eq!(
            parse_sql_type("integer ARRAY[4]"),
            DataType::Array(Box::new(DataType::builtin("integer")))
        );
        assert_eq!(
            parse_sql_type("app.\"My Type\"[]"),
            DataType::Array(Box::new(DataType::Named(QualifiedName::new(
                "app", "My Type"
            ))))
        );
        assert_eq!(
            parse_sql_type("citext"),
            DataType::Unresolved("citext".into())
        );
        assert_eq!(
            parse_sql_type("serial"),
            DataType::Serial(SerialKind::Regular)
        );
    }

    #[test]
    fn cast_names_drop_modifiers() {
        assert_eq!(
            cast_name(&DataType::builtin("character varying(10)")).as_deref(),
            Some("character varying")
        );
        assert_eq!(
            cast_name(&DataType::builtin("character(3)")).as_deref(),
            Some("bpchar")
        );
        assert_eq!(
            cast_name(&DataType::builtin("timestamp(3) with time zone")).as_deref(),
            Some("timestamp with time zone")
        );
    }
}
