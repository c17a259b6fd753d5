//! Query and path parameters, defined inline on every operation (some clients, ogctests
//! among them, look parameters up by name without resolving `$ref`s).

use citymirror_core::LayerSchema;
use serde_json::{json, Value as Json};

use crate::ogc::{
    crs::Crs,
    params::{DEFAULT_LIMIT, MAX_LIMIT},
    queryables::property_schema,
};

fn query(name: &str, description: &str, schema: Json) -> Json {
    json!({
        "name": name, "in": "query", "required": false, "description": description,
        "schema": schema, "style": "form", "explode": false,
    })
}

fn crs_schema() -> Json {
    json!({ "type": "string", "format": "uri", "enum": Crs::ALL.map(Crs::uri), "default": Crs::Crs84.uri() })
}

pub fn f(features: bool) -> Json {
    let values: &[&str] = if features {
        &["json", "geojson", "html"]
    } else {
        &["json", "html"]
    };
    query(
        "f",
        "The representation: JSON (the default) or HTML (the default for browsers).",
        json!({ "type": "string", "enum": values }),
    )
}

pub fn crs() -> Json {
    query(
        "crs",
        "The CRS of the geometries in the response (OGC API – Features Part 2).",
        crs_schema(),
    )
}

pub fn feature_id() -> Json {
    json!({ "name": "featureId", "in": "path", "required": true, "description": "The id of a feature",
            "schema": { "type": "integer" } })
}

/// bbox, bbox-crs, datetime, limit, offset, crs, f, then one parameter per queryable.
pub fn items(schema: &LayerSchema) -> Vec<Json> {
    let mut p = vec![
        query(
            "bbox",
            "Only features whose geometry intersects this box: minx,miny,maxx,maxy (or with minz and maxz, ignored) in the axis order of `bbox-crs`, CRS84 longitude/latitude by default.",
            json!({ "type": "array", "minItems": 4, "maxItems": 6, "items": { "type": "number" } }),
        ),
        query("bbox-crs", "The CRS of `bbox` (OGC API – Features Part 2).", crs_schema()),
        query(
            "datetime",
            "Only features whose date lies in this instant or interval (`2020-01-01`, `2015-01-01/2024-01-01`, `../2010-01-01`, RFC 3339 date-times). Features without a date always match.",
            json!({ "type": "string" }),
        ),
        query(
            "limit",
            "The most features in one page.",
            json!({ "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT }),
        ),
        query(
            "offset",
            "How many matching features to skip (paging).",
            json!({ "type": "integer", "minimum": 0, "default": 0 }),
        ),
        crs(),
        f(true),
    ];
    p.extend(schema.queryables().map(|q| {
        query(
            q.name,
            &format!(
                "Only features whose `{}` ({}) equals this value.",
                q.name, q.title_zh
            ),
            property_schema(q.ty, q.title_zh),
        )
    }));
    p
}
