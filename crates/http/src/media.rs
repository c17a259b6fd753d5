//! Media types we speak, and the small helpers that put them on responses.

use axum::{
    http::{header, HeaderValue},
    response::Response,
};

pub const JSON: &str = "application/json";
pub const GEOJSON: &str = "application/geo+json";
pub const HTML: &str = "text/html";
pub const OPENAPI_JSON: &str = "application/vnd.oai.openapi+json;version=3.0";
pub const SCHEMA_JSON: &str = "application/schema+json";
pub const MERGE_PATCH_JSON: &str = "application/merge-patch+json";

/// A response with a body already serialised in `content_type`.
pub fn body(content_type: &'static str, bytes: impl Into<axum::body::Body>) -> Response {
    let mut r = Response::new(bytes.into());
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// A JSON document (`application/json` unless said otherwise).
pub fn json(content_type: &'static str, value: &serde_json::Value) -> Response {
    body(content_type, value.to_string())
}

/// An HTML page, which always varies with `Accept` (content negotiation picked it).
pub fn html(page: String) -> Response {
    let mut r = body("text/html; charset=utf-8", page);
    vary_accept(&mut r);
    r
}

/// Marks a negotiated response so caches keep the JSON and HTML forms apart.
pub fn vary_accept(r: &mut Response) {
    r.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
}

/// A negotiated JSON response.
pub fn negotiated_json(content_type: &'static str, value: &serde_json::Value) -> Response {
    let mut r = json(content_type, value);
    vary_accept(&mut r);
    r
}

/// The essence (`type/subtype`, lower-cased, without parameters) of a `Content-Type`.
pub fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}
