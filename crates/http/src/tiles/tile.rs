//! `GET /tiles/{tileset}/{z}/{x}/{y}[.mvt|.pbf]`: one vector tile.
//!
//! - 200 with the MVT body (`application/vnd.mapbox-vector-tile`), gzip-encoded when the
//!   client's `Accept-Encoding` allows it;
//! - 204 with no body when the tile has no features (as Martin answers), so clients draw
//!   nothing without parsing anything;
//! - 304 when `If-None-Match` holds the tile's tag.
//!
//! Every answer carries `ETag` and `Cache-Control: no-cache`: clients may keep tiles but
//! revalidate each time, which costs a 304 and no rendering, so a change to the twin
//! shows on the next request. The tag is built from the revisions of the layers the tile
//! draws from, so the 304 check needs neither the cache nor a render. Query strings
//! (a client's `?v=3` cache-buster) are ignored.

use std::sync::Arc;

use axum::{
    body::Body,
    extract::{Path, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::Response,
};
use citymirror_tiles::{EncodedTile, Encoding, TileCoord, TileKey, Tileset};

use super::{conditional, coord, Tiles};
use crate::ApiError;

const MVT: &str = "application/vnd.mapbox-vector-tile";

pub(super) async fn get(
    State(state): State<Arc<Tiles>>,
    Path((tileset, z, x, y)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let tileset: Tileset = tileset.parse()?;
    let at = coord::parse(&z, &x, &y)?;
    let twin = state.service.twin();
    let encoding = if conditional::accepts_gzip(&headers) {
        Encoding::Gzip
    } else {
        Encoding::Identity
    };
    let key = state.tiles.key(twin, tileset, at, encoding);
    let etag = state.tiles.etag(&key);
    if conditional::matches(&headers, &etag) {
        return Ok(answer(StatusCode::NOT_MODIFIED, &etag, Body::empty()));
    }
    let tile = match state.tiles.cached(&key) {
        Some(hit) => hit,
        None => render(&state, key, at).await?,
    };
    Ok(body(&tile))
}

/// Renders a cache miss: off the async workers, so other requests keep flowing
/// meanwhile, and no more at once than there are cores. Renders beyond that would only
/// share the cores and all finish late; queued in order (the semaphore is fair), each
/// finishes as soon as it can, which keeps the tail latency down under load.
async fn render(
    state: &Arc<Tiles>,
    key: TileKey,
    at: TileCoord,
) -> Result<Arc<EncodedTile>, ApiError> {
    let _permit = state
        .renders
        .acquire()
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    // Whoever held the permit before may have rendered this very tile.
    if let Some(hit) = state.tiles.cached(&key) {
        return Ok(hit);
    }
    let state = state.clone();
    tokio::task::spawn_blocking(move || state.tiles.tile(state.service.twin(), &key))
        .await
        .map_err(|e| ApiError::Internal(format!("rendering tile {at}: {e}")))?
        .map_err(ApiError::from)
}

fn body(tile: &EncodedTile) -> Response {
    if tile.is_empty() {
        return answer(StatusCode::NO_CONTENT, tile.etag(), Body::empty());
    }
    let mut r = answer(StatusCode::OK, tile.etag(), Body::from(tile.body()));
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(MVT));
    if tile.encoding() == Encoding::Gzip {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    r
}

/// An answer with the headers every tile answer has.
fn answer(status: StatusCode, etag: &str, body: Body) -> Response {
    let mut r = Response::new(body);
    *r.status_mut() = status;
    let h = r.headers_mut();
    if let Ok(tag) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, tag);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    r
}
