//! PATCH and DELETE of entities (OGC 18-088 §10.3, §10.4).

use chrono::Utc;
use serde_json::{Map, Value};

use super::{Change, SensingService};
use crate::{
    devices::STORED_IDS_FROM,
    error::SensingError,
    model::{invalid, own_props, Entity, Links},
    repo::EntityWrite,
    time::iso,
    EntityType::{self, *},
};

fn link(body: &Map<String, Value>, key: &str) -> Result<Option<i64>, SensingError> {
    match body.get(key) {
        None => Ok(None),
        Some(v) => v
            .get("@iot.id")
            .and_then(Value::as_i64)
            .map(Some)
            .ok_or_else(|| {
                invalid("bad_link", format!("`{key}` links by {{\"@iot.id\": …}}")).into()
            }),
    }
}

fn links(body: &Map<String, Value>, key: &str) -> Result<Option<Vec<i64>>, SensingError> {
    match body.get(key) {
        None => Ok(None),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.get("@iot.id").and_then(Value::as_i64).ok_or_else(|| {
                    invalid(
                        "bad_link",
                        format!("`{key}` lists links as {{\"@iot.id\": …}}"),
                    )
                    .into()
                })
            })
            .collect::<Result<Vec<_>, SensingError>>()
            .map(Some),
        Some(_) => Err(invalid("bad_link", format!("`{key}` must be an array")).into()),
    }
}

impl SensingService {
    /// The stored entity, or why it cannot be changed here.
    fn changeable(&self, kind: EntityType, id: i64) -> Result<Entity, SensingError> {
        let e = self
            .registry
            .get(kind, id, true)
            .ok_or(SensingError::NotFound(kind, id))?;
        if e.managed {
            return Err(SensingError::Managed(kind, id));
        }
        Ok(e)
    }

    /// Applies a PATCH: the properties given replace those there; links given by id
    /// are re-pointed (a Thing's new Locations start a HistoricalLocation).
    pub async fn patch(&self, kind: EntityType, id: i64, body: &Value) -> Result<(), SensingError> {
        if kind == Observation {
            return self.patch_observation(id, body).await;
        }
        let body = super::object(body)?;
        let mut e = self.changeable(kind, id)?;
        for (k, v) in own_props(kind, body, false)? {
            e.props.insert(k, v);
        }
        for m in kind.mandatory() {
            if e.props.get(*m).is_none_or(Value::is_null) {
                return Err(invalid(
                    "missing_property",
                    format!("`{m}` of a {} cannot be removed", kind.singular()),
                )
                .into());
            }
        }
        let exists = |k: EntityType, i: i64| {
            if self.registry.exists(k, i) {
                Ok(i)
            } else {
                Err(SensingError::NotFound(k, i))
            }
        };
        let mut put = Vec::new();
        match kind {
            Datastream | MultiDatastream | HistoricalLocation => {
                if let Some(t) = link(body, "Thing")? {
                    e.links.thing = Some(exists(Thing, t)?);
                }
                if kind != HistoricalLocation {
                    if let Some(s) = link(body, "Sensor")? {
                        e.links.sensor = Some(exists(Sensor, s)?);
                    }
                }
                if kind == Datastream {
                    if let Some(o) = link(body, "ObservedProperty")? {
                        e.links.observed_property = Some(exists(ObservedProperty, o)?);
                    }
                }
                if kind == HistoricalLocation {
                    if let Some(ls) = links(body, "Locations")? {
                        e.links.locations = ls
                            .into_iter()
                            .map(|l| exists(Location, l))
                            .collect::<Result<_, _>>()?;
                    }
                }
            }
            Thing => {
                if let Some(ls) = links(body, "Locations")? {
                    let ls: Vec<i64> = ls
                        .into_iter()
                        .map(|l| exists(Location, l))
                        .collect::<Result<_, _>>()?;
                    if ls != e.links.locations {
                        e.links.locations = ls.clone();
                        let mut props = Map::new();
                        props.insert("time".into(), Value::String(iso(Utc::now())));
                        let hid = self.take_ids(1).await?[0];
                        put.push(Entity {
                            kind: HistoricalLocation,
                            id: hid,
                            props,
                            links: Links {
                                thing: Some(id),
                                locations: ls,
                                ..Links::default()
                            },
                            managed: false,
                        });
                    }
                }
            }
            _ => {}
        }
        put.insert(0, e);
        let write = EntityWrite {
            put: put.iter().map(|e| (e.kind, e.id, e.doc())).collect(),
            ..EntityWrite::default()
        };
        self.repo.write_entities(&write).await?;
        self.registry.apply(&put, &[]);
        for (i, e) in put.iter().enumerate() {
            self.announce(Change::Entity {
                kind: e.kind,
                id: e.id,
                created: i > 0,
            });
        }
        Ok(())
    }

    /// Deletes an entity and what the specification deletes with it.
    pub async fn delete(&self, kind: EntityType, id: i64) -> Result<(), SensingError> {
        if kind == Observation {
            return self.delete_observation(id).await;
        }
        self.changeable(kind, id)?;
        let (gone, purge) = self.registry.cascade(kind, id);
        debug_assert!(gone.iter().all(|(_, id)| *id >= STORED_IDS_FROM));
        // Things that kept a deleted Location among their current ones drop it.
        let mut put = Vec::new();
        if kind == Location {
            for t in self.registry.things_at(id) {
                if let Some(mut e) = self.registry.get(Thing, t, true) {
                    e.links.locations.retain(|l| *l != id);
                    put.push(e);
                }
            }
        }
        let write = EntityWrite {
            put: put.iter().map(|e| (e.kind, e.id, e.doc())).collect(),
            delete: gone.clone(),
            purge,
            observations: Vec::new(),
        };
        self.repo.write_entities(&write).await?;
        self.registry.apply(&put, &gone);
        for (kind, id) in gone {
            self.announce(Change::Deleted { kind, id });
        }
        Ok(())
    }
}
