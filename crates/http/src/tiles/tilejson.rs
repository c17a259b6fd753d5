//! `GET /tiles/{tileset}`: the tileset's TileJSON 3.0.0, with absolute tile URLs.

use std::sync::Arc;

use axum::{
    extract::{Path, State},
    http::HeaderMap,
    response::Response,
};
use citymirror_tiles::{TileJson, Tileset};

use super::Tiles;
use crate::{base_url::BaseUrl, media, ApiError};

pub(super) async fn get(
    State(state): State<Arc<Tiles>>,
    Path(tileset): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let tileset: Tileset = tileset.parse()?;
    let base = BaseUrl::resolve(state.public_url.as_deref(), &headers);
    let doc = TileJson::new(state.service.twin(), tileset, base.as_str());
    // Serialised straight from the document, so fields keep their schema order.
    let json = serde_json::to_vec(&doc).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(media::body(media::JSON, json))
}
