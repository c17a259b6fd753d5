use crate::{coord::MAX_ZOOM, Tileset};

/// Why a tile could not be served.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileError {
    /// No tileset has this id.
    #[error("no tileset `{0}`; the tilesets are {ids}", ids = tileset_ids())]
    UnknownTileset(String),
    /// The zoom level is deeper than any tile is made for.
    #[error("zoom {z} is out of range: tiles go from zoom 0 to {MAX_ZOOM}")]
    ZoomOutOfRange { z: u32 },
    /// `x` or `y` does not exist at zoom `z` (both must be below `2^z`).
    #[error("tile {z}/{x}/{y} does not exist: at zoom {z}, x and y go up to 2^{z} - 1")]
    OutsideGrid { z: u32, x: u32, y: u32 },
    /// A geometry or the tile could not be encoded (a bug, not bad input).
    #[error("encoding the tile failed: {0}")]
    Encode(String),
}

fn tileset_ids() -> String {
    Tileset::ALL.map(|t| t.id()).join(", ")
}
