//! Changes to an existing table. [`AlterTable`] gathers one table's changes by concern
//! (`alter_table/columns.rs`: columns; `alter_table/keys.rs`: keys, checks, indexes, foreign
//! keys; `alter_table/properties.rs`: comments, storage, replica identity, partitions and
//! inheritance), then [`AlterTable::finish`] turns them into nodes: foreign keys and indexes
//! dropped, the one `ALTER TABLE` of the table, new indexes and new foreign keys.

use super::*;

mod columns;
mod keys;
mod properties;

pub(super) fn alter_table<'a>(out: &mut Vec<Node>, d: &'a TableDiff, ctx: &'a Ctx<'a>) {
    let mut t = AlterTable::new(d, ctx);
    for c in &d.changes {
        let hazards = t.change_hazards(c);
        match c {
            TableChange::AddColumn(_)
            | TableChange::DropColumn(_)
            | TableChange::AlterColumn { .. }
            | TableChange::RenameColumn { .. } => t.column(out, c, hazards),
            TableChange::AddPrimaryKey(_)
            | TableChange::DropPrimaryKey(_)
            | TableChange::AddUnique(_)
            | TableChange::DropUnique(_)
            | TableChange::AddCheck(_)
            | TableChange::DropCheck(_)
            | TableChange::AddExclude(_)
            | TableChange::DropExclude(_)
            | TableChange::AdoptIndex { .. }
            | TableChange::RenameConstraint { .. }
            | TableChange::ValidateConstraint(_) => t.key(out, c, hazards),
            TableChange::AddForeignKey(_) | TableChange::DropForeignKey(_) => {
                t.foreign_key(c, hazards)
            }
            TableChange::AddIndex(_)
            | TableChange::DropIndex(_)
            | TableChange::RenameIndex { .. }
            | TableChange::SetIndexStorageParams { .. } => t.index(c, hazards),
            TableChange::SetComment { .. } | TableChange::CommentOn { .. } => t.comment(c),
            TableChange::SetStorageParams { .. }
            | TableChange::SetLogged { .. }
            | TableChange::SetRowSecurity { .. }
            | TableChange::SetReplicaIdentity { .. } => t.storage(out, c, hazards),
            TableChange::Attach(_)
            | TableChange::Detach(_)
            | TableChange::Inherit(_)
            | TableChange::NoInherit(_) => t.parent(out, c),
        }
    }
    t.finish(out);
}

/// One table's changes, gathered by concern before they become nodes. Most go into one
/// `ALTER TABLE` (the `main` node: constraint drops, column drops, renames, added clauses, then
/// the statements that must follow it); dropped foreign keys and indexes, new indexes and new
/// foreign keys are nodes of their own, and so are the steps of online mode.
struct AlterTable<'a> {
    ctx: &'a Ctx<'a>,
    /// The desired table.
    to: &'a Table,
    q: QualifiedName,
    addr: ObjectId,
    /// Online steps allowed: PostgreSQL builds no index concurrently on a partitioned table and
    /// takes no NOT VALID foreign key there; partitions follow their parent.
    online: bool,
    /// Current inheritance children: column changes of a parent reach them.
    child_tables: &'a [QualifiedName],
    /// The step that alters the table itself; what it creates, drops and needs grows with each
    /// change.
    main: Node,
    /// Hazards of the changes `main` carries.
    hazards: Vec<Hazard>,
    /// `DROP CONSTRAINT` clauses (before the columns: dropping a column drops its constraints).
    constraint_drops: Vec<String>,
    /// `DROP COLUMN` clauses.
    column_drops: Vec<String>,
    /// Clauses that add or alter.
    clauses: Vec<String>,
    /// Rename statements, between the drops and the other clauses.
    renames: Vec<String>,
    /// Statements after the `ALTER TABLE`: identity options, storage resets, serial sequences.
    after: Vec<String>,
    /// Statements after those: comments, column and index settings, row security.
    post: Vec<String>,
    fk_drops: Vec<(&'a ForeignKey, Vec<Hazard>)>,
    index_drops: Vec<(String, ObjKey)>,
    new_indexes: Vec<(&'a Index, Vec<Hazard>)>,
    new_fks: Vec<(&'a ForeignKey, Vec<Hazard>)>,
}

impl<'a> AlterTable<'a> {
    fn new(d: &'a TableDiff, ctx: &'a Ctx<'a>) -> Self {
        let q = d.to.qualified();
        let addr = ObjectId::table(&q);
        let main = Node::new(
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
        AlterTable {
            ctx,
            to: &d.to,
            child_tables: ctx.children.get(&q).map_or(&[], Vec::as_slice),
            online: ctx.online && d.to.partition.is_none() && d.to.partition_of.is_none(),
            q,
            addr,
            main,
            hazards: Vec::new(),
            constraint_drops: Vec::new(),
            column_drops: Vec::new(),
            clauses: Vec::new(),
            renames: Vec::new(),
            after: Vec::new(),
            post: Vec::new(),
            fk_drops: Vec::new(),
            index_drops: Vec::new(),
            new_indexes: Vec::new(),
            new_fks: Vec::new(),
        }
    }

    /// The hazards of one change; a column change of a parent names its inheritance children.
    fn change_hazards(&self, c: &TableChange) -> Vec<Hazard> {
        let mut hazards = lint::hazards(&Subject::AlterTable {
            table: self.to,
            change: c,
            online: self.online,
        });
        let column_change = matches!(
            c,
            TableChange::AddColumn(_)
                | TableChange::DropColumn(_)
                | TableChange::AlterColumn { .. }
        );
        if !self.child_tables.is_empty() && column_change {
            let children: Vec<String> = self.child_tables.iter().map(display).collect();
            for h in &mut hazards {
                h.message.push_str(&format!(
                    ", and in its child tables {}",
                    children.join(", ")
                ));
            }
        }
        hazards
    }

    /// A node of its own that alters this table.
    fn step(&self, description: String, statements: Vec<String>, hazards: Vec<Hazard>) -> Step {
        step(
            self.addr.clone(),
            Action::Update,
            description,
            statements,
            hazards,
        )
    }

    /// The nodes: foreign keys and indexes dropped, the table's own statements, new indexes,
    /// new foreign keys.
    fn finish(mut self, out: &mut Vec<Node>) {
        self.drop_foreign_keys(out);
        self.drop_indexes(out);
        let statements = self.statements();
        let mut later = Vec::new();
        for (ix, h) in std::mem::take(&mut self.new_indexes) {
            self.create_index(&mut later, ix, h);
        }
        for (fk, h) in std::mem::take(&mut self.new_fks) {
            self.add_foreign_key(&mut later, fk, h);
        }
        if !statements.is_empty() {
            let mut main = self.main;
            main.step.statements = statements;
            main.step.hazards = self.hazards;
            out.push(main);
        }
        out.extend(later);
    }

    /// The statements of `main`: constraint and column drops, renames and the other clauses in
    /// one `ALTER TABLE` (renames are statements of their own, so the clauses around them split
    /// in two), then what must follow.
    fn statements(&mut self) -> Vec<String> {
        let mut drops = std::mem::take(&mut self.constraint_drops);
        drops.append(&mut self.column_drops);
        let clauses = std::mem::take(&mut self.clauses);
        let mut stmts = Vec::new();
        if self.renames.is_empty() {
            let mut all = drops;
            all.extend(clauses);
            if !all.is_empty() {
                stmts.push(ddl::alter_table(&self.q, &all));
            }
        } else {
            if !drops.is_empty() {
                stmts.push(ddl::alter_table(&self.q, &drops));
            }
            stmts.append(&mut self.renames);
            if !clauses.is_empty() {
                stmts.push(ddl::alter_table(&self.q, &clauses));
            }
        }
        stmts.append(&mut self.after);
        stmts.append(&mut self.post);
        stmts
    }
}
