//! Sequences.

use super::*;

pub(super) fn seq_q(s: &Sequence) -> String {
    qualified_parts(&s.schema, &s.name)
}

pub(super) fn sequence_options(s: &Sequence) -> String {
    let mut o = format!(" AS {}", s.ty);
    if s.increment != 1 {
        o.push_str(&format!(" INCREMENT BY {}", s.increment));
    }
    match s.min {
        Some(v) => o.push_str(&format!(" MINVALUE {v}")),
        None => o.push_str(" NO MINVALUE"),
    }
    match s.max {
        Some(v) => o.push_str(&format!(" MAXVALUE {v}")),
        None => o.push_str(" NO MAXVALUE"),
    }
    if let Some(v) = s.start {
        o.push_str(&format!(" START WITH {v}"));
    }
    o.push_str(&format!(" CACHE {}", s.cache));
    o.push_str(if s.cycle { " CYCLE" } else { " NO CYCLE" });
    o
}

pub(crate) fn create_sequence(s: &Sequence) -> Vec<String> {
    let mut out = vec![format!(
        "CREATE SEQUENCE {}{}",
        seq_q(s),
        sequence_options(s)
    )];
    if s.comment.is_some() {
        out.push(format!(
            "COMMENT ON SEQUENCE {} IS {}",
            seq_q(s),
            comment(&s.comment)
        ));
    }
    out
}

/// `OWNED BY`, run once the table exists.
pub(crate) fn sequence_owner(s: &Sequence) -> String {
    match &s.owned_by {
        Some((t, c)) => format!(
            "ALTER SEQUENCE {} OWNED BY {}.{}",
            seq_q(s),
            qualified(t),
            ident(c)
        ),
        None => format!("ALTER SEQUENCE {} OWNED BY NONE", seq_q(s)),
    }
}

pub(crate) fn alter_sequence(from: &Sequence, to: &Sequence) -> Vec<String> {
    let mut out = Vec::new();
    let opts = |s: &Sequence| Sequence {
        owned_by: None,
        comment: None,
        ..s.clone()
    };
    if opts(from) != opts(to) {
        // Every option, START included (the default one when none is declared): PostgreSQL
        // checks them together. RESTART only when the sequence was never used or all its
        // values lie before the new range (see `ddl::restart_when_unused`).
        let start = to.start.unwrap_or(if to.increment > 0 {
            to.min.unwrap_or(1)
        } else {
            to.max.unwrap_or(-1)
        });
        let mut options = sequence_options(to);
        if to.start.is_none() {
            options.push_str(&format!(" START WITH {start}"));
        }
        if to.increment == 1 {
            options.push_str(" INCREMENT BY 1");
        }
        let alter = format!("ALTER SEQUENCE {}{options}", seq_q(to));
        out.push(super::super::ddl::restart_when_unused(
            &literal(&seq_q(to)),
            &alter,
            to.increment,
            to.min,
            to.max,
        ));
    }
    if from.comment != to.comment {
        out.push(format!(
            "COMMENT ON SEQUENCE {} IS {}",
            seq_q(to),
            comment(&to.comment)
        ));
    }
    out
}

pub(crate) fn drop_sequence(s: &Sequence) -> String {
    format!("DROP SEQUENCE {}", seq_q(s))
}

/// `ALTER SEQUENCE IF EXISTS … RENAME TO …`: a serial column's sequence follows its table's
/// new name (PostgreSQL keeps the old one), when it still has the name it was created with.
pub(crate) fn rename_sequence_if_exists(schema: &str, from: &str, to: &str) -> String {
    format!(
        "ALTER SEQUENCE IF EXISTS {} RENAME TO {}",
        qualified_parts(schema, from),
        ident(to)
    )
}
