//! The laid-out district that the point layers are placed in: outline, partition, roads,
//! parcels and buildings, with the questions placement asks of them.

use rand::Rng;
use rstar::{primitives::GeomWithData, primitives::Rectangle, RTree, AABB};

use crate::{
    buildings::Building, frame::Pt, lots::Parcel, outline::District, partition::Partition,
    pick::Weighted, roads::Roads,
};

/// A placed point: its stored (rounded) position and its grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Site {
    pub p: Pt,
    pub grid: u32,
}

#[derive(Debug)]
pub(crate) struct World {
    pub district: District,
    pub part: Partition,
    pub roads: Roads,
    pub parcels: Vec<Parcel>,
    pub buildings: Vec<Building>,
    footprints: RTree<GeomWithData<Rectangle<[f64; 2]>, u32>>,
    parcels_by_area: Weighted,
}

impl World {
    pub fn new(
        district: District,
        part: Partition,
        roads: Roads,
        parcels: Vec<Parcel>,
        buildings: Vec<Building>,
    ) -> World {
        let footprints = RTree::bulk_load(
            buildings
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    let (lo, hi) = b.fp.bbox();
                    GeomWithData::new(Rectangle::from_corners(lo, hi), i as u32)
                })
                .collect(),
        );
        let parcels_by_area = Weighted::new(parcels.iter().map(Parcel::area));
        World {
            district,
            part,
            roads,
            parcels,
            buildings,
            footprints,
            parcels_by_area,
        }
    }

    /// Places a point of the metric frame: rounds it as it will be stored, moves it off
    /// cell lines, and finds its grid; `None` if it falls outside the district.
    pub fn site(&self, x: f64, y: f64) -> Option<Site> {
        let p = self.part.lattice.nudge(self.district.frame.to_pt(x, y));
        let grid = self.part.grid_of(&self.district, p)?;
        Some(Site { p, grid })
    }

    /// True if the point is inside (or within `margin` metres of) a building.
    pub fn near_building(&self, x: f64, y: f64, margin: f64) -> bool {
        let aabb = AABB::from_corners([x - margin, y - margin], [x + margin, y + margin]);
        self.footprints
            .locate_in_envelope_intersecting(&aabb)
            .any(|e| {
                let fp = &self.buildings[e.data as usize].fp;
                if margin <= 0.0 {
                    return fp.contains(x, y);
                }
                let grown = crate::lots::Footprint {
                    w: fp.w + 2.0 * margin,
                    h: fp.h + 2.0 * margin,
                    ..*fp
                };
                grown.contains(x, y)
            })
    }

    /// A random point in open land (a parcel, off any building), or `None` after a few misses.
    pub fn open_point(&self, rng: &mut impl Rng) -> Option<Site> {
        if self.parcels_by_area.is_empty() {
            return None;
        }
        for _ in 0..30 {
            let p = &self.parcels[self.parcels_by_area.pick(rng)];
            let x = rng.gen_range(p.x0..p.x1);
            let y = rng.gen_range(p.y0..p.y1);
            if self.near_building(x, y, 0.5) {
                continue;
            }
            if let Some(s) = self.site(x, y) {
                return Some(s);
            }
        }
        None
    }

    /// A random point at the kerb: along a road, 2–8 m to one side of its centreline.
    pub fn roadside_point(&self, rng: &mut impl Rng) -> Option<(Site, u32)> {
        for _ in 0..30 {
            let i = self.roads.random_edge(rng);
            let e = &self.roads.edges[i as usize];
            let l = self.roads.line(e);
            let along = rng.gen_range(e.from..=e.to);
            let side = if rng.gen_bool(0.5) { 1.0 } else { -1.0 };
            let (x, y) = l.point(along, side * rng.gen_range(2.0..8.0));
            if let Some(s) = self.site(x, y) {
                return Some((s, i));
            }
        }
        None
    }

    /// A random point near a road crossing, 3–12 m off its centre in one of the four corners.
    pub fn crossing_point(&self, rng: &mut impl Rng) -> Option<(Site, u32, (bool, bool))> {
        if self.roads.crossings.is_empty() {
            return None;
        }
        for _ in 0..30 {
            let n = self.roads.crossings[rng.gen_range(0..self.roads.crossings.len())];
            let node = &self.roads.nodes[n as usize];
            let (east, north) = (rng.gen_bool(0.5), rng.gen_bool(0.5));
            let dx = rng.gen_range(3.0..12.0) * if east { 1.0 } else { -1.0 };
            let dy = rng.gen_range(3.0..12.0) * if north { 1.0 } else { -1.0 };
            if let Some(s) = self.site(node.x + dx, node.y + dy) {
                return Some((s, n, (east, north)));
            }
        }
        None
    }

    /// A random point 3–15 m outside a building's outline (not inside another one).
    pub fn near_building_point(&self, rng: &mut impl Rng) -> Option<Site> {
        if self.buildings.is_empty() {
            return None;
        }
        for _ in 0..30 {
            let b = &self.buildings[rng.gen_range(0..self.buildings.len())];
            let fp = &b.fp;
            let off = rng.gen_range(3.0..15.0);
            let (u, v) = match rng.gen_range(0..4) {
                0 => (rng.gen_range(-fp.w / 2.0..fp.w / 2.0), -fp.h / 2.0 - off),
                1 => (rng.gen_range(-fp.w / 2.0..fp.w / 2.0), fp.h / 2.0 + off),
                2 => (-fp.w / 2.0 - off, rng.gen_range(-fp.h / 2.0..fp.h / 2.0)),
                _ => (fp.w / 2.0 + off, rng.gen_range(-fp.h / 2.0..fp.h / 2.0)),
            };
            let (x, y) = fp.at(u, v);
            if self.near_building(x, y, 0.5) {
                continue;
            }
            if let Some(s) = self.site(x, y) {
                return Some(s);
            }
        }
        None
    }

    /// A random point inside a building (at least half a metre in from its walls).
    pub fn in_building_point(&self, rng: &mut impl Rng, b: &Building) -> Site {
        let fp = &b.fp;
        let (u, v) = (
            rng.gen_range(-(fp.w / 2.0 - 0.5)..(fp.w / 2.0 - 0.5)),
            rng.gen_range(-(fp.h / 2.0 - 0.5)..(fp.h / 2.0 - 0.5)),
        );
        let (x, y) = fp.at(u, v);
        // A building lies wholly in its grid, far from cell lines, so this cannot miss.
        Site {
            p: self.district.frame.to_pt(x, y),
            grid: b.grid,
        }
    }
}
