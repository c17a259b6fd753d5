//! The SQLite backend: one file, `<data_dir>/citymirror.db`, for a single server.
//!
//! The database runs in WAL mode so that readers (start-up loading, record queries)
//! never wait for a writer, with `synchronous=NORMAL`: in WAL mode a committed
//! transaction survives a process crash, and only a power cut can lose the last
//! commits. Writes serialize on SQLite's single write lock anyway, so the pool is
//! small and each connection waits (busy timeout) rather than failing when another
//! holds the lock.

use std::{path::Path, time::Duration};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use citymirror_core::{records::RecordSchema, LayerId, PropType, PropertyDef, Value};
use citymirror_twin::{Feature, FeatureId, RecordRepo, RepoError, TwinRepo};
use futures_util::TryStreamExt as _;
use sqlx::{
    query::Query,
    sqlite::{
        SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
        SqliteRow, SqliteSynchronous,
    },
    ConnectOptions as _, Row as _, Sqlite,
};

use crate::{
    sql::{self, backend, Cell, Dialect, FeatureRow, PrefixRange, RecordFilter},
    Column, StoreError,
};

mod audit;
mod trust;

/// The database file's name inside the data directory.
pub const FILE_NAME: &str = "citymirror.db";

/// SQLite's default limit on bind parameters per statement (SQLITE_MAX_VARIABLE_NUMBER).
const MAX_PARAMS: usize = 32_766;
/// Rows per multi-row INSERT. Beyond a few hundred rows the per-statement overhead is
/// already negligible, and smaller statements are cheaper to prepare and cache.
const MAX_ROWS_PER_INSERT: usize = 500;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

const D: Dialect = Dialect::Sqlite;

type SqliteQuery<'q> = Query<'q, Sqlite, SqliteArguments<'q>>;

#[derive(Debug, Clone)]
pub(crate) struct SqliteStore {
    pool: SqlitePool,
}

pub(crate) async fn open(data_dir: &Path) -> Result<SqliteStore, StoreError> {
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
    MIGRATOR
        .run(&pool)
        .await
        .map_err(|source| StoreError::Migrate {
            backend: "SQLite",
            source,
        })?;
    tracing::debug!(path = %path.display(), "opened SQLite store");
    Ok(SqliteStore { pool })
}

impl SqliteStore {
    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) async fn describe_table(&self, table: &str) -> Result<Vec<Column>, StoreError> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT name, type FROM pragma_table_info(?) ORDER BY cid")
                .bind(table)
                .fetch_all(&self.pool)
                .await
                .map_err(StoreError::Query)?;
        Ok(rows
            .into_iter()
            .map(|(name, sql_type)| Column { name, sql_type })
            .collect())
    }

    /// Inserts `rows` rows of `ncols` columns in one transaction, in multi-row
    /// statements; `bind` adds one row's values to a statement.
    async fn insert_rows<'a, T, F>(
        &self,
        table: &str,
        columns: &[&str],
        items: &'a [T],
        bind: F,
    ) -> Result<(), RepoError>
    where
        F: for<'q> Fn(SqliteQuery<'q>, &'q T) -> Result<SqliteQuery<'q>, RepoError>,
    {
        if items.is_empty() {
            return Ok(());
        }
        let per_stmt = (MAX_PARAMS / columns.len()).clamp(1, MAX_ROWS_PER_INSERT);
        let full_sql = sql::insert_values(D, table, columns, per_stmt.min(items.len()));
        // BEGIN IMMEDIATE takes the write lock up front (waiting for it under the busy
        // timeout) instead of failing mid-transaction when another writer got there first.
        let mut tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend(format_args!("cannot start a write to `{table}`")))?;
        for chunk in items.chunks(per_stmt) {
            let tail_sql;
            let sql_text = if chunk.len() == per_stmt.min(items.len()) {
                &full_sql
            } else {
                tail_sql = sql::insert_values(D, table, columns, chunk.len());
                &tail_sql
            };
            let mut q = sqlx::query(sql_text);
            for item in chunk {
                q = bind(q, item)?;
            }
            q.execute(&mut *tx)
                .await
                .map_err(backend(format_args!("cannot insert into `{table}`")))?;
        }
        tx.commit()
            .await
            .map_err(backend(format_args!("cannot commit to `{table}`")))?;
        Ok(())
    }

    /// Which rows a page of `schema` under `range` is taken from (see
    /// [`PrefixRange::covers`]).
    async fn record_filter<'r>(
        &self,
        schema: &RecordSchema,
        range: Option<&'r PrefixRange>,
    ) -> Result<RecordFilter<'r>, RepoError> {
        let Some(range) = range else {
            return Ok(RecordFilter::All);
        };
        sql::check_grid_field(schema)?;
        let (min, max): (Option<String>, Option<String>) =
            sqlx::query_as(&sql::grid_code_bounds(schema))
                .fetch_one(&self.pool)
                .await
                .map_err(backend(format_args!(
                    "cannot read the grid codes of `{}`",
                    schema.name
                )))?;
        Ok(match range.covers(min.as_deref(), max.as_deref()) {
            true => RecordFilter::Coded,
            false => RecordFilter::Range(range),
        })
    }

    /// SQLite's plan for a first page of [`RecordRepo::list_records`], one line per step.
    pub(crate) async fn records_query_plan(
        &self,
        schema: &'static RecordSchema,
        grid_prefix: &str,
    ) -> Result<String, RepoError> {
        let range = PrefixRange::new(grid_prefix);
        let filter = self.record_filter(schema, range.as_ref()).await?;
        let text = format!(
            "EXPLAIN QUERY PLAN {}",
            sql::list_records(D, schema, filter)
        );
        let mut q = sqlx::query_as::<_, (i64, i64, i64, String)>(&text);
        for bound in filter.bounds() {
            q = q.bind(bound);
        }
        let steps = q
            .bind(0i64)
            .bind(100i64)
            .fetch_all(&self.pool)
            .await
            .map_err(backend("cannot explain the records query"))?;
        Ok(steps
            .into_iter()
            .map(|(.., detail)| detail)
            .collect::<Vec<_>>()
            .join("\n"))
    }
}

fn bind_cell<'q>(q: SqliteQuery<'q>, cell: &Cell<'q>) -> SqliteQuery<'q> {
    match *cell {
        Cell::Text(v) => q.bind(v),
        Cell::Int(v) => q.bind(v),
        Cell::Float(v) => q.bind(v),
        Cell::Bool(v) => q.bind(v),
        Cell::Date(v) => q.bind(v.map(|d| d.format("%Y-%m-%d").to_string())),
    }
}

fn bind_feature<'q>(q: SqliteQuery<'q>, row: FeatureRow<'q>) -> SqliteQuery<'q> {
    let [minx, miny, maxx, maxy] = row.bbox;
    let mut q = q
        .bind(row.id)
        .bind(row.wkb)
        .bind(minx)
        .bind(miny)
        .bind(maxx)
        .bind(maxy)
        .bind(sql::format_timestamp(row.updated_at));
    for cell in &row.props {
        q = bind_cell(q, cell);
    }
    q
}

fn read_value(row: &SqliteRow, i: usize, def: &PropertyDef) -> Result<Value, RepoError> {
    let corrupt = |e: sqlx::Error| RepoError::Corrupt(format!("column `{}`: {e}", def.name));
    Ok(match def.ty {
        PropType::Text => row.try_get::<Option<String>, _>(i).map_err(corrupt)?.into(),
        PropType::Int => row.try_get::<Option<i64>, _>(i).map_err(corrupt)?.into(),
        PropType::Float => row.try_get::<Option<f64>, _>(i).map_err(corrupt)?.into(),
        PropType::Bool => row
            .try_get::<Option<bool>, _>(i)
            .map_err(corrupt)?
            .map_or(Value::Null, Value::Bool),
        PropType::Date => match row.try_get::<Option<&str>, _>(i).map_err(corrupt)? {
            Some(s) => Value::Date(sql::parse_date(def.name, s)?),
            None => Value::Null,
        },
    })
}

fn read_record(schema: &RecordSchema, row: &SqliteRow) -> Result<Vec<Value>, RepoError> {
    schema
        .fields
        .iter()
        .enumerate()
        .map(|(i, def)| read_value(row, i, def))
        .collect()
}

/// A column of a trust or audit row by name.
fn column<'r, T>(row: &'r SqliteRow, name: &str) -> Result<T, RepoError>
where
    T: sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite>,
{
    row.try_get(name)
        .map_err(|e| RepoError::Corrupt(format!("column `{name}`: {e}")))
}

/// A timestamp as stored: RFC 3339 UTC text with milliseconds.
fn text_time(t: DateTime<Utc>) -> String {
    sql::format_timestamp(sql::truncate_millis(t))
}

fn time(row: &SqliteRow, name: &str) -> Result<DateTime<Utc>, RepoError> {
    sql::parse_timestamp(column(row, name)?)
}

fn opt_time(row: &SqliteRow, name: &str) -> Result<Option<DateTime<Utc>>, RepoError> {
    column::<Option<&str>>(row, name)?
        .map(sql::parse_timestamp)
        .transpose()
}

fn read_feature(layer: LayerId, row: &SqliteRow) -> Result<Feature, RepoError> {
    let corrupt = |e: sqlx::Error| RepoError::Corrupt(format!("layer `{layer}`: {e}"));
    let id: i64 = row.try_get(0).map_err(corrupt)?;
    let geometry = sql::decode_geometry(id, row.try_get::<&[u8], _>(1).map_err(corrupt)?)?;
    let updated_at = sql::parse_timestamp(row.try_get::<&str, _>(2).map_err(corrupt)?)?;
    let props = layer
        .schema()
        .properties
        .iter()
        .enumerate()
        .map(|(i, def)| read_value(row, sql::SELECT_LAYER_FIXED + i, def))
        .collect::<Result<_, _>>()?;
    Ok(Feature {
        id,
        geometry,
        props,
        updated_at,
    })
}

#[async_trait]
impl TwinRepo for SqliteStore {
    async fn load_layer(&self, layer: LayerId) -> Result<Vec<Feature>, RepoError> {
        let sql_text = sql::select_layer(layer);
        let mut rows = sqlx::query(&sql_text).fetch(&self.pool);
        let mut out = Vec::new();
        while let Some(row) = rows
            .try_next()
            .await
            .map_err(backend(format_args!("cannot read layer `{layer}`")))?
        {
            out.push(read_feature(layer, &row)?);
        }
        Ok(out)
    }

    async fn get_feature(
        &self,
        layer: LayerId,
        id: FeatureId,
    ) -> Result<Option<Feature>, RepoError> {
        sqlx::query(&sql::select_feature(D, layer))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend(format_args!("cannot read {layer} {id}")))?
            .map(|row| read_feature(layer, &row))
            .transpose()
    }

    async fn insert_features(&self, layer: LayerId, features: &[Feature]) -> Result<(), RepoError> {
        let columns = sql::layer_columns(layer);
        self.insert_rows(layer.as_str(), &columns, features, |q, f| {
            Ok(bind_feature(q, FeatureRow::new(layer, f)?))
        })
        .await
    }

    async fn replace_feature(&self, layer: LayerId, feature: &Feature) -> Result<bool, RepoError> {
        let sql_text = sql::update_feature(D, layer);
        let row = FeatureRow::new(layer, feature)?;
        let id = row.id;
        // The UPDATE binds every column but id first, then id for the WHERE clause.
        let [minx, miny, maxx, maxy] = row.bbox;
        let mut q = sqlx::query(&sql_text)
            .bind(&row.wkb[..])
            .bind(minx)
            .bind(miny)
            .bind(maxx)
            .bind(maxy)
            .bind(sql::format_timestamp(row.updated_at));
        for cell in &row.props {
            q = bind_cell(q, cell);
        }
        let done = q
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(backend(format_args!(
                "cannot replace feature {id} in `{layer}`"
            )))?;
        Ok(done.rows_affected() > 0)
    }

    async fn delete_feature(&self, layer: LayerId, id: FeatureId) -> Result<bool, RepoError> {
        let done = sqlx::query(&sql::delete_feature(D, layer))
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(backend(format_args!(
                "cannot delete feature {id} from `{layer}`"
            )))?;
        Ok(done.rows_affected() > 0)
    }

    async fn max_feature_id(&self, layer: LayerId) -> Result<FeatureId, RepoError> {
        sqlx::query_scalar(&sql::max_id(layer.as_str()))
            .fetch_one(&self.pool)
            .await
            .map_err(backend(format_args!(
                "cannot read the highest id of `{layer}`"
            )))
    }

    async fn reserve_feature_ids(&self, layer: LayerId, n: u64) -> Result<FeatureId, RepoError> {
        sqlx::query_scalar(&sql::reserve_ids(D, layer.as_str()))
            .bind(layer.as_str())
            .bind(n as i64)
            .fetch_one(&self.pool)
            .await
            .map_err(backend(format_args!("cannot reserve ids for `{layer}`")))
    }

    async fn count_features(&self, layer: LayerId) -> Result<u64, RepoError> {
        let n: i64 = sqlx::query_scalar(&sql::count(layer.as_str()))
            .fetch_one(&self.pool)
            .await
            .map_err(backend(format_args!("cannot count `{layer}`")))?;
        Ok(n.max(0) as u64)
    }

    async fn set_meta(&self, key: &str, value: &str) -> Result<(), RepoError> {
        sqlx::query(&sql::set_meta(D))
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await
            .map_err(backend(format_args!("cannot set meta `{key}`")))?;
        Ok(())
    }

    async fn get_meta(&self, key: &str) -> Result<Option<String>, RepoError> {
        sqlx::query_scalar(&sql::get_meta(D))
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend(format_args!("cannot read meta `{key}`")))
    }
}

#[async_trait]
impl RecordRepo for SqliteStore {
    async fn insert_records(
        &self,
        schema: &'static RecordSchema,
        rows: &[Vec<Value>],
    ) -> Result<(), RepoError> {
        let columns = sql::record_columns(schema);
        self.insert_rows(schema.name, &columns, rows, |mut q, row| {
            for cell in sql::record_cells(schema, row)? {
                q = bind_cell(q, &cell);
            }
            Ok(q)
        })
        .await
    }

    async fn count_records(&self, schema: &'static RecordSchema) -> Result<u64, RepoError> {
        let n: i64 = sqlx::query_scalar(&sql::count(schema.name))
            .fetch_one(&self.pool)
            .await
            .map_err(backend(format_args!("cannot count `{}`", schema.name)))?;
        Ok(n.max(0) as u64)
    }

    async fn find_records(
        &self,
        schema: &'static RecordSchema,
        field: &str,
        value: &Value,
        limit: u32,
    ) -> Result<Vec<Vec<Value>>, RepoError> {
        let def = schema.field(field).ok_or_else(|| {
            RepoError::Backend(format!("`{}` has no field `{field}`", schema.name))
        })?;
        let value = sql::search_value(def, value)?;
        let sql_text = sql::find_records(D, schema, field, value.is_null());
        let mut q = sqlx::query(&sql_text);
        if !value.is_null() {
            q = bind_cell(q, &Cell::new(def, &value)?);
        }
        let rows = q
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(backend(format_args!("cannot search `{}`", schema.name)))?;
        rows.iter().map(|row| read_record(schema, row)).collect()
    }

    async fn list_records(
        &self,
        schema: &'static RecordSchema,
        grid_prefix: Option<&str>,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<Vec<Value>>, RepoError> {
        let range = grid_prefix.and_then(PrefixRange::new);
        let filter = self.record_filter(schema, range.as_ref()).await?;
        let sql_text = sql::list_records(D, schema, filter);
        let mut q = sqlx::query(&sql_text);
        for bound in filter.bounds() {
            q = q.bind(bound);
        }
        let rows = q
            .bind(after_id)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(backend(format_args!("cannot list `{}`", schema.name)))?;
        rows.iter().map(|row| read_record(schema, row)).collect()
    }

    async fn get_record(
        &self,
        schema: &'static RecordSchema,
        id: i64,
    ) -> Result<Option<Vec<Value>>, RepoError> {
        sqlx::query(&sql::get_record(D, schema))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend(format_args!("cannot read {} {id}", schema.name)))?
            .map(|row| read_record(schema, &row))
            .transpose()
    }

    async fn count_records_in(
        &self,
        schema: &'static RecordSchema,
        grid_prefix: &str,
    ) -> Result<u64, RepoError> {
        let range = PrefixRange::new(grid_prefix);
        let filter = self.record_filter(schema, range.as_ref()).await?;
        let sql_text = sql::count_records_in(D, schema, filter);
        let mut q = sqlx::query_scalar::<_, i64>(&sql_text);
        for bound in filter.bounds() {
            q = q.bind(bound);
        }
        let n = q
            .fetch_one(&self.pool)
            .await
            .map_err(backend(format_args!("cannot count `{}`", schema.name)))?;
        Ok(n.max(0) as u64)
    }
}
