//! What an existing table is besides its columns and keys: comments, storage parameters,
//! logging, row security, replica identity, and its place under a partitioned or inheritance
//! parent.

use super::*;

impl AlterTable<'_> {
    /// The table's comment, and comments of its constraints and indexes.
    pub(super) fn comment(&mut self, c: &TableChange) {
        let q = &self.q;
        match c {
            TableChange::SetComment { to, .. } => self.post.push(ddl::comment_on_table(q, to)),
            TableChange::CommentOn { kind, name, to, .. } => self.post.push(match kind {
                CommentKind::Constraint => ddl::comment_on_constraint(q, name, to),
                CommentKind::Index => ddl::comment_on_index(&q.schema, name, to),
            }),
            _ => {}
        }
    }

    /// Storage parameters, `SET [UN]LOGGED`, row security, and the replica identity (a node of
    /// its own, after the index it names exists: new indexes are steps of their own).
    pub(super) fn storage(&mut self, out: &mut Vec<Node>, c: &TableChange, hazards: Vec<Hazard>) {
        let q = self.q.clone();
        match c {
            TableChange::SetStorageParams { from, to } => {
                self.hazards.extend(hazards);
                self.clauses.extend(ddl::storage_param_clauses(from, to));
            }
            TableChange::SetLogged { unlogged } => {
                self.hazards.extend(hazards);
                self.clauses.push(ddl::set_logged(*unlogged));
            }
            TableChange::SetRowSecurity {
                enabled,
                forced,
                was_enabled,
                was_forced,
            } => {
                self.hazards.extend(hazards);
                self.post.extend(ddl_objects::row_security(
                    &q,
                    *enabled,
                    *forced,
                    *was_enabled,
                    *was_forced,
                ));
            }
            TableChange::SetReplicaIdentity { to, .. } => {
                let mut needs = vec![ObjKey::Table(q.clone())];
                if let ReplicaIdentity::Index(ix) = to {
                    needs.push(ObjKey::Index(q.clone(), ix.clone()));
                    needs.push(con(&q, ix));
                }
                out.push(
                    Node::new(
                        self.step(
                            format!("Set the replica identity of {}", display(&q)),
                            vec![ddl::replica_identity(&q, to)],
                            hazards,
                        ),
                        rank::ADD_FK,
                    )
                    .alters([ObjKey::Table(q.clone())])
                    .needs(needs),
                );
            }
            _ => {}
        }
    }

    /// Partitions attached and detached, inheritance parents joined and left, each a node of
    /// its own: detach or leave before the parent changes (its new columns must not reach a
    /// table that leaves), attach or join once both sides have their final columns (the child
    /// must already have the parent's).
    pub(super) fn parent(&mut self, out: &mut Vec<Node>, c: &TableChange) {
        let q = &self.q;
        let (description, statement, parent, rank, needs) = match c {
            TableChange::Attach(p) => (
                format!("Attach {} to {}", display(q), display(&p.parent)),
                ddl_objects::attach_partition(q, p),
                &p.parent,
                rank::ADD_FK,
                true,
            ),
            TableChange::Detach(p) => (
                format!("Detach {} from {}", display(q), display(&p.parent)),
                ddl_objects::detach_partition(q, p),
                &p.parent,
                rank::DROP_INDEX,
                false,
            ),
            TableChange::Inherit(p) => (
                format!("Inherit {} from {}", display(q), display(p)),
                ddl::alter_table(q, &[ddl::inherit(p)]),
                p,
                rank::ADD_FK,
                true,
            ),
            TableChange::NoInherit(p) => (
                format!("Stop inheriting {} from {}", display(q), display(p)),
                ddl::alter_table(q, &[ddl::no_inherit(p)]),
                p,
                rank::DROP_INDEX,
                false,
            ),
            _ => return,
        };
        let both = [ObjKey::Table(q.clone()), ObjKey::Table(parent.clone())];
        let node =
            Node::new(self.step(description, vec![statement], vec![]), rank).alters(both.clone());
        out.push(if needs { node.needs(both) } else { node });
    }
}
