//! PG102: an index is dropped without CONCURRENTLY (migration files).

use crate::lint::{Category, Check, Rule};

pub(crate) const RULE: Rule = Rule {
    code: "PG102",
    category: Category::Lock,
    title: "drops an index without CONCURRENTLY in a migration file",
    explain: "`DROP INDEX` takes an ACCESS EXCLUSIVE lock on the index's table: queries wait \
until the drop ends, and the drop itself waits behind every running query. In a migration \
file, use `DROP INDEX CONCURRENTLY` with `-- strata:txmode none` as the file's first line. \
Found by `strata migrate lint` on the SQL itself.",
    check: Check::Sql,
};
