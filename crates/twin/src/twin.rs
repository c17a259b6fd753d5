use std::{
    collections::HashMap,
    sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard},
};

use citymirror_core::LayerId;
use tokio::sync::broadcast;

use crate::{service::Change, CountTable, GridIndex, GridPath, Layer};

/// The whole district in memory: one [`Layer`] per [`LayerId`] and the grid index.
///
/// Readers take a short read lock on one layer; the only writer is [`crate::TwinService`].
/// Locks are never held across an `.await`.
#[derive(Debug)]
pub struct Twin {
    layers: HashMap<LayerId, RwLock<Layer>>,
    grids: RwLock<Arc<GridIndex>>,
    changes: broadcast::Sender<Change>,
    /// The last per-grid feature counts and the layer revisions they were taken at.
    pub(crate) counts: Mutex<Option<(Vec<u64>, Arc<CountTable>)>>,
}

impl Default for Twin {
    fn default() -> Self {
        Twin::new()
    }
}

impl Twin {
    pub fn new() -> Twin {
        let layers = LayerId::ALL
            .into_iter()
            .map(|l| (l, RwLock::new(Layer::new(l.schema()))))
            .collect();
        Twin {
            layers,
            grids: RwLock::default(),
            changes: broadcast::channel(1024).0,
            counts: Mutex::default(),
        }
    }

    /// Read access to one layer. Hold the guard briefly: writers wait on it.
    pub fn layer(&self, id: LayerId) -> RwLockReadGuard<'_, Layer> {
        self.layers[&id].read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn layer_mut(&self, id: LayerId) -> RwLockWriteGuard<'_, Layer> {
        self.layers[&id].write().unwrap_or_else(|e| e.into_inner())
    }

    /// Replaces a whole layer (at start-up, from storage). The layer gets a fresh
    /// revision, so the layer's revision keeps growing even if `layer` was built earlier.
    pub fn set_layer(&self, mut layer: Layer) {
        let id = layer.schema().id;
        let mut slot = self.layer_mut(id);
        layer.touch();
        *slot = layer;
        drop(slot);
        if id.grid_level().is_some() {
            self.rebuild_grid_index();
        }
    }

    /// Rebuilds the point-in-grid index from the administrative layers.
    pub fn rebuild_grid_index(&self) {
        let guards: Vec<_> = [
            LayerId::District,
            LayerId::Streets,
            LayerId::Communities,
            LayerId::Grids,
        ]
        .into_iter()
        .map(|l| self.layer(l))
        .collect();
        let index = GridIndex::build(guards.iter().map(|g| &**g));
        drop(guards);
        *self.grids.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(index);
    }

    /// The current grid index (cheap to clone; swapped whole when grids change).
    pub fn grids(&self) -> Arc<GridIndex> {
        self.grids.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// `locate(lon, lat)`: the grid path of a WGS84 point, or `None` outside the district.
    pub fn locate(&self, lon: f64, lat: f64) -> Option<GridPath> {
        self.grids().locate(lon, lat)
    }

    /// Subscribes to feature changes (created, replaced, deleted), in commit order.
    /// The outline of the administrative unit with this code (district, street,
    /// community or grid), if the twin has it.
    pub fn area_geometry(&self, code: &citymirror_core::GridCode) -> Option<geo::Geometry<f64>> {
        let layer = self.layer(LayerId::for_level(code.level()));
        let (i, _) = layer.schema().property("code")?;
        let found = layer
            .iter()
            .find(|f| f.props[i].as_str() == Some(code.as_str()))
            .map(|f| f.geometry.clone());
        found
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.changes.subscribe()
    }

    pub(crate) fn publish(&self, change: Change) {
        // No subscribers is not an error: nobody is watching.
        let _ = self.changes.send(change);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacing_a_layer_moves_its_revision_forward_even_if_built_earlier() {
        let twin = Twin::new();
        let early = Layer::new(LayerId::Buildings.schema());
        let before = twin.layer(LayerId::Buildings).revision();
        twin.set_layer(early);
        assert!(twin.layer(LayerId::Buildings).revision() > before);
    }
}
