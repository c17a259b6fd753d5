use citymirror_core::{Interval, Value};
use geo::Rect;

use crate::Feature;

/// A query on one layer, already validated: every filter names a property index of the
/// layer and carries a value of that property's type.
#[derive(Debug, Clone)]
pub struct FeatureQuery {
    /// Features whose geometry intersects this WGS84 rectangle.
    pub bbox: Option<Rect<f64>>,
    /// Features whose temporal property overlaps this interval; features without a value
    /// for it match, as OGC API Features asks.
    pub datetime: Option<Interval>,
    /// Equality filters: (property index, value).
    pub filters: Vec<(usize, Value)>,
    pub offset: usize,
    pub limit: usize,
}

impl Default for FeatureQuery {
    fn default() -> Self {
        FeatureQuery {
            bbox: None,
            datetime: None,
            filters: Vec::new(),
            offset: 0,
            limit: 100,
        }
    }
}

/// One page of results, in ascending id order, with the total number that matched.
#[derive(Debug, Clone)]
pub struct QueryPage {
    pub matched: usize,
    pub features: Vec<Feature>,
}
