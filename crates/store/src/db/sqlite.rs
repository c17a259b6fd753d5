//! SQLite: one file, `<data_dir>/citymirror.db`, for a single server.
//!
//! The database runs in WAL mode so that readers (start-up loading, record queries)
//! never wait for a writer, with `synchronous=NORMAL`: in WAL mode a committed
//! transaction survives a process crash, and only a power cut can lose the last
//! commits. Writes serialize on SQLite's single write lock anyway, so the pool is
//! small and each connection waits (busy timeout) rather than failing when another
//! holds the lock.
//!
//! Writers queue in this process before they touch the file ([`SqliteDb::writing`]):
//! SQLite's own busy handler makes a blocked writer sleep and retry (1, 2, 5, … up to
//! 100 ms a try), so writers that meet at the lock wait far longer than the writes take
//! (tickets filed at 200 a second saw a p99 of 400 ms); a fair queue hands the lock on
//! the moment it is free. The busy timeout stays for other processes on the file. The
//! time a request waits here is reported to `citymirror_trust::queued`, so that its
//! client's work budget is not charged for other clients' writes.
//!
//! SQLite has no date or timestamp type: dates are `YYYY-MM-DD` text and instants
//! RFC 3339 UTC text with milliseconds, fixed width, so both sort and compare as time.

use std::{
    borrow::Cow,
    path::Path,
    sync::Arc,
    time::{Duration, Instant},
};

use citymirror_twin::RepoError;
use sqlx::{
    query::Query,
    sqlite::{
        SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
        SqliteSynchronous,
    },
    ConnectOptions as _, Sqlite, SqliteConnection,
};
use tokio::sync::{Mutex, MutexGuard, OwnedMutexGuard};

use super::{insert_head, Insert, Param, Row};
use crate::{sql, StoreError};

/// The database file's name inside the data directory.
pub const FILE_NAME: &str = "citymirror.db";

/// SQLite's default limit on bind parameters per statement (SQLITE_MAX_VARIABLE_NUMBER).
const MAX_PARAMS: usize = 32_766;
/// Rows per multi-row INSERT. Beyond a few hundred rows the per-statement overhead is
/// already negligible, and smaller statements are cheaper to prepare and cache.
const MAX_ROWS_PER_INSERT: usize = 500;

/// The pool and the queue its writers wait in.
#[derive(Debug, Clone)]
pub(crate) struct SqliteDb {
    pub pool: SqlitePool,
    writer: Arc<Mutex<()>>,
}

/// A transaction, holding the writers' queue until it ends.
#[derive(Debug)]
pub(crate) struct SqliteTx {
    pub tx: sqlx::Transaction<'static, Sqlite>,
    _writing: OwnedMutexGuard<()>,
}

impl SqliteDb {
    /// Starts a write transaction, once the writers before it are done.
    pub(crate) async fn begin(&self) -> Result<SqliteTx, sqlx::Error> {
        let asked = Instant::now();
        let writing = self.writer.clone().lock_owned().await;
        citymirror_trust::queued::add(asked.elapsed());
        Ok(SqliteTx {
            tx: self.pool.begin_with("BEGIN IMMEDIATE").await?,
            _writing: writing,
        })
    }

    /// A place in the writers' queue for a statement that writes (none for a read).
    pub(crate) async fn writing(&self, sql: &str) -> Option<MutexGuard<'_, ()>> {
        let verb = sql
            .trim_start()
            .get(..7)
            .unwrap_or_default()
            .to_ascii_uppercase();
        let writes = [
            "INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER",
        ]
        .iter()
        .any(|w| verb.starts_with(w));
        if !writes {
            return None;
        }
        let asked = Instant::now();
        let turn = self.writer.lock().await;
        citymirror_trust::queued::add(asked.elapsed());
        Some(turn)
    }
}

pub(crate) async fn open(data_dir: &Path) -> Result<SqliteDb, StoreError> {
    std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
        path: data_dir.to_owned(),
        source,
    })?;
    let path = data_dir.join(FILE_NAME);
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        // A bulk write of half a million rows holds the write lock for seconds.
        .busy_timeout(Duration::from_secs(30))
        // 32 MiB of page cache per connection keeps index pages hot during bulk loads.
        .pragma("cache_size", "-32768")
        // Reading the file through a memory map skips a copy per page; loading a
        // layer at start-up reads every page of its table.
        .pragma("mmap_size", "268435456")
        // Multi-row INSERTs make statements of tens of kilobytes; logging each one
        // would drown the log. The store traces its own timings instead.
        .disable_statement_logging();
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await
        .map_err(|source| StoreError::Sqlite {
            path: path.clone(),
            source,
        })?;
    tracing::debug!(path = %path.display(), "opened SQLite store");
    Ok(SqliteDb {
        pool,
        writer: Arc::new(Mutex::new(())),
    })
}

pub(super) type SqliteQuery<'q> = Query<'q, Sqlite, SqliteArguments<'q>>;

/// `sql` with `params` bound in order.
pub(super) fn build<'q>(sql: &'q str, params: Vec<Param<'q>>) -> SqliteQuery<'q> {
    params.into_iter().fold(sqlx::query(sql), bind)
}

fn bind<'q>(q: SqliteQuery<'q>, p: Param<'q>) -> SqliteQuery<'q> {
    match p {
        Param::Int(v) => q.bind(v),
        Param::Float(v) => q.bind(v),
        Param::Bool(v) => q.bind(v),
        Param::Text(v) => q.bind(v),
        Param::Bytes(None) => q.bind(None::<&[u8]>),
        Param::Bytes(Some(Cow::Borrowed(b))) => q.bind(b),
        Param::Bytes(Some(Cow::Owned(b))) => q.bind(b),
        Param::Date(v) => q.bind(v.map(|d| d.format("%Y-%m-%d").to_string())),
        Param::Time(v) => q.bind(v.map(|t| sql::format_timestamp(sql::truncate_millis(t)))),
    }
}

/// Multi-row `INSERT … VALUES (…), (…)`, as many rows per statement as the parameter
/// limit allows (up to [`MAX_ROWS_PER_INSERT`]), all in the caller's transaction.
pub(super) async fn insert_rows<'a, T: Sync>(
    tx: &mut SqliteConnection,
    insert: Insert<'_, 'a, T>,
) -> Result<Vec<Row>, RepoError> {
    let (items, tail) = (insert.items, insert.tail);
    let ncols = insert.columns.len();
    let per_stmt = (MAX_PARAMS / ncols).clamp(1, MAX_ROWS_PER_INSERT);
    let head = insert_head(insert.table, insert.columns);
    let full_sql = values_statement(&head, ncols, per_stmt.min(items.len()), tail);
    let mut out = Vec::new();
    let mut params = Vec::with_capacity(per_stmt * ncols);
    for chunk in items.chunks(per_stmt) {
        let tail_sql;
        let text = if chunk.len() == per_stmt.min(items.len()) {
            &full_sql
        } else {
            tail_sql = values_statement(&head, ncols, chunk.len(), tail);
            &tail_sql
        };
        insert.push(chunk, &mut params)?;
        let q = build(text, std::mem::take(&mut params));
        let rows = q.fetch_all(&mut *tx).await.map_err(insert.fail)?;
        out.extend(rows.into_iter().map(Row::Sqlite));
    }
    Ok(out)
}

/// `head VALUES (?,?), (?,?) tail` for `nrows` rows of `ncols` columns.
///
/// Anonymous `?` rather than `$n`: SQLite finds a named or numbered parameter by
/// searching the statement's list of them, so thousands of `$n` in one statement cost
/// time quadratic in their number (a full-scale generation took fifteen times longer),
/// while each `?` just takes the next number.
fn values_statement(head: &str, ncols: usize, nrows: usize, tail: &str) -> String {
    let mut sql = String::with_capacity(head.len() + tail.len() + nrows * (ncols * 2 + 4));
    sql.push_str(head);
    sql.push_str(" VALUES ");
    for r in 0..nrows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..ncols {
            if c > 0 {
                sql.push(',');
            }
            sql.push('?');
        }
        sql.push(')');
    }
    if !tail.is_empty() {
        sql.push(' ');
        sql.push_str(tail);
    }
    sql
}

/// The columns of the table named by `$1`: (name, declared type), in order.
pub(super) const DESCRIBE_TABLE: &str = "SELECT name, type FROM pragma_table_info($1) ORDER BY cid";

/// One line per column, index and trigger (see `Db::describe_schema`).
pub(super) const DESCRIBE_SCHEMA: &str = "\
    SELECT 'table ' || m.name || ' ' || c.name || ' ' || c.type \
        || CASE WHEN c.\"notnull\" THEN ' not null' ELSE '' END \
        || CASE WHEN c.pk > 0 THEN ' pk' ELSE '' END \
        || CASE WHEN c.pk > 0 AND m.sql LIKE '%AUTOINCREMENT%' THEN ' autoincrement' ELSE '' END \
        || COALESCE(' default ' || c.dflt_value, '') \
    FROM sqlite_master m, pragma_table_info(m.name) c \
    WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations' \
    UNION ALL \
    SELECT 'index ' || m.name || ' on ' || m.tbl_name || ' (' || \
        (SELECT group_concat(name, ', ') FROM pragma_index_info(m.name)) || ')' \
    FROM sqlite_master m WHERE m.type = 'index' AND m.tbl_name <> '_sqlx_migrations' \
    UNION ALL \
    SELECT 'foreign key ' || m.name || ' (' || f.\"from\" || ') references ' || f.\"table\" \
        || ' (' || f.\"to\" || ') on delete ' || f.on_delete \
    FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table' \
    UNION ALL \
    SELECT 'trigger ' || m.name || ' on ' || m.tbl_name \
    FROM sqlite_master m WHERE m.type = 'trigger'";

/// `EXPLAIN QUERY PLAN` answers a row per step: (id, parent, unused, detail).
pub(super) const EXPLAIN: (&str, usize) = ("EXPLAIN QUERY PLAN", 3);

#[cfg(test)]
mod tests {
    use citymirror_trust::queued::measure;

    use super::*;

    #[test]
    fn rows_are_numbered_across_the_statement() {
        assert_eq!(
            values_statement("INSERT INTO \"meta\" (\"key\", \"value\")", 2, 2, ""),
            "INSERT INTO \"meta\" (\"key\", \"value\") VALUES (?,?), (?,?)"
        );
        assert_eq!(
            values_statement("INSERT INTO t (\"a\")", 1, 1, "RETURNING id"),
            "INSERT INTO t (\"a\") VALUES (?) RETURNING id"
        );
    }

    #[tokio::test]
    async fn a_writer_waiting_for_its_turn_reports_the_wait() {
        let dir = tempfile::tempdir().unwrap();
        let db = open(dir.path()).await.unwrap();
        let first = db.begin().await.unwrap();
        let next = db.clone();
        let waiting = tokio::spawn(measure(async move {
            drop(next.begin().await.unwrap());
        }));
        tokio::time::sleep(Duration::from_millis(150)).await;
        drop(first); // rolls back, and hands the turn on
        let ((), queued) = waiting.await.unwrap();
        assert!(queued >= Duration::from_millis(140), "{queued:?}");
        // A writer that finds no one before it waits for nothing.
        let ((), queued) = measure(async { drop(db.begin().await.unwrap()) }).await;
        assert!(queued < Duration::from_millis(50), "{queued:?}");
    }
}
