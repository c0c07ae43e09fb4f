//! `strata erd` and `strata plan --format html`: the model as an SVG diagram laid out by
//! [`super::erd_layout`], alone (`--format svg`) or in one self-contained HTML page: inline
//! CSS and JavaScript, nothing fetched at view time, with search, pan and zoom, and a side
//! panel for the clicked table (columns, indexes, comments, neighbours).
//!
//! Every name and comment is escaped for HTML where it is written; the panel's data is a JSON
//! document in a `<script type="application/json">` whose `<`, `>` and `&` are `\u` escapes,
//! and the script only ever sets `textContent`. Boxes carry `data-name="schema.name"` and
//! `data-kind`; tables also `data-table="schema.name"`.

use super::erd::{Diagram, Entity, Kind, Link, build};
use super::erd_layout::{self, Node};
use crate::model::{Model, QualifiedName};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

/// Character width and line heights of the diagram's monospace text, in pixels.
const CHAR: f64 = 7.3;
const HEADER: f64 = 26.0;
const ROW: f64 = 18.0;
/// Rows drawn per box; the panel lists all of them.
const MAX_ROWS: usize = 40;

const CSS: &str = include_str!("erd_page.css");
const SVG_CSS: &str = include_str!("erd_svg.css");
const JS: &str = include_str!("erd_page.js");

/// What a plan does to a table or column (`plan --format html`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    Added,
    Changed,
    Dropped,
}

impl Mark {
    fn class(self) -> &'static str {
        match self {
            Mark::Added => "added",
            Mark::Changed => "changed",
            Mark::Dropped => "dropped",
        }
    }
}

/// Marks by table and by column; columns a plan drops are listed so that they can be drawn.
#[derive(Debug, Default)]
pub(crate) struct Marks {
    pub(crate) tables: HashMap<QualifiedName, Mark>,
    pub(crate) columns: HashMap<(QualifiedName, String), Mark>,
}

impl Marks {
    fn table(&self, q: &QualifiedName) -> Option<Mark> {
        self.tables.get(q).copied()
    }

    fn column(&self, q: &QualifiedName, c: &str) -> Option<Mark> {
        self.columns.get(&(q.clone(), c.to_string())).copied()
    }
}

/// What the page shows besides the diagram.
#[derive(Debug, Default)]
pub(crate) struct Page<'a> {
    pub(crate) title: &'a str,
    pub(crate) marks: Option<&'a Marks>,
    /// The plan's SQL, shown below the diagram.
    pub(crate) sql: Option<&'a str>,
}

/// Text for HTML and SVG, in element content and in quoted attributes alike; control
/// characters become spaces.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn qualified(q: &QualifiedName) -> String {
    format!("{}.{}", q.schema, q.name)
}

/// The diagram as a standalone SVG document (no script).
pub(crate) fn svg(model: &Model) -> String {
    let d = build(model);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&draw(&d, None, true));
    out
}

/// The diagram in a self-contained HTML page.
pub(crate) fn html(model: &Model, page: &Page) -> String {
    let d = build(model);
    let tables = d.entities.iter().filter(|e| e.kind == Kind::Table).count();
    let mut out = String::with_capacity(4096 + d.entities.len() * 1500);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<header>\n<strong class=\"brand\">{}</strong>\n<input id=\"search\" type=\"search\" placeholder=\"Search tables\" autocomplete=\"off\">\n<button id=\"zoom-in\" title=\"Zoom in\">+</button><button id=\"zoom-out\" title=\"Zoom out\">\u{2212}</button><button id=\"fit\" title=\"Fit to the window\">Fit</button>\n<span id=\"count\">{tables} tables</span>\n",
        escape(page.title),
        escape(page.title)
    );
    if page.marks.is_some() {
        out.push_str("<span class=\"legend\"><i class=\"added\"></i>added <i class=\"changed\"></i>changed <i class=\"dropped\"></i>dropped</span>\n");
    }
    out.push_str("</header>\n<main>\n<div id=\"canvas\">\n");
    out.push_str(&draw(&d, page.marks, false));
    out.push_str("</div>\n<aside id=\"panel\" hidden></aside>\n</main>\n");
    if let Some(sql) = page.sql {
        let _ = write!(
            out,
            "<section id=\"sql\">\n<h2>SQL</h2>\n<pre>{}</pre>\n</section>\n",
            escape(sql)
        );
    }
    let _ = write!(
        out,
        "<script type=\"application/json\" id=\"erd-data\">{}</script>\n<script>\n{JS}</script>\n</body>\n</html>\n",
        details(model, &d, page.marks)
    );
    out
}

/// One box's size and where its rows' columns start.
struct BoxSize {
    w: f64,
    h: f64,
    type_x: f64,
    keys_x: f64,
}

fn measure(e: &Entity) -> BoxSize {
    let chars = |s: &str| s.chars().count() as f64;
    let shown = &e.attrs[..e.attrs.len().min(MAX_ROWS)];
    let name_w = shown.iter().map(|a| chars(&a.name)).fold(0.0, f64::max);
    let type_w = shown
        .iter()
        .map(|a| chars(&row_type(e, a)))
        .fold(0.0, f64::max);
    let keys_w = shown
        .iter()
        .map(|a| chars(&a.keys.join(" ")))
        .fold(0.0, f64::max);
    let type_x = 10.0 + (name_w + 2.0) * CHAR;
    let keys_x = type_x + (type_w + 2.0) * CHAR;
    let rows_w = keys_x + keys_w * CHAR + 10.0;
    let title_w = 20.0 + chars(&e.label()) * CHAR;
    let rows = shown.len() + usize::from(e.attrs.len() > MAX_ROWS);
    BoxSize {
        w: rows_w.max(title_w).max(120.0).ceil(),
        h: HEADER + rows as f64 * ROW + if rows > 0 { 6.0 } else { 0.0 },
        type_x,
        keys_x,
    }
}

/// The type shown on a row: `?` marks a nullable column; an enum's values have none.
fn row_type(e: &Entity, a: &super::erd::Attr) -> String {
    match e.kind {
        Kind::Enum => String::new(),
        _ if a.nullable => format!("{}?", a.ty),
        _ => a.ty.clone(),
    }
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Table => "table",
        Kind::View => "view",
        Kind::Materialized => "materialized",
        Kind::Enum => "enum",
        Kind::Outside => "outside",
    }
}

/// The `<svg>` element: cluster boxes, edges, then the boxes on top.
fn draw(d: &Diagram, marks: Option<&Marks>, standalone: bool) -> String {
    let sizes: Vec<BoxSize> = d.entities.iter().map(measure).collect();
    let mut groups: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &d.entities {
        let n = groups.len();
        groups.entry(e.name.schema.as_str()).or_insert(n);
    }
    // Groups numbered in schema order.
    let order: Vec<&str> = groups.keys().copied().collect();
    let group_of: HashMap<&str, usize> = order.iter().enumerate().map(|(i, s)| (*s, i)).collect();
    let nodes: Vec<Node> = d
        .entities
        .iter()
        .zip(&sizes)
        .map(|(e, s)| Node {
            w: s.w,
            h: s.h,
            group: group_of.get(e.name.schema.as_str()).copied().unwrap_or(0),
        })
        .collect();
    let edges: Vec<(usize, usize)> = d
        .links
        .iter()
        .map(|l| match l {
            Link::ForeignKey { from, to, .. } | Link::Reads { from, to } => (*from, *to),
        })
        .collect();
    let l = erd_layout::layout(&nodes, &edges, order.len());
    let (w, h) = (l.width.ceil() + 40.0, l.height.ceil() + 40.0);
    let mut out = String::with_capacity(d.entities.len() * 1500);
    let _ = write!(
        out,
        "<svg id=\"erd\" xmlns=\"http://www.w3.org/2000/svg\" data-width=\"{w}\" data-height=\"{h}\""
    );
    if standalone {
        let _ = write!(out, " width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\"");
    }
    let _ = write!(
        out,
        ">\n<style>\n{SVG_CSS}</style>\n<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" class=\"arrowhead\"/></marker></defs>\n<g id=\"viewport\" transform=\"translate(20,20)\">\n"
    );
    for (g, r) in l.groups.iter().enumerate() {
        if let (Some(r), Some(schema)) = (r, order.get(g)) {
            let _ = writeln!(
                out,
                "<g class=\"cluster\" data-schema=\"{s}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"8\"/><text x=\"{}\" y=\"{}\">schema {s}</text></g>",
                r.x,
                r.y,
                r.w,
                r.h,
                r.x + 14.0,
                r.y + 22.0,
                s = escape(schema)
            );
        }
    }
    for link in &d.links {
        edge(&mut out, d, &sizes, &l.pos, link);
    }
    for (i, e) in d.entities.iter().enumerate() {
        entity(&mut out, e, &sizes[i], l.pos[i], marks);
    }
    out.push_str("</g>\n</svg>\n");
    out
}

/// The y offset, inside its box, of the row of attribute `name` (the header without one).
fn row_y(e: &Entity, name: Option<&str>) -> f64 {
    match name.and_then(|n| e.attrs.iter().position(|a| a.name == n)) {
        Some(i) if i < MAX_ROWS => HEADER + i as f64 * ROW + ROW / 2.0 + 3.0,
        _ => HEADER / 2.0,
    }
}

fn edge(out: &mut String, d: &Diagram, sizes: &[BoxSize], pos: &[(f64, f64)], link: &Link) {
    let (from, to, class, fy, ty, title) = match link {
        Link::ForeignKey {
            from,
            to,
            name,
            column,
            ref_column,
            ..
        } => (
            *from,
            *to,
            "edge fk",
            row_y(&d.entities[*from], column.as_deref()),
            row_y(&d.entities[*to], ref_column.as_deref()),
            name.as_str(),
        ),
        Link::Reads { from, to } => (
            *from,
            *to,
            "edge reads",
            HEADER / 2.0,
            HEADER / 2.0,
            "reads",
        ),
    };
    let (a, b) = (pos[from], pos[to]);
    let (aw, bw) = (sizes[from].w, sizes[to].w);
    // Leave from the side facing the other box; boxes in one column loop out on the right.
    let (x1, x2, c1, c2) = if a.0 >= b.0 + bw {
        let k = ((a.0 - b.0 - bw) / 2.0).max(30.0);
        (a.0, b.0 + bw, a.0 - k, b.0 + bw + k)
    } else if a.0 + aw <= b.0 {
        let k = ((b.0 - a.0 - aw) / 2.0).max(30.0);
        (a.0 + aw, b.0, a.0 + aw + k, b.0 - k)
    } else {
        let x1 = a.0 + aw;
        let x2 = b.0 + bw;
        let k = 40.0 + (a.1 - b.1).abs().min(400.0) / 8.0;
        (x1, x2, x1.max(x2) + k, x1.max(x2) + k)
    };
    let (y1, y2) = (a.1 + fy, b.1 + ty);
    let _ = writeln!(
        out,
        "<path class=\"{class}\" data-from=\"{}\" data-to=\"{}\" d=\"M{x1:.1},{y1:.1} C{c1:.1},{y1:.1} {c2:.1},{y2:.1} {x2:.1},{y2:.1}\"><title>{}</title></path>",
        escape(&qualified(&d.entities[from].name)),
        escape(&qualified(&d.entities[to].name)),
        escape(title)
    );
}

fn entity(out: &mut String, e: &Entity, size: &BoxSize, (x, y): (f64, f64), marks: Option<&Marks>) {
    let name = escape(&qualified(&e.name));
    let kind = kind_name(e.kind);
    let mark = marks.and_then(|m| m.table(&e.name));
    let mut class = format!("ent {kind}");
    if let Some(m) = mark {
        class.push(' ');
        class.push_str(m.class());
    }
    let table_attr = if e.kind == Kind::Table {
        format!(" data-table=\"{name}\"")
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "<g class=\"{class}\" data-name=\"{name}\" data-kind=\"{kind}\"{table_attr} transform=\"translate({x:.1},{y:.1})\">\n<rect class=\"box\" width=\"{w}\" height=\"{h}\" rx=\"5\"/><rect class=\"head\" width=\"{w}\" height=\"{HEADER}\" rx=\"5\"/><text class=\"title\" x=\"10\" y=\"17\">{}</text>",
        escape(&e.label()),
        w = size.w,
        h = size.h,
    );
    for (i, a) in e.attrs.iter().take(MAX_ROWS).enumerate() {
        let ry = HEADER + i as f64 * ROW + 14.0;
        let col_mark = marks.and_then(|m| m.column(&e.name, &a.name));
        let class = match col_mark {
            Some(m) => format!("row {}", m.class()),
            None => "row".to_string(),
        };
        let ty = row_type(e, a);
        let _ = writeln!(
            out,
            "<g class=\"{class}\" data-column=\"{}\"><text class=\"name\" x=\"10\" y=\"{ry}\">{}</text><text class=\"ty\" x=\"{:.1}\" y=\"{ry}\">{}</text><text class=\"keys\" x=\"{:.1}\" y=\"{ry}\">{}</text></g>",
            escape(&a.name),
            escape(&a.name),
            size.type_x,
            escape(&ty),
            size.keys_x,
            a.keys.join(" ")
        );
    }
    if e.attrs.len() > MAX_ROWS {
        let ry = HEADER + MAX_ROWS as f64 * ROW + 14.0;
        let _ = writeln!(
            out,
            "<text class=\"more\" x=\"10\" y=\"{ry}\">\u{2026} {} more</text>",
            e.attrs.len() - MAX_ROWS
        );
    }
    out.push_str("</g>\n");
}

/// The side panel's data: per box, its columns (or values), indexes and comments.
fn details(model: &Model, d: &Diagram, marks: Option<&Marks>) -> String {
    let mut map = serde_json::Map::new();
    for e in &d.entities {
        let mut v = serde_json::json!({
            "kind": kind_name(e.kind),
            "label": e.label(),
        });
        let mark = marks.and_then(|m| m.table(&e.name)).map(Mark::class);
        let table = model.table(&e.name);
        let columns: Vec<serde_json::Value> = e
            .attrs
            .iter()
            .map(|a| {
                let col = table.and_then(|t| t.column(&a.name));
                serde_json::json!({
                    "name": a.name,
                    "type": a.ty,
                    "keys": a.keys.join(" "),
                    "nullable": a.nullable,
                    "default": col.and_then(|c| c.default.clone()),
                    "comment": col.and_then(|c| c.comment.clone()),
                    "mark": marks.and_then(|m| m.column(&e.name, &a.name)).map(Mark::class),
                })
            })
            .collect();
        if let Some(obj) = v.as_object_mut() {
            obj.insert("columns".into(), columns.into());
            obj.insert("mark".into(), mark.into());
            if let Some(t) = table {
                let q = t.qualified();
                let indexes: Vec<String> = t
                    .indexes
                    .iter()
                    .map(|ix| crate::postgres::ddl::create_index(&q, ix))
                    .collect();
                obj.insert("indexes".into(), indexes.into());
                obj.insert("comment".into(), t.comment.clone().into());
            }
        }
        map.insert(qualified(&e.name), v);
    }
    let text = serde_json::to_string(&serde_json::Value::Object(map)).unwrap_or_default();
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<a href='x'>\"&\u{0}"),
            "&lt;a href=&#39;x&#39;&gt;&quot;&amp; "
        );
        assert_eq!(escape("Ünïcødé"), "Ünïcødé");
    }
}
