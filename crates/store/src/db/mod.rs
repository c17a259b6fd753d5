//! The one place where SQLite and PostgreSQL differ.
//!
//! Every repository in this crate is written once, against the small interface here:
//!
//! - [`Db`]: a connection pool of either kind; [`Tx`]: a transaction on it.
//! - [`query`]: SQL text with `$1, $2, …` placeholders (both sqlx drivers take them;
//!   SQLite reads `$n` as the n-th argument) and its [`Param`]s, executed on a `Db` or
//!   a `Tx` ([`On`]).
//! - [`Row`]: a result row, whose columns are read with [`Row::get`] into Rust types.
//!   A timestamp or a date reads back as `DateTime<Utc>` or `NaiveDate` from either
//!   backend, although SQLite stores them as text.
//! - [`Tx::insert_rows`]: bulk inserts, which is where the dialects differ most:
//!   multi-row `VALUES` on SQLite, one array per column through `unnest` on PostgreSQL.
//!
//! What differs lives in `sqlite.rs` and `postgres.rs`, each a few hundred lines: how a
//! pool is opened and tuned, how a [`Param`] is bound (SQLite keeps timestamps as
//! fixed-width RFC 3339 text so that they sort and compare as time), how a column is
//! decoded, how rows are inserted in bulk, and the catalogue queries (`describe`,
//! `explain`). The SQL that repositories write is the common subset of both: `$n`
//! placeholders, `ON CONFLICT … DO UPDATE`, `RETURNING`, row values, `CASE`, `COALESCE`.
//!
//! Why not a query builder (sea-query) or sqlx's own `Any` driver: the statements are
//! derived from the `citymirror_core` schemas already (`sql.rs`), so a builder would add
//! a dependency without removing code, and neither would take away the part that truly
//! differs (bulk inserts, typed timestamps on a backend without them); `Any` cannot bind
//! dates, timestamps or arrays at all. Why not code generic over `sqlx::Database`: every
//! function would repeat higher-ranked bounds on executors, arguments and decoders, and
//! the bulk insert would still be two functions. An enum of two pools costs one `match`
//! per statement.

use std::{borrow::Cow, fmt};

use chrono::{DateTime, NaiveDate, Utc};
use citymirror_twin::RepoError;
use futures_util::{stream::BoxStream, StreamExt as _};
use sqlx::{postgres::PgRow, sqlite::SqliteRow, ColumnIndex, PgPool};

use crate::Column;

pub(crate) mod postgres;
pub(crate) mod sqlite;

/// A connection pool on either backend. Cloning is cheap (clones share the pool).
#[derive(Debug, Clone)]
pub(crate) enum Db {
    Sqlite(sqlite::SqliteDb),
    Postgres(PgPool),
}

/// An open transaction. Dropping it without [`Tx::commit`] rolls it back.
#[derive(Debug)]
pub(crate) enum Tx {
    Sqlite(sqlite::SqliteTx),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Where a statement runs: on any connection of the pool, or inside a transaction.
#[derive(Debug)]
pub(crate) enum On<'c> {
    Pool(&'c Db),
    Tx(&'c mut Tx),
}

impl<'c> From<&'c Db> for On<'c> {
    fn from(db: &'c Db) -> On<'c> {
        On::Pool(db)
    }
}

impl<'c> From<&'c mut Tx> for On<'c> {
    fn from(tx: &'c mut Tx) -> On<'c> {
        On::Tx(tx)
    }
}

/// The type of a column: what the DDL declares and how a NULL is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SqlType {
    Int,
    Float,
    Bool,
    Text,
    Bytes,
    /// A calendar date: `DATE` on PostgreSQL, `YYYY-MM-DD` text on SQLite.
    Date,
    /// An instant, kept to the millisecond: `TIMESTAMPTZ` on PostgreSQL, RFC 3339 UTC
    /// text with milliseconds on SQLite (fixed width, so it sorts as time).
    Time,
}

impl From<citymirror_core::PropType> for SqlType {
    fn from(ty: citymirror_core::PropType) -> SqlType {
        use citymirror_core::PropType as P;
        match ty {
            P::Text => SqlType::Text,
            P::Int => SqlType::Int,
            P::Float => SqlType::Float,
            P::Bool => SqlType::Bool,
            P::Date => SqlType::Date,
        }
    }
}

/// One value bound to a placeholder. Each variant carries its type even when NULL,
/// because PostgreSQL needs typed NULLs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Param<'a> {
    Int(Option<i64>),
    Float(Option<f64>),
    Bool(Option<bool>),
    Text(Option<Cow<'a, str>>),
    Bytes(Option<Cow<'a, [u8]>>),
    Date(Option<NaiveDate>),
    Time(Option<DateTime<Utc>>),
}

impl Param<'_> {
    /// A NULL of type `ty`.
    pub(crate) fn null(ty: SqlType) -> Param<'static> {
        match ty {
            SqlType::Int => Param::Int(None),
            SqlType::Float => Param::Float(None),
            SqlType::Bool => Param::Bool(None),
            SqlType::Text => Param::Text(None),
            SqlType::Bytes => Param::Bytes(None),
            SqlType::Date => Param::Date(None),
            SqlType::Time => Param::Time(None),
        }
    }

    pub(crate) fn sql_type(&self) -> SqlType {
        match self {
            Param::Int(_) => SqlType::Int,
            Param::Float(_) => SqlType::Float,
            Param::Bool(_) => SqlType::Bool,
            Param::Text(_) => SqlType::Text,
            Param::Bytes(_) => SqlType::Bytes,
            Param::Date(_) => SqlType::Date,
            Param::Time(_) => SqlType::Time,
        }
    }
}

macro_rules! param_from {
    ($($t:ty => $variant:ident $(($conv:expr))?),* $(,)?) => {$(
        impl<'a> From<$t> for Param<'a> {
            fn from(v: $t) -> Param<'a> {
                Param::$variant(Some(v).map($($conv)?))
            }
        }
        impl<'a> From<Option<$t>> for Param<'a> {
            fn from(v: Option<$t>) -> Param<'a> {
                Param::$variant(v.map($($conv)?))
            }
        }
    )*};
}

param_from!(
    i64 => Int(std::convert::identity),
    f64 => Float(std::convert::identity),
    bool => Bool(std::convert::identity),
    &'a str => Text(Cow::Borrowed),
    String => Text(Cow::Owned),
    &'a [u8] => Bytes(Cow::Borrowed),
    Vec<u8> => Bytes(Cow::Owned),
    NaiveDate => Date(std::convert::identity),
    DateTime<Utc> => Time(std::convert::identity),
);

impl<'a> From<&'a String> for Param<'a> {
    fn from(v: &'a String) -> Param<'a> {
        Param::Text(Some(Cow::Borrowed(v)))
    }
}

/// A statement and its parameters. Build it with [`query`] and [`Query::bind`].
#[derive(Debug, Clone)]
pub(crate) struct Query<'a> {
    sql: Cow<'a, str>,
    params: Vec<Param<'a>>,
}

/// A statement with `$1, $2, …` placeholders, to bind in order.
pub(crate) fn query<'a>(sql: impl Into<Cow<'a, str>>) -> Query<'a> {
    Query {
        sql: sql.into(),
        params: Vec::new(),
    }
}

/// Runs `$body` with `$q` bound to the statement built for the backend of `$on`, and
/// `$e` to the executor (a pool or a transaction's connection).
macro_rules! on_backend {
    ($self:ident, $on:expr, |$q:ident, $e:ident| $body:expr) => {
        match $on.into() {
            On::Pool(Db::Sqlite(db)) => {
                let _writing = db.writing(&$self.sql).await;
                let $q = sqlite::build(&$self.sql, $self.params);
                let $e = &db.pool;
                $body.map(|r| r.into())
            }
            On::Tx(Tx::Sqlite(t)) => {
                let $q = sqlite::build(&$self.sql, $self.params);
                let $e = &mut *t.tx;
                $body.map(|r| r.into())
            }
            On::Pool(Db::Postgres(pool)) => {
                let $q = postgres::build(&$self.sql, $self.params);
                let $e = pool;
                $body.map(|r| r.into())
            }
            On::Tx(Tx::Postgres(tx)) => {
                let $q = postgres::build(&$self.sql, $self.params);
                let $e = &mut **tx;
                $body.map(|r| r.into())
            }
        }
    };
}

impl<'a> Query<'a> {
    pub(crate) fn bind(mut self, p: impl Into<Param<'a>>) -> Query<'a> {
        self.params.push(p.into());
        self
    }

    /// Runs the statement; the number of rows it changed.
    pub(crate) async fn execute<'c>(self, on: impl Into<On<'c>>) -> Result<u64, sqlx::Error> {
        on_backend!(self, on, |q, e| q
            .execute(e)
            .await
            .map(|done| done.rows_affected()))
    }

    pub(crate) async fn fetch_all<'c>(
        self,
        on: impl Into<On<'c>>,
    ) -> Result<Vec<Row>, sqlx::Error> {
        let rows: Vec<Row> = on_backend!(self, on, |q, e| q
            .fetch_all(e)
            .await
            .map(|rows| rows.into_iter().map(Row::from).collect::<Vec<_>>()))?;
        Ok(rows)
    }

    pub(crate) async fn fetch_optional<'c>(
        self,
        on: impl Into<On<'c>>,
    ) -> Result<Option<Row>, sqlx::Error> {
        let row: Option<Row> = on_backend!(self, on, |q, e| q
            .fetch_optional(e)
            .await
            .map(|r| r.map(Row::from)))?;
        Ok(row)
    }

    pub(crate) async fn fetch_one<'c>(self, on: impl Into<On<'c>>) -> Result<Row, sqlx::Error> {
        let row: Row = on_backend!(self, on, |q, e| q.fetch_one(e).await.map(Row::from))?;
        Ok(row)
    }

    /// The rows one by one, for results too large to hold twice (a whole layer).
    pub(crate) fn fetch<'s>(&'s self, db: &'s Db) -> BoxStream<'s, Result<Row, sqlx::Error>> {
        match db {
            Db::Sqlite(db) => sqlite::build(&self.sql, self.params.clone())
                .fetch(&db.pool)
                .map(|r| r.map(Row::Sqlite))
                .boxed(),
            Db::Postgres(pool) => postgres::build(&self.sql, self.params.clone())
                .fetch(pool)
                .map(|r| r.map(Row::Postgres))
                .boxed(),
        }
    }
}

/// A result row of either backend.
pub(crate) enum Row {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

impl fmt::Debug for Row {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // SQLite's rows have no Debug; their values are read through `get`.
        match self {
            Row::Sqlite(_) => f.write_str("Row::Sqlite"),
            Row::Postgres(_) => f.write_str("Row::Postgres"),
        }
    }
}

impl From<SqliteRow> for Row {
    fn from(r: SqliteRow) -> Row {
        Row::Sqlite(r)
    }
}

impl From<PgRow> for Row {
    fn from(r: PgRow) -> Row {
        Row::Postgres(r)
    }
}

/// A column position or name, valid on rows of both backends.
pub(crate) trait Idx:
    ColumnIndex<SqliteRow> + ColumnIndex<PgRow> + fmt::Display + Copy
{
}
impl<T: ColumnIndex<SqliteRow> + ColumnIndex<PgRow> + fmt::Display + Copy> Idx for T {}

/// A Rust type a column can be read into, from either backend.
pub(crate) trait Get<'r>: Sized {
    fn from_sqlite(row: &'r SqliteRow, i: impl Idx) -> Result<Self, RepoError>;
    fn from_postgres(row: &'r PgRow, i: impl Idx) -> Result<Self, RepoError>;
}

impl Row {
    /// Column `i` (a position or a name) as a `T`; a value that does not decode means
    /// the row was written by something else, and is reported as corrupt.
    pub(crate) fn get<'r, T: Get<'r>>(&'r self, i: impl Idx) -> Result<T, RepoError> {
        match self {
            Row::Sqlite(r) => T::from_sqlite(r, i),
            Row::Postgres(r) => T::from_postgres(r, i),
        }
    }
}

pub(crate) fn corrupt(i: impl fmt::Display, e: impl fmt::Display) -> RepoError {
    RepoError::Corrupt(format!("column `{i}`: {e}"))
}

/// Types both drivers decode the same way.
macro_rules! get_direct {
    ($($t:ty),* $(,)?) => {$(
        impl<'r> Get<'r> for $t {
            fn from_sqlite(row: &'r SqliteRow, i: impl Idx) -> Result<Self, RepoError> {
                sqlx::Row::try_get(row, i).map_err(|e| corrupt(i, e))
            }
            fn from_postgres(row: &'r PgRow, i: impl Idx) -> Result<Self, RepoError> {
                sqlx::Row::try_get(row, i).map_err(|e| corrupt(i, e))
            }
        }
    )*};
}

get_direct!(
    i64,
    Option<i64>,
    f64,
    Option<f64>,
    bool,
    Option<bool>,
    String,
    Option<String>,
    &'r str,
    Option<&'r str>,
    Vec<u8>,
    Option<Vec<u8>>,
    &'r [u8],
);

/// Types SQLite keeps as text: read as text there and parsed, natively on PostgreSQL.
macro_rules! get_textual {
    ($t:ty, $parse:expr) => {
        impl<'r> Get<'r> for $t {
            fn from_sqlite(row: &'r SqliteRow, i: impl Idx) -> Result<Self, RepoError> {
                let text: &str = sqlx::Row::try_get(row, i).map_err(|e| corrupt(i, e))?;
                $parse(i, text)
            }
            fn from_postgres(row: &'r PgRow, i: impl Idx) -> Result<Self, RepoError> {
                sqlx::Row::try_get(row, i).map_err(|e| corrupt(i, e))
            }
        }
        impl<'r> Get<'r> for Option<$t> {
            fn from_sqlite(row: &'r SqliteRow, i: impl Idx) -> Result<Self, RepoError> {
                let text: Option<&str> = sqlx::Row::try_get(row, i).map_err(|e| corrupt(i, e))?;
                text.map(|t| $parse(i, t)).transpose()
            }
            fn from_postgres(row: &'r PgRow, i: impl Idx) -> Result<Self, RepoError> {
                sqlx::Row::try_get(row, i).map_err(|e| corrupt(i, e))
            }
        }
    };
}

fn parse_time(_: impl Idx, text: &str) -> Result<DateTime<Utc>, RepoError> {
    crate::sql::parse_timestamp(text)
}

fn parse_date(i: impl Idx, text: &str) -> Result<NaiveDate, RepoError> {
    crate::sql::parse_date(&i.to_string(), text)
}

get_textual!(DateTime<Utc>, parse_time);
get_textual!(NaiveDate, parse_date);

impl Db {
    /// `"sqlite"` or `"postgres"`.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Starts a transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`, waiting under the busy timeout) instead of failing half-way
    /// through when another writer got there first.
    pub(crate) async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(db) => Tx::Sqlite(db.begin().await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    pub(crate) async fn close(&self) {
        match self {
            Db::Sqlite(db) => db.pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }

    /// The columns of `table` in order, as the database reports them.
    pub(crate) async fn describe_table(&self, table: &str) -> Result<Vec<Column>, RepoError> {
        let sql = match self {
            Db::Sqlite(_) => sqlite::DESCRIBE_TABLE,
            Db::Postgres(_) => postgres::DESCRIBE_TABLE,
        };
        query(sql)
            .bind(table)
            .fetch_all(self)
            .await
            .map_err(crate::sql::backend(format_args!(
                "cannot describe `{table}`"
            )))?
            .iter()
            .map(|row| {
                Ok(Column {
                    name: row.get(0)?,
                    sql_type: row.get(1)?,
                })
            })
            .collect()
    }

    /// Every table, index and trigger of the store, one line each, sorted: what two
    /// databases must agree on to be the same schema.
    pub(crate) async fn describe_schema(&self) -> Result<Vec<String>, RepoError> {
        let sql = match self {
            Db::Sqlite(_) => sqlite::DESCRIBE_SCHEMA,
            Db::Postgres(_) => postgres::DESCRIBE_SCHEMA,
        };
        let mut lines = query(sql)
            .fetch_all(self)
            .await
            .map_err(crate::sql::backend("cannot describe the schema"))?
            .iter()
            .map(|row| row.get(0))
            .collect::<Result<Vec<String>, _>>()?;
        lines.sort();
        Ok(lines)
    }

    /// How the database would run `q`, one line per step.
    pub(crate) async fn explain(&self, q: Query<'_>) -> Result<Vec<String>, RepoError> {
        let (prefix, column) = match self {
            Db::Sqlite(_) => sqlite::EXPLAIN,
            Db::Postgres(_) => postgres::EXPLAIN,
        };
        let q = Query {
            sql: format!("{prefix} {}", q.sql).into(),
            params: q.params,
        };
        q.fetch_all(self)
            .await
            .map_err(crate::sql::backend("cannot explain a query"))?
            .iter()
            .map(|row| row.get(column))
            .collect()
    }
}

/// The columns of a bulk insert, in order, with their types (PostgreSQL sends each
/// column as one typed array, even when all its values are NULL).
pub(crate) type Columns<'c> = &'c [(&'c str, SqlType)];

impl Tx {
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }

    /// Inserts one row per item into `table`, in as few statements as the backend
    /// allows, and returns what `tail` returns (`tail` follows the rows: `""`, an
    /// `ON CONFLICT …` clause, a `RETURNING …` list; it binds no parameters, since the
    /// rows take them all). `row` appends an item's values,
    /// one per column, in order; `fail` says what a failed statement means.
    pub(crate) async fn insert_rows<'a, T>(
        &mut self,
        table: &str,
        columns: Columns<'_>,
        items: &'a [T],
        row: impl Fn(&'a T, &mut Vec<Param<'a>>) -> Result<(), RepoError> + Sync,
        tail: &str,
        fail: impl Fn(sqlx::Error) -> RepoError + Sync,
    ) -> Result<Vec<Row>, RepoError>
    where
        T: Sync,
    {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let insert = Insert {
            table,
            columns,
            items,
            row: &row,
            tail,
            fail: &fail,
        };
        match self {
            Tx::Sqlite(t) => sqlite::insert_rows(&mut t.tx, insert).await,
            Tx::Postgres(tx) => postgres::insert_rows(tx, insert).await,
        }
    }
}

/// A bulk insert as the backends take it: the table and its columns, the items, the
/// function that appends one item's values, what follows the rows, and what a failed
/// statement means. [`Insert::push`] checks that each item gave one value of the right
/// type per column, so that a mistake in a repository is an error, not a shifted row.
pub(crate) struct Insert<'r, 'a, T> {
    pub table: &'r str,
    pub columns: Columns<'r>,
    pub items: &'a [T],
    #[allow(clippy::type_complexity)]
    row: &'r (dyn Fn(&'a T, &mut Vec<Param<'a>>) -> Result<(), RepoError> + Sync),
    pub tail: &'r str,
    pub fail: &'r (dyn Fn(sqlx::Error) -> RepoError + Sync),
}

impl<'a, T> Insert<'_, 'a, T> {
    /// Appends the values of `items`, row after row, to `out`.
    pub(crate) fn push(&self, items: &'a [T], out: &mut Vec<Param<'a>>) -> Result<(), RepoError> {
        for item in items {
            let start = out.len();
            (self.row)(item, out)?;
            let given = &out[start..];
            let fits = given.len() == self.columns.len()
                && given
                    .iter()
                    .zip(self.columns)
                    .all(|(p, (_, ty))| p.sql_type() == *ty);
            if !fits {
                return Err(RepoError::Backend(format!(
                    "internal: a row of {:?} does not fit the columns {:?}",
                    given, self.columns
                )));
            }
        }
        Ok(())
    }
}

/// `INSERT INTO table ("a", "b")`: the head both backends' bulk statements start with.
pub(crate) fn insert_head(table: &str, columns: Columns<'_>) -> String {
    let names: Vec<String> = columns
        .iter()
        .map(|(name, _)| crate::sql::ident(name))
        .collect();
    format!(
        "INSERT INTO {} ({})",
        crate::sql::ident(table),
        names.join(", ")
    )
}
