use std::collections::HashMap;

use citymirror_core::{GridCode, GridLevel, LayerId, Value};
use geo::{BoundingRect, Geometry, Intersects, Point};
use rstar::{primitives::GeomWithData, primitives::Rectangle, RTree};

use crate::Layer;

/// One administrative unit on a grid path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridUnit {
    pub code: GridCode,
    pub name: String,
}

/// Where a point lies: its district, street, community and grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridPath {
    pub district: GridUnit,
    pub street: GridUnit,
    pub community: GridUnit,
    pub grid: GridUnit,
}

/// The point-in-grid index behind `locate`: an R-tree over the grid cells' bounding
/// boxes, refined by an exact point-in-polygon test, and the names of every unit so a
/// whole path comes back from one lookup.
#[derive(Debug, Default)]
pub struct GridIndex {
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    cells: Vec<(GridCode, Geometry<f64>)>,
    names: HashMap<GridCode, String>,
}

fn code_and_name(layer: &Layer, f: &crate::Feature) -> Option<(GridCode, String)> {
    let s = layer.schema();
    let code = f.prop(s, "code")?.as_str()?.parse().ok()?;
    let name = f
        .prop(s, "name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    Some((code, name))
}

impl GridIndex {
    /// Builds the index from the four administrative layers, given in any order.
    pub fn build<'a>(layers: impl IntoIterator<Item = &'a Layer>) -> GridIndex {
        let mut names = HashMap::new();
        let mut cells = Vec::new();
        for layer in layers {
            for f in layer.iter() {
                let Some((code, name)) = code_and_name(layer, f) else {
                    continue;
                };
                if layer.schema().id == LayerId::Grids {
                    cells.push((code.clone(), f.geometry.clone()));
                }
                names.insert(code, name);
            }
        }
        cells.sort_by(|a, b| a.0.cmp(&b.0));
        let entries = cells
            .iter()
            .enumerate()
            .filter_map(|(i, (_, g))| {
                let r = g.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                ))
            })
            .collect();
        GridIndex {
            tree: RTree::bulk_load(entries),
            cells,
            names,
        }
    }

    /// The district's code, if the twin has a district feature.
    pub fn district(&self) -> Option<&GridCode> {
        self.names.keys().find(|c| c.level() == GridLevel::District)
    }

    pub fn cell_count(&self) -> usize {
        self.cells.len()
    }

    /// The code of the grid cell containing the point (boundaries belong to the cell
    /// with the lowest code), or `None` outside the district.
    pub fn locate_code(&self, lon: f64, lat: f64) -> Option<&GridCode> {
        let p = Point::new(lon, lat);
        self.tree
            .locate_all_at_point(&[lon, lat])
            .map(|e| e.data)
            .filter(|&i| self.cells[i].1.intersects(&p))
            .min()
            .map(|i| &self.cells[i].0)
    }

    /// The full grid path of the point.
    pub fn locate(&self, lon: f64, lat: f64) -> Option<GridPath> {
        let grid = self.locate_code(lon, lat)?;
        let unit = |level: GridLevel| {
            let code = grid.at(level)?;
            let name = self.names.get(&code).cloned().unwrap_or_default();
            Some(GridUnit { code, name })
        };
        Some(GridPath {
            district: unit(GridLevel::District)?,
            street: unit(GridLevel::Street)?,
            community: unit(GridLevel::Community)?,
            grid: unit(GridLevel::Grid)?,
        })
    }

    pub fn name(&self, code: &GridCode) -> Option<&str> {
        self.names.get(code).map(String::as_str)
    }
}
