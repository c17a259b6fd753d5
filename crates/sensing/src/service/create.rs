//! Creating entities, with the specification's deep insert (OGC 18-088 §10.2.1.2): a
//! Thing posted with its Locations and Datastreams, each with its Sensor and
//! ObservedProperty, creates them all, or nothing. A nested object holding only
//! `@iot.id` links an existing entity instead of creating one.

use std::sync::Arc;

use chrono::Utc;
use serde_json::{Map, Value};

use super::{Change, SensingService};
use crate::{
    devices::STORED_IDS_FROM,
    error::SensingError,
    model::{invalid, own_props, Entity, Links},
    observation::{Observation, Stream},
    repo::EntityWrite,
    time::iso,
    EntityType::{self, *},
};

/// The most entities one request may create (deep inserts included).
pub const MAX_CREATED: usize = 10_000;

/// What a create will write, built before anything is.
#[derive(Default)]
struct Plan {
    ids: Vec<i64>,
    put: Vec<Entity>,
    observations: Vec<Observation>,
}

impl Plan {
    fn next_id(&mut self) -> Result<i64, SensingError> {
        self.ids.pop().ok_or_else(|| {
            invalid(
                "too_large",
                format!("a request may create at most {MAX_CREATED} entities"),
            )
            .into()
        })
    }

    /// A planned entity, to add links to (a Location's Things get it in their list).
    fn planned(&mut self, kind: EntityType, id: i64) -> Option<&mut Entity> {
        self.put.iter_mut().find(|e| e.kind == kind && e.id == id)
    }
}

/// How many JSON objects `v` holds: an upper bound on the entities it creates.
fn objects(v: &Value) -> usize {
    match v {
        Value::Object(m) => 1 + m.values().map(objects).sum::<usize>(),
        Value::Array(a) => a.iter().map(objects).sum(),
        _ => 0,
    }
}

fn array<'a>(body: &'a Map<String, Value>, key: &str) -> Result<&'a [Value], SensingError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(invalid("bad_link", format!("`{key}` must be an array of entities")).into()),
    }
}

fn nested<'a>(v: &'a Value, key: &str) -> Result<&'a Map<String, Value>, SensingError> {
    v.as_object().ok_or_else(|| {
        invalid(
            "bad_link",
            format!("`{key}` must hold entities as JSON objects"),
        )
        .into()
    })
}

/// `{"@iot.id": N}` (and nothing else that would make it a new entity).
fn link_id(body: &Map<String, Value>) -> Result<Option<i64>, SensingError> {
    match body.get("@iot.id") {
        None => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| invalid("bad_link", "`@iot.id` must be an integer").into()),
    }
}

impl SensingService {
    /// Creates an entity of `kind` from a client's JSON, with what it nests; `parent`
    /// is the entity whose navigation path it was posted to
    /// (`POST Things(1)/Datastreams`). Returns the new entity's id.
    pub async fn create(
        &self,
        kind: EntityType,
        body: &Value,
        parent: Option<(EntityType, i64)>,
    ) -> Result<i64, SensingError> {
        let body = super::object(body)?;
        let n = objects(&Value::Object(body.clone()));
        if n > MAX_CREATED {
            return Err(invalid(
                "too_large",
                format!("a request may create at most {MAX_CREATED} entities"),
            )
            .into());
        }
        if kind == Observation {
            let stream = match parent {
                Some((Datastream, id)) => Some(Stream::Datastream(id)),
                Some((MultiDatastream, id)) => Some(Stream::Multi(id)),
                _ => None,
            };
            let mut o = crate::observation::Observation::from_json(body, stream, Utc::now())?;
            if o.foi.is_none() {
                if let Some(Value::Object(f)) = body.get("FeatureOfInterest") {
                    // A FeatureOfInterest given inline: created first, then linked.
                    let foi =
                        Box::pin(self.create(FeatureOfInterest, &Value::Object(f.clone()), None))
                            .await?;
                    o.foi = Some(foi);
                }
            }
            let ids = self.add_observations(vec![o]).await?;
            return Ok(ids[0]);
        }
        let mut plan = Plan {
            ids: self.take_ids(n).await?,
            ..Plan::default()
        };
        plan.ids.reverse();
        let mut implied = Links::default();
        match parent {
            Some((Thing, t)) => implied.thing = Some(t),
            Some((Sensor, s)) => implied.sensor = Some(s),
            Some((ObservedProperty, o)) if kind == Datastream => {
                implied.observed_property = Some(o)
            }
            Some((ObservedProperty, o)) => implied.observed_properties = vec![o],
            Some((Location, l)) if kind == HistoricalLocation => implied.locations = vec![l],
            _ => {}
        }
        let id = self.plan(&mut plan, kind, body, implied)?;
        if let Some((Location, l)) = parent {
            if kind == Thing {
                self.link_thing_to_location(&mut plan, id, l)?;
            }
        }
        // A Thing's new Locations start its history (§8.2.3).
        let now = iso(Utc::now());
        let moved: Vec<(i64, Vec<i64>)> = plan
            .put
            .iter()
            .filter(|e| e.kind == Thing && !e.links.locations.is_empty())
            .map(|e| (e.id, e.links.locations.clone()))
            .collect();
        for (thing, locations) in moved {
            let hid = plan.next_id()?;
            let mut props = Map::new();
            props.insert("time".into(), Value::String(now.clone()));
            plan.put.push(Entity {
                kind: HistoricalLocation,
                id: hid,
                props,
                links: Links {
                    thing: Some(thing),
                    locations,
                    ..Links::default()
                },
                managed: false,
            });
        }
        self.commit_plan(plan).await?;
        Ok(id)
    }

    /// Plans one entity and what it nests; returns its id (an existing one when the
    /// object only links).
    fn plan(
        &self,
        plan: &mut Plan,
        kind: EntityType,
        body: &Map<String, Value>,
        mut links: Links,
    ) -> Result<i64, SensingError> {
        if let Some(id) = link_id(body)? {
            let known = self.registry.exists(kind, id)
                || plan.put.iter().any(|e| e.kind == kind && e.id == id);
            if !known {
                return Err(SensingError::NotFound(kind, id));
            }
            return Ok(id);
        }
        if kind == Observation {
            return Err(invalid(
                "bad_link",
                "Observations are created with their Datastream, not nested elsewhere",
            )
            .into());
        }
        let props = own_props(kind, body, true)?;
        let id = plan.next_id()?;
        // The entities this one points at (created or linked) come first.
        let one =
            |plan: &mut Plan, key: &str, target: EntityType| -> Result<Option<i64>, SensingError> {
                match body.get(key) {
                    None | Some(Value::Null) => Ok(None),
                    Some(v) => Ok(Some(self.plan(
                        plan,
                        target,
                        nested(v, key)?,
                        Links::default(),
                    )?)),
                }
            };
        match kind {
            Datastream | MultiDatastream => {
                if let Some(t) = one(plan, "Thing", Thing)? {
                    links.thing = Some(t);
                }
                if let Some(s) = one(plan, "Sensor", Sensor)? {
                    links.sensor = Some(s);
                }
                if kind == Datastream {
                    if let Some(o) = one(plan, "ObservedProperty", ObservedProperty)? {
                        links.observed_property = Some(o);
                    }
                }
            }
            HistoricalLocation => {
                if let Some(t) = one(plan, "Thing", Thing)? {
                    links.thing = Some(t);
                }
            }
            _ => {}
        }
        for v in array(body, "Locations")? {
            if matches!(kind, Thing | HistoricalLocation) {
                let l = self.plan(plan, Location, nested(v, "Locations")?, Links::default())?;
                links.locations.push(l);
            }
        }
        if kind == MultiDatastream {
            for v in array(body, "ObservedProperties")? {
                let o = self.plan(
                    plan,
                    ObservedProperty,
                    nested(v, "ObservedProperties")?,
                    Links::default(),
                )?;
                links.observed_properties.push(o);
            }
        }
        check_links(kind, &props, &links)?;
        plan.put.push(Entity {
            kind,
            id,
            props,
            links,
            managed: false,
        });
        // What hangs off this one.
        match kind {
            Thing => {
                for (key, k) in [
                    ("Datastreams", Datastream),
                    ("MultiDatastreams", MultiDatastream),
                ] {
                    for v in array(body, key)? {
                        let l = Links {
                            thing: Some(id),
                            ..Links::default()
                        };
                        self.plan(plan, k, nested(v, key)?, l)?;
                    }
                }
            }
            Location => {
                for v in array(body, "Things")? {
                    let t = self.plan(plan, Thing, nested(v, "Things")?, Links::default())?;
                    self.link_thing_to_location(plan, t, id)?;
                }
            }
            Sensor | ObservedProperty => {
                for v in array(body, "Datastreams")? {
                    let l = match kind {
                        Sensor => Links {
                            sensor: Some(id),
                            ..Links::default()
                        },
                        _ => Links {
                            observed_property: Some(id),
                            ..Links::default()
                        },
                    };
                    self.plan(plan, Datastream, nested(v, "Datastreams")?, l)?;
                }
            }
            _ => {}
        }
        if matches!(kind, Datastream | MultiDatastream) {
            let stream = if kind == Datastream {
                Stream::Datastream(id)
            } else {
                Stream::Multi(id)
            };
            for v in array(body, "Observations")? {
                let o = crate::observation::Observation::from_json(
                    nested(v, "Observations")?,
                    Some(stream),
                    Utc::now(),
                )?;
                plan.observations.push(o);
            }
        }
        Ok(id)
    }

    /// Adds Location `l` to Thing `t`'s current locations (planned or stored).
    fn link_thing_to_location(&self, plan: &mut Plan, t: i64, l: i64) -> Result<(), SensingError> {
        if plan.planned(Thing, t).is_none() {
            let e = self
                .registry
                .get(Thing, t, true)
                .ok_or(SensingError::NotFound(Thing, t))?;
            if e.managed {
                return Err(SensingError::Managed(Thing, t));
            }
            plan.put.push(e);
        }
        if let Some(e) = plan.planned(Thing, t) {
            if !e.links.locations.contains(&l) {
                e.links.locations.push(l);
            }
        }
        Ok(())
    }

    /// Stores a plan in one transaction, then applies and announces it.
    async fn commit_plan(&self, plan: Plan) -> Result<(), SensingError> {
        for e in &plan.put {
            if e.id < STORED_IDS_FROM {
                return Err(SensingError::Managed(e.kind, e.id));
            }
        }
        let mut plan = plan;
        let mut observations = std::mem::take(&mut plan.observations);
        for o in &mut observations {
            self.settle_foi(o, &mut plan.put, &mut plan.ids)?;
        }
        let write = EntityWrite {
            put: plan.put.iter().map(|e| (e.kind, e.id, e.doc())).collect(),
            observations,
            ..EntityWrite::default()
        };
        let ids = self.repo.write_entities(&write).await?;
        let existed: Vec<bool> = plan
            .put
            .iter()
            .map(|e| self.registry.exists(e.kind, e.id))
            .collect();
        self.registry.apply(&plan.put, &[]);
        for (e, existed) in plan.put.iter().zip(existed) {
            self.announce(Change::Entity {
                kind: e.kind,
                id: e.id,
                created: !existed,
            });
        }
        let stored = write.observations.into_iter().zip(ids).map(|(mut o, id)| {
            o.id = id;
            o
        });
        self.after_store(stored.collect());
        Ok(())
    }

    /// Gives an observation its FeatureOfInterest when the client gave none: the
    /// device's own for a device stream; otherwise the one made from its Thing's
    /// Location (§8.2.7), made now (into `planned`, with an id from `spare`) the first
    /// time that Location is observed.
    pub(crate) fn settle_foi(
        &self,
        o: &mut crate::observation::Observation,
        planned: &mut Vec<Entity>,
        spare: &mut Vec<i64>,
    ) -> Result<(), SensingError> {
        if let Some(f) = o.foi {
            if !self.registry.exists(FeatureOfInterest, f)
                && !planned
                    .iter()
                    .any(|e| e.kind == FeatureOfInterest && e.id == f)
            {
                return Err(SensingError::NotFound(FeatureOfInterest, f));
            }
            return Ok(());
        }
        let kind = match o.stream {
            Stream::Datastream(_) => Datastream,
            Stream::Multi(_) => MultiDatastream,
        };
        let find = |planned: &[Entity], kind: EntityType, id: i64| -> Option<Entity> {
            planned
                .iter()
                .find(|e| e.kind == kind && e.id == id)
                .cloned()
                .or_else(|| self.registry.get(kind, id, true))
        };
        let stream = find(planned, kind, o.stream.id())
            .ok_or(SensingError::NotFound(kind, o.stream.id()))?;
        if stream.managed {
            o.foi = stream.links.thing;
            return Ok(());
        }
        let thing = stream.links.thing.and_then(|t| find(planned, Thing, t));
        let Some(l) = thing.and_then(|t| t.links.locations.first().copied()) else {
            return Err(invalid(
                "missing_feature",
                "the Observation names no FeatureOfInterest and its Thing has no Location to make one from",
            )
            .into());
        };
        if l < STORED_IDS_FROM {
            o.foi = Some(l);
            return Ok(());
        }
        let made_from = |e: &Entity| e.kind == FeatureOfInterest && e.links.locations == [l];
        if let Some(f) = planned.iter().find(|e| made_from(e)) {
            o.foi = Some(f.id);
            return Ok(());
        }
        if let Some(f) = self
            .registry
            .find_stored(FeatureOfInterest, |x| x.locations == [l])
            .first()
        {
            o.foi = Some(*f);
            return Ok(());
        }
        let loc = find(planned, Location, l).ok_or(SensingError::NotFound(Location, l))?;
        let id = spare.pop().ok_or_else(|| {
            SensingError::from(invalid("too_large", "no id left for a FeatureOfInterest"))
        })?;
        let mut props = Map::new();
        for (k, from) in [
            ("name", "name"),
            ("description", "description"),
            ("encodingType", "encodingType"),
            ("feature", "location"),
        ] {
            props.insert(
                k.into(),
                loc.props.get(from).cloned().unwrap_or(Value::Null),
            );
        }
        planned.push(Entity {
            kind: FeatureOfInterest,
            id,
            props,
            links: Links {
                locations: vec![l],
                ..Links::default()
            },
            managed: false,
        });
        o.foi = Some(id);
        Ok(())
    }

    pub(crate) fn after_store(&self, stored: Vec<crate::observation::Observation>) {
        let mut p = self.pending.lock().expect("pending");
        let stored: Vec<Arc<_>> = stored.into_iter().map(Arc::new).collect();
        for o in &stored {
            p.fold(o);
        }
        drop(p);
        self.apply_rules(&stored);
        for o in stored {
            self.remember(&o);
            self.announce(Change::Observation {
                observation: o,
                created: true,
            });
        }
    }
}

/// The links an entity must have, and the shapes that must agree.
fn check_links(
    kind: EntityType,
    props: &Map<String, Value>,
    l: &Links,
) -> Result<(), SensingError> {
    let need = |ok: bool, what: &str| {
        if ok {
            Ok(())
        } else {
            Err(SensingError::from(invalid(
                "missing_link",
                format!("a {} needs its {what}", kind.singular()),
            )))
        }
    };
    match kind {
        Datastream => {
            need(l.thing.is_some(), "Thing")?;
            need(l.sensor.is_some(), "Sensor")?;
            need(l.observed_property.is_some(), "ObservedProperty")
        }
        MultiDatastream => {
            need(l.thing.is_some(), "Thing")?;
            need(l.sensor.is_some(), "Sensor")?;
            need(!l.observed_properties.is_empty(), "ObservedProperties")?;
            let len = |k: &str| props.get(k).and_then(Value::as_array).map_or(0, Vec::len);
            if len("unitOfMeasurements") != l.observed_properties.len()
                || len("multiObservationDataTypes") != l.observed_properties.len()
            {
                return Err(invalid(
                    "bad_property",
                    "a MultiDatastream has one unitOfMeasurement and one multiObservationDataType per ObservedProperty",
                )
                .into());
            }
            Ok(())
        }
        HistoricalLocation => need(l.thing.is_some(), "Thing"),
        _ => Ok(()),
    }
}
