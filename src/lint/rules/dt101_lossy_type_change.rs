//! DT101: a column's type changes to one that cannot hold every value.

use crate::diff::TableChange;
use crate::lint::{Category, Check, Rule, Subject, qname};
use crate::model::DataType;
use crate::postgres::types;

pub(crate) const RULE: Rule = Rule {
    code: "DT101",
    category: Category::DataLoss,
    title: "changes a column to a type that may not hold its values",
    explain: "Converting a column to a narrower or unrelated type (bigint to integer, text to \
varchar(10), text to integer, numeric to integer) truncates, rounds or fails to convert values; \
a failure aborts the apply, a silent rounding loses data. Widen instead, or add a new column, \
backfill it with an explicit conversion you have checked, and drop the old one.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    let Subject::AlterTable {
        table,
        change: TableChange::AlterColumn { from, to },
        ..
    } = s
    else {
        return None;
    };
    let (a, b) = (from.ty.storage(), to.ty.storage());
    if a == b || is_lossless(&a, &b) {
        return None;
    }
    Some(format!(
        "changes \"{}\" of \"{}\" from {} to {}: values may be truncated, lose precision or fail to convert",
        to.name,
        qname(&table.qualified()),
        types::display(&a),
        types::display(&b)
    ))
}

/// `character varying(20)` → `Some(Some(20))`, `character varying` → `Some(None)`.
fn length(t: &str, base: &str) -> Option<Option<u32>> {
    if t == base {
        return Some(None);
    }
    t.strip_prefix(base)?
        .strip_prefix('(')?
        .strip_suffix(')')?
        .parse()
        .ok()
        .map(Some)
}

/// Type changes that keep every value.
pub(crate) fn is_lossless(from: &DataType, to: &DataType) -> bool {
    let (DataType::Builtin(a), DataType::Builtin(b)) = (from.storage(), to.storage()) else {
        return false;
    };
    if is_binary_coercible(from, to) {
        return true;
    }
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
    if length(&a, "character").is_some()
        && (b == "text" || length(&b, "character varying") == Some(None))
    {
        return true;
    }
    matches!(
        (a.as_str(), b.as_str()),
        ("timestamp without time zone", "timestamp with time zone")
            | ("real", "double precision")
            | ("json", "jsonb")
            | ("smallint", "real" | "double precision")
            | ("integer", "double precision")
    )
}

/// Type changes PostgreSQL makes without rewriting the table or its indexes: longer or
/// unbounded `varchar`, `varchar` ↔ `text`, wider `numeric` precision with the same scale.
pub(crate) fn is_binary_coercible(from: &DataType, to: &DataType) -> bool {
    let (DataType::Builtin(a), DataType::Builtin(b)) = (from.storage(), to.storage()) else {
        return false;
    };
    let varchar = |t: &str| length(t, "character varying");
    match (varchar(&a), varchar(&b)) {
        (Some(_), Some(None)) => return true,
        (Some(Some(n)), Some(Some(m))) => return m >= n,
        (Some(_), None) if b == "text" => return true,
        (None, Some(None)) if a == "text" => return true,
        _ => {}
    }
    let numeric = |t: &str| -> Option<(u32, u32)> {
        let inner = t.strip_prefix("numeric(")?.strip_suffix(')')?;
        let (p, s) = inner.split_once(',').unwrap_or((inner, "0"));
        Some((p.trim().parse().ok()?, s.trim().parse().ok()?))
    };
    if let (Some((p1, s1)), Some((p2, s2))) = (numeric(&a), numeric(&b)) {
        return s1 == s2 && p2 >= p1;
    }
    numeric(&a).is_some() && b == "numeric"
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn change(from: &str, to: &str) -> TableChange {
        TableChange::AlterColumn {
            from: col("n", from),
            to: col("n", to),
        }
    }

    #[test]
    fn flags_narrowing_and_unrelated_types() {
        assert!(has(&alter(change("bigint", "integer")), "DT101"));
        assert!(has(
            &alter(change("text", "character varying(10)")),
            "DT101"
        ));
        assert!(has(&alter(change("text", "integer")), "DT101"));
        assert!(!has(&alter(change("integer", "bigint")), "DT101"));
        assert!(!has(
            &alter(change("character varying(10)", "text")),
            "DT101"
        ));
        assert!(!has(&alter(change("text", "text")), "DT101"));
    }

    #[test]
    fn lossless_and_coercible() {
        let t = DataType::builtin;
        assert!(is_lossless(&t("integer"), &t("bigint")));
        assert!(!is_lossless(&t("bigint"), &t("integer")));
        assert!(is_binary_coercible(
            &t("character varying(10)"),
            &t("character varying(20)")
        ));
        assert!(!is_binary_coercible(
            &t("character varying(20)"),
            &t("character varying(10)")
        ));
        assert!(is_binary_coercible(&t("character varying(10)"), &t("text")));
        assert!(!is_lossless(&t("text"), &t("character varying(10)")));
        assert!(is_binary_coercible(
            &t("numeric(10,2)"),
            &t("numeric(12,2)")
        ));
        assert!(!is_binary_coercible(
            &t("numeric(10,2)"),
            &t("numeric(12,3)")
        ));
        assert!(!is_binary_coercible(&t("integer"), &t("bigint")));
    }
}
