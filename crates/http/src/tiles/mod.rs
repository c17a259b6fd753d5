//! `/tiles`: Mapbox Vector Tiles of the twin's layers, and their TileJSON.
//!
//! - `GET /tiles`: the tilesets, with links to their TileJSON;
//! - `GET /tiles/{tileset}`: TileJSON 3.0.0;
//! - `GET /tiles/{tileset}/{z}/{x}/{y}` (`y` may end in `.mvt` or `.pbf`): one tile.
//!
//! Tiles are public data (only public-grade properties, the same for every reader), so
//! they need no sign-in; they pass the rate limit like every other route. Rendering and
//! caching live in `citymirror-tiles`; this module speaks HTTP: conditional requests,
//! gzip negotiation, and running a cache miss on a blocking thread.

mod conditional;
mod coord;
mod list;
mod tile;
mod tilejson;

use std::{borrow::Cow, sync::Arc};

use axum::{routing::get, Router};
use citymirror_tiles::{TileError, TileService};
use citymirror_trust::{mask, ANONYMOUS_ENTITLEMENT};
use citymirror_twin::TwinService;

use crate::{ApiError, AppState};

/// What the tile routes share: the twin, the tile service with its cache (one per
/// router, built once in [`routes`]), and where links point.
#[derive(Debug)]
struct Tiles {
    service: Arc<TwinService>,
    tiles: TileService,
    public_url: Option<String>,
    /// Cache misses rendering at once: one per core.
    renders: tokio::sync::Semaphore,
}

/// The `/tiles` routes, with the tile cache sized by `HttpConfig::tile_cache_bytes`.
pub fn routes(state: &AppState) -> Router<AppState> {
    let tiles = Arc::new(Tiles {
        service: state.service.clone(),
        tiles: TileService::new(state.config.tile_cache_bytes, public_text),
        public_url: state.config.public_url.clone(),
        renders: tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(2, |n| n.get()),
        ),
    });
    Router::new()
        .route("/tiles", get(list::get))
        .route("/tiles/{tileset}", get(tilejson::get))
        .route("/tiles/{tileset}/{z}/{x}/{y}", get(tile::get))
        .with_state(tiles)
}

/// Public text in tiles gets the identifier scan an anonymous reader of OGC API
/// Features gets: a phone number typed into a name is masked in both.
fn public_text(s: &str) -> Cow<'_, str> {
    mask::mask_text(s, ANONYMOUS_ENTITLEMENT)
}

impl From<TileError> for ApiError {
    fn from(e: TileError) -> Self {
        match e {
            TileError::UnknownTileset(_) => ApiError::NotFound(e.to_string()),
            TileError::ZoomOutOfRange { .. } | TileError::OutsideGrid { .. } => {
                ApiError::InvalidParameter(e.to_string())
            }
            TileError::Encode(detail) => ApiError::Internal(detail),
        }
    }
}
