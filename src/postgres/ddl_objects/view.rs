//! Views and materialized views.

use super::*;

pub(super) fn view_q(v: &View) -> String {
    qualified_parts(&v.schema, &v.name)
}

pub(super) fn view_word(v: &View) -> &'static str {
    if v.materialized {
        "MATERIALIZED VIEW"
    } else {
        "VIEW"
    }
}

pub(crate) fn create_view(v: &View) -> Vec<String> {
    let q = view_q(v);
    let mut s = format!("CREATE {} {q}", view_word(v));
    let mut opts = Vec::new();
    if v.security_barrier {
        opts.push("security_barrier = true".to_string());
    }
    if v.security_invoker {
        opts.push("security_invoker = true".to_string());
    }
    if !v.storage_params.is_empty() {
        opts.push(super::super::ddl::param_list(&v.storage_params));
    }
    if !opts.is_empty() {
        s.push_str(&format!(" WITH ({})", opts.join(", ")));
    }
    s.push_str(&format!(" AS\n{}", v.query));
    if let Some(c) = &v.check_option {
        s.push_str(&format!("\nWITH {c} CHECK OPTION"));
    }
    if v.materialized && !v.with_data {
        s.push_str("\nWITH NO DATA");
    }
    let mut out = vec![s];
    if v.comment.is_some() {
        out.push(format!(
            "COMMENT ON {} {q} IS {}",
            view_word(v),
            comment(&v.comment)
        ));
    }
    for (col, c) in &v.column_comments {
        out.push(format!(
            "COMMENT ON COLUMN {q}.{} IS {}",
            ident(col),
            literal(c)
        ));
    }
    for ix in &v.indexes {
        out.push(super::super::ddl::create_index(
            &QualifiedName::new(&v.schema, &v.name),
            ix,
        ));
        if ix.comment.is_some() {
            out.push(super::super::ddl::comment_on_index(
                &v.schema,
                &ix.name,
                &ix.comment,
            ));
        }
    }
    out
}

pub(crate) fn drop_view(v: &View) -> String {
    format!("DROP {} {}", view_word(v), view_q(v))
}

/// Options, comments, indexes and population of a view whose query is unchanged.
pub(crate) fn alter_view(from: &View, to: &View) -> Vec<String> {
    let q = view_q(to);
    let mut out = Vec::new();
    let mut set = Vec::new();
    let mut reset = Vec::new();
    if from.security_barrier != to.security_barrier {
        if to.security_barrier {
            set.push("security_barrier = true".to_string())
        } else {
            reset.push("security_barrier")
        }
    }
    if from.security_invoker != to.security_invoker {
        if to.security_invoker {
            set.push("security_invoker = true".to_string())
        } else {
            reset.push("security_invoker")
        }
    }
    if from.check_option != to.check_option {
        match &to.check_option {
            Some(c) => set.push(format!("check_option = {}", c.to_ascii_lowercase())),
            None => reset.push("check_option"),
        }
    }
    if !set.is_empty() {
        out.push(format!("ALTER VIEW {q} SET ({})", set.join(", ")));
    }
    if !reset.is_empty() {
        out.push(format!("ALTER VIEW {q} RESET ({})", reset.join(", ")));
    }
    if to.materialized {
        for clause in
            super::super::ddl::storage_param_clauses(&from.storage_params, &to.storage_params)
        {
            out.push(format!("ALTER MATERIALIZED VIEW {q} {clause}"));
        }
    }
    if to.materialized && to.with_data && !from.with_data {
        out.push(format!("REFRESH MATERIALIZED VIEW {q}"));
    }
    if from.comment != to.comment {
        out.push(format!(
            "COMMENT ON {} {q} IS {}",
            view_word(to),
            comment(&to.comment)
        ));
    }
    for (col, c) in &to.column_comments {
        if !from
            .column_comments
            .iter()
            .any(|(fc, fx)| fc == col && fx == c)
        {
            out.push(format!(
                "COMMENT ON COLUMN {q}.{} IS {}",
                ident(col),
                literal(c)
            ));
        }
    }
    for (col, _) in &from.column_comments {
        if !to.column_comments.iter().any(|(tc, _)| tc == col) {
            out.push(format!("COMMENT ON COLUMN {q}.{} IS NULL", ident(col)));
        }
    }
    let vq = QualifiedName::new(&to.schema, &to.name);
    for ix in &from.indexes {
        if !to.indexes.iter().any(|w| w == ix) {
            out.push(super::super::ddl::drop_index(&to.schema, &ix.name));
        }
    }
    for ix in &to.indexes {
        if !from.indexes.iter().any(|h| h == ix) {
            out.push(super::super::ddl::create_index(&vq, ix));
            if ix.comment.is_some() {
                out.push(super::super::ddl::comment_on_index(
                    &to.schema,
                    &ix.name,
                    &ix.comment,
                ));
            }
        }
    }
    out
}
