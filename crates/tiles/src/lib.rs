//! `citymirror-tiles`: Mapbox Vector Tiles of the twin, rendered from memory.
//!
//! Every twin layer is a [`Tileset`] of its own (`buildings`, `pipes`, …) and `basemap`
//! holds them all, each as its own MVT layer, over the zoom range where it is worth
//! drawing ([`TileLayer`]). A tile is rendered straight from the layers' R-trees: the
//! features whose boxes meet the tile (grown by a [`BUFFER`]) are projected to Web
//! Mercator tile units, clipped, snapped to the integer grid and simplified by one unit,
//! specks are dropped and points thinned below a layer's deepest zoom, and geozero encodes
//! the result.
//!
//! Two rules make tiles cacheable:
//!
//! - **Tiles carry only public-grade properties** (一般-1), so a tile is the same for every
//!   reader; free text still passes the edge's identifier scan ([`TextFilter`]).
//! - **Cache keys include layer revisions** ([`TileKey`]): every change to a layer gives
//!   it a new revision, so a tile rendered before a change is never served after it.
//!
//! ```
//! use citymirror_core::LayerId;
//! use citymirror_tiles::{text_as_is, Encoding, TileCoord, TileService, Tileset};
//!
//! let twin = citymirror_twin::Twin::new();
//! let tiles = TileService::new(64 << 20, text_as_is);
//! let at = TileCoord::containing(15, 114.0553, 22.5405);
//! let key = tiles.key(&twin, Tileset::Layer(LayerId::Buildings), at, Encoding::Gzip);
//! let tile = tiles.tile(&twin, &key).unwrap();
//! assert!(tile.is_empty());
//! assert_eq!(tiles.cached(&key).unwrap().etag(), tiles.etag(&key));
//! ```
//!
//! The crate knows the twin and the MVT and TileJSON formats, not HTTP: the routes are in
//! `citymirror-http`.

mod attributes;
mod cache;
mod clip;
mod coord;
mod error;
mod geometry;
mod render;
mod service;
mod tags;
mod tilejson;
mod tileset;

pub use attributes::{public_properties, text_as_is, TextFilter};
pub use cache::{EncodedTile, Encoding, TileKey};
pub use coord::{TileCoord, BUFFER, EXTENT, MAX_ZOOM};
pub use error::TileError;
pub use service::TileService;
pub use tilejson::{TileJson, VectorLayer};
pub use tileset::{TileLayer, Tileset};

/// The MVT messages (a `prost` message: `Tile::decode(bytes)`), for clients and tests.
pub use geozero::mvt;

#[cfg(test)]
mod tests;
