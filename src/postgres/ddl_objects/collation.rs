//! Collations.

use super::*;

pub(super) fn collation_q(c: &Collation) -> String {
    qualified_parts(&c.schema, &c.name)
}

pub(crate) fn create_collation(c: &Collation) -> Vec<String> {
    let mut opts = vec![format!("provider = {}", c.provider)];
    if let Some(l) = &c.locale {
        opts.push(format!("locale = {}", literal(l)));
    }
    if let Some(l) = &c.lc_collate {
        opts.push(format!("lc_collate = {}", literal(l)));
    }
    if let Some(l) = &c.lc_ctype {
        opts.push(format!("lc_ctype = {}", literal(l)));
    }
    if !c.deterministic {
        opts.push("deterministic = false".into());
    }
    let mut out = vec![format!(
        "CREATE COLLATION {} ({})",
        collation_q(c),
        opts.join(", ")
    )];
    if c.comment.is_some() {
        out.push(comment_on_collation(c));
    }
    out
}

pub(crate) fn comment_on_collation(c: &Collation) -> String {
    format!(
        "COMMENT ON COLLATION {} IS {}",
        collation_q(c),
        comment(&c.comment)
    )
}

pub(crate) fn drop_collation(c: &Collation) -> String {
    format!("DROP COLLATION {}", collation_q(c))
}
