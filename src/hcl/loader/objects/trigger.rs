//! Triggers.

use super::*;

impl<'a> Loader<'a> {
    pub(super) fn build_trigger(&mut self, file: &SourceFile, block: &Block, model: &mut Model) {
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
}
