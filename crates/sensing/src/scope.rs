//! What a `$filter` or `$orderby` sees of an entity: its own properties, its id, and
//! — through single-valued navigation properties — those of the entities it links to
//! (`Datastream/Thing/properties/grid`), looked up only when a path asks.

use serde_json::Value;

use crate::{
    model::Entity,
    observation::{Observation, Stream},
    query::Scope,
    registry::{Registry, Related},
    EntityType,
};

/// What the reader may see of a value (text masked to their entitlement). A filter
/// compares what the reader sees, never what is stored, so that it cannot confirm a
/// masked value by trying candidates.
pub type Mask<'a> = &'a (dyn Fn(Value) -> Value + Sync);

/// An entity of the registry.
pub struct EntityScope<'a> {
    pub registry: &'a Registry,
    pub entity: &'a Entity,
    pub reveal_serial: bool,
    pub mask: Mask<'a>,
}

/// An observation, whose links the store holds.
pub struct ObservationScope<'a> {
    pub registry: &'a Registry,
    pub observation: &'a Observation,
    pub reveal_serial: bool,
    pub mask: Mask<'a>,
}

fn own(props: &serde_json::Map<String, Value>, id: i64, path: &[String]) -> Value {
    let Some((first, rest)) = path.split_first() else {
        return Value::Null;
    };
    let mut here = match first.as_str() {
        "id" | "@iot.id" => {
            return if rest.is_empty() {
                Value::from(id)
            } else {
                Value::Null
            }
        }
        name => match props.get(name) {
            Some(v) => v,
            None => return Value::Null,
        },
    };
    for seg in rest {
        match here.get(seg.as_str()) {
            Some(v) => here = v,
            None => return Value::Null,
        }
    }
    here.clone()
}

/// Follows a single-valued navigation from `(kind, id)` and resolves the rest there.
fn follow(
    registry: &Registry,
    target: EntityType,
    id: Option<i64>,
    rest: &[String],
    reveal: bool,
    mask: Mask<'_>,
) -> Value {
    let Some(e) = id.and_then(|id| registry.get(target, id, reveal)) else {
        return Value::Null;
    };
    EntityScope {
        registry,
        entity: &e,
        reveal_serial: reveal,
        mask,
    }
    .resolve(rest)
}

impl Scope for EntityScope<'_> {
    fn resolve(&self, path: &[String]) -> Value {
        let Some((first, rest)) = path.split_first() else {
            return Value::Null;
        };
        match self.entity.kind.nav(first) {
            Some(nav) if !nav.many => {
                match self
                    .registry
                    .related(self.entity.kind, self.entity.id, first)
                {
                    Some(Related::One(id)) => follow(
                        self.registry,
                        nav.target,
                        id,
                        rest,
                        self.reveal_serial,
                        self.mask,
                    ),
                    _ => Value::Null,
                }
            }
            // Collections (`Datastreams/…`) need `any`/`all`, which are not supported.
            Some(_) => Value::Null,
            None => (self.mask)(own(&self.entity.props, self.entity.id, path)),
        }
    }
}

impl Scope for ObservationScope<'_> {
    fn resolve(&self, path: &[String]) -> Value {
        let Some((first, rest)) = path.split_first() else {
            return Value::Null;
        };
        let o = self.observation;
        let (r, m) = (self.reveal_serial, self.mask);
        match first.as_str() {
            "Datastream" => match o.stream {
                Stream::Datastream(d) => {
                    follow(self.registry, EntityType::Datastream, Some(d), rest, r, m)
                }
                Stream::Multi(_) => Value::Null,
            },
            "MultiDatastream" => match o.stream {
                Stream::Multi(id) => follow(
                    self.registry,
                    EntityType::MultiDatastream,
                    Some(id),
                    rest,
                    r,
                    m,
                ),
                Stream::Datastream(_) => Value::Null,
            },
            "FeatureOfInterest" => follow(
                self.registry,
                EntityType::FeatureOfInterest,
                o.foi,
                rest,
                r,
                m,
            ),
            _ => m(own(&o.props(), o.id, path)),
        }
    }
}
