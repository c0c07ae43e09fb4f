//! Atlas's `role`, `user` and `permission` blocks: roles with their attributes and memberships,
//! privileges of a role on a schema, table, view, sequence, function or procedure (or a column).

use super::*;
use crate::model::{DefaultGrant, Grant, ObjectKind, Role, Secret};
use std::collections::BTreeSet;

/// What `role` and `user` blocks take.
const ROLE_ATTRIBUTES: &[&str] = &[
    "login",
    "superuser",
    "create_db",
    "create_role",
    "inherit",
    "replication",
    "bypass_rls",
    "conn_limit",
    "member_of",
    "password",
];

const TABLE_PRIVILEGES: &[&str] = &[
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "TRUNCATE",
    "REFERENCES",
    "TRIGGER",
];
const COLUMN_PRIVILEGES: &[&str] = &["SELECT", "INSERT", "UPDATE", "REFERENCES"];
const SEQUENCE_PRIVILEGES: &[&str] = &["USAGE", "SELECT", "UPDATE"];
const SCHEMA_PRIVILEGES: &[&str] = &["USAGE", "CREATE"];
const ROUTINE_PRIVILEGES: &[&str] = &["EXECUTE"];
const TYPE_PRIVILEGES: &[&str] = &["USAGE"];

impl<'a> Loader<'a> {
    /// Every `role`/`user` block, then every `permission` block (they name roles and objects).
    pub(super) fn build_roles(&mut self, top: &[(&'a SourceFile, &'a Block)], model: &mut Model) {
        for (file, block) in top
            .iter()
            .filter(|(_, b)| matches!(b.ident.as_str(), "role" | "user"))
        {
            self.build_role(file, block, model);
        }
        for (file, block) in top.iter().filter(|(_, b)| b.ident.as_str() == "permission") {
            self.build_permission(file, block, model);
        }
        for (file, block) in top
            .iter()
            .filter(|(_, b)| b.ident.as_str() == "default_privileges")
        {
            self.build_default_privileges(file, block, model);
        }
    }

    /// `default_privileges { owner, schema, on, to, privileges, grantable }`.
    fn build_default_privileges(&mut self, file: &SourceFile, block: &Block, model: &mut Model) {
        let what = "default_privileges";
        self.check_keys(
            file,
            &block.body,
            what,
            &["owner", "schema", "on", "to", "privileges", "grantable"],
            &[],
        );
        let body = &block.body;
        let (Some(owner), Some(to), Some(privs), Some(_)) = (
            body.get_attribute("owner"),
            body.get_attribute("to"),
            body.get_attribute("privileges"),
            body.get_attribute("on"),
        ) else {
            self.err(
                file,
                block.ident.span(),
                "default_privileges needs `owner`, `on`, `to` and `privileges`, e.g. default_privileges { owner = role.app_owner, on = TABLES, to = role.app_ro, privileges = [SELECT] }".into(),
                "incomplete default_privileges",
            );
            return;
        };
        let kinds: Vec<&str> = DefaultGrant::KINDS.iter().map(|(k, _, _)| *k).collect();
        let Some(on) = self.keyword_upper(file, body, "on", &kinds) else {
            return;
        };
        let allowed = DefaultGrant::KINDS
            .iter()
            .find(|(k, _, _)| *k == on)
            .map_or(&[][..], |(_, _, p)| *p);
        let (Some(owner), Some(grantee)) = (
            self.role_name(file, &owner.value),
            self.role_name(file, &to.value),
        ) else {
            return;
        };
        let schema = match body.get_attribute("schema") {
            None => None,
            Some(attr) => match path_of(&attr.value).as_deref() {
                Some([root, label]) if root == "schema" && self.schemas.contains_key(label) => {
                    self.schemas.get(label).map(|s| s.name.clone())
                }
                _ => {
                    self.err(
                        file,
                        attr.value.span(),
                        format!(
                            "unresolved reference `{}`: expected a declared schema.<name>",
                            expr_text(&attr.value)
                        ),
                        "unresolved reference",
                    );
                    return;
                }
            },
        };
        if on == "SCHEMAS" && schema.is_some() {
            self.err(
                file,
                body.get_attribute("schema").and_then(|a| a.value.span()),
                "default privileges on SCHEMAS apply to the whole database: remove `schema`".into(),
                "not with on = SCHEMAS",
            );
            return;
        }
        let grantable = self.bool(file, body, "grantable").unwrap_or(false);
        for privilege in self.privilege_list(file, &privs.value, allowed) {
            model.default_grants.insert(DefaultGrant {
                owner: owner.clone(),
                schema: schema.clone(),
                on: on.clone(),
                grantee: grantee.clone(),
                privilege,
                grantable,
            });
        }
    }

    fn build_role(&mut self, file: &SourceFile, block: &Block, model: &mut Model) {
        let kind = block.ident.as_str();
        let Some(label) = block.labels.first() else {
            self.err(
                file,
                block.ident.span(),
                format!("a {kind} block needs a name: {kind} \"name\" {{ … }}"),
                "no name",
            );
            return;
        };
        let name = label.as_str().to_string();
        let what = format!("{kind} \"{name}\"");
        self.check_keys(file, &block.body, &what, ROLE_ATTRIBUTES, &[]);
        if model.roles.contains_key(&name) {
            self.err(
                file,
                label.span(),
                format!("duplicate role \"{name}\": a role or user of this name is declared"),
                "declared again",
            );
            return;
        }
        let mut role = Role::new(&name);
        // A user is a role that can log in.
        role.login = kind == "user";
        let body = &block.body;
        let flags: [(&str, &mut bool); 7] = [
            ("login", &mut role.login),
            ("superuser", &mut role.superuser),
            ("create_db", &mut role.create_db),
            ("create_role", &mut role.create_role),
            ("inherit", &mut role.inherit),
            ("replication", &mut role.replication),
            ("bypass_rls", &mut role.bypass_rls),
        ];
        for (key, slot) in flags {
            if let Some(b) = self.bool(file, body, key) {
                *slot = b;
            }
        }
        if let Some(n) = self.int(file, body, "conn_limit") {
            match i32::try_from(n) {
                Ok(n) if n >= -1 => role.conn_limit = n,
                _ => self.err(
                    file,
                    body.get_attribute("conn_limit")
                        .and_then(|a| a.value.span()),
                    "`conn_limit` must be -1 (no limit) or a number of connections".into(),
                    "out of range",
                ),
            }
        }
        role.member_of = self.role_list(file, body, "member_of");
        role.password = self.password(file, body, &what);
        self.sources
            .objects
            .insert(ObjectId::role(&name), Location::new(file, label.span()));
        model.roles.insert(name, role);
    }

    /// `password = var.x` where `x` is a `sensitive` variable; anything else is an error (a
    /// password never sits in the schema files).
    fn password(&mut self, file: &SourceFile, body: &Body, what: &str) -> Option<Secret> {
        let attr = body.get_attribute("password")?;
        let sensitive = match path_of(&attr.value).as_deref() {
            Some([root, name]) if root == "var" => self.eval.is_sensitive(name),
            _ => false,
        };
        if !sensitive {
            self.errors.push(
                HclError::new(
                    Location::new(file, attr.value.span()),
                    format!("the password of {what} must come from a variable marked sensitive"),
                    "not a sensitive variable",
                )
                .with_help(
                    "declare `variable \"NAME\" { type = string, sensitive = true }`, write `password = var.NAME` and pass the value with --var NAME=… or the env's vars",
                ),
            );
            return None;
        }
        match self.eval.eval(&attr.value) {
            Ok(Value::String(s)) => Some(Secret::new(s)),
            // Never the value in the message.
            _ => {
                self.err(
                    file,
                    attr.value.span(),
                    format!("the password of {what} must be a string"),
                    "expected a string",
                );
                None
            }
        }
    }

    /// `[role.a, "pg_read_all_data"]`: role references (to `role`/`user` blocks) or names.
    fn role_list(&mut self, file: &SourceFile, body: &Body, key: &str) -> Vec<String> {
        let Some(attr) = body.get_attribute(key) else {
            return Vec::new();
        };
        let items: Vec<&Expression> = match &attr.value {
            Expression::Array(items) => items.iter().collect(),
            one => vec![one],
        };
        let mut out = BTreeSet::new();
        for it in items {
            if let Some(name) = self.role_name(file, it) {
                out.insert(name);
            }
        }
        out.into_iter().collect()
    }

    /// `role.x`, `user.x` or a string: the role's name.
    fn role_name(&mut self, file: &SourceFile, e: &Expression) -> Option<String> {
        match path_of(e).as_deref() {
            Some([root, name]) if root == "role" || root == "user" => return Some(name.clone()),
            _ => {}
        }
        if let Expression::String(s) = e {
            return Some(s.value().to_string());
        }
        self.err(
            file,
            e.span(),
            format!(
                "expected a role: role.<name>, user.<name> or a role's name as a string, not `{}`",
                expr_text(e)
            ),
            "not a role",
        );
        None
    }

    fn build_permission(&mut self, file: &SourceFile, block: &Block, model: &mut Model) {
        let what = "permission".to_string();
        self.check_keys(
            file,
            &block.body,
            &what,
            &["to", "for", "privileges", "grantable"],
            &[],
        );
        let body = &block.body;
        let (Some(to), Some(for_), Some(privs)) = (
            body.get_attribute("to"),
            body.get_attribute("for"),
            body.get_attribute("privileges"),
        ) else {
            self.err(
                file,
                block.ident.span(),
                "a permission needs `to`, `for` and `privileges`, e.g. permission { to = role.app, for = table.users, privileges = [SELECT] }".into(),
                "incomplete permission",
            );
            return;
        };
        let Some(grantee) = self.role_name(file, &to.value) else {
            return;
        };
        let is_reference = matches!(path_of(&to.value).as_deref(), Some([_, _]));
        if is_reference && !model.roles.contains_key(&grantee) {
            self.err(
                file,
                to.value.span(),
                format!(
                    "unresolved reference `{}`: no role or user \"{grantee}\" is declared",
                    expr_text(&to.value)
                ),
                "unresolved reference",
            );
            return;
        }
        let Some((on, column)) = self.grant_target(file, &for_.value, model) else {
            return;
        };
        let Some(kind) = on.first().map(ObjectId::kind) else {
            return;
        };
        let allowed = match (kind, &column) {
            (_, Some(_)) => COLUMN_PRIVILEGES,
            (ObjectKind::Schema, _) => SCHEMA_PRIVILEGES,
            (ObjectKind::Sequence, _) => SEQUENCE_PRIVILEGES,
            (ObjectKind::Function | ObjectKind::Procedure, _) => ROUTINE_PRIVILEGES,
            (ObjectKind::Enum | ObjectKind::Domain | ObjectKind::Composite, _) => TYPE_PRIVILEGES,
            _ => TABLE_PRIVILEGES,
        };
        let grantable = self.bool(file, body, "grantable").unwrap_or(false);
        for privilege in self.privilege_list(file, &privs.value, allowed) {
            for target in &on {
                model.grants.insert(Grant {
                    on: target.clone(),
                    column: column.clone(),
                    grantee: grantee.clone(),
                    privilege: privilege.clone(),
                    grantable,
                });
            }
        }
        if let Some(first) = on.first() {
            self.sources.objects.insert(
                ObjectId::permission(&grantee, first),
                Location::new(file, block.ident.span()),
            );
        }
    }

    /// `[SELECT, INSERT]`, `["select"]` or `[ALL]` (every privilege of the kind).
    fn privilege_list(
        &mut self,
        file: &SourceFile,
        e: &Expression,
        allowed: &[&str],
    ) -> Vec<String> {
        let items: Vec<&Expression> = match e {
            Expression::Array(items) => items.iter().collect(),
            one => vec![one],
        };
        let mut out = BTreeSet::new();
        for it in items {
            let word = match it {
                Expression::Variable(v) => v.as_str().to_string(),
                Expression::String(s) => s.value().to_string(),
                _ => String::new(),
            };
            let up = word.trim().to_ascii_uppercase();
            if up == "ALL" || up == "ALL PRIVILEGES" {
                out.extend(allowed.iter().map(|p| p.to_string()));
            } else if allowed.contains(&up.as_str()) {
                out.insert(up);
            } else {
                self.errors.push(
                    HclError::new(
                        Location::new(file, it.span()),
                        format!("invalid privilege `{}` here", expr_text(it)),
                        "not a privilege of this object",
                    )
                    .with_help(format!("use ALL or some of: {}", allowed.join(", "))),
                );
            }
        }
        out.into_iter().collect()
    }

    /// `for = schema.s | table.t | table.t.column.c | view.v | materialized.m | sequence.q |
    /// function.f | procedure.p`: the object(s) (every overload of a routine name) and column.
    fn grant_target(
        &mut self,
        file: &SourceFile,
        e: &Expression,
        model: &Model,
    ) -> Option<(Vec<ObjectId>, Option<String>)> {
        let path = path_of(e).unwrap_or_default();
        let found: Result<(Vec<ObjectId>, Option<String>), String> = match path.split_first() {
            Some((root, rest)) if root == "schema" => match rest {
                [label] => self
                    .schemas
                    .get(label)
                    .map(|s| (vec![ObjectId::schema(&s.name)], None))
                    .ok_or_else(|| format!("no schema \"{label}\" is declared")),
                _ => Err("expected schema.<name>".into()),
            },
            Some((root, rest)) if root == "table" => {
                let (table, column) = match rest.iter().position(|s| s == "column") {
                    Some(i) if i + 2 == rest.len() => (&rest[..i], Some(rest[i + 1].clone())),
                    _ => (rest, None),
                };
                self.find_table(table).and_then(|i| {
                    let t = &self.tables[i];
                    let q = QualifiedName::new(&t.schema, &t.name);
                    if let Some(c) = &column
                        && model
                            .table(&q)
                            .is_some_and(|t| !t.columns.iter().any(|x| &x.name == c))
                    {
                        return Err(format!("table \"{}\" has no column \"{c}\"", t.name));
                    }
                    Ok((vec![ObjectId::table(&q)], column))
                })
            }
            Some((root, rest)) if root == "enum" => self
                .find_enum(rest)
                .map(|q| (vec![ObjectId::enum_type(&q)], None)),
            Some((root, rest))
                if [
                    "view",
                    "materialized",
                    "sequence",
                    "function",
                    "procedure",
                    "domain",
                    "composite",
                ]
                .contains(&root.as_str()) =>
            {
                self.find_object(&[root.as_str()], rest).and_then(|i| {
                    let o = &self.objects[i];
                    let kind: ObjectKind = root.parse().map_err(|_| "unknown kind".to_string())?;
                    match kind {
                        ObjectKind::Function | ObjectKind::Procedure => {
                            let ids: Vec<ObjectId> = model
                                .schemas
                                .get(&o.schema)
                                .into_iter()
                                .flat_map(|s| s.functions.iter())
                                .filter(|(_, f)| f.name == o.name)
                                .map(|(sig, f)| ObjectId::routine(f.kind, &o.schema, sig))
                                .collect();
                            if ids.is_empty() {
                                Err(format!("{root} \"{}\" could not be built", o.name))
                            } else {
                                Ok((ids, None))
                            }
                        }
                        _ => Ok((vec![ObjectId::in_schema(kind, &o.schema, &o.name)], None)),
                    }
                })
            }
            _ => Err(
                "expected schema.<name>, table.<name>, table.<name>.column.<name>, view.<name>, materialized.<name>, sequence.<name>, function.<name>, procedure.<name>, enum.<name>, domain.<name> or composite.<name>"
                    .into(),
            ),
        };
        match found {
            Ok(f) => Some(f),
            Err(msg) => {
                self.err(
                    file,
                    e.span(),
                    format!("unresolved reference `{}`: {msg}", expr_text(e)),
                    "unresolved reference",
                );
                None
            }
        }
    }
}
