//! Loading objects beyond tables and enums: extensions, sequences, domains, composite types,
//! functions and procedures, views and materialized views, triggers, policies, exclusion
//! constraints, partitions and row-level security.

use super::{Loader, TableSym, expr_text, path_of};
use crate::hcl::diag::{HclError, Location, SourceFile};
use crate::model::{
    ArgMode, Check, Collation, Composite, Deferrable, Domain, Exclude, Extension, Function,
    FunctionArg, IndexKey, Model, ObjectId, ObjectKind, Parallel, PartitionOf, Policy,
    QualifiedName, Returns, RoutineKind, Sequence, Table, Trigger, TriggerEvents, TriggerTiming,
    View, Volatility,
};
use crate::postgres::defaults::{self, Literal};
use crate::postgres::inspect::objects::sequence_defaults;
use hcl::Value;
use hcl::edit::Span;
use hcl::edit::expr::Expression;
use hcl::edit::structure::{Block, Body};
use std::collections::HashMap;

mod aggregate;
mod function;
mod policy;
mod role;
mod trigger;
mod types;
mod view;

/// A declared view, routine, sequence, domain or composite type.
pub(super) struct ObjectSym<'a> {
    pub(crate) kind: &'static str,
    pub(crate) file: &'a SourceFile,
    pub(crate) block: &'a Block,
    pub(crate) qualifier: Option<String>,
    pub(crate) name: String,
    pub(crate) schema: String,
    /// For materialized views: the pseudo-table index used to resolve `column.x` in indexes.
    pub(crate) table: Option<usize>,
}

const OBJECT_KINDS: &[ObjectKind] = &[
    ObjectKind::Collation,
    ObjectKind::Domain,
    ObjectKind::Composite,
    ObjectKind::Sequence,
    ObjectKind::View,
    ObjectKind::Materialized,
    ObjectKind::Function,
    ObjectKind::Procedure,
    ObjectKind::Aggregate,
];

impl<'a> Loader<'a> {
    pub(super) fn declare_objects(&mut self, top: &[(&'a SourceFile, &'a Block)]) {
        let mut seen: HashMap<(&'static str, QualifiedName), Location> = HashMap::new();
        for (file, block) in top {
            let Some(&id_kind) = OBJECT_KINDS
                .iter()
                .find(|k| k.as_str() == block.ident.as_str())
            else {
                continue;
            };
            let kind: &'static str = id_kind.as_str();
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
            let namespace: &'static str = match kind {
                "view" | "materialized" | "sequence" => "relation",
                "domain" | "composite" => "type",
                _ => kind,
            };
            if namespace != "function" && namespace != "procedure" && namespace != "aggregate" {
                if let Some(first) = seen.get(&(namespace, q.clone())) {
                    let e = HclError::new(
                        here,
                        format!("duplicate {kind} \"{q}\""),
                        "declared again here",
                    )
                    .with_note(first.clone(), "first declared here");
                    self.errors.push(self.instance_help(block, e));
                    continue;
                }
                seen.insert((namespace, q.clone()), here.clone());
            }
            let table = if id_kind == ObjectKind::Materialized {
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
                .insert(ObjectId::in_schema(id_kind, &schema, &name), here);
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
                // Several schemas declare the name: the referencing object's schema first,
                // then `public`, as a `search_path` of the two would resolve it.
                if found.len() > 1 {
                    let preferred = self.type_schema.as_deref().unwrap_or("public");
                    if found.iter().any(|q| q.schema == preferred) {
                        found.retain(|q| q.schema == preferred);
                    } else {
                        found.retain(|q| q.schema == "public");
                    }
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
            if !model.schemas.contains_key(&schema) {
                continue;
            }
            self.type_schema = Some(schema.clone());
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
                            ObjectId::routine(f.kind, &schema, &sig),
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
                "aggregate" => {
                    if let Some(a) = self.build_aggregate(file, block, &schema, &name) {
                        let sig = crate::postgres::types::aggregate_signature(&a);
                        self.sources.objects.insert(
                            ObjectId::aggregate(&schema, &sig),
                            Location::new(file, block.labels.last().and_then(|l| l.span())),
                        );
                        let clash = model.schemas.get(&schema).is_some_and(|s| {
                            s.functions.contains_key(&sig) || s.aggregates.contains_key(&sig)
                        });
                        if clash {
                            self.err(
                                file,
                                block.ident.span(),
                                format!("duplicate aggregate \"{schema}.{sig}\": a function or aggregate has the same name and argument types"),
                                "same name and argument types",
                            );
                        } else if let Some(s) = model.schemas.get_mut(&schema) {
                            s.aggregates.insert(sig, a);
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
        for (file, block) in top
            .iter()
            .filter(|(_, b)| b.ident.as_str() == "event_trigger")
        {
            self.build_event_trigger(file, block, model);
        }
        for (file, block) in top.iter().filter(|(_, b)| b.ident.as_str() == "policy") {
            self.build_policy(file, block, model);
        }
        self.build_roles(top, model);
    }
}
