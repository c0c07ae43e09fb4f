//! MF101: a uniqueness rule is added to a table that has rows.

use crate::diff::TableChange;
use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "MF101",
    category: Category::MayFail,
    title: "adds a unique index, unique constraint or primary key to an existing table",
    explain: "Building a unique index over existing rows fails when two rows already share a \
value (for a primary key, also when a key column holds NULL); the whole apply then rolls back. \
Look for duplicates first, e.g. `SELECT col, count(*) FROM t GROUP BY col HAVING count(*) > 1`, \
and clean them up in a data migration before adding the constraint.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    let Subject::AlterTable { table, change, .. } = s else {
        return None;
    };
    let t = qname(&table.qualified());
    match change {
        TableChange::AddUnique(u) => Some(format!(
            "adds unique constraint \"{}\": fails if \"{t}\" has duplicates",
            u.name
        )),
        TableChange::AddPrimaryKey(pk) => Some(format!(
            "adds primary key \"{}\": fails if \"{t}\" has duplicates or NULLs",
            pk.name
        )),
        TableChange::AddIndex(i) if i.unique => Some(format!(
            "adds unique index \"{}\": fails if \"{t}\" has duplicates",
            i.name
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::diff::TableChange;
    use crate::model::{Index, IndexPart};

    fn index(unique: bool) -> Index {
        Index {
            name: "users_email".into(),
            unique,
            method: "btree".into(),
            parts: vec![IndexPart::column("email")],
            include: vec![],
            predicate: None,
            nulls_distinct: true,
            comment: None,
            storage_params: Default::default(),
            invalid: false,
        }
    }

    #[test]
    fn flags_unique_indexes_only() {
        assert!(has(&alter(TableChange::AddIndex(index(true))), "MF101"));
        assert!(!has(&alter(TableChange::AddIndex(index(false))), "MF101"));
    }
}
