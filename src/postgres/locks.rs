//! The server's lock table, and how much of it a batch of DDL needs.
//!
//! PostgreSQL keeps every lock a transaction holds until it ends, in one shared table sized
//! `max_locks_per_transaction × (max_connections + max_prepared_transactions)`. Creating or
//! dropping a table takes about six of them (the table, its TOAST table and index, its row
//! type, one per index and constraint), so one transaction over thousands of tables fills the
//! table and fails with `out of shared memory` — after minutes of work, and while every other
//! session on the server fails too. strata counts first: normalization splits its scratch work
//! into transactions that fit, and `apply` refuses before touching anything when its single
//! transaction would not fit, naming the setting to raise.

use crate::postgres::connect::error_text;
use tokio_postgres::GenericClient;

/// Overrides the lock table size strata plans against (a number of locks); for servers that
/// other work shares, and for tests.
pub(crate) const BUDGET_ENV: &str = "STRATA_LOCK_BUDGET";

/// The server's lock table, as its settings size it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LockTable {
    pub(crate) max_locks_per_transaction: u64,
    pub(crate) max_connections: u64,
    pub(crate) max_prepared_transactions: u64,
    /// Locks other sessions hold now.
    pub(crate) held_by_others: u64,
    /// `STRATA_LOCK_BUDGET`, when set.
    pub(crate) cap: Option<u64>,
}

impl LockTable {
    /// Slots the settings promise: `max_locks_per_transaction × (max_connections +
    /// max_prepared_transactions)`.
    pub(crate) fn capacity(&self) -> u64 {
        self.max_locks_per_transaction
            .saturating_mul(self.max_connections + self.max_prepared_transactions)
    }

    /// Locks one transaction of ours may take: what is free now, or the override.
    pub(crate) fn available(&self) -> u64 {
        let free = self.capacity().saturating_sub(self.held_by_others);
        match self.cap {
            Some(c) => c.min(free),
            None => free,
        }
    }

    /// Locks one scratch transaction may take: at most half of what is free now and at most a
    /// quarter of the whole table (other sessions may grow meanwhile), never below 64.
    pub(crate) fn batch_budget(&self) -> u64 {
        (self.available() / 2).min(self.capacity() / 4).max(64)
    }

    /// The smallest `max_locks_per_transaction` under which `needed` locks fit beside what
    /// others hold, with a quarter to spare.
    pub(crate) fn setting_for(&self, needed: u64) -> u64 {
        let slots = self.max_connections + self.max_prepared_transactions;
        let want = (needed + self.held_by_others).saturating_mul(5) / 4;
        want.div_ceil(slots.max(1))
            .max(self.max_locks_per_transaction + 1)
    }
}

/// Reads the lock table's size and use (one query).
pub(crate) async fn lock_table<C: GenericClient + Sync>(client: &C) -> Result<LockTable, String> {
    let row = client
        .query_one(
            "SELECT current_setting('max_locks_per_transaction')::int8, \
                    current_setting('max_connections')::int8, \
                    current_setting('max_prepared_transactions')::int8, \
                    (SELECT count(DISTINCT concat_ws(',', locktype, database, relation, page, tuple, \
                        virtualxid, transactionid, classid, objid, objsubid)) \
                       FROM pg_locks WHERE pid IS DISTINCT FROM pg_backend_pid())::int8",
            &[],
        )
        .await
        .map_err(|e| format!("cannot read the server's lock settings: {}", error_text(&e)))?;
    let get = |i: usize| -> Result<u64, String> {
        let v: i64 = row
            .try_get(i)
            .map_err(|e| format!("cannot read the server's lock settings: {e}"))?;
        Ok(u64::try_from(v).unwrap_or(0))
    };
    let cap = match std::env::var(BUDGET_ENV) {
        Ok(v) => Some(
            v.trim()
                .parse::<u64>()
                .map_err(|_| format!("{BUDGET_ENV}={v:?} is not a number of locks"))?,
        ),
        Err(_) => None,
    };
    Ok(LockTable {
        max_locks_per_transaction: get(0)?,
        max_connections: get(1)?,
        max_prepared_transactions: get(2)?,
        held_by_others: get(3)?,
        cap,
    })
}

/// A session that holds a lock another session waits for, as `pg_stat_activity` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Blocker {
    pub(crate) pid: i32,
    pub(crate) user: String,
    pub(crate) application: String,
    pub(crate) state: String,
    /// Its current or last query, in full: callers decide how much of it to show.
    pub(crate) query: String,
}

impl Blocker {
    /// The session for a message: pid, user, application, state and its query — summarized
    /// ([`query_summary`]) unless `verbose`.
    pub(crate) fn describe(&self, verbose: bool) -> String {
        let mut s = format!("pid {}", self.pid);
        let mut about = Vec::new();
        if !self.user.is_empty() {
            about.push(format!("user {}", self.user));
        }
        if !self.application.is_empty() {
            about.push(format!("application {:?}", self.application));
        }
        if !self.state.is_empty() {
            about.push(self.state.clone());
        }
        if !about.is_empty() {
            s.push_str(&format!(" ({})", about.join(", ")));
        }
        if !self.query.is_empty() {
            let shown = if verbose {
                self.query.trim().to_string()
            } else {
                query_summary(&self.query)
            };
            s.push_str(&format!(", last query: {shown}"));
        }
        s
    }
}

/// The sessions that block backend `pid` (`pg_blocking_pids`), by pid.
pub(crate) async fn blockers<C: GenericClient + Sync>(
    client: &C,
    pid: i32,
) -> Result<Vec<Blocker>, String> {
    let rows = client
        .query(
            "SELECT a.pid, coalesce(a.usename::text, ''), coalesce(a.application_name, ''), \
             coalesce(a.state, ''), coalesce(a.query, '') \
             FROM pg_stat_activity a WHERE a.pid = ANY (pg_blocking_pids($1)) ORDER BY a.pid",
            &[&pid],
        )
        .await
        .map_err(|e| error_text(&e))?;
    rows.iter()
        .map(|r| {
            let text = |i: usize| r.try_get::<_, String>(i).map_err(|e| e.to_string());
            Ok(Blocker {
                pid: r.try_get(0).map_err(|e| e.to_string())?,
                user: text(1)?,
                application: text(2)?,
                state: text(3)?,
                query: text(4)?,
            })
        })
        .collect()
}

/// The sessions other than this one that hold an ACCESS EXCLUSIVE lock on a relation of
/// this database, each with the relations it holds so (qualified, quoted as needed), by pid.
/// Reading the catalog (`pg_get_constraintdef`, `pg_get_viewdef`, …) waits for such locks.
pub(crate) async fn exclusive_holders<C: GenericClient + Sync>(
    client: &C,
) -> Result<Vec<(Blocker, Vec<String>)>, String> {
    let rows = client
        .query(
            "SELECT a.pid, coalesce(a.usename::text, ''), coalesce(a.application_name, ''), \
             coalesce(a.state, ''), coalesce(a.query, ''), \
             array_agg(l.relation::regclass::text ORDER BY l.relation::regclass::text) \
             FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
             WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock' AND l.granted \
             AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
             AND l.pid <> pg_backend_pid() \
             GROUP BY 1, 2, 3, 4, 5 ORDER BY 1",
            &[],
        )
        .await
        .map_err(|e| error_text(&e))?;
    rows.iter()
        .map(|r| {
            let text = |i: usize| r.try_get::<_, String>(i).map_err(|e| e.to_string());
            Ok((
                Blocker {
                    pid: r.try_get(0).map_err(|e| e.to_string())?,
                    user: text(1)?,
                    application: text(2)?,
                    state: text(3)?,
                    query: text(4)?,
                },
                r.try_get::<_, Vec<String>>(5).map_err(|e| e.to_string())?,
            ))
        })
        .collect()
}

/// About how many lock-table slots a statement takes until its transaction ends. Errs on the
/// high side: counted from the statement's text, one per object it creates, drops or touches.
pub(crate) fn statement_locks(sql: &str) -> u64 {
    let upper = sql.to_ascii_uppercase();
    let head: String = upper
        .split_whitespace()
        .take(4)
        .collect::<Vec<_>>()
        .join(" ");
    let count = |word: &str| upper.matches(word).count() as u64;
    let constraints = || {
        2 * (count("PRIMARY KEY") + count("UNIQUE") + count("EXCLUDE"))
            + count("CHECK")
            + 2 * count("REFERENCES")
            + 2 * (count("IDENTITY") + count("SERIAL"))
    };
    if head.starts_with("CREATE TABLE") || head.starts_with("CREATE UNLOGGED TABLE") {
        // The table, its TOAST table and index, its row type.
        4 + constraints()
    } else if head.starts_with("CREATE MATERIALIZED VIEW") {
        4
    } else if head.starts_with("CREATE") && (head.contains("INDEX") || head.contains("VIEW")) {
        2
    } else if head.starts_with("DROP TABLE")
        || head.starts_with("DROP MATERIALIZED VIEW")
        || head.starts_with("TRUNCATE")
    {
        // The table with its TOAST table, indexes and sequences, for each table named.
        6 * (1 + count(","))
    } else if head.starts_with("ALTER TABLE") {
        2 + constraints() + count(" ADD ") + count(" ALTER ")
    } else {
        1
    }
}

/// Splits `items` (in order, each with the locks it takes) into consecutive batches of at most
/// `budget` locks; an item bigger than the budget gets a batch of its own. Returns the batches'
/// lengths, so callers keep their own order (dependencies come before their users).
pub(crate) fn batch_sizes(needs: impl IntoIterator<Item = u64>, budget: u64) -> Vec<usize> {
    let mut sizes = vec![0usize];
    let mut used = 0;
    for need in needs {
        if used + need > budget && sizes.last().is_some_and(|n| *n > 0) {
            sizes.push(0);
            used = 0;
        }
        used += need;
        if let Some(n) = sizes.last_mut() {
            *n += 1;
        }
    }
    sizes.retain(|n| *n > 0);
    sizes
}

/// How to make a transaction of the size `setting` was computed for fit.
pub(crate) fn raise_advice(setting: u64) -> String {
    format!(
        "raise max_locks_per_transaction to at least {setting}: set \
         `max_locks_per_transaction = {setting}` in postgresql.conf (or with ALTER SYSTEM) and \
         restart the server (it takes effect only at server start), or apply the change in \
         smaller parts with --exclude"
    )
}

/// Why one transaction cannot hold the locks it needs.
pub(crate) fn too_many_locks(needed: u64, table: &LockTable) -> String {
    let mut msg = format!(
        "this needs about {needed} locks in one transaction, but the server's lock table holds \
         max_locks_per_transaction ({}) × (max_connections ({}) + max_prepared_transactions ({})) \
         = {} and other sessions hold {} now",
        table.max_locks_per_transaction,
        table.max_connections,
        table.max_prepared_transactions,
        table.capacity(),
        table.held_by_others,
    );
    if let Some(cap) = table.cap {
        msg.push_str(&format!(" ({BUDGET_ENV} caps strata at {cap})"));
    }
    msg
}

/// Another session's query as a lock report shows it: constants replaced by `$n` (PostgreSQL's
/// own normalization, as in pg_stat_statements), so that no value of that session's data
/// (a card number in a WHERE clause) reaches strata's output, and at most 80 characters.
/// Text that does not parse shows only its first word.
pub(crate) fn query_summary(query: &str) -> String {
    let text = match pg_query::normalize(query) {
        Ok(n) => n,
        Err(_) => query.split_whitespace().next().unwrap_or("").to_string(),
    };
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(cap: Option<u64>) -> LockTable {
        LockTable {
            max_locks_per_transaction: 64,
            max_connections: 100,
            max_prepared_transactions: 0,
            held_by_others: 400,
            cap,
        }
    }

    #[test]
    fn capacity_and_what_is_left() {
        assert_eq!(table(None).capacity(), 6400);
        assert_eq!(table(None).available(), 6000);
        assert_eq!(table(Some(300)).available(), 300);
        assert_eq!(table(Some(100_000)).available(), 6000);
    }

    #[test]
    fn scratch_batches_fit_half_the_free_table_and_a_quarter_of_it_all() {
        // 6,400 slots, 400 held: half of the free 6,000 is 3,000, a quarter of all 1,600.
        assert_eq!(table(None).batch_budget(), 1600);
        let busy = LockTable {
            held_by_others: 4000,
            ..table(None)
        };
        assert_eq!(busy.batch_budget(), 1200);
        assert_eq!(table(Some(300)).batch_budget(), 150);
        assert_eq!(table(Some(10)).batch_budget(), 64, "never below 64");
        let big = LockTable {
            max_locks_per_transaction: 256,
            max_connections: 200,
            max_prepared_transactions: 10,
            held_by_others: 0,
            cap: None,
        };
        assert_eq!(big.capacity(), 53_760);
        assert_eq!(big.batch_budget(), 13_440);
    }

    #[test]
    fn batches_keep_order_and_fit_the_budget() {
        assert_eq!(batch_sizes([6, 6, 6, 6, 6], 12), vec![2, 2, 1]);
        assert_eq!(
            batch_sizes([6, 6, 6], 100),
            vec![3],
            "one transaction when it fits"
        );
        assert_eq!(batch_sizes([50, 1, 1], 10), vec![1, 2], "too big: alone");
        assert_eq!(batch_sizes([1, 50, 1], 10), vec![1, 1, 1]);
        assert!(batch_sizes([], 10).is_empty());
        // 5,000 tables of ~10 locks in 1,600-lock batches: 32 transactions of ≤ 160 tables.
        let sizes = batch_sizes(std::iter::repeat_n(10, 5000), 1600);
        assert_eq!(sizes.len(), 32);
        assert!(sizes.iter().all(|n| *n <= 160));
        assert_eq!(sizes.iter().sum::<usize>(), 5000);
    }

    #[test]
    fn setting_to_raise_fits_the_need() {
        let t = table(None);
        let s = t.setting_for(120_000);
        assert!(s * 100 >= 120_400, "{s}");
        assert!(s > 64);
        // Never suggests the current value or less.
        assert_eq!(t.setting_for(10), 65);
    }

    #[test]
    fn a_table_with_a_key_takes_six() {
        // Measured on PostgreSQL 15: `CREATE TABLE t (id bigint PRIMARY KEY, name text)` holds
        // six lock objects until the transaction ends.
        assert_eq!(
            statement_locks(
                "CREATE TABLE \"public\".\"t\" (\"id\" bigint NOT NULL, \"name\" text, PRIMARY KEY (\"id\"))"
            ),
            6
        );
        assert_eq!(statement_locks("CREATE INDEX \"i\" ON \"t\" (\"x\")"), 2);
        assert_eq!(statement_locks("DROP TABLE \"a\", \"b\""), 12);
        assert_eq!(statement_locks("COMMENT ON TABLE \"t\" IS 'x'"), 1);
    }
}

#[cfg(test)]
mod query_summary_tests {
    use super::query_summary;

    #[test]
    fn hides_values_of_other_sessions() {
        let q = "UPDATE payments SET card = '4111111111111111', amount = 12.5 WHERE id = 7";
        let s = query_summary(q);
        assert!(!s.contains("4111"), "{s}");
        assert!(!s.contains("12.5"), "{s}");
        assert!(s.starts_with("UPDATE payments SET card = $1"), "{s}");
        assert_eq!(query_summary("not sql '4111111111111111'"), "not");
        assert!(query_summary(&format!("SELECT {}", "a, ".repeat(100) + "b")).ends_with('…'));
    }
}
