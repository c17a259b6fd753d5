//! OGC API – Features: Part 1 (Core, GeoJSON, HTML, OpenAPI 3.0), Part 2 (CRS), Part 3
//! queryables as query parameters, and Part 4 (create, replace, update, delete).
//!
//! One file per resource; each renders its JSON and its HTML form. The routes are
//! assembled in [`crate::routes`].

pub mod api_doc;
pub mod collections;
pub mod conformance;
pub mod crs;
pub mod feature;
pub mod geojson;
pub mod html;
mod html_map;
pub mod items;
pub mod landing;
pub mod link;
pub mod params;
pub mod queryables;
pub mod write;
mod write_body;

use citymirror_core::LayerId;
use citymirror_twin::FeatureId;

use crate::ApiError;

/// The layer behind a collection id in a path.
pub fn find_layer(collection: &str) -> Result<LayerId, ApiError> {
    collection
        .parse()
        .map_err(|_| ApiError::NotFound(format!("collection `{collection}` not found")))
}

/// A feature id in a path. Ids are integers; anything else names no feature.
pub fn feature_id(layer: LayerId, raw: &str) -> Result<FeatureId, ApiError> {
    raw.parse().map_err(|_| {
        ApiError::NotFound(format!("feature `{raw}` not found in collection `{layer}`"))
    })
}

/// `建筑 (Buildings)`: the collection title, the same in every document that shows it.
pub fn title(layer: LayerId) -> String {
    let s = layer.schema();
    format!("{} ({})", s.title_zh, s.title_en)
}
