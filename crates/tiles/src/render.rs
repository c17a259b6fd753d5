//! Rendering one tile from the twin's in-memory layers.

use std::collections::HashSet;

use citymirror_core::LayerSchema;
use citymirror_twin::{Feature, Layer, Twin};
use geo::Geometry;
use geozero::{
    mvt::{tile, TagsBuilder, Tile},
    ToMvt,
};

use crate::{
    attributes::{public_properties, tile_value},
    coord::{TileFrame, BUFFER, EXTENT},
    geometry::TileGeometry,
    TextFilter, TileCoord, TileError, TileLayer, Tileset,
};

/// Renders tile `at` of `tileset`: one MVT layer per twin layer drawn at this zoom that
/// has something in the tile. Each layer's read lock is held only while that layer is
/// rendered.
pub fn render(
    twin: &Twin,
    tileset: Tileset,
    at: TileCoord,
    text: TextFilter,
) -> Result<Tile, TileError> {
    let mut tile = Tile::default();
    for tl in tileset.layers_at(at.z()) {
        let layer = twin.layer(tl.layer);
        if let Some(l) = render_layer(&layer, tl, at, text)? {
            tile.layers.push(l);
        }
    }
    Ok(tile)
}

/// Points closer than this many tile units share one cell below a layer's deepest zoom,
/// and only the first (lowest id, so the choice is the same on every render) is kept:
/// 16 units one zoom out (two pixels of a 512-pixel tile), doubling with each zoom out.
fn point_cell(tl: &TileLayer, z: u8) -> Option<i64> {
    (z < tl.maxzoom).then(|| 8_i64 << (tl.maxzoom - z).min(8))
}

fn render_layer(
    layer: &Layer,
    tl: &TileLayer,
    at: TileCoord,
    text: TextFilter,
) -> Result<Option<tile::Layer>, TileError> {
    let mut candidates: Vec<&Feature> = layer.in_envelope(at.bounds(BUFFER)).collect();
    if candidates.is_empty() {
        return Ok(None);
    }
    candidates.sort_unstable_by_key(|f| f.id);

    let schema: &'static LayerSchema = layer.schema();
    let public: Vec<usize> = public_properties(schema).map(|(i, _)| i).collect();
    let shapes = TileGeometry::new(TileFrame::new(at));
    let cell = point_cell(tl, at.z());
    let mut taken_cells = HashSet::new();
    // Keys are the property indices; the builder numbers them in first-use order.
    let mut tags: TagsBuilder<u32> = TagsBuilder::new();
    let mut features = Vec::with_capacity(candidates.len());

    for f in candidates {
        let Some(shape) = shapes.convert(&f.geometry) else {
            continue;
        };
        if let (Some(cell), Geometry::Point(p)) = (cell, &shape) {
            let key = (
                (p.x() as i64).div_euclid(cell),
                (p.y() as i64).div_euclid(cell),
            );
            if !taken_cells.insert(key) {
                continue;
            }
        }
        let mut feature = shape
            .to_mvt_unscaled()
            .map_err(|e| TileError::Encode(format!("feature {} of {}: {e}", f.id, schema.id)))?;
        feature.id = u64::try_from(f.id).ok();
        for &i in &public {
            if let Some(v) = f.props.get(i).and_then(|v| tile_value(v, text)) {
                let (k, v) = tags.insert(i as u32, v);
                feature.tags.extend([k, v]);
            }
        }
        features.push(feature);
    }
    if features.is_empty() {
        return Ok(None);
    }
    let (keys, values) = tags.into_tags();
    Ok(Some(tile::Layer {
        version: 2,
        name: tl.name().to_owned(),
        features,
        keys: keys
            .into_iter()
            .map(|i| schema.properties[i as usize].name.to_owned())
            .collect(),
        values: values.into_iter().map(Into::into).collect(),
        extent: Some(EXTENT),
    }))
}
