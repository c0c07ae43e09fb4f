//! HCL → [`Model`]: Atlas's PostgreSQL dialect. Reads every file of the schema, resolves
//! references (`schema.public`, `column.id`, `table.users.column.id`, `enum.status`) and reports
//! every problem as a diagnostic pointing at its file, line and column.

use super::diag::{Errors, HclError, HclErrors, Location, SourceFile};
use super::eval::Evaluator;
use super::types as hcl_types;
use crate::model::{
    Check, Column, DataType, Deferrable, Enum, ForeignKey, Identity, Index, IndexKey, IndexPart,
    Model, PartitionKey, PartitionStrategy, PrimaryKey, QualifiedName, ReferentialAction,
    ReplicaIdentity, Schema, Table, Unique,
};
use crate::postgres::defaults::{self, Literal};
use crate::postgres::names;
use hcl::Value;
use hcl::edit::Span;
use hcl::edit::expr::{Expression, TraversalOperator};
use hcl::edit::structure::{Attribute, Block, Body};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Options for loading schema files.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `--var name=value` overrides for `variable` blocks.
    pub vars: BTreeMap<String, String>,
}

/// Where each object of a loaded model was declared.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    /// Keyed by address: `schema.public`, `table.public.users`, `enum.public.status`.
    pub objects: HashMap<String, Location>,
}

/// A loaded schema and where its objects came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub model: Model,
    pub sources: SourceMap,
    /// `moved` blocks: renames to make instead of drops and creates.
    pub moves: Vec<crate::diff::moves::Move>,
}

/// The top-level block kinds a schema file may contain.
pub const TOP_LEVEL_BLOCKS: &[&str] = &[
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
    "trigger",
    "policy",
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
            if !whole && first_word == Some("table") {
                table_chunks.push((cf, r));
                continue;
            }
            match hcl::edit::parser::parse_body(text) {
                Ok(body) => bodies.push((cf, body)),
                Err(e) => errors.push(syntax_error(&cf, &e)),
            }
        }
    }
    if !errors.is_empty() {
        return Err(HclErrors {
            errors: errors.list,
        });
    }
    let mut loader = Loader {
        eval: Evaluator::new(false),
        errors,
        schemas: HashMap::new(),
        tables: Vec::new(),
        enums: Vec::new(),
        objects: Vec::new(),
        table_names: HashSet::new(),
        sources: SourceMap::default(),
    };
    let mut top: Vec<(&SourceFile, &Block)> = Vec::new();
    for (f, body) in bodies.iter() {
        for structure in body.iter() {
            match structure.as_block() {
                Some(b) => top.push((f, b)),
                None => {
                    if let Some(a) = structure.as_attribute() {
                        loader.errors.push(
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
                }
            }
        }
    }
    for (f, b) in &top {
        if !TOP_LEVEL_BLOCKS.contains(&b.ident.as_str()) {
            loader.errors.push(
                HclError::new(
                    Location::new(f, b.ident.span()),
                    format!("unknown block `{}`", b.ident.as_str()),
                    "not a schema block",
                )
                .with_help(format!("expected one of: {}", TOP_LEVEL_BLOCKS.join(", "))),
            );
        }
    }
    let of_kind = |kind: &str| -> Vec<(&SourceFile, &Block)> {
        top.iter()
            .filter(|(_, b)| b.ident.as_str() == kind)
            .map(|(f, b)| (*f, *b))
            .collect()
    };
    let mut errs = std::mem::take(&mut loader.errors);
    loader
        .eval
        .declare_variables(&of_kind("variable"), &opts.vars, &mut errs);
    loader.eval.declare_locals(&of_kind("locals"), &mut errs);
    loader.errors = errs;

    let mut model = Model::default();
    loader.declare_schemas(&of_kind("schema"), &mut model);
    loader.declare_enums(&of_kind("enum"));
    loader.declare_tables(&of_kind("table"));
    loader.declare_table_chunks(table_chunks);
    loader.declare_objects(&top);
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
    let Loader {
        errors, sources, ..
    } = loader;
    errors.into_result(Loaded {
        model,
        sources,
        moves,
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
    }
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

fn syntax_error(file: &SourceFile, e: &hcl::edit::parser::Error) -> HclError {
    let offset = e.location().offset();
    HclError::new(
        Location::new(file, Some(offset..offset + 1)),
        format!("HCL syntax error: {}", e.message()),
        "here",
    )
    .with_help("check for a missing bracket, quote or `=` near this position")
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
    /// Qualified names of declared tables.
    table_names: HashSet<QualifiedName>,
    sources: SourceMap,
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

impl<'a> Loader<'a> {
    fn err(
        &mut self,
        file: &SourceFile,
        span: Option<std::ops::Range<usize>>,
        msg: String,
        label: &str,
    ) {
        self.errors
            .push(HclError::new(Location::new(file, span), msg, label));
    }

    /// Reports attributes and blocks a block does not take.
    fn check_keys(
        &mut self,
        file: &SourceFile,
        body: &Body,
        what: &str,
        attrs: &[&str],
        blocks: &[&str],
    ) {
        for s in body.iter() {
            if let Some(a) = s.as_attribute() {
                let key = a.key.as_str();
                if !attrs.contains(&key) {
                    let help = if attrs.is_empty() {
                        format!("{what} takes no attributes")
                    } else {
                        format!("{what} takes the attributes: {}", attrs.join(", "))
                    };
                    self.errors.push(
                        HclError::new(
                            Location::new(file, a.key.span()),
                            format!("unknown attribute `{key}` in {what}"),
                            "unknown attribute",
                        )
                        .with_help(help),
                    );
                }
            } else if let Some(b) = s.as_block() {
                let key = b.ident.as_str();
                if !blocks.contains(&key) {
                    let help = if blocks.is_empty() {
                        format!("{what} takes no nested blocks")
                    } else {
                        format!("{what} takes the blocks: {}", blocks.join(", "))
                    };
                    self.errors.push(
                        HclError::new(
                            Location::new(file, b.ident.span()),
                            format!("unknown block `{key}` in {what}"),
                            "unknown block",
                        )
                        .with_help(help),
                    );
                }
            }
        }
    }

    fn value(&mut self, file: &SourceFile, attr: &Attribute) -> Option<Value> {
        match self.eval.eval(&attr.value) {
            Ok(v) => Some(v),
            Err(msg) => {
                self.err(
                    file,
                    attr.value.span(),
                    format!("cannot evaluate `{}`: {msg}", attr.key.as_str()),
                    "here",
                );
                None
            }
        }
    }

    fn string(&mut self, file: &SourceFile, body: &Body, key: &str) -> Option<String> {
        let attr = body.get_attribute(key)?;
        match self.value(file, attr)? {
            Value::String(s) => Some(s),
            Value::Null => None,
            other => {
                self.errors.push(HclError::new(
                    Location::new(file, attr.value.span()),
                    format!("`{key}` must be a string, found {}", kind_of(&other)),
                    "expected a string",
                ));
                None
            }
        }
    }

    fn bool(&mut self, file: &SourceFile, body: &Body, key: &str) -> Option<bool> {
        let attr = body.get_attribute(key)?;
        match self.value(file, attr)? {
            Value::Bool(b) => Some(b),
            Value::Null => None,
            other => {
                self.errors.push(
                    HclError::new(
                        Location::new(file, attr.value.span()),
                        format!(
                            "invalid value for `{key}`: expected a bool, found {}",
                            kind_of(&other)
                        ),
                        "expected a bool here",
                    )
                    .with_help(format!("`{key}` must be true or false")),
                );
                None
            }
        }
    }

    fn int(&mut self, file: &SourceFile, body: &Body, key: &str) -> Option<i64> {
        let attr = body.get_attribute(key)?;
        match self.value(file, attr)? {
            Value::Number(n) if n.as_i64().is_some() => n.as_i64(),
            Value::Null => None,
            other => {
                self.errors.push(HclError::new(
                    Location::new(file, attr.value.span()),
                    format!("`{key}` must be a whole number, found {}", kind_of(&other)),
                    "expected a whole number",
                ));
                None
            }
        }
    }

    /// A keyword attribute such as `on_delete = CASCADE` (bare identifier or string).
    fn keyword(
        &mut self,
        file: &SourceFile,
        body: &Body,
        key: &str,
    ) -> Option<(String, Option<std::ops::Range<usize>>)> {
        let attr = body.get_attribute(key)?;
        let span = attr.value.span();
        if let Expression::Variable(v) = &attr.value {
            return Some((v.as_str().to_string(), span));
        }
        match self.value(file, attr)? {
            Value::String(s) => Some((s, span)),
            Value::Null => None,
            other => {
                self.err(
                    file,
                    span,
                    format!("`{key}` must be a keyword, found {}", kind_of(&other)),
                    "expected a keyword",
                );
                None
            }
        }
    }

    fn strings(&mut self, file: &SourceFile, body: &Body, key: &str) -> Option<Vec<String>> {
        let attr = body.get_attribute(key)?;
        match self.value(file, attr)? {
            Value::Array(items) => {
                let mut out = Vec::new();
                for i in items {
                    match i {
                        Value::String(s) => out.push(s),
                        other => {
                            self.err(file, attr.value.span(), format!("`{key}` must be a list of strings, found an element that is {}", kind_of(&other)), "expected strings");
                            return None;
                        }
                    }
                }
                Some(out)
            }
            other => {
                self.err(
                    file,
                    attr.value.span(),
                    format!(
                        "`{key}` must be a list of strings, found {}",
                        kind_of(&other)
                    ),
                    "expected a list",
                );
                None
            }
        }
    }

    fn label(
        &mut self,
        file: &SourceFile,
        block: &Block,
        what: &str,
    ) -> Option<(Option<String>, String)> {
        match block.labels.as_slice() {
            [name] => Some((None, name.as_str().to_string())),
            [q, name] => Some((Some(q.as_str().to_string()), name.as_str().to_string())),
            _ => {
                self.errors.push(
                    HclError::new(
                        Location::new(file, block.ident.span()),
                        format!("a {what} block needs a name"),
                        "missing or extra labels",
                    )
                    .with_help(format!(
                        "write `{what} \"name\" {{ … }}` or `{what} \"schema\" \"name\" {{ … }}`"
                    )),
                );
                None
            }
        }
    }

    fn schema_ref(
        &mut self,
        file: &SourceFile,
        block: &Block,
        what: &str,
        qualifier: &Option<String>,
    ) -> Option<String> {
        let Some(attr) = block.body.get_attribute("schema") else {
            if let Some(q) = qualifier
                && let Some(s) = self.schemas.get(q)
            {
                return Some(s.name.clone());
            }
            self.errors.push(
                HclError::new(
                    Location::new(file, block.ident.span()),
                    format!("{what} is missing the required attribute `schema`"),
                    "no schema",
                )
                .with_help("add `schema = schema.public` (or the schema it belongs to)"),
            );
            return None;
        };
        let path = path_of(&attr.value);
        match path.as_deref() {
            Some([root, label]) if root == "schema" => match self.schemas.get(label) {
                Some(s) => Some(s.name.clone()),
                None => {
                    let known: Vec<String> = self.schemas.keys().cloned().collect();
                    self.errors.push(
                        HclError::new(
                            Location::new(file, attr.value.span()),
                            format!("unknown reference `schema.{label}`: no schema \"{label}\" is declared"),
                            "unresolved reference",
                        )
                        .with_help(if known.is_empty() {
                            format!("declare it: schema \"{label}\" {{}}")
                        } else {
                            format!("declared schemas: {}; or add schema \"{label}\" {{}}", known.join(", "))
                        }),
                    );
                    None
                }
            },
            _ => {
                self.errors.push(
                    HclError::new(
                        Location::new(file, attr.value.span()),
                        "`schema` must reference a schema block".to_string(),
                        "expected schema.<name>",
                    )
                    .with_help("write `schema = schema.public`"),
                );
                None
            }
        }
    }

    fn declare_schemas(&mut self, blocks: &[(&'a SourceFile, &'a Block)], model: &mut Model) {
        let mut seen: HashMap<String, Location> = HashMap::new();
        for (file, block) in blocks {
            self.check_keys(file, &block.body, "schema", &["name", "comment"], &[]);
            let Some(label) = block.labels.first().map(|l| l.as_str().to_string()) else {
                self.err(
                    file,
                    block.ident.span(),
                    "a schema block needs a name".into(),
                    "expected `schema \"name\" { … }`",
                );
                continue;
            };
            let name = self
                .string(file, &block.body, "name")
                .unwrap_or_else(|| label.clone());
            let here = Location::new(file, block.labels.first().and_then(|l| l.span()));
            if let Some(first) = seen.get(&name) {
                self.errors.push(
                    HclError::new(
                        here,
                        format!("duplicate schema \"{name}\""),
                        "declared again here",
                    )
                    .with_note(first.clone(), "first declared here"),
                );
                continue;
            }
            seen.insert(name.clone(), here.clone());
            let comment = self.string(file, &block.body, "comment");
            self.sources.objects.insert(format!("schema.{name}"), here);
            self.schemas.insert(label, SchemaSym { name: name.clone() });
            model.schemas.insert(
                name.clone(),
                Schema {
                    name,
                    comment,
                    ..Default::default()
                },
            );
        }
    }

    fn declare_enums(&mut self, blocks: &[(&'a SourceFile, &'a Block)]) {
        let mut seen: HashMap<QualifiedName, Location> = HashMap::new();
        for (file, block) in blocks {
            let Some((qualifier, name)) = self.label(file, block, "enum") else {
                continue;
            };
            let Some(schema) =
                self.schema_ref(file, block, &format!("enum \"{name}\""), &qualifier)
            else {
                continue;
            };
            let q = QualifiedName::new(&schema, &name);
            let here = Location::new(file, block.labels.last().and_then(|l| l.span()));
            if let Some(first) = seen.get(&q) {
                self.errors.push(
                    HclError::new(
                        here,
                        format!("duplicate enum \"{q}\""),
                        "declared again here",
                    )
                    .with_note(first.clone(), "first declared here"),
                );
                continue;
            }
            seen.insert(q, here);
            self.enums.push(EnumSym {
                file,
                block,
                qualifier,
                name,
                schema,
            });
        }
    }

    fn declare_tables(&mut self, blocks: &[(&'a SourceFile, &'a Block)]) {
        for (file, block) in blocks {
            self.declare_table(file, block, TableSource::Block(block));
        }
    }

    /// Declares tables that come as chunks of large files: each is parsed, its symbols kept,
    /// its tree dropped; [`Loader::build_table`] parses it again.
    fn declare_table_chunks(&mut self, chunks: Vec<(SourceFile, std::ops::Range<usize>)>) {
        for (file, range) in chunks {
            let text = file.text.clone();
            match hcl::edit::parser::parse_body(&text[range.clone()]) {
                Err(e) => self.errors.push(syntax_error(&file, &e)),
                Ok(body) => {
                    for b in body.blocks() {
                        self.declare_table(&file, b, TableSource::Chunk(range.clone()));
                    }
                }
            }
        }
        // Partitions have their parent's columns.
        for i in 0..self.tables.len() {
            let Some(path) = self.tables[i].partition_parent.clone() else {
                continue;
            };
            if path.first().map(String::as_str) != Some("table") {
                continue;
            }
            if let Ok(p) = self.find_table(&path[1..])
                && self.tables[i].columns.is_empty()
            {
                self.tables[i].columns = self.tables[p].columns.clone();
            }
        }
        // Children (`inherits`) can name their parents' columns: repeat until every
        // generation has its ancestors' columns.
        for _ in 0..self.tables.len().min(32) {
            let mut grew = false;
            for i in 0..self.tables.len() {
                for path in self.tables[i].inherit_parents.clone() {
                    if path.first().map(String::as_str) != Some("table") {
                        continue;
                    }
                    let Ok(p) = self.find_table(&path[1..]) else {
                        continue;
                    };
                    for c in self.tables[p].columns.clone() {
                        if !self.tables[i].columns.contains(&c) {
                            self.tables[i].columns.push(c);
                            grew = true;
                        }
                    }
                }
            }
            if !grew {
                break;
            }
        }
    }

    fn declare_table(&mut self, file: &SourceFile, block: &Block, source: TableSource<'a>) {
        let Some((qualifier, name)) = self.label(file, block, "table") else {
            return;
        };
        let Some(schema) = self.schema_ref(file, block, &format!("table \"{name}\""), &qualifier)
        else {
            return;
        };
        let q = QualifiedName::new(&schema, &name);
        let here = Location::new(file, block.labels.last().and_then(|l| l.span()));
        if !self.table_names.insert(q.clone()) {
            let first = self
                .sources
                .objects
                .get(&format!("table.{}.{}", schema, name))
                .cloned();
            let mut e = HclError::new(
                here,
                format!("duplicate table \"{q}\""),
                "declared again here",
            );
            if let Some(first) = first {
                e = e.with_note(first, "first declared here");
            }
            self.errors.push(e);
            return;
        }
        self.sources
            .objects
            .insert(format!("table.{}.{}", schema, name), here);
        let mut columns = Vec::new();
        let mut col_seen: HashMap<String, Location> = HashMap::new();
        for c in block.body.get_blocks("column") {
            let Some(l) = c.labels.first() else { continue };
            let cname = l.as_str().to_string();
            let loc = Location::new(file, l.span());
            if let Some(first) = col_seen.get(&cname) {
                self.errors.push(
                    HclError::new(
                        loc,
                        format!("duplicate column \"{cname}\" in table \"{name}\""),
                        "declared again here",
                    )
                    .with_note(first.clone(), "first declared here"),
                );
                continue;
            }
            col_seen.insert(cname.clone(), loc);
            columns.push(cname);
        }
        let partition_parent = block
            .body
            .get_attribute("partition_of")
            .and_then(|a| path_of(&a.value));
        let inherit_parents = match block.body.get_attribute("inherits").map(|a| &a.value) {
            Some(Expression::Array(items)) => items.iter().filter_map(path_of).collect(),
            Some(other) => path_of(other).into_iter().collect(),
            None => Vec::new(),
        };
        self.tables.push(TableSym {
            file: file.clone(),
            source,
            partition_parent,
            inherit_parents,
            qualifier,
            name,
            schema,
            columns,
            open_columns: false,
        });
    }

    fn find_enum(&self, path: &[String]) -> Result<QualifiedName, String> {
        let matches: Vec<&EnumSym> = match path {
            [name] => self.enums.iter().filter(|e| &e.name == name).collect(),
            [q, name] => self
                .enums
                .iter()
                .filter(|e| {
                    &e.name == name
                        && (e.qualifier.as_ref() == Some(q)
                            || self.schemas.get(q).is_some_and(|s| s.name == e.schema))
                })
                .collect(),
            _ => vec![],
        };
        match matches.as_slice() {
            [one] => Ok(QualifiedName::new(&one.schema, &one.name)),
            [] => Err(format!("no enum \"{}\" is declared", path.join("."))),
            _ => Err(format!(
                "enum \"{}\" is ambiguous; qualify it as enum.<schema>.<name>",
                path.join(".")
            )),
        }
    }

    fn find_table(&self, path: &[String]) -> Result<usize, String> {
        let matches: Vec<usize> = match path {
            [name] => self
                .tables
                .iter()
                .enumerate()
                .filter(|(_, t)| &t.name == name)
                .map(|(i, _)| i)
                .collect(),
            [q, name] => self
                .tables
                .iter()
                .enumerate()
                .filter(|(_, t)| {
                    &t.name == name
                        && (t.qualifier.as_ref() == Some(q)
                            || self.schemas.get(q).is_some_and(|s| s.name == t.schema))
                })
                .map(|(i, _)| i)
                .collect(),
            _ => vec![],
        };
        match matches.as_slice() {
            [one] => Ok(*one),
            [] => Err(format!("no table \"{}\" is declared", path.join("."))),
            _ => Err(format!(
                "table \"{}\" is ambiguous; qualify it as table.<schema>.<name>",
                path.join(".")
            )),
        }
    }

    /// Resolves `column.x` (own table) or `table.t.column.x` / `table.s.t.column.x` to the table
    /// index and column name.
    fn column_ref(&self, own: usize, expr: &Expression) -> Result<(usize, String), String> {
        let Some(path) = path_of(expr) else {
            return Err(
                "expected a column reference such as column.id or table.users.column.id".into(),
            );
        };
        let (table, column) = match path.as_slice() {
            [c, name] if c == "column" => (own, name.clone()),
            [t, rest @ ..]
                if t == "table" && rest.len() >= 3 && rest[rest.len() - 2] == "column" =>
            {
                let tpath = &rest[..rest.len() - 2];
                (self.find_table(tpath)?, rest[rest.len() - 1].clone())
            }
            _ => {
                return Err(format!(
                    "`{}` is not a column reference; expected column.<name> or table.<table>.column.<name>",
                    path.join(".")
                ));
            }
        };
        if !self.tables[table].open_columns && !self.tables[table].columns.contains(&column) {
            let t = &self.tables[table];
            return Err(format!(
                "table \"{}\" has no column \"{column}\" (columns: {})",
                t.name,
                t.columns.join(", ")
            ));
        }
        Ok((table, column))
    }

    /// A list of column references, all of the same table.
    fn column_list(
        &mut self,
        file: &SourceFile,
        own: usize,
        body: &Body,
        key: &str,
    ) -> Option<(usize, Vec<String>)> {
        let attr = body.get_attribute(key)?;
        let Expression::Array(items) = &attr.value else {
            self.err(
                file,
                attr.value.span(),
                format!("`{key}` must be a list of column references"),
                "expected [column.a, column.b]",
            );
            return None;
        };
        let mut table = None;
        let mut cols = Vec::new();
        for item in items.iter() {
            match self.column_ref(own, item) {
                Ok((t, c)) => {
                    if table.is_some_and(|x| x != t) {
                        self.err(
                            file,
                            item.span(),
                            format!("all columns in `{key}` must belong to one table"),
                            "from another table",
                        );
                        return None;
                    }
                    table = Some(t);
                    cols.push(c);
                }
                Err(msg) => {
                    self.errors.push(HclError::new(
                        Location::new(file, item.span()),
                        format!("unresolved reference `{}`: {msg}", expr_text(item)),
                        "unresolved reference",
                    ));
                    return None;
                }
            }
        }
        Some((table.unwrap_or(own), cols))
    }

    fn build_enums(&mut self) -> Vec<Enum> {
        let syms: Vec<(&'a SourceFile, &'a Block, String, String)> = self
            .enums
            .iter()
            .map(|e| (e.file, e.block, e.schema.clone(), e.name.clone()))
            .collect();
        let mut out = Vec::new();
        for (file, block, schema, name) in syms {
            self.check_keys(
                file,
                &block.body,
                &format!("enum \"{name}\""),
                &["schema", "values", "comment"],
                &[],
            );
            self.sources.objects.insert(
                format!("enum.{schema}.{name}"),
                Location::new(file, block.labels.last().and_then(|l| l.span())),
            );
            let values = match self.strings(file, &block.body, "values") {
                Some(v) => v,
                None => {
                    if block.body.get_attribute("values").is_none() {
                        self.err(
                            file,
                            block.ident.span(),
                            format!("enum \"{name}\" is missing the required attribute `values`"),
                            "no values",
                        );
                    }
                    continue;
                }
            };
            let mut seen = HashSet::new();
            for v in &values {
                if !seen.insert(v) {
                    let span = block
                        .body
                        .get_attribute("values")
                        .and_then(|a| a.value.span());
                    self.err(
                        file,
                        span,
                        format!("enum \"{name}\" lists the value \"{v}\" twice"),
                        "duplicate value",
                    );
                }
            }
            let comment = self.string(file, &block.body, "comment");
            out.push(Enum {
                schema,
                name,
                values,
                comment,
            });
        }
        out
    }

    fn build_tables(&mut self) -> Vec<Table> {
        let mut out = Vec::new();
        for i in 0..self.tables.len() {
            // Materialized views only borrow the table machinery for their indexes.
            if self.tables[i].open_columns {
                continue;
            }
            if let Some(t) = self.build_table(i) {
                out.push(t);
            }
        }
        out
    }

    fn build_table(&mut self, idx: usize) -> Option<Table> {
        let (file, source) = {
            let t = &self.tables[idx];
            (t.file.clone(), t.source.clone())
        };
        match source {
            TableSource::Block(block) => self.build_table_from(idx, &file, block),
            TableSource::Chunk(range) => {
                let text = file.text.clone();
                let body = hcl::edit::parser::parse_body(&text[range]).ok()?;
                let block = body.blocks().next()?;
                self.build_table_from(idx, &file, block)
            }
        }
    }

    fn build_table_from(&mut self, idx: usize, file: &SourceFile, block: &Block) -> Option<Table> {
        let (name, schema) = {
            let t = &self.tables[idx];
            (t.name.clone(), t.schema.clone())
        };
        let what = format!("table \"{name}\"");
        self.check_keys(
            file,
            &block.body,
            &what,
            &[
                "schema",
                "comment",
                "depends_on",
                "partition_of",
                "bound",
                "unlogged",
                "inherits",
                "replica_identity",
                "storage_params",
            ],
            &[
                "column",
                "primary_key",
                "index",
                "unique",
                "check",
                "foreign_key",
                "partition",
                "exclude",
                "row_security",
            ],
        );
        let mut table = Table {
            schema: schema.clone(),
            name: name.clone(),
            ..Default::default()
        };
        table.comment = self.string(file, &block.body, "comment");
        table.unlogged = self.bool(file, &block.body, "unlogged").unwrap_or(false);
        if let Some(attr) = block.body.get_attribute("replica_identity") {
            table.replica_identity = self.replica_identity(file, attr);
        }
        table.storage_params = self.storage_params(file, &block.body);
        for c in block.body.get_blocks("column") {
            if let Some(col) = self.build_column(file, c, &name)
                && table.column(&col.name).is_none()
            {
                table.columns.push(col);
            }
        }
        let mut names: HashMap<String, Location> = HashMap::new();
        let mut claim = |loader: &mut Self, n: &str, loc: Location| {
            if let Some(first) = names.get(n) {
                loader.errors.push(
                    HclError::new(
                        loc,
                        format!("duplicate constraint or index name \"{n}\" in {what}"),
                        "declared again here",
                    )
                    .with_note(first.clone(), "first declared here"),
                );
            } else {
                names.insert(n.to_string(), loc);
            }
        };
        let pks: Vec<&Block> = block.body.get_blocks("primary_key").collect();
        if pks.len() > 1 {
            self.err(
                file,
                pks[1].ident.span(),
                format!("{what} has more than one primary_key"),
                "second primary key",
            );
        }
        if let Some(pk) = pks.first() {
            self.check_keys(
                file,
                &pk.body,
                "primary_key",
                &["columns", "include", "comment", "deferrable"],
                &[],
            );
            let columns = self.own_columns(file, idx, &pk.body, "columns", "primary_key");
            let include = self
                .own_columns(file, idx, &pk.body, "include", "primary_key")
                .unwrap_or_default();
            if let Some(columns) = columns {
                for c in &columns {
                    if table.column(c).is_some_and(|col| col.nullable) {
                        self.errors.push(
                            HclError::new(
                                Location::new(file, pk.ident.span()),
                                format!("column \"{c}\" is in the primary key of {what} but is declared null = true"),
                                "primary key",
                            )
                            .with_help("primary key columns are always NOT NULL: remove `null = true`"),
                        );
                    }
                }
                let name = pk
                    .labels
                    .first()
                    .map(|l| l.as_str().to_string())
                    .unwrap_or_else(|| names::primary_key(&name));
                claim(self, &name, Location::new(file, pk.ident.span()));
                let comment = self.string(file, &pk.body, "comment");
                let deferrable = self.deferrable(file, &pk.body);
                table.primary_key = Some(PrimaryKey {
                    name,
                    columns,
                    include,
                    deferrable,
                    comment,
                });
            }
        }
        for u in block.body.get_blocks("unique") {
            self.check_keys(
                file,
                &u.body,
                "unique",
                &[
                    "columns",
                    "include",
                    "nulls_distinct",
                    "comment",
                    "deferrable",
                ],
                &[],
            );
            let Some(columns) = self.own_columns(file, idx, &u.body, "columns", "unique") else {
                continue;
            };
            let include = self
                .own_columns(file, idx, &u.body, "include", "unique")
                .unwrap_or_default();
            let uname = u
                .labels
                .first()
                .map(|l| l.as_str().to_string())
                .unwrap_or_else(|| names::unique(&name, &columns));
            claim(
                self,
                &uname,
                Location::new(
                    file,
                    u.labels.first().and_then(|l| l.span()).or(u.ident.span()),
                ),
            );
            let nulls_distinct = self.bool(file, &u.body, "nulls_distinct").unwrap_or(true);
            let deferrable = self.deferrable(file, &u.body);
            let comment = self.string(file, &u.body, "comment");
            table.uniques.push(Unique {
                name: uname,
                columns,
                include,
                nulls_distinct,
                deferrable,
                comment,
            });
        }
        for c in block.body.get_blocks("check") {
            self.check_keys(
                file,
                &c.body,
                "check",
                &["expr", "comment", "valid", "no_inherit"],
                &[],
            );
            let Some(expr) = self.string(file, &c.body, "expr") else {
                if c.body.get_attribute("expr").is_none() {
                    self.err(
                        file,
                        c.ident.span(),
                        "check is missing the required attribute `expr`".into(),
                        "no expr",
                    );
                }
                continue;
            };
            let cname = c.labels.first().map(|l| l.as_str().to_string());
            if let Some(n) = &cname {
                claim(
                    self,
                    n,
                    Location::new(file, c.labels.first().and_then(|l| l.span())),
                );
            }
            let comment = self.string(file, &c.body, "comment");
            let not_valid = !self.bool(file, &c.body, "valid").unwrap_or(true);
            let no_inherit = self.bool(file, &c.body, "no_inherit").unwrap_or(false);
            table.checks.push(Check {
                name: cname,
                expr,
                comment,
                not_valid,
                no_inherit,
            });
        }
        for f in block.body.get_blocks("foreign_key") {
            if let Some(fk) = self.build_foreign_key(file, idx, f, &name) {
                claim(
                    self,
                    &fk.name,
                    Location::new(
                        file,
                        f.labels.first().and_then(|l| l.span()).or(f.ident.span()),
                    ),
                );
                table.foreign_keys.push(fk);
            }
        }
        for ix in block.body.get_blocks("index") {
            if let Some(index) = self.build_index(file, idx, ix, &name) {
                claim(
                    self,
                    &index.name,
                    Location::new(
                        file,
                        ix.labels.first().and_then(|l| l.span()).or(ix.ident.span()),
                    ),
                );
                table.indexes.push(index);
            }
        }
        let parts: Vec<&Block> = block.body.get_blocks("partition").collect();
        if let Some(p) = parts.first() {
            table.partition = self.build_partition(file, idx, p);
        }
        self.table_extras(file, idx, block, &mut table);
        table.sort();
        Some(table)
    }

    fn own_columns(
        &mut self,
        file: &SourceFile,
        idx: usize,
        body: &Body,
        key: &str,
        what: &str,
    ) -> Option<Vec<String>> {
        if body.get_attribute(key).is_none() {
            if key == "columns" {
                self.err(
                    file,
                    body.span(),
                    format!("{what} is missing the required attribute `columns`"),
                    "no columns",
                );
            }
            return None;
        }
        let (t, cols) = self.column_list(file, idx, body, key)?;
        if t != idx {
            let span = body.get_attribute(key).and_then(|a| a.value.span());
            self.err(
                file,
                span,
                format!("`{key}` of {what} must reference columns of its own table"),
                "another table's column",
            );
            return None;
        }
        if cols.is_empty() && key == "columns" {
            let span = body.get_attribute(key).and_then(|a| a.value.span());
            self.err(
                file,
                span,
                format!("`columns` of {what} must not be empty"),
                "empty list",
            );
            return None;
        }
        Some(cols)
    }

    fn deferrable(&mut self, file: &SourceFile, body: &Body) -> Deferrable {
        let Some(attr) = body.get_attribute("deferrable") else {
            return Deferrable::NotDeferrable;
        };
        if let Expression::Bool(b) = &attr.value {
            return if *b.value() {
                Deferrable::InitiallyImmediate
            } else {
                Deferrable::NotDeferrable
            };
        }
        match self.keyword(file, body, "deferrable") {
            Some((k, span)) => match k.to_ascii_uppercase().as_str() {
                "INITIALLY_IMMEDIATE" | "INITIALLY IMMEDIATE" => Deferrable::InitiallyImmediate,
                "INITIALLY_DEFERRED" | "INITIALLY DEFERRED" => Deferrable::InitiallyDeferred,
                "NOT_DEFERRABLE" | "NOT DEFERRABLE" => Deferrable::NotDeferrable,
                _ => {
                    self.errors.push(
                        HclError::new(
                            Location::new(file, span),
                            format!("unknown deferrable mode `{k}`"),
                            "unknown value",
                        )
                        .with_help("use INITIALLY_IMMEDIATE or INITIALLY_DEFERRED"),
                    );
                    Deferrable::NotDeferrable
                }
            },
            None => Deferrable::NotDeferrable,
        }
    }

    fn build_column(&mut self, file: &SourceFile, block: &Block, table: &str) -> Option<Column> {
        let name = block.labels.first()?.as_str().to_string();
        let what = format!("column \"{name}\"");
        self.check_keys(
            file,
            &block.body,
            &what,
            &[
                "type",
                "null",
                "default",
                "comment",
                "as",
                "collate",
                "storage",
                "compression",
                "statistics",
            ],
            &["identity", "as"],
        );
        let Some(type_attr) = block.body.get_attribute("type") else {
            self.errors.push(
                HclError::new(
                    Location::new(file, block.labels.first().and_then(|l| l.span())),
                    format!("{what} of table \"{table}\" is missing the required attribute `type`"),
                    "no type",
                )
                .with_help("add for example `type = text` or `type = varchar(255)`"),
            );
            return None;
        };
        let ty = self.data_type(file, type_attr)?;
        let mut col = Column::new(name.clone(), ty);
        col.nullable = self.bool(file, &block.body, "null").unwrap_or(false);
        col.comment = self.string(file, &block.body, "comment");
        col.collation = self.string(file, &block.body, "collate");
        if let Some((v, span)) = self.keyword(file, &block.body, "storage") {
            if let Some(s) = crate::model::Storage::parse(&v) {
                col.storage = Some(s);
            } else {
                self.err(
                    file,
                    span,
                    format!("unknown storage `{v}`"),
                    "use PLAIN, EXTERNAL, EXTENDED or MAIN",
                );
            }
        }
        if let Some((v, span)) = self.keyword(file, &block.body, "compression") {
            if let Some(c) = crate::model::Compression::parse(&v) {
                col.compression = Some(c);
            } else {
                self.err(
                    file,
                    span,
                    format!("unknown compression `{v}`"),
                    "use pglz or lz4",
                );
            }
        }
        if let Some(n) = self.int(file, &block.body, "statistics") {
            if (0..=10_000).contains(&n) {
                col.statistics = Some(n as i32);
            } else {
                self.err(
                    file,
                    block
                        .body
                        .get_attribute("statistics")
                        .and_then(|a| a.value.span()),
                    format!("statistics target {n} is out of range"),
                    "use 0 to 10000",
                );
            }
        }
        if let Some(attr) = block.body.get_attribute("default") {
            col.default = self.default_value(file, attr, &col.ty);
        }
        if let Some(id) = block.body.get_blocks("identity").next() {
            self.check_keys(
                file,
                &id.body,
                "identity",
                &[
                    "generated",
                    "start",
                    "increment",
                    "min_value",
                    "max_value",
                    "cache",
                    "cycle",
                ],
                &[],
            );
            let increment = self.int(file, &id.body, "increment").unwrap_or(1);
            let min_value = self.int(file, &id.body, "min_value");
            let max_value = self.int(file, &id.body, "max_value");
            let cache = self.int(file, &id.body, "cache").unwrap_or(1);
            let cycle = self.bool(file, &id.body, "cycle").unwrap_or(false);
            let start = self
                .int(file, &id.body, "start")
                .unwrap_or(Identity::default_start(increment, min_value, max_value));
            if cache < 1 {
                self.err(
                    file,
                    id.ident.span(),
                    "identity cache must be at least 1".into(),
                    "here",
                );
            }
            if let (Some(lo), Some(hi)) = (min_value, max_value)
                && lo >= hi
            {
                self.err(
                    file,
                    id.ident.span(),
                    format!("identity min_value ({lo}) must be less than max_value ({hi})"),
                    "here",
                );
            }
            let always = match self.keyword(file, &id.body, "generated") {
                None => false,
                Some((k, span)) => match k.to_ascii_uppercase().replace(' ', "_").as_str() {
                    "ALWAYS" => true,
                    "BY_DEFAULT" => false,
                    _ => {
                        self.errors.push(
                            HclError::new(
                                Location::new(file, span),
                                format!("unknown identity mode `{k}`"),
                                "unknown value",
                            )
                            .with_help("use ALWAYS or BY_DEFAULT"),
                        );
                        false
                    }
                },
            };
            if increment == 0 {
                self.err(
                    file,
                    id.ident.span(),
                    "identity increment must not be zero".into(),
                    "here",
                );
            }
            col.identity = Some(Box::new(Identity {
                always,
                start,
                increment,
                min_value,
                max_value,
                cache,
                cycle,
            }));
        }
        if let Some(attr) = block.body.get_attribute("as") {
            col.generated = self.string(file, &block.body, "as");
            if col.generated.is_none() {
                self.err(
                    file,
                    attr.value.span(),
                    "`as` must be the generation expression as a string".into(),
                    "expected a string",
                );
            }
        }
        if let Some(g) = block.body.get_blocks("as").next() {
            self.check_keys(file, &g.body, "as", &["expr", "type"], &[]);
            if let Some((k, span)) = self.keyword(file, &g.body, "type")
                && !k.eq_ignore_ascii_case("STORED")
            {
                self.errors.push(
                    HclError::new(
                        Location::new(file, span),
                        format!("generated column type `{k}` is not supported"),
                        "unsupported",
                    )
                    .with_help("PostgreSQL supports only STORED generated columns"),
                );
            }
            col.generated = self.string(file, &g.body, "expr");
            if col.generated.is_none() {
                self.err(
                    file,
                    g.ident.span(),
                    "`as` block is missing the required attribute `expr`".into(),
                    "no expr",
                );
            }
        }
        if col.identity.is_some() && col.nullable {
            self.errors.push(
                HclError::new(
                    Location::new(file, block.labels.first().and_then(|l| l.span())),
                    format!("{what} is an identity column and cannot be null = true"),
                    "identity",
                )
                .with_help("identity columns are always NOT NULL: remove `null = true`"),
            );
        }
        if col.identity.is_some() && (col.default.is_some() || col.generated.is_some()) {
            self.err(
                file,
                block.ident.span(),
                format!(
                    "{what} cannot have both an identity and a default or generation expression"
                ),
                "conflicting attributes",
            );
        }
        if matches!(col.ty, DataType::Serial(_)) && col.nullable {
            self.errors.push(
                HclError::new(
                    Location::new(file, type_attr.value.span()),
                    format!("{what} is a serial column and cannot be null = true"),
                    "serial",
                )
                .with_help("remove `null = true`, or use a plain integer type"),
            );
        }
        Some(col)
    }

    fn data_type(&mut self, file: &SourceFile, attr: &Attribute) -> Option<DataType> {
        let span = attr.value.span();
        let unknown = |name: &str| {
            HclError::new(Location::new(file, span.clone()), format!("unknown type `{name}`"), "not a PostgreSQL type")
                .with_help("use a built-in type such as int, bigint, text, varchar(255), numeric(10,2), timestamptz, jsonb, an enum reference such as enum.status, or sql(\"…\") for anything else")
        };
        match &attr.value {
            Expression::Variable(v) => match hcl_types::from_call(v.as_str(), &[]) {
                Some(t) => Some(t),
                None => {
                    self.errors.push(unknown(v.as_str()));
                    None
                }
            },
            Expression::FuncCall(call) => {
                let fname = call.name.name.as_str();
                if fname == "sql" {
                    let arg = call.args.iter().next();
                    let text = arg
                        .and_then(|a| self.eval.eval(a).ok())
                        .and_then(|v| v.as_str().map(str::to_string));
                    return match text {
                        Some(t) if !t.trim().is_empty() => {
                            Some(self.resolve_user_type(hcl_types::from_sql(&t)))
                        }
                        _ => {
                            self.err(
                                file,
                                span,
                                "sql(…) takes one non-empty string".into(),
                                "expected sql(\"type\")",
                            );
                            None
                        }
                    };
                }
                let mut nums = Vec::new();
                for a in call.args.iter() {
                    match self.eval.eval(a).ok().and_then(|v| v.as_u64()) {
                        // PostgreSQL's type modifiers are 32-bit signed: a larger number would
                        // wrap around into another, valid-looking size.
                        Some(n) if n > i32::MAX as u64 => {
                            self.err(
                                file,
                                a.span(),
                                format!("{n} is out of range for an argument of `{fname}`"),
                                "number too large",
                            );
                            return None;
                        }
                        Some(n) => nums.push(n as u32),
                        None => {
                            self.err(
                                file,
                                a.span(),
                                format!("the arguments of `{fname}` must be whole numbers"),
                                "expected a number",
                            );
                            return None;
                        }
                    }
                }
                match hcl_types::from_call(fname, &nums) {
                    Some(t) => Some(t),
                    None => {
                        self.errors.push(unknown(&expr_text(&attr.value)));
                        None
                    }
                }
            }
            Expression::Traversal(_) => {
                let path = path_of(&attr.value).unwrap_or_default();
                match path.split_first() {
                    Some((root, rest)) if root == "domain" || root == "composite" => {
                        match self.find_object(&[root.as_str()], rest) {
                            Ok(i) => {
                                let o = &self.objects[i];
                                Some(DataType::Named(QualifiedName::new(&o.schema, &o.name)))
                            }
                            Err(msg) => {
                                self.err(
                                    file,
                                    span,
                                    format!("unresolved reference `{}`: {msg}", path.join(".")),
                                    "unresolved reference",
                                );
                                None
                            }
                        }
                    }
                    Some((root, rest)) if root == "enum" => match self.find_enum(rest) {
                        Ok(q) => Some(hcl_types::from_enum(q)),
                        Err(msg) => {
                            self.err(
                                file,
                                span,
                                format!("unresolved reference `{}`: {msg}", path.join(".")),
                                "unresolved reference",
                            );
                            None
                        }
                    },
                    _ => {
                        self.errors.push(unknown(&path.join(".")));
                        None
                    }
                }
            }
            Expression::String(s) => Some(self.resolve_user_type(hcl_types::from_sql(s.value()))),
            _ => {
                self.errors.push(unknown(&expr_text(&attr.value)));
                None
            }
        }
    }

    fn default_value(
        &mut self,
        file: &SourceFile,
        attr: &Attribute,
        ty: &DataType,
    ) -> Option<String> {
        if let Expression::FuncCall(call) = &attr.value
            && call.name.name.as_str() == "sql"
        {
            let text = call
                .args
                .iter()
                .next()
                .and_then(|a| self.eval.eval(a).ok())
                .and_then(|v| v.as_str().map(str::to_string));
            return match text {
                Some(t) if !t.trim().is_empty() => Some(t.trim().to_string()),
                _ => {
                    self.err(
                        file,
                        attr.value.span(),
                        "sql(…) takes one non-empty string".into(),
                        "expected sql(\"expression\")",
                    );
                    None
                }
            };
        }
        let lit = match self.value(file, attr)? {
            Value::Null => return None,
            Value::Bool(b) => Literal::Bool(b),
            // As written: a float would lose digits (0.1234567890123456789).
            Value::Number(n) => Literal::Number(
                attr.value
                    .span()
                    .and_then(|r| file.text.get(r.start + file.offset..r.end + file.offset))
                    .map(str::trim)
                    .filter(|t| is_decimal_literal(t))
                    .map(str::to_string)
                    .unwrap_or_else(|| n.to_string()),
            ),
            Value::String(s) => Literal::String(s),
            other => {
                self.errors.push(
                    HclError::new(
                        Location::new(file, attr.value.span()),
                        format!(
                            "`default` must be a string, number, bool or sql(\"…\"), found {}",
                            kind_of(&other)
                        ),
                        "unsupported default",
                    )
                    .with_help("write an expression as default = sql(\"now()\")"),
                );
                return None;
            }
        };
        Some(defaults::canonical(&lit, ty))
    }

    fn build_foreign_key(
        &mut self,
        file: &SourceFile,
        idx: usize,
        block: &Block,
        table: &str,
    ) -> Option<ForeignKey> {
        self.check_keys(
            file,
            &block.body,
            "foreign_key",
            &[
                "columns",
                "ref_columns",
                "on_update",
                "on_delete",
                "comment",
                "deferrable",
                "valid",
            ],
            &[],
        );
        let columns = self.own_columns(file, idx, &block.body, "columns", "foreign_key")?;
        if block.body.get_attribute("ref_columns").is_none() {
            self.err(
                file,
                block.ident.span(),
                "foreign_key is missing the required attribute `ref_columns`".into(),
                "no ref_columns",
            );
            return None;
        }
        let (ref_idx, ref_columns) = self.column_list(file, idx, &block.body, "ref_columns")?;
        if ref_columns.len() != columns.len() {
            let span = block
                .body
                .get_attribute("ref_columns")
                .and_then(|a| a.value.span());
            self.err(
                file,
                span,
                format!(
                    "foreign_key has {} columns but {} ref_columns",
                    columns.len(),
                    ref_columns.len()
                ),
                "count mismatch",
            );
            return None;
        }
        let rt = &self.tables[ref_idx];
        let ref_table = QualifiedName::new(&rt.schema, &rt.name);
        let mut action = |key: &str| -> ReferentialAction {
            match self.keyword(file, &block.body, key) {
                None => ReferentialAction::NoAction,
                Some((k, span)) => ReferentialAction::from_hcl(&k).unwrap_or_else(|| {
                    self.errors.push(
                        HclError::new(
                            Location::new(file, span),
                            format!("unknown referential action `{k}`"),
                            "unknown action",
                        )
                        .with_help("use NO_ACTION, RESTRICT, CASCADE, SET_NULL or SET_DEFAULT"),
                    );
                    ReferentialAction::NoAction
                }),
            }
        };
        let on_update = action("on_update");
        let on_delete = action("on_delete");
        let name = block
            .labels
            .first()
            .map(|l| l.as_str().to_string())
            .unwrap_or_else(|| names::foreign_key(table, &columns));
        let deferrable = self.deferrable(file, &block.body);
        let comment = self.string(file, &block.body, "comment");
        let not_valid = !self.bool(file, &block.body, "valid").unwrap_or(true);
        Some(ForeignKey {
            name,
            columns,
            ref_table,
            ref_columns,
            on_update,
            on_delete,
            deferrable,
            comment,
            not_valid,
        })
    }

    fn build_index(
        &mut self,
        file: &SourceFile,
        idx: usize,
        block: &Block,
        table: &str,
    ) -> Option<Index> {
        self.check_keys(
            file,
            &block.body,
            "index",
            &[
                "columns",
                "unique",
                "type",
                "where",
                "include",
                "nulls_distinct",
                "comment",
                "storage_params",
            ],
            &["on"],
        );
        let mut parts = Vec::new();
        if block.body.get_attribute("columns").is_some() {
            for c in self.own_columns(file, idx, &block.body, "columns", "index")? {
                parts.push(IndexPart::column(c));
            }
        }
        for on in block.body.get_blocks("on") {
            self.check_keys(
                file,
                &on.body,
                "index part (on)",
                &[
                    "column",
                    "expr",
                    "desc",
                    "nulls_first",
                    "nulls_last",
                    "ops",
                    "collate",
                ],
                &[],
            );
            let key = if let Some(attr) = on.body.get_attribute("column") {
                match self.column_ref(idx, &attr.value) {
                    Ok((t, c)) if t == idx => IndexKey::Column(c),
                    Ok(_) => {
                        self.err(
                            file,
                            attr.value.span(),
                            "an index part must reference a column of its own table".into(),
                            "another table's column",
                        );
                        return None;
                    }
                    Err(msg) => {
                        self.err(
                            file,
                            attr.value.span(),
                            format!("unresolved reference `{}`: {msg}", expr_text(&attr.value)),
                            "unresolved reference",
                        );
                        return None;
                    }
                }
            } else if let Some(e) = self.string(file, &on.body, "expr") {
                IndexKey::Expr(e)
            } else {
                self.err(
                    file,
                    on.ident.span(),
                    "an `on` block needs `column` or `expr`".into(),
                    "empty index part",
                );
                return None;
            };
            let desc = self.bool(file, &on.body, "desc").unwrap_or(false);
            let nulls_first = match (
                self.bool(file, &on.body, "nulls_first"),
                self.bool(file, &on.body, "nulls_last"),
            ) {
                (Some(f), _) => f,
                (None, Some(l)) => !l,
                (None, None) => desc,
            };
            let opclass = if let Some(attr) = on.body.get_attribute("ops") {
                match &attr.value {
                    Expression::Variable(v) => Some(v.as_str().to_string()),
                    Expression::FuncCall(c) if c.name.name.as_str() == "sql" => c
                        .args
                        .iter()
                        .next()
                        .and_then(|a| self.eval.eval(a).ok())
                        .and_then(|v| v.as_str().map(str::to_string)),
                    _ => self.string(file, &on.body, "ops"),
                }
            } else {
                None
            };
            let (opclass, opclass_params) = match opclass.as_deref().map(split_opclass) {
                None => (None, BTreeMap::new()),
                Some(Ok((name, params))) => (Some(name), params),
                Some(Err(why)) => {
                    let span = on
                        .body
                        .get_attribute("ops")
                        .map_or(on.ident.span(), |a| a.span());
                    self.err(
                        file,
                        span,
                        format!("cannot read the operator class: {why}"),
                        "write `ops = name` or `ops = sql(\"name(param=value, …)\")`",
                    );
                    return None;
                }
            };
            let collation = self.string(file, &on.body, "collate");
            parts.push(IndexPart {
                key,
                desc,
                nulls_first,
                opclass,
                opclass_params,
                collation,
            });
        }
        if parts.is_empty() {
            self.err(
                file,
                block.ident.span(),
                "index needs `columns` or at least one `on` block".into(),
                "no key",
            );
            return None;
        }
        let method = match self.keyword(file, &block.body, "type") {
            None => "btree".to_string(),
            Some((k, span)) => {
                let m = k.to_ascii_lowercase();
                if !["btree", "hash", "gin", "gist", "brin", "spgist"].contains(&m.as_str()) {
                    self.errors.push(
                        HclError::new(
                            Location::new(file, span),
                            format!("unknown index type `{k}`"),
                            "unknown type",
                        )
                        .with_help("use BTREE, HASH, GIN, GIST, BRIN or SPGIST"),
                    );
                }
                m
            }
        };
        let include = self
            .own_columns(file, idx, &block.body, "include", "index")
            .unwrap_or_default();
        let name = block
            .labels
            .first()
            .map(|l| l.as_str().to_string())
            .unwrap_or_else(|| names::index(table, &parts));
        Some(Index {
            name,
            unique: self.bool(file, &block.body, "unique").unwrap_or(false),
            method,
            parts,
            include,
            predicate: self.string(file, &block.body, "where"),
            nulls_distinct: self
                .bool(file, &block.body, "nulls_distinct")
                .unwrap_or(true),
            comment: self.string(file, &block.body, "comment"),
            storage_params: self.storage_params(file, &block.body),
            invalid: false,
        })
    }

    fn build_partition(
        &mut self,
        file: &SourceFile,
        idx: usize,
        block: &Block,
    ) -> Option<PartitionKey> {
        self.check_keys(
            file,
            &block.body,
            "partition",
            &["type", "columns"],
            &["by"],
        );
        let strategy = match self.keyword(file, &block.body, "type") {
            Some((k, span)) => match k.to_ascii_uppercase().as_str() {
                "RANGE" => PartitionStrategy::Range,
                "LIST" => PartitionStrategy::List,
                "HASH" => PartitionStrategy::Hash,
                _ => {
                    self.errors.push(
                        HclError::new(
                            Location::new(file, span),
                            format!("unknown partition type `{k}`"),
                            "unknown type",
                        )
                        .with_help("use RANGE, LIST or HASH"),
                    );
                    return None;
                }
            },
            None => {
                self.err(
                    file,
                    block.ident.span(),
                    "partition is missing the required attribute `type`".into(),
                    "no type",
                );
                return None;
            }
        };
        let mut parts = Vec::new();
        if block.body.get_attribute("columns").is_some() {
            for c in self.own_columns(file, idx, &block.body, "columns", "partition")? {
                parts.push(IndexKey::Column(c));
            }
        }
        for by in block.body.get_blocks("by") {
            self.check_keys(file, &by.body, "partition `by`", &["column", "expr"], &[]);
            if let Some(attr) = by.body.get_attribute("column") {
                match self.column_ref(idx, &attr.value) {
                    Ok((_, c)) => parts.push(IndexKey::Column(c)),
                    Err(msg) => {
                        self.err(
                            file,
                            attr.value.span(),
                            format!("unresolved reference: {msg}"),
                            "unresolved reference",
                        );
                        return None;
                    }
                }
            } else if let Some(e) = self.string(file, &by.body, "expr") {
                parts.push(IndexKey::Expr(e));
            }
        }
        if parts.is_empty() {
            self.err(
                file,
                block.ident.span(),
                "partition needs `columns` or `by` blocks".into(),
                "no key",
            );
            return None;
        }
        Some(PartitionKey { strategy, parts })
    }
}

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
