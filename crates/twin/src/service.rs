use std::{collections::HashMap, sync::Arc};

use citymirror_core::{LayerId, Value, ValueError};
use geo::{Centroid, Geometry, InteriorPoint};
use tokio::sync::Mutex;

use crate::{
    repo::now, ChangeFeed, Feature, FeatureId, GridIndex, Layer, NewFeature, Patch, RepoError,
    Twin, TwinRepo,
};

/// What happened to a feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Created,
    Updated,
    Deleted,
}

/// A committed change, published to subscribers after the store and the index agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub layer: LayerId,
    pub id: FeatureId,
    pub kind: ChangeKind,
}

#[derive(Debug, thiserror::Error)]
pub enum TwinError {
    #[error("feature {id} not found in `{layer}`")]
    NotFound { layer: LayerId, id: FeatureId },
    #[error(transparent)]
    Invalid(#[from] ValueError),
    #[error(transparent)]
    Repo(#[from] RepoError),
}

/// The one write path into the twin, used alike by OGC API Features Part 4, imports and
/// the live simulator. Each write is persisted first and applied to the in-memory layer
/// only once the store has committed it, so a failed write changes nothing.
#[derive(Debug)]
pub struct TwinService {
    twin: Arc<Twin>,
    repo: Arc<dyn TwinRepo>,
    /// Where other processes on the same store hear of this one's writes, if any do.
    feed: Option<Arc<dyn ChangeFeed>>,
    /// One writer at a time per layer in this process (new ids come from the store).
    writers: HashMap<LayerId, Mutex<()>>,
}

impl TwinService {
    /// Loads every layer from the store into a new twin.
    pub async fn open(repo: Arc<dyn TwinRepo>) -> Result<TwinService, TwinError> {
        let twin = Arc::new(Twin::new());
        let mut writers = HashMap::new();
        for id in LayerId::ALL {
            let features = repo.load_layer(id).await?;
            twin.set_layer(Layer::from_features(id.schema(), features));
            writers.insert(id, Mutex::new(()));
        }
        Ok(TwinService {
            twin,
            repo,
            feed: None,
            writers,
        })
    }

    /// Announces every write on `feed`, for the other processes on this store.
    pub fn with_feed(mut self, feed: Arc<dyn ChangeFeed>) -> TwinService {
        self.feed = Some(feed);
        self
    }

    /// Starts following the other processes' writes (once listening, it returns; a task
    /// carries on until the feed closes): each announced feature is read back from the
    /// store into this twin (or removed from it, if it is gone), and published to this
    /// process's subscribers (the live channel) like a local write.
    pub async fn follow(self: Arc<Self>) -> Result<(), TwinError> {
        let Some(feed) = self.feed.clone() else {
            return Ok(());
        };
        let mut changes = feed.listen().await?;
        tokio::spawn(async move {
            while let Some(c) = changes.recv().await {
                if let Err(e) = self.refresh(c).await {
                    tracing::error!(layer = %c.layer, id = c.id, "cannot apply another server's change: {e}");
                }
            }
            tracing::warn!(
                "the change feed closed; changes by other servers no longer reach this one"
            );
        });
        Ok(())
    }

    /// Brings one feature in memory to what the store holds.
    async fn refresh(&self, c: Change) -> Result<(), TwinError> {
        let _writer = self.writers[&c.layer].lock().await;
        let kind = match self.repo.get_feature(c.layer, c.id).await? {
            Some(f) => {
                self.twin.layer_mut(c.layer).upsert(f);
                c.kind
            }
            None => {
                self.twin.layer_mut(c.layer).remove(c.id);
                ChangeKind::Deleted
            }
        };
        if c.layer.grid_level().is_some() {
            self.twin.rebuild_grid_index();
        }
        self.twin.publish(Change { kind, ..c });
        Ok(())
    }

    pub fn twin(&self) -> &Arc<Twin> {
        &self.twin
    }

    pub fn repo(&self) -> &Arc<dyn TwinRepo> {
        &self.repo
    }

    /// The code of the grid a geometry lies in (by a point on it), if any.
    pub fn grid_code_at(&self, geometry: &Geometry<f64>) -> Option<citymirror_core::GridCode> {
        let (x, y) = representative_point(geometry)?;
        self.twin.grids().locate_code(x, y).cloned()
    }

    /// Sets the derived `grid_code` of a feature from where it lies.
    fn place(grids: &GridIndex, layer: LayerId, f: &mut NewFeature) {
        let Some((i, _)) = layer.schema().property("grid_code") else {
            return;
        };
        f.props[i] = representative_point(&f.geometry)
            .and_then(|(x, y)| grids.locate_code(x, y).map(|c| Value::Text(c.to_string())))
            .unwrap_or(Value::Null);
    }

    /// After a commit: refresh the grid index once if administrative units changed, then
    /// tell subscribers about each feature.
    async fn after_write(
        &self,
        layer: LayerId,
        ids: impl IntoIterator<Item = FeatureId>,
        kind: ChangeKind,
    ) {
        if layer.grid_level().is_some() {
            self.twin.rebuild_grid_index();
        }
        let changes: Vec<Change> = ids
            .into_iter()
            .map(|id| Change { layer, id, kind })
            .collect();
        for c in &changes {
            self.twin.publish(*c);
        }
        if let Some(feed) = &self.feed {
            // After the commit, and awaited so that a command that exits right after
            // its write has told the servers: a lost notice delays another server's
            // view of this change, it does not undo the change, so it is not an error.
            if let Err(e) = feed.announce(&changes).await {
                tracing::warn!(
                    "cannot tell the other servers of {} changes: {e}",
                    changes.len()
                );
            }
        }
    }

    pub async fn create(&self, layer: LayerId, new: NewFeature) -> Result<Feature, TwinError> {
        Ok(self.import(layer, vec![new]).await?.remove(0))
    }

    /// Adds many features in one transaction: all of them or none.
    pub async fn import(
        &self,
        layer: LayerId,
        new: Vec<NewFeature>,
    ) -> Result<Vec<Feature>, TwinError> {
        let _writer = self.writers[&layer].lock().await;
        // Ids from the store, so that another process writing to the same database
        // never hands out the same ones (nor does this one after a restart, for a
        // feature that was deleted).
        let first = match new.len() {
            0 => 0,
            n => self.repo.reserve_feature_ids(layer, n as u64).await?,
        };
        let at = now();
        let grids = self.twin.grids();
        let features: Vec<Feature> = new
            .into_iter()
            .enumerate()
            .map(|(i, mut n)| {
                Self::place(&grids, layer, &mut n);
                Feature {
                    id: first + i as FeatureId,
                    geometry: n.geometry,
                    props: n.props,
                    updated_at: at,
                }
            })
            .collect();
        self.repo.insert_features(layer, &features).await?;
        {
            let mut l = self.twin.layer_mut(layer);
            for f in &features {
                l.upsert(f.clone());
            }
        }
        self.after_write(layer, features.iter().map(|f| f.id), ChangeKind::Created)
            .await;
        Ok(features)
    }

    pub async fn replace(
        &self,
        layer: LayerId,
        id: FeatureId,
        mut new: NewFeature,
    ) -> Result<Feature, TwinError> {
        let _writer = self.writers[&layer].lock().await;
        Self::place(&self.twin.grids(), layer, &mut new);
        let f = Feature {
            id,
            geometry: new.geometry,
            props: new.props,
            updated_at: now(),
        };
        if !self.repo.replace_feature(layer, &f).await? {
            return Err(TwinError::NotFound { layer, id });
        }
        self.twin.layer_mut(layer).upsert(f.clone());
        self.after_write(layer, [id], ChangeKind::Updated).await;
        Ok(f)
    }

    /// Applies a partial update: given properties and geometry replace the stored ones.
    pub async fn patch(
        &self,
        layer: LayerId,
        id: FeatureId,
        patch: Patch,
    ) -> Result<Feature, TwinError> {
        let current = self
            .twin
            .layer(layer)
            .get(id)
            .cloned()
            .ok_or(TwinError::NotFound { layer, id })?;
        let schema = layer.schema();
        let mut props: Vec<(String, Value)> = schema
            .properties
            .iter()
            .zip(current.props)
            .map(|(d, v)| (d.name.to_owned(), v))
            .collect();
        for (name, value) in patch.props {
            let (i, _) = schema.property(&name).ok_or(ValueError::UnknownProperty {
                field: name.clone(),
            })?;
            props[i].1 = value;
        }
        let new = NewFeature::validate(schema, patch.geometry.unwrap_or(current.geometry), props)?;
        self.replace(layer, id, new).await
    }

    pub async fn delete(&self, layer: LayerId, id: FeatureId) -> Result<(), TwinError> {
        let _writer = self.writers[&layer].lock().await;
        if !self.repo.delete_feature(layer, id).await? {
            return Err(TwinError::NotFound { layer, id });
        }
        self.twin.layer_mut(layer).remove(id);
        self.after_write(layer, [id], ChangeKind::Deleted).await;
        Ok(())
    }
}

/// A point that lies on the geometry (inside a polygon, on a line), used to place it in a grid.
pub(crate) fn representative_point(g: &Geometry<f64>) -> Option<(f64, f64)> {
    let p = g.interior_point().or_else(|| g.centroid())?;
    Some((p.x(), p.y()))
}
