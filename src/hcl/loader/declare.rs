//! The first pass: schemas, enums and tables declared (with their chunks), and the references
//! between them resolved (`schema_ref`, `find_table`, `column_ref`).

use super::*;

impl<'a> Loader<'a> {
    pub(super) fn schema_ref(
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
        let path = path_of(&attr.value).map(|p| match p.as_slice() {
            // `schema.tenant["acme"]`: an instance of a `for_each` schema.
            [root, label, key] if root == "schema" => {
                vec![root.clone(), instance_label(label, key)]
            }
            _ => p,
        });
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

    pub(super) fn declare_schemas(
        &mut self,
        blocks: &[(&'a SourceFile, &'a Block)],
        model: &mut Model,
    ) {
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
                let e = HclError::new(
                    here,
                    format!("duplicate schema \"{name}\""),
                    "declared again here",
                )
                .with_note(first.clone(), "first declared here");
                self.errors.push(self.instance_help(block, e));
                continue;
            }
            seen.insert(name.clone(), here.clone());
            let comment = Schema::own_comment(&name, self.string(file, &block.body, "comment"));
            self.sources.objects.insert(ObjectId::schema(&name), here);
            if let Some(key) = self.instance_key(block).map(str::to_string) {
                // An instance is addressed as `schema.tenant["acme"]`, and by its name.
                let alias = SchemaSym { name: name.clone() };
                self.schemas.entry(name.clone()).or_insert(alias);
                let label = instance_label(&label, &key);
                self.schemas.insert(label, SchemaSym { name: name.clone() });
            } else {
                self.schemas.insert(label, SchemaSym { name: name.clone() });
            }
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

    pub(super) fn declare_enums(&mut self, blocks: &[(&'a SourceFile, &'a Block)]) {
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

    pub(super) fn declare_tables(&mut self, blocks: &[(&'a SourceFile, &'a Block)]) {
        for (file, block) in blocks {
            self.declare_table(file, block, TableSource::Block(block));
        }
    }

    /// Declares tables that come as chunks of large files: each is parsed, its symbols kept,
    /// its tree dropped; [`Loader::build_table`] parses it again.
    pub(super) fn declare_table_chunks(
        &mut self,
        chunks: Vec<(SourceFile, std::ops::Range<usize>)>,
    ) {
        for (file, range) in chunks {
            let text = file.text.clone();
            match hcl::edit::parser::parse_body(&text[range.clone()]) {
                Err(e) => self
                    .errors
                    .push(syntax_error(&file, &text[range.clone()], &e)),
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

    pub(super) fn declare_table(
        &mut self,
        file: &SourceFile,
        block: &Block,
        source: TableSource<'a>,
    ) {
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
            let first = self.sources.objects.get(&ObjectId::table(&q)).cloned();
            let mut e = HclError::new(
                here,
                format!("duplicate table \"{q}\""),
                "declared again here",
            );
            if let Some(first) = first {
                e = e.with_note(first, "first declared here");
            }
            let e = self.instance_help(block, e);
            self.errors.push(e);
            return;
        }
        self.sources.objects.insert(ObjectId::table(&q), here);
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

    pub(super) fn find_enum(&self, path: &[String]) -> Result<QualifiedName, String> {
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

    pub(super) fn find_table(&self, path: &[String]) -> Result<usize, String> {
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
    pub(super) fn column_ref(
        &self,
        own: usize,
        expr: &Expression,
    ) -> Result<(usize, String), String> {
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
    pub(super) fn column_list(
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
}

/// The key a `for_each` schema instance is registered under: `tenant["acme"]`.
fn instance_label(label: &str, key: &str) -> String {
    format!("{label}[{key:?}]")
}

impl Loader<'_> {
    /// The `for_each` key of an instance block.
    pub(super) fn instance_key(&self, block: &Block) -> Option<&str> {
        let address = std::ptr::from_ref(block) as usize;
        self.instance_keys.get(&address).map(String::as_str)
    }

    /// A duplicate's error, with a hint when the duplicate comes from `for_each`.
    pub(super) fn instance_help(&self, block: &Block, e: HclError) -> HclError {
        match self.instance_key(block) {
            Some(key) => e.with_help(format!(
                "every instance of a for_each block needs its own name; the instance for key \"{key}\" repeats one (use `name = each.value`, or put each instance in its own schema)"
            )),
            None => e,
        }
    }
}

/// One object for `declare_names`: by schema label (or name) and name.
struct Named<'s> {
    kind: &'static str,
    schema_label: &'s str,
    schema: &'s str,
    name: &'s str,
}

impl Loader<'_> {
    /// Makes the declared objects' names values for string templates, as Atlas does:
    /// `as = "SELECT … FROM ${table.users.name}"`. Each kind maps a name to `{ name, schema }`
    /// (schemas to `{ name }`); a name declared in two schemas is reachable only qualified,
    /// `${table.sales.orders.name}`.
    pub(super) fn declare_names(&mut self) {
        let mut all: Vec<Named> = Vec::new();
        for t in self.tables.iter().filter(|t| !t.open_columns) {
            all.push(Named {
                kind: "table",
                schema_label: t.qualifier.as_deref().unwrap_or(&t.schema),
                schema: &t.schema,
                name: &t.name,
            });
        }
        for e in &self.enums {
            all.push(Named {
                kind: "enum",
                schema_label: e.qualifier.as_deref().unwrap_or(&e.schema),
                schema: &e.schema,
                name: &e.name,
            });
        }
        for o in self.objects.iter().filter(|o| {
            matches!(
                o.kind,
                "view" | "materialized" | "sequence" | "domain" | "composite"
            )
        }) {
            all.push(Named {
                kind: o.kind,
                schema_label: o.qualifier.as_deref().unwrap_or(&o.schema),
                schema: &o.schema,
                name: &o.name,
            });
        }
        let mut names: hcl::Map<String, Value> = hcl::Map::new();
        let schemas: hcl::Map<String, Value> = self
            .schemas
            .iter()
            .map(|(label, s)| (label.clone(), object([("name", s.name.as_str())])))
            .collect();
        names.insert("schema".into(), Value::Object(schemas));
        let mut by_kind: BTreeMap<&str, Vec<&Named>> = BTreeMap::new();
        for n in &all {
            by_kind.entry(n.kind).or_default().push(n);
        }
        for (kind, list) in by_kind {
            let mut count: HashMap<&str, usize> = HashMap::new();
            for n in &list {
                *count.entry(n.name).or_default() += 1;
            }
            let mut map: hcl::Map<String, Value> = hcl::Map::new();
            let mut qualified: BTreeMap<&str, hcl::Map<String, Value>> = BTreeMap::new();
            for n in &list {
                let value = object([("name", n.name), ("schema", n.schema)]);
                if count.get(n.name) == Some(&1) {
                    map.insert(n.name.to_string(), value.clone());
                }
                qualified
                    .entry(n.schema_label)
                    .or_default()
                    .insert(n.name.to_string(), value);
            }
            for (label, objects) in qualified {
                // A schema label that is also an object's name stays the object.
                if !map.contains_key(label) {
                    map.insert(label.to_string(), Value::Object(objects));
                }
            }
            names.insert(kind.to_string(), Value::Object(map));
        }
        self.eval.declare_names(names);
    }
}

fn object<'v>(fields: impl IntoIterator<Item = (&'static str, &'v str)>) -> Value {
    Value::Object(
        fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
            .collect(),
    )
}
