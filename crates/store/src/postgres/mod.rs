//! The PostgreSQL backend, for shared deployments and for SQL users.
//!
//! Bulk inserts send each column as one array and let the server unnest them
//! (`INSERT … SELECT * FROM unnest($1::bigint[], …)`): one statement carries
//! thousands of rows with a handful of parameters, so there is no bind-parameter limit
//! to chunk around and no per-row round trip, and it runs inside the ordinary
//! transaction (unlike a separate COPY protocol exchange).

use std::{str::FromStr as _, time::Duration};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use citymirror_core::{records::RecordSchema, LayerId, PropType, PropertyDef, Value};
use citymirror_twin::{Feature, FeatureId, RecordRepo, RepoError, TwinRepo};
use futures_util::TryStreamExt as _;
use sqlx::{
    postgres::{PgArguments, PgConnectOptions, PgPool, PgPoolOptions, PgRow},
    query::Query,
    ConnectOptions as _, Postgres, Row as _,
};

use crate::{
    redact_url,
    sql::{self, backend, Cell, Dialect, FeatureRow, PrefixRange, RecordFilter},
    Column, StoreError,
};

mod audit;
mod feed;
mod trust;

/// Rows per `unnest` statement: large enough that round trips do not matter, small
/// enough that one statement's arrays stay a few megabytes.
const ROWS_PER_INSERT: usize = 10_000;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

const D: Dialect = Dialect::Postgres;

type PgQuery<'q> = Query<'q, Postgres, PgArguments>;

#[derive(Debug, Clone)]
pub(crate) struct PgStore {
    pool: PgPool,
}

pub(crate) async fn open(url: &str) -> Result<PgStore, StoreError> {
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
    MIGRATOR
        .run(&pool)
        .await
        .map_err(|source| StoreError::Migrate {
            backend: "PostgreSQL",
            source,
        })?;
    tracing::debug!(url = %shown, "opened PostgreSQL store");
    Ok(PgStore { pool })
}

/// One column of a bulk insert, as an array of its type.
enum Array<'a> {
    Text(Vec<Option<&'a str>>),
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Bool(Vec<Option<bool>>),
    Date(Vec<Option<NaiveDate>>),
    Bytes(Vec<Vec<u8>>),
    Time(Vec<DateTime<Utc>>),
}

impl<'a> Array<'a> {
    fn new(ty: PropType, cap: usize) -> Array<'a> {
        match ty {
            PropType::Text => Array::Text(Vec::with_capacity(cap)),
            PropType::Int => Array::Int(Vec::with_capacity(cap)),
            PropType::Float => Array::Float(Vec::with_capacity(cap)),
            PropType::Bool => Array::Bool(Vec::with_capacity(cap)),
            PropType::Date => Array::Date(Vec::with_capacity(cap)),
        }
    }

    fn sql_type(ty: PropType) -> &'static str {
        match ty {
            PropType::Text => "text[]",
            PropType::Int => "bigint[]",
            PropType::Float => "float8[]",
            PropType::Bool => "boolean[]",
            PropType::Date => "date[]",
        }
    }

    fn push(&mut self, cell: Cell<'a>) -> Result<(), RepoError> {
        match (self, cell) {
            (Array::Text(a), Cell::Text(v)) => a.push(v),
            (Array::Int(a), Cell::Int(v)) => a.push(v),
            (Array::Float(a), Cell::Float(v)) => a.push(v),
            (Array::Bool(a), Cell::Bool(v)) => a.push(v),
            (Array::Date(a), Cell::Date(v)) => a.push(v),
            (_, cell) => {
                return Err(RepoError::Backend(format!(
                    "internal: {cell:?} does not fit its column's type"
                )))
            }
        }
        Ok(())
    }

    fn bind(self, q: PgQuery<'a>) -> PgQuery<'a> {
        match self {
            Array::Text(a) => q.bind(a),
            Array::Int(a) => q.bind(a),
            Array::Float(a) => q.bind(a),
            Array::Bool(a) => q.bind(a),
            Array::Date(a) => q.bind(a),
            Array::Bytes(a) => q.bind(a),
            Array::Time(a) => q.bind(a),
        }
    }
}

/// The array types of a layer table's columns, in table order.
fn layer_array_types(layer: LayerId) -> Vec<&'static str> {
    let mut types = vec![
        "bigint[]",
        "bytea[]",
        "float8[]",
        "float8[]",
        "float8[]",
        "float8[]",
        "timestamptz[]",
    ];
    types.extend(
        layer
            .schema()
            .properties
            .iter()
            .map(|p| Array::sql_type(p.ty)),
    );
    types
}

/// A chunk of features as one array per column.
fn feature_arrays(layer: LayerId, chunk: &[Feature]) -> Result<Vec<Array<'_>>, RepoError> {
    let n = chunk.len();
    let mut ids = Vec::with_capacity(n);
    let mut geoms = Vec::with_capacity(n);
    let mut bbox: [Vec<Option<f64>>; 4] = std::array::from_fn(|_| Vec::with_capacity(n));
    let mut times = Vec::with_capacity(n);
    let mut props: Vec<Array> = layer
        .schema()
        .properties
        .iter()
        .map(|p| Array::new(p.ty, n))
        .collect();
    for f in chunk {
        let row = FeatureRow::new(layer, f)?;
        ids.push(Some(row.id));
        geoms.push(row.wkb);
        for (col, v) in bbox.iter_mut().zip(row.bbox) {
            col.push(Some(v));
        }
        times.push(row.updated_at);
        for (col, cell) in props.iter_mut().zip(row.props) {
            col.push(cell)?;
        }
    }
    let [minx, miny, maxx, maxy] = bbox;
    let mut arrays = vec![
        Array::Int(ids),
        Array::Bytes(geoms),
        Array::Float(minx),
        Array::Float(miny),
        Array::Float(maxx),
        Array::Float(maxy),
        Array::Time(times),
    ];
    arrays.extend(props);
    Ok(arrays)
}

/// A chunk of record rows as one array per field.
fn record_arrays<'a>(
    schema: &RecordSchema,
    chunk: &'a [Vec<Value>],
) -> Result<Vec<Array<'a>>, RepoError> {
    let mut arrays: Vec<Array> = schema
        .fields
        .iter()
        .map(|f| Array::new(f.ty, chunk.len()))
        .collect();
    for row in chunk {
        for (col, cell) in arrays.iter_mut().zip(sql::record_cells(schema, row)?) {
            col.push(cell)?;
        }
    }
    Ok(arrays)
}

/// `INSERT INTO table (columns) SELECT * FROM unnest($1::type[], …)`.
fn insert_unnest(table: &str, columns: &[&str], array_types: &[&str]) -> String {
    let params: Vec<String> = array_types
        .iter()
        .enumerate()
        .map(|(i, t)| format!("${}::{t}", i + 1))
        .collect();
    format!(
        "INSERT INTO {} ({}) SELECT * FROM unnest({})",
        sql::ident(table),
        sql::column_list(columns),
        params.join(", ")
    )
}

fn bind_cell<'q>(q: PgQuery<'q>, cell: Cell<'q>) -> PgQuery<'q> {
    match cell {
        Cell::Text(v) => q.bind(v),
        Cell::Int(v) => q.bind(v),
        Cell::Float(v) => q.bind(v),
        Cell::Bool(v) => q.bind(v),
        Cell::Date(v) => q.bind(v),
    }
}

fn read_value(row: &PgRow, i: usize, def: &PropertyDef) -> Result<Value, RepoError> {
    let corrupt = |e: sqlx::Error| RepoError::Corrupt(format!("column `{}`: {e}", def.name));
    Ok(match def.ty {
        PropType::Text => row.try_get::<Option<String>, _>(i).map_err(corrupt)?.into(),
        PropType::Int => row.try_get::<Option<i64>, _>(i).map_err(corrupt)?.into(),
        PropType::Float => row.try_get::<Option<f64>, _>(i).map_err(corrupt)?.into(),
        PropType::Bool => row
            .try_get::<Option<bool>, _>(i)
            .map_err(corrupt)?
            .map_or(Value::Null, Value::Bool),
        PropType::Date => row
            .try_get::<Option<NaiveDate>, _>(i)
            .map_err(corrupt)?
            .into(),
    })
}

fn read_record(schema: &RecordSchema, row: &PgRow) -> Result<Vec<Value>, RepoError> {
    schema
        .fields
        .iter()
        .enumerate()
        .map(|(i, def)| read_value(row, i, def))
        .collect()
}

/// A column of a trust or audit row by name.
fn column<'r, T>(row: &'r PgRow, name: &str) -> Result<T, RepoError>
where
    T: sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres>,
{
    row.try_get(name)
        .map_err(|e| RepoError::Corrupt(format!("column `{name}`: {e}")))
}

fn read_feature(layer: LayerId, row: &PgRow) -> Result<Feature, RepoError> {
    let corrupt = |e: sqlx::Error| RepoError::Corrupt(format!("layer `{layer}`: {e}"));
    let id: i64 = row.try_get(0).map_err(corrupt)?;
    let geometry = sql::decode_geometry(id, row.try_get::<&[u8], _>(1).map_err(corrupt)?)?;
    let updated_at: DateTime<Utc> = row.try_get(2).map_err(corrupt)?;
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

impl PgStore {
    /// Inserts `items` in one transaction, `ROWS_PER_INSERT` at a time through
    /// `sql_text` (an [`insert_unnest`]), with `arrays` turning a chunk into columns.
    ///
    /// The next chunk is encoded while the server executes the current one, so client
    /// and server work overlap instead of taking turns.
    async fn insert_chunks<'a, T>(
        &self,
        table: &str,
        sql_text: &str,
        items: &'a [T],
        arrays: impl Fn(&'a [T]) -> Result<Vec<Array<'a>>, RepoError>,
    ) -> Result<(), RepoError> {
        if items.is_empty() {
            return Ok(());
        }
        let mut chunks = items.chunks(ROWS_PER_INSERT);
        let mut next = chunks.next().map(&arrays).transpose()?;
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(backend(format_args!("cannot start a write to `{table}`")))?;
        while let Some(current) = next.take() {
            let mut q = sqlx::query(sql_text);
            for col in current {
                q = col.bind(q);
            }
            let (done, encoded) = futures_util::future::join(
                q.execute(&mut *tx),
                // Synchronous work in an async block runs when join first polls it,
                // after the statement has been sent.
                async { chunks.next().map(&arrays).transpose() },
            )
            .await;
            done.map_err(backend(format_args!("cannot insert into `{table}`")))?;
            next = encoded?;
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

    /// PostgreSQL's plan for a first page of [`RecordRepo::list_records`].
    pub(crate) async fn records_query_plan(
        &self,
        schema: &'static RecordSchema,
        grid_prefix: &str,
    ) -> Result<String, RepoError> {
        let range = PrefixRange::new(grid_prefix);
        let filter = self.record_filter(schema, range.as_ref()).await?;
        let text = format!("EXPLAIN {}", sql::list_records(D, schema, filter));
        let mut q = sqlx::query_scalar::<_, String>(&text);
        for bound in filter.bounds() {
            q = q.bind(bound);
        }
        let lines = q
            .bind(0i64)
            .bind(100i64)
            .fetch_all(&self.pool)
            .await
            .map_err(backend("cannot explain the records query"))?;
        Ok(lines.join("\n"))
    }

    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) async fn describe_table(&self, table: &str) -> Result<Vec<Column>, StoreError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT column_name::text, data_type::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 \
             ORDER BY ordinal_position",
        )
        .bind(table)
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::Query)?;
        Ok(rows
            .into_iter()
            .map(|(name, sql_type)| Column { name, sql_type })
            .collect())
    }
}

#[async_trait]
impl TwinRepo for PgStore {
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
        let sql_text = insert_unnest(layer.as_str(), &columns, &layer_array_types(layer));
        self.insert_chunks(layer.as_str(), &sql_text, features, |chunk| {
            feature_arrays(layer, chunk)
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
            .bind(row.wkb)
            .bind(minx)
            .bind(miny)
            .bind(maxx)
            .bind(maxy)
            .bind(row.updated_at);
        for cell in row.props {
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
impl RecordRepo for PgStore {
    async fn insert_records(
        &self,
        schema: &'static RecordSchema,
        rows: &[Vec<Value>],
    ) -> Result<(), RepoError> {
        let columns = sql::record_columns(schema);
        let types: Vec<&str> = schema
            .fields
            .iter()
            .map(|f| Array::sql_type(f.ty))
            .collect();
        let sql_text = insert_unnest(schema.name, &columns, &types);
        self.insert_chunks(schema.name, &sql_text, rows, |chunk| {
            record_arrays(schema, chunk)
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
            q = bind_cell(q, Cell::new(def, &value)?);
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

impl PgStore {
    /// The change feed between the servers on this database.
    pub(crate) async fn change_feed(&self) -> Result<feed::PgFeed, RepoError> {
        feed::PgFeed::new(self.pool.clone()).await
    }
}
