//! PG101: an index is built on an existing table without CONCURRENTLY.

use crate::diff::TableChange;
use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "PG101",
    category: Category::Lock,
    title: "builds an index on an existing table without CONCURRENTLY",
    explain: "`CREATE INDEX` holds a SHARE lock for the whole build: every INSERT, UPDATE and \
DELETE on the table waits, for minutes on a large table. Online mode (`online = true` in the \
env, or `--online`) builds indexes on existing tables with `CREATE INDEX CONCURRENTLY` outside \
the transaction instead. Indexes on tables created in the same plan are not flagged.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::AlterTable {
            table,
            change: TableChange::AddIndex(i),
            online: false,
        } => Some(format!(
            "builds index \"{}\" while blocking writes to \"{}\"",
            i.name,
            qname(&table.qualified())
        )),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) fn index() -> crate::model::Index {
    crate::model::Index {
        name: "users_email_idx".into(),
        unique: false,
        method: "btree".into(),
        parts: vec![crate::model::IndexPart::column("email")],
        include: vec![],
        predicate: None,
        nulls_distinct: true,
        comment: None,
        storage_params: Default::default(),
        invalid: false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::index;
    use crate::diff::TableChange;

    #[test]
    fn flags_blocking_builds_not_online_ones() {
        assert!(has(&alter(TableChange::AddIndex(index())), "PG101"));
        assert!(!has(&alter_online(TableChange::AddIndex(index())), "PG101"));
        assert!(!has(&alter(TableChange::DropIndex(index())), "PG101"));
    }
}
