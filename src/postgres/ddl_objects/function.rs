//! Functions and procedures.

use super::*;

/// The argument list of a routine as used in `CREATE`.
pub(super) fn arg_list(f: &Function, with_defaults: bool) -> String {
    f.args
        .iter()
        .map(|a| {
            let mut s = String::new();
            if a.mode != ArgMode::In {
                s.push_str(a.mode.sql());
                s.push(' ');
            }
            if let Some(n) = &a.name {
                s.push_str(&ident(n));
                s.push(' ');
            }
            s.push_str(&types::sql(&a.ty));
            if with_defaults && let Some(d) = &a.default {
                s.push_str(&format!(" DEFAULT {d}"));
            }
            s
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `"schema"."name"(types)`: how DROP and COMMENT name a routine.
pub(crate) fn routine_ref(f: &Function) -> String {
    let types: Vec<String> = f
        .args
        .iter()
        .filter(|a| a.mode != ArgMode::Out)
        .map(|a| types::sql(&a.ty))
        .collect();
    format!(
        "{}({})",
        qualified_parts(&f.schema, &f.name),
        types.join(", ")
    )
}

pub(super) fn kind_word(f: &Function) -> &'static str {
    match f.kind {
        RoutineKind::Function => "FUNCTION",
        RoutineKind::Procedure => "PROCEDURE",
    }
}

/// A dollar-quote tag that does not occur in the body.
pub(super) fn dollar_tag(body: &str) -> String {
    let mut tag = "$strata$".to_string();
    let mut n = 0;
    while body.contains(&tag) {
        n += 1;
        tag = format!("$strata{n}$");
    }
    tag
}

/// `true` for SQL-standard bodies (`BEGIN ATOMIC … END`, `RETURN …`), which are not quoted.
pub(super) fn is_sql_standard_body(f: &Function) -> bool {
    let b = f.body.trim_start().to_ascii_uppercase();
    f.language == "sql" && (b.starts_with("BEGIN ATOMIC") || b.starts_with("RETURN "))
}

pub(crate) fn create_function(f: &Function, or_replace: bool) -> Vec<String> {
    let mut s = format!(
        "CREATE {}{} {}({})",
        if or_replace { "OR REPLACE " } else { "" },
        kind_word(f),
        qualified_parts(&f.schema, &f.name),
        arg_list(f, true)
    );
    match &f.returns {
        Some(Returns::Type(t)) => s.push_str(&format!(" RETURNS {}", types::sql(t))),
        Some(Returns::SetOf(t)) => s.push_str(&format!(" RETURNS SETOF {}", types::sql(t))),
        Some(Returns::Table(cols)) => {
            let cols: Vec<String> = cols
                .iter()
                .map(|(n, t)| format!("{} {}", ident(n), types::sql(t)))
                .collect();
            s.push_str(&format!(" RETURNS TABLE({})", cols.join(", ")));
        }
        None => {}
    }
    s.push_str(&format!(" LANGUAGE {}", ident(&f.language)));
    if f.kind == RoutineKind::Function {
        match f.volatility {
            Volatility::Immutable => s.push_str(" IMMUTABLE"),
            Volatility::Stable => s.push_str(" STABLE"),
            Volatility::Volatile => s.push_str(" VOLATILE"),
        }
        s.push_str(if f.strict {
            " STRICT"
        } else {
            " CALLED ON NULL INPUT"
        });
        s.push_str(match f.parallel {
            Parallel::Safe => " PARALLEL SAFE",
            Parallel::Restricted => " PARALLEL RESTRICTED",
            Parallel::Unsafe => " PARALLEL UNSAFE",
        });
        s.push_str(if f.leakproof {
            " LEAKPROOF"
        } else {
            " NOT LEAKPROOF"
        });
        let default_cost = if f.language == "c" || f.language == "internal" {
            "1"
        } else {
            "100"
        };
        s.push_str(&format!(
            " COST {}",
            f.cost.as_deref().unwrap_or(default_cost)
        ));
        if matches!(f.returns, Some(Returns::SetOf(_)) | Some(Returns::Table(_))) {
            s.push_str(&format!(" ROWS {}", f.rows.as_deref().unwrap_or("1000")));
        }
    }
    s.push_str(if f.security_definer {
        " SECURITY DEFINER"
    } else {
        " SECURITY INVOKER"
    });
    for (k, v) in &f.config {
        // List settings keep PostgreSQL's own list syntax (`app, "$user"`); others are strings.
        let list = [
            "search_path",
            "temp_tablespaces",
            "local_preload_libraries",
            "session_preload_libraries",
        ];
        if list.contains(&k.as_str()) {
            s.push_str(&format!(" SET {} = {v}", ident(k)));
        } else {
            s.push_str(&format!(" SET {} = {}", ident(k), literal(v)));
        }
    }
    if is_sql_standard_body(f) {
        s.push('\n');
        s.push_str(f.body.trim());
    } else {
        let tag = dollar_tag(&f.body);
        s.push_str(&format!("\nAS {tag}{}{tag}", f.body));
    }
    let mut out = vec![s];
    if f.comment.is_some() || or_replace {
        out.push(format!(
            "COMMENT ON {} {} IS {}",
            kind_word(f),
            routine_ref(f),
            comment(&f.comment)
        ));
    }
    out
}

pub(crate) fn comment_on_function(f: &Function) -> String {
    format!(
        "COMMENT ON {} {} IS {}",
        kind_word(f),
        routine_ref(f),
        comment(&f.comment)
    )
}

pub(crate) fn drop_function(f: &Function) -> String {
    format!("DROP {} {}", kind_word(f), routine_ref(f))
}
