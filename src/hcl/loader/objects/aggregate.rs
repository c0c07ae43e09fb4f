//! Aggregates and event triggers, in Atlas's spelling.

use super::*;
use crate::model::{Aggregate, EventTrigger};

/// The events an event trigger can fire on.
const EVENTS: &[&str] = &[
    "DDL_COMMAND_START",
    "DDL_COMMAND_END",
    "SQL_DROP",
    "TABLE_REWRITE",
];

impl<'a> Loader<'a> {
    /// `function.f` (or `function.s.f`) in attribute `key`: the function's qualified name.
    fn function_ref(&mut self, file: &SourceFile, body: &Body, key: &str) -> Option<QualifiedName> {
        let attr = body.get_attribute(key)?;
        match path_of(&attr.value).as_deref() {
            Some([root, rest @ ..]) if root == "function" => {
                match self.find_object(&["function"], rest) {
                    Ok(i) => Some(QualifiedName::new(
                        &self.objects[i].schema,
                        &self.objects[i].name,
                    )),
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
            _ => {
                self.err(
                    file,
                    attr.value.span(),
                    format!("`{key}` must reference a function block, e.g. function.f"),
                    "expected function.<name>",
                );
                None
            }
        }
    }

    pub(super) fn build_aggregate(
        &mut self,
        file: &SourceFile,
        block: &Block,
        schema: &str,
        name: &str,
    ) -> Option<Aggregate> {
        let what = format!("aggregate \"{name}\"");
        self.check_keys(
            file,
            &block.body,
            &what,
            &[
                "schema",
                "state_type",
                "state_func",
                "final_func",
                "initial_value",
                "parallel",
                "comment",
                "depends_on",
            ],
            &["arg"],
        );
        let mut args = Vec::new();
        for a in block.body.get_blocks("arg") {
            self.check_keys(file, &a.body, "arg", &["type", "mode"], &[]);
            let Some(tattr) = a.body.get_attribute("type") else {
                self.err(
                    file,
                    a.ident.span(),
                    "arg is missing the required attribute `type`".into(),
                    "no type",
                );
                continue;
            };
            let ty = self.data_type(file, tattr)?;
            let mode = match self
                .keyword_upper(file, &a.body, "mode", &["IN", "VARIADIC"])
                .as_deref()
            {
                Some("VARIADIC") => ArgMode::Variadic,
                _ => ArgMode::In,
            };
            args.push(FunctionArg {
                name: a.labels.first().map(|l| l.as_str().to_string()),
                ty,
                mode,
                default: None,
            });
        }
        let Some(tattr) = block.body.get_attribute("state_type") else {
            self.err(
                file,
                block.ident.span(),
                format!("{what} is missing the required attribute `state_type`"),
                "no state type",
            );
            return None;
        };
        let state_type = self.data_type(file, tattr)?;
        if block.body.get_attribute("state_func").is_none() {
            self.err(
                file,
                block.ident.span(),
                format!("{what} is missing the required attribute `state_func` (e.g. state_func = function.f)"),
                "no state function",
            );
            return None;
        }
        let state_func = self.function_ref(file, &block.body, "state_func")?;
        let final_func = match block.body.get_attribute("final_func") {
            Some(_) => Some(self.function_ref(file, &block.body, "final_func")?),
            None => None,
        };
        let initial_value = match block.body.get_attribute("initial_value") {
            Some(attr) => match self.value(file, attr)? {
                Value::String(s) => Some(s),
                Value::Number(n) => Some(n.to_string()),
                Value::Bool(b) => Some(b.to_string()),
                Value::Null => None,
                _ => {
                    self.err(
                        file,
                        attr.value.span(),
                        "`initial_value` must be a string, e.g. initial_value = \"0\"".into(),
                        "expected a string",
                    );
                    return None;
                }
            },
            None => None,
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
        Some(Aggregate {
            schema: schema.into(),
            name: name.into(),
            args,
            state_type,
            state_func,
            final_func,
            initial_value,
            parallel,
            comment: self.string(file, &block.body, "comment"),
        })
    }

    /// `event_trigger "name" { on = …, tags = […], execute = function.f }`: no schema, and
    /// `execute` is an attribute (Atlas's spelling).
    pub(super) fn build_event_trigger(
        &mut self,
        file: &SourceFile,
        block: &Block,
        model: &mut Model,
    ) {
        let Some(label) = block.labels.first() else {
            self.err(
                file,
                block.ident.span(),
                "an event_trigger block needs a name: event_trigger \"name\" { … }".into(),
                "no name",
            );
            return;
        };
        let name = label.as_str().to_string();
        let what = format!("event_trigger \"{name}\"");
        self.check_keys(
            file,
            &block.body,
            &what,
            &["on", "tags", "execute", "enabled", "comment", "depends_on"],
            &[],
        );
        if block.body.get_attribute("on").is_none() {
            self.err(
                file,
                block.ident.span(),
                format!(
                    "{what} is missing the required attribute `on` (e.g. on = ddl_command_start)"
                ),
                "no event",
            );
            return;
        }
        let Some(event) = self.keyword_upper(file, &block.body, "on", EVENTS) else {
            return;
        };
        if block.body.get_attribute("execute").is_none() {
            self.err(
                file,
                block.ident.span(),
                format!(
                    "{what} is missing the required attribute `execute` (e.g. execute = function.f)"
                ),
                "no function",
            );
            return;
        }
        let Some(function) = self.function_ref(file, &block.body, "execute") else {
            return;
        };
        let mut tags: Vec<String> = self
            .strings(file, &block.body, "tags")
            .unwrap_or_default()
            .iter()
            .map(|t| {
                t.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_ascii_uppercase()
            })
            .collect();
        tags.sort();
        tags.dedup();
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
        let e = EventTrigger {
            name: name.clone(),
            event: event.to_ascii_lowercase(),
            tags,
            function,
            enabled,
            comment: self.string(file, &block.body, "comment"),
        };
        self.sources.objects.insert(
            ObjectId::event_trigger(&name),
            Location::new(file, label.span()),
        );
        if model.event_triggers.insert(name.clone(), e).is_some() {
            self.err(
                file,
                block.ident.span(),
                format!("duplicate event_trigger \"{name}\""),
                "declared again",
            );
        }
    }
}
