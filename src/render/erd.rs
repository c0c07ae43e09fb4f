//! Entity-relationship diagrams of a [`Model`] as text (`strata inspect --format mermaid|dot`):
//! tables with their columns and types, primary, foreign and unique key markers, one edge per
//! foreign key with its cardinality, views with dashed edges to the relations they read, enums
//! with their values.
//!
//! Any identifier must give a valid diagram, so neither format uses names as its identifiers:
//! every entity gets a generated id (`e1_public_users`: a counter, then the name's ASCII letters
//! and digits) and shows its real name as a label. Mermaid's attribute types and names are
//! single words: characters Mermaid does not accept there become `_` (`timestamp with time zone`
//! is `timestamp_with_time_zone`), and a column whose name changed that way carries its real
//! name in the attribute's comment. Mermaid's quoted labels cannot hold `"`, `%` or `\`: they
//! show as `'`, `％` and `＼`.

use crate::model::{DataType, Model, QualifiedName, Table};
use crate::postgres::{relations, types};
use std::collections::BTreeMap;

/// What a box of the diagram is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Table,
    View,
    Materialized,
    Enum,
    /// Referenced by a foreign key, outside what the model holds.
    Outside,
}

#[derive(Debug)]
pub(super) struct Entity {
    pub(super) id: String,
    pub(super) name: QualifiedName,
    pub(super) kind: Kind,
    pub(super) attrs: Vec<Attr>,
}

#[derive(Debug)]
pub(super) struct Attr {
    pub(super) name: String,
    pub(super) ty: String,
    pub(super) keys: Vec<&'static str>,
    pub(super) nullable: bool,
}

#[derive(Debug)]
pub(super) enum Link {
    /// `from` (the referencing table) refers to `to`.
    ForeignKey {
        from: usize,
        to: usize,
        name: String,
        /// A referencing column may be NULL: a row refers to zero or one row.
        optional: bool,
        /// The referencing columns are unique: at most one row refers to each.
        unique: bool,
        /// The first referencing and referenced columns (where the diagram's edge ends).
        column: Option<String>,
        ref_column: Option<String>,
    },
    /// View `from` reads relation `to`.
    Reads { from: usize, to: usize },
}

pub(super) struct Diagram {
    pub(super) entities: Vec<Entity>,
    pub(super) links: Vec<Link>,
}

impl Entity {
    pub(super) fn label(&self) -> String {
        let name = format!("{}.{}", self.name.schema, self.name.name);
        match self.kind {
            Kind::Table | Kind::Outside => name,
            Kind::View => format!("view {name}"),
            Kind::Materialized => format!("materialized view {name}"),
            Kind::Enum => format!("enum {name}"),
        }
    }
}

fn entity_id(n: usize, name: &QualifiedName) -> String {
    let mut id = format!("e{n}_");
    for c in format!("{}_{}", name.schema, name.name).chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            id.push(c);
        }
    }
    id
}

pub(super) fn build(model: &Model) -> Diagram {
    let mut d = Diagram {
        entities: Vec::new(),
        links: Vec::new(),
    };
    let mut index: BTreeMap<QualifiedName, usize> = BTreeMap::new();
    let mut add = |d: &mut Diagram, name: QualifiedName, kind: Kind, attrs: Vec<Attr>| {
        let i = d.entities.len();
        d.entities.push(Entity {
            id: entity_id(i + 1, &name),
            name: name.clone(),
            kind,
            attrs,
        });
        index.entry(name).or_insert(i);
        i
    };
    for t in model.tables() {
        add(&mut d, t.qualified(), Kind::Table, columns(t));
    }
    for v in model.views() {
        let kind = if v.materialized {
            Kind::Materialized
        } else {
            Kind::View
        };
        add(
            &mut d,
            QualifiedName::new(&v.schema, &v.name),
            kind,
            Vec::new(),
        );
    }
    for e in model.enums() {
        let values = e
            .values
            .iter()
            .map(|v| Attr {
                name: v.clone(),
                ty: "value".into(),
                keys: Vec::new(),
                nullable: false,
            })
            .collect();
        add(
            &mut d,
            QualifiedName::new(&e.schema, &e.name),
            Kind::Enum,
            values,
        );
    }
    foreign_keys(model, &mut d, &mut index);
    view_reads(model, &mut d, &index);
    d
}

fn columns(t: &Table) -> Vec<Attr> {
    t.columns
        .iter()
        .map(|c| {
            let mut keys = Vec::new();
            if t.primary_key
                .as_ref()
                .is_some_and(|pk| pk.columns.contains(&c.name))
            {
                keys.push("PK");
            }
            if t.foreign_keys.iter().any(|f| f.columns.contains(&c.name)) {
                keys.push("FK");
            }
            if t.uniques.iter().any(|u| u.columns.contains(&c.name)) {
                keys.push("UK");
            }
            Attr {
                name: c.name.clone(),
                ty: plain_type(&c.ty),
                keys,
                nullable: c.nullable,
            }
        })
        .collect()
}

/// The type as `format_type` spells it, user types unquoted (qualified outside `public`).
fn plain_type(ty: &DataType) -> String {
    match ty {
        DataType::Named(q) if q.schema == "public" => q.name.clone(),
        DataType::Named(q) => format!("{}.{}", q.schema, q.name),
        DataType::Array(e) => format!("{}[]", plain_type(e)),
        other => types::display(other),
    }
}

/// Whether `cols` are exactly the primary key or a unique constraint of `t`.
fn unique_columns(t: &Table, cols: &[String]) -> bool {
    let same = |k: &[String]| {
        let mut a = k.to_vec();
        let mut b = cols.to_vec();
        a.sort();
        b.sort();
        a == b
    };
    t.primary_key.as_ref().is_some_and(|pk| same(&pk.columns))
        || t.uniques.iter().any(|u| same(&u.columns))
}

fn foreign_keys(model: &Model, d: &mut Diagram, index: &mut BTreeMap<QualifiedName, usize>) {
    for t in model.tables() {
        let Some(&from) = index.get(&t.qualified()) else {
            continue;
        };
        for fk in &t.foreign_keys {
            let to = match index.get(&fk.ref_table) {
                Some(&i) => i,
                None => {
                    let i = d.entities.len();
                    d.entities.push(Entity {
                        id: entity_id(i + 1, &fk.ref_table),
                        name: fk.ref_table.clone(),
                        kind: Kind::Outside,
                        attrs: Vec::new(),
                    });
                    index.insert(fk.ref_table.clone(), i);
                    i
                }
            };
            let optional = fk
                .columns
                .iter()
                .any(|c| t.column(c).is_none_or(|c| c.nullable));
            d.links.push(Link::ForeignKey {
                from,
                to,
                name: fk.name.clone(),
                optional,
                unique: unique_columns(t, &fk.columns),
                column: fk.columns.first().cloned(),
                ref_column: fk.ref_columns.first().cloned(),
            });
        }
    }
}

/// A view's relations, from its query: a bare name is looked up in the view's schema, then in
/// `public`; names the model does not hold (CTEs, catalogs) are left out.
fn view_reads(model: &Model, d: &mut Diagram, index: &BTreeMap<QualifiedName, usize>) {
    for v in model.views() {
        let Some(&from) = index.get(&QualifiedName::new(&v.schema, &v.name)) else {
            continue;
        };
        let mut seen = Vec::new();
        for (schema, name) in relations::read_by(&v.query) {
            let candidates = match schema {
                Some(s) => vec![QualifiedName::new(s, &name)],
                None => vec![
                    QualifiedName::new(&v.schema, &name),
                    QualifiedName::new("public", &name),
                ],
            };
            let hit = candidates.iter().find_map(|q| index.get(q).copied());
            if let Some(to) = hit
                && to != from
                && d.entities[to].kind != Kind::Enum
                && !seen.contains(&to)
            {
                seen.push(to);
                d.links.push(Link::Reads { from, to });
            }
        }
    }
}

/// The model as a Mermaid `erDiagram`.
pub fn mermaid(model: &Model) -> String {
    let d = build(model);
    let mut out = String::from("erDiagram\n");
    for e in &d.entities {
        let label = mermaid_label(&e.label());
        if e.attrs.is_empty() {
            out.push_str(&format!("    {}[\"{label}\"]\n", e.id));
            continue;
        }
        out.push_str(&format!("    {}[\"{label}\"] {{\n", e.id));
        for a in &e.attrs {
            out.push_str(&format!("        {}\n", mermaid_attr(a, e.kind)));
        }
        out.push_str("    }\n");
    }
    for l in &d.links {
        let (from, to, spec, role) = match l {
            Link::ForeignKey {
                from,
                to,
                name,
                optional,
                unique,
                ..
            } => {
                let referenced = if *optional { "|o" } else { "||" };
                let referencing = if *unique { "o|" } else { "o{" };
                (
                    *to,
                    *from,
                    format!("{referenced}--{referencing}"),
                    name.as_str(),
                )
            }
            Link::Reads { from, to } => (*from, *to, "}o..o{".to_string(), "reads"),
        };
        out.push_str(&format!(
            "    {} {spec} {} : \"{}\"\n",
            d.entities[from].id,
            d.entities[to].id,
            mermaid_label(role)
        ));
    }
    out
}

fn mermaid_attr(a: &Attr, kind: Kind) -> String {
    let name = mermaid_word(&a.name);
    let mut line = format!("{} {name}", mermaid_word(&a.ty));
    if !a.keys.is_empty() {
        line.push(' ');
        line.push_str(&a.keys.join(", "));
    }
    let mut notes = Vec::new();
    if a.nullable {
        notes.push("nullable".to_string());
    }
    if name != a.name {
        let what = if kind == Kind::Enum {
            "value"
        } else {
            "column"
        };
        notes.push(format!("{what}: {}", a.name));
    }
    if !notes.is_empty() {
        line.push_str(&format!(" \"{}\"", mermaid_comment(&notes.join("; "))));
    }
    line
}

/// One attribute word as Mermaid's lexer reads it: a letter, `_` or a character from U+00C0 on
/// first, then also digits, `-`, `(`, `)`, `[`, `]`, `.` and `,`; anything else becomes `_`. A
/// word Mermaid would read as a key (`PK`, `FK`, `UK`) gets a trailing `_`.
pub(crate) fn mermaid_word(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let ok = c.is_ascii_alphanumeric()
            || matches!(c, '_' | '-' | '(' | ')' | '[' | ']' | '.' | ',')
            || c >= '\u{C0}';
        out.push(if ok { c } else { '_' });
    }
    let starts_well = out
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c >= '\u{C0}');
    if !starts_well {
        out.insert(0, '_');
    }
    // Mermaid reads `PK`, `FK` and `UK` before a non-word character as a key, whatever follows.
    let lower = out.to_ascii_lowercase();
    let key_first = ["pk", "fk", "uk"].iter().any(|k| lower.starts_with(k))
        && !lower
            .chars()
            .nth(2)
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
    if key_first {
        out.push('_');
        if out.len() > 3 {
            out.insert(0, '_');
            out.pop();
        }
    }
    out
}

/// An attribute's comment: a label in which `~` shows as `∼` (Mermaid reads a word with two
/// `~` as a generic type, even in quotes).
fn mermaid_comment(s: &str) -> String {
    mermaid_label(s).replace('~', "∼")
}

/// Text inside Mermaid's double quotes, which end at `"` and refuse `%`, `\` and line breaks.
pub(crate) fn mermaid_label(s: &str) -> String {
    let text: String = s
        .chars()
        .map(|c| match c {
            '"' => '\'',
            '%' => '％',
            '\\' => '＼',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    if text.trim().is_empty() {
        "_".to_string()
    } else {
        text
    }
}

/// The model as a Graphviz `digraph`: HTML-like table labels, foreign keys as solid edges with
/// crow's-foot ends, views' reads as dashed edges.
pub fn dot(model: &Model) -> String {
    let d = build(model);
    let mut out = String::from(
        "digraph schema {\n    graph [rankdir=LR];\n    node [shape=plaintext, fontname=\"Helvetica\"];\n    edge [fontname=\"Helvetica\", fontsize=10];\n",
    );
    for e in &d.entities {
        out.push_str(&format!("    {} [label=<{}>];\n", e.id, dot_table(e)));
    }
    for l in &d.links {
        let line = match l {
            Link::ForeignKey {
                from,
                to,
                name,
                optional,
                unique,
                ..
            } => format!(
                "{} -> {} [label={}, dir=both, arrowtail={}, arrowhead={}];",
                d.entities[*from].id,
                d.entities[*to].id,
                dot_string(name),
                if *unique { "teeodot" } else { "crowodot" },
                if *optional { "teeodot" } else { "teetee" },
            ),
            Link::Reads { from, to } => format!(
                "{} -> {} [label=\"reads\", style=dashed, arrowhead=vee];",
                d.entities[*from].id, d.entities[*to].id
            ),
        };
        out.push_str(&format!("    {line}\n"));
    }
    out.push_str("}\n");
    out
}

fn dot_table(e: &Entity) -> String {
    let color = match e.kind {
        Kind::Table => "#dbe8f6",
        Kind::View | Kind::Materialized => "#e4f2dc",
        Kind::Enum => "#f6eed6",
        Kind::Outside => "#eeeeee",
    };
    let mut html = format!(
        "<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" CELLPADDING=\"4\"><TR><TD COLSPAN=\"3\" BGCOLOR=\"{color}\"><B>{}</B></TD></TR>",
        dot_html(&e.label())
    );
    for a in &e.attrs {
        let ty = if a.nullable {
            format!("{} NULL", a.ty)
        } else {
            a.ty.clone()
        };
        html.push_str(&format!(
            "<TR><TD ALIGN=\"LEFT\">{}</TD><TD ALIGN=\"LEFT\">{}</TD><TD>{}</TD></TR>",
            dot_html(&a.name),
            dot_html(&ty),
            a.keys.join(" ")
        ));
    }
    html.push_str("</TABLE>");
    html
}

/// Text in a Graphviz HTML-like label.
pub(crate) fn dot_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    if out.is_empty() {
        out.push(' ');
    }
    out
}

/// A DOT double-quoted string: quotes and backslashes escaped (a backslash would otherwise
/// start one of Graphviz's label escapes), line breaks as spaces.
pub(crate) fn dot_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mermaid_words_are_single_tokens() {
        assert_eq!(
            mermaid_word("timestamp with time zone"),
            "timestamp_with_time_zone"
        );
        assert_eq!(mermaid_word("numeric(10,2)"), "numeric(10,2)");
        assert_eq!(mermaid_word("1st \"col\""), "_1st__col_");
        assert_eq!(mermaid_word("pk"), "pk_");
        assert_eq!(mermaid_word("FK-id"), "_FK-id");
        assert_eq!(mermaid_word("uk(1)"), "_uk(1)");
        assert_eq!(mermaid_word("pkey"), "pkey");
        assert_eq!(mermaid_comment("a~b~c"), "a∼b∼c");
        assert_eq!(mermaid_word("ключ"), "ключ");
    }

    #[test]
    fn labels_and_strings_are_escaped() {
        assert_eq!(mermaid_label("a\"b%c\\d"), "a'b％c＼d");
        assert_eq!(dot_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(dot_html("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
