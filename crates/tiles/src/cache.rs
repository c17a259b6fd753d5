//! Encoded tiles, and the in-memory cache that keeps them.

use std::{io::Read, sync::Arc};

use bytes::Bytes;
use citymirror_core::LayerId;
use flate2::{read::GzDecoder, write::GzEncoder, Compression};

use crate::{TileCoord, TileError, Tileset};

/// How a tile's bytes are sent: gzip-compressed (`Content-Encoding: gzip`, what browsers
/// and most tile clients ask for) or as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    Gzip,
    Identity,
}

/// What a cached tile is filed under: the tile, its encoding, and the revision of every
/// layer it draws from (0 for layers not drawn at its zoom). A change to any of those
/// layers gives the tile a new key, so an entry rendered before the change is never found
/// again (it ages out of the cache); nothing has to be invalidated.
///
/// Each encoding is its own entry: a client that does not take gzip is served from the
/// cache as fast as one that does, instead of inflating a gzip entry on every request,
/// and a deployment whose clients all use one encoding spends no memory on the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileKey {
    pub(crate) tileset: Tileset,
    pub(crate) coord: TileCoord,
    pub(crate) encoding: Encoding,
    pub(crate) revisions: [u64; LayerId::ALL.len()],
}

impl TileKey {
    pub fn tileset(&self) -> Tileset {
        self.tileset
    }

    pub fn coord(&self) -> TileCoord {
        self.coord
    }

    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The revisions of the layers the tile draws from, in `LayerId::ALL` order.
    pub fn revisions(&self) -> impl Iterator<Item = u64> + '_ {
        self.revisions.iter().copied().filter(|r| *r != 0)
    }
}

/// One encoded tile: the MVT bytes in one encoding (empty when the tile has no features),
/// and its entity tag.
#[derive(Debug, Clone)]
pub struct EncodedTile {
    body: Bytes,
    encoding: Encoding,
    etag: String,
}

impl EncodedTile {
    pub(crate) fn encode(
        mvt: Vec<u8>,
        encoding: Encoding,
        etag: String,
    ) -> Result<EncodedTile, TileError> {
        use std::io::Write;
        let body = match encoding {
            _ if mvt.is_empty() => Bytes::new(),
            Encoding::Identity => mvt.into(),
            Encoding::Gzip => {
                // The fast level: tiles are mostly small integers and repeated strings,
                // which compress well at any level, and a miss is waited on.
                let mut gz = GzEncoder::new(Vec::with_capacity(mvt.len() / 3), Compression::fast());
                gz.write_all(&mvt)
                    .map_err(|e| TileError::Encode(e.to_string()))?;
                gz.finish()
                    .map_err(|e| TileError::Encode(e.to_string()))?
                    .into()
            }
        };
        Ok(EncodedTile {
            body,
            encoding,
            etag,
        })
    }

    /// No features: clients draw nothing.
    pub fn is_empty(&self) -> bool {
        self.body.is_empty()
    }

    /// The bytes to send, in [`Self::encoding`]; empty for an empty tile.
    pub fn body(&self) -> Bytes {
        self.body.clone()
    }

    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The MVT bytes themselves, whatever the encoding (for tests and tools).
    pub fn mvt(&self) -> Result<Bytes, TileError> {
        if self.encoding == Encoding::Identity || self.body.is_empty() {
            return Ok(self.body.clone());
        }
        let mut raw = Vec::with_capacity(self.body.len() * 3);
        GzDecoder::new(&self.body[..])
            .read_to_end(&mut raw)
            .map_err(|e| TileError::Encode(e.to_string()))?;
        Ok(raw.into())
    }

    /// A weak entity tag (`W/"…"`): the gzip and plain bodies differ in bytes but not
    /// in what they mean.
    pub fn etag(&self) -> &str {
        &self.etag
    }
}

/// Encoded tiles by key, bounded in bytes; `None` when caching is off.
#[derive(Debug, Clone)]
pub(crate) struct TileCache(Option<moka::sync::Cache<TileKey, Arc<EncodedTile>>>);

/// What an entry costs beyond its body: the key, the tag, the cache's own bookkeeping.
const ENTRY_OVERHEAD: usize = 256;

impl TileCache {
    pub(crate) fn new(max_bytes: u64) -> TileCache {
        TileCache((max_bytes > 0).then(|| {
            moka::sync::Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|_: &TileKey, t: &Arc<EncodedTile>| {
                    u32::try_from(t.body.len() + ENTRY_OVERHEAD).unwrap_or(u32::MAX)
                })
                .build()
        }))
    }

    pub(crate) fn get(&self, key: &TileKey) -> Option<Arc<EncodedTile>> {
        self.0.as_ref()?.get(key)
    }

    /// The entry for `key`, rendered by `render` if it is missing. Concurrent misses on
    /// one key render once; the others wait for that result.
    pub(crate) fn get_or_render(
        &self,
        key: TileKey,
        render: impl FnOnce() -> Result<EncodedTile, TileError>,
    ) -> Result<Arc<EncodedTile>, TileError> {
        match &self.0 {
            None => render().map(Arc::new),
            Some(cache) => cache
                .try_get_with(key, || render().map(Arc::new))
                .map_err(|e| (*e).clone()),
        }
    }

    /// Sizes as the cache counts them, after its pending bookkeeping.
    #[cfg(test)]
    pub(crate) fn weighed_size(&self) -> (u64, u64) {
        self.0.as_ref().map_or((0, 0), |c| {
            c.run_pending_tasks();
            (c.entry_count(), c.weighted_size())
        })
    }
}
