//! Keys, checks, exclusion constraints, indexes and foreign keys of an existing table: the
//! clauses of the table's `ALTER TABLE`, and the nodes of their own (dropped foreign keys and
//! indexes, new indexes, new foreign keys, online unique indexes and validations).

use super::*;

impl<'a> AlterTable<'a> {
    /// Primary keys, uniques, checks and exclusion constraints: dropped, added (online through
    /// a concurrent index or a validated check), adopted from an index, renamed, validated.
    pub(super) fn key(&mut self, out: &mut Vec<Node>, c: &TableChange, hazards: Vec<Hazard>) {
        let q = self.q.clone();
        let online = self.online;
        match c {
            TableChange::DropPrimaryKey(pk) => self.drop_constraint(&pk.name),
            TableChange::DropUnique(u) => self.drop_constraint(&u.name),
            TableChange::DropCheck(ch) => {
                if let Some(n) = &ch.name {
                    self.drop_constraint(n);
                }
            }
            TableChange::DropExclude(x) => self.drop_constraint(&x.name),
            TableChange::AddPrimaryKey(pk) if online => online_unique(
                out,
                &q,
                "PRIMARY KEY",
                &pk.name,
                &pk.columns,
                &pk.include,
                true,
                pk.deferrable,
                &pk.comment,
                hazards,
            ),
            TableChange::AddUnique(u) if online => online_unique(
                out,
                &q,
                "UNIQUE",
                &u.name,
                &u.columns,
                &u.include,
                u.nulls_distinct,
                u.deferrable,
                &u.comment,
                hazards,
            ),
            TableChange::AddCheck(ch) if online && ch.name.is_some() && !ch.not_valid => {
                self.hazards.extend(hazards);
                let n = ch.name.clone().unwrap_or_default();
                self.clauses
                    .push(ddl::add_constraint_as_declared(ddl::check_def(ch), true));
                self.comment_constraint(&n, &ch.comment);
                self.add_constraint_with_deps(&n);
                online_validate(out, &q, &n, "check");
            }
            TableChange::AddPrimaryKey(pk) => {
                self.hazards.extend(hazards);
                self.clauses
                    .push(ddl::add_constraint(ddl::primary_key_def(pk)));
                self.comment_constraint(&pk.name, &pk.comment);
                self.main.creates.push(con(&q, &pk.name));
            }
            TableChange::AddUnique(u) => {
                self.hazards.extend(hazards);
                self.clauses.push(ddl::add_constraint(ddl::unique_def(u)));
                self.comment_constraint(&u.name, &u.comment);
                self.main.creates.push(con(&q, &u.name));
            }
            TableChange::AddCheck(ch) => {
                self.hazards.extend(hazards);
                self.clauses.push(ddl::add_constraint_as_declared(
                    ddl::check_def(ch),
                    ch.not_valid,
                ));
                if let Some(n) = &ch.name {
                    self.comment_constraint(n, &ch.comment);
                    self.add_constraint_with_deps(n);
                }
            }
            TableChange::AddExclude(x) => {
                self.hazards.extend(hazards);
                self.clauses
                    .push(ddl::add_constraint(ddl_objects::exclude_def(x)));
                self.comment_constraint(&x.name, &x.comment);
                self.add_constraint_with_deps(&x.name);
            }
            TableChange::AdoptIndex { index, key } => {
                self.hazards.extend(hazards);
                let (kind, name, deferrable, comment) = match key {
                    AdoptedKey::Primary(pk) => {
                        ("PRIMARY KEY", &pk.name, pk.deferrable, &pk.comment)
                    }
                    AdoptedKey::Unique(u) => ("UNIQUE", &u.name, u.deferrable, &u.comment),
                };
                self.clauses.push(ddl::add_constraint_using_index(
                    kind,
                    name,
                    index,
                    deferrable.sql(),
                ));
                self.comment_constraint(name, comment);
                self.main
                    .drops
                    .push(ObjKey::Index(q.clone(), index.clone()));
                self.main.creates.push(con(&q, name));
            }
            TableChange::RenameConstraint { from, to } => {
                self.renames.push(ddl::rename_constraint(&q, from, to));
                self.main.drops.push(con(&q, from));
                self.main.creates.push(con(&q, to));
            }
            TableChange::ValidateConstraint(name) => {
                self.hazards.extend(hazards);
                // Scans the table under SHARE UPDATE EXCLUSIVE: writes go on.
                self.clauses.push(ddl::validate_clause(name));
            }
            _ => {}
        }
    }

    fn drop_constraint(&mut self, name: &str) {
        self.constraint_drops.push(ddl::drop_constraint(name));
        self.main.drops.push(con(&self.q, name));
    }

    /// `COMMENT ON CONSTRAINT` after the table's statements, when there is a comment.
    fn comment_constraint(&mut self, name: &str, comment: &Option<String>) {
        if comment.is_some() {
            self.post
                .push(ddl::comment_on_constraint(&self.q, name, comment));
        }
    }

    /// A new constraint `main` creates, with what its desired version depends on.
    fn add_constraint_with_deps(&mut self, name: &str) {
        let k = con(&self.q, name);
        self.main.needs.extend(self.ctx.desired_deps(&k));
        self.main.creates.push(k);
    }

    /// Foreign keys dropped and added become nodes of their own (`finish`).
    pub(super) fn foreign_key(&mut self, c: &'a TableChange, hazards: Vec<Hazard>) {
        match c {
            TableChange::DropForeignKey(fk) => self.fk_drops.push((fk, hazards)),
            TableChange::AddForeignKey(fk) => self.new_fks.push((fk, hazards)),
            _ => {}
        }
    }

    /// Indexes dropped and added become nodes of their own (`finish`); renames and storage
    /// parameters go with the table's statements.
    pub(super) fn index(&mut self, c: &'a TableChange, hazards: Vec<Hazard>) {
        let q = &self.q;
        match c {
            TableChange::DropIndex(ix) => self.index_drops.push((
                ddl::drop_index(&q.schema, &ix.name),
                ObjKey::Index(q.clone(), ix.name.clone()),
            )),
            TableChange::AddIndex(ix) => self.new_indexes.push((ix, hazards)),
            TableChange::RenameIndex { from, to } => {
                self.renames.push(ddl::rename_index(&q.schema, from, to));
                self.main.drops.push(ObjKey::Index(q.clone(), from.clone()));
                self.main.creates.push(ObjKey::Index(q.clone(), to.clone()));
            }
            TableChange::SetIndexStorageParams { index, from, to } => {
                self.hazards.extend(hazards);
                self.post.push(ddl::alter_index_params(
                    &q.schema,
                    index,
                    &ddl::storage_param_clauses(from, to),
                ));
            }
            _ => {}
        }
    }

    /// One node dropping every foreign key the table loses.
    pub(super) fn drop_foreign_keys(&self, out: &mut Vec<Node>) {
        if self.fk_drops.is_empty() {
            return;
        }
        let q = &self.q;
        let clauses: Vec<String> = self
            .fk_drops
            .iter()
            .map(|(fk, _)| ddl::drop_constraint(&fk.name))
            .collect();
        let names: Vec<String> = self
            .fk_drops
            .iter()
            .map(|(fk, _)| quote::ident(&fk.name))
            .collect();
        let h: Vec<Hazard> = self.fk_drops.iter().flat_map(|(_, h)| h.clone()).collect();
        out.push(
            Node::new(
                self.step(
                    format!("Drop foreign key {} of {}", names.join(", "), display(q)),
                    vec![ddl::alter_table(q, &clauses)],
                    h,
                ),
                rank::DROP_FK,
            )
            .drops(self.fk_drops.iter().map(|(fk, _)| con(q, &fk.name))),
        );
    }

    /// One node dropping every index the table loses.
    pub(super) fn drop_indexes(&self, out: &mut Vec<Node>) {
        if self.index_drops.is_empty() {
            return;
        }
        out.push(
            Node::new(
                self.step(
                    format!("Drop indexes of {}", display(&self.q)),
                    self.index_drops.iter().map(|(s, _)| s.clone()).collect(),
                    vec![],
                ),
                rank::DROP_INDEX,
            )
            .drops(self.index_drops.iter().map(|(_, k)| k.clone())),
        );
    }

    /// A new index: built concurrently online (phase 2, with the plain build as fallback).
    pub(super) fn create_index(&self, out: &mut Vec<Node>, ix: &Index, mut h: Vec<Hazard>) {
        let q = &self.q;
        let mut stmts = vec![ddl::create_index(q, ix)];
        if ix.comment.is_some() {
            stmts.push(ddl::comment_on_index(&q.schema, &ix.name, &ix.comment));
        }
        let (phase, fallback) = if self.online {
            let fallback = stmts.clone();
            stmts[0] = ddl::create_index_concurrently(q, ix);
            h.extend(lint::hazards(&Subject::Online {
                table: q,
                what: &format!("builds index \"{}\" concurrently", ix.name),
            }));
            (Phase::Online, Some(fallback))
        } else {
            (Phase::Transaction, None)
        };
        let k = ObjKey::Index(q.clone(), ix.name.clone());
        let mut needs = vec![ObjKey::Table(q.clone())];
        needs.extend(ix.parts.iter().filter_map(|p| match &p.key {
            crate::model::IndexKey::Column(c) => Some(col(q, c)),
            crate::model::IndexKey::Expr(_) => None,
        }));
        needs.extend(self.ctx.desired_deps(&k));
        needs.extend(partition_indexes_to_adopt(self.ctx, q, ix));
        out.push(
            Node::new(
                self.step(
                    format!("Create index {} on {}", quote::ident(&ix.name), display(q)),
                    stmts,
                    h,
                ),
                rank::CREATE_INDEX,
            )
            .creates([k])
            .needs(needs)
            .phase(phase, fallback),
        );
    }

    /// A new foreign key: online, added `NOT VALID` and validated in phase 2.
    pub(super) fn add_foreign_key(&self, out: &mut Vec<Node>, fk: &ForeignKey, h: Vec<Hazard>) {
        let (q, online, ctx) = (&self.q, self.online, self.ctx);
        let def = ddl::add_constraint_as_declared(ddl::foreign_key_def(fk), fk.not_valid || online);
        if online && !fk.not_valid {
            online_validate(out, q, &fk.name, "foreign key");
        }
        // Online, a key it references may be attached in phase 2: then the foreign key is
        // added there too (NOT VALID is a brief catalog change), else it stays in phase 1.
        let references_online_key = online
            && ctx.current.table(&fk.ref_table).is_some_and(|cur| {
                let has = |cols: &[String]| {
                    cur.primary_key.as_ref().is_some_and(|p| p.columns == cols)
                        || cur.uniques.iter().any(|u| u.columns == cols)
                };
                !has(&fk.ref_columns)
            });
        let mut stmts = vec![ddl::alter_table(q, &[def])];
        if fk.comment.is_some() {
            stmts.push(ddl::comment_on_constraint(q, &fk.name, &fk.comment));
        }
        let mut needs = vec![ObjKey::Table(q.clone())];
        needs.extend(fk.columns.iter().map(|c| col(q, c)));
        needs.extend(fk_needs(fk, ctx.desired));
        out.push(
            Node::new(
                self.step(
                    format!(
                        "Add foreign key {} to {}",
                        quote::ident(&fk.name),
                        display(q)
                    ),
                    stmts,
                    h,
                ),
                rank::ADD_FK,
            )
            .creates([con(q, &fk.name)])
            .needs(needs)
            .phase(
                if references_online_key {
                    Phase::Online
                } else {
                    Phase::Transaction
                },
                None,
            ),
        );
    }
}
