//! Domains.

use super::*;

pub(super) fn domain_q(d: &Domain) -> String {
    qualified_parts(&d.schema, &d.name)
}

pub(crate) fn create_domain(d: &Domain) -> Vec<String> {
    let mut s = format!("CREATE DOMAIN {} AS {}", domain_q(d), types::sql(&d.base));
    if let Some(c) = &d.collation {
        s.push_str(&format!(" COLLATE {}", ident(c)));
    }
    if let Some(def) = &d.default {
        s.push_str(&format!(" DEFAULT {def}"));
    }
    if d.not_null {
        s.push_str(" NOT NULL");
    }
    // `NOT VALID` has no place in CREATE DOMAIN: such checks are added right after it.
    for c in d.checks.iter().filter(|c| !c.not_valid) {
        match &c.name {
            Some(n) => s.push_str(&format!(" CONSTRAINT {} CHECK ({})", ident(n), c.expr)),
            None => s.push_str(&format!(" CHECK ({})", c.expr)),
        }
    }
    let mut out = vec![s];
    for c in d.checks.iter().filter(|c| c.not_valid) {
        out.push(add_domain_check(&domain_q(d), c));
    }
    if d.comment.is_some() {
        out.push(format!(
            "COMMENT ON DOMAIN {} IS {}",
            domain_q(d),
            comment(&d.comment)
        ));
    }
    for c in &d.checks {
        if let (Some(n), Some(_)) = (&c.name, &c.comment) {
            out.push(format!(
                "COMMENT ON CONSTRAINT {} ON DOMAIN {} IS {}",
                ident(n),
                domain_q(d),
                comment(&c.comment)
            ));
        }
    }
    out
}

pub(crate) fn alter_domain(from: &Domain, to: &Domain) -> Vec<String> {
    let q = domain_q(to);
    let mut out = Vec::new();
    if from.default != to.default {
        out.push(match &to.default {
            Some(d) => format!("ALTER DOMAIN {q} SET DEFAULT {d}"),
            None => format!("ALTER DOMAIN {q} DROP DEFAULT"),
        });
    }
    if from.not_null != to.not_null {
        out.push(format!(
            "ALTER DOMAIN {q} {} NOT NULL",
            if to.not_null { "SET" } else { "DROP" }
        ));
    }
    // The same check, or one PostgreSQL can turn into it: NOT VALID → valid is a VALIDATE;
    // valid → NOT VALID needs a drop and an add (PostgreSQL cannot un-validate).
    let same = |a: &crate::model::Check, b: &crate::model::Check| {
        a.name == b.name && a.expr == b.expr && (a.not_valid == b.not_valid || a.not_valid)
    };
    for c in &from.checks {
        if !to.checks.iter().any(|w| same(c, w))
            && let Some(n) = &c.name
        {
            out.push(format!("ALTER DOMAIN {q} DROP CONSTRAINT {}", ident(n)));
        }
    }
    for c in &to.checks {
        match from.checks.iter().find(|h| same(h, c)) {
            None => out.push(add_domain_check(&q, c)),
            Some(h) if h.not_valid && !c.not_valid => {
                if let Some(n) = &c.name {
                    out.push(format!("ALTER DOMAIN {q} VALIDATE CONSTRAINT {}", ident(n)));
                }
            }
            Some(_) => {}
        }
        if let (Some(n), Some(h)) = (&c.name, from.checks.iter().find(|h| h.name == c.name))
            && h.comment != c.comment
        {
            out.push(format!(
                "COMMENT ON CONSTRAINT {} ON DOMAIN {q} IS {}",
                ident(n),
                comment(&c.comment)
            ));
        }
    }
    if from.comment != to.comment {
        out.push(format!("COMMENT ON DOMAIN {q} IS {}", comment(&to.comment)));
    }
    out
}

pub(super) fn add_domain_check(q: &str, c: &crate::model::Check) -> String {
    let not_valid = if c.not_valid { " NOT VALID" } else { "" };
    match &c.name {
        Some(n) => format!(
            "ALTER DOMAIN {q} ADD CONSTRAINT {} CHECK ({}){not_valid}",
            ident(n),
            c.expr
        ),
        None => format!("ALTER DOMAIN {q} ADD CHECK ({}){not_valid}", c.expr),
    }
}

pub(crate) fn drop_domain(d: &Domain) -> String {
    format!("DROP DOMAIN {}", domain_q(d))
}
