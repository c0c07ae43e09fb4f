//! Loading objects beyond tables and enums: extensions, sequences, domains, composite types,
//! functions and procedures, views and materialized views, triggers, policies, exclusion
//! constraints, partitions and row-level security.

use super::{Loader, TableSym, expr_text, path_of};
use crate::hcl::diag::{HclError, Location, SourceFile};
use crate::model::{
    ArgMode, Check, Collation, Composite, Deferrable, Domain, Exclude, Extension, Function,
    FunctionArg, IndexKey, Model, Parallel, PartitionOf, Policy, QualifiedName, Returns,
    RoutineKind, Sequence, Table, Trigger, TriggerEvents, TriggerTiming, View, Volatility,
};
use crate::postgres::defaults::{self, Literal};
use crate::postgres::inspect::objects::sequence_defaults;
use hcl::Value;
use hcl::edit::Span;
use hcl::edit::expr::Expression;
use hcl::edit::structure::{Block, Body};
use std::collections::HashMap;

/// A declared view, routine, sequence, domain or composite type.
pub(super) struct ObjectSym<'a> {
    pub kind: &'static str,
    pub file: &'a SourceFile,
    pub block: &'a Block,
    pub qualifier: Option<String>,
    pub name: String,
    pub schema: String,
    /// For materialized views: the pseudo-table index used to resolve `column.x` in indexes.
    pub table: Option<usize>,
}

const OBJECT_KINDS: &[&str] = &[
    "collation",
    "domain",
    "composite",
    "sequence",
    "view",
    "materialized",
    "function",
    "procedure",
];

impl<'a> Loader<'a> {
    pub(super) fn declare_objects(&mut self, top: &[(&'a SourceFile, &'a Block)]) {
        let mut seen: HashMap<(&'static str, QualifiedName), Location> = HashMap::new();
        for (file, block) in top {
            let Some(kind) = OBJECT_KINDS.iter().find(|k| **k == block.ident.as_str()) else {
                continue;
            };
            let Some((qualifier, name)) = self.label(file, block, kind) else {
                continue;
            };
            let Some(schema) =
                self.schema_ref(file, block, &format!("{kind} \"{name}\""), &qualifier)
            else {
                continue;
            };
            let q = QualifiedName::new(&schema, &name);
            let here = Location::new(file, block.labels.last().and_then(|l| l.span()));
            // Routines may be overloaded; their signatures are checked when built.
            let namespace: &'static str = match *kind {
                "view" | "materialized" | "sequence" => "relation",
                "domain" | "composite" => "type",
                _ => kind,
            };
            if namespace != "function" && namespace != "procedure" {
                if let Some(first) = seen.get(&(namespace, q.clone())) {
                    self.errors.push(
                        HclError::new(
                            here,
                            format!("duplicate {kind} \"{q}\""),
                            "declared again here",
                        )
                        .with_note(first.clone(), "first declared here"),
                    );
                    continue;
                }
                seen.insert((namespace, q.clone()), here.clone());
            }
            let table = if *kind == "materialized" {
                self.tables.push(TableSym {
                    file: (*file).clone(),
                    source: super::TableSource::Block(block),
                    partition_parent: None,
                    inherit_parents: Vec::new(),
                    qualifier: qualifier.clone(),
                    name: name.clone(),
                    schema: schema.clone(),
                    columns: Vec::new(),
                    open_columns: true,
                });
                Some(self.tables.len() - 1)
            } else {
                None
            };
            self.sources
                .objects
                .insert(format!("{kind}.{schema}.{name}"), here);
            self.objects.push(ObjectSym {
                kind,
                file,
                block,
                qualifier,
                name,
                schema,
                table,
            });
        }
    }

    /// Finds a declared object of one of `kinds` by reference path (`[name]` or `[schema, name]`).
    pub(super) fn find_object(&self, kinds: &[&str], path: &[String]) -> Result<usize, String> {
        let matches: Vec<usize> = self
            .objects
            .iter()
            .enumerate()
            .filter(|(_, o)| kinds.contains(&o.kind))
            .filter(|(_, o)| match path {
                [name] => &o.name == name,
                [q, name] => {
                    &o.name == name
                        && (o.qualifier.as_ref() == Some(q)
                            || self.schemas.get(q).is_some_and(|s| s.name == o.schema))
                }
                _ => false,
            })
            .map(|(i, _)| i)
            .collect();
        match matches.as_slice() {
            [] => Err(format!(
                "no {} \"{}\" is declared",
                kinds.join(" or "),
                path.join(".")
            )),
            [one] => Ok(*one),
            many => {
                // Overloaded routines: prefer the one without arguments (trigger functions).
                let no_args = many.iter().find(|i| {
                    self.objects[**i]
                        .block
                        .body
                        .get_blocks("arg")
                        .next()
                        .is_none()
                });
                match no_args {
                    Some(i) if kinds.contains(&"function") => Ok(*i),
                    _ => Err(format!(
                        "\"{}\" is ambiguous; qualify it with its schema",
                        path.join(".")
                    )),
                }
            }
        }
    }

    /// Resolves `sql("mood")` / `sql("mood[]")` to a type declared in the files (an enum,
    /// domain or composite), preferring the `public` schema as PostgreSQL's search path would.
    pub(super) fn resolve_user_type(&self, ty: crate::model::DataType) -> crate::model::DataType {
        use crate::model::DataType;
        match ty {
            DataType::Unresolved(text) => {
                let t = text.trim();
                let (base, array) = match t.strip_suffix("[]") {
                    Some(b) => (b.trim(), true),
                    None => (t, false),
                };
                let name = crate::postgres::ident::parse(base).unwrap_or_default();
                let mut found: Vec<QualifiedName> = self
                    .enums
                    .iter()
                    .filter(|e| e.name == name)
                    .map(|e| QualifiedName::new(&e.schema, &e.name))
                    .chain(
                        self.objects
                            .iter()
                            .filter(|o| {
                                (o.kind == "domain" || o.kind == "composite") && o.name == name
                            })
                            .map(|o| QualifiedName::new(&o.schema, &o.name)),
                    )
                    .collect();
                if found.len() > 1 {
                    found.retain(|q| q.schema == "public");
                }
                match found.as_slice() {
                    [q] if array => DataType::Array(Box::new(DataType::Named(q.clone()))),
                    [q] => DataType::Named(q.clone()),
                    _ => DataType::Unresolved(text),
                }
            }
            DataType::Array(e) => match *e {
                DataType::Unresolved(_) => match self.resolve_user_type(*e) {
                    DataType::Named(q) => DataType::Array(Box::new(DataType::Named(q))),
                    other => DataType::Array(Box::new(other)),
                },
                other => DataType::Array(Box::new(other)),
            },
            other => other,
        }
    }

    /// Attributes of tables that come with partitions, exclusion constraints and RLS.
    pub(super) fn table_extras(
        &mut self,
        file: &SourceFile,
        idx: usize,
        block: &Block,
        table: &mut Table,
    ) {
        if let Some(attr) = block.body.get_attribute("partition_of") {
            let parent = match path_of(&attr.value).as_deref() {
                Some([root, rest @ ..]) if root == "table" => self.find_table(rest).map(|i| {
                    let t = &self.tables[i];
                    QualifiedName::new(&t.schema, &t.name)
                }),
                _ => Err("expected a table reference such as table.events".to_string()),
            };
            match (parent, self.string(file, &block.body, "bound")) {
                (Ok(parent), Some(bound)) => table.partition_of = Some(PartitionOf { parent, bound: bound.trim().to_string() }),
                (Ok(_), None) => self.err(file, attr.key.span(), "a partition needs `bound`, e.g. bound = \"FOR VALUES FROM (1) TO (100)\" or \"DEFAULT\"".into(), "no bound"),
                (Err(msg), _) => self.err(file, attr.value.span(), format!("unresolved reference `{}`: {msg}", expr_text(&attr.value)), "unresolved reference"),
            }
        }
        if let Some(attr) = block.body.get_attribute("inherits") {
            let items: Vec<&Expression> = match &attr.value {
                Expression::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            for item in items {
                let parent = match path_of(item).as_deref() {
                    Some([root, rest @ ..]) if root == "table" => self.find_table(rest).map(|i| {
                        let t = &self.tables[i];
                        QualifiedName::new(&t.schema, &t.name)
                    }),
                    _ => Err("expected a table reference such as table.base".to_string()),
                };
                match parent {
                    Ok(p) if p == table.qualified() => self.err(
                        file,
                        item.span(),
                        "a table cannot inherit from itself".into(),
                        "this table",
                    ),
                    Ok(p) if table.inherits.contains(&p) => self.err(
                        file,
                        item.span(),
                        format!("table \"{p}\" is listed twice in `inherits`"),
                        "listed again",
                    ),
                    Ok(p) => table.inherits.push(p),
                    Err(msg) => self.err(
                        file,
                        item.span(),
                        format!("unresolved reference `{}`: {msg}", expr_text(item)),
                        "unresolved reference",
                    ),
                }
            }
            if table.partition_of.is_some() && !table.inherits.is_empty() {
                self.err(
                    file,
                    attr.key.span(),
                    "a partition cannot also use `inherits`".into(),
                    "remove one of `partition_of` and `inherits`",
                );
            }
        }
        for x in block.body.get_blocks("exclude") {
            if let Some(e) = self.build_exclude(file, idx, x) {
                table.excludes.push(e);
            }
        }
        if let Some(rs) = block.body.get_blocks("row_security").next() {
            self.check_keys(
                file,
                &rs.body,
                "row_security",
                &["enabled", "enforced"],
                &[],
            );
            table.rls_enabled = self.bool(file, &rs.body, "enabled").unwrap_or(true);
            table.rls_forced = self.bool(file, &rs.body, "enforced").unwrap_or(false);
        }
    }

    fn build_exclude(&mut self, file: &SourceFile, idx: usize, block: &Block) -> Option<Exclude> {
        self.check_keys(
            file,
            &block.body,
            "exclude",
            &["type", "include", "where", "deferrable", "comment"],
            &["on"],
        );
        let name = block.labels.first().map(|l| l.as_str().to_string());
        let mut elements = Vec::new();
        for on in block.body.get_blocks("on") {
            self.check_keys(
                file,
                &on.body,
                "exclude element (on)",
                &["column", "expr", "op"],
                &[],
            );
            let key = if let Some(attr) = on.body.get_attribute("column") {
                match self.column_ref(idx, &attr.value) {
                    Ok((_, c)) => IndexKey::Column(c),
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
            } else if let Some(e) = self.string(file, &on.body, "expr") {
                IndexKey::Expr(e)
            } else {
                self.err(
                    file,
                    on.ident.span(),
                    "an exclude element needs `column` or `expr`".into(),
                    "empty element",
                );
                return None;
            };
            let Some(op) = self.string(file, &on.body, "op") else {
                self.err(
                    file,
                    on.ident.span(),
                    "an exclude element needs `op`, e.g. op = \"&&\"".into(),
                    "no operator",
                );
                return None;
            };
            elements.push((key, op));
        }
        if elements.is_empty() {
            self.err(
                file,
                block.ident.span(),
                "exclude needs at least one `on` block".into(),
                "no elements",
            );
            return None;
        }
        let method = self
            .keyword(file, &block.body, "type")
            .map(|(k, _)| k.to_ascii_lowercase())
            .unwrap_or_else(|| "gist".into());
        let include = self
            .own_columns(file, idx, &block.body, "include", "exclude")
            .unwrap_or_default();
        let table = &self.tables[idx].name;
        let name = name.unwrap_or_else(|| {
            let cols: Vec<String> = elements
                .iter()
                .map(|(k, _)| match k {
                    IndexKey::Column(c) => c.clone(),
                    IndexKey::Expr(_) => "expr".into(),
                })
                .collect();
            crate::postgres::names::make_object_name(table, Some(&cols.join("_")), "excl")
        });
        Some(Exclude {
            name,
            method,
            elements,
            include,
            predicate: self.string(file, &block.body, "where"),
            deferrable: self.deferrable(file, &block.body),
            comment: self.string(file, &block.body, "comment"),
        })
    }

    pub(super) fn build_objects(&mut self, top: &[(&'a SourceFile, &'a Block)], model: &mut Model) {
        for (file, block) in top.iter().filter(|(_, b)| b.ident.as_str() == "extension") {
            if let Some(e) = self.build_extension(file, block)
                && model.extensions.insert(e.name.clone(), e.clone()).is_some()
            {
                self.err(
                    file,
                    block.ident.span(),
                    format!("duplicate extension \"{}\"", e.name),
                    "declared again",
                );
            }
        }
        for i in 0..self.objects.len() {
            let (kind, file, block, schema, name) = {
                let o = &self.objects[i];
                (o.kind, o.file, o.block, o.schema.clone(), o.name.clone())
            };
            let Some(s) = model.schemas.get(&schema) else {
                continue;
            };
            let _ = s;
            match kind {
                "sequence" => {
                    if let Some(seq) = self.build_sequence(file, block, &schema, &name)
                        && let Some(s) = model.schemas.get_mut(&schema)
                    {
                        s.sequences.insert(name.clone(), seq);
                    }
                }
                "collation" => {
                    if let Some(c) = self.build_collation(file, block, &schema, &name)
                        && let Some(s) = model.schemas.get_mut(&schema)
                    {
                        s.collations.insert(name.clone(), c);
                    }
                }
                "domain" => {
                    if let Some(d) = self.build_domain(file, block, &schema, &name)
                        && let Some(s) = model.schemas.get_mut(&schema)
                    {
                        s.domains.insert(name.clone(), d);
                    }
                }
                "composite" => {
                    if let Some(c) = self.build_composite(file, block, &schema, &name)
                        && let Some(s) = model.schemas.get_mut(&schema)
                    {
                        s.composites.insert(name.clone(), c);
                    }
                }
                "function" | "procedure" => {
                    if let Some(f) = self.build_function(file, block, kind, &schema, &name) {
                        let sig = crate::postgres::types::signature(&f);
                        self.sources.objects.insert(
                            format!("function.{schema}.{sig}"),
                            Location::new(file, block.labels.last().and_then(|l| l.span())),
                        );
                        if let Some(s) = model.schemas.get_mut(&schema)
                            && s.functions.insert(sig.clone(), f).is_some()
                        {
                            self.err(
                                file,
                                block.ident.span(),
                                format!("duplicate {kind} \"{schema}.{sig}\""),
                                "same name and argument types",
                            );
                        }
                    }
                }
                "view" | "materialized" => {
                    let table = self.objects[i].table;
                    if let Some(v) =
                        self.build_view(file, block, kind == "materialized", &schema, &name, table)
                        && let Some(s) = model.schemas.get_mut(&schema)
                    {
                        s.views.insert(name.clone(), v);
                    }
                }
                _ => {}
            }
        }
        for (file, block) in top.iter().filter(|(_, b)| b.ident.as_str() == "trigger") {
            self.build_trigger(file, block, model);
        }
        for (file, block) in top.iter().filter(|(_, b)| b.ident.as_str() == "policy") {
            self.build_policy(file, block, model);
        }
    }

    fn build_extension(&mut self, file: &SourceFile, block: &Block) -> Option<Extension> {
        self.check_keys(
            file,
            &block.body,
            "extension",
            &["schema", "version", "comment"],
            &[],
        );
        let name = block.labels.first()?.as_str().to_string();
        let schema = if block.body.get_attribute("schema").is_some() {
            Some(self.schema_ref(file, block, &format!("extension \"{name}\""), &None)?)
        } else {
            None
        };
        Some(Extension {
            name,
            schema,
            version: self.string(file, &block.body, "version"),
            comment: None,
        })
    }

    fn int_type(&mut self, file: &SourceFile, body: &Body) -> String {
        match body.get_attribute("type").map(|a| &a.value) {
            None => "bigint".into(),
            Some(Expression::Variable(v)) => match v.as_str().to_ascii_lowercase().as_str() {
                "smallint" | "int2" => "smallint".into(),
                "int" | "integer" | "int4" => "integer".into(),
                "bigint" | "int8" => "bigint".into(),
                other => {
                    self.err(
                        file,
                        v.span(),
                        format!(
                            "a sequence type must be smallint, integer or bigint, not `{other}`"
                        ),
                        "not an integer type",
                    );
                    "bigint".into()
                }
            },
            Some(e) => {
                self.err(
                    file,
                    e.span(),
                    "a sequence type must be smallint, integer or bigint".into(),
                    "expected a type",
                );
                "bigint".into()
            }
        }
    }

    fn build_sequence(
        &mut self,
        file: &SourceFile,
        block: &Block,
        schema: &str,
        name: &str,
    ) -> Option<Sequence> {
        self.check_keys(
            file,
            &block.body,
            &format!("sequence \"{name}\""),
            &[
                "schema",
                "type",
                "start",
                "increment",
                "min_value",
                "max_value",
                "cache",
                "cycle",
                "owned_by",
                "owner",
                "comment",
            ],
            &[],
        );
        let mut s = Sequence::new(schema, name);
        s.ty = self.int_type(file, &block.body);
        s.increment = self.int(file, &block.body, "increment").unwrap_or(1);
        let asc = s.increment > 0;
        let (dmin, dmax) = sequence_defaults(&s.ty, asc);
        s.min = self
            .int(file, &block.body, "min_value")
            .filter(|v| *v != dmin);
        s.max = self
            .int(file, &block.body, "max_value")
            .filter(|v| *v != dmax);
        let default_start = if asc {
            s.min.unwrap_or(dmin)
        } else {
            s.max.unwrap_or(dmax)
        };
        s.start = self
            .int(file, &block.body, "start")
            .filter(|v| *v != default_start);
        s.cache = self.int(file, &block.body, "cache").unwrap_or(1);
        s.cycle = self.bool(file, &block.body, "cycle").unwrap_or(false);
        s.comment = self.string(file, &block.body, "comment");
        let owner = block
            .body
            .get_attribute("owned_by")
            .or_else(|| block.body.get_attribute("owner"));
        if let Some(attr) = owner {
            match path_of(&attr.value).as_deref() {
                Some([root, rest @ ..])
                    if root == "table" && rest.len() >= 3 && rest[rest.len() - 2] == "column" =>
                {
                    match self.find_table(&rest[..rest.len() - 2]) {
                        Ok(i) => {
                            let t = &self.tables[i];
                            s.owned_by = Some((
                                QualifiedName::new(&t.schema, &t.name),
                                rest[rest.len() - 1].clone(),
                            ));
                        }
                        Err(msg) => self.err(
                            file,
                            attr.value.span(),
                            format!("unresolved reference: {msg}"),
                            "unresolved reference",
                        ),
                    }
                }
                _ => self.err(
                    file,
                    attr.value.span(),
                    "`owned_by` must reference a column: table.<table>.column.<column>".into(),
                    "expected a column reference",
                ),
            }
        }
        Some(s)
    }

    fn build_collation(
        &mut self,
        file: &SourceFile,
        block: &Block,
        schema: &str,
        name: &str,
    ) -> Option<Collation> {
        self.check_keys(
            file,
            &block.body,
            &format!("collation \"{name}\""),
            &[
                "schema",
                "provider",
                "locale",
                "lc_collate",
                "lc_ctype",
                "deterministic",
                "comment",
            ],
            &[],
        );
        let provider = self
            .keyword_upper(file, &block.body, "provider", &["LIBC", "ICU", "BUILTIN"])
            .map(|p| p.to_ascii_lowercase())
            .unwrap_or_else(|| "libc".into());
        let c = Collation {
            schema: schema.into(),
            name: name.into(),
            locale: self.string(file, &block.body, "locale"),
            lc_collate: self.string(file, &block.body, "lc_collate"),
            lc_ctype: self.string(file, &block.body, "lc_ctype"),
            deterministic: self
                .bool(file, &block.body, "deterministic")
                .unwrap_or(true),
            comment: self.string(file, &block.body, "comment"),
            provider,
        };
        let libc_parts = c.lc_collate.is_some() || c.lc_ctype.is_some();
        let written = |k: &str| block.body.get_attribute(k).is_some();
        if ["locale", "lc_collate", "lc_ctype"]
            .iter()
            .any(|k| written(k))
            && c.locale.is_none()
            && !libc_parts
        {
            // An attribute was written but is not a string: that error is already reported.
            return None;
        }
        if c.locale.is_none() && (c.provider != "libc" || !libc_parts) {
            self.err(
                file,
                block.ident.span(),
                format!("collation \"{name}\" needs `locale` (or, for libc, `lc_collate` and `lc_ctype`)"),
                "no locale",
            );
            return None;
        }
        if c.provider != "libc" && libc_parts {
            self.err(
                file,
                block.ident.span(),
                format!("collation \"{name}\": `lc_collate` and `lc_ctype` apply to the libc provider only"),
                "use `locale`",
            );
            return None;
        }
        Some(c.canonical())
    }

    fn build_domain(
        &mut self,
        file: &SourceFile,
        block: &Block,
        schema: &str,
        name: &str,
    ) -> Option<Domain> {
        self.check_keys(
            file,
            &block.body,
            &format!("domain \"{name}\""),
            &["schema", "type", "null", "default", "collate", "comment"],
            &["check"],
        );
        let Some(type_attr) = block.body.get_attribute("type") else {
            self.err(
                file,
                block.ident.span(),
                format!("domain \"{name}\" is missing the required attribute `type`"),
                "no type",
            );
            return None;
        };
        let base = self.data_type(file, type_attr)?;
        let default = match block.body.get_attribute("default") {
            Some(attr) => self.default_value(file, attr, &base),
            None => None,
        };
        let mut checks = Vec::new();
        for c in block.body.get_blocks("check") {
            self.check_keys(file, &c.body, "check", &["expr", "comment", "valid"], &[]);
            if let Some(expr) = self.string(file, &c.body, "expr") {
                checks.push(Check {
                    name: c.labels.first().map(|l| l.as_str().to_string()),
                    expr,
                    comment: self.string(file, &c.body, "comment"),
                    not_valid: !self.bool(file, &c.body, "valid").unwrap_or(true),
                    no_inherit: false,
                });
            }
        }
        Some(Domain {
            schema: schema.into(),
            name: name.into(),
            base,
            not_null: !self.bool(file, &block.body, "null").unwrap_or(true),
            default,
            collation: self.string(file, &block.body, "collate"),
            checks,
            comment: self.string(file, &block.body, "comment"),
        })
    }

    fn build_composite(
        &mut self,
        file: &SourceFile,
        block: &Block,
        schema: &str,
        name: &str,
    ) -> Option<Composite> {
        self.check_keys(
            file,
            &block.body,
            &format!("composite \"{name}\""),
            &["schema", "comment"],
            &["field"],
        );
        let mut fields = Vec::new();
        for f in block.body.get_blocks("field") {
            self.check_keys(file, &f.body, "field", &["type", "collate"], &[]);
            let Some(label) = f.labels.first() else {
                continue;
            };
            let Some(attr) = f.body.get_attribute("type") else {
                self.err(
                    file,
                    f.ident.span(),
                    "field is missing the required attribute `type`".into(),
                    "no type",
                );
                continue;
            };
            if let Some(t) = self.data_type(file, attr) {
                fields.push((label.as_str().to_string(), t));
            }
        }
        Some(Composite {
            schema: schema.into(),
            name: name.into(),
            fields,
            comment: self.string(file, &block.body, "comment"),
        })
    }

    fn keyword_upper(
        &mut self,
        file: &SourceFile,
        body: &Body,
        key: &str,
        allowed: &[&str],
    ) -> Option<String> {
        let (k, span) = self.keyword(file, body, key)?;
        let up = k.to_ascii_uppercase().replace(' ', "_");
        if allowed.contains(&up.as_str()) {
            Some(up)
        } else {
            self.errors.push(
                HclError::new(
                    Location::new(file, span),
                    format!("invalid `{key}` value `{k}`"),
                    "unknown value",
                )
                .with_help(format!("use one of: {}", allowed.join(", "))),
            );
            None
        }
    }

    fn number_text(&mut self, file: &SourceFile, body: &Body, key: &str) -> Option<String> {
        let attr = body.get_attribute(key)?;
        match self.value(file, attr)? {
            Value::Number(n) => Some(n.to_string()),
            _ => {
                self.err(
                    file,
                    attr.value.span(),
                    format!("`{key}` must be a number"),
                    "expected a number",
                );
                None
            }
        }
    }

    fn build_function(
        &mut self,
        file: &SourceFile,
        block: &Block,
        kind: &str,
        schema: &str,
        name: &str,
    ) -> Option<Function> {
        let what = format!("{kind} \"{name}\"");
        let attrs: &[&str] = if kind == "function" {
            &[
                "schema",
                "lang",
                "return",
                "return_set",
                "as",
                "volatility",
                "strict",
                "security",
                "parallel",
                "leakproof",
                "cost",
                "rows",
                "set",
                "comment",
                "depends_on",
            ]
        } else {
            &[
                "schema",
                "lang",
                "as",
                "security",
                "set",
                "comment",
                "depends_on",
            ]
        };
        let blocks: &[&str] = if kind == "function" {
            &["arg", "return_table"]
        } else {
            &["arg"]
        };
        self.check_keys(file, &block.body, &what, attrs, blocks);
        let Some((lang, _)) = self.keyword(file, &block.body, "lang") else {
            self.err(file, block.ident.span(), format!("{what} is missing the required attribute `lang` (e.g. lang = plpgsql or lang = SQL)"), "no lang");
            return None;
        };
        let Some(body) = self.string(file, &block.body, "as") else {
            self.err(
                file,
                block.ident.span(),
                format!("{what} is missing the required attribute `as` (the body)"),
                "no body",
            );
            return None;
        };
        let mut args = Vec::new();
        for a in block.body.get_blocks("arg") {
            self.check_keys(file, &a.body, "arg", &["type", "mode", "default"], &[]);
            let Some(tattr) = a.body.get_attribute("type") else {
                self.err(
                    file,
                    a.ident.span(),
                    "arg is missing the required attribute `type`".into(),
                    "no type",
                );
                continue;
            };
            let Some(ty) = self.data_type(file, tattr) else {
                continue;
            };
            let mode = match self
                .keyword_upper(file, &a.body, "mode", &["IN", "OUT", "INOUT", "VARIADIC"])
                .as_deref()
            {
                Some("OUT") => ArgMode::Out,
                Some("INOUT") => ArgMode::InOut,
                Some("VARIADIC") => ArgMode::Variadic,
                _ => ArgMode::In,
            };
            let default = match a.body.get_attribute("default") {
                Some(attr) => match &attr.value {
                    Expression::FuncCall(c) if c.name.name.as_str() == "sql" => c
                        .args
                        .iter()
                        .next()
                        .and_then(|x| self.eval.eval(x).ok())
                        .and_then(|v| v.as_str().map(str::to_string)),
                    _ => match self.value(file, attr) {
                        Some(Value::String(s)) => Some(s),
                        Some(Value::Number(n)) => {
                            Some(defaults::canonical(&Literal::Number(n.to_string()), &ty))
                        }
                        Some(Value::Bool(b)) => Some(b.to_string()),
                        _ => None,
                    },
                },
                None => None,
            };
            args.push(FunctionArg {
                name: a.labels.first().map(|l| l.as_str().to_string()),
                ty,
                mode,
                default,
            });
        }
        let returns = if kind == "procedure" {
            None
        } else if let Some(attr) = block.body.get_attribute("return") {
            Some(Returns::Type(self.data_type(file, attr)?))
        } else if let Some(attr) = block.body.get_attribute("return_set") {
            Some(Returns::SetOf(self.data_type(file, attr)?))
        } else if let Some(tb) = block.body.get_blocks("return_table").next() {
            let mut cols = Vec::new();
            for c in tb.body.get_blocks("column") {
                let Some(label) = c.labels.first() else {
                    continue;
                };
                if let Some(t) = c
                    .body
                    .get_attribute("type")
                    .and_then(|attr| self.data_type(file, attr))
                {
                    cols.push((label.as_str().to_string(), t));
                }
            }
            Some(Returns::Table(cols))
        } else {
            self.err(
                file,
                block.ident.span(),
                format!("{what} needs `return`, `return_set` or a `return_table` block"),
                "no return type",
            );
            return None;
        };
        let volatility = match self
            .keyword_upper(
                file,
                &block.body,
                "volatility",
                &["VOLATILE", "STABLE", "IMMUTABLE"],
            )
            .as_deref()
        {
            Some("STABLE") => Volatility::Stable,
            Some("IMMUTABLE") => Volatility::Immutable,
            _ => Volatility::Volatile,
        };
        let parallel = match self
            .keyword_upper(
                file,
                &block.body,
                "parallel",
                &["UNSAFE", "RESTRICTED", "SAFE"],
            )
            .as_deref()
        {
            Some("SAFE") => Parallel::Safe,
            Some("RESTRICTED") => Parallel::Restricted,
            _ => Parallel::Unsafe,
        };
        let security_definer = self
            .keyword_upper(file, &block.body, "security", &["DEFINER", "INVOKER"])
            .as_deref()
            == Some("DEFINER");
        let language = lang.to_ascii_lowercase();
        let default_cost = if language == "c" || language == "internal" {
            "1"
        } else {
            "100"
        };
        let retset = matches!(returns, Some(Returns::SetOf(_)) | Some(Returns::Table(_)));
        let default_rows = if retset { "1000" } else { "0" };
        let mut config = Vec::new();
        if let Some(attr) = block.body.get_attribute("set") {
            match self.value(file, attr) {
                Some(Value::Object(map)) => {
                    for (k, v) in map {
                        let v = match v {
                            Value::String(s) => s,
                            other => other.to_string(),
                        };
                        config.push((k, v));
                    }
                }
                Some(_) => self.err(
                    file,
                    attr.value.span(),
                    "`set` must be an object, e.g. set = { search_path = \"public\" }".into(),
                    "expected an object",
                ),
                None => {}
            }
        }
        config.sort();
        Some(Function {
            schema: schema.into(),
            name: name.into(),
            kind: if kind == "procedure" {
                RoutineKind::Procedure
            } else {
                RoutineKind::Function
            },
            args,
            returns,
            language,
            body,
            volatility,
            strict: self.bool(file, &block.body, "strict").unwrap_or(false),
            security_definer,
            parallel,
            leakproof: self.bool(file, &block.body, "leakproof").unwrap_or(false),
            cost: self
                .number_text(file, &block.body, "cost")
                .filter(|c| c != default_cost),
            rows: self
                .number_text(file, &block.body, "rows")
                .filter(|r| r != default_rows),
            config,
            comment: self.string(file, &block.body, "comment"),
        })
    }

    fn build_view(
        &mut self,
        file: &SourceFile,
        block: &Block,
        materialized: bool,
        schema: &str,
        name: &str,
        table: Option<usize>,
    ) -> Option<View> {
        let kind = if materialized { "materialized" } else { "view" };
        let what = format!("{kind} \"{name}\"");
        let attrs: &[&str] = if materialized {
            &[
                "schema",
                "as",
                "with_data",
                "storage_params",
                "comment",
                "depends_on",
            ]
        } else {
            &[
                "schema",
                "as",
                "check_option",
                "security_barrier",
                "security_invoker",
                "comment",
                "depends_on",
            ]
        };
        let blocks: &[&str] = if materialized {
            &["column", "index"]
        } else {
            &["column"]
        };
        self.check_keys(file, &block.body, &what, attrs, blocks);
        let Some(query) = self.string(file, &block.body, "as") else {
            self.err(
                file,
                block.ident.span(),
                format!("{what} is missing the required attribute `as` (its query)"),
                "no query",
            );
            return None;
        };
        let mut column_comments = Vec::new();
        for c in block.body.get_blocks("column") {
            self.check_keys(
                file,
                &c.body,
                "view column",
                &["type", "null", "comment"],
                &[],
            );
            if let (Some(l), Some(cm)) = (c.labels.first(), self.string(file, &c.body, "comment")) {
                column_comments.push((l.as_str().to_string(), cm));
            }
        }
        let mut indexes = Vec::new();
        if let Some(t) = table {
            for ix in block.body.get_blocks("index") {
                if let Some(i) = self.build_index(file, t, ix, name) {
                    indexes.push(i);
                }
            }
        }
        Some(View {
            schema: schema.into(),
            name: name.into(),
            query: query.trim().trim_end_matches(';').trim_end().to_string(),
            materialized,
            check_option: self.keyword_upper(
                file,
                &block.body,
                "check_option",
                &["LOCAL", "CASCADED"],
            ),
            security_barrier: self
                .bool(file, &block.body, "security_barrier")
                .unwrap_or(false),
            security_invoker: self
                .bool(file, &block.body, "security_invoker")
                .unwrap_or(false),
            with_data: materialized && self.bool(file, &block.body, "with_data").unwrap_or(true),
            storage_params: if materialized {
                self.storage_params(file, &block.body)
            } else {
                Default::default()
            },
            indexes,
            triggers: Vec::new(),
            comment: self.string(file, &block.body, "comment"),
            column_comments,
        })
    }

    /// Resolves `on = table.x | view.x | materialized.x`.
    fn relation_ref(
        &mut self,
        file: &SourceFile,
        block: &Block,
        what: &str,
    ) -> Option<(bool, QualifiedName, Option<usize>)> {
        let Some(attr) = block.body.get_attribute("on") else {
            self.err(
                file,
                block.ident.span(),
                format!("{what} is missing the required attribute `on`"),
                "no `on`",
            );
            return None;
        };
        let path = path_of(&attr.value).unwrap_or_default();
        let found = match path.split_first() {
            Some((root, rest)) if root == "table" => self.find_table(rest).map(|i| {
                let t = &self.tables[i];
                (true, QualifiedName::new(&t.schema, &t.name), Some(i))
            }),
            Some((root, rest)) if root == "view" || root == "materialized" => {
                self.find_object(&[root.as_str()], rest).map(|i| {
                    let o = &self.objects[i];
                    (false, QualifiedName::new(&o.schema, &o.name), None)
                })
            }
            _ => Err("expected table.<name> or view.<name>".to_string()),
        };
        match found {
            Ok(f) => Some(f),
            Err(msg) => {
                self.err(
                    file,
                    attr.value.span(),
                    format!("unresolved reference `{}`: {msg}", expr_text(&attr.value)),
                    "unresolved reference",
                );
                None
            }
        }
    }

    fn build_trigger(&mut self, file: &SourceFile, block: &Block, model: &mut Model) {
        let Some(name) = block.labels.first().map(|l| l.as_str().to_string()) else {
            self.err(
                file,
                block.ident.span(),
                "a trigger needs a name".into(),
                "expected trigger \"name\" { … }",
            );
            return;
        };
        let what = format!("trigger \"{name}\"");
        self.check_keys(
            file,
            &block.body,
            &what,
            &[
                "on",
                "for",
                "foreach",
                "when",
                "constraint",
                "deferrable",
                "enabled",
                "comment",
            ],
            &["before", "after", "instead_of", "execute", "referencing"],
        );
        let Some((is_table, on, table_idx)) = self.relation_ref(file, block, &what) else {
            return;
        };
        let timings: Vec<(&Block, TriggerTiming)> = [
            ("before", TriggerTiming::Before),
            ("after", TriggerTiming::After),
            ("instead_of", TriggerTiming::InsteadOf),
        ]
        .iter()
        .flat_map(|(k, t)| block.body.get_blocks(k).map(move |b| (b, *t)))
        .collect();
        let [(tb, timing)] = timings.as_slice() else {
            self.err(
                file,
                block.ident.span(),
                format!("{what} needs exactly one of the blocks before, after or instead_of"),
                "timing",
            );
            return;
        };
        self.check_keys(
            file,
            &tb.body,
            "trigger events",
            &["insert", "update", "update_of", "delete", "truncate"],
            &[],
        );
        let mut events = TriggerEvents {
            insert: self.bool(file, &tb.body, "insert").unwrap_or(false),
            update: self.bool(file, &tb.body, "update").unwrap_or(false),
            update_of: Vec::new(),
            delete: self.bool(file, &tb.body, "delete").unwrap_or(false),
            truncate: self.bool(file, &tb.body, "truncate").unwrap_or(false),
        };
        if let (Some(attr), Some(idx)) = (tb.body.get_attribute("update_of"), table_idx) {
            if let Expression::Array(items) = &attr.value {
                for it in items.iter() {
                    match self.column_ref(idx, it) {
                        Ok((_, c)) => events.update_of.push(c),
                        Err(msg) => self.err(
                            file,
                            it.span(),
                            format!("unresolved reference: {msg}"),
                            "unresolved reference",
                        ),
                    }
                }
            }
            events.update = false;
        }
        if !(events.insert
            || events.update
            || !events.update_of.is_empty()
            || events.delete
            || events.truncate)
        {
            self.err(
                file,
                tb.ident.span(),
                "a trigger needs at least one event: insert, update, update_of, delete or truncate"
                    .into(),
                "no events",
            );
            return;
        }
        let Some(exec) = block.body.get_blocks("execute").next() else {
            self.err(
                file,
                block.ident.span(),
                format!("{what} needs an `execute {{ function = function.f }}` block"),
                "no function",
            );
            return;
        };
        self.check_keys(file, &exec.body, "execute", &["function", "args"], &[]);
        let function = match exec.body.get_attribute("function") {
            Some(attr) => match path_of(&attr.value).as_deref() {
                Some([root, rest @ ..]) if root == "function" => {
                    match self.find_object(&["function"], rest) {
                        Ok(i) => QualifiedName::new(&self.objects[i].schema, &self.objects[i].name),
                        Err(msg) => {
                            self.err(
                                file,
                                attr.value.span(),
                                format!("unresolved reference `{}`: {msg}", expr_text(&attr.value)),
                                "unresolved reference",
                            );
                            return;
                        }
                    }
                }
                _ => {
                    self.err(
                        file,
                        attr.value.span(),
                        "`function` must reference a function block, e.g. function.touch".into(),
                        "expected function.<name>",
                    );
                    return;
                }
            },
            None => {
                self.err(
                    file,
                    exec.ident.span(),
                    "execute needs `function`".into(),
                    "no function",
                );
                return;
            }
        };
        let args = self.strings(file, &exec.body, "args").unwrap_or_default();
        let (old_table, new_table) = match block.body.get_blocks("referencing").next() {
            Some(r) => {
                self.check_keys(
                    file,
                    &r.body,
                    "referencing",
                    &["old_table", "new_table"],
                    &[],
                );
                (
                    self.string(file, &r.body, "old_table"),
                    self.string(file, &r.body, "new_table"),
                )
            }
            None => (None, None),
        };
        let for_each_row = match self
            .keyword_upper(file, &block.body, "for", &["ROW", "STATEMENT"])
            .or_else(|| self.keyword_upper(file, &block.body, "foreach", &["ROW", "STATEMENT"]))
        {
            Some(k) => k == "ROW",
            None => *timing == TriggerTiming::InsteadOf,
        };
        let enabled = match block.body.get_attribute("enabled").map(|a| &a.value) {
            Some(Expression::Bool(b)) => {
                if *b.value() {
                    'O'
                } else {
                    'D'
                }
            }
            Some(_) => match self
                .keyword_upper(
                    file,
                    &block.body,
                    "enabled",
                    &["ALWAYS", "REPLICA", "ORIGIN"],
                )
                .as_deref()
            {
                Some("ALWAYS") => 'A',
                Some("REPLICA") => 'R',
                _ => 'O',
            },
            None => 'O',
        };
        if !is_table
            && enabled != 'O'
            && let Some(a) = block.body.get_attribute("enabled")
        {
            self.err(
                file,
                a.key.span(),
                "`enabled` applies to triggers on tables: PostgreSQL cannot disable a trigger on a view".into(),
                "remove it, or drop the trigger",
            );
        }
        let constraint = self.bool(file, &block.body, "constraint").unwrap_or(false);
        let trigger = Trigger {
            name: name.clone(),
            timing: *timing,
            events,
            for_each_row,
            when: self.string(file, &block.body, "when"),
            function,
            args,
            old_table,
            new_table,
            constraint,
            deferrable: if constraint {
                self.deferrable(file, &block.body)
            } else {
                Deferrable::NotDeferrable
            },
            enabled,
            comment: self.string(file, &block.body, "comment"),
        };
        let target = model.schemas.get_mut(&on.schema);
        let list = match (is_table, target) {
            (true, Some(s)) => s.tables.get_mut(&on.name).map(|t| &mut t.triggers),
            (false, Some(s)) => s.views.get_mut(&on.name).map(|v| &mut v.triggers),
            _ => None,
        };
        if let Some(list) = list {
            if list.iter().any(|t| t.name == name) {
                self.err(
                    file,
                    block.labels.first().and_then(|l| l.span()),
                    format!("duplicate trigger \"{name}\" on {on}"),
                    "declared again",
                );
            } else {
                list.push(trigger);
            }
        }
    }

    fn build_policy(&mut self, file: &SourceFile, block: &Block, model: &mut Model) {
        let Some(name) = block.labels.first().map(|l| l.as_str().to_string()) else {
            self.err(
                file,
                block.ident.span(),
                "a policy needs a name".into(),
                "expected policy \"name\" { … }",
            );
            return;
        };
        let what = format!("policy \"{name}\"");
        self.check_keys(
            file,
            &block.body,
            &what,
            &["on", "as", "for", "to", "using", "check", "comment"],
            &[],
        );
        let Some((is_table, on, _)) = self.relation_ref(file, block, &what) else {
            return;
        };
        if !is_table {
            self.err(
                file,
                block.ident.span(),
                "policies apply to tables only".into(),
                "not a table",
            );
            return;
        }
        let permissive = self
            .keyword_upper(file, &block.body, "as", &["PERMISSIVE", "RESTRICTIVE"])
            .as_deref()
            != Some("RESTRICTIVE");
        let command = self
            .keyword_upper(
                file,
                &block.body,
                "for",
                &["ALL", "SELECT", "INSERT", "UPDATE", "DELETE"],
            )
            .unwrap_or_else(|| "ALL".into());
        let mut roles = Vec::new();
        if let Some(attr) = block.body.get_attribute("to")
            && let Expression::Array(items) = &attr.value
        {
            for it in items.iter() {
                let r = match it {
                    Expression::Variable(v) => v.as_str().to_string(),
                    other => match self.eval.eval(other) {
                        Ok(Value::String(s)) => s,
                        _ => {
                            self.err(
                                file,
                                other.span(),
                                "roles must be names or PUBLIC".into(),
                                "expected a role",
                            );
                            continue;
                        }
                    },
                };
                roles.push(if r.eq_ignore_ascii_case("public") {
                    "public".to_string()
                } else {
                    r
                });
            }
        }
        if roles.is_empty() {
            roles.push("public".into());
        }
        roles.sort();
        let policy = Policy {
            name: name.clone(),
            permissive,
            command,
            roles,
            using: self.string(file, &block.body, "using"),
            check: self.string(file, &block.body, "check"),
            comment: self.string(file, &block.body, "comment"),
        };
        if let Some(t) = model
            .schemas
            .get_mut(&on.schema)
            .and_then(|s| s.tables.get_mut(&on.name))
        {
            if t.policies.iter().any(|p| p.name == name) {
                self.err(
                    file,
                    block.labels.first().and_then(|l| l.span()),
                    format!("duplicate policy \"{name}\" on {on}"),
                    "declared again",
                );
            } else {
                t.policies.push(policy);
            }
        }
    }
}
