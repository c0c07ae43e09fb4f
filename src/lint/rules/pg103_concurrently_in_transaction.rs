//! PG103: CONCURRENTLY in a migration file that runs in a transaction.

use crate::lint::{Category, Check, Rule};

pub(crate) const RULE: Rule = Rule {
    code: "PG103",
    category: Category::Transaction,
    title: "uses CONCURRENTLY in a migration file that runs in a transaction",
    explain: "`CREATE INDEX CONCURRENTLY` and `DROP INDEX CONCURRENTLY` cannot run inside a \
transaction block; PostgreSQL rejects them and the migration fails. Put them in their own file \
whose first line is `-- strata:txmode none`. Found by `strata migrate lint` on the SQL itself.",
    check: Check::Sql,
};
