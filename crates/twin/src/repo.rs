use async_trait::async_trait;
use chrono::{DateTime, Utc};
use citymirror_core::{records::RecordSchema, LayerId, Value};

use crate::{Feature, FeatureId};

pub use citymirror_core::RepoError;

/// Where the twin's layers are persisted. Implemented for SQLite and PostgreSQL in
/// `citymirror-store`; both must behave the same, and the store's test suite runs
/// against each.
///
/// Every method that returns `Ok` has made its change durable (committed).
#[async_trait]
pub trait TwinRepo: Send + Sync + std::fmt::Debug {
    /// Every feature of a layer, in any order.
    async fn load_layer(&self, layer: LayerId) -> Result<Vec<Feature>, RepoError>;

    /// Inserts new features with the ids they carry, all in one transaction.
    async fn insert_features(&self, layer: LayerId, features: &[Feature]) -> Result<(), RepoError>;

    /// One feature as stored, if it is.
    async fn get_feature(
        &self,
        layer: LayerId,
        id: FeatureId,
    ) -> Result<Option<Feature>, RepoError>;

    /// Replaces a feature with the same id; `false` if there was none.
    async fn replace_feature(&self, layer: LayerId, feature: &Feature) -> Result<bool, RepoError>;

    /// Deletes a feature; `false` if there was none.
    async fn delete_feature(&self, layer: LayerId, id: FeatureId) -> Result<bool, RepoError>;

    /// The highest id in use in a layer (0 if empty).
    async fn max_feature_id(&self, layer: LayerId) -> Result<FeatureId, RepoError>;

    /// Reserves `n` new feature ids of a layer and returns the first: `first..first + n`
    /// were never handed out before by any process on this store, and lie above every
    /// stored id. The reservation is committed before it returns (ids of a write that
    /// then fails are skipped, never reused).
    async fn reserve_feature_ids(&self, layer: LayerId, n: u64) -> Result<FeatureId, RepoError>;

    async fn count_features(&self, layer: LayerId) -> Result<u64, RepoError>;

    /// A small key-value table for facts about the data set (seed, scale, generation time).
    async fn set_meta(&self, key: &str, value: &str) -> Result<(), RepoError>;
    async fn get_meta(&self, key: &str) -> Result<Option<String>, RepoError>;
}

/// Where "block data" records (persons, houses, entities) are persisted.
#[async_trait]
pub trait RecordRepo: Send + Sync {
    /// Appends rows, each with one value per field of `schema`, in one transaction.
    async fn insert_records(
        &self,
        schema: &'static RecordSchema,
        rows: &[Vec<Value>],
    ) -> Result<(), RepoError>;

    async fn count_records(&self, schema: &'static RecordSchema) -> Result<u64, RepoError>;

    /// Rows whose `field` equals `value`, at most `limit`, ordered by id.
    async fn find_records(
        &self,
        schema: &'static RecordSchema,
        field: &str,
        value: &Value,
        limit: u32,
    ) -> Result<Vec<Vec<Value>>, RepoError>;

    /// One page of a jurisdiction's records, at most `limit`: the rows whose
    /// `grid_code` starts with `grid_prefix`, ordered by grid code and then id, after
    /// the row `after_id` (from the first when it is 0 or less). The next page starts
    /// after the last row returned. An `after_id` that is no row of the jurisdiction
    /// gives an empty page, never rows outside it. With `None` or `""` the page is of
    /// every row, uncoded ones included (a row without a grid code lies in no
    /// jurisdiction), in id order, with `id > after_id`.
    async fn list_records(
        &self,
        schema: &'static RecordSchema,
        grid_prefix: Option<&str>,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<Vec<Value>>, RepoError>;

    /// The row with this id, if any.
    async fn get_record(
        &self,
        schema: &'static RecordSchema,
        id: i64,
    ) -> Result<Option<Vec<Value>>, RepoError>;

    /// How many rows have a `grid_code` starting with `grid_prefix` (every row when
    /// it is empty).
    async fn count_records_in(
        &self,
        schema: &'static RecordSchema,
        grid_prefix: &str,
    ) -> Result<u64, RepoError>;
}

/// A timestamp in the form the stores keep (RFC 3339, UTC, millisecond precision).
pub fn now() -> DateTime<Utc> {
    let t = Utc::now();
    t - chrono::Duration::nanoseconds(t.timestamp_subsec_nanos() as i64 % 1_000_000)
}
