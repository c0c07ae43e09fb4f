//! Extensions, sequences, collations, domains and composite types.

use super::*;

impl<'a> Loader<'a> {
    pub(super) fn build_extension(
        &mut self,
        file: &SourceFile,
        block: &Block,
    ) -> Option<Extension> {
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

    pub(super) fn int_type(&mut self, file: &SourceFile, body: &Body) -> String {
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

    pub(super) fn build_sequence(
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

    pub(super) fn build_collation(
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

    pub(super) fn build_domain(
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

    pub(super) fn build_composite(
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
        let mut collations = std::collections::BTreeMap::new();
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
            if let Some(c) = self.string(file, &f.body, "collate") {
                collations.insert(label.as_str().to_string(), c);
            }
        }
        Some(Composite {
            schema: schema.into(),
            name: name.into(),
            fields,
            collations,
            comment: self.string(file, &block.body, "comment"),
        })
    }

    pub(super) fn keyword_upper(
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

    pub(super) fn number_text(
        &mut self,
        file: &SourceFile,
        body: &Body,
        key: &str,
    ) -> Option<String> {
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
}
