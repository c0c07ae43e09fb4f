//! PG303: SET NOT NULL scans the table under an exclusive lock.

use crate::diff::TableChange;
use crate::lint::{Category, Check, Rule, Subject, qname};

pub(crate) const RULE: Rule = Rule {
    code: "PG303",
    category: Category::Lock,
    title: "sets NOT NULL with a full scan under an exclusive lock",
    explain: "`ALTER COLUMN … SET NOT NULL` reads the whole table to prove there are no NULLs \
while holding an ACCESS EXCLUSIVE lock. Online mode first adds `CHECK (c IS NOT NULL) NOT \
VALID`, validates it without blocking writes, then sets NOT NULL (PostgreSQL 12 and later skip \
the scan when such a check exists) and drops the check.",
    check: Check::Step(check),
};

fn check(s: &Subject) -> Option<String> {
    match s {
        Subject::AlterTable {
            table,
            change: TableChange::AlterColumn { from, to },
            online: false,
        } if from.nullable && !to.nullable => Some(format!(
            "sets \"{}\" NOT NULL: scans \"{}\" under an exclusive lock",
            to.name,
            qname(&table.qualified())
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::diff::TableChange;

    #[test]
    fn flags_in_place_not_null_only() {
        let mut from = col("email", "text");
        from.nullable = true;
        let change = TableChange::AlterColumn {
            from,
            to: col("email", "text"),
        };
        assert!(has(&alter(change.clone()), "PG303"));
        assert!(!has(&alter_online(change), "PG303"));
    }
}
