//! Rendering one tile from the twin's in-memory layers.

use std::collections::HashSet;

use citymirror_core::LayerSchema;
use citymirror_twin::{Feature, Layer, Twin};
use geo::Geometry;
use geozero::{
    mvt::{tile, Tile},
    ToMvt,
};

use crate::{
    attributes::public_properties,
    coord::{TileFrame, BUFFER, EXTENT},
    geometry::TileGeometry,
    tags::Tags,
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

/// Below a layer's deepest zoom, points that fall in one square cell of this many tile
/// units keep only the first (lowest id, so the choice is the same on every render): 32
/// units one zoom out (4 pixels of a 512-pixel tile), doubling with each zoom out. A
/// layer's points are shown in full only where the map is zoomed in to read them one by
/// one; further out the thinned layer still shows where they are dense.
fn point_cell(tl: &TileLayer, z: u8) -> Option<i64> {
    (z < tl.maxzoom).then(|| 16_i64 << (tl.maxzoom - z).min(8))
}

fn render_layer(
    layer: &Layer,
    tl: &TileLayer,
    at: TileCoord,
    text: TextFilter,
) -> Result<Option<tile::Layer>, TileError> {
    let candidates: Vec<&Feature> = layer.in_envelope(at.bounds(BUFFER)).collect();
    if candidates.is_empty() {
        return Ok(None);
    }

    let schema: &'static LayerSchema = layer.schema();
    let public: Vec<usize> = public_properties(schema).map(|(i, _)| i).collect();
    let mut shapes = TileGeometry::new(TileFrame::new(at));
    let cell = point_cell(tl, at.z());
    let mut taken_cells: HashSet<(i64, i64), foldhash::fast::RandomState> = HashSet::default();
    let mut tags = Tags::new(schema, text);
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
        feature.tags.reserve_exact(2 * public.len());
        for &i in &public {
            if let Some(v) = f.props.get(i) {
                tags.push(i, v, &mut feature.tags);
            }
        }
        features.push(feature);
    }
    if features.is_empty() {
        return Ok(None);
    }
    let (keys, values) = tags.into_tables();
    Ok(Some(tile::Layer {
        version: 2,
        name: tl.name().to_owned(),
        features,
        keys,
        values,
        extent: Some(EXTENT),
    }))
}
