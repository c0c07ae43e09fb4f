//! Literal column defaults (`default = "active"`, `default = 0`, `default = true`) and the
//! spelling PostgreSQL stores them in (`'active'::status`, `0`, `true`).
//!
//! The prediction is an optimization: a default whose predicted form equals what the database
//! holds needs no round trip through the scratch database. A wrong prediction only costs that
//! round trip, never correctness, because differing tables are normalized by PostgreSQL itself.

use crate::model::DataType;
use crate::postgres::{quote, types};

/// The default of a column drawing from sequence `seq` of `schema` as this program writes it
/// for a column that leaves its parent's serial: `nextval('seq'::regclass)`, qualified outside
/// `public`, names quoted where PostgreSQL quotes them (`nextval('"Odd ""seq"'::regclass)`).
pub(crate) fn nextval_default(schema: &str, seq: &str) -> String {
    use crate::postgres::quote::{ident_if_needed, literal};
    let seq = if schema == "public" {
        ident_if_needed(seq)
    } else {
        format!("{}.{}", ident_if_needed(schema), ident_if_needed(seq))
    };
    format!("nextval({}::regclass)", literal(&seq))
}

/// Whether `default` is `nextval('seq'::regclass)` for `seq` (qualified or not, quoted or not).
pub(crate) fn draws_from(default: &str, seq: &crate::model::QualifiedName) -> bool {
    let Some(inner) = default
        .trim()
        .strip_prefix("nextval('")
        .and_then(|r| r.strip_suffix("'::regclass)"))
    else {
        return false;
    };
    let inner = inner.replace("''", "'");
    match crate::postgres::ident::split(&inner).as_deref() {
        Some([n]) => *n == seq.name,
        Some([s, n]) => *s == seq.schema && *n == seq.name,
        _ => false,
    }
}

/// A literal written in HCL.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    String(String),
    /// The number as written (`5`, `-1`, `1.5`).
    Number(String),
    Bool(bool),
}

/// The expression PostgreSQL is expected to store for `lit` as the default of a column of type
/// `ty`. Always valid SQL, so it can also be used in DDL.
pub(crate) fn canonical(lit: &Literal, ty: &DataType) -> String {
    match lit {
        Literal::Bool(b) => b.to_string(),
        Literal::Number(n) => number(n),
        Literal::String(s) => match types::cast_name(ty) {
            Some(cast) => format!("{}::{cast}", quote::literal(s)),
            None => quote::literal(s),
        },
    }
}

fn number(n: &str) -> String {
    let negative = n.starts_with('-');
    let digits = n.trim_start_matches('-');
    let is_int = !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit());
    if is_int {
        if let Ok(v) = n.parse::<i64>() {
            if i32::try_from(v).is_ok() {
                return if negative {
                    format!("'{v}'::integer")
                } else {
                    v.to_string()
                };
            }
            return format!("'{v}'::bigint");
        }
        return format!("'{n}'::numeric");
    }
    let plain_decimal =
        digits.chars().all(|c| c.is_ascii_digit() || c == '.') && digits.matches('.').count() == 1;
    if plain_decimal && !negative {
        n.to_string()
    } else {
        format!("'{n}'::numeric")
    }
}

/// The literal that `canonical` turns back into exactly `expr`, if there is one. The HCL writer
/// uses it to print `default = "active"` instead of `default = sql("'active'::status")`.
pub(crate) fn literal_of(expr: &str, ty: &DataType) -> Option<Literal> {
    let candidate = if expr == "true" || expr == "false" {
        Literal::Bool(expr == "true")
    } else if let Some(rest) = expr.strip_prefix('\'') {
        let close = find_closing_quote(rest)?;
        let body = rest[..close].replace("''", "'");
        let after = &rest[close + 1..];
        let is_number_cast = matches!(after, "::integer" | "::bigint" | "::numeric");
        if is_number_cast && body.parse::<f64>().is_ok() && !body.contains(['e', 'E']) {
            Literal::Number(body)
        } else {
            Literal::String(body)
        }
    } else if expr.chars().all(|c| c.is_ascii_digit() || c == '.') && !expr.is_empty() {
        Literal::Number(expr.to_string())
    } else {
        return None;
    };
    // A number literal must survive HCL's own number formatting.
    if let Literal::Number(n) = &candidate {
        if n.contains('.') && (n.ends_with('0') || n.starts_with('.') || n.ends_with('.')) {
            return None;
        }
        if n.trim_start_matches('-').starts_with('0')
            && n.trim_start_matches('-').len() > 1
            && !n.contains('.')
        {
            return None;
        }
    }
    (canonical(&candidate, ty) == expr).then_some(candidate)
}

fn find_closing_quote(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            if bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::QualifiedName;

    #[test]
    fn nextval_default_quotes_like_postgres() {
        assert_eq!(
            nextval_default("public", "t_id_seq"),
            "nextval('t_id_seq'::regclass)"
        );
        assert_eq!(
            nextval_default("app", "t_id_seq"),
            "nextval('app.t_id_seq'::regclass)"
        );
        assert_eq!(
            nextval_default("My App", "it's \"x\"_seq"),
            "nextval('\"My App\".\"it''s \"\"x\"\"_seq\"'::regclass)"
        );
        let q = QualifiedName::new("My App", "it's \"x\"_seq");
        assert!(draws_from(&nextval_default("My App", "it's \"x\"_seq"), &q));
    }

    fn t(s: &str) -> DataType {
        DataType::builtin(s)
    }

    #[test]
    fn predicts_postgres_spelling() {
        assert_eq!(
            canonical(&Literal::String("x".into()), &t("text")),
            "'x'::text"
        );
        assert_eq!(
            canonical(&Literal::String("y".into()), &t("character varying(5)")),
            "'y'::character varying"
        );
        assert_eq!(
            canonical(&Literal::String("abc".into()), &t("character(3)")),
            "'abc'::bpchar"
        );
        assert_eq!(
            canonical(&Literal::String("it's".into()), &t("text")),
            "'it''s'::text"
        );
        assert_eq!(
            canonical(&Literal::Number("-1".into()), &t("integer")),
            "'-1'::integer"
        );
        assert_eq!(canonical(&Literal::Number("5".into()), &t("bigint")), "5");
        assert_eq!(
            canonical(&Literal::Number("1.5".into()), &t("numeric")),
            "1.5"
        );
        assert_eq!(
            canonical(&Literal::Number("-2.5".into()), &t("numeric")),
            "'-2.5'::numeric"
        );
        assert_eq!(
            canonical(&Literal::Number("2147483648".into()), &t("integer")),
            "'2147483648'::bigint"
        );
        let st = DataType::Named(QualifiedName::new("app", "st"));
        assert_eq!(canonical(&Literal::String("x".into()), &st), "'x'::app.st");
        let status = DataType::Named(QualifiedName::new("public", "status"));
        assert_eq!(
            canonical(&Literal::String("a".into()), &status),
            "'a'::status"
        );
    }

    #[test]
    fn recovers_literals_that_round_trip() {
        assert_eq!(
            literal_of("'x'::text", &t("text")),
            Some(Literal::String("x".into()))
        );
        assert_eq!(
            literal_of("'it''s'::text", &t("text")),
            Some(Literal::String("it's".into()))
        );
        assert_eq!(
            literal_of("5", &t("integer")),
            Some(Literal::Number("5".into()))
        );
        assert_eq!(
            literal_of("'-1'::integer", &t("integer")),
            Some(Literal::Number("-1".into()))
        );
        assert_eq!(literal_of("true", &t("boolean")), Some(Literal::Bool(true)));
        assert_eq!(literal_of("now()", &t("timestamp with time zone")), None);
        assert_eq!(
            literal_of("'{}'::jsonb", &t("jsonb")),
            Some(Literal::String("{}".into()))
        );
        // 1.50 would print as 1.5 in HCL: keep it as an expression.
        assert_eq!(literal_of("1.50", &t("numeric")), None);
        assert_eq!(literal_of("'x'::text", &t("character varying")), None);
    }
}
