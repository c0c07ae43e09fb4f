//! Row-level security policies.

use super::*;

impl<'a> Loader<'a> {
    pub(super) fn build_policy(&mut self, file: &SourceFile, block: &Block, model: &mut Model) {
        let Some(name) = block.labels.first().map(|l| l.as_str().to_string()) else {
            self.err(
                file,
                block.ident.span(),
                "a policy needs a name".into(),
                "expected policy \"name\" { … }",
            );
            return;
        };
        let what = format!("policy \"{name}\"");
        self.check_keys(
            file,
            &block.body,
            &what,
            &["on", "as", "for", "to", "using", "check", "comment"],
            &[],
        );
        let Some((is_table, on, _)) = self.relation_ref(file, block, &what) else {
            return;
        };
        if !is_table {
            self.err(
                file,
                block.ident.span(),
                "policies apply to tables only".into(),
                "not a table",
            );
            return;
        }
        let permissive = self
            .keyword_upper(file, &block.body, "as", &["PERMISSIVE", "RESTRICTIVE"])
            .as_deref()
            != Some("RESTRICTIVE");
        let command = self
            .keyword_upper(
                file,
                &block.body,
                "for",
                &["ALL", "SELECT", "INSERT", "UPDATE", "DELETE"],
            )
            .unwrap_or_else(|| "ALL".into());
        let mut roles = Vec::new();
        if let Some(attr) = block.body.get_attribute("to")
            && let Expression::Array(items) = &attr.value
        {
            for it in items.iter() {
                let role_block = match path_of(it).as_deref() {
                    // `role.x` / `user.x`: a role declared in the files (Atlas's spelling).
                    Some([root, name]) if root == "role" || root == "user" => Some(name.clone()),
                    _ => None,
                };
                let r = match (role_block, it) {
                    (Some(name), _) => name,
                    (None, Expression::Variable(v)) => v.as_str().to_string(),
                    (None, other) => match self.eval.eval(other) {
                        Ok(Value::String(s)) => s,
                        _ => {
                            self.err(
                                file,
                                other.span(),
                                "roles must be names or PUBLIC".into(),
                                "expected a role",
                            );
                            continue;
                        }
                    },
                };
                roles.push(if r.eq_ignore_ascii_case("public") {
                    "public".to_string()
                } else {
                    r
                });
            }
        }
        if roles.is_empty() {
            roles.push("public".into());
        }
        roles.sort();
        let policy = Policy {
            name: name.clone(),
            permissive,
            command,
            roles,
            using: self.string(file, &block.body, "using"),
            check: self.string(file, &block.body, "check"),
            comment: self.string(file, &block.body, "comment"),
        };
        if let Some(t) = model
            .schemas
            .get_mut(&on.schema)
            .and_then(|s| s.tables.get_mut(&on.name))
        {
            if t.policies.iter().any(|p| p.name == name) {
                self.err(
                    file,
                    block.labels.first().and_then(|l| l.span()),
                    format!("duplicate policy \"{name}\" on {on}"),
                    "declared again",
                );
            } else {
                t.policies.push(policy);
            }
        }
    }
}
