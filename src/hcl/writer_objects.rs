//! Canonical HCL for objects beyond tables and enums.

use super::types as hcl_types;
use super::writer::{HclBlock, Namer, column_ref, default_hcl, schema_ref, string_literal};
use crate::model::{
    Aggregate, ArgMode, Collation, Composite, Deferrable, Domain, EventTrigger, Exclude, Extension,
    Function, IndexKey, Parallel, Policy, QualifiedName, Returns, RoutineKind, Sequence, Trigger,
    TriggerTiming, View, Volatility,
};

/// A multi-line text as a heredoc when that loads back exactly, else a quoted string.
/// `trailing_newline_added` says the loader trims the newline the heredoc adds.
pub(crate) fn text_block(s: &str, trailing_newline_added: bool) -> String {
    let usable = s.contains('\n')
        && !s.contains("${")
        && !s.contains("%{")
        && !s.contains('\r')
        && (trailing_newline_added || s.ends_with('\n'));
    if !usable {
        return string_literal(s);
    }
    let mut marker = "SQL".to_string();
    while s.lines().any(|l| l.trim() == marker) {
        marker.push('_');
    }
    let body = if s.ends_with('\n') {
        s.to_string()
    } else {
        format!("{s}\n")
    };
    format!("<<{marker}\n{body}{marker}")
}

fn keyword_or_string(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
    {
        s.to_string()
    } else {
        string_literal(s)
    }
}

fn deferrable(d: Deferrable) -> Option<&'static str> {
    match d {
        Deferrable::NotDeferrable => None,
        Deferrable::InitiallyImmediate => Some("INITIALLY_IMMEDIATE"),
        Deferrable::InitiallyDeferred => Some("INITIALLY_DEFERRED"),
    }
}

pub(crate) fn extension_block(e: &Extension) -> HclBlock {
    let mut b = HclBlock::new("extension", &[&e.name]);
    if let Some(s) = &e.schema {
        b.attr("schema", schema_ref(s));
    }
    if let Some(v) = &e.version {
        b.attr("version", string_literal(v));
    }
    b
}

pub(crate) fn sequence_block(s: &Sequence, namer: &Namer) -> HclBlock {
    let mut b = HclBlock::new(
        "sequence",
        &namer
            .labels("sequence", &QualifiedName::new(&s.schema, &s.name))
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    b.attr("schema", schema_ref(&s.schema));
    if s.ty != "bigint" {
        b.attr("type", s.ty.clone());
    }
    if let Some(v) = s.start {
        b.attr("start", v.to_string());
    }
    if s.increment != 1 {
        b.attr("increment", s.increment.to_string());
    }
    if let Some(v) = s.min {
        b.attr("min_value", v.to_string());
    }
    if let Some(v) = s.max {
        b.attr("max_value", v.to_string());
    }
    if s.cache != 1 {
        b.attr("cache", s.cache.to_string());
    }
    if s.cycle {
        b.attr("cycle", "true");
    }
    if let Some((t, c)) = &s.owned_by {
        b.attr(
            "owned_by",
            format!("{}.column{}", namer.table_ref(t), super::writer::segment(c)),
        );
    }
    if let Some(c) = &s.comment {
        b.attr("comment", string_literal(c));
    }
    b
}

pub(crate) fn view_block(
    v: &View,
    namer: &Namer,
    enum_ref: &dyn Fn(&QualifiedName) -> Option<String>,
) -> HclBlock {
    let kind = if v.materialized {
        "materialized"
    } else {
        "view"
    };
    let labels = namer.labels(kind, &QualifiedName::new(&v.schema, &v.name));
    let mut b = HclBlock::new(kind, &labels.iter().map(String::as_str).collect::<Vec<_>>());
    b.attr("schema", schema_ref(&v.schema));
    b.attr("as", text_block(&v.query, true));
    if let Some(c) = &v.check_option {
        b.attr("check_option", c.clone());
    }
    if v.security_barrier {
        b.attr("security_barrier", "true");
    }
    if v.security_invoker {
        b.attr("security_invoker", "true");
    }
    if v.materialized && !v.with_data {
        b.attr("with_data", "false");
    }
    if !v.storage_params.is_empty() {
        b.attr(
            "storage_params",
            crate::hcl::writer::storage_params(&v.storage_params),
        );
    }
    if let Some(c) = &v.comment {
        b.attr("comment", string_literal(c));
    }
    for (col, comment) in &v.column_comments {
        let mut cb = HclBlock::new("column", &[col]);
        cb.attr("comment", string_literal(comment));
        b.block(cb);
    }
    for ix in &v.indexes {
        b.block(super::writer::index_block(ix));
    }
    let _ = enum_ref;
    b
}

fn volatility(v: Volatility) -> Option<&'static str> {
    match v {
        Volatility::Volatile => None,
        Volatility::Stable => Some("STABLE"),
        Volatility::Immutable => Some("IMMUTABLE"),
    }
}

pub(crate) fn function_block(
    f: &Function,
    enum_ref: &dyn Fn(&QualifiedName) -> Option<String>,
) -> HclBlock {
    let kind = match f.kind {
        RoutineKind::Function => "function",
        RoutineKind::Procedure => "procedure",
    };
    let mut b = HclBlock::new(kind, &[&f.name]);
    b.attr("schema", schema_ref(&f.schema));
    b.attr("lang", keyword_or_string(&f.language));
    for a in &f.args {
        let mut ab = match &a.name {
            Some(n) => HclBlock::new("arg", &[n]),
            None => HclBlock::new("arg", &[]),
        };
        ab.attr("type", hcl_types::to_hcl(&a.ty, enum_ref));
        if a.mode != ArgMode::In {
            ab.attr("mode", a.mode.sql());
        }
        if let Some(d) = &a.default {
            ab.attr("default", string_literal(d));
        }
        b.block(ab);
    }
    match &f.returns {
        Some(Returns::Type(t)) => {
            b.attr("return", hcl_types::to_hcl(t, enum_ref));
        }
        Some(Returns::SetOf(t)) => {
            b.attr("return_set", hcl_types::to_hcl(t, enum_ref));
        }
        Some(Returns::Table(cols)) => {
            let mut tb = HclBlock::new("return_table", &[]);
            for (n, t) in cols {
                let mut cb = HclBlock::new("column", &[n]);
                cb.attr("type", hcl_types::to_hcl(t, enum_ref));
                tb.block(cb);
            }
            b.block(tb);
        }
        None => {}
    }
    b.attr("as", text_block(&f.body, false));
    if let Some(v) = volatility(f.volatility) {
        b.attr("volatility", v);
    }
    if f.strict {
        b.attr("strict", "true");
    }
    if f.security_definer {
        b.attr("security", "DEFINER");
    }
    match f.parallel {
        Parallel::Unsafe => {}
        Parallel::Restricted => {
            b.attr("parallel", "RESTRICTED");
        }
        Parallel::Safe => {
            b.attr("parallel", "SAFE");
        }
    }
    if f.leakproof {
        b.attr("leakproof", "true");
    }
    if let Some(c) = &f.cost {
        b.attr("cost", c.clone());
    }
    if let Some(r) = &f.rows {
        b.attr("rows", r.clone());
    }
    if !f.config.is_empty() {
        let items: Vec<String> = f
            .config
            .iter()
            .map(|(k, v)| format!("{} = {}", string_literal(k), string_literal(v)))
            .collect();
        b.attr("set", format!("{{ {} }}", items.join(", ")));
    }
    if let Some(c) = &f.comment {
        b.attr("comment", string_literal(c));
    }
    b
}

/// `on = …` target of a trigger or policy.
pub(crate) fn trigger_block(t: &Trigger, on: &str, namer: &Namer) -> HclBlock {
    let mut b = HclBlock::new("trigger", &[&t.name]);
    b.attr("on", on);
    let mut tb = HclBlock::new(
        match t.timing {
            TriggerTiming::Before => "before",
            TriggerTiming::After => "after",
            TriggerTiming::InsteadOf => "instead_of",
        },
        &[],
    );
    if t.events.insert {
        tb.attr("insert", "true");
    }
    if t.events.update {
        tb.attr("update", "true");
    }
    if !t.events.update_of.is_empty() {
        tb.attr(
            "update_of",
            format!(
                "[{}]",
                t.events
                    .update_of
                    .iter()
                    .map(|c| column_ref(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    if t.events.delete {
        tb.attr("delete", "true");
    }
    if t.events.truncate {
        tb.attr("truncate", "true");
    }
    b.block(tb);
    b.attr("for", if t.for_each_row { "ROW" } else { "STATEMENT" });
    if let Some(w) = &t.when {
        b.attr("when", string_literal(w));
    }
    if t.old_table.is_some() || t.new_table.is_some() {
        let mut rb = HclBlock::new("referencing", &[]);
        if let Some(o) = &t.old_table {
            rb.attr("old_table", string_literal(o));
        }
        if let Some(n) = &t.new_table {
            rb.attr("new_table", string_literal(n));
        }
        b.block(rb);
    }
    let mut eb = HclBlock::new("execute", &[]);
    eb.attr("function", namer.function_ref(&t.function));
    if !t.args.is_empty() {
        eb.attr(
            "args",
            format!(
                "[{}]",
                t.args
                    .iter()
                    .map(|a| string_literal(a))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    b.block(eb);
    if t.constraint {
        b.attr("constraint", "true");
    }
    if let Some(d) = deferrable(t.deferrable) {
        b.attr("deferrable", d);
    }
    match t.enabled {
        'D' => {
            b.attr("enabled", "false");
        }
        'A' => {
            b.attr("enabled", "ALWAYS");
        }
        'R' => {
            b.attr("enabled", "REPLICA");
        }
        _ => {}
    }
    if let Some(c) = &t.comment {
        b.attr("comment", string_literal(c));
    }
    b
}

pub(crate) fn policy_block(p: &Policy, on: &str) -> HclBlock {
    let mut b = HclBlock::new("policy", &[&p.name]);
    b.attr("on", on);
    if !p.permissive {
        b.attr("as", "RESTRICTIVE");
    }
    if p.command != "ALL" {
        b.attr("for", p.command.clone());
    }
    if p.roles != ["public"] {
        b.attr(
            "to",
            format!(
                "[{}]",
                p.roles
                    .iter()
                    .map(|r| string_literal(r))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    if let Some(u) = &p.using {
        b.attr("using", string_literal(u));
    }
    if let Some(c) = &p.check {
        b.attr("check", string_literal(c));
    }
    if let Some(c) = &p.comment {
        b.attr("comment", string_literal(c));
    }
    b
}

pub(crate) fn exclude_block(x: &Exclude) -> HclBlock {
    let mut b = HclBlock::new("exclude", &[&x.name]);
    if x.method != "gist" {
        b.attr("type", x.method.to_ascii_uppercase());
    }
    for (key, op) in &x.elements {
        let mut ob = HclBlock::new("on", &[]);
        match key {
            IndexKey::Column(c) => ob.attr("column", column_ref(c)),
            IndexKey::Expr(e) => ob.attr("expr", string_literal(e)),
        };
        ob.attr("op", string_literal(op));
        b.block(ob);
    }
    if !x.include.is_empty() {
        b.attr(
            "include",
            format!(
                "[{}]",
                x.include
                    .iter()
                    .map(|c| column_ref(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    if let Some(w) = &x.predicate {
        b.attr("where", string_literal(w));
    }
    if let Some(d) = deferrable(x.deferrable) {
        b.attr("deferrable", d);
    }
    if let Some(c) = &x.comment {
        b.attr("comment", string_literal(c));
    }
    b
}

pub(crate) fn collation_block(c: &Collation, namer: &Namer) -> HclBlock {
    let labels = namer.labels("collation", &QualifiedName::new(&c.schema, &c.name));
    let mut b = HclBlock::new(
        "collation",
        &labels.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    b.attr("schema", schema_ref(&c.schema));
    b.attr("provider", c.provider.clone());
    for (k, v) in [
        ("locale", &c.locale),
        ("lc_collate", &c.lc_collate),
        ("lc_ctype", &c.lc_ctype),
    ] {
        if let Some(v) = v {
            b.attr(k, string_literal(v));
        }
    }
    if !c.deterministic {
        b.attr("deterministic", "false".to_string());
    }
    if let Some(cm) = &c.comment {
        b.attr("comment", string_literal(cm));
    }
    b
}

pub(crate) fn domain_block(
    d: &Domain,
    namer: &Namer,
    enum_ref: &dyn Fn(&QualifiedName) -> Option<String>,
) -> HclBlock {
    let labels = namer.labels("domain", &QualifiedName::new(&d.schema, &d.name));
    let mut b = HclBlock::new(
        "domain",
        &labels.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    b.attr("schema", schema_ref(&d.schema));
    b.attr("type", hcl_types::to_hcl(&d.base, enum_ref));
    b.attr("null", (!d.not_null).to_string());
    if let Some(def) = &d.default {
        b.attr("default", default_hcl(def, &d.base));
    }
    if let Some(c) = &d.collation {
        b.attr("collate", string_literal(c));
    }
    if let Some(c) = &d.comment {
        b.attr("comment", string_literal(c));
    }
    for c in &d.checks {
        let mut cb = HclBlock::new("check", &[c.name.as_deref().unwrap_or("")]);
        cb.attr("expr", string_literal(&c.expr));
        if c.not_valid {
            cb.attr("valid", "false".to_string());
        }
        if let Some(cm) = &c.comment {
            cb.attr("comment", string_literal(cm));
        }
        b.block(cb);
    }
    b
}

pub(crate) fn composite_block(
    c: &Composite,
    namer: &Namer,
    enum_ref: &dyn Fn(&QualifiedName) -> Option<String>,
) -> HclBlock {
    let labels = namer.labels("composite", &QualifiedName::new(&c.schema, &c.name));
    let mut b = HclBlock::new(
        "composite",
        &labels.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    b.attr("schema", schema_ref(&c.schema));
    if let Some(cm) = &c.comment {
        b.attr("comment", string_literal(cm));
    }
    for (name, ty) in &c.fields {
        let mut fb = HclBlock::new("field", &[name]);
        fb.attr("type", hcl_types::to_hcl(ty, enum_ref));
        if let Some(coll) = c.collation(name) {
            fb.attr("collate", string_literal(coll));
        }
        b.block(fb);
    }
    b
}

/// An `aggregate` block in Atlas's spelling (`final_func` is strata's addition).
pub(crate) fn aggregate_block(
    a: &Aggregate,
    namer: &Namer,
    enum_ref: &dyn Fn(&QualifiedName) -> Option<String>,
) -> HclBlock {
    let mut b = HclBlock::new("aggregate", &[&a.name]);
    b.attr("schema", schema_ref(&a.schema));
    for arg in &a.args {
        let mut ab = match &arg.name {
            Some(n) => HclBlock::new("arg", &[n]),
            None => HclBlock::new("arg", &[]),
        };
        ab.attr("type", hcl_types::to_hcl(&arg.ty, enum_ref));
        if arg.mode == ArgMode::Variadic {
            ab.attr("mode", "VARIADIC");
        }
        b.block(ab);
    }
    b.attr("state_type", hcl_types::to_hcl(&a.state_type, enum_ref));
    b.attr("state_func", namer.function_ref(&a.state_func));
    if let Some(f) = &a.final_func {
        b.attr("final_func", namer.function_ref(f));
    }
    if let Some(v) = &a.initial_value {
        b.attr("initial_value", string_literal(v));
    }
    match a.parallel {
        Parallel::Unsafe => {}
        Parallel::Restricted => {
            b.attr("parallel", "RESTRICTED");
        }
        Parallel::Safe => {
            b.attr("parallel", "SAFE");
        }
    }
    if let Some(c) = &a.comment {
        b.attr("comment", string_literal(c));
    }
    b
}

/// An `event_trigger` block in Atlas's spelling (`enabled` only when not the default).
pub(crate) fn event_trigger_block(e: &EventTrigger, namer: &Namer) -> HclBlock {
    let mut b = HclBlock::new("event_trigger", &[&e.name]);
    b.attr("on", e.event.clone());
    if !e.tags.is_empty() {
        let tags: Vec<String> = e.tags.iter().map(|t| string_literal(t)).collect();
        b.attr("tags", format!("[{}]", tags.join(", ")));
    }
    b.attr("execute", namer.function_ref(&e.function));
    match e.enabled {
        'D' => {
            b.attr("enabled", "false");
        }
        'A' => {
            b.attr("enabled", "ALWAYS");
        }
        'R' => {
            b.attr("enabled", "REPLICA");
        }
        _ => {}
    }
    if let Some(c) = &e.comment {
        b.attr("comment", string_literal(c));
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heredocs_only_when_exact() {
        assert_eq!(
            text_block(" SELECT 1\n   FROM t", true),
            "<<SQL\n SELECT 1\n   FROM t\nSQL"
        );
        assert_eq!(
            text_block("\nbegin\nend;\n", false),
            "<<SQL\n\nbegin\nend;\nSQL"
        );
        assert_eq!(text_block("select 1", false), "\"select 1\"");
        assert_eq!(text_block("a\nSQL\nb\n", false), "<<SQL_\na\nSQL\nb\nSQL_");
        assert!(text_block("x${y}\n", false).starts_with('"'));
    }
}
