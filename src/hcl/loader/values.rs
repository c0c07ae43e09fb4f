//! Reading attribute values: strings, booleans, integers, keywords, lists, labels; unknown keys.

use super::*;

impl<'a> Loader<'a> {
    pub(super) fn err(
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
    pub(super) fn check_keys(
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

    pub(super) fn value(&mut self, file: &SourceFile, attr: &Attribute) -> Option<Value> {
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

    pub(super) fn string(&mut self, file: &SourceFile, body: &Body, key: &str) -> Option<String> {
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

    pub(super) fn bool(&mut self, file: &SourceFile, body: &Body, key: &str) -> Option<bool> {
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

    pub(super) fn int(&mut self, file: &SourceFile, body: &Body, key: &str) -> Option<i64> {
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
    pub(super) fn keyword(
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

    pub(super) fn strings(
        &mut self,
        file: &SourceFile,
        body: &Body,
        key: &str,
    ) -> Option<Vec<String>> {
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

    pub(super) fn label(
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
}
