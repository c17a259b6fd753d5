//! Headline figures per administrative area: how many buildings, components, devices,
//! cameras and pipe segments lie in a street, a community or a grid. The map's
//! drill-down (district → street → community → grid) shows them at every level.
//!
//! Every field feature carries the code of the grid it lies in, and an area's code is a
//! prefix of its grids' codes, so the figures are one pass over the field layers that
//! counts per grid, then sums over the grids under a prefix.

use std::{collections::HashMap, sync::Arc};

use citymirror_core::{GridCode, LayerId, Value};
use serde::Serialize;

use crate::Twin;

/// The field layers counted, in the order of [`Counts`]' fields.
const COUNTED: [LayerId; 5] = [
    LayerId::Buildings,
    LayerId::Components,
    LayerId::Devices,
    LayerId::Cameras,
    LayerId::Pipes,
];

/// Features per field layer inside one area.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub buildings: u64,
    pub components: u64,
    pub devices: u64,
    pub cameras: u64,
    pub pipes: u64,
}

impl Counts {
    fn slot(&mut self, layer: LayerId) -> &mut u64 {
        match layer {
            LayerId::Buildings => &mut self.buildings,
            LayerId::Components => &mut self.components,
            LayerId::Devices => &mut self.devices,
            LayerId::Cameras => &mut self.cameras,
            _ => &mut self.pipes,
        }
    }

    fn add(&mut self, o: &Counts) {
        self.buildings += o.buildings;
        self.components += o.components;
        self.devices += o.devices;
        self.cameras += o.cameras;
        self.pipes += o.pipes;
    }
}

/// Counts per grid code, as one pass over the field layers found them.
#[derive(Debug, Clone, Default)]
pub struct CountTable {
    by_grid: HashMap<String, Counts>,
}

impl CountTable {
    /// The totals of every grid under `area` (itself, if it is a grid).
    pub fn within(&self, area: &GridCode) -> Counts {
        let mut total = Counts::default();
        for (code, c) in &self.by_grid {
            if code.starts_with(area.as_str()) {
                total.add(c);
            }
        }
        total
    }
}

impl Twin {
    /// The field layers' features counted per grid. Features without a grid code
    /// (outside the district) count nowhere. The table is kept until one of the counted
    /// layers changes, so a drill-down costs a pass over the district once per change,
    /// not once per click.
    pub fn count_by_grid(&self) -> Arc<CountTable> {
        let revisions: Vec<u64> = COUNTED.iter().map(|&l| self.layer(l).revision()).collect();
        let mut cached = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((at, table)) = cached.as_ref() {
            if *at == revisions {
                return table.clone();
            }
        }
        // Revisions read before counting: a change meanwhile makes the entry stale at
        // once, so the next call counts again rather than trusting a mixed table.
        let table = Arc::new(self.count_now());
        *cached = Some((revisions, table.clone()));
        table
    }

    fn count_now(&self) -> CountTable {
        let mut by_grid: HashMap<String, Counts> = HashMap::new();
        for layer_id in COUNTED {
            let layer = self.layer(layer_id);
            let Some((i, _)) = layer.schema().property("grid_code") else {
                continue;
            };
            for f in layer.iter() {
                if let Some(Value::Text(code)) = f.props.get(i) {
                    match by_grid.get_mut(code.as_str()) {
                        Some(c) => *c.slot(layer_id) += 1,
                        None => {
                            let mut c = Counts::default();
                            *c.slot(layer_id) += 1;
                            by_grid.insert(code.clone(), c);
                        }
                    }
                }
            }
        }
        CountTable { by_grid }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Feature, Layer};
    use chrono::Utc;
    use geo::{point, Geometry};

    fn feature(layer: LayerId, id: i64, grid: Option<&str>) -> Feature {
        let schema = layer.schema();
        let mut props = vec![Value::Null; schema.properties.len()];
        if let Some(g) = grid {
            props[schema.property("grid_code").unwrap().0] = Value::Text(g.into());
        }
        Feature {
            id,
            geometry: Geometry::Point(point!(x: 114.05, y: 22.54)),
            props,
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn an_area_counts_the_features_of_every_grid_under_it() {
        let twin = Twin::new();
        let (a, b, c) = ("44030400100101", "44030400100102", "44030400200101");
        twin.set_layer(Layer::from_features(
            LayerId::Components.schema(),
            vec![
                feature(LayerId::Components, 1, Some(a)),
                feature(LayerId::Components, 2, Some(a)),
                feature(LayerId::Components, 3, Some(b)),
                feature(LayerId::Components, 4, Some(c)),
                feature(LayerId::Components, 5, None),
            ],
        ));
        twin.set_layer(Layer::from_features(
            LayerId::Devices.schema(),
            vec![feature(LayerId::Devices, 1, Some(b))],
        ));
        let table = twin.count_by_grid();
        let code = |s: &str| s.parse::<GridCode>().unwrap();
        assert_eq!(table.within(&code(a)).components, 2);
        assert_eq!(
            table.within(&code("440304001001")),
            Counts {
                components: 3,
                devices: 1,
                ..Counts::default()
            }
        );
        assert_eq!(table.within(&code("440304002")).components, 1);
        assert_eq!(table.within(&code("440304")).components, 4);
        assert_eq!(table.within(&code("440305")), Counts::default());

        // Kept while nothing changes; counted again after a change.
        assert!(Arc::ptr_eq(&table, &twin.count_by_grid()));
        twin.set_layer(Layer::from_features(LayerId::Devices.schema(), vec![]));
        let after = twin.count_by_grid();
        assert!(!Arc::ptr_eq(&table, &after));
        assert_eq!(after.within(&code("440304")).devices, 0);
    }
}
