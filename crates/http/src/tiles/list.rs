//! `GET /tiles`: every tileset, with its titles, zoom range and TileJSON link.

use std::sync::Arc;

use axum::{extract::State, http::HeaderMap, response::Response};
use citymirror_tiles::Tileset;
use serde_json::json;

use super::Tiles;
use crate::{base_url::BaseUrl, media};

pub(super) async fn get(State(state): State<Arc<Tiles>>, headers: HeaderMap) -> Response {
    let base = BaseUrl::resolve(state.public_url.as_deref(), &headers);
    let tilesets: Vec<_> = Tileset::ALL
        .into_iter()
        .map(|t| {
            json!({
                "id": t.id(),
                "title": { "zh": t.title_zh(), "en": t.title_en() },
                "minzoom": t.minzoom(),
                "maxzoom": t.maxzoom(),
                "layers": t.layers().iter().map(|l| l.name()).collect::<Vec<_>>(),
                "tilejson": format!("{}/tiles/{}", base.as_str(), t.id()),
            })
        })
        .collect();
    media::json(media::JSON, &json!({ "tilesets": tilesets }))
}
