//! PostgreSQL, for shared deployments and for SQL users.
//!
//! Bulk inserts send each column as one array and let the server unnest them
//! (`INSERT … SELECT * FROM unnest($1::bigint[], …)`): one statement carries
//! thousands of rows with a handful of parameters, so there is no bind-parameter limit
//! to chunk around and no per-row round trip, and it runs inside the ordinary
//! transaction (unlike a separate COPY protocol exchange).

use std::{borrow::Cow, str::FromStr as _, time::Duration};

use chrono::{DateTime, NaiveDate, Utc};
use citymirror_twin::RepoError;
use sqlx::{
    postgres::{PgArguments, PgConnectOptions, PgPool, PgPoolOptions},
    query::Query,
    ConnectOptions as _, PgConnection, Postgres,
};

use super::{insert_head, Insert, Param, Row, SqlType};
use crate::{redact_url, sql, StoreError};

/// Rows per `unnest` statement: large enough that round trips do not matter, small
/// enough that one statement's arrays stay a few megabytes.
const ROWS_PER_INSERT: usize = 10_000;

pub(crate) async fn open(url: &str) -> Result<PgPool, StoreError> {
    let shown = redact_url(url);
    let bad_url = |reason: String| StoreError::PostgresUrl {
        url: shown.clone(),
        reason,
    };
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(bad_url("it does not start with postgres://".into()));
    }
    let options = PgConnectOptions::from_str(url)
        .map_err(|e| bad_url(e.to_string()))?
        // Statements carry megabytes of arrays; the store traces its own timings.
        .disable_statement_logging();
    let pool = PgPoolOptions::new()
        .max_connections(8)
        // Keeps retrying for a while, so a server that is still starting (as under
        // docker compose) is waited for; a wrong host or port fails after that.
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await
        .map_err(|source| StoreError::Postgres {
            url: shown.clone(),
            source,
        })?;
    tracing::debug!(url = %shown, "opened PostgreSQL store");
    Ok(pool)
}

pub(super) type PgQuery<'q> = Query<'q, Postgres, PgArguments>;

/// `sql` with `params` bound in order.
pub(super) fn build<'q>(sql: &'q str, params: Vec<Param<'q>>) -> PgQuery<'q> {
    params.into_iter().fold(sqlx::query(sql), bind)
}

fn bind<'q>(q: PgQuery<'q>, p: Param<'q>) -> PgQuery<'q> {
    match p {
        Param::Int(v) => q.bind(v),
        Param::Float(v) => q.bind(v),
        Param::Bool(v) => q.bind(v),
        Param::Text(v) => q.bind(v),
        Param::Bytes(v) => q.bind(v.map(Cow::into_owned)),
        Param::Date(v) => q.bind(v),
        Param::Time(v) => q.bind(v.map(sql::truncate_millis)),
    }
}

/// The array type a column of `ty` is sent as.
fn array_type(ty: SqlType) -> &'static str {
    match ty {
        SqlType::Int => "bigint[]",
        SqlType::Float => "float8[]",
        SqlType::Bool => "boolean[]",
        SqlType::Text => "text[]",
        SqlType::Bytes => "bytea[]",
        SqlType::Date => "date[]",
        SqlType::Time => "timestamptz[]",
    }
}

/// Binds column `c` of the row-major `params` (rows of `ncols`) as one array.
fn bind_column<'q>(
    q: PgQuery<'q>,
    params: &'q [Param<'q>],
    ncols: usize,
    c: usize,
    ty: SqlType,
) -> PgQuery<'q> {
    let cells = params.iter().skip(c).step_by(ncols);
    // `Insert::push` checked every value's type against its column, so nothing is lost
    // by the `filter_map`s: each keeps every cell.
    macro_rules! array {
        ($variant:ident, $conv:expr) => {
            cells
                .filter_map(|p| match p {
                    Param::$variant(v) => Some($conv(v)),
                    _ => None,
                })
                .collect::<Vec<_>>()
        };
    }
    match ty {
        SqlType::Int => q.bind(array!(Int, |v: &Option<i64>| *v)),
        SqlType::Float => q.bind(array!(Float, |v: &Option<f64>| *v)),
        SqlType::Bool => q.bind(array!(Bool, |v: &Option<bool>| *v)),
        SqlType::Text => q.bind(array!(Text, |v: &'q Option<Cow<'q, str>>| v.as_deref())),
        SqlType::Bytes => q.bind(array!(Bytes, |v: &'q Option<Cow<'q, [u8]>>| v.as_deref())),
        SqlType::Date => q.bind(array!(Date, |v: &Option<NaiveDate>| *v)),
        SqlType::Time => q.bind(array!(Time, |v: &Option<DateTime<Utc>>| v
            .map(sql::truncate_millis))),
    }
}

/// `INSERT … SELECT * FROM unnest(…)` in chunks of [`ROWS_PER_INSERT`] rows, all in
/// the caller's transaction. The next chunk's values are computed while the server
/// executes the current one, so client and server work overlap instead of taking turns.
pub(super) async fn insert_rows<'a, T: Sync>(
    tx: &mut PgConnection,
    insert: Insert<'_, 'a, T>,
) -> Result<Vec<Row>, RepoError> {
    let columns = insert.columns;
    let ncols = columns.len();
    let arrays: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, (_, ty))| format!("${}::{}", i + 1, array_type(*ty)))
        .collect();
    let sql_text = format!(
        "{} SELECT * FROM unnest({}) {}",
        insert_head(insert.table, columns),
        arrays.join(", "),
        insert.tail
    );
    let mut chunks = insert.items.chunks(ROWS_PER_INSERT);
    let mut current = Vec::new();
    if let Some(first) = chunks.next() {
        insert.push(first, &mut current)?;
    }
    let mut out = Vec::new();
    while !current.is_empty() {
        let q = columns
            .iter()
            .enumerate()
            .fold(sqlx::query(&sql_text), |q, (c, (_, ty))| {
                bind_column(q, &current, ncols, c, *ty)
            });
        let mut next = Vec::new();
        let (done, pushed) = futures_util::future::join(
            q.fetch_all(&mut *tx),
            // Synchronous work in an async block runs when join first polls it,
            // after the statement has been sent.
            async {
                match chunks.next() {
                    Some(chunk) => insert.push(chunk, &mut next),
                    None => Ok(()),
                }
            },
        )
        .await;
        out.extend(done.map_err(insert.fail)?.into_iter().map(Row::Postgres));
        pushed?;
        current = next;
    }
    Ok(out)
}

/// The columns of the table named by `$1`: (name, data type), in order.
pub(super) const DESCRIBE_TABLE: &str = "\
    SELECT column_name::text, data_type::text FROM information_schema.columns \
    WHERE table_schema = current_schema() AND table_name = $1 \
    ORDER BY ordinal_position";

/// One line per column, index, constraint, trigger and function (see
/// `Db::describe_schema`). Definitions are printed with the schema's name taken out,
/// so that the same tables in two schemas describe alike.
pub(super) const DESCRIBE_SCHEMA: &str = "\
    SELECT 'table ' || c.table_name || ' ' || c.column_name || ' ' || c.data_type \
        || CASE WHEN c.is_nullable = 'NO' THEN ' not null' ELSE '' END \
        || CASE WHEN c.is_identity = 'YES' THEN ' identity ' || c.identity_generation ELSE '' END \
        || COALESCE(' collate ' || c.collation_name, '') \
        || COALESCE(' default ' || c.column_default, '') \
    FROM information_schema.columns c \
    WHERE c.table_schema = current_schema() AND c.table_name <> '_sqlx_migrations' \
    UNION ALL \
    SELECT 'index ' || replace(indexdef, current_schema() || '.', '') FROM pg_indexes \
    WHERE schemaname = current_schema() AND tablename <> '_sqlx_migrations' \
    UNION ALL \
    SELECT 'constraint ' || r.relname || ' ' || pg_get_constraintdef(k.oid) \
    FROM pg_constraint k JOIN pg_class r ON r.oid = k.conrelid \
    WHERE k.connamespace = current_schema()::regnamespace AND r.relname <> '_sqlx_migrations' \
    UNION ALL \
    SELECT 'trigger ' || replace(pg_get_triggerdef(t.oid), current_schema() || '.', '') \
    FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid \
    WHERE r.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal \
    UNION ALL \
    SELECT 'function ' || p.proname || ' ' || md5(p.prosrc) FROM pg_proc p \
    WHERE p.pronamespace = current_schema()::regnamespace";

/// `EXPLAIN` answers one line of text per row.
pub(super) const EXPLAIN: (&str, usize) = ("EXPLAIN", 0);
