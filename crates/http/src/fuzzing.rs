//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz). Not part of the API: each
//! function runs exactly the code path a handler runs on outside input, so the fuzzer
//! tests what the server does rather than a copy of it. Hidden from the docs.
#![doc(hidden)]

use citymirror_core::LayerId;

pub use crate::negotiate::Format;
pub use crate::ogc::crs::Crs;
pub use crate::ogc::params::{FeatureRequest, ItemsRequest, DEFAULT_LIMIT, MAX_LIMIT};
use crate::{ogc::params, ApiError};

/// The query string of `GET /ogc/collections/{layer}/items`, parsed as the handler
/// parses it (`ogc::items::get` → `params::parse_items`).
#[doc(hidden)]
pub fn parse_items_query(layer: LayerId, query: &str) -> Result<ItemsRequest, ApiError> {
    params::parse_items(layer.schema(), Some(query))
}

/// The query string of `GET /ogc/collections/{layer}/items/{featureId}`, parsed as the
/// handler parses it (`params::parse_feature`).
#[doc(hidden)]
pub fn parse_feature_query(query: &str) -> Result<FeatureRequest, ApiError> {
    params::parse_feature(Some(query))
}
