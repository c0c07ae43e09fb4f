//! Functions and procedures.

use super::*;

impl<'a> Loader<'a> {
    pub(super) fn build_function(
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
}
