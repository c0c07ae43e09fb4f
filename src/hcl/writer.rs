//! [`Model`] → canonical HCL, as `strata inspect` prints it. The output loads back into the same
//! model without a trip through the scratch database: every value is written in the exact form
//! the loader turns back into what the inspector read.

use super::types as hcl_types;
use crate::model::{
    Deferrable, Enum, IndexKey, Model, PartitionStrategy, QualifiedName, ReferentialAction, Table,
};
use crate::postgres::defaults::{self, Literal};
use crate::postgres::names;
use std::collections::{HashMap, HashSet};

/// One item of an HCL body.
#[derive(Debug, Clone)]
pub enum Item {
    Attr(String, String),
    Block(HclBlock),
}

/// An HCL block being written.
#[derive(Debug, Clone)]
pub struct HclBlock {
    pub ident: String,
    pub labels: Vec<String>,
    pub items: Vec<Item>,
}

impl HclBlock {
    pub fn new(ident: &str, labels: &[&str]) -> Self {
        HclBlock {
            ident: ident.to_string(),
            labels: labels.iter().map(|l| l.to_string()).collect(),
            items: Vec::new(),
        }
    }

    pub fn attr(&mut self, key: &str, value: impl Into<String>) -> &mut Self {
        self.items.push(Item::Attr(key.to_string(), value.into()));
        self
    }

    pub fn block(&mut self, b: HclBlock) -> &mut Self {
        self.items.push(Item::Block(b));
        self
    }

    /// Renders the block at the given indentation depth.
    pub fn render(&self, depth: usize, out: &mut String) {
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
pub fn render_items(items: &[Item], depth: usize, out: &mut String) {
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
fn segment(name: &str) -> String {
    if is_hcl_ident(name) {
        format!(".{name}")
    } else {
        format!("[{}]", string_literal(name))
    }
}

/// Chooses labels and reference paths for a model's objects: plain names, qualified by schema
/// only when the same name exists in several schemas.
pub struct Namer {
    table_qualified: HashSet<String>,
    enum_qualified: HashSet<String>,
    enums: HashSet<QualifiedName>,
}

impl Namer {
    pub fn new(model: &Model) -> Self {
        let mut tables: HashMap<&str, usize> = HashMap::new();
        let mut enums: HashMap<&str, usize> = HashMap::new();
        for t in model.tables() {
            *tables.entry(t.name.as_str()).or_default() += 1;
        }
        for e in model.enums() {
            *enums.entry(e.name.as_str()).or_default() += 1;
        }
        Namer {
            table_qualified: tables
                .into_iter()
                .filter(|(_, n)| *n > 1)
                .map(|(k, _)| k.to_string())
                .collect(),
            enum_qualified: enums
                .into_iter()
                .filter(|(_, n)| *n > 1)
                .map(|(k, _)| k.to_string())
                .collect(),
            enums: model
                .enums()
                .map(|e| QualifiedName::new(&e.schema, &e.name))
                .collect(),
        }
    }

    pub fn table_labels(&self, q: &QualifiedName) -> Vec<String> {
        if self.table_qualified.contains(&q.name) {
            vec![q.schema.clone(), q.name.clone()]
        } else {
            vec![q.name.clone()]
        }
    }

    pub fn table_ref(&self, q: &QualifiedName) -> String {
        let mut s = "table".to_string();
        for l in self.table_labels(q) {
            s.push_str(&segment(&l));
        }
        s
    }

    pub fn enum_labels(&self, q: &QualifiedName) -> Vec<String> {
        if self.enum_qualified.contains(&q.name) {
            vec![q.schema.clone(), q.name.clone()]
        } else {
            vec![q.name.clone()]
        }
    }

    pub fn enum_ref(&self, q: &QualifiedName) -> Option<String> {
        if !self.enums.contains(q) {
            return None;
        }
        let mut s = "enum".to_string();
        for l in self.enum_labels(q) {
            s.push_str(&segment(&l));
        }
        Some(s)
    }
}

pub fn schema_ref(name: &str) -> String {
    format!("schema{}", segment(name))
}

pub fn column_ref(name: &str) -> String {
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
pub fn default_hcl(expr: &str, ty: &crate::model::DataType) -> String {
    match defaults::literal_of(expr, ty) {
        Some(Literal::String(s)) => string_literal(&s),
        Some(Literal::Number(n)) => n,
        Some(Literal::Bool(b)) => b.to_string(),
        None => format!("sql({})", string_literal(expr)),
    }
}

/// Writes a whole model as canonical HCL.
pub fn write(model: &Model) -> String {
    let namer = Namer::new(model);
    let mut out = String::new();
    let mut first = true;
    let mut sep = |out: &mut String| {
        if !std::mem::replace(&mut first, false) {
            out.push('\n');
        }
    };
    for s in model.schemas.values() {
        sep(&mut out);
        let mut b = HclBlock::new("schema", &[&s.name]);
        if let Some(c) = &s.comment {
            b.attr("comment", string_literal(c));
        }
        b.render(0, &mut out);
    }
    for e in model.enums() {
        sep(&mut out);
        enum_block(e, &namer).render(0, &mut out);
    }
    for t in model.tables() {
        sep(&mut out);
        table_block(t, &namer).render(0, &mut out);
    }
    out
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

/// The HCL block of one table.
pub fn table_block(t: &Table, namer: &Namer) -> HclBlock {
    let labels = namer.table_labels(&t.qualified());
    let mut b = HclBlock::new(
        "table",
        &labels.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    b.attr("schema", schema_ref(&t.schema));
    if let Some(c) = &t.comment {
        b.attr("comment", string_literal(c));
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
        if let Some(id) = &c.identity {
            let mut ib = HclBlock::new("identity", &[]);
            ib.attr("generated", if id.always { "ALWAYS" } else { "BY_DEFAULT" });
            let default_start = if id.increment < 0 { -1 } else { 1 };
            if id.start != default_start {
                ib.attr("start", id.start.to_string());
            }
            if id.increment != 1 {
                ib.attr("increment", id.increment.to_string());
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
        if let Some(cm) = &fk.comment {
            fb.attr("comment", string_literal(cm));
        }
        b.block(fb);
    }
    for ix in &t.indexes {
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
                if let Some(o) = &p.opclass {
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
        if let Some(cm) = &ix.comment {
            ib.attr("comment", string_literal(cm));
        }
        b.block(ib);
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
        if let Some(cm) = &c.comment {
            cb.attr("comment", string_literal(cm));
        }
        b.block(cb);
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

/// HCL spelling of a referential action (exposed for the plan renderer).
pub fn action_hcl(a: ReferentialAction) -> &'static str {
    a.hcl()
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
    }
}
