//! `GET /api/v1/search?q=&limit=`: features by name and address, for the map's search
//! box. Only public-grade fields are searched, and each as its reader sees it: free
//! text is masked to the reader's entitlement before it is matched and returned, so a
//! name with a mobile number in it neither leaks nor confirms the number.

use axum::{
    extract::{RawQuery, State},
    response::Response,
};
use citymirror_core::LayerId;
use citymirror_trust::mask;
use citymirror_twin::SearchHit;
use serde::Deserialize;
use serde_json::{json, Value as Json};

use super::query::query;
use crate::{media, security::Caller, ApiError, AppState};

pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 100;
/// Longer queries are typing accidents or abuse; each term is a substring scan.
const MAX_QUERY_CHARS: usize = 100;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchQuery {
    q: String,
    limit: Option<usize>,
}

pub async fn get(
    State(state): State<AppState>,
    Caller(who): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let SearchQuery { q, limit } = query(raw.as_deref())?;
    let q = q.trim();
    if q.is_empty() || q.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::InvalidParameter(format!(
            "q must hold 1 to {MAX_QUERY_CHARS} characters"
        )));
    }
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::InvalidParameter(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    let twin = state.service.twin().clone();
    let needle = q.to_owned();
    // A scan of tens of thousands of names: off the async workers.
    let entitlement = who.entitlement();
    let hits = tokio::task::spawn_blocking(move || {
        twin.search_as(&needle, limit, &|text| mask::mask_text(text, entitlement))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let results: Vec<Json> = hits.iter().map(hit).collect();
    Ok(media::json(
        media::JSON,
        &json!({ "query": q, "results": results }),
    ))
}

fn hit(h: &SearchHit) -> Json {
    let (min, max) = (h.bbox.min(), h.bbox.max());
    json!({
        "layer": h.layer.as_str(),
        "id": h.id,
        "name": h.name,
        // The second searched field is an address only for buildings; for units it is
        // their code (already in grid_code), for cameras their national id.
        "address": matches!(h.layer, LayerId::Buildings | LayerId::Landmarks).then_some(&h.detail),
        "grid_code": h.grid_code,
        "center": [(min.x + max.x) / 2.0, (min.y + max.y) / 2.0],
        "bbox": [min.x, min.y, max.x, max.y],
    })
}
