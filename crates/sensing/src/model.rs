//! Entities as the registry holds them: their own properties (as the specification
//! names them) and the links they own.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{time::TimeValue, EntityType};

/// The links an entity owns (the other direction is found by looking them up):
/// a Thing its current Locations; a HistoricalLocation its Thing and Locations; a
/// (Multi)Datastream its Thing, Sensor and ObservedProperty (or properties).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Links {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thing: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensor: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_property: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observed_properties: Vec<i64>,
}

/// An entity a client created (stored), or one seen from the twin (`managed`).
#[derive(Clone, Debug, PartialEq)]
pub struct Entity {
    pub kind: EntityType,
    pub id: i64,
    pub props: Map<String, Value>,
    pub links: Links,
    /// A view of a twin device or of the built-in catalogue: read-only here.
    pub managed: bool,
}

/// What the store keeps of a stored entity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredDoc {
    pub props: Map<String, Value>,
    #[serde(default)]
    pub links: Links,
}

impl Entity {
    pub fn doc(&self) -> StoredDoc {
        StoredDoc {
            props: self.props.clone(),
            links: self.links.clone(),
        }
    }
}

/// Why a write was refused: a stable code and a human message.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    pub code: &'static str,
    pub message: String,
}

pub fn invalid(code: &'static str, message: impl Into<String>) -> Invalid {
    Invalid {
        code,
        message: message.into(),
    }
}

/// The largest JSON text an entity's free properties may take (a bound on what one
/// anonymous-scale client can make the server keep per entity).
pub const MAX_PROPS_BYTES: usize = 64 * 1024;

/// Checks the own properties of `kind` given in a create (`full`) or a PATCH, and keeps
/// only those (navigation and control members are taken apart by the caller).
pub fn own_props(
    kind: EntityType,
    given: &Map<String, Value>,
    full: bool,
) -> Result<Map<String, Value>, Invalid> {
    let mut out = Map::new();
    for name in kind.properties() {
        if let Some(v) = given.get(*name) {
            check_prop(kind, name, v)?;
            out.insert((*name).to_string(), v.clone());
        }
    }
    if full {
        for m in kind.mandatory() {
            if out.get(*m).is_none_or(Value::is_null) {
                return Err(invalid(
                    "missing_property",
                    format!("a {} needs `{m}`", kind.singular()),
                ));
            }
        }
    }
    let size = serde_json::to_string(&out).map(|s| s.len()).unwrap_or(0);
    if size > MAX_PROPS_BYTES {
        return Err(invalid(
            "too_large",
            format!(
                "a {}'s properties take {size} bytes; at most {MAX_PROPS_BYTES}",
                kind.singular()
            ),
        ));
    }
    Ok(out)
}

fn check_prop(kind: EntityType, name: &str, v: &Value) -> Result<(), Invalid> {
    let bad = |what: &str| {
        Err(invalid(
            "bad_property",
            format!("`{name}` of a {} must be {what}", kind.singular()),
        ))
    };
    match name {
        "name" | "description" | "encodingType" | "definition" | "observationType"
            if !v.is_string() =>
        {
            bad("a string")
        }
        "properties" | "parameters" if !(v.is_object() || v.is_null()) => bad("a JSON object"),
        "unitOfMeasurement" if !v.is_object() => bad("an object with name, symbol and definition"),
        "unitOfMeasurements" | "multiObservationDataTypes" if !v.is_array() => bad("an array"),
        "location" | "feature" if crate::geometry::from_json(v).is_none() => {
            bad("a GeoJSON geometry, feature or point")
        }
        "time" | "phenomenonTime" | "resultTime" | "validTime"
            if !v.is_null() && TimeValue::from_json(v).is_err() =>
        {
            bad("an ISO 8601 time or interval")
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn a_create_needs_the_mandatory_properties() {
        let e = own_props(EntityType::Thing, &m(json!({"name": "x"})), true).unwrap_err();
        assert_eq!(e.code, "missing_property");
        assert!(own_props(EntityType::Thing, &m(json!({"name": "x"})), false).is_ok());
    }

    #[test]
    fn ill_typed_properties_are_refused() {
        let bad = m(
            json!({"name": "L", "description": "d", "encodingType": "application/geo+json",
                           "location": {"type": "Point"}}),
        );
        assert_eq!(
            own_props(EntityType::Location, &bad, true)
                .unwrap_err()
                .code,
            "bad_property"
        );
        let t = m(json!({"name": 3, "description": "d"}));
        assert_eq!(
            own_props(EntityType::Thing, &t, true).unwrap_err().code,
            "bad_property"
        );
    }

    #[test]
    fn unknown_members_are_dropped_not_kept() {
        let t = own_props(
            EntityType::Thing,
            &m(json!({"name": "x", "description": "d", "colour": 1})),
            true,
        )
        .unwrap();
        assert!(t.get("colour").is_none());
    }
}
