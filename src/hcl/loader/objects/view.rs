//! Views and materialized views, and the relations they reference.

use super::*;

impl<'a> Loader<'a> {
    pub(super) fn build_view(
        &mut self,
        file: &SourceFile,
        block: &Block,
        materialized: bool,
        schema: &str,
        name: &str,
        table: Option<usize>,
    ) -> Option<View> {
        let kind = if materialized { "materialized" } else { "view" };
        let what = format!("{kind} \"{name}\"");
        let attrs: &[&str] = if materialized {
            &[
                "schema",
                "as",
                "with_data",
                "storage_params",
                "comment",
                "depends_on",
            ]
        } else {
            &[
                "schema",
                "as",
                "check_option",
                "security_barrier",
                "security_invoker",
                "comment",
                "depends_on",
            ]
        };
        let blocks: &[&str] = if materialized {
            &["column", "index"]
        } else {
            &["column"]
        };
        self.check_keys(file, &block.body, &what, attrs, blocks);
        let Some(query) = self.string(file, &block.body, "as") else {
            self.err(
                file,
                block.ident.span(),
                format!("{what} is missing the required attribute `as` (its query)"),
                "no query",
            );
            return None;
        };
        let mut column_comments = Vec::new();
        for c in block.body.get_blocks("column") {
            self.check_keys(
                file,
                &c.body,
                "view column",
                &["type", "null", "comment"],
                &[],
            );
            if let (Some(l), Some(cm)) = (c.labels.first(), self.string(file, &c.body, "comment")) {
                column_comments.push((l.as_str().to_string(), cm));
            }
        }
        let mut indexes = Vec::new();
        if let Some(t) = table {
            for ix in block.body.get_blocks("index") {
                if let Some(i) = self.build_index(file, t, ix, name) {
                    indexes.push(i);
                }
            }
        }
        Some(View {
            schema: schema.into(),
            name: name.into(),
            query: query.trim().trim_end_matches(';').trim_end().to_string(),
            materialized,
            check_option: self.keyword_upper(
                file,
                &block.body,
                "check_option",
                &["LOCAL", "CASCADED"],
            ),
            security_barrier: self
                .bool(file, &block.body, "security_barrier")
                .unwrap_or(false),
            security_invoker: self
                .bool(file, &block.body, "security_invoker")
                .unwrap_or(false),
            with_data: materialized && self.bool(file, &block.body, "with_data").unwrap_or(true),
            storage_params: if materialized {
                self.storage_params(file, &block.body)
            } else {
                Default::default()
            },
            indexes,
            triggers: Vec::new(),
            comment: self.string(file, &block.body, "comment"),
            column_comments,
        })
    }

    /// Resolves `on = table.x | view.x | materialized.x`.
    pub(super) fn relation_ref(
        &mut self,
        file: &SourceFile,
        block: &Block,
        what: &str,
    ) -> Option<(bool, QualifiedName, Option<usize>)> {
        let Some(attr) = block.body.get_attribute("on") else {
            self.err(
                file,
                block.ident.span(),
                format!("{what} is missing the required attribute `on`"),
                "no `on`",
            );
            return None;
        };
        let path = path_of(&attr.value).unwrap_or_default();
        let found = match path.split_first() {
            Some((root, rest)) if root == "table" => self.find_table(rest).map(|i| {
                let t = &self.tables[i];
                (true, QualifiedName::new(&t.schema, &t.name), Some(i))
            }),
            Some((root, rest)) if root == "view" || root == "materialized" => {
                self.find_object(&[root.as_str()], rest).map(|i| {
                    let o = &self.objects[i];
                    (false, QualifiedName::new(&o.schema, &o.name), None)
                })
            }
            _ => Err("expected table.<name> or view.<name>".to_string()),
        };
        match found {
            Ok(f) => Some(f),
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
}
