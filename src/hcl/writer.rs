//! [`Model`] → canonical HCL, as `strata inspect` prints it. The output loads back into the same
//! model without a trip through the scratch database: every value is written in the exact form
//! the loader turns back into what the inspector read.

use super::types as hcl_types;
use crate::model::{
    Deferrable, Enum, IndexKey, Model, PartitionStrategy, QualifiedName, ReplicaIdentity, Table,
};
use crate::postgres::defaults::{self, Literal};
use crate::postgres::names;
use std::collections::{HashMap, HashSet};

/// One item of an HCL body.
#[derive(Debug, Clone)]
pub(crate) enum Item {
    Attr(String, String),
    Block(HclBlock),
}

/// An HCL block being written.
#[derive(Debug, Clone)]
pub(crate) struct HclBlock {
    pub(crate) ident: String,
    pub(crate) labels: Vec<String>,
    pub(crate) items: Vec<Item>,
}

impl HclBlock {
    pub(crate) fn new(ident: &str, labels: &[&str]) -> Self {
        HclBlock {
            ident: ident.to_string(),
            labels: labels.iter().map(|l| l.to_string()).collect(),
            items: Vec::new(),
        }
    }

    pub(crate) fn attr(&mut self, key: &str, value: impl Into<String>) -> &mut Self {
        self.items.push(Item::Attr(key.to_string(), value.into()));
        self
    }

    pub(crate) fn block(&mut self, b: HclBlock) -> &mut Self {
        self.items.push(Item::Block(b));
        self
    }

    /// Renders the block at the given indentation depth.
    pub(crate) fn render(&self, depth: usize, out: &mut String) {
        let ind = "  ".repeat(depth);
        out.push_str(&ind);
        out.push_str(&self.ident);
        for l in &self.labels {
            out.push(' ');
            out.push_str(&string_literal(l));
        }
        out.push_str(" {\n");
        render_items(&self.items, depth + 1, out);
        out.push_str(&ind);
        out.push_str("}\n");
    }
}

/// Renders body items, aligning the `=` of consecutive attributes like `terraform fmt`.
pub(crate) fn render_items(items: &[Item], depth: usize, out: &mut String) {
    let ind = "  ".repeat(depth);
    let mut i = 0;
    while i < items.len() {
        match &items[i] {
            Item::Attr(..) => {
                let start = i;
                while i < items.len() && matches!(items[i], Item::Attr(..)) {
                    i += 1;
                }
                let run = &items[start..i];
                let width = run
                    .iter()
                    .map(|it| match it {
                        Item::Attr(k, _) => k.chars().count(),
                        Item::Block(_) => 0,
                    })
                    .max()
                    .unwrap_or(0);
                for it in run {
                    if let Item::Attr(k, v) = it {
                        out.push_str(&ind);
                        out.push_str(k);
                        out.push_str(&" ".repeat(width - k.chars().count()));
                        out.push_str(" = ");
                        out.push_str(v);
                        out.push('\n');
                    }
                }
            }
            Item::Block(b) => {
                b.render(depth, out);
                i += 1;
            }
        }
    }
}

/// An HCL string literal.
pub fn string_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' if chars.peek() == Some(&'{') => out.push_str("$$"),
            '%' if chars.peek() == Some(&'{') => out.push_str("%%"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `true` for names usable after a `.` in an HCL traversal.
fn is_hcl_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `.name` or `["name"]`.
pub(crate) fn segment(name: &str) -> String {
    if is_hcl_ident(name) {
        format!(".{name}")
    } else {
        format!("[{}]", string_literal(name))
    }
}

/// Chooses labels and reference paths for a model's objects: plain names, qualified by schema
/// only when the same name exists in several schemas.
pub(crate) struct Namer {
    /// (kind, name) pairs whose name is used in more than one schema.
    qualified: HashSet<(String, String)>,
    enums: HashSet<QualifiedName>,
    types: HashMap<QualifiedName, &'static str>,
}

impl Namer {
    pub(crate) fn new(model: &Model) -> Self {
        let mut count: HashMap<(String, String), usize> = HashMap::new();
        let mut bump = |kind: &str, name: &str| {
            *count
                .entry((kind.to_string(), name.to_string()))
                .or_default() += 1
        };
        for t in model.tables() {
            bump("table", &t.name);
        }
        for e in model.enums() {
            bump("enum", &e.name);
        }
        for v in model.views() {
            bump(
                if v.materialized {
                    "materialized"
                } else {
                    "view"
                },
                &v.name,
            );
        }
        for s in model.sequences() {
            bump("sequence", &s.name);
        }
        for d in model.domains() {
            bump("domain", &d.name);
        }
        for c in model.collations() {
            bump("collation", &c.name);
        }
        for c in model.composites() {
            bump("composite", &c.name);
        }
        let mut fnames: HashMap<String, HashSet<String>> = HashMap::new();
        for f in model.functions() {
            fnames
                .entry(f.name.clone())
                .or_default()
                .insert(f.schema.clone());
        }
        let mut qualified: HashSet<(String, String)> = count
            .into_iter()
            .filter(|(_, n)| *n > 1)
            .map(|(k, _)| k)
            .collect();
        for (name, schemas) in fnames {
            if schemas.len() > 1 {
                qualified.insert(("function".into(), name));
            }
        }
        let mut types = HashMap::new();
        for e in model.enums() {
            types.insert(QualifiedName::new(&e.schema, &e.name), "enum");
        }
        for d in model.domains() {
            types.insert(QualifiedName::new(&d.schema, &d.name), "domain");
        }
        for c in model.composites() {
            types.insert(QualifiedName::new(&c.schema, &c.name), "composite");
        }
        Namer {
            enums: model
                .enums()
                .map(|e| QualifiedName::new(&e.schema, &e.name))
                .collect(),
            qualified,
            types,
        }
    }

    /// Block labels of an object of `kind`.
    pub(crate) fn labels(&self, kind: &str, q: &QualifiedName) -> Vec<String> {
        if self.qualified.contains(&(kind.to_string(), q.name.clone())) {
            vec![q.schema.clone(), q.name.clone()]
        } else {
            vec![q.name.clone()]
        }
    }

    /// A reference such as `table.users` or `view["My View"]`.
    pub(crate) fn reference(&self, kind: &str, q: &QualifiedName) -> String {
        let mut s = kind.to_string();
        for l in self.labels(kind, q) {
            s.push_str(&segment(&l));
        }
        s
    }

    pub(crate) fn table_labels(&self, q: &QualifiedName) -> Vec<String> {
        self.labels("table", q)
    }

    pub(crate) fn table_ref(&self, q: &QualifiedName) -> String {
        self.reference("table", q)
    }

    pub(crate) fn function_ref(&self, q: &QualifiedName) -> String {
        self.reference("function", q)
    }

    pub(crate) fn enum_labels(&self, q: &QualifiedName) -> Vec<String> {
        self.labels("enum", q)
    }

    /// `enum.x`, `domain.x` or `composite.x` for a user type the model manages.
    pub(crate) fn enum_ref(&self, q: &QualifiedName) -> Option<String> {
        let kind = self.types.get(q)?;
        let _ = &self.enums;
        Some(self.reference(kind, q))
    }
}

pub(crate) fn schema_ref(name: &str) -> String {
    format!("schema{}", segment(name))
}

/// `table.<schema>.<name>` as an HCL reference (odd names in brackets), for `moved` blocks.
pub(crate) fn qualified_table_ref(q: &QualifiedName) -> String {
    format!("table{}{}", segment(&q.schema), segment(&q.name))
}

pub(crate) fn column_ref(name: &str) -> String {
    format!("column{}", segment(name))
}

fn column_list(cols: &[String]) -> String {
    format!(
        "[{}]",
        cols.iter()
            .map(|c| column_ref(c))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn deferrable(d: Deferrable) -> Option<&'static str> {
    match d {
        Deferrable::NotDeferrable => None,
        Deferrable::InitiallyImmediate => Some("INITIALLY_IMMEDIATE"),
        Deferrable::InitiallyDeferred => Some("INITIALLY_DEFERRED"),
    }
}

/// The HCL form of a default expression: a literal when one loads back to exactly `expr`.
pub(crate) fn default_hcl(expr: &str, ty: &crate::model::DataType) -> String {
    match defaults::literal_of(expr, ty) {
        Some(Literal::String(s)) => string_literal(&s),
        Some(Literal::Number(n)) => n,
        Some(Literal::Bool(b)) => b.to_string(),
        None => format!("sql({})", string_literal(expr)),
    }
}

/// Writes a whole model as canonical HCL.
pub fn write(model: &Model) -> String {
    let mut out = String::new();
    write_each(model, |text| out.push_str(text));
    out
}

/// Writes a whole model as canonical HCL, handing the text to `sink` one top-level block at a
/// time (so a large schema is never held as text in memory at once).
pub(crate) fn write_each(model: &Model, mut sink: impl FnMut(&str)) {
    use super::writer_objects as o;
    let namer = Namer::new(model);
    let enum_ref = |q: &QualifiedName| namer.enum_ref(q);
    let mut first = true;
    let mut buf = String::new();
    let mut emit = |b: HclBlock| {
        buf.clear();
        if !first {
            buf.push('\n');
        }
        first = false;
        b.render(0, &mut buf);
        sink(&buf);
    };
    for s in model.schemas.values() {
        let mut b = HclBlock::new("schema", &[&s.name]);
        if let Some(c) = &s.comment {
            b.attr("comment", string_literal(c));
        }
        emit(b);
    }
    for e in model.extensions.values() {
        emit(o::extension_block(e));
    }
    for e in model.enums() {
        emit(enum_block(e, &namer));
    }
    for c in model.collations() {
        emit(o::collation_block(c, &namer));
    }
    for d in model.domains() {
        emit(o::domain_block(d, &namer, &enum_ref));
    }
    for c in model.composites() {
        emit(o::composite_block(c, &namer, &enum_ref));
    }
    for s in model.sequences() {
        emit(o::sequence_block(s, &namer));
    }
    for f in model.functions() {
        emit(o::function_block(f, &enum_ref));
    }
    for a in model.aggregates() {
        emit(o::aggregate_block(a, &namer, &enum_ref));
    }
    for t in model.tables() {
        emit(table_block(t, &namer));
    }
    for v in model.views() {
        emit(o::view_block(v, &namer, &enum_ref));
    }
    for t in model.tables() {
        let on = namer.table_ref(&t.qualified());
        for tr in &t.triggers {
            emit(o::trigger_block(tr, &on, &namer));
        }
        for p in &t.policies {
            emit(o::policy_block(p, &on));
        }
    }
    for v in model.views() {
        let kind = if v.materialized {
            "materialized"
        } else {
            "view"
        };
        let on = namer.reference(kind, &QualifiedName::new(&v.schema, &v.name));
        for tr in &v.triggers {
            emit(o::trigger_block(tr, &on, &namer));
        }
    }
    for e in model.event_triggers.values() {
        emit(o::event_trigger_block(e, &namer));
    }
    for r in model.roles.values() {
        emit(super::writer_roles::role_block(r, model));
    }
    for b in super::writer_roles::permission_blocks(model, &namer) {
        emit(b);
    }
    for b in super::writer_roles::default_privileges_blocks(model) {
        emit(b);
    }
}

fn enum_block(e: &Enum, namer: &Namer) -> HclBlock {
    let q = QualifiedName::new(&e.schema, &e.name);
    let labels = namer.enum_labels(&q);
    let mut b = HclBlock::new(
        "enum",
        &labels.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    b.attr("schema", schema_ref(&e.schema));
    b.attr(
        "values",
        format!(
            "[{}]",
            e.values
                .iter()
                .map(|v| string_literal(v))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    if let Some(c) = &e.comment {
        b.attr("comment", string_literal(c));
    }
    b
}

/// The HCL block of an index (tables and materialized views).
pub(crate) fn index_block(ix: &crate::model::Index) -> HclBlock {
    let mut ib = HclBlock::new("index", &[&ix.name]);
    if ix.unique {
        ib.attr("unique", "true");
    }
    if ix.method != "btree" {
        ib.attr("type", ix.method.to_ascii_uppercase());
    }
    if ix.parts.iter().all(|p| p.is_plain_column()) {
        let cols: Vec<String> = ix
            .parts
            .iter()
            .filter_map(|p| match &p.key {
                IndexKey::Column(c) => Some(c.clone()),
                IndexKey::Expr(_) => None,
            })
            .collect();
        ib.attr("columns", column_list(&cols));
    } else {
        for p in &ix.parts {
            let mut ob = HclBlock::new("on", &[]);
            match &p.key {
                IndexKey::Column(c) => ob.attr("column", column_ref(c)),
                IndexKey::Expr(e) => ob.attr("expr", string_literal(e)),
            };
            if p.desc {
                ob.attr("desc", "true");
            }
            if p.nulls_first != p.desc {
                ob.attr("nulls_first", p.nulls_first.to_string());
            }
            if let (Some(o), false) = (&p.opclass, p.opclass_params.is_empty()) {
                ob.attr(
                    "ops",
                    format!(
                        "sql({})",
                        string_literal(&opclass_with_params(o, &p.opclass_params))
                    ),
                );
            } else if let Some(o) = &p.opclass {
                if is_hcl_ident(o) {
                    ob.attr("ops", o.clone());
                } else {
                    ob.attr("ops", format!("sql({})", string_literal(o)));
                }
            }
            if let Some(c) = &p.collation {
                ob.attr("collate", string_literal(c));
            }
            ib.block(ob);
        }
    }
    if let Some(w) = &ix.predicate {
        ib.attr("where", string_literal(w));
    }
    if !ix.include.is_empty() {
        ib.attr("include", column_list(&ix.include));
    }
    if !ix.nulls_distinct {
        ib.attr("nulls_distinct", "false");
    }
    if !ix.storage_params.is_empty() {
        ib.attr("storage_params", storage_params(&ix.storage_params));
    }
    if let Some(cm) = &ix.comment {
        ib.attr("comment", string_literal(cm));
    }
    ib
}

/// `{ fillfactor = 70, autovacuum_enabled = false }`: numbers and booleans bare when they read
/// back as the same text, everything else quoted.
pub(crate) fn storage_params(params: &std::collections::BTreeMap<String, String>) -> String {
    let items: Vec<String> = params
        .iter()
        .map(|(k, v)| {
            let key = if is_hcl_ident(k) {
                k.clone()
            } else {
                string_literal(k)
            };
            let bare = v == "true"
                || v == "false"
                || v.parse::<f64>()
                    .is_ok_and(|f| f.is_finite() && f.to_string() == *v);
            let value = if bare { v.clone() } else { string_literal(v) };
            format!("{key} = {value}")
        })
        .collect();
    format!("{{ {} }}", items.join(", "))
}

/// The HCL block of one table.
pub(crate) fn table_block(t: &Table, namer: &Namer) -> HclBlock {
    let labels = namer.table_labels(&t.qualified());
    let mut b = HclBlock::new(
        "table",
        &labels.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    b.attr("schema", schema_ref(&t.schema));
    if let Some(c) = &t.comment {
        b.attr("comment", string_literal(c));
    }
    if t.unlogged {
        b.attr("unlogged", "true");
    }
    if !t.storage_params.is_empty() {
        b.attr("storage_params", storage_params(&t.storage_params));
    }
    match &t.replica_identity {
        ReplicaIdentity::Default => {}
        ReplicaIdentity::Full => {
            b.attr("replica_identity", "FULL");
        }
        ReplicaIdentity::Nothing => {
            b.attr("replica_identity", "NOTHING");
        }
        ReplicaIdentity::Index(ix) => {
            b.attr("replica_identity", format!("index{}", segment(ix)));
        }
    }
    if !t.inherits.is_empty() {
        let refs: Vec<String> = t.inherits.iter().map(|p| namer.table_ref(p)).collect();
        b.attr("inherits", format!("[{}]", refs.join(", ")));
    }
    if let Some(p) = &t.partition_of {
        b.attr("partition_of", namer.table_ref(&p.parent));
        b.attr("bound", string_literal(&p.bound));
    }
    if t.rls_enabled || t.rls_forced {
        let mut rb = HclBlock::new("row_security", &[]);
        rb.attr("enabled", t.rls_enabled.to_string());
        if t.rls_forced {
            rb.attr("enforced", "true");
        }
        b.block(rb);
    }
    let enum_ref = |q: &QualifiedName| namer.enum_ref(q);
    for c in &t.columns {
        let mut cb = HclBlock::new("column", &[&c.name]);
        cb.attr("type", hcl_types::to_hcl(&c.ty, &enum_ref));
        cb.attr("null", c.nullable.to_string());
        if let Some(d) = &c.default {
            cb.attr("default", default_hcl(d, &c.ty));
        }
        if let Some(coll) = &c.collation {
            cb.attr("collate", string_literal(coll));
        }
        if let Some(cm) = &c.comment {
            cb.attr("comment", string_literal(cm));
        }
        if let Some(s) = c.storage {
            cb.attr("storage", s.sql());
        }
        if let Some(s) = c.compression {
            cb.attr("compression", s.name());
        }
        if let Some(n) = c.statistics {
            cb.attr("statistics", n.to_string());
        }
        if let Some(id) = &c.identity {
            let mut ib = HclBlock::new("identity", &[]);
            ib.attr("generated", if id.always { "ALWAYS" } else { "BY_DEFAULT" });
            let default_start =
                crate::model::Identity::default_start(id.increment, id.min_value, id.max_value);
            if id.start != default_start {
                ib.attr("start", id.start.to_string());
            }
            if id.increment != 1 {
                ib.attr("increment", id.increment.to_string());
            }
            if let Some(v) = id.min_value {
                ib.attr("min_value", v.to_string());
            }
            if let Some(v) = id.max_value {
                ib.attr("max_value", v.to_string());
            }
            if id.cache != 1 {
                ib.attr("cache", id.cache.to_string());
            }
            if id.cycle {
                ib.attr("cycle", "true");
            }
            cb.block(ib);
        }
        if let Some(g) = &c.generated {
            let mut gb = HclBlock::new("as", &[]);
            gb.attr("expr", string_literal(g));
            gb.attr("type", "STORED");
            cb.block(gb);
        }
        b.block(cb);
    }
    if let Some(pk) = &t.primary_key {
        let mut pb = if pk.name == names::primary_key(&t.name) {
            HclBlock::new("primary_key", &[])
        } else {
            HclBlock::new("primary_key", &[&pk.name])
        };
        pb.attr("columns", column_list(&pk.columns));
        if !pk.include.is_empty() {
            pb.attr("include", column_list(&pk.include));
        }
        if let Some(d) = deferrable(pk.deferrable) {
            pb.attr("deferrable", d);
        }
        if let Some(cm) = &pk.comment {
            pb.attr("comment", string_literal(cm));
        }
        b.block(pb);
    }
    for fk in &t.foreign_keys {
        let mut fb = HclBlock::new("foreign_key", &[&fk.name]);
        fb.attr("columns", column_list(&fk.columns));
        let target = namer.table_ref(&fk.ref_table);
        fb.attr(
            "ref_columns",
            format!(
                "[{}]",
                fk.ref_columns
                    .iter()
                    .map(|c| format!("{target}{}", segment_column(c)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
        fb.attr("on_update", fk.on_update.hcl());
        fb.attr("on_delete", fk.on_delete.hcl());
        if let Some(d) = deferrable(fk.deferrable) {
            fb.attr("deferrable", d);
        }
        if fk.not_valid {
            fb.attr("valid", "false");
        }
        if let Some(cm) = &fk.comment {
            fb.attr("comment", string_literal(cm));
        }
        b.block(fb);
    }
    for ix in &t.indexes {
        b.block(index_block(ix));
    }
    for u in &t.uniques {
        let mut ub = HclBlock::new("unique", &[&u.name]);
        ub.attr("columns", column_list(&u.columns));
        if !u.include.is_empty() {
            ub.attr("include", column_list(&u.include));
        }
        if !u.nulls_distinct {
            ub.attr("nulls_distinct", "false");
        }
        if let Some(d) = deferrable(u.deferrable) {
            ub.attr("deferrable", d);
        }
        if let Some(cm) = &u.comment {
            ub.attr("comment", string_literal(cm));
        }
        b.block(ub);
    }
    for c in &t.checks {
        let mut cb = match &c.name {
            Some(n) => HclBlock::new("check", &[n]),
            None => HclBlock::new("check", &[]),
        };
        cb.attr("expr", string_literal(&c.expr));
        if c.no_inherit {
            cb.attr("no_inherit", "true");
        }
        if c.not_valid {
            cb.attr("valid", "false");
        }
        if let Some(cm) = &c.comment {
            cb.attr("comment", string_literal(cm));
        }
        b.block(cb);
    }
    for x in &t.excludes {
        b.block(super::writer_objects::exclude_block(x));
    }
    if let Some(p) = &t.partition {
        let mut pb = HclBlock::new("partition", &[]);
        pb.attr(
            "type",
            match p.strategy {
                PartitionStrategy::Range => "RANGE",
                PartitionStrategy::List => "LIST",
                PartitionStrategy::Hash => "HASH",
            },
        );
        if p.parts.iter().all(|k| matches!(k, IndexKey::Column(_))) {
            let cols: Vec<String> = p
                .parts
                .iter()
                .filter_map(|k| match k {
                    IndexKey::Column(c) => Some(c.clone()),
                    IndexKey::Expr(_) => None,
                })
                .collect();
            pb.attr("columns", column_list(&cols));
        } else {
            for k in &p.parts {
                let mut by = HclBlock::new("by", &[]);
                match k {
                    IndexKey::Column(c) => by.attr("column", column_ref(c)),
                    IndexKey::Expr(e) => by.attr("expr", string_literal(e)),
                };
                pb.block(by);
            }
        }
        b.block(pb);
    }
    b
}

fn segment_column(c: &str) -> String {
    format!(".column{}", segment(c))
}

/// `tsvector_ops(siglen=8)`: Atlas's spelling of a parametrized operator class, read back by
/// the loader's `split_opclass`.
fn opclass_with_params(
    opclass: &str,
    params: &std::collections::BTreeMap<String, String>,
) -> String {
    let list: Vec<String> = params
        .iter()
        .map(|(k, v)| {
            if !v.is_empty()
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            {
                format!("{k}={v}")
            } else {
                format!("{k}={}", crate::postgres::quote::literal(v))
            }
        })
        .collect();
    format!("{opclass}({})", list.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_strings() {
        assert_eq!(string_literal("a\"b"), "\"a\\\"b\"");
        assert_eq!(string_literal("${x}"), "\"$${x}\"");
        assert_eq!(string_literal("line\nnext"), "\"line\\nnext\"");
    }

    #[test]
    fn references_use_brackets_for_odd_names() {
        assert_eq!(column_ref("id"), "column.id");
        assert_eq!(column_ref("my col"), "column[\"my col\"]");
        assert_eq!(schema_ref("Sales"), "schema.Sales");
        assert_eq!(
            qualified_table_ref(&QualifiedName::new("public", "my t")),
            "table.public[\"my t\"]"
        );
    }
}
