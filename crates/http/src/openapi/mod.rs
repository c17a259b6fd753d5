//! The OpenAPI 3.0 documents: `/ogc/api` (the OGC API alone, as OGC API – Features asks)
//! and `/api/openapi.json` (the whole HTTP API). Both are generated from the layer
//! schemas, so every collection has concrete paths with its own queryable parameters.

mod ogc_paths;
mod params;
mod schemas;
mod tile_paths;

use serde_json::{json, Map, Value as Json};

pub const OPENAPI_VERSION: &str = "3.0.3";

fn info(title: &str) -> Json {
    json!({
        "title": title,
        "version": env!("CARGO_PKG_VERSION"),
        "description": "CityMirror, an open-source digital twin of Futian District, Shenzhen (福田区数字孪生).",
        "license": { "name": "Apache-2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0" },
    })
}

/// The OGC API – Features definition served at `/ogc/api`; its server is `{base}/ogc`.
pub fn ogc_document(base: &str) -> Json {
    json!({
        "openapi": OPENAPI_VERSION,
        "info": info("CityMirror OGC API – Features"),
        "servers": [{ "url": format!("{base}/ogc") }],
        "paths": ogc_paths::paths(""),
        "components": { "schemas": schemas::all() },
    })
}

/// The OpenAPI document of the whole HTTP API (served at `/api/openapi.json`), whose server
/// is `base`, the absolute root URL. Other edges may merge their paths into it.
pub fn openapi_document(base: &str) -> Json {
    let mut paths = ogc_paths::paths("/ogc");
    paths.extend(api_paths());
    paths.extend(tile_paths::paths());
    json!({
        "openapi": OPENAPI_VERSION,
        "info": info("CityMirror HTTP API"),
        "servers": [{ "url": base }],
        "paths": paths,
        "components": { "schemas": schemas::all() },
    })
}

/// The paths outside OGC API Features: health, locate and this document.
fn api_paths() -> Map<String, Json> {
    let error = |d: &str| json!({ "description": d, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/exception" } } } });
    let unit = json!({
        "type": "object",
        "required": ["code", "name"],
        "properties": { "code": { "type": "string" }, "name": { "type": "string" } },
    });
    let coordinate = |name: &str, min: f64, max: f64, d: &str| {
        json!({ "name": name, "in": "query", "required": true, "description": d,
                "schema": { "type": "number", "minimum": min, "maximum": max } })
    };
    let paths = json!({
        "/healthz": { "get": {
            "operationId": "health", "summary": "Liveness and the number of features in the twin",
            "tags": ["System"],
            "responses": { "200": { "description": "The server is up", "content": { "application/json": { "schema": {
                "type": "object", "required": ["status", "features"],
                "properties": { "status": { "type": "string", "enum": ["ok"] }, "features": { "type": "integer", "minimum": 0 } },
            } } } } },
        } },
        "/api/v1/locate": { "get": {
            "operationId": "locate", "summary": "The grid path (区-街道-社区-网格) of a WGS84 point",
            "tags": ["Grid"],
            "parameters": [
                coordinate("lon", -180.0, 180.0, "WGS84 longitude"),
                coordinate("lat", -90.0, 90.0, "WGS84 latitude"),
            ],
            "responses": {
                "200": { "description": "The district, street, community and grid the point lies in", "content": { "application/json": { "schema": {
                    "type": "object", "required": ["district", "street", "community", "grid"],
                    "properties": { "district": unit, "street": unit, "community": unit, "grid": unit },
                } } } },
                "400": error("lon or lat missing or malformed"),
                "404": error("The point lies outside the district (code `outside_district`)"),
            },
        } },
        "/api/openapi.json": { "get": {
            "operationId": "openapi", "summary": "This document", "tags": ["System"],
            "responses": { "200": { "description": "The OpenAPI 3.0 document of the HTTP API", "content": { "application/json": { "schema": { "type": "object" } } } } },
        } },
    });
    match paths {
        Json::Object(m) => m,
        _ => unreachable!("a JSON object literal"),
    }
}
