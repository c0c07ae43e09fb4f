//! Changes to an existing table: columns, keys, indexes, checks, partitions, inheritance.

use super::*;

pub(super) fn alter_table(out: &mut Vec<Node>, d: &TableDiff, ctx: &Ctx) {
    let q = d.to.qualified();
    let addr = ObjectId::table(&q);
    // PostgreSQL builds no index concurrently on a partitioned table and takes no NOT VALID
    // foreign key there; partitions follow their parent.
    let online = ctx.online && d.to.partition.is_none() && d.to.partition_of.is_none();
    let mut fk_drops = Vec::new();
    let mut index_drops = Vec::new();
    let mut drop_clauses = Vec::new();
    let mut column_drops = Vec::new();
    let mut clauses = Vec::new();
    let mut renames = Vec::new();
    let mut post = Vec::new();
    let mut pre_post = Vec::new();
    let mut hz: Vec<Hazard> = Vec::new();
    let mut new_indexes = Vec::new();
    let mut new_fks = Vec::new();
    let mut main = Node::new(
        step(
            addr.clone(),
            Action::Update,
            format!("Modify table {}", display(&q)),
            vec![],
            vec![],
        ),
        rank::ALTER_TABLE,
    )
    .alters([ObjKey::Table(q.clone())])
    .needs([ObjKey::Table(q.clone())]);

    // Column changes of a parent reach its inheritance children: the hazards say so.
    let child_tables: &[QualifiedName] = ctx.children.get(&q).map_or(&[], Vec::as_slice);
    let children: Vec<String> = child_tables.iter().map(display).collect();
    for c in &d.changes {
        let mut change_hazards = lint::hazards(&Subject::AlterTable {
            table: &d.to,
            change: c,
            online,
        });
        if !children.is_empty()
            && matches!(
                c,
                TableChange::AddColumn(_)
                    | TableChange::DropColumn(_)
                    | TableChange::AlterColumn { .. }
            )
        {
            for h in &mut change_hazards {
                h.message.push_str(&format!(
                    ", and in its child tables {}",
                    children.join(", ")
                ));
            }
        }
        match c {
            TableChange::SetComment { to, .. } => post.push(ddl::comment_on_table(&q, to)),
            TableChange::AddColumn(c) => {
                hz.extend(change_hazards);
                clauses.push(ddl::add_column(c));
                if c.comment.is_some() {
                    post.push(ddl::comment_on_column(&q, &c.name, &c.comment));
                }
                post.extend(ddl::column_settings(&q, c));
                let k = col(&q, &c.name);
                main.needs.extend(type_needs(&c.ty));
                main.needs
                    .extend(collation_needs(ctx, c.collation.as_deref()));
                main.needs.extend(ctx.desired_deps(&k));
                main.creates.push(k);
            }
            TableChange::DropColumn(c) => {
                hz.extend(change_hazards);
                column_drops.push(ddl::drop_column(&c.name));
                main.drops.push(col(&q, &c.name));
                // The drop reaches the children that have the column only from this table.
                for child in child_tables {
                    if ctx
                        .current
                        .table(child)
                        .is_some_and(|t| t.column(&c.name).is_none())
                    {
                        main.drops.push(col(child, &c.name));
                    }
                }
            }
            TableChange::AlterColumn { from, to } => {
                hz.extend(change_hazards);
                // Online: NOT NULL through a validated check (no scan under the lock).
                let online_not_null =
                    online && from.nullable && !to.nullable && to.generated.is_none();
                let relaxed = Column {
                    nullable: true,
                    ..to.clone()
                };
                if online_not_null {
                    let tmp = not_null_check_name(&to.name);
                    clauses.push(ddl::add_not_null_check(&tmp, &to.name));
                    main.creates.push(con(&q, &tmp));
                    online_validate(out, &q, &tmp, "the NOT NULL check");
                    out.push(
                        Node::new(
                            step(
                                addr.clone(),
                                Action::Update,
                                format!(
                                    "Set {} NOT NULL on {} using the validated check",
                                    quote::ident(&to.name),
                                    display(&q)
                                ),
                                vec![
                                    ddl::alter_table(&q, &[ddl::set_not_null(&to.name)]),
                                    ddl::alter_table(&q, &[ddl::drop_constraint(&tmp)]),
                                ],
                                vec![],
                            ),
                            rank::ADD_FK,
                        )
                        .alters([col(&q, &to.name)])
                        .needs([con(&q, &tmp)])
                        .phase(Phase::Final, None),
                    );
                }
                alter_column(
                    ctx,
                    &q,
                    from,
                    if online_not_null { &relaxed } else { to },
                    &mut column_drops,
                    &mut clauses,
                    &mut pre_post,
                    &mut post,
                );
                let k = col(&q, &to.name);
                let rebuilt = from.ty.storage() != to.ty.storage()
                    || from.collation != to.collation
                    || (to.generated.is_some() && from.generated != to.generated);
                if rebuilt {
                    main.drops.push(k.clone());
                    main.creates.push(k.clone());
                } else {
                    main.alters.push(k.clone());
                    main.creates.push(k.clone());
                }
                main.needs.extend(type_needs(&to.ty));
                main.needs
                    .extend(collation_needs(ctx, to.collation.as_deref()));
                main.needs.extend(ctx.desired_deps(&k));
            }
            TableChange::DropPrimaryKey(pk) => {
                drop_clauses.push(ddl::drop_constraint(&pk.name));
                main.drops.push(con(&q, &pk.name));
            }
            TableChange::DropUnique(u) => {
                drop_clauses.push(ddl::drop_constraint(&u.name));
                main.drops.push(con(&q, &u.name));
            }
            TableChange::DropCheck(ch) => {
                if let Some(n) = &ch.name {
                    drop_clauses.push(ddl::drop_constraint(n));
                    main.drops.push(con(&q, n));
                }
            }
            TableChange::DropExclude(x) => {
                drop_clauses.push(ddl::drop_constraint(&x.name));
                main.drops.push(con(&q, &x.name));
            }
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
                change_hazards,
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
                change_hazards,
            ),
            TableChange::AddCheck(ch) if online && ch.name.is_some() && !ch.not_valid => {
                hz.extend(change_hazards);
                let n = ch.name.clone().unwrap_or_default();
                clauses.push(ddl::add_constraint_as_declared(ddl::check_def(ch), true));
                if ch.comment.is_some() {
                    post.push(ddl::comment_on_constraint(&q, &n, &ch.comment));
                }
                let k = con(&q, &n);
                main.needs.extend(ctx.desired_deps(&k));
                main.creates.push(k);
                online_validate(out, &q, &n, "check");
            }
            TableChange::AddPrimaryKey(pk) => {
                hz.extend(change_hazards);
                clauses.push(ddl::add_constraint(ddl::primary_key_def(pk)));
                if pk.comment.is_some() {
                    post.push(ddl::comment_on_constraint(&q, &pk.name, &pk.comment));
                }
                main.creates.push(con(&q, &pk.name));
            }
            TableChange::AddUnique(u) => {
                hz.extend(change_hazards);
                clauses.push(ddl::add_constraint(ddl::unique_def(u)));
                if u.comment.is_some() {
                    post.push(ddl::comment_on_constraint(&q, &u.name, &u.comment));
                }
                main.creates.push(con(&q, &u.name));
            }
            TableChange::AddCheck(ch) => {
                hz.extend(change_hazards);
                clauses.push(ddl::add_constraint_as_declared(
                    ddl::check_def(ch),
                    ch.not_valid,
                ));
                if let Some(n) = &ch.name {
                    if ch.comment.is_some() {
                        post.push(ddl::comment_on_constraint(&q, n, &ch.comment));
                    }
                    let k = con(&q, n);
                    main.needs.extend(ctx.desired_deps(&k));
                    main.creates.push(k);
                }
            }
            TableChange::AddExclude(x) => {
                hz.extend(change_hazards);
                clauses.push(ddl::add_constraint(ddl_objects::exclude_def(x)));
                if x.comment.is_some() {
                    post.push(ddl::comment_on_constraint(&q, &x.name, &x.comment));
                }
                let k = con(&q, &x.name);
                main.needs.extend(ctx.desired_deps(&k));
                main.creates.push(k);
            }
            TableChange::DropForeignKey(fk) => fk_drops.push((fk, change_hazards)),
            TableChange::AddForeignKey(fk) => new_fks.push((fk, change_hazards)),
            TableChange::DropIndex(ix) => index_drops.push((
                ddl::drop_index(&q.schema, &ix.name),
                ObjKey::Index(q.clone(), ix.name.clone()),
            )),
            TableChange::AddIndex(ix) => new_indexes.push((ix, change_hazards)),
            TableChange::AdoptIndex { index, key } => {
                hz.extend(change_hazards);
                let (kind, name, deferrable, comment) = match key {
                    AdoptedKey::Primary(pk) => {
                        ("PRIMARY KEY", &pk.name, pk.deferrable, &pk.comment)
                    }
                    AdoptedKey::Unique(u) => ("UNIQUE", &u.name, u.deferrable, &u.comment),
                };
                clauses.push(ddl::add_constraint_using_index(
                    kind,
                    name,
                    index,
                    deferrable.sql(),
                ));
                if comment.is_some() {
                    post.push(ddl::comment_on_constraint(&q, name, comment));
                }
                main.drops.push(ObjKey::Index(q.clone(), index.clone()));
                main.creates.push(con(&q, name));
            }
            TableChange::RenameConstraint { from, to } => {
                renames.push(ddl::rename_constraint(&q, from, to));
                main.drops.push(con(&q, from));
                main.creates.push(con(&q, to));
            }
            TableChange::RenameColumn { from, to } => {
                hz.extend(lint::hazards(&Subject::RenameColumn {
                    table: &q,
                    from,
                    to,
                }));
                renames.push(ddl::rename_column(&q, from, to));
                main.creates.push(col(&q, to));
            }
            TableChange::RenameIndex { from, to } => {
                renames.push(ddl::rename_index(&q.schema, from, to));
                main.drops.push(ObjKey::Index(q.clone(), from.clone()));
                main.creates.push(ObjKey::Index(q.clone(), to.clone()));
            }
            TableChange::CommentOn { kind, name, to, .. } => post.push(match kind {
                CommentKind::Constraint => ddl::comment_on_constraint(&q, name, to),
                CommentKind::Index => ddl::comment_on_index(&q.schema, name, to),
            }),
            TableChange::SetRowSecurity {
                enabled,
                forced,
                was_enabled,
                was_forced,
            } => {
                hz.extend(change_hazards);
                post.extend(ddl_objects::row_security(
                    &q,
                    *enabled,
                    *forced,
                    *was_enabled,
                    *was_forced,
                ));
            }
            // After the index it names exists (new indexes are steps of their own).
            TableChange::SetReplicaIdentity { to, .. } => {
                let mut needs = vec![ObjKey::Table(q.clone())];
                if let ReplicaIdentity::Index(ix) = to {
                    needs.push(ObjKey::Index(q.clone(), ix.clone()));
                    needs.push(con(&q, ix));
                }
                out.push(
                    Node::new(
                        step(
                            addr.clone(),
                            Action::Update,
                            format!("Set the replica identity of {}", display(&q)),
                            vec![ddl::replica_identity(&q, to)],
                            change_hazards,
                        ),
                        rank::ADD_FK,
                    )
                    .alters([ObjKey::Table(q.clone())])
                    .needs(needs),
                );
            }
            TableChange::SetStorageParams { from, to } => {
                hz.extend(change_hazards);
                clauses.extend(ddl::storage_param_clauses(from, to));
            }
            TableChange::SetIndexStorageParams { index, from, to } => {
                hz.extend(change_hazards);
                post.push(ddl::alter_index_params(
                    &q.schema,
                    index,
                    &ddl::storage_param_clauses(from, to),
                ));
            }
            TableChange::ValidateConstraint(name) => {
                hz.extend(change_hazards);
                // Scans the table under SHARE UPDATE EXCLUSIVE: writes go on.
                clauses.push(ddl::validate_clause(name));
            }
            TableChange::SetLogged { unlogged } => {
                hz.extend(change_hazards);
                clauses.push(ddl::set_logged(*unlogged));
            }
            // Detach before the parent changes (its new columns must not reach a table that
            // leaves), attach after both sides have their final columns.
            TableChange::Attach(p) => out.push(
                Node::new(
                    step(
                        addr.clone(),
                        Action::Update,
                        format!("Attach {} to {}", display(&q), display(&p.parent)),
                        vec![ddl_objects::attach_partition(&q, p)],
                        vec![],
                    ),
                    rank::ADD_FK,
                )
                .alters([ObjKey::Table(q.clone()), ObjKey::Table(p.parent.clone())])
                .needs([ObjKey::Table(q.clone()), ObjKey::Table(p.parent.clone())]),
            ),
            // Leave a parent before either side changes; join one once both have their final
            // columns (the child must already have the parent's).
            TableChange::NoInherit(p) => out.push(
                Node::new(
                    step(
                        addr.clone(),
                        Action::Update,
                        format!("Stop inheriting {} from {}", display(&q), display(p)),
                        vec![ddl::alter_table(&q, &[ddl::no_inherit(p)])],
                        vec![],
                    ),
                    rank::DROP_INDEX,
                )
                .alters([ObjKey::Table(q.clone()), ObjKey::Table(p.clone())]),
            ),
            TableChange::Inherit(p) => out.push(
                Node::new(
                    step(
                        addr.clone(),
                        Action::Update,
                        format!("Inherit {} from {}", display(&q), display(p)),
                        vec![ddl::alter_table(&q, &[ddl::inherit(p)])],
                        vec![],
                    ),
                    rank::ADD_FK,
                )
                .alters([ObjKey::Table(q.clone()), ObjKey::Table(p.clone())])
                .needs([ObjKey::Table(q.clone()), ObjKey::Table(p.clone())]),
            ),
            TableChange::Detach(p) => out.push(
                Node::new(
                    step(
                        addr.clone(),
                        Action::Update,
                        format!("Detach {} from {}", display(&q), display(&p.parent)),
                        vec![ddl_objects::detach_partition(&q, p)],
                        vec![],
                    ),
                    rank::DROP_INDEX,
                )
                .alters([ObjKey::Table(q.clone()), ObjKey::Table(p.parent.clone())]),
            ),
        }
    }

    if !fk_drops.is_empty() {
        let clauses: Vec<String> = fk_drops
            .iter()
            .map(|(fk, _)| ddl::drop_constraint(&fk.name))
            .collect();
        let names: Vec<String> = fk_drops
            .iter()
            .map(|(fk, _)| quote::ident(&fk.name))
            .collect();
        let h: Vec<Hazard> = fk_drops.iter().flat_map(|(_, h)| h.clone()).collect();
        out.push(
            Node::new(
                step(
                    addr.clone(),
                    Action::Update,
                    format!("Drop foreign key {} of {}", names.join(", "), display(&q)),
                    vec![ddl::alter_table(&q, &clauses)],
                    h,
                ),
                rank::DROP_FK,
            )
            .drops(fk_drops.iter().map(|(fk, _)| con(&q, &fk.name))),
        );
    }
    if !index_drops.is_empty() {
        out.push(
            Node::new(
                step(
                    addr.clone(),
                    Action::Update,
                    format!("Drop indexes of {}", display(&q)),
                    index_drops.iter().map(|(s, _)| s.clone()).collect(),
                    vec![],
                ),
                rank::DROP_INDEX,
            )
            .drops(index_drops.iter().map(|(_, k)| k.clone())),
        );
    }
    // Constraints go before columns: dropping a column silently drops its constraints.
    drop_clauses.extend(column_drops);
    let mut stmts = Vec::new();
    if renames.is_empty() {
        let mut all = drop_clauses;
        all.extend(clauses);
        if !all.is_empty() {
            stmts.push(ddl::alter_table(&q, &all));
        }
    } else {
        if !drop_clauses.is_empty() {
            stmts.push(ddl::alter_table(&q, &drop_clauses));
        }
        stmts.extend(renames);
        if !clauses.is_empty() {
            stmts.push(ddl::alter_table(&q, &clauses));
        }
    }
    stmts.extend(pre_post);
    stmts.extend(post);
    if !stmts.is_empty() {
        main.step.statements = stmts;
        main.step.hazards = hz;
        out.push(main);
    }
    for (ix, mut h) in new_indexes {
        let mut stmts = vec![ddl::create_index(&q, ix)];
        if ix.comment.is_some() {
            stmts.push(ddl::comment_on_index(&q.schema, &ix.name, &ix.comment));
        }
        let (phase, fallback) = if online {
            let fallback = stmts.clone();
            stmts[0] = ddl::create_index_concurrently(&q, ix);
            h.extend(lint::hazards(&Subject::Online {
                table: &q,
                what: &format!("builds index \"{}\" concurrently", ix.name),
            }));
            (Phase::Online, Some(fallback))
        } else {
            (Phase::Transaction, None)
        };
        let k = ObjKey::Index(q.clone(), ix.name.clone());
        let mut needs = vec![ObjKey::Table(q.clone())];
        needs.extend(ix.parts.iter().filter_map(|p| match &p.key {
            crate::model::IndexKey::Column(c) => Some(col(&q, c)),
            crate::model::IndexKey::Expr(_) => None,
        }));
        needs.extend(ctx.desired_deps(&k));
        needs.extend(partition_indexes_to_adopt(ctx, &q, ix));
        out.push(
            Node::new(
                step(
                    addr.clone(),
                    Action::Update,
                    format!("Create index {} on {}", quote::ident(&ix.name), display(&q)),
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
    for (fk, h) in new_fks {
        let def = ddl::add_constraint_as_declared(ddl::foreign_key_def(fk), fk.not_valid || online);
        if online && !fk.not_valid {
            online_validate(out, &q, &fk.name, "foreign key");
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
        let mut stmts = vec![ddl::alter_table(&q, &[def])];
        if fk.comment.is_some() {
            stmts.push(ddl::comment_on_constraint(&q, &fk.name, &fk.comment));
        }
        let mut needs = vec![ObjKey::Table(q.clone())];
        needs.extend(fk.columns.iter().map(|c| col(&q, c)));
        needs.extend(fk_needs(fk, ctx.desired));
        out.push(
            Node::new(
                step(
                    addr.clone(),
                    Action::Update,
                    format!(
                        "Add foreign key {} to {}",
                        quote::ident(&fk.name),
                        display(&q)
                    ),
                    stmts,
                    h,
                ),
                rank::ADD_FK,
            )
            .creates([con(&q, &fk.name)])
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

/// Clauses and extra statements for one column change.
#[allow(clippy::too_many_arguments)]
pub(super) fn alter_column(
    ctx: &Ctx,
    q: &QualifiedName,
    from: &Column,
    to: &Column,
    drop_clauses: &mut Vec<String>,
    clauses: &mut Vec<String>,
    after: &mut Vec<String>,
    comments: &mut Vec<String>,
) {
    // A new or changed generation expression needs the column rebuilt.
    let regenerate = to.generated.is_some() && from.generated != to.generated;
    if regenerate {
        drop_clauses.push(ddl::drop_column(&from.name));
        clauses.push(ddl::add_column(to));
        if to.comment.is_some() {
            comments.push(ddl::comment_on_column(q, &to.name, &to.comment));
        }
        return;
    }
    clauses.extend(ddl::alter_column(from, to));
    if let (Some(a), Some(b)) = (&from.identity, &to.identity)
        && let Some(change) = ddl::identity_options_change(q, &to.name, a, b)
    {
        after.push(change);
    }
    if from.storage.is_some() && to.storage.is_none() {
        after.push(ddl::reset_storage(q, &to.name));
    }
    match (&from.ty, &to.ty) {
        (DataType::Serial(_), DataType::Serial(b)) if from.ty != to.ty => {
            after.push(ddl::alter_serial_sequence_type(
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
                after.push(ddl::drop_serial_sequence(q, &to.name));
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
                after.extend(ddl::adopt_serial_sequence(
                    q,
                    &to.name,
                    &seq,
                    k.integer_type(),
                ));
            } else {
                after.extend(ddl::make_serial(q, &to.name, &seq, k.integer_type()));
            }
        }
        _ => {}
    }
    if from.comment != to.comment {
        comments.push(ddl::comment_on_column(q, &to.name, &to.comment));
    }
}
