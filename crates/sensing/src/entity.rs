//! The nine entity types of OGC SensorThings API v1.1 (Sensing part, with the
//! MultiDatastream extension) and how they navigate to one another (OGC 18-088, §8.2).

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum EntityType {
    Thing,
    Location,
    HistoricalLocation,
    Datastream,
    MultiDatastream,
    Sensor,
    ObservedProperty,
    Observation,
    FeatureOfInterest,
}

/// A navigation property: where it leads, and whether it names one entity or a set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nav {
    pub name: &'static str,
    pub target: EntityType,
    pub many: bool,
}

const fn one(name: &'static str, target: EntityType) -> Nav {
    Nav {
        name,
        target,
        many: false,
    }
}
const fn many(name: &'static str, target: EntityType) -> Nav {
    Nav {
        name,
        target,
        many: true,
    }
}

use EntityType::*;

impl EntityType {
    pub const ALL: [EntityType; 9] = [
        Thing,
        Location,
        HistoricalLocation,
        Datastream,
        MultiDatastream,
        Sensor,
        ObservedProperty,
        Observation,
        FeatureOfInterest,
    ];

    /// The entity set's name in URLs (`Things`).
    pub fn collection(self) -> &'static str {
        match self {
            Thing => "Things",
            Location => "Locations",
            HistoricalLocation => "HistoricalLocations",
            Datastream => "Datastreams",
            MultiDatastream => "MultiDatastreams",
            Sensor => "Sensors",
            ObservedProperty => "ObservedProperties",
            Observation => "Observations",
            FeatureOfInterest => "FeaturesOfInterest",
        }
    }

    /// The singular name (`Thing`), as a navigation property to one entity spells it.
    pub fn singular(self) -> &'static str {
        match self {
            Thing => "Thing",
            Location => "Location",
            HistoricalLocation => "HistoricalLocation",
            Datastream => "Datastream",
            MultiDatastream => "MultiDatastream",
            Sensor => "Sensor",
            ObservedProperty => "ObservedProperty",
            Observation => "Observation",
            FeatureOfInterest => "FeatureOfInterest",
        }
    }

    pub fn from_collection(name: &str) -> Option<EntityType> {
        EntityType::ALL.into_iter().find(|t| t.collection() == name)
    }

    /// The entity's own properties, in the order the specification lists them (the
    /// default `$select`). `id`, `selfLink` and navigation links are added by the edge.
    pub fn properties(self) -> &'static [&'static str] {
        match self {
            Thing => &["name", "description", "properties"],
            Location => &[
                "name",
                "description",
                "encodingType",
                "location",
                "properties",
            ],
            HistoricalLocation => &["time"],
            Datastream => &[
                "name",
                "description",
                "unitOfMeasurement",
                "observationType",
                "observedArea",
                "phenomenonTime",
                "resultTime",
                "properties",
            ],
            MultiDatastream => &[
                "name",
                "description",
                "unitOfMeasurements",
                "observationType",
                "multiObservationDataTypes",
                "observedArea",
                "phenomenonTime",
                "resultTime",
                "properties",
            ],
            Sensor => &[
                "name",
                "description",
                "encodingType",
                "metadata",
                "properties",
            ],
            ObservedProperty => &["name", "definition", "description", "properties"],
            Observation => &[
                "phenomenonTime",
                "resultTime",
                "result",
                "resultQuality",
                "validTime",
                "parameters",
            ],
            FeatureOfInterest => &[
                "name",
                "description",
                "encodingType",
                "feature",
                "properties",
            ],
        }
    }

    /// The properties a client must give on create (OGC 18-088 tables 8–17).
    pub fn mandatory(self) -> &'static [&'static str] {
        match self {
            Thing => &["name", "description"],
            Location => &["name", "description", "encodingType", "location"],
            HistoricalLocation => &["time"],
            Datastream => &[
                "name",
                "description",
                "unitOfMeasurement",
                "observationType",
            ],
            MultiDatastream => &[
                "name",
                "description",
                "unitOfMeasurements",
                "observationType",
                "multiObservationDataTypes",
            ],
            Sensor => &["name", "description", "encodingType", "metadata"],
            ObservedProperty => &["name", "definition", "description"],
            Observation => &["result"],
            FeatureOfInterest => &["name", "description", "encodingType", "feature"],
        }
    }

    /// Navigation properties (OGC 18-088 figure 2, and the MultiDatastream extension).
    pub fn navs(self) -> &'static [Nav] {
        const THING: &[Nav] = &[
            many("Locations", Location),
            many("HistoricalLocations", HistoricalLocation),
            many("Datastreams", Datastream),
            many("MultiDatastreams", MultiDatastream),
        ];
        const LOCATION: &[Nav] = &[
            many("Things", Thing),
            many("HistoricalLocations", HistoricalLocation),
        ];
        const HISTORICAL: &[Nav] = &[one("Thing", Thing), many("Locations", Location)];
        const DATASTREAM: &[Nav] = &[
            one("Thing", Thing),
            one("Sensor", Sensor),
            one("ObservedProperty", ObservedProperty),
            many("Observations", Observation),
        ];
        const MULTI: &[Nav] = &[
            one("Thing", Thing),
            one("Sensor", Sensor),
            many("ObservedProperties", ObservedProperty),
            many("Observations", Observation),
        ];
        const SENSOR: &[Nav] = &[
            many("Datastreams", Datastream),
            many("MultiDatastreams", MultiDatastream),
        ];
        const OBSERVED: &[Nav] = &[
            many("Datastreams", Datastream),
            many("MultiDatastreams", MultiDatastream),
        ];
        const OBSERVATION: &[Nav] = &[
            one("Datastream", Datastream),
            one("MultiDatastream", MultiDatastream),
            one("FeatureOfInterest", FeatureOfInterest),
        ];
        const FOI: &[Nav] = &[many("Observations", Observation)];
        match self {
            Thing => THING,
            Location => LOCATION,
            HistoricalLocation => HISTORICAL,
            Datastream => DATASTREAM,
            MultiDatastream => MULTI,
            Sensor => SENSOR,
            ObservedProperty => OBSERVED,
            Observation => OBSERVATION,
            FeatureOfInterest => FOI,
        }
    }

    pub fn nav(self, name: &str) -> Option<Nav> {
        self.navs().iter().copied().find(|n| n.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_navigation_has_its_inverse() {
        // A link the specification draws once is walkable from both ends.
        for t in EntityType::ALL {
            for n in t.navs() {
                assert!(
                    n.target.navs().iter().any(|back| back.target == t),
                    "{}/{} has no way back",
                    t.collection(),
                    n.name
                );
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for t in EntityType::ALL {
            assert_eq!(EntityType::from_collection(t.collection()), Some(t));
        }
        assert_eq!(EntityType::from_collection("Thing"), None);
    }
}
