//! Every SensorThings entity but Observations, in memory: those clients created
//! (loaded from the store at start, changed only through [`crate::SensingService`]) and
//! the views of the twin's devices and of the built-in catalogue (`devices.rs`).
//! Navigation is answered here; Observations live in the store and are reached
//! through [`Related::Observations`].

use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, RwLock},
};

use citymirror_core::LayerId;
use citymirror_twin::Twin;

use crate::{
    catalog,
    devices::{self, Device, STORED_IDS_FROM},
    model::{Entity, Links, StoredDoc},
    observation::Stream,
    EntityType::{self, *},
};

/// Where a navigation property leads.
#[derive(Clone, Debug, PartialEq)]
pub enum Related {
    One(Option<i64>),
    Many(Vec<i64>),
    /// The observations of a stream, or of a feature of interest.
    Observations(ObservationsOf),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObservationsOf {
    Stream(Stream),
    Feature(i64),
}

pub struct Registry {
    twin: Arc<Twin>,
    stored: RwLock<HashMap<EntityType, BTreeMap<i64, Entity>>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry").finish_non_exhaustive()
    }
}

impl Registry {
    pub fn new(twin: Arc<Twin>) -> Registry {
        Registry {
            twin,
            stored: RwLock::default(),
        }
    }

    pub fn twin(&self) -> &Arc<Twin> {
        &self.twin
    }

    /// Takes in what the store holds (at start).
    pub fn load(&self, entities: impl IntoIterator<Item = (EntityType, i64, StoredDoc)>) {
        let mut s = self.stored.write().expect("registry lock");
        for (kind, id, doc) in entities {
            s.entry(kind).or_default().insert(
                id,
                Entity {
                    kind,
                    id,
                    props: doc.props,
                    links: doc.links,
                    managed: false,
                },
            );
        }
    }

    /// Applies a committed change: entities created or replaced, entities deleted.
    pub fn apply(&self, put: &[Entity], deleted: &[(EntityType, i64)]) {
        let mut s = self.stored.write().expect("registry lock");
        for e in put {
            s.entry(e.kind).or_default().insert(e.id, e.clone());
        }
        for (kind, id) in deleted {
            if let Some(m) = s.get_mut(kind) {
                m.remove(id);
            }
        }
    }

    pub fn device(&self, id: i64) -> Option<Device> {
        if !(0..STORED_IDS_FROM).contains(&id) {
            return None;
        }
        let layer = self.twin.layer(LayerId::Devices);
        layer
            .get(id)
            .and_then(|f| Device::from_feature(layer.schema(), f))
    }

    /// The entity, as a reader sees it (`reveal_serial`: the reader may see device
    /// serial numbers).
    pub fn get(&self, kind: EntityType, id: i64, reveal_serial: bool) -> Option<Entity> {
        if id >= STORED_IDS_FROM {
            let s = self.stored.read().expect("registry lock");
            return s.get(&kind).and_then(|m| m.get(&id)).cloned();
        }
        let managed = |props, links| {
            Some(Entity {
                kind,
                id,
                props,
                links,
                managed: true,
            })
        };
        match kind {
            Thing => {
                let d = self.device(id)?;
                managed(
                    d.thing(reveal_serial),
                    Links {
                        locations: vec![id],
                        ..Links::default()
                    },
                )
            }
            Location => managed(self.device(id)?.location(), Links::default()),
            HistoricalLocation => managed(
                self.device(id)?.historical_location(),
                Links {
                    thing: Some(id),
                    locations: vec![id],
                    ..Links::default()
                },
            ),
            FeatureOfInterest => managed(self.device(id)?.feature_of_interest(), Links::default()),
            Datastream => {
                let (dev, k) = devices::split_datastream(id)?;
                let d = self.device(dev)?;
                let key = catalog::quantities(&d.device_type).get(k)?;
                let links = Links {
                    thing: Some(dev),
                    sensor: d.sensor_id(),
                    observed_property: catalog::quantity(key).map(|(op, _)| op),
                    ..Links::default()
                };
                managed(d.datastream(k)?, links)
            }
            Sensor => managed(devices::sensor(id)?, Links::default()),
            ObservedProperty => managed(devices::observed_property(id)?, Links::default()),
            MultiDatastream | Observation => None,
        }
    }

    pub fn exists(&self, kind: EntityType, id: i64) -> bool {
        self.get(kind, id, false).is_some()
    }

    /// Every id of an entity set, ascending (not Observations: the store lists them).
    pub fn ids(&self, kind: EntityType) -> Vec<i64> {
        let mut ids: Vec<i64> = match kind {
            Thing | Location | HistoricalLocation | FeatureOfInterest => self.device_ids(),
            Datastream => self
                .devices()
                .iter()
                .flat_map(|d| d.streams().map(|(id, _)| id))
                .collect(),
            Sensor => devices::builtin_sensor_ids().collect(),
            ObservedProperty => devices::builtin_observed_property_ids().collect(),
            MultiDatastream | Observation => Vec::new(),
        };
        ids.sort_unstable();
        let s = self.stored.read().expect("registry lock");
        ids.extend(s.get(&kind).into_iter().flat_map(|m| m.keys().copied()));
        ids
    }

    /// How many entities the set holds.
    pub fn count(&self, kind: EntityType) -> usize {
        let derived = match kind {
            Thing | Location | HistoricalLocation | FeatureOfInterest => {
                self.twin.layer(LayerId::Devices).len()
            }
            Datastream => self.devices().iter().map(|d| d.streams().count()).sum(),
            Sensor => devices::builtin_sensor_ids().count(),
            ObservedProperty => devices::builtin_observed_property_ids().count(),
            MultiDatastream | Observation => 0,
        };
        let s = self.stored.read().expect("registry lock");
        derived + s.get(&kind).map_or(0, BTreeMap::len)
    }

    fn device_ids(&self) -> Vec<i64> {
        self.twin
            .layer(LayerId::Devices)
            .iter()
            .map(|f| f.id)
            .collect()
    }

    fn devices(&self) -> Vec<Device> {
        let layer = self.twin.layer(LayerId::Devices);
        layer
            .iter()
            .filter_map(|f| Device::from_feature(layer.schema(), f))
            .collect()
    }

    /// Stored entities of `kind` whose links satisfy `pred`, by id.
    pub fn find_stored(&self, kind: EntityType, pred: impl Fn(&Links) -> bool) -> Vec<i64> {
        let s = self.stored.read().expect("registry lock");
        s.get(&kind)
            .into_iter()
            .flat_map(|m| m.values())
            .filter(|e| pred(&e.links))
            .map(|e| e.id)
            .collect()
    }

    /// Where `nav` of entity `(kind, id)` leads; `None` when the entity does not exist
    /// or has no such navigation property. Observations answer only for their own
    /// links, which the store holds, so they are the caller's to resolve.
    pub fn related(&self, kind: EntityType, id: i64, nav: &str) -> Option<Related> {
        kind.nav(nav)?;
        let e = self.get(kind, id, false)?;
        let device = e.managed.then_some(id);
        let one = |v: Option<i64>| Some(Related::One(v));
        let many = |mut derived: Vec<i64>, stored: Vec<i64>| {
            derived.extend(stored);
            Some(Related::Many(derived))
        };
        match (kind, nav) {
            (Thing, "Locations") => Some(Related::Many(e.links.locations)),
            (Thing, "HistoricalLocations") => many(
                device.into_iter().collect(),
                self.find_stored(HistoricalLocation, |l| l.thing == Some(id)),
            ),
            (Thing, "Datastreams") => {
                let derived = device
                    .and_then(|d| self.device(d))
                    .map(|d| d.streams().map(|(id, _)| id).collect())
                    .unwrap_or_default();
                many(
                    derived,
                    self.find_stored(Datastream, |l| l.thing == Some(id)),
                )
            }
            (Thing, "MultiDatastreams") => many(
                vec![],
                self.find_stored(MultiDatastream, |l| l.thing == Some(id)),
            ),
            (Location, "Things") => many(
                device.into_iter().collect(),
                self.find_stored(Thing, |l| l.locations.contains(&id)),
            ),
            (Location, "HistoricalLocations") => many(
                device.into_iter().collect(),
                self.find_stored(HistoricalLocation, |l| l.locations.contains(&id)),
            ),
            (HistoricalLocation, "Thing") => one(e.links.thing),
            (HistoricalLocation, "Locations") => Some(Related::Many(e.links.locations)),
            (Datastream | MultiDatastream, "Thing") => one(e.links.thing),
            (Datastream | MultiDatastream, "Sensor") => one(e.links.sensor),
            (Datastream, "ObservedProperty") => one(e.links.observed_property),
            (MultiDatastream, "ObservedProperties") => {
                Some(Related::Many(e.links.observed_properties))
            }
            (Datastream, "Observations") => Some(Related::Observations(ObservationsOf::Stream(
                Stream::Datastream(id),
            ))),
            (MultiDatastream, "Observations") => Some(Related::Observations(
                ObservationsOf::Stream(Stream::Multi(id)),
            )),
            (Sensor, "Datastreams") => {
                let derived = match device.and_then(devices::type_of_sensor) {
                    Some(t) => self
                        .devices()
                        .iter()
                        .filter(|d| d.device_type == t)
                        .flat_map(|d| d.streams().map(|(id, _)| id).collect::<Vec<_>>())
                        .collect(),
                    None => vec![],
                };
                many(
                    derived,
                    self.find_stored(Datastream, |l| l.sensor == Some(id)),
                )
            }
            (Sensor, "MultiDatastreams") => many(
                vec![],
                self.find_stored(MultiDatastream, |l| l.sensor == Some(id)),
            ),
            (ObservedProperty, "Datastreams") => {
                let derived = match device.and_then(catalog::quantity_by_id) {
                    Some(q) => self
                        .devices()
                        .iter()
                        .flat_map(|d| {
                            d.streams()
                                .filter(|(_, k)| *k == q.key)
                                .map(|(id, _)| id)
                                .collect::<Vec<_>>()
                        })
                        .collect(),
                    None => vec![],
                };
                many(
                    derived,
                    self.find_stored(Datastream, |l| l.observed_property == Some(id)),
                )
            }
            (ObservedProperty, "MultiDatastreams") => many(
                vec![],
                self.find_stored(MultiDatastream, |l| l.observed_properties.contains(&id)),
            ),
            (FeatureOfInterest, "Observations") => {
                Some(Related::Observations(ObservationsOf::Feature(id)))
            }
            _ => None,
        }
    }

    /// What deleting `(kind, id)` takes with it (OGC 18-088 §10.4 and the links that
    /// would dangle): the entities, and the owners whose observations go too.
    pub fn cascade(
        &self,
        kind: EntityType,
        id: i64,
    ) -> (Vec<(EntityType, i64)>, Vec<ObservationsOf>) {
        let mut gone = vec![(kind, id)];
        let mut observations = Vec::new();
        let mut i = 0;
        while i < gone.len() {
            let (k, id) = gone[i];
            i += 1;
            let mut follow = |kind: EntityType, ids: Vec<i64>| {
                for id in ids {
                    if id >= STORED_IDS_FROM && !gone.contains(&(kind, id)) {
                        gone.push((kind, id));
                    }
                }
            };
            match k {
                Thing => {
                    follow(
                        Datastream,
                        self.find_stored(Datastream, |l| l.thing == Some(id)),
                    );
                    follow(
                        MultiDatastream,
                        self.find_stored(MultiDatastream, |l| l.thing == Some(id)),
                    );
                    follow(
                        HistoricalLocation,
                        self.find_stored(HistoricalLocation, |l| l.thing == Some(id)),
                    );
                }
                Location => {
                    follow(
                        HistoricalLocation,
                        self.find_stored(HistoricalLocation, |l| l.locations.contains(&id)),
                    );
                }
                Sensor => {
                    follow(
                        Datastream,
                        self.find_stored(Datastream, |l| l.sensor == Some(id)),
                    );
                    follow(
                        MultiDatastream,
                        self.find_stored(MultiDatastream, |l| l.sensor == Some(id)),
                    );
                }
                ObservedProperty => {
                    follow(
                        Datastream,
                        self.find_stored(Datastream, |l| l.observed_property == Some(id)),
                    );
                    follow(
                        MultiDatastream,
                        self.find_stored(MultiDatastream, |l| l.observed_properties.contains(&id)),
                    );
                }
                Datastream => observations.push(ObservationsOf::Stream(Stream::Datastream(id))),
                MultiDatastream => observations.push(ObservationsOf::Stream(Stream::Multi(id))),
                FeatureOfInterest => observations.push(ObservationsOf::Feature(id)),
                HistoricalLocation | Observation => {}
            }
        }
        (gone, observations)
    }

    /// The stored Things whose current locations include `location` (to move their
    /// history when a Location changes).
    pub fn things_at(&self, location: i64) -> Vec<i64> {
        self.find_stored(Thing, |l| l.locations.contains(&location))
    }
}
