//! A test sink for the generator: the two storage traits over plain memory.
//!
//! It keeps what it is given, in order, so tests can look at every feature and row (or,
//! for the full-scale run, only counts what it is given, so that the measured memory is
//! the generator's and not the sink's).

#![allow(dead_code)]

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
    sync::{Arc, Mutex},
};

use async_trait::async_trait;
use citymirror_core::{records::RecordSchema, LayerId, Value};
use citymirror_sim::{generate, GenerateConfig, GenerateSummary, Outline};
use citymirror_twin::{Feature, FeatureId, RecordRepo, RepoError, TwinRepo};

#[derive(Debug, Default)]
struct Inner {
    layers: BTreeMap<LayerId, BTreeMap<FeatureId, Feature>>,
    records: BTreeMap<&'static str, Vec<Vec<Value>>>,
    counts: BTreeMap<String, u64>,
    /// The distinct grid codes each layer's features name.
    grids: BTreeMap<LayerId, BTreeSet<String>>,
    meta: BTreeMap<String, String>,
    /// The next id each layer hands out (as the store's `id_blocks`).
    next_ids: BTreeMap<LayerId, FeatureId>,
}

#[derive(Debug, Clone, Default)]
pub struct MemoryRepo {
    inner: Arc<Mutex<Inner>>,
    /// Count only; keep nothing.
    counting: bool,
}

impl MemoryRepo {
    pub fn new() -> MemoryRepo {
        MemoryRepo::default()
    }

    pub fn counting() -> MemoryRepo {
        MemoryRepo {
            counting: true,
            ..MemoryRepo::default()
        }
    }

    pub fn features(&self, layer: LayerId) -> Vec<Feature> {
        let inner = self.inner.lock().unwrap();
        inner
            .layers
            .get(&layer)
            .map(|l| l.values().cloned().collect())
            .unwrap_or_default()
    }

    pub fn rows(&self, schema: &RecordSchema) -> Vec<Vec<Value>> {
        let inner = self.inner.lock().unwrap();
        inner.records.get(schema.name).cloned().unwrap_or_default()
    }

    pub fn count(&self, what: &str) -> u64 {
        let inner = self.inner.lock().unwrap();
        inner.counts.get(what).copied().unwrap_or(0)
    }

    /// How many distinct grids a layer's features lie in.
    pub fn grids_used(&self, layer: LayerId) -> usize {
        let inner = self.inner.lock().unwrap();
        inner.grids.get(&layer).map_or(0, BTreeSet::len)
    }

    pub fn meta(&self, key: &str) -> Option<String> {
        self.inner.lock().unwrap().meta.get(key).cloned()
    }
}

#[async_trait]
impl TwinRepo for MemoryRepo {
    async fn load_layer(&self, layer: LayerId) -> Result<Vec<Feature>, RepoError> {
        Ok(self.features(layer))
    }

    async fn insert_features(&self, layer: LayerId, features: &[Feature]) -> Result<(), RepoError> {
        let mut inner = self.inner.lock().unwrap();
        *inner.counts.entry(layer.as_str().to_owned()).or_default() += features.len() as u64;
        if let Some((i, _)) = layer.schema().property("grid_code") {
            let used = inner.grids.entry(layer).or_default();
            for f in features {
                if let Some(code) = f.props[i].as_str() {
                    if !used.contains(code) {
                        used.insert(code.to_owned());
                    }
                }
            }
        }
        if self.counting {
            return Ok(());
        }
        let l = inner.layers.entry(layer).or_default();
        for f in features {
            if l.insert(f.id, f.clone()).is_some() {
                return Err(RepoError::Backend(format!(
                    "duplicate id {} in {layer}",
                    f.id
                )));
            }
        }
        Ok(())
    }

    async fn get_feature(
        &self,
        layer: LayerId,
        id: FeatureId,
    ) -> Result<Option<Feature>, RepoError> {
        let inner = self.inner.lock().unwrap();
        Ok(inner.layers.get(&layer).and_then(|l| l.get(&id)).cloned())
    }

    async fn replace_feature(&self, layer: LayerId, feature: &Feature) -> Result<bool, RepoError> {
        let mut inner = self.inner.lock().unwrap();
        let l = inner.layers.entry(layer).or_default();
        Ok(match l.get_mut(&feature.id) {
            Some(f) => {
                *f = feature.clone();
                true
            }
            None => false,
        })
    }

    async fn delete_feature(&self, layer: LayerId, id: FeatureId) -> Result<bool, RepoError> {
        let mut inner = self.inner.lock().unwrap();
        Ok(inner.layers.entry(layer).or_default().remove(&id).is_some())
    }

    async fn max_feature_id(&self, layer: LayerId) -> Result<FeatureId, RepoError> {
        let inner = self.inner.lock().unwrap();
        Ok(inner
            .layers
            .get(&layer)
            .and_then(|l| l.keys().next_back().copied())
            .unwrap_or(0))
    }

    async fn reserve_feature_ids(&self, layer: LayerId, n: u64) -> Result<FeatureId, RepoError> {
        let highest = self.max_feature_id(layer).await?;
        let mut inner = self.inner.lock().unwrap();
        let next = inner.next_ids.entry(layer).or_insert(1);
        let first = (*next).max(highest + 1);
        *next = first + n as FeatureId;
        Ok(first)
    }

    async fn count_features(&self, layer: LayerId) -> Result<u64, RepoError> {
        Ok(self.count(layer.as_str()))
    }

    async fn set_meta(&self, key: &str, value: &str) -> Result<(), RepoError> {
        self.inner
            .lock()
            .unwrap()
            .meta
            .insert(key.to_owned(), value.to_owned());
        Ok(())
    }

    async fn get_meta(&self, key: &str) -> Result<Option<String>, RepoError> {
        Ok(self.meta(key))
    }
}

#[async_trait]
impl RecordRepo for MemoryRepo {
    async fn insert_records(
        &self,
        schema: &'static RecordSchema,
        rows: &[Vec<Value>],
    ) -> Result<(), RepoError> {
        let mut inner = self.inner.lock().unwrap();
        *inner.counts.entry(schema.name.to_owned()).or_default() += rows.len() as u64;
        for r in rows {
            if r.len() != schema.fields.len() {
                return Err(RepoError::Backend(format!(
                    "a {} row has {} values",
                    schema.name,
                    r.len()
                )));
            }
        }
        if !self.counting {
            inner
                .records
                .entry(schema.name)
                .or_default()
                .extend_from_slice(rows);
        }
        Ok(())
    }

    async fn count_records(&self, schema: &'static RecordSchema) -> Result<u64, RepoError> {
        Ok(self.count(schema.name))
    }

    async fn find_records(
        &self,
        schema: &'static RecordSchema,
        field: &str,
        value: &Value,
        limit: u32,
    ) -> Result<Vec<Vec<Value>>, RepoError> {
        let i = schema.fields.iter().position(|f| f.name == field).unwrap();
        Ok(self
            .rows(schema)
            .into_iter()
            .filter(|r| &r[i] == value)
            .take(limit as usize)
            .collect())
    }

    async fn list_records(
        &self,
        schema: &'static RecordSchema,
        grid_prefix: Option<&str>,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<Vec<Value>>, RepoError> {
        let mut rows: Vec<Vec<Value>> = self
            .rows_in(schema, grid_prefix.unwrap_or(""))
            .into_iter()
            .filter(|r| r[0].as_i64() > Some(after_id))
            .collect();
        rows.sort_by_key(|r| r[0].as_i64());
        rows.truncate(limit as usize);
        Ok(rows)
    }

    async fn get_record(
        &self,
        schema: &'static RecordSchema,
        id: i64,
    ) -> Result<Option<Vec<Value>>, RepoError> {
        Ok(self
            .rows(schema)
            .into_iter()
            .find(|r| r[0].as_i64() == Some(id)))
    }

    async fn count_records_in(
        &self,
        schema: &'static RecordSchema,
        grid_prefix: &str,
    ) -> Result<u64, RepoError> {
        Ok(self.rows_in(schema, grid_prefix).len() as u64)
    }
}

impl MemoryRepo {
    /// The kept rows of `schema` whose `grid_code` starts with `prefix`.
    fn rows_in(&self, schema: &RecordSchema, prefix: &str) -> Vec<Vec<Value>> {
        let i = schema.fields.iter().position(|f| f.name == "grid_code");
        self.rows(schema)
            .into_iter()
            .filter(|r| {
                prefix.is_empty()
                    || i.and_then(|i| r[i].as_str())
                        .is_some_and(|g| g.starts_with(prefix))
            })
            .collect()
    }
}

/// The real outline from the shared data folder when it is there, else the built-in one.
pub fn outline() -> Outline {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/futian/district-440304.gcj02.geojson");
    match std::fs::read_to_string(path) {
        Ok(text) => Outline::GeoJsonGcj02(text),
        Err(_) => Outline::Builtin,
    }
}

/// Generates into a fresh memory repo.
pub async fn generate_into(
    scale: f64,
    seed: u64,
    outline: Outline,
) -> (MemoryRepo, GenerateSummary) {
    let repo = MemoryRepo::new();
    let cfg = GenerateConfig {
        scale,
        seed,
        outline,
    };
    let summary = generate(&cfg, &repo, &repo, &|_| {})
        .await
        .expect("generate");
    (repo, summary)
}
