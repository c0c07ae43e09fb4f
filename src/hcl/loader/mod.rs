//! HCL → [`Model`]: Atlas's PostgreSQL dialect. Reads every file of the schema, resolves
//! references (`schema.public`, `column.id`, `table.users.column.id`, `enum.status`) and reports
//! every problem as a diagnostic pointing at its file, line and column.

use super::diag::{Errors, HclError, HclErrors, Location, SourceFile};
use super::eval::Evaluator;
use super::syntax::syntax_error;
use super::types as hcl_types;
use crate::model::{
    Check, Column, DataType, Deferrable, Enum, ForeignKey, Identity, Index, IndexKey, IndexPart,
    Model, ObjectId, PartitionKey, PartitionStrategy, PrimaryKey, QualifiedName, ReferentialAction,
    ReplicaIdentity, Schema, Table, Unique,
};
use crate::postgres::defaults::{self, Literal};
use crate::postgres::names;
use hcl::Value;
use hcl::edit::Span;
use hcl::edit::expr::{Expression, TraversalOperator};
use hcl::edit::structure::{Attribute, Block, Body};
use std::collections::{BTreeMap, HashMap, HashSet};

mod column;
mod declare;
mod foreach;
mod index;
mod table;
mod values;

/// Options for loading schema files.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `--var name=value` overrides for `variable` blocks.
    pub(crate) vars: BTreeMap<String, String>,
}

/// Where each object of a loaded model was declared.
#[derive(Debug, Clone, Default)]
pub(crate) struct SourceMap {
    /// Keyed by object: `schema.public`, `table.public.users`, `enum.public.status`, the
    /// other kinds' `<kind>.<schema>.<name>` and routines' `<kind>.<schema>.<signature>`.
    pub(crate) objects: HashMap<ObjectId, Location>,
}

/// A loaded schema and where its objects came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub model: Model,
    pub(crate) sources: SourceMap,
    /// `moved` blocks: renames to make instead of drops and creates.
    pub(crate) moves: Vec<crate::diff::moves::Move>,
    /// The names of the files' `variable` blocks.
    pub(crate) variables: Vec<String>,
}

/// The top-level block kinds a schema file may contain.
pub(crate) const TOP_LEVEL_BLOCKS: &[&str] = &[
    "schema",
    "table",
    "enum",
    "variable",
    "locals",
    "extension",
    "sequence",
    "view",
    "materialized",
    "function",
    "procedure",
    "aggregate",
    "trigger",
    "event_trigger",
    "policy",
    "role",
    "user",
    "permission",
    "default_privileges",
    "collation",
    "domain",
    "composite",
    "moved",
];

mod moved;
mod objects;

/// Loads a set of already-read files as one schema.
pub fn load(files: &[SourceFile], opts: &LoadOptions) -> Result<Loaded, HclErrors> {
    let mut errors = Errors::default();
    // Files are parsed block by block; table blocks (the bulk of a large schema) are parsed
    // when they are needed and dropped right after, so memory stays proportional to one block.
    let mut bodies: Vec<(SourceFile, Body)> = Vec::new();
    let mut table_chunks: Vec<(SourceFile, std::ops::Range<usize>)> = Vec::new();
    for f in files {
        let whole = 0..f.text.len();
        let pieces =
            super::chunks::split(&f.text).unwrap_or_else(|| std::iter::once(whole).collect());
        let whole = pieces.len() == 1 && pieces[0] == (0..f.text.len());
        for r in pieces {
            let text = &f.text[r.clone()];
            let cf = f.with_offset(r.start);
            let first_word = text
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next();
            // A table that may use `for_each` or `each` is parsed with the rest.
            if !whole && first_word == Some("table") && !foreach::mentions_each(text) {
                table_chunks.push((cf, r));
                continue;
            }
            match hcl::edit::parser::parse_body(text) {
                Ok(body) => bodies.push((cf, body)),
                Err(e) => errors.push(syntax_error(&cf, text, &e)),
            }
        }
    }
    if !errors.is_empty() {
        return Err(HclErrors {
            errors: errors.list,
        });
    }
    let mut eval = Evaluator::new(false);
    let raw_top = top_level_blocks(&bodies, &mut errors);
    eval.declare_variables(&of_kind(&raw_top, "variable"), &opts.vars, &mut errors);
    eval.declare_locals(&of_kind(&raw_top, "locals"), &mut errors);
    // `for_each` blocks become their instances before anything is declared.
    let mut instances: Vec<foreach::Instance> = Vec::new();
    for (f, body) in &bodies {
        let mentions = |b: &Block| {
            b.span().is_some_and(|s| {
                let text = f.text.get(f.offset + s.start..f.offset + s.end);
                text.is_some_and(foreach::mentions_each)
            })
        };
        for b in body.blocks().filter(|b| mentions(b)) {
            if foreach::has_for_each(b) {
                instances.extend(foreach::expand(&eval, f, b, &mut errors));
            } else {
                foreach::check_plain(f, b, &mut errors);
            }
        }
    }
    let mut top: Vec<(&SourceFile, &Block)> = raw_top
        .into_iter()
        .filter(|(_, b)| !foreach::has_for_each(b))
        .collect();
    top.extend(instances.iter().map(|i| (&i.file, &i.block)));
    let mut loader = Loader {
        eval,
        errors,
        schemas: HashMap::new(),
        tables: Vec::new(),
        enums: Vec::new(),
        objects: Vec::new(),
        type_schema: None,
        table_names: HashSet::new(),
        sources: SourceMap::default(),
        instance_keys: instances
            .iter()
            .map(|i| (std::ptr::from_ref(&i.block) as usize, i.key.clone()))
            .collect(),
    };
    let of_kind = |kind: &str| of_kind(&top, kind);
    let mut model = Model::default();
    loader.declare_schemas(&of_kind("schema"), &mut model);
    loader.declare_enums(&of_kind("enum"));
    loader.declare_tables(&of_kind("table"));
    loader.declare_table_chunks(table_chunks);
    loader.declare_objects(&top);
    // The objects' names as values (`${table.users.name}`) only when a file can use them: a
    // map of every name of a 20,000-table schema is not built for nothing.
    if files.iter().any(|f| mentions_object_names(&f.text)) {
        loader.declare_names();
    }
    for e in loader.build_enums() {
        if let Some(s) = model.schemas.get_mut(&e.schema) {
            s.enums.insert(e.name.clone(), e);
        }
    }
    for t in loader.build_tables() {
        if let Some(s) = model.schemas.get_mut(&t.schema) {
            s.tables.insert(t.name.clone(), t);
        }
    }
    loader.build_objects(&top, &mut model);
    model.sort();
    refuse_long_names(&model, files, &mut loader.errors);
    let moves = loader.build_moves(&of_kind("moved"), &model);
    let variables = of_kind("variable")
        .iter()
        .filter_map(|(_, b)| b.labels.first().map(|l| l.as_str().to_string()))
        .collect();
    let Loader {
        errors, sources, ..
    } = loader;
    errors.into_result(Loaded {
        model,
        sources,
        moves,
        variables,
    })
}

fn of_kind<'b>(
    top: &[(&'b SourceFile, &'b Block)],
    kind: &str,
) -> Vec<(&'b SourceFile, &'b Block)> {
    top.iter()
        .filter(|(_, b)| b.ident.as_str() == kind)
        .map(|(f, b)| (*f, *b))
        .collect()
}

/// The top-level blocks of the parsed files; top-level attributes and unknown blocks are errors.
fn top_level_blocks<'b>(
    bodies: &'b [(SourceFile, Body)],
    errors: &mut Errors,
) -> Vec<(&'b SourceFile, &'b Block)> {
    let mut top = Vec::new();
    for (f, body) in bodies {
        for structure in body.iter() {
            if let Some(a) = structure.as_attribute() {
                errors.push(
                    HclError::new(
                        Location::new(f, a.key.span()),
                        format!("unexpected top-level attribute `{}`", a.key.as_str()),
                        "attributes must live inside a block",
                    )
                    .with_help(format!(
                        "expected one of the blocks: {}",
                        TOP_LEVEL_BLOCKS.join(", ")
                    )),
                );
            }
            let Some(b) = structure.as_block() else {
                continue;
            };
            if !TOP_LEVEL_BLOCKS.contains(&b.ident.as_str()) {
                errors.push(
                    HclError::new(
                        Location::new(f, b.ident.span()),
                        format!("unknown block `{}`", b.ident.as_str()),
                        "not a schema block",
                    )
                    .with_help(format!("expected one of: {}", TOP_LEVEL_BLOCKS.join(", "))),
                );
            }
            top.push((f, b));
        }
    }
    top
}

/// Whether `text` may read an object's name as a value: `<kind>.<name>.name` or
/// `<kind>.<schema>.<name>.name` (or `.schema`, or an indexed `….name`). It may say yes for nothing (in a
/// comment, say), never no for a use; `column.name` (a column called `name`) does not count.
fn mentions_object_names(text: &str) -> bool {
    const KINDS: &[&str] = &[
        "table",
        "enum",
        "view",
        "materialized",
        "sequence",
        "domain",
        "composite",
        "schema",
    ];
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    let uses = [".name", ".schema"].into_iter().flat_map(|field| {
        text.match_indices(field)
            .map(move |(i, _)| (i, i + field.len()))
    });
    uses.into_iter().any(|(i, end)| {
        if text[end..].starts_with(ident) {
            return false;
        }
        let before = &text[..i];
        if before.ends_with(']') || before.ends_with('"') {
            return true;
        }
        // The dotted chain before `.name`: `table.users` or `table.public.users`.
        let start = before
            .rfind(|c: char| !(ident(c) || c == '.'))
            .map_or(0, |j| j + 1);
        let chain: Vec<&str> = before[start..].split('.').collect();
        (2..=3).contains(&chain.len()) && KINDS.contains(&chain[0])
    })
}

/// PostgreSQL truncates identifiers to 63 bytes (NAMEDATALEN - 1): a longer name would be
/// created truncated and then never match its declaration, so every plan would drop and
/// recreate the object. Such names are load errors, at the name's first quoted occurrence.
fn refuse_long_names(model: &Model, files: &[SourceFile], errors: &mut Errors) {
    const MAX: usize = 63;
    let mut long: Vec<(&'static str, &str)> = Vec::new();
    for (sname, s) in &model.schemas {
        long.push(("schema", sname));
        for (n, t) in &s.tables {
            long.push(("table", n));
            long.extend(t.columns.iter().map(|c| ("column", c.name.as_str())));
            long.extend(t.indexes.iter().map(|i| ("index", i.name.as_str())));
            long.extend(t.uniques.iter().map(|u| ("constraint", u.name.as_str())));
            long.extend(
                t.foreign_keys
                    .iter()
                    .map(|f| ("constraint", f.name.as_str())),
            );
            long.extend(t.excludes.iter().map(|x| ("constraint", x.name.as_str())));
            long.extend(
                t.checks
                    .iter()
                    .filter_map(|c| c.name.as_deref())
                    .map(|n| ("constraint", n)),
            );
            long.extend(
                t.primary_key
                    .iter()
                    .map(|p| ("constraint", p.name.as_str())),
            );
            long.extend(t.triggers.iter().map(|x| ("trigger", x.name.as_str())));
            long.extend(t.policies.iter().map(|x| ("policy", x.name.as_str())));
        }
        long.extend(s.enums.keys().map(|n| ("enum", n.as_str())));
        long.extend(s.domains.keys().map(|n| ("domain", n.as_str())));
        long.extend(s.composites.keys().map(|n| ("composite type", n.as_str())));
        long.extend(s.collations.keys().map(|n| ("collation", n.as_str())));
        long.extend(s.sequences.keys().map(|n| ("sequence", n.as_str())));
        for (n, v) in &s.views {
            long.push(("view", n));
            long.extend(v.indexes.iter().map(|i| ("index", i.name.as_str())));
            long.extend(v.triggers.iter().map(|x| ("trigger", x.name.as_str())));
        }
        long.extend(s.functions.values().map(|f| ("function", f.name.as_str())));
        long.extend(
            s.aggregates
                .values()
                .map(|a| ("aggregate", a.name.as_str())),
        );
    }
    long.extend(
        model
            .event_triggers
            .keys()
            .map(|n| ("event trigger", n.as_str())),
    );
    long.retain(|(_, n)| n.len() > MAX);
    for s in model.schemas.values() {
        for t in s.tables.values().filter(|t| t.columns.len() > 1600) {
            let quoted = format!("\"{}\"", t.name);
            let at = files
                .iter()
                .find_map(|f| f.text.find(&quoted).map(|i| (f, i)));
            if let Some((f, i)) = at {
                errors.push(
                    HclError::new(
                        Location::new(f, Some(i..i + quoted.len())),
                        format!(
                            "table \"{}.{}\" has {} columns; PostgreSQL allows at most 1600",
                            t.schema,
                            t.name,
                            t.columns.len()
                        ),
                        "too many columns",
                    )
                    .with_help("split the table, or move rarely used columns into a jsonb column"),
                );
            }
        }
    }
    for (kind, name) in long {
        let quoted = format!("\"{name}\"");
        let at = files
            .iter()
            .find_map(|f| f.text.find(&quoted).map(|i| (f, i)));
        let location = match at {
            Some((f, i)) => Location::new(f, Some(i..i + quoted.len())),
            None => match files.first() {
                Some(f) => Location::new(f, None),
                None => continue,
            },
        };
        errors.push(
            HclError::new(
                location,
                format!(
                    "{kind} name \"{name}\" is {} bytes long; PostgreSQL allows at most {MAX}",
                    name.len()
                ),
                "name too long",
            )
            .with_help(
                "PostgreSQL would truncate it, and the object would never match its declaration: use a shorter name",
            ),
        );
    }
}

/// Where a table's block comes from: parsed with its file, or a chunk parsed on demand.
#[derive(Clone)]
enum TableSource<'a> {
    Block(&'a Block),
    Chunk(std::ops::Range<usize>),
}

struct SchemaSym {
    name: String,
}

struct TableSym<'a> {
    file: SourceFile,
    source: TableSource<'a>,
    /// `partition_of = table.x` as written.
    partition_parent: Option<Vec<String>>,
    /// `inherits = [table.x, …]` as written.
    inherit_parents: Vec<Vec<String>>,
    /// Label qualifier of `table "schema" "name"`.
    qualifier: Option<String>,
    name: String,
    schema: String,
    columns: Vec<String>,
    /// Materialized views: any column name is accepted.
    open_columns: bool,
}

struct EnumSym<'a> {
    file: &'a SourceFile,
    block: &'a Block,
    qualifier: Option<String>,
    name: String,
    schema: String,
}

struct Loader<'a> {
    eval: Evaluator,
    errors: Errors,
    /// By label.
    schemas: HashMap<String, SchemaSym>,
    tables: Vec<TableSym<'a>>,
    enums: Vec<EnumSym<'a>>,
    /// Views, routines, sequences, domains and composite types.
    objects: Vec<objects::ObjectSym<'a>>,
    /// The schema of the table or object being built: an unqualified user type declared in
    /// several schemas resolves to the one in this schema first.
    type_schema: Option<String>,
    /// Qualified names of declared tables.
    table_names: HashSet<QualifiedName>,
    sources: SourceMap,
    /// The `for_each` key of each instance block, by the block's address.
    instance_keys: HashMap<usize, String>,
}

/// A reference path such as `table.users.column.id` as its segments.
fn path_of(expr: &Expression) -> Option<Vec<String>> {
    match expr {
        Expression::Traversal(t) => {
            let mut v = vec![t.expr.as_variable()?.as_str().to_string()];
            for op in &t.operators {
                match op.value() {
                    TraversalOperator::GetAttr(id) => v.push(id.as_str().to_string()),
                    TraversalOperator::Index(e) => v.push(e.as_str()?.to_string()),
                    _ => return None,
                }
            }
            Some(v)
        }
        Expression::Variable(v) => Some(vec![v.as_str().to_string()]),
        _ => None,
    }
}

impl Loader<'_> {
    /// `storage_params = { fillfactor = 70, autovacuum_enabled = false }`: values as
    /// PostgreSQL stores them (numbers and booleans as text).
    fn storage_params(&mut self, file: &SourceFile, body: &Body) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let Some(attr) = body.get_attribute("storage_params") else {
            return out;
        };
        let span = attr.value.span();
        let Some(value) = self.value(file, attr) else {
            return out;
        };
        let Value::Object(map) = value else {
            self.err(
                file,
                span,
                format!(
                    "`storage_params` must be an object, found {}",
                    kind_of(&value)
                ),
                "expected { name = value, … }",
            );
            return out;
        };
        for (k, v) in map {
            let text = match v {
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::String(s) => s,
                other => {
                    self.err(
                        file,
                        span.clone(),
                        format!(
                            "storage parameter `{k}` must be a number, bool or string, found {}",
                            kind_of(&other)
                        ),
                        "here",
                    );
                    continue;
                }
            };
            out.insert(k, text);
        }
        out
    }

    /// `replica_identity = DEFAULT | FULL | NOTHING | index.NAME`.
    fn replica_identity(
        &mut self,
        file: &SourceFile,
        attr: &hcl::edit::structure::Attribute,
    ) -> ReplicaIdentity {
        let span = attr.value.span();
        match path_of(&attr.value).as_deref() {
            Some([kw]) if kw.eq_ignore_ascii_case("DEFAULT") => return ReplicaIdentity::Default,
            Some([kw]) if kw.eq_ignore_ascii_case("FULL") => return ReplicaIdentity::Full,
            Some([kw]) if kw.eq_ignore_ascii_case("NOTHING") => return ReplicaIdentity::Nothing,
            Some([root, ix]) if root == "index" => return ReplicaIdentity::Index(ix.clone()),
            _ => {}
        }
        self.errors.push(
            HclError::new(
                Location::new(file, span),
                "invalid `replica_identity`",
                "expected DEFAULT, FULL, NOTHING or index.NAME",
            )
            .with_help("use DEFAULT, FULL, NOTHING, or a unique index of this table: index.NAME"),
        );
        ReplicaIdentity::Default
    }
}

/// `-12`, `0.5`, `1e10`: a number literal as HCL and SQL both read it.
fn is_decimal_literal(t: &str) -> bool {
    let digits = t.strip_prefix('-').unwrap_or(t);
    let (mantissa, exponent) = match digits.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (digits, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    !int.is_empty()
        && all_digits(int)
        && all_digits(frac)
        && exponent.is_none_or(|e| !e.is_empty() && all_digits(e))
}

fn expr_text(expr: &Expression) -> String {
    let mut e = expr.clone();
    hcl::edit::Decorate::decor_mut(&mut e).clear();
    e.to_string().trim().to_string()
}

impl<'a> Loader<'a> {}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Splits Atlas's `tsvector_ops(siglen=8)` (also `tsvector_ops (siglen = '8')`) into the
/// operator class and its parameters; a plain name has none. Keys fold to lower case unless
/// double-quoted; values may be bare or single-quoted (`''` for a quote).
pub(crate) fn split_opclass(text: &str) -> Result<(String, BTreeMap<String, String>), String> {
    let text = text.trim();
    let Some(open) = text.find('(') else {
        return Ok((text.to_string(), BTreeMap::new()));
    };
    let name = text[..open].trim();
    let Some(inner) = text[open + 1..].trim_end().strip_suffix(')') else {
        return Err(format!("`{text}` has no closing parenthesis"));
    };
    if name.is_empty() {
        return Err(format!("`{text}` names no operator class"));
    }
    let mut params = BTreeMap::new();
    let mut chars = inner.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let key = read_param_word(&mut chars, '"')?
            .ok_or_else(|| format!("a parameter in `{text}` has no name"))?;
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.next() != Some('=') {
            return Err(format!("parameter `{key}` in `{text}` has no `= value`"));
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let value = read_param_word(&mut chars, '\'')?
            .ok_or_else(|| format!("parameter `{key}` in `{text}` has no value"))?;
        params.insert(key, value);
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.next() {
            None => break,
            Some(',') => {}
            Some(c) => return Err(format!("unexpected `{c}` in `{text}`")),
        }
    }
    Ok((name.to_string(), params))
}

/// One key or value: quoted with `quote` (doubled inside) and kept as written, or bare up to a
/// separator and folded to lower case when it is a key.
fn read_param_word(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    quote: char,
) -> Result<Option<String>, String> {
    let mut out = String::new();
    if chars.peek() == Some(&quote) {
        chars.next();
        loop {
            match chars.next() {
                None => return Err(format!("unterminated {quote}")),
                Some(c) if c == quote => {
                    if chars.peek() == Some(&quote) {
                        chars.next();
                        out.push(quote);
                    } else {
                        return Ok(Some(out));
                    }
                }
                Some(c) => out.push(c),
            }
        }
    }
    while let Some(&c) = chars.peek() {
        if c == '=' || c == ',' || c.is_whitespace() {
            break;
        }
        out.push(if quote == '"' {
            c.to_ascii_lowercase()
        } else {
            c
        });
        chars.next();
    }
    Ok((!out.is_empty()).then_some(out))
}

#[cfg(test)]
mod opclass_tests {
    use super::split_opclass;

    #[test]
    fn parametrized_operator_classes_split_into_name_and_parameters() {
        let (name, params) = split_opclass("tsvector_ops(siglen=8)").unwrap();
        assert_eq!(name, "tsvector_ops");
        assert_eq!(params.get("siglen").map(String::as_str), Some("8"));
        let (name, params) =
            split_opclass(" public.my_ops ( SigLen = '1''2', \"Odd Key\"=x )").unwrap();
        assert_eq!(name, "public.my_ops");
        assert_eq!(params.get("siglen").map(String::as_str), Some("1'2"));
        assert_eq!(params.get("Odd Key").map(String::as_str), Some("x"));
        assert_eq!(split_opclass("jsonb_path_ops").unwrap().1.len(), 0);
        assert!(split_opclass("tsvector_ops(siglen=8").is_err());
        assert!(split_opclass("tsvector_ops(siglen)").is_err());
        assert!(split_opclass("tsvector_ops(siglen='8)").is_err());
        assert!(split_opclass("(siglen=8)").is_err());
    }
}

#[cfg(test)]
mod name_value_tests {
    use super::mentions_object_names as m;

    #[test]
    fn object_names_are_declared_only_where_a_file_can_read_them() {
        assert!(m(r#"as = "SELECT * FROM ${table.users.name}""#));
        assert!(m(r#"comment = "in ${view.app.v.schema}""#));
        assert!(m(r#"x = table["odd name"].name"#));
        assert!(m("name = schema.public.name"));
        // References and plain attributes are not name reads.
        assert!(!m("columns = [column.name]\n  schema = schema.public\n"));
        assert!(!m("column \"name\" { type = text }\n  col.named = 1"));
    }
}
