//! Foreign keys and indexes.

use super::*;

impl<'a> Loader<'a> {
    pub(super) fn build_foreign_key(
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

    pub(super) fn build_index(
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
                "page_per_range",
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
            storage_params: self.index_storage_params(file, &block.body),
            invalid: false,
        })
    }

    /// `storage_params = { … }`, plus Atlas's `page_per_range = N` for BRIN's
    /// `pages_per_range`.
    fn index_storage_params(
        &mut self,
        file: &SourceFile,
        body: &Body,
    ) -> std::collections::BTreeMap<String, String> {
        let mut params = self.storage_params(file, body);
        if let Some(n) = self.int(file, body, "page_per_range") {
            if params.contains_key("pages_per_range") {
                if let Some(attr) = body.get_attribute("page_per_range") {
                    self.err(
                        file,
                        attr.key.span(),
                        "`page_per_range` repeats `storage_params.pages_per_range`".to_string(),
                        "declared twice",
                    );
                }
            } else {
                params.insert("pages_per_range".to_string(), n.to_string());
            }
        }
        params
    }
}
