//! Tests that read like the specification: each file takes one part of OGC 18-088 §9.3.

mod errors;
mod expressions;
mod functions;
mod options;
mod spatial;
mod time;

use serde_json::{json, Value};

use super::{parse_expr, parse_filter, Expr};
use crate::entity::EntityType;

/// An Observation as the store might hand it to the evaluator: navigations nested inline.
fn observation() -> Value {
    json!({
        "@iot.id": 7,
        "result": 3.5,
        "phenomenonTime": "2026-03-01T08:00:00+08:00",
        "resultTime": "2026-03-01T00:00:05Z",
        "parameters": {"battery": 81},
        "Datastream": {
            "id": 11,
            "name": "积水深度",
            "Thing": {
                "id": 3,
                "name": "O'Neil's gauge",
                "properties": {"grid": "440304001", "type": "gauge"}
            }
        },
        "FeatureOfInterest": {
            "feature": {"type": "Point", "coordinates": [114.05, 22.54]}
        }
    })
}

/// A Location at Futian, Shenzhen.
fn location() -> Value {
    json!({
        "id": 1,
        "name": "Futian gauge",
        "encodingType": "application/geo+json",
        "location": {"type": "Point", "coordinates": [114.05, 22.54]}
    })
}

fn parse(text: &str) -> Expr {
    match parse_expr(text) {
        Ok(e) => e,
        Err(e) => panic!("{text}: {e}"),
    }
}

/// The filter's value for the entity.
fn eval(text: &str, entity: &Value) -> Value {
    match parse(text).eval(entity) {
        Ok(v) => v,
        Err(e) => panic!("{text}: {e}"),
    }
}

/// Whether the entity passes the filter.
fn holds(text: &str, entity: &Value) -> bool {
    parse(text).matches(entity)
}

/// A constant expression's value.
fn value_of(text: &str) -> Value {
    eval(text, &Value::Null)
}

fn filter_for(entity: EntityType, text: &str) -> Result<Expr, super::QueryError> {
    parse_filter(text, entity)
}
