//! The paths of OGC API – Features, concrete per collection (`/collections/buildings/items`
//! and so on), under a prefix: `""` in `/ogc/api`, `"/ogc"` in the whole-API document.

use citymirror_core::LayerId;
use serde_json::{json, Map, Value as Json};

use super::{params, schemas};
use crate::{media, ogc::title};

fn error(description: &str) -> Json {
    json!({ "description": description, "content": { "application/json": { "schema": schemas::reference("exception") } } })
}

/// A 200 response in JSON (of schema `schema`, in media type `json_type`) or HTML.
fn ok(description: &str, json_type: &str, schema: &str) -> Json {
    json!({
        "description": description,
        "content": {
            json_type: { "schema": schemas::reference(schema) },
            "text/html": { "schema": { "type": "string" } },
        },
    })
}

fn content_crs() -> Json {
    json!({ "Content-Crs": { "description": "The CRS of the geometries, as <URI>", "schema": { "type": "string" } } })
}

fn get(id: &str, summary: &str, tag: &str, parameters: Vec<Json>, response: Json) -> Json {
    json!({
        "operationId": id, "summary": summary, "tags": [tag], "parameters": parameters,
        "responses": { "200": response, "400": error("A parameter is malformed or unknown") },
    })
}

fn feature_body(layer: LayerId, patch: bool) -> Json {
    let feature = json!({ "allOf": [
        schemas::reference("featureGeoJSON"),
        { "type": "object", "properties": { "properties": schemas::reference(&schemas::properties_name(layer)) } },
    ] });
    let content = if patch {
        json!({
            media::MERGE_PATCH_JSON: { "schema": schemas::reference("mergePatch") },
            media::JSON: { "schema": schemas::reference("mergePatch") },
        })
    } else {
        json!({ media::GEOJSON: { "schema": feature }, media::JSON: { "schema": feature } })
    };
    json!({ "required": true, "content": content })
}

fn feature_response(description: &str) -> Json {
    json!({
        "description": description,
        "headers": content_crs(),
        "content": { media::GEOJSON: { "schema": schemas::reference("featureGeoJSON") } },
    })
}

fn write_errors(mut responses: Map<String, Json>) -> Json {
    responses.insert(
        "400".into(),
        error("The body is not a valid feature for this collection"),
    );
    responses.insert("404".into(), error("No such feature"));
    responses.insert(
        "415".into(),
        error("The body is not application/geo+json or application/json"),
    );
    Json::Object(responses)
}

fn collection_paths(prefix: &str, layer: LayerId, paths: &mut Map<String, Json>) {
    let schema = layer.schema();
    let t = title(layer);
    let base = format!("{prefix}/collections/{layer}");
    paths.insert(
        base.clone(),
        json!({ "get": get(
        &format!("describe_{layer}"), &format!("The {t} collection"), "Collections",
        vec![params::f(false)], ok(&format!("The {t} collection"), media::JSON, "collection"),
    ) }),
    );
    paths.insert(format!("{base}/queryables"), json!({ "get": get(
        &format!("queryables_{layer}"), &format!("The properties {t} can be filtered on"), "Collections",
        vec![params::f(false)], ok("A JSON Schema of the queryables", media::SCHEMA_JSON, "queryables"),
    ) }));

    let mut items = get(
        &format!("items_{layer}"),
        &format!("Features of {t}"),
        "Features",
        params::items(schema),
        json!({
            "description": "A page of features",
            "headers": content_crs(),
            "content": {
                media::GEOJSON: { "schema": schemas::reference("featureCollectionGeoJSON") },
                "text/html": { "schema": { "type": "string" } },
            },
        }),
    );
    items["responses"]["404"] = error("No such collection");
    let mut created = Map::new();
    created.insert("201".into(), json!({
        "description": "Created; `Location` names the new feature",
        "headers": {
            "Location": { "description": "The URL of the new feature", "schema": { "type": "string", "format": "uri" } },
            "Content-Crs": content_crs()["Content-Crs"],
        },
        "content": { media::GEOJSON: { "schema": schemas::reference("featureGeoJSON") } },
    }));
    paths.insert(format!("{base}/items"), json!({
        "get": items,
        "post": {
            "operationId": format!("create_{layer}"), "summary": format!("Add a feature to {t}"),
            "tags": ["Transactions"], "requestBody": feature_body(layer, false),
            "responses": write_errors(created),
        },
    }));

    let one = |code: &str, r: Json| {
        let mut m = Map::new();
        m.insert(code.into(), r);
        write_errors(m)
    };
    let mut get_one = get(
        &format!("feature_{layer}"),
        &format!("One feature of {t}"),
        "Features",
        vec![params::feature_id(), params::crs(), params::f(true)],
        json!({
            "description": "The feature",
            "headers": content_crs(),
            "content": {
                media::GEOJSON: { "schema": schemas::reference("featureGeoJSON") },
                "text/html": { "schema": { "type": "string" } },
            },
        }),
    );
    get_one["responses"]["404"] = error("No such feature");
    paths.insert(format!("{base}/items/{{featureId}}"), json!({
        "get": get_one,
        "put": {
            "operationId": format!("replace_{layer}"), "summary": format!("Replace a feature of {t}"),
            "tags": ["Transactions"], "parameters": [params::feature_id()],
            "requestBody": feature_body(layer, false),
            "responses": one("200", feature_response("The feature as replaced")),
        },
        "patch": {
            "operationId": format!("update_{layer}"), "summary": format!("Update a feature of {t} (JSON merge patch)"),
            "tags": ["Transactions"], "parameters": [params::feature_id()],
            "requestBody": feature_body(layer, true),
            "responses": one("200", feature_response("The feature as updated")),
        },
        "delete": {
            "operationId": format!("delete_{layer}"), "summary": format!("Delete a feature of {t}"),
            "tags": ["Transactions"], "parameters": [params::feature_id()],
            "responses": {
                "204": { "description": "Deleted" },
                "404": error("No such feature"),
            },
        },
    }));
}

pub fn paths(prefix: &str) -> Map<String, Json> {
    let mut paths = Map::new();
    let root = if prefix.is_empty() { "/" } else { prefix };
    paths.insert(root.into(), json!({ "get": get(
        "landing", "The landing page", "Capabilities", vec![params::f(false)],
        ok("Links to the API definition, the conformance classes and the collections", media::JSON, "landingPage"),
    ) }));
    paths.insert(format!("{prefix}/conformance"), json!({ "get": get(
        "conformance", "The conformance classes implemented", "Capabilities", vec![params::f(false)],
        ok("The conformance classes", media::JSON, "confClasses"),
    ) }));
    paths.insert(
        format!("{prefix}/api"),
        json!({ "get": get(
        "api", "This API definition", "Capabilities", vec![params::f(false)],
        json!({ "description": "The OpenAPI 3.0 definition", "content": {
            media::OPENAPI_JSON: { "schema": { "type": "object" } },
            "text/html": { "schema": { "type": "string" } },
        } }),
    ) }),
    );
    paths.insert(
        format!("{prefix}/collections"),
        json!({ "get": get(
        "collections", "The feature collections", "Capabilities", vec![params::f(false)],
        ok("The collections: one per twin layer", media::JSON, "collections"),
    ) }),
    );
    for layer in LayerId::ALL {
        collection_paths(prefix, layer, &mut paths);
    }
    paths
}
