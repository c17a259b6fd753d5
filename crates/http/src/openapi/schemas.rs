//! `components/schemas`: the OGC API Features document shapes, and one properties schema
//! per layer (derived from its [`citymirror_core::LayerSchema`]).

use citymirror_core::LayerId;
use serde_json::{json, Map, Value as Json};

use crate::ogc::queryables::property_schema;

/// A `$ref` to the schema `name` in this document.
pub fn reference(name: &str) -> Json {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The name of a layer's properties schema.
pub fn properties_name(layer: LayerId) -> String {
    format!("{layer}Properties")
}

pub fn all() -> Map<String, Json> {
    let links = json!({ "type": "array", "items": reference("link") });
    let mut m = json!({
        "exception": {
            "type": "object", "required": ["code"],
            "properties": { "code": { "type": "string" }, "message": { "type": "string" } },
        },
        "link": {
            "type": "object", "required": ["href", "rel"],
            "properties": {
                "href": { "type": "string" }, "rel": { "type": "string" }, "type": { "type": "string" },
                "hreflang": { "type": "string" }, "title": { "type": "string" }, "length": { "type": "integer" },
            },
        },
        "landingPage": {
            "type": "object", "required": ["links"],
            "properties": { "title": { "type": "string" }, "description": { "type": "string" }, "links": links },
        },
        "confClasses": {
            "type": "object", "required": ["conformsTo"],
            "properties": { "conformsTo": { "type": "array", "items": { "type": "string" } } },
        },
        "extent": {
            "type": "object",
            "properties": {
                "spatial": { "type": "object", "properties": {
                    "bbox": { "type": "array", "minItems": 1, "items": {
                        "type": "array", "minItems": 4, "maxItems": 6, "items": { "type": "number" } } },
                    "crs": { "type": "string" },
                } },
                "temporal": { "type": "object", "properties": {
                    "interval": { "type": "array", "minItems": 1, "items": {
                        "type": "array", "minItems": 2, "maxItems": 2,
                        "items": { "type": "string", "format": "date-time", "nullable": true } } },
                    "trs": { "type": "string" },
                } },
            },
        },
        "collection": {
            "type": "object", "required": ["id", "links"],
            "properties": {
                "id": { "type": "string" }, "title": { "type": "string" }, "description": { "type": "string" },
                "links": links, "extent": reference("extent"),
                "itemType": { "type": "string", "default": "feature" },
                "crs": { "type": "array", "items": { "type": "string" } },
                "storageCrs": { "type": "string" },
            },
        },
        "collections": {
            "type": "object", "required": ["links", "collections"],
            "properties": {
                "links": links,
                "crs": { "type": "array", "items": { "type": "string" } },
                "collections": { "type": "array", "items": reference("collection") },
            },
        },
        "geometryGeoJSON": {
            "type": "object", "required": ["type"],
            "properties": {
                "type": { "type": "string", "enum": ["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"] },
                "coordinates": { "type": "array", "items": {} },
                "geometries": { "type": "array", "items": reference("geometryGeoJSON") },
            },
        },
        "featureGeoJSON": {
            "type": "object", "required": ["type", "geometry", "properties"],
            "properties": {
                "type": { "type": "string", "enum": ["Feature"] },
                "id": { "oneOf": [{ "type": "string" }, { "type": "integer" }] },
                "geometry": reference("geometryGeoJSON"),
                "properties": { "type": "object", "nullable": true },
                "links": links,
            },
        },
        "featureCollectionGeoJSON": {
            "type": "object", "required": ["type", "features"],
            "properties": {
                "type": { "type": "string", "enum": ["FeatureCollection"] },
                "features": { "type": "array", "items": reference("featureGeoJSON") },
                "links": links,
                "timeStamp": { "type": "string", "format": "date-time" },
                "numberMatched": { "type": "integer", "minimum": 0 },
                "numberReturned": { "type": "integer", "minimum": 0 },
            },
        },
        "mergePatch": {
            "type": "object",
            "description": "A JSON merge patch (RFC 7396) of a feature: `properties` and/or `geometry`.",
            "properties": {
                "properties": { "type": "object" },
                "geometry": reference("geometryGeoJSON"),
            },
        },
        "queryables": {
            "type": "object", "required": ["type", "properties"],
            "properties": {
                "$schema": { "type": "string" }, "$id": { "type": "string" },
                "type": { "type": "string" }, "title": { "type": "string" },
                "properties": { "type": "object" },
            },
        },
    });
    let m = m.as_object_mut().expect("an object literal");
    for layer in LayerId::ALL {
        let schema = layer.schema();
        let props: Map<String, Json> = schema
            .properties
            .iter()
            .map(|p| {
                let mut s = property_schema(p.ty, p.title_zh);
                s["nullable"] = json!(true);
                (p.name.to_owned(), s)
            })
            .collect();
        let required: Vec<&str> = schema
            .properties
            .iter()
            .filter(|p| p.required)
            .map(|p| p.name)
            .collect();
        m.insert(
            properties_name(layer),
            json!({ "type": "object", "required": required, "properties": props }),
        );
    }
    std::mem::take(m)
}
