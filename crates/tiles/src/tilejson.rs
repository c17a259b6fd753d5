//! TileJSON 3.0.0 documents (<https://github.com/mapbox/tilejson-spec/tree/master/3.0.0>),
//! which tell a map client where a tileset's tiles are and what their layers hold.

use citymirror_core::LayerId;
use citymirror_twin::Twin;
use geo::Rect;
use serde::{ser::SerializeMap, Serialize, Serializer};

use crate::{attributes::public_properties, TileLayer, Tileset};

/// A TileJSON document.
#[derive(Debug, Clone, Serialize)]
pub struct TileJson {
    pub tilejson: &'static str,
    pub name: String,
    pub description: &'static str,
    pub scheme: &'static str,
    /// The tile URL template, absolute: `{base}/tiles/{id}/{z}/{x}/{y}.mvt`.
    pub tiles: Vec<String>,
    pub minzoom: u8,
    pub maxzoom: u8,
    /// West, south, east, north (WGS84).
    pub bounds: [f64; 4],
    /// Longitude, latitude, zoom: where a map of this tileset opens.
    pub center: [f64; 3],
    pub vector_layers: Vec<VectorLayer>,
}

/// One MVT layer of a tileset and its fields.
#[derive(Debug, Clone, Serialize)]
pub struct VectorLayer {
    pub id: &'static str,
    pub description: &'static str,
    /// Field name → description (the Chinese title), in schema order.
    #[serde(serialize_with = "in_order")]
    pub fields: Vec<(&'static str, &'static str)>,
    pub minzoom: u8,
    pub maxzoom: u8,
}

fn in_order<S: Serializer>(
    fields: &[(&'static str, &'static str)],
    s: S,
) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(fields.len()))?;
    for (k, v) in fields {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

impl TileJson {
    /// The document for `tileset`, with tile URLs under `base` (the server's absolute
    /// root, no trailing slash). Bounds cover the district and the tileset's layers as
    /// they are now: clients fetch no tile outside the bounds, so a tileset's bounds must
    /// already hold the place of a feature created after the client read them, which in
    /// a district's twin is the district.
    pub fn new(twin: &Twin, tileset: Tileset, base: &str) -> TileJson {
        let layers = tileset.layers().iter().map(|l| l.layer);
        let bounds = extent(twin, layers.chain([LayerId::District]))
            .map_or([-180.0, -85.051_129, 180.0, 85.051_129], |r| {
                [r.min().x, r.min().y, r.max().x, r.max().y]
            });
        let (minzoom, maxzoom) = (tileset.minzoom(), tileset.maxzoom());
        TileJson {
            tilejson: "3.0.0",
            name: format!("{} {}", tileset.title_zh(), tileset.title_en()),
            description: tileset.description(),
            scheme: "xyz",
            tiles: vec![format!(
                "{base}/tiles/{}/{{z}}/{{x}}/{{y}}.mvt",
                tileset.id()
            )],
            minzoom,
            maxzoom,
            bounds,
            center: [
                (bounds[0] + bounds[2]) / 2.0,
                (bounds[1] + bounds[3]) / 2.0,
                f64::from(minzoom.max(12).min(maxzoom)),
            ],
            vector_layers: tileset.layers().iter().map(vector_layer).collect(),
        }
    }
}

fn vector_layer(tl: &TileLayer) -> VectorLayer {
    let schema = tl.layer.schema();
    VectorLayer {
        id: tl.name(),
        description: schema.title_zh,
        fields: public_properties(schema)
            .map(|(_, p)| (p.name, p.title_zh))
            .collect(),
        minzoom: tl.minzoom,
        maxzoom: tl.maxzoom,
    }
}

fn extent(twin: &Twin, layers: impl IntoIterator<Item = LayerId>) -> Option<Rect<f64>> {
    layers
        .into_iter()
        .filter_map(|l| twin.layer(l).extent())
        .reduce(|a, b| {
            Rect::new(
                (a.min().x.min(b.min().x), a.min().y.min(b.min().y)),
                (a.max().x.max(b.max().x), a.max().y.max(b.max().y)),
            )
        })
}
