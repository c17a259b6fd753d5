//! `POST /api/v1/import/{layer}?crs=wgs84|gcj02|bd09`: a whole file of features from a
//! business system (data reflow), as GeoJSON (`application/geo+json`) or CSV
//! (`text/csv`, with `lon` and `lat` columns), all or nothing.
//!
//! The same import `citymirror import` runs: every row is validated, converted to WGS84
//! and placed before anything is written, and the first bad row refuses the file,
//! naming its line or feature. Each feature must lie inside the caller's jurisdiction,
//! as for a single write. The command line sends its file here when a server is running
//! on its data directory, so the features appear in the running twin at once.

use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use citymirror_core::datum::Datum;
use citymirror_trust::Target;
use citymirror_twin::import;
use serde::Deserialize;
use serde_json::json;

use super::query::query;
use crate::{
    ogc::{
        find_layer,
        write::{action_for, authorize_place, place},
    },
    security::{trail, Caller},
    ApiError, AppState,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportQuery {
    /// The datum of the file's coordinates (default WGS84).
    crs: Option<String>,
}

pub async fn post(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(collection): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let layer = find_layer(&collection)?;
    who.authorize(action_for(layer), Target::Any)?;
    let q: ImportQuery = query(raw.as_deref())?;
    let datum: Datum = q
        .crs
        .as_deref()
        .unwrap_or("wgs84")
        .parse()
        .map_err(|e: citymirror_core::ValueError| ApiError::InvalidParameter(e.to_string()))?;
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let csv = match media.as_str() {
        "text/csv" => true,
        "application/geo+json" | "application/json" => false,
        other => {
            return Err(ApiError::UnsupportedMediaType(format!(
                "an import is text/csv or application/geo+json, not `{other}`"
            )))
        }
    };
    let schema = layer.schema();
    // Parsing and validating a large file is CPU work: off the async workers.
    let features = tokio::task::spawn_blocking(move || {
        if csv {
            import::read_csv(schema, body.as_ref(), datum, |_| {})
        } else {
            let text = std::str::from_utf8(&body).map_err(|_| import::ImportError {
                location: "the file".into(),
                reason: "is not UTF-8".into(),
            })?;
            import::read_geojson(schema, text, datum, |_, _| {})
        }
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .map_err(|e| ApiError::InvalidBody(format!("{e}; nothing was imported")))?;
    for (i, f) in features.iter().enumerate() {
        let at = place(&state, layer, &f.geometry, &f.props);
        authorize_place(&state, &who, layer, &at, &f.geometry).map_err(|e| match e {
            ApiError::Forbidden(m) => {
                ApiError::Forbidden(format!("feature {}: {m}; nothing was imported", i + 1))
            }
            other => other,
        })?;
    }
    let written = state.service.import(layer, features).await?;
    let ids: Vec<i64> = written.iter().map(|f| f.id).collect();
    trail::record(
        &state,
        &who,
        "twin.import",
        layer.to_string(),
        json!({ "features": ids.len(), "first": ids.first(), "last": ids.last() }),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "layer": layer.as_str(), "imported": ids.len(), "ids": ids })),
    )
        .into_response())
}
