//! 智网 — the sensing network. The OGC SensorThings API's entities and query options,
//! observations and their roll-ups, the payloads devices send over MQTT, and the rules
//! whose alarms enter the request loop. No HTTP, no SQL: the edges (`http/sta`) and the
//! store (`store/repo/sensing.rs`) implement the ports declared here.

pub mod entity;
pub mod query;

pub use entity::{EntityType, Nav};
pub mod catalog;
pub mod devices;
pub mod error;
pub mod geometry;
pub mod ingest;
pub mod model;
pub mod observation;
pub mod payload;
pub mod registry;
pub mod repo;
pub mod rollup;
pub mod rules;
pub mod scope;
pub mod service;
pub mod time;
pub use service::{Change, SensingConfig, SensingService};
