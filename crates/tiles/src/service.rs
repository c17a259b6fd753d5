//! The tile service: keys from layer revisions, the cache, and rendering on a miss.

use std::{
    fmt::Write,
    sync::Arc,
    time::{SystemTime, UNIX_EPOCH},
};

use citymirror_core::LayerId;
use citymirror_twin::Twin;
use geozero::mvt::Message;

use crate::{
    cache::{EncodedTile, Encoding, TileCache, TileKey},
    render::render,
    tileset::position,
    TextFilter, TileCoord, TileError, Tileset,
};

/// Serves encoded tiles of one twin, from its cache or freshly rendered. Create one per
/// server: the cache lives inside it.
///
/// A request goes `key` (cheap: reads each layer's revision) → `cached` (a hit is served
/// at once) → `tile` (a miss renders, which takes milliseconds to tens of milliseconds,
/// so async callers run it on a blocking thread).
#[derive(Debug, Clone)]
pub struct TileService {
    cache: TileCache,
    text: TextFilter,
    /// Tells this process's entity tags from an earlier one's: revisions start again
    /// from 1 when the server restarts, while the data may have changed.
    epoch: u64,
}

impl TileService {
    /// A service with a cache of at most `cache_bytes` of encoded tiles (0: no cache,
    /// every tile is rendered when asked for). `text` cleans public free text (see
    /// [`TextFilter`]).
    pub fn new(cache_bytes: u64, text: TextFilter) -> TileService {
        let epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_micros() as u64);
        TileService {
            cache: TileCache::new(cache_bytes),
            text,
            epoch,
        }
    }

    /// The key of tile `at`, sent in `encoding`, as the twin is now.
    pub fn key(&self, twin: &Twin, tileset: Tileset, at: TileCoord, encoding: Encoding) -> TileKey {
        let mut revisions = [0; LayerId::ALL.len()];
        for tl in tileset.layers_at(at.z()) {
            revisions[position(tl.layer)] = twin.layer(tl.layer).revision();
        }
        TileKey {
            tileset,
            coord: at,
            encoding,
            revisions,
        }
    }

    /// The entity tag of the tile under `key`. A client that holds it already has the
    /// tile as it is now, whether or not it is in the cache.
    pub fn etag(&self, key: &TileKey) -> String {
        let mut tag = format!("W/\"{:x}", self.epoch);
        for r in key.revisions() {
            let _ = write!(tag, "-{r}");
        }
        tag.push('"');
        tag
    }

    /// The tile under `key` if it is in the cache: cheap, fine on an async thread.
    pub fn cached(&self, key: &TileKey) -> Option<Arc<EncodedTile>> {
        self.cache.get(key)
    }

    /// The tile under `key`, from the cache or rendered and cached. Blocks for the render.
    ///
    /// The render reads each layer under its own read guard and may see a layer changed
    /// since `key` was taken: the tile is then newer than its key, never older. Such an
    /// entry is harmless, because once a layer has moved on no request asks for the old key.
    pub fn tile(&self, twin: &Twin, key: &TileKey) -> Result<Arc<EncodedTile>, TileError> {
        self.cache.get_or_render(*key, || {
            let mvt = render(twin, key.tileset, key.coord, self.text)?;
            let bytes = if mvt.layers.is_empty() {
                Vec::new()
            } else {
                mvt.encode_to_vec()
            };
            EncodedTile::encode(bytes, key.encoding, self.etag(key))
        })
    }

    /// The tile decoded, rendered now without the cache (for tests and benchmarks).
    pub fn render(
        &self,
        twin: &Twin,
        tileset: Tileset,
        at: TileCoord,
    ) -> Result<geozero::mvt::Tile, TileError> {
        render(twin, tileset, at, self.text)
    }

    #[cfg(test)]
    pub(crate) fn cache(&self) -> &TileCache {
        &self.cache
    }
}
