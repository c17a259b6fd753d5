use std::{
    collections::BTreeMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
};

use chrono::NaiveDate;
use citymirror_core::{LayerSchema, Value};
use geo::{Intersects, Rect};
use rstar::{primitives::GeomWithData, primitives::Rectangle, RTree, AABB};

use crate::{Feature, FeatureId, FeatureQuery, QueryPage};

/// An R-tree entry: a feature's box, and the feature itself, shared with the map, so a
/// box query reaches its features without a map lookup per hit (on a dense map tile those
/// lookups were a fifth of the time).
type Entry = GeomWithData<Rectangle<[f64; 2]>, Shared>;

/// A feature held by both the map and the index; the id is kept beside it so results can
/// be put in id order without touching the features.
#[derive(Debug, Clone)]
struct Shared(FeatureId, Arc<Feature>);

/// The index removes the entry holding the very feature the map held.
impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.1, &other.1)
    }
}

fn entry(f: &Arc<Feature>) -> Option<Entry> {
    let r = f.bbox()?;
    Some(GeomWithData::new(
        Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
        Shared(f.id, f.clone()),
    ))
}

/// The source of every layer revision in the process. One counter for all layers means a
/// revision names one state of one layer and is never handed out twice, and a layer that
/// replaces another (at start-up) still moves its revision forward.
static REVISIONS: AtomicU64 = AtomicU64::new(1);

fn next_revision() -> u64 {
    REVISIONS.fetch_add(1, Ordering::Relaxed)
}

/// One layer in memory: features by id (so pages come out in a stable order) and an
/// R-tree of their bounding boxes. The two always hold the same ids.
#[derive(Debug)]
pub struct Layer {
    schema: &'static LayerSchema,
    features: BTreeMap<FeatureId, Arc<Feature>>,
    index: RTree<Entry>,
    /// Changes with every change to the features (see [`Layer::revision`]).
    revision: u64,
    /// Grows with inserts and never shrinks on delete: an extent may be loose, never wrong.
    extent: Option<Rect<f64>>,
    temporal_extent: Option<(NaiveDate, NaiveDate)>,
}

impl Layer {
    pub fn new(schema: &'static LayerSchema) -> Layer {
        Layer {
            schema,
            features: BTreeMap::new(),
            index: RTree::new(),
            revision: next_revision(),
            extent: None,
            temporal_extent: None,
        }
    }

    /// Builds a layer from many features at once (bulk-loading the R-tree, which is both
    /// faster and gives a better tree than inserting one by one).
    pub fn from_features(schema: &'static LayerSchema, features: Vec<Feature>) -> Layer {
        let mut layer = Layer::new(schema);
        let features: Vec<Arc<Feature>> = features.into_iter().map(Arc::new).collect();
        let entries: Vec<Entry> = features.iter().filter_map(entry).collect();
        for f in features {
            layer.grow_extents(&f);
            layer.features.insert(f.id, f);
        }
        layer.index = RTree::bulk_load(entries);
        layer
    }

    pub fn schema(&self) -> &'static LayerSchema {
        self.schema
    }

    pub fn len(&self) -> usize {
        self.features.len()
    }

    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    pub fn get(&self, id: FeatureId) -> Option<&Feature> {
        self.features.get(&id).map(Arc::as_ref)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Feature> {
        self.features.values().map(Arc::as_ref)
    }

    pub fn max_id(&self) -> FeatureId {
        self.features.last_key_value().map_or(0, |(id, _)| *id)
    }

    pub fn extent(&self) -> Option<Rect<f64>> {
        self.extent
    }

    pub fn temporal_extent(&self) -> Option<(NaiveDate, NaiveDate)> {
        self.temporal_extent
    }

    /// A number that changes whenever the layer's features do, and only grows within a
    /// process. Whatever was derived from the layer under one read guard (an encoded map
    /// tile, say) may be keyed by the revision read under that same guard: once the layer
    /// changes, the old key is never asked for again.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Gives the layer a fresh revision (when it replaces another one in the twin).
    pub(crate) fn touch(&mut self) {
        self.revision = next_revision();
    }

    /// The features whose bounding box intersects `bbox` (WGS84), in ascending id order:
    /// a cheap superset of those whose geometry does, for callers that clip anyway.
    pub fn in_envelope(&self, bbox: Rect<f64>) -> impl Iterator<Item = &Feature> {
        let aabb = AABB::from_corners([bbox.min().x, bbox.min().y], [bbox.max().x, bbox.max().y]);
        let mut hits: Vec<&Shared> = self
            .index
            .locate_in_envelope_intersecting(&aabb)
            .map(|e| &e.data)
            .collect();
        hits.sort_unstable_by_key(|s| s.0);
        hits.into_iter().map(|s| s.1.as_ref())
    }

    /// Inserts or replaces a feature, keeping the index in step.
    pub fn upsert(&mut self, f: Feature) {
        self.remove(f.id);
        let f = Arc::new(f);
        if let Some(e) = entry(&f) {
            self.index.insert(e);
        }
        self.grow_extents(&f);
        self.features.insert(f.id, f);
        self.touch();
    }

    pub fn remove(&mut self, id: FeatureId) -> Option<Feature> {
        let old = self.features.remove(&id)?;
        if let Some(e) = entry(&old) {
            self.index.remove(&e);
        }
        self.touch();
        // Out of both the map and the index, the feature is no longer shared.
        Some(Arc::try_unwrap(old).unwrap_or_else(|f| (*f).clone()))
    }

    fn grow_extents(&mut self, f: &Feature) {
        if let Some(r) = f.bbox() {
            self.extent = Some(match self.extent {
                None => r,
                Some(e) => Rect::new(
                    (e.min().x.min(r.min().x), e.min().y.min(r.min().y)),
                    (e.max().x.max(r.max().x), e.max().y.max(r.max().y)),
                ),
            });
        }
        if let Some(d) = self
            .schema
            .temporal_index()
            .and_then(|i| f.props[i].as_date())
        {
            self.temporal_extent = Some(match self.temporal_extent {
                None => (d, d),
                Some((a, b)) => (a.min(d), b.max(d)),
            });
        }
    }

    fn matches(&self, f: &Feature, q: &FeatureQuery) -> bool {
        if let (Some(interval), Some(ti)) = (&q.datetime, self.schema.temporal_index()) {
            if let Value::Date(d) = f.props[ti] {
                if !interval.overlaps_date(d) {
                    return false;
                }
            }
        }
        q.filters
            .iter()
            .all(|(i, v)| match (&f.props[*i], v, &q.text_view) {
                (Value::Text(stored), Value::Text(wanted), Some(view)) => {
                    view.equals(stored, wanted)
                }
                (stored, wanted, _) => stored == wanted,
            })
    }

    /// Runs a query: the matching features' total count and the page `offset..offset+limit`.
    pub fn query(&self, q: &FeatureQuery) -> QueryPage {
        match q.bbox {
            Some(bbox) => {
                let aabb =
                    AABB::from_corners([bbox.min().x, bbox.min().y], [bbox.max().x, bbox.max().y]);
                let mut hits: Vec<&Shared> = self
                    .index
                    .locate_in_envelope_intersecting(&aabb)
                    .map(|e| &e.data)
                    .filter(|s| s.1.geometry.intersects(&bbox) && self.matches(&s.1, q))
                    .collect();
                hits.sort_unstable_by_key(|s| s.0);
                let features = hits
                    .iter()
                    .skip(q.offset)
                    .take(q.limit)
                    .map(|s| Feature::clone(&s.1))
                    .collect();
                QueryPage {
                    matched: hits.len(),
                    features,
                }
            }
            None if q.datetime.is_none() && q.filters.is_empty() => QueryPage {
                matched: self.features.len(),
                features: self.iter().skip(q.offset).take(q.limit).cloned().collect(),
            },
            None => {
                let mut matched = 0;
                let mut features = Vec::new();
                for f in self.iter().filter(|f| self.matches(f, q)) {
                    if matched >= q.offset && features.len() < q.limit {
                        features.push(f.clone());
                    }
                    matched += 1;
                }
                QueryPage { matched, features }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use citymirror_core::{parse_datetime_interval, LayerId};
    use geo::{point, Geometry};

    fn component(id: i64, x: f64, y: f64, category: &str, installed: &str) -> Feature {
        let schema = LayerId::Components.schema();
        let mut props = vec![Value::Null; schema.properties.len()];
        props[0] = category.into();
        props[schema.property("installed").unwrap().0] =
            Value::parse("installed", citymirror_core::PropType::Date, installed).unwrap();
        Feature {
            id,
            geometry: Geometry::Point(point!(x: x, y: y)),
            props,
            updated_at: Utc::now(),
        }
    }

    fn layer() -> Layer {
        Layer::from_features(
            LayerId::Components.schema(),
            vec![
                component(3, 114.02, 22.52, "0120", "2012-05-01"),
                component(1, 114.01, 22.51, "0120", "2020-01-01"),
                component(2, 114.05, 22.55, "0303", ""),
                component(4, 114.015, 22.515, "0303", "2001-07-07"),
            ],
        )
    }

    fn ids(page: &QueryPage) -> Vec<i64> {
        page.features.iter().map(|f| f.id).collect()
    }

    #[test]
    fn bbox_returns_intersecting_features_in_id_order() {
        let l = layer();
        let q = FeatureQuery {
            bbox: Some(Rect::new((114.0, 22.5), (114.03, 22.53))),
            ..Default::default()
        };
        let page = l.query(&q);
        assert_eq!((page.matched, ids(&page)), (3, vec![1, 3, 4]));
    }

    #[test]
    fn paging_counts_every_match() {
        let l = layer();
        let page = l.query(&FeatureQuery {
            offset: 1,
            limit: 2,
            ..Default::default()
        });
        assert_eq!((page.matched, ids(&page)), (4, vec![2, 3]));
    }

    #[test]
    fn datetime_and_equality_filters_combine_and_timeless_features_match() {
        let l = layer();
        let dt = Some(parse_datetime_interval("2010-01-01/2015-01-01").unwrap());
        assert_eq!(
            ids(&l.query(&FeatureQuery {
                datetime: dt,
                ..Default::default()
            })),
            vec![2, 3]
        );
        let q = FeatureQuery {
            datetime: dt,
            filters: vec![(0, "0303".into())],
            ..Default::default()
        };
        assert_eq!(ids(&l.query(&q)), vec![2]);
    }

    #[test]
    fn upsert_and_remove_keep_index_and_map_together() {
        let mut l = layer();
        l.upsert(component(1, 114.2, 22.7, "0120", "2020-01-01"));
        let near = FeatureQuery {
            bbox: Some(Rect::new((114.0, 22.5), (114.03, 22.53))),
            ..Default::default()
        };
        assert_eq!(ids(&l.query(&near)), vec![3, 4]);
        assert!(l.remove(3).is_some());
        assert_eq!(ids(&l.query(&near)), vec![4]);
        assert_eq!(l.len(), 3);
        assert_eq!(l.max_id(), 4);
    }

    #[test]
    fn every_change_moves_the_revision_forward_and_a_miss_does_not() {
        let mut l = layer();
        let built = l.revision();
        assert!(
            Layer::new(l.schema()).revision() > built,
            "fresh layers get fresh revisions"
        );
        l.upsert(component(9, 114.01, 22.51, "0120", ""));
        let upserted = l.revision();
        assert!(upserted > built);
        assert!(l.remove(404).is_none());
        assert_eq!(l.revision(), upserted);
        l.remove(9);
        assert!(l.revision() > upserted);
    }

    #[test]
    fn in_envelope_finds_candidates_by_bounding_box_in_id_order() {
        let l = layer();
        let ids: Vec<i64> = l
            .in_envelope(Rect::new((114.0, 22.5), (114.03, 22.53)))
            .map(|f| f.id)
            .collect();
        assert_eq!(ids, vec![1, 3, 4]);
    }
}
