use std::{borrow::Cow, fmt, sync::Arc};

use citymirror_core::{Interval, Value};
use geo::Rect;

use crate::Feature;

/// How the reader of a query sees stored text, so that equality filters on text compare
/// with what the reader would see rather than with what is stored: a reader shown
/// `D***********` must not learn the serial by guessing it in a filter.
///
/// A view may only turn characters into `*` (and drop the separators inside what it
/// masks), as masking does; a query uses that to skip the view for text that cannot match.
#[derive(Clone)]
pub struct FilterView(Arc<ViewFn>);

type ViewFn = dyn Fn(&str) -> Cow<'_, str> + Send + Sync;

impl FilterView {
    pub fn new(f: impl Fn(&str) -> Cow<'_, str> + Send + Sync + 'static) -> FilterView {
        FilterView(Arc::new(f))
    }

    /// Whether `stored`, as the reader sees it, equals `wanted`.
    pub fn equals(&self, stored: &str, wanted: &str) -> bool {
        if stored != wanted && !wanted.contains('*') {
            return false;
        }
        (self.0)(stored) == wanted
    }
}

impl fmt::Debug for FilterView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FilterView")
    }
}

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
    /// How text filters see stored text; `None` compares it as stored.
    pub text_view: Option<FilterView>,
    pub offset: usize,
    pub limit: usize,
}

impl Default for FeatureQuery {
    fn default() -> Self {
        FeatureQuery {
            bbox: None,
            datetime: None,
            filters: Vec::new(),
            text_view: None,
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
