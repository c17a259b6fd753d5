//! What the sensing network needs stored: the port the store implements.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use citymirror_core::RepoError;

use crate::{
    model::StoredDoc,
    observation::Observation,
    registry::ObservationsOf,
    rollup::{Bucket, RollupKey},
    EntityType,
};

/// Which observations, in which order, which page.
#[derive(Clone, Debug, PartialEq)]
pub struct ObservationQuery {
    pub of: Option<ObservationsOf>,
    /// Inclusive bounds on the start of `phenomenonTime`.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub order: ObservationOrder,
    pub offset: u64,
    pub limit: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObservationOrder {
    IdAsc,
    IdDesc,
    TimeAsc,
    TimeDesc,
}

/// One transaction's worth of entity changes.
#[derive(Clone, Debug, Default)]
pub struct EntityWrite {
    /// Created or replaced.
    pub put: Vec<(EntityType, i64, StoredDoc)>,
    pub delete: Vec<(EntityType, i64)>,
    /// Whose observations go with the deleted entities.
    pub purge: Vec<ObservationsOf>,
    /// Observations created with the entities (deep insert); ids are assigned.
    pub observations: Vec<Observation>,
}

#[async_trait]
pub trait SensingRepo: Send + Sync {
    async fn load_entities(&self) -> Result<Vec<(EntityType, i64, StoredDoc)>, RepoError>;

    /// Reserves `n` entity ids; returns the first.
    async fn reserve_entity_ids(&self, n: u64) -> Result<i64, RepoError>;

    /// Writes all of `w` in one transaction; returns the new observations' ids.
    async fn write_entities(&self, w: &EntityWrite) -> Result<Vec<i64>, RepoError>;

    /// Inserts observations in one transaction; returns their ids, in order.
    async fn insert_observations(&self, obs: &[Observation]) -> Result<Vec<i64>, RepoError>;

    async fn observation(&self, id: i64) -> Result<Option<Observation>, RepoError>;

    async fn observations(&self, q: &ObservationQuery) -> Result<Vec<Observation>, RepoError>;

    async fn count_observations(&self, q: &ObservationQuery) -> Result<u64, RepoError>;

    /// Replaces a stored observation; false when there is none with its id.
    async fn replace_observation(&self, o: &Observation) -> Result<bool, RepoError>;

    async fn delete_observation(&self, id: i64) -> Result<bool, RepoError>;

    /// Merges roll-up deltas into the stored buckets and records, in the same
    /// transaction, the highest observation id they include.
    async fn merge_rollups(
        &self,
        deltas: &[(RollupKey, Bucket)],
        watermark: i64,
    ) -> Result<(), RepoError>;

    /// The highest observation id the stored roll-ups include.
    async fn rollup_watermark(&self) -> Result<i64, RepoError>;

    /// Stored buckets of one stream at one resolution, from `from` to `to` inclusive.
    async fn rollups(
        &self,
        stream: i64,
        resolution: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(DateTime<Utc>, Bucket)>, RepoError>;

    /// Observations with ids above `id`, ascending, at most `limit` (to fold what a
    /// crash left out of the roll-ups).
    async fn observations_after(&self, id: i64, limit: u64) -> Result<Vec<Observation>, RepoError>;

    /// Deletes observations (and roll-ups) older than `before`; returns how many went.
    async fn prune(&self, before: DateTime<Utc>) -> Result<u64, RepoError>;

    /// Makes sure observations from `from` to `to` have their partitions (PostgreSQL;
    /// nothing on SQLite).
    /// The per-device rule overrides, one JSON document (`{device id: override}`);
    /// `None` before any was set.
    async fn rule_overrides(&self) -> Result<Option<String>, RepoError>;
    async fn put_rule_overrides(&self, doc: &str) -> Result<(), RepoError>;

    async fn prepare_partitions(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<(), RepoError>;
}
