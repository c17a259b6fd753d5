//! Block data (persons, houses, entities): [`RecordRepo`], one table per record schema.

use async_trait::async_trait;
use citymirror_core::{records::RecordSchema, Value};
use citymirror_twin::{RecordRepo, RepoError};

use crate::{
    db::{query, Query},
    sql::{self, backend, PrefixRange, RecordFilter},
    Store,
};

impl Store {
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
        let row = query(sql::grid_code_bounds(schema))
            .fetch_one(&self.db)
            .await
            .map_err(backend(format_args!(
                "cannot read the grid codes of `{}`",
                schema.name
            )))?;
        let (min, max): (Option<String>, Option<String>) = (row.get(0)?, row.get(1)?);
        Ok(match range.covers(min.as_deref(), max.as_deref()) {
            true => RecordFilter::Coded,
            false => RecordFilter::Range(range),
        })
    }

    /// A page of [`RecordRepo::list_records`] as a query (see [`sql::list_records`]).
    fn page<'r>(
        schema: &'static RecordSchema,
        range: Option<&'r PrefixRange>,
        after_id: i64,
        limit: u32,
    ) -> Query<'r> {
        let Some(r) = range else {
            return query(sql::list_records(schema, None, true))
                .bind(after_id)
                .bind(i64::from(limit));
        };
        let after = after_id > 0;
        let q = RecordFilter::Range(r)
            .bounds()
            .into_iter()
            .fold(query(sql::list_records(schema, range, after)), |q, b| {
                q.bind(b)
            });
        match after {
            true => q.bind(after_id),
            false => q,
        }
        .bind(i64::from(limit))
    }

    /// How the database would fetch the page of
    /// [`list_records`](RecordRepo::list_records) for `grid_prefix` after `after_id`
    /// (0 for the first): `EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN` on PostgreSQL, one
    /// line per step. For tests and operators checking that a jurisdiction's page comes
    /// from the grid-code index.
    pub async fn records_query_plan(
        &self,
        schema: &'static RecordSchema,
        grid_prefix: &str,
        after_id: i64,
    ) -> Result<String, RepoError> {
        let range = PrefixRange::new(grid_prefix);
        let q = Store::page(schema, range.as_ref(), after_id, 100);
        Ok(self.db.explain(q).await?.join("\n"))
    }
}

#[async_trait]
impl RecordRepo for Store {
    async fn insert_records(
        &self,
        schema: &'static RecordSchema,
        rows: &[Vec<Value>],
    ) -> Result<(), RepoError> {
        self.insert_all(
            schema.name,
            &sql::record_columns(schema),
            rows,
            |row, out| sql::record_params(schema, row, out),
            "",
        )
        .await
    }

    async fn count_records(&self, schema: &'static RecordSchema) -> Result<u64, RepoError> {
        self.count(schema.name).await
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
        let mut q = query(sql::find_records(schema, field, value.is_null()));
        if !value.is_null() {
            q = q.bind(sql::cell(def, &value)?);
        }
        q.bind(i64::from(limit))
            .fetch_all(&self.db)
            .await
            .map_err(backend(format_args!("cannot search `{}`", schema.name)))?
            .iter()
            .map(|row| sql::read_record(schema, row))
            .collect()
    }

    async fn list_records(
        &self,
        schema: &'static RecordSchema,
        grid_prefix: Option<&str>,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<Vec<Value>>, RepoError> {
        let range = grid_prefix.and_then(PrefixRange::new);
        if range.is_some() {
            sql::check_grid_field(schema)?;
        }
        Store::page(schema, range.as_ref(), after_id, limit)
            .fetch_all(&self.db)
            .await
            .map_err(backend(format_args!("cannot list `{}`", schema.name)))?
            .iter()
            .map(|row| sql::read_record(schema, row))
            .collect()
    }

    async fn get_record(
        &self,
        schema: &'static RecordSchema,
        id: i64,
    ) -> Result<Option<Vec<Value>>, RepoError> {
        query(sql::get_record(schema))
            .bind(id)
            .fetch_optional(&self.db)
            .await
            .map_err(backend(format_args!("cannot read {} {id}", schema.name)))?
            .map(|row| sql::read_record(schema, &row))
            .transpose()
    }

    async fn count_records_in(
        &self,
        schema: &'static RecordSchema,
        grid_prefix: &str,
    ) -> Result<u64, RepoError> {
        let range = PrefixRange::new(grid_prefix);
        let filter = self.record_filter(schema, range.as_ref()).await?;
        let n: i64 = filter
            .bounds()
            .into_iter()
            .fold(query(sql::count_records_in(schema, filter)), |q, b| {
                q.bind(b)
            })
            .fetch_one(&self.db)
            .await
            .map_err(backend(format_args!("cannot count `{}`", schema.name)))?
            .get(0)?;
        Ok(n.max(0) as u64)
    }
}
