//! SQL text for objects beyond tables: extensions, sequences, domains, composite types,
//! routines, views, triggers, policies, exclusion constraints, partitions, enum rebuilds.

use crate::model::{
    ArgMode, Collation, Composite, Domain, Enum, Exclude, Extension, Function, IndexKey, Parallel,
    PartitionOf, Policy, QualifiedName, Returns, RoutineKind, Sequence, Trigger, TriggerTiming,
    View, Volatility,
};
use crate::postgres::quote::{ident, ident_list, literal, qualified, qualified_parts};
use crate::postgres::types;

fn comment(c: &Option<String>) -> String {
    match c {
        Some(c) => literal(c),
        None => "NULL".into(),
    }
}

pub fn create_extension(e: &Extension) -> String {
    let mut s = format!("CREATE EXTENSION IF NOT EXISTS {}", ident(&e.name));
    if let Some(sc) = &e.schema {
        s.push_str(&format!(" WITH SCHEMA {}", ident(sc)));
    }
    if let Some(v) = &e.version {
        s.push_str(&format!(" VERSION {}", literal(v)));
    }
    s
}

pub fn drop_extension(name: &str) -> String {
    format!("DROP EXTENSION {}", ident(name))
}

pub fn alter_extension(from: &Extension, to: &Extension) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(v) = &to.version
        && Some(v) != from.version.as_ref()
    {
        out.push(format!(
            "ALTER EXTENSION {} UPDATE TO {}",
            ident(&to.name),
            literal(v)
        ));
    }
    if let Some(s) = &to.schema
        && Some(s) != from.schema.as_ref()
    {
        out.push(format!(
            "ALTER EXTENSION {} SET SCHEMA {}",
            ident(&to.name),
            ident(s)
        ));
    }
    out
}

fn seq_q(s: &Sequence) -> String {
    qualified_parts(&s.schema, &s.name)
}

fn sequence_options(s: &Sequence) -> String {
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

pub fn create_sequence(s: &Sequence) -> Vec<String> {
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
pub fn sequence_owner(s: &Sequence) -> String {
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

pub fn alter_sequence(from: &Sequence, to: &Sequence) -> Vec<String> {
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
        out.push(super::ddl::restart_when_unused(
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

pub fn drop_sequence(s: &Sequence) -> String {
    format!("DROP SEQUENCE {}", seq_q(s))
}

fn collation_q(c: &Collation) -> String {
    qualified_parts(&c.schema, &c.name)
}

pub fn create_collation(c: &Collation) -> Vec<String> {
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

pub fn comment_on_collation(c: &Collation) -> String {
    format!(
        "COMMENT ON COLLATION {} IS {}",
        collation_q(c),
        comment(&c.comment)
    )
}

pub fn drop_collation(c: &Collation) -> String {
    format!("DROP COLLATION {}", collation_q(c))
}

fn domain_q(d: &Domain) -> String {
    qualified_parts(&d.schema, &d.name)
}

pub fn create_domain(d: &Domain) -> Vec<String> {
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

pub fn alter_domain(from: &Domain, to: &Domain) -> Vec<String> {
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

fn add_domain_check(q: &str, c: &crate::model::Check) -> String {
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

pub fn drop_domain(d: &Domain) -> String {
    format!("DROP DOMAIN {}", domain_q(d))
}

fn comp_q(c: &Composite) -> String {
    qualified_parts(&c.schema, &c.name)
}

pub fn create_composite(c: &Composite) -> Vec<String> {
    let fields: Vec<String> = c
        .fields
        .iter()
        .map(|(n, t)| format!("{} {}", ident(n), types::sql(t)))
        .collect();
    let mut out = vec![format!(
        "CREATE TYPE {} AS ({})",
        comp_q(c),
        fields.join(", ")
    )];
    if c.comment.is_some() {
        out.push(format!(
            "COMMENT ON TYPE {} IS {}",
            comp_q(c),
            comment(&c.comment)
        ));
    }
    out
}

pub fn alter_composite(from: &Composite, to: &Composite) -> Vec<String> {
    let q = comp_q(to);
    let mut clauses = Vec::new();
    for (n, _) in &from.fields {
        if !to.fields.iter().any(|(m, _)| m == n) {
            clauses.push(format!("DROP ATTRIBUTE {}", ident(n)));
        }
    }
    for (n, t) in &to.fields {
        match from.fields.iter().find(|(m, _)| m == n) {
            None => clauses.push(format!("ADD ATTRIBUTE {} {}", ident(n), types::sql(t))),
            Some((_, old)) if old != t => clauses.push(format!(
                "ALTER ATTRIBUTE {} TYPE {}",
                ident(n),
                types::sql(t)
            )),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if !clauses.is_empty() {
        out.push(format!("ALTER TYPE {q} {}", clauses.join(", ")));
    }
    if from.comment != to.comment {
        out.push(format!("COMMENT ON TYPE {q} IS {}", comment(&to.comment)));
    }
    out
}

pub fn drop_composite(c: &Composite) -> String {
    format!("DROP TYPE {}", comp_q(c))
}

/// Enum rebuild, first half: move the old type aside and create the new one.
pub fn rebuild_enum_start(e: &Enum, old_name: &str) -> Vec<String> {
    vec![
        format!(
            "ALTER TYPE {} RENAME TO {}",
            qualified_parts(&e.schema, &e.name),
            ident(old_name)
        ),
        format!(
            "CREATE TYPE {} AS ENUM ({})",
            qualified_parts(&e.schema, &e.name),
            e.values
                .iter()
                .map(|v| literal(v))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ]
}

/// The argument list of a routine as used in `CREATE`.
fn arg_list(f: &Function, with_defaults: bool) -> String {
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
pub fn routine_ref(f: &Function) -> String {
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

fn kind_word(f: &Function) -> &'static str {
    match f.kind {
        RoutineKind::Function => "FUNCTION",
        RoutineKind::Procedure => "PROCEDURE",
    }
}

/// A dollar-quote tag that does not occur in the body.
fn dollar_tag(body: &str) -> String {
    let mut tag = "$strata$".to_string();
    let mut n = 0;
    while body.contains(&tag) {
        n += 1;
        tag = format!("$strata{n}$");
    }
    tag
}

/// `true` for SQL-standard bodies (`BEGIN ATOMIC … END`, `RETURN …`), which are not quoted.
fn is_sql_standard_body(f: &Function) -> bool {
    let b = f.body.trim_start().to_ascii_uppercase();
    f.language == "sql" && (b.starts_with("BEGIN ATOMIC") || b.starts_with("RETURN "))
}

pub fn create_function(f: &Function, or_replace: bool) -> Vec<String> {
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

pub fn comment_on_function(f: &Function) -> String {
    format!(
        "COMMENT ON {} {} IS {}",
        kind_word(f),
        routine_ref(f),
        comment(&f.comment)
    )
}

pub fn drop_function(f: &Function) -> String {
    format!("DROP {} {}", kind_word(f), routine_ref(f))
}

fn view_q(v: &View) -> String {
    qualified_parts(&v.schema, &v.name)
}

fn view_word(v: &View) -> &'static str {
    if v.materialized {
        "MATERIALIZED VIEW"
    } else {
        "VIEW"
    }
}

pub fn create_view(v: &View) -> Vec<String> {
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
        opts.push(super::ddl::param_list(&v.storage_params));
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
        out.push(super::ddl::create_index(
            &QualifiedName::new(&v.schema, &v.name),
            ix,
        ));
        if ix.comment.is_some() {
            out.push(super::ddl::comment_on_index(
                &v.schema,
                &ix.name,
                &ix.comment,
            ));
        }
    }
    out
}

pub fn drop_view(v: &View) -> String {
    format!("DROP {} {}", view_word(v), view_q(v))
}

/// Options, comments, indexes and population of a view whose query is unchanged.
pub fn alter_view(from: &View, to: &View) -> Vec<String> {
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
        for clause in super::ddl::storage_param_clauses(&from.storage_params, &to.storage_params) {
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
            out.push(super::ddl::drop_index(&to.schema, &ix.name));
        }
    }
    for ix in &to.indexes {
        if !from.indexes.iter().any(|h| h == ix) {
            out.push(super::ddl::create_index(&vq, ix));
            if ix.comment.is_some() {
                out.push(super::ddl::comment_on_index(
                    &to.schema,
                    &ix.name,
                    &ix.comment,
                ));
            }
        }
    }
    out
}

pub fn create_trigger(on: &QualifiedName, t: &Trigger) -> Vec<String> {
    let mut events = Vec::new();
    if t.events.insert {
        events.push("INSERT".to_string());
    }
    if t.events.update {
        events.push("UPDATE".to_string());
    }
    if !t.events.update_of.is_empty() {
        events.push(format!("UPDATE OF {}", ident_list(&t.events.update_of)));
    }
    if t.events.delete {
        events.push("DELETE".to_string());
    }
    if t.events.truncate {
        events.push("TRUNCATE".to_string());
    }
    let timing = match t.timing {
        TriggerTiming::Before => "BEFORE",
        TriggerTiming::After => "AFTER",
        TriggerTiming::InsteadOf => "INSTEAD OF",
    };
    let mut s = format!(
        "CREATE {}TRIGGER {} {timing} {} ON {}",
        if t.constraint { "CONSTRAINT " } else { "" },
        ident(&t.name),
        events.join(" OR "),
        qualified(on)
    );
    if t.constraint {
        s.push_str(match t.deferrable {
            crate::model::Deferrable::InitiallyDeferred => " DEFERRABLE INITIALLY DEFERRED",
            crate::model::Deferrable::InitiallyImmediate => " DEFERRABLE INITIALLY IMMEDIATE",
            crate::model::Deferrable::NotDeferrable => " NOT DEFERRABLE",
        });
    }
    if t.old_table.is_some() || t.new_table.is_some() {
        s.push_str(" REFERENCING");
        if let Some(o) = &t.old_table {
            s.push_str(&format!(" OLD TABLE AS {}", ident(o)));
        }
        if let Some(n) = &t.new_table {
            s.push_str(&format!(" NEW TABLE AS {}", ident(n)));
        }
    }
    s.push_str(if t.for_each_row {
        " FOR EACH ROW"
    } else {
        " FOR EACH STATEMENT"
    });
    if let Some(w) = &t.when {
        s.push_str(&format!(" WHEN ({w})"));
    }
    s.push_str(&format!(
        " EXECUTE FUNCTION {}({})",
        qualified(&t.function),
        t.args
            .iter()
            .map(|a| literal(a))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let mut out = vec![s];
    if let Some(e) = enable_trigger(on, t) {
        out.push(e);
    }
    if t.comment.is_some() {
        out.push(comment_on_trigger(on, t));
    }
    out
}

pub fn enable_trigger(on: &QualifiedName, t: &Trigger) -> Option<String> {
    let action = match t.enabled {
        'D' => "DISABLE TRIGGER",
        'A' => "ENABLE ALWAYS TRIGGER",
        'R' => "ENABLE REPLICA TRIGGER",
        _ => return None,
    };
    Some(format!(
        "ALTER TABLE {} {action} {}",
        qualified(on),
        ident(&t.name)
    ))
}

pub fn set_trigger_enabled(on: &QualifiedName, t: &Trigger) -> String {
    enable_trigger(on, t).unwrap_or_else(|| {
        format!(
            "ALTER TABLE {} ENABLE TRIGGER {}",
            qualified(on),
            ident(&t.name)
        )
    })
}

pub fn comment_on_trigger(on: &QualifiedName, t: &Trigger) -> String {
    format!(
        "COMMENT ON TRIGGER {} ON {} IS {}",
        ident(&t.name),
        qualified(on),
        comment(&t.comment)
    )
}

pub fn drop_trigger(on: &QualifiedName, t: &Trigger) -> String {
    format!("DROP TRIGGER {} ON {}", ident(&t.name), qualified(on))
}

fn roles(p: &Policy) -> String {
    p.roles
        .iter()
        .map(|r| {
            if r == "public" {
                "PUBLIC".to_string()
            } else {
                ident(r)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn create_policy(on: &QualifiedName, p: &Policy) -> Vec<String> {
    let mut s = format!("CREATE POLICY {} ON {}", ident(&p.name), qualified(on));
    if !p.permissive {
        s.push_str(" AS RESTRICTIVE");
    }
    if p.command != "ALL" {
        s.push_str(&format!(" FOR {}", p.command));
    }
    s.push_str(&format!(" TO {}", roles(p)));
    if let Some(u) = &p.using {
        s.push_str(&format!(" USING ({u})"));
    }
    if let Some(c) = &p.check {
        s.push_str(&format!(" WITH CHECK ({c})"));
    }
    let mut out = vec![s];
    if p.comment.is_some() {
        out.push(format!(
            "COMMENT ON POLICY {} ON {} IS {}",
            ident(&p.name),
            qualified(on),
            comment(&p.comment)
        ));
    }
    out
}

pub fn alter_policy(on: &QualifiedName, from: &Policy, to: &Policy) -> Vec<String> {
    let mut out = Vec::new();
    let mut s = format!("ALTER POLICY {} ON {}", ident(&to.name), qualified(on));
    let mut changed = false;
    if from.roles != to.roles {
        s.push_str(&format!(" TO {}", roles(to)));
        changed = true;
    }
    if from.using != to.using {
        s.push_str(&format!(
            " USING ({})",
            to.using.as_deref().unwrap_or("true")
        ));
        changed = true;
    }
    if from.check != to.check {
        s.push_str(&format!(
            " WITH CHECK ({})",
            to.check.as_deref().unwrap_or("true")
        ));
        changed = true;
    }
    if changed {
        out.push(s);
    }
    if from.comment != to.comment {
        out.push(format!(
            "COMMENT ON POLICY {} ON {} IS {}",
            ident(&to.name),
            qualified(on),
            comment(&to.comment)
        ));
    }
    out
}

pub fn drop_policy(on: &QualifiedName, p: &Policy) -> String {
    format!("DROP POLICY {} ON {}", ident(&p.name), qualified(on))
}

pub fn exclude_def(x: &Exclude) -> String {
    let elems: Vec<String> = x
        .elements
        .iter()
        .map(|(k, op)| {
            let e = match k {
                IndexKey::Column(c) => ident(c),
                IndexKey::Expr(e) => format!("({e})"),
            };
            format!("{e} WITH {op}")
        })
        .collect();
    let mut s = format!(
        "CONSTRAINT {} EXCLUDE USING {} ({})",
        ident(&x.name),
        x.method,
        elems.join(", ")
    );
    if !x.include.is_empty() {
        s.push_str(&format!(" INCLUDE ({})", ident_list(&x.include)));
    }
    if let Some(w) = &x.predicate {
        s.push_str(&format!(" WHERE ({w})"));
    }
    s.push_str(x.deferrable.sql());
    s
}

pub fn row_security(
    q: &QualifiedName,
    enabled: bool,
    forced: bool,
    was_enabled: bool,
    was_forced: bool,
) -> Vec<String> {
    let mut clauses = Vec::new();
    if enabled != was_enabled {
        clauses.push(
            if enabled {
                "ENABLE ROW LEVEL SECURITY"
            } else {
                "DISABLE ROW LEVEL SECURITY"
            }
            .to_string(),
        );
    }
    if forced != was_forced {
        clauses.push(
            if forced {
                "FORCE ROW LEVEL SECURITY"
            } else {
                "NO FORCE ROW LEVEL SECURITY"
            }
            .to_string(),
        );
    }
    if clauses.is_empty() {
        vec![]
    } else {
        vec![format!(
            "ALTER TABLE {} {}",
            qualified(q),
            clauses.join(", ")
        )]
    }
}

pub fn attach_partition(q: &QualifiedName, p: &PartitionOf) -> String {
    format!(
        "ALTER TABLE {} ATTACH PARTITION {} {}",
        qualified(&p.parent),
        qualified(q),
        p.bound
    )
}

pub fn detach_partition(q: &QualifiedName, p: &PartitionOf) -> String {
    format!(
        "ALTER TABLE {} DETACH PARTITION {}",
        qualified(&p.parent),
        qualified(q)
    )
}
