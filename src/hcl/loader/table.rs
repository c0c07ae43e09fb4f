//! The second pass for enums and tables: a table's columns, keys, checks and partitioning.

use super::*;

impl<'a> Loader<'a> {
    pub(super) fn build_enums(&mut self) -> Vec<Enum> {
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
                ObjectId::enum_type(&QualifiedName::new(&schema, &name)),
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

    pub(super) fn build_tables(&mut self) -> Vec<Table> {
        let mut out = Vec::with_capacity(self.tables.len());
        for i in 0..self.tables.len() {
            // Materialized views only borrow the table machinery for their indexes.
            if self.tables[i].open_columns {
                continue;
            }
            if let Some(mut t) = self.build_table(i) {
                t.shrink_to_fit();
                out.push(t);
            }
        }
        out
    }

    pub(super) fn build_table(&mut self, idx: usize) -> Option<Table> {
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

    pub(super) fn build_table_from(
        &mut self,
        idx: usize,
        file: &SourceFile,
        block: &Block,
    ) -> Option<Table> {
        let (name, schema) = {
            let t = &self.tables[idx];
            (t.name.clone(), t.schema.clone())
        };
        self.type_schema = Some(schema.clone());
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

    pub(super) fn own_columns(
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

    pub(super) fn deferrable(&mut self, file: &SourceFile, body: &Body) -> Deferrable {
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

    pub(super) fn build_partition(
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
        if let Some(attr) = block.body.get_attribute("columns")
            && block.body.get_blocks("by").next().is_some()
        {
            // Atlas refuses the mix too: which order would the key have?
            self.err(
                file,
                attr.key.span(),
                "partition takes `columns` or `by` blocks, not both".into(),
                "columns here",
            );
            return None;
        }
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
