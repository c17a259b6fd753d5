//! Query strings and JSON bodies of the `/api/v1` resources, validated at the door into
//! typed values with our own errors (axum's rejections are plain text).

use axum::http::{header, HeaderMap};
use serde::de::DeserializeOwned;

use crate::ApiError;

/// The largest JSON body a `/api/v1` resource accepts (sign-in, a token request…).
pub const JSON_LIMIT: usize = 64 << 10;

/// Parses a query string into `T` (which should `deny_unknown_fields`).
pub fn query<T: DeserializeOwned>(raw: Option<&str>) -> Result<T, ApiError> {
    serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|e| {
        let msg = e.to_string();
        if msg.starts_with("unknown field") {
            ApiError::UnknownParameter(msg)
        } else {
            ApiError::InvalidParameter(msg)
        }
    })
}

/// Parses a JSON request body into `T`, refusing other media types and large bodies.
pub fn json_body<T: DeserializeOwned>(headers: &HeaderMap, body: &[u8]) -> Result<T, ApiError> {
    json_body_within(headers, body, JSON_LIMIT)
}

/// [`json_body`] with a limit of `limit` bytes (a request carrying photos).
pub fn json_body_within<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
    limit: usize,
) -> Result<T, ApiError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        });
    if !is_json {
        return Err(ApiError::UnsupportedMediaType(
            "send the body as application/json".into(),
        ));
    }
    if body.len() > limit {
        return Err(ApiError::PayloadTooLarge(format!(
            "the body is larger than {} KiB",
            limit >> 10
        )));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::InvalidBody(format!("invalid JSON body: {e}")))
}
