//! Observations: created one by one (HTTP, MQTT) or in batches (dataArray, ingest),
//! read back by page, changed and deleted.

use std::sync::Arc;

use chrono::Utc;
use serde_json::{Map, Value};

use super::{Change, SensingService};
use crate::{
    error::SensingError,
    model::{invalid, Entity},
    observation::{Observation, Stream},
    registry::ObservationsOf,
    repo::{EntityWrite, ObservationQuery},
    EntityType::{self, *},
};

impl SensingService {
    /// Checks that `o` may be stored: its stream exists and its time is in range.
    pub fn check_observation(&self, o: &Observation) -> Result<(), SensingError> {
        let kind = match o.stream {
            Stream::Datastream(_) => Datastream,
            Stream::Multi(_) => MultiDatastream,
        };
        if !self.registry.exists(kind, o.stream.id()) {
            return Err(SensingError::NotFound(kind, o.stream.id()));
        }
        let t = o.phenomenon_time.start;
        if !self.in_range(t, Utc::now()) {
            return Err(invalid(
                "out_of_range",
                format!(
                    "phenomenonTime {} is outside what is kept ({} days back, {} minutes ahead)",
                    crate::time::iso(t),
                    self.config.retention.num_days(),
                    self.config.max_ahead.num_minutes()
                ),
            )
            .into());
        }
        if let (Stream::Multi(m), Value::Array(a)) = (o.stream, &o.result) {
            let n = self
                .registry
                .get(MultiDatastream, m, false)
                .map_or(0, |e| e.links.observed_properties.len());
            if a.len() != n {
                return Err(invalid(
                    "bad_property",
                    format!("MultiDatastream {m} takes results of {n} values"),
                )
                .into());
            }
        }
        Ok(())
    }

    /// Stores observations in one transaction (all or none); returns their ids.
    pub async fn add_observations(&self, obs: Vec<Observation>) -> Result<Vec<i64>, SensingError> {
        for o in &obs {
            self.check_observation(o)?;
        }
        self.store_settled(obs).await
    }

    /// Stores checked observations, giving those without one their FeatureOfInterest.
    pub(crate) async fn store_settled(
        &self,
        mut obs: Vec<Observation>,
    ) -> Result<Vec<i64>, SensingError> {
        if obs.is_empty() {
            return Ok(Vec::new());
        }
        for o in &mut obs {
            // A device's own stream: the device is the feature of interest.
            if let (None, Stream::Datastream(d)) = (o.foi, o.stream) {
                if let Some((device, _)) = crate::devices::split_datastream(d) {
                    o.foi = Some(device);
                }
            }
        }
        let needy = obs.iter().filter(|o| o.foi.is_none()).count();
        let mut spare = if needy > 0 {
            self.take_ids(needy.min(64)).await?
        } else {
            Vec::new()
        };
        let mut made: Vec<Entity> = Vec::new();
        for o in &mut obs {
            self.settle_foi(o, &mut made, &mut spare)?;
        }
        let ids = if made.is_empty() {
            self.repo.insert_observations(&obs).await?
        } else {
            let w = EntityWrite {
                put: made.iter().map(|e| (e.kind, e.id, e.doc())).collect(),
                observations: obs.clone(),
                ..EntityWrite::default()
            };
            let ids = self.repo.write_entities(&w).await?;
            self.registry.apply(&made, &[]);
            for e in &made {
                self.announce(Change::Entity {
                    kind: e.kind,
                    id: e.id,
                    created: true,
                });
            }
            ids
        };
        for (o, id) in obs.iter_mut().zip(&ids) {
            o.id = *id;
        }
        self.after_store(obs);
        Ok(ids)
    }

    pub async fn observation(&self, id: i64) -> Result<Observation, SensingError> {
        self.repo
            .observation(id)
            .await?
            .ok_or(SensingError::NotFound(Observation, id))
    }

    pub async fn observations(
        &self,
        q: &ObservationQuery,
    ) -> Result<Vec<Observation>, SensingError> {
        Ok(self.repo.observations(q).await?)
    }

    pub async fn count_observations(&self, q: &ObservationQuery) -> Result<u64, SensingError> {
        Ok(self.repo.count_observations(q).await?)
    }

    /// PATCH of an observation: what is given replaces what is there.
    pub async fn patch_observation(&self, id: i64, body: &Value) -> Result<(), SensingError> {
        let body = super::object(body)?;
        let old = self.observation(id).await?;
        let mut merged: Map<String, Value> = old.props();
        for (k, v) in body {
            if EntityType::Observation.properties().contains(&k.as_str()) {
                merged.insert(k.clone(), v.clone());
            }
        }
        for key in ["FeatureOfInterest", "Datastream", "MultiDatastream"] {
            if let Some(v) = body.get(key) {
                merged.insert(key.into(), v.clone());
            }
        }
        let stream = if body.contains_key("Datastream") || body.contains_key("MultiDatastream") {
            None
        } else {
            Some(old.stream)
        };
        let mut o = Observation::from_json(&merged, stream, Utc::now())?;
        o.id = id;
        o.foi = o.foi.or(old.foi);
        self.check_observation(&o)?;
        if !self.repo.replace_observation(&o).await? {
            return Err(SensingError::NotFound(Observation, id));
        }
        let o = Arc::new(o);
        self.remember(&o);
        self.announce(Change::Observation {
            observation: o,
            created: false,
        });
        Ok(())
    }

    pub async fn delete_observation(&self, id: i64) -> Result<(), SensingError> {
        if !self.repo.delete_observation(id).await? {
            return Err(SensingError::NotFound(Observation, id));
        }
        self.announce(Change::Deleted {
            kind: Observation,
            id,
        });
        Ok(())
    }

    /// Whose observations a navigation path names, checked to exist.
    pub fn observations_of(
        &self,
        kind: EntityType,
        id: i64,
    ) -> Result<ObservationsOf, SensingError> {
        match self.registry.related(kind, id, "Observations") {
            Some(crate::registry::Related::Observations(of)) => Ok(of),
            _ => Err(SensingError::NotFound(kind, id)),
        }
    }
}
