//! Columns: type spellings, defaults, identity and generated columns.

use super::*;

impl<'a> Loader<'a> {
    pub(super) fn build_column(
        &mut self,
        file: &SourceFile,
        block: &Block,
        table: &str,
    ) -> Option<Column> {
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

    /// A bare type name that is not built in, as Atlas writes them: a type of a well-known
    /// extension (`hstore`, `citext`, `vector`, …; PostgreSQL resolves it, so the extension must
    /// be declared) or a declared domain, composite or enum. Any other name stays an error, so a
    /// misspelled built-in type is caught when the file loads.
    fn bare_user_type(&self, name: &str) -> Option<DataType> {
        if hcl_types::is_extension_type(name) {
            return Some(hcl_types::from_sql(name));
        }
        match self.resolve_user_type(hcl_types::from_sql(name)) {
            t @ DataType::Named(_) => Some(t),
            _ => None,
        }
    }

    pub(super) fn data_type(&mut self, file: &SourceFile, attr: &Attribute) -> Option<DataType> {
        let span = attr.value.span();
        let unknown = |name: &str| {
            HclError::new(Location::new(file, span.clone()), format!("unknown type `{name}`"), "not a PostgreSQL type")
                .with_help("use a built-in type such as int, bigint, text, varchar(255), numeric(10,2), timestamptz, jsonb, an enum reference such as enum.status, or sql(\"…\") for anything else")
        };
        match &attr.value {
            Expression::Variable(v) => match hcl_types::from_call(v.as_str(), &[]) {
                Some(t) => Some(t),
                None => match self.bare_user_type(v.as_str()) {
                    Some(t) => Some(t),
                    None => {
                        self.errors.push(unknown(v.as_str()));
                        None
                    }
                },
            },
            Expression::FuncCall(call) if hcl_types::is_extension_type(call.name.name.as_str()) => {
                // `vector(3)`, `geometry(Point,4326)`: PostgreSQL resolves them.
                Some(hcl_types::from_sql(&expr_text(&attr.value)))
            }
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

    pub(super) fn default_value(
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
}
