//! Column changes of an existing table: added, dropped, renamed and altered columns, NOT NULL
//! through a validated check online, serial conversions.

use super::*;

impl<'a> AlterTable<'a> {
    pub(super) fn column(&mut self, out: &mut Vec<Node>, c: &TableChange, hazards: Vec<Hazard>) {
        let q = self.q.clone();
        match c {
            TableChange::AddColumn(c) => {
                self.hazards.extend(hazards);
                self.clauses.push(ddl::add_column(c));
                if c.comment.is_some() {
                    self.post
                        .push(ddl::comment_on_column(&q, &c.name, &c.comment));
                }
                self.post.extend(ddl::column_settings(&q, c));
                let k = col(&q, &c.name);
                self.main.needs.extend(type_needs(&c.ty));
                self.main
                    .needs
                    .extend(collation_needs(self.ctx, c.collation.as_deref()));
                self.main.needs.extend(self.ctx.desired_deps(&k));
                self.main.creates.push(k);
            }
            TableChange::DropColumn(c) => {
                self.hazards.extend(hazards);
                self.column_drops.push(ddl::drop_column(&c.name));
                self.main.drops.push(col(&q, &c.name));
                // The drop reaches the children that have the column only from this table.
                for child in self.child_tables {
                    if self
                        .ctx
                        .current
                        .table(child)
                        .is_some_and(|t| t.column(&c.name).is_none())
                    {
                        self.main.drops.push(col(child, &c.name));
                    }
                }
            }
            TableChange::AlterColumn { from, to } => {
                self.hazards.extend(hazards);
                self.change_column(out, from, to);
            }
            TableChange::RenameColumn { from, to } => {
                self.hazards.extend(lint::hazards(&Subject::RenameColumn {
                    table: &q,
                    from,
                    to,
                }));
                self.renames.push(ddl::rename_column(&q, from, to));
                self.main.creates.push(col(&q, to));
            }
            _ => {}
        }
    }

    /// An altered column: online, NOT NULL comes through a validated check (no scan under the
    /// lock).
    fn change_column(&mut self, out: &mut Vec<Node>, from: &Column, to: &Column) {
        let q = self.q.clone();
        let online_not_null =
            self.online && from.nullable && !to.nullable && to.generated.is_none();
        if online_not_null {
            self.online_not_null(out, to);
            let relaxed = Column {
                nullable: true,
                ..to.clone()
            };
            self.alter_column(from, &relaxed);
        } else {
            self.alter_column(from, to);
        }
        let k = col(&q, &to.name);
        let rebuilt = from.ty.storage() != to.ty.storage()
            || from.collation != to.collation
            || (to.generated.is_some() && from.generated != to.generated);
        if rebuilt {
            self.main.drops.push(k.clone());
            self.main.creates.push(k.clone());
        } else {
            self.main.alters.push(k.clone());
            self.main.creates.push(k.clone());
        }
        self.main.needs.extend(type_needs(&to.ty));
        self.main
            .needs
            .extend(collation_needs(self.ctx, to.collation.as_deref()));
        self.main.needs.extend(self.ctx.desired_deps(&k));
    }

    /// Online `SET NOT NULL`: a `NOT VALID` check added with the table's clauses, validated in
    /// phase 2, then `SET NOT NULL` (which uses it instead of a scan) and the check dropped in
    /// the final transaction.
    fn online_not_null(&mut self, out: &mut Vec<Node>, to: &Column) {
        let q = &self.q;
        let tmp = not_null_check_name(&to.name);
        self.clauses.push(ddl::add_not_null_check(&tmp, &to.name));
        self.main.creates.push(con(q, &tmp));
        online_validate(out, q, &tmp, "the NOT NULL check");
        out.push(
            Node::new(
                self.step(
                    format!(
                        "Set {} NOT NULL on {} using the validated check",
                        quote::ident(&to.name),
                        display(q)
                    ),
                    vec![
                        ddl::alter_table(q, &[ddl::set_not_null(&to.name)]),
                        ddl::alter_table(q, &[ddl::drop_constraint(&tmp)]),
                    ],
                    vec![],
                ),
                rank::ADD_FK,
            )
            .alters([col(q, &to.name)])
            .needs([con(q, &tmp)])
            .phase(Phase::Final, None),
        );
    }

    /// Clauses and extra statements for one column change.
    fn alter_column(&mut self, from: &Column, to: &Column) {
        let q = &self.q.clone();
        // A new or changed generation expression needs the column rebuilt.
        let regenerate = to.generated.is_some() && from.generated != to.generated;
        if regenerate {
            self.column_drops.push(ddl::drop_column(&from.name));
            self.clauses.push(ddl::add_column(to));
            if to.comment.is_some() {
                self.post
                    .push(ddl::comment_on_column(q, &to.name, &to.comment));
            }
            return;
        }
        self.clauses.extend(ddl::alter_column(from, to));
        if let (Some(a), Some(b)) = (&from.identity, &to.identity)
            && let Some(change) = ddl::identity_options_change(q, &to.name, a, b)
        {
            self.after.push(change);
        }
        if from.storage.is_some() && to.storage.is_none() {
            self.after.push(ddl::reset_storage(q, &to.name));
        }
        self.serial(from, to);
        if from.comment != to.comment {
            self.post
                .push(ddl::comment_on_column(q, &to.name, &to.comment));
        }
    }

    /// A column's serial sequence: retyped, dropped when the column stops being serial, created
    /// or adopted when it becomes serial.
    fn serial(&mut self, from: &Column, to: &Column) {
        let q = &self.q;
        let ctx = self.ctx;
        match (&from.ty, &to.ty) {
            (DataType::Serial(_), DataType::Serial(b)) if from.ty != to.ty => {
                self.after.push(ddl::alter_serial_sequence_type(
                    q,
                    &to.name,
                    b.integer_type(),
                ));
            }
            (DataType::Serial(_), _) => {
                // Kept when the configuration declares it (the diff alters it instead).
                let seq = names::make_object_name(&q.name, Some(&to.name), "seq");
                if ctx
                    .desired
                    .schemas
                    .get(&q.schema)
                    .is_none_or(|s| !s.sequences.contains_key(&seq))
                {
                    self.after.push(ddl::drop_serial_sequence(q, &to.name));
                }
            }
            (_, DataType::Serial(k)) => {
                let seq = names::make_object_name(&q.name, Some(&to.name), "seq");
                let exists = ctx
                    .current
                    .schemas
                    .get(&q.schema)
                    .is_some_and(|s| s.sequences.contains_key(&seq));
                if exists {
                    // The column already draws from a sequence of that name: adopt it.
                    self.after.extend(ddl::adopt_serial_sequence(
                        q,
                        &to.name,
                        &seq,
                        k.integer_type(),
                    ));
                } else {
                    self.after
                        .extend(ddl::make_serial(q, &to.name, &seq, k.integer_type()));
                }
            }
            _ => {}
        }
    }
}
