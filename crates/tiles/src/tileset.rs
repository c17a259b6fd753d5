//! The tilesets: one per twin layer, and `basemap` with all of them.

use std::{fmt, str::FromStr};

use citymirror_core::LayerId;

use crate::TileError;

/// One twin layer as it appears in tiles: an MVT layer of the same name, drawn from
/// `minzoom` to `maxzoom`. Beyond `maxzoom` clients overzoom the deepest tile; outside the
/// range a tile simply has no such layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileLayer {
    pub layer: LayerId,
    pub minzoom: u8,
    pub maxzoom: u8,
}

impl TileLayer {
    /// The MVT layer name, which is the layer id (`buildings`).
    pub fn name(&self) -> &'static str {
        self.layer.as_str()
    }

    pub fn drawn_at(&self, z: u8) -> bool {
        (self.minzoom..=self.maxzoom).contains(&z)
    }
}

const fn zooms(layer: LayerId, minzoom: u8, maxzoom: u8) -> TileLayer {
    TileLayer {
        layer,
        minzoom,
        maxzoom,
    }
}

/// Every layer with its zoom range, in `LayerId::ALL` order (also the order of the MVT
/// layers in a basemap tile; a client's style decides the drawing order). Small things appear only where a map is
/// zoomed in far enough to show them: a z12 tile of components would be a grey smear.
static LAYERS: [TileLayer; LayerId::ALL.len()] = [
    zooms(LayerId::District, 0, 16),
    zooms(LayerId::Streets, 8, 16),
    zooms(LayerId::Communities, 10, 16),
    zooms(LayerId::Grids, 12, 16),
    zooms(LayerId::Buildings, 12, 16),
    zooms(LayerId::Components, 15, 16),
    zooms(LayerId::Pipes, 14, 16),
    zooms(LayerId::Cameras, 14, 16),
    zooms(LayerId::Devices, 14, 16),
    // The basemap: water and parks from the first view of the whole district, roads once
    // a street is in view, landmarks where their names can be read.
    zooms(LayerId::Roads, 12, 16),
    zooms(LayerId::Water, 8, 16),
    zooms(LayerId::Parks, 10, 16),
    zooms(LayerId::Landmarks, 12, 16),
];

/// A set of tiles under one URL: a single twin layer, or the whole basemap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tileset {
    /// `/tiles/buildings/…`: one MVT layer, `buildings`.
    Layer(LayerId),
    /// `/tiles/basemap/…`: every layer, each as its own MVT layer.
    Basemap,
}

impl Tileset {
    /// Every tileset, the per-layer ones first.
    pub const ALL: [Tileset; LayerId::ALL.len() + 1] = [
        Tileset::Layer(LayerId::District),
        Tileset::Layer(LayerId::Streets),
        Tileset::Layer(LayerId::Communities),
        Tileset::Layer(LayerId::Grids),
        Tileset::Layer(LayerId::Buildings),
        Tileset::Layer(LayerId::Components),
        Tileset::Layer(LayerId::Pipes),
        Tileset::Layer(LayerId::Cameras),
        Tileset::Layer(LayerId::Devices),
        Tileset::Layer(LayerId::Roads),
        Tileset::Layer(LayerId::Water),
        Tileset::Layer(LayerId::Parks),
        Tileset::Layer(LayerId::Landmarks),
        Tileset::Basemap,
    ];

    /// The id in URLs: the layer id, or `basemap`.
    pub fn id(self) -> &'static str {
        match self {
            Tileset::Layer(l) => l.as_str(),
            Tileset::Basemap => "basemap",
        }
    }

    pub fn title_zh(self) -> &'static str {
        match self {
            Tileset::Layer(l) => l.schema().title_zh,
            Tileset::Basemap => "底图",
        }
    }

    pub fn title_en(self) -> &'static str {
        match self {
            Tileset::Layer(l) => l.schema().title_en,
            Tileset::Basemap => "Basemap",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Tileset::Layer(l) => l.schema().description,
            Tileset::Basemap => {
                "Every layer of the twin, each as its own vector-tile layer: administrative \
                 units, buildings, city components, pipes, cameras and IoT devices."
            }
        }
    }

    /// The layers this tileset draws from, each with its zoom range.
    pub fn layers(self) -> &'static [TileLayer] {
        match self {
            Tileset::Layer(l) => std::slice::from_ref(&LAYERS[position(l)]),
            Tileset::Basemap => &LAYERS,
        }
    }

    /// The layers drawn in a tile at zoom `z`.
    pub fn layers_at(self, z: u8) -> impl Iterator<Item = &'static TileLayer> {
        self.layers().iter().filter(move |l| l.drawn_at(z))
    }

    pub fn minzoom(self) -> u8 {
        self.layers().iter().map(|l| l.minzoom).min().unwrap_or(0)
    }

    pub fn maxzoom(self) -> u8 {
        self.layers().iter().map(|l| l.maxzoom).max().unwrap_or(0)
    }
}

/// Where a layer sits in `LayerId::ALL` (and in `LAYERS`, which has the same order).
pub(crate) fn position(layer: LayerId) -> usize {
    LayerId::ALL
        .iter()
        .position(|l| *l == layer)
        .expect("LayerId::ALL lists every layer")
}

impl FromStr for Tileset {
    type Err = TileError;
    fn from_str(s: &str) -> Result<Self, TileError> {
        Tileset::ALL
            .into_iter()
            .find(|t| t.id() == s)
            .ok_or_else(|| TileError::UnknownTileset(s.to_owned()))
    }
}

impl fmt::Display for Tileset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_layer_is_a_tileset_of_its_own_name_and_basemap_holds_them_all() {
        for l in LayerId::ALL {
            let t: Tileset = l.as_str().parse().unwrap();
            assert_eq!(t, Tileset::Layer(l));
            assert_eq!(t.layers().len(), 1);
            assert_eq!(t.layers()[0].layer, l);
        }
        let basemap: Tileset = "basemap".parse().unwrap();
        assert_eq!(basemap.layers().len(), LayerId::ALL.len());
        assert_eq!((basemap.minzoom(), basemap.maxzoom()), (0, 16));
        assert!("rivers".parse::<Tileset>().is_err());
    }

    #[test]
    fn small_things_start_deeper_than_areas() {
        let at = |z| -> Vec<&str> { Tileset::Basemap.layers_at(z).map(|l| l.name()).collect() };
        assert_eq!(at(5), ["district"]);
        assert_eq!(
            at(12),
            [
                "district",
                "streets",
                "communities",
                "grids",
                "buildings",
                "roads",
                "water",
                "parks",
                "landmarks"
            ]
        );
        assert_eq!(
            at(10),
            ["district", "streets", "communities", "water", "parks"]
        );
        assert_eq!(at(15).len(), LayerId::ALL.len());
        assert!(at(17).is_empty());
        let b = Tileset::Layer(LayerId::Buildings);
        assert_eq!((b.minzoom(), b.maxzoom()), (12, 16));
    }
}
