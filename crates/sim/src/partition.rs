//! The four-level partition of the district: 区 → 10 街道 → 92 社区 → about 1,000 网格.
//!
//! A lattice of square cells (about 280 m, the size chosen so that about 1,000 cells
//! remain) is clipped to the outline; cells cut down to under a quarter of their area are
//! merged into a neighbour, so no grid is a sliver. Cells go to streets by a power diagram
//! on the real streets' centres, its weights nudged so the streets are sized roughly like
//! the real ones (the three old eastern streets are small, the western ones large) but never
//! so far that a street loses the ground around its own centre; each street's cells into its
//! share of the 92 communities (in proportion to its cells, at least one), and every
//! unit's polygon is the union of its cells clipped to the outline. Units therefore tile the district exactly: each piece of the district
//! belongs to one cell, each cell to one grid, each grid to one community and street.
//!
//! The partition depends on the outline only, not on the seed: grid codes stay put when
//! the rest of the district is generated again.

use std::collections::BTreeSet;

use citymirror_core::{catalogue::FUTIAN_STREETS, GridCode};
use geo::{
    BooleanOps, Centroid, Contains, Coord, GeodesicArea, Geometry, LineString, MultiPolygon,
    Polygon,
};

use crate::{
    cluster::{anchored_power_diagram, balanced_kmeans, spread_seeds},
    frame::Pt,
    lattice::Lattice,
    names::{COMMUNITY_POOLS, SPARE_COMMUNITIES, STREET_CENTRES, STREET_SHARES},
    outline::{round_multipolygon, District},
    pick::largest_remainder,
    SimError,
};

/// The number of communities Futian has.
pub(crate) const COMMUNITIES: u64 = 92;
/// The number of grids the lattice is sized for.
const TARGET_GRIDS: f64 = 1000.0;
/// How far the streets' sizes may override their places: the pull of two streets' centres
/// may differ by at most this share of their squared distance (see
/// `anchored_power_diagram`), so every street keeps the ground around its real centre.
const STREET_SLACK: f64 = 0.5;
/// Cells cut down to less than this share of a full cell are merged into a neighbour.
const SLIVER: f64 = 0.25;

/// One administrative unit, ready to be written as a feature.
#[derive(Debug, Clone)]
pub(crate) struct Unit {
    pub code: GridCode,
    pub name: String,
    pub parent: Option<GridCode>,
    pub geom: Geometry<f64>,
    pub area_km2: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct Partition {
    pub lattice: Lattice,
    pub district: Unit,
    pub streets: Vec<Unit>,
    /// Sorted by code, as are `grids`.
    pub communities: Vec<Unit>,
    pub grids: Vec<Unit>,
    /// The street and the community index of each grid.
    pub grid_street: Vec<usize>,
    pub grid_community: Vec<usize>,
    /// The grid each lattice cell belongs to (`None` outside the district).
    pub cell_grid: Vec<Option<u32>>,
    /// Cells the outline cuts: points there are checked against the polygons themselves.
    pub cell_cut: Vec<bool>,
    /// Each grid's shape, for those checks.
    pub grid_shapes: Vec<MultiPolygon<f64>>,
}

#[derive(Debug, Clone)]
enum Cell {
    Outside,
    Inside,
    /// Cut by the outline: the part inside, and its share of a full cell.
    Cut(MultiPolygon<f64>, f64),
}

fn rect_polygon(sw: Pt, ne: Pt) -> Polygon<f64> {
    let c = |x: i64, y: i64| Pt { x, y }.coord();
    Polygon::new(
        LineString::new(vec![
            c(sw.x, sw.y),
            c(ne.x, sw.y),
            c(ne.x, ne.y),
            c(sw.x, ne.y),
            c(sw.x, sw.y),
        ]),
        vec![],
    )
}

/// Clips every cell of the lattice to the outline.
fn classify(d: &District, lattice: &Lattice) -> Vec<Cell> {
    // Cells that an outline edge may touch; the others are wholly inside or outside.
    let mut touched = vec![false; lattice.len()];
    let (w, h) = lattice.size_m();
    for ring in &d.rings_m {
        for e in ring.windows(2) {
            let i0 = (e[0].0.min(e[1].0) / w).floor() as i64;
            let i1 = (e[0].0.max(e[1].0) / w).floor() as i64;
            let j0 = (e[0].1.min(e[1].1) / h).floor() as i64;
            let j1 = (e[0].1.max(e[1].1) / h).floor() as i64;
            for j in j0..=j1 {
                for i in i0..=i1 {
                    if let Some(c) = lattice.index(i, j) {
                        touched[c] = true;
                    }
                }
            }
        }
    }
    (0..lattice.len())
        .map(|c| {
            let (sw, ne) = lattice.rect(c);
            if !touched[c] {
                let (x, y) = lattice.frame.to_m(Pt {
                    x: (sw.x + ne.x) / 2,
                    y: (sw.y + ne.y) / 2,
                });
                return if d.contains_m(x, y) {
                    Cell::Inside
                } else {
                    Cell::Outside
                };
            }
            let rect = rect_polygon(sw, ne);
            let part = rect.intersection(&d.deg);
            let full = planar_area(&MultiPolygon::new(vec![rect]));
            let share = planar_area(&part) / full;
            if part.0.is_empty() || share < 1e-9 {
                Cell::Outside
            } else {
                Cell::Cut(part, share)
            }
        })
        .collect()
}

fn planar_area(mp: &MultiPolygon<f64>) -> f64 {
    use geo::Area;
    mp.unsigned_area()
}

fn grid_count(cells: &[Cell]) -> usize {
    cells
        .iter()
        .filter(|c| match c {
            Cell::Inside => true,
            Cell::Cut(_, share) => *share >= SLIVER,
            Cell::Outside => false,
        })
        .count()
}

/// Sizes the lattice so that about 1,000 grids remain after slivers are merged.
fn sized_lattice(d: &District) -> (Lattice, Vec<Cell>) {
    let mut size = (d.area_m2 / TARGET_GRIDS).sqrt();
    let mut best: Option<(f64, Lattice, Vec<Cell>)> = None;
    for _ in 0..6 {
        let lattice = Lattice::new(d.frame, size, d.width_m, d.height_m);
        let cells = classify(d, &lattice);
        let n = grid_count(&cells) as f64;
        let miss = (n - TARGET_GRIDS).abs();
        if best.as_ref().is_none_or(|b| miss < b.0) {
            best = Some((miss, lattice, cells));
        }
        if miss <= 15.0 || n == 0.0 {
            break;
        }
        size *= (n / TARGET_GRIDS).sqrt();
    }
    let (_, lattice, cells) = best.expect("at least one try");
    (lattice, cells)
}

fn as_geometry(mp: MultiPolygon<f64>) -> Geometry<f64> {
    if mp.0.len() == 1 {
        Geometry::Polygon(mp.0.into_iter().next().expect("one polygon"))
    } else {
        Geometry::MultiPolygon(mp)
    }
}

fn km2(mp: &MultiPolygon<f64>) -> f64 {
    (mp.geodesic_area_unsigned() / 1e6 * 1e6).round() / 1e6
}

/// The union of a set of lattice cells, clipped to the outline.
fn cells_shape(d: &District, lattice: &Lattice, cells: &[usize]) -> MultiPolygon<f64> {
    let rects = MultiPolygon::new(
        cells
            .iter()
            .map(|&c| {
                let (sw, ne) = lattice.rect(c);
                rect_polygon(sw, ne)
            })
            .collect(),
    );
    round_multipolygon(&rects.intersection(&d.deg))
}

impl Partition {
    pub fn build(d: &District) -> Result<Partition, SimError> {
        let (lattice, cells) = sized_lattice(d);
        let owns = |c: &Cell| match c {
            Cell::Inside => true,
            Cell::Cut(_, share) => *share >= SLIVER,
            Cell::Outside => false,
        };
        // Each cell's owner: itself, or for a sliver the neighbour it merges into.
        let share = |c: usize| match &cells[c] {
            Cell::Inside => 1.0,
            Cell::Cut(_, s) => *s,
            Cell::Outside => 0.0,
        };
        let owners: Vec<usize> = (0..lattice.len()).filter(|&c| owns(&cells[c])).collect();
        if owners.is_empty() {
            return Err(SimError::Outline(
                "the outline is too small to partition".into(),
            ));
        }
        let mut owner: Vec<Option<usize>> = vec![None; lattice.len()];
        for &c in &owners {
            owner[c] = Some(c);
        }
        for c in 0..lattice.len() {
            if owner[c].is_some() || matches!(cells[c], Cell::Outside) {
                continue;
            }
            let (i, j) = lattice.ij(c);
            let neighbour = [(i - 1, j), (i + 1, j), (i, j - 1), (i, j + 1)]
                .into_iter()
                .filter_map(|(a, b)| lattice.index(a, b))
                .filter(|&n| owns(&cells[n]))
                .max_by(|&a, &b| share(a).total_cmp(&share(b)).then(b.cmp(&a)));
            owner[c] = Some(neighbour.unwrap_or_else(|| {
                *owners
                    .iter()
                    .min_by_key(|&&o| {
                        let (oi, oj) = lattice.ij(o);
                        (oi - i).pow(2) + (oj - j).pow(2)
                    })
                    .expect("owners is not empty")
            }));
        }
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); lattice.len()];
        for (c, o) in owner.iter().enumerate() {
            if let Some(o) = o {
                members[*o].push(c);
            }
        }

        // Each grid's shape, centroid (metres) and area.
        let mut shapes = Vec::with_capacity(owners.len());
        for &o in &owners {
            let mut acc: Option<MultiPolygon<f64>> = None;
            for &c in &members[o] {
                let piece = match &cells[c] {
                    Cell::Inside => {
                        let (sw, ne) = lattice.rect(c);
                        MultiPolygon::new(vec![rect_polygon(sw, ne)])
                    }
                    Cell::Cut(p, _) => p.clone(),
                    Cell::Outside => continue,
                };
                acc = Some(match acc {
                    None => piece,
                    Some(a) => a.union(&piece),
                });
            }
            shapes.push(round_multipolygon(&acc.expect("an owner has itself")));
        }
        let centroids: Vec<(f64, f64)> = shapes
            .iter()
            .map(|s| {
                let c = s.centroid().map_or(Coord { x: 0.0, y: 0.0 }, |p| p.0);
                d.frame.deg_to_m(c.x, c.y)
            })
            .collect();
        let areas: Vec<f64> = shapes.iter().map(|s| planar_area(s).max(1e-12)).collect();

        // Streets: balanced clusters seeded where the real streets are.
        let seeds: Vec<(f64, f64)> = STREET_CENTRES
            .iter()
            .map(|&(lon, lat)| d.frame.deg_to_m(lon, lat))
            .collect();
        let street_of = anchored_power_diagram(
            &centroids,
            &areas,
            &seeds,
            &STREET_SHARES,
            STREET_SLACK,
            150,
        );
        let mut street_grids: Vec<Vec<usize>> = vec![Vec::new(); seeds.len()];
        for (g, &s) in street_of.iter().enumerate() {
            street_grids[s].push(g);
        }
        let counts: Vec<f64> = street_grids.iter().map(|g| g.len() as f64).collect();
        let n_streets = seeds.len() as u64;
        let per_street: Vec<u64> = largest_remainder(COMMUNITIES - n_streets, &counts)
            .into_iter()
            .zip(&street_grids)
            .map(|(n, g)| (n + 1).min(g.len() as u64))
            .collect();
        if per_street.iter().sum::<u64>() != COMMUNITIES {
            return Err(SimError::Outline(
                "the outline is too small or too odd to hold 92 communities".into(),
            ));
        }

        let district_code: GridCode = "440304".parse().expect("valid code");
        let (cell_w, cell_h) = lattice.size_m();
        let mut used_names = BTreeSet::new();
        let mut streets = Vec::new();
        let mut communities = Vec::new();
        let mut grids: Vec<(usize, Unit, usize, usize)> = Vec::new(); // (owner index, unit, street, community)
        for (s, gs) in street_grids.iter().enumerate() {
            let street_code = district_code.child(s as u32 + 1).expect("1..=10");
            let street_name = format!("{}街道", FUTIAN_STREETS[s]);
            let pts: Vec<(f64, f64)> = gs.iter().map(|&g| centroids[g]).collect();
            let ws: Vec<f64> = gs.iter().map(|&g| areas[g]).collect();
            let k = per_street[s] as usize;
            let comm_of = balanced_kmeans(&pts, &ws, &spread_seeds(&pts, k), None, 100);
            let mut comm_grids: Vec<Vec<usize>> = vec![Vec::new(); k];
            for (i, &c) in comm_of.iter().enumerate() {
                comm_grids[c].push(gs[i]);
            }
            comm_grids.retain(|g| !g.is_empty());
            // Number communities in reading order (north to south in bands, then west to east).
            let band = |p: (f64, f64)| (-(p.1 / 800.0).floor() as i64, p.0 as i64);
            let mean = |g: &[usize]| {
                let n = g.len() as f64;
                g.iter().fold((0.0, 0.0), |a, &i| {
                    (a.0 + centroids[i].0 / n, a.1 + centroids[i].1 / n)
                })
            };
            comm_grids.sort_by_key(|g| band(mean(g)));
            let mut pool = COMMUNITY_POOLS[s].iter().chain(SPARE_COMMUNITIES.iter());
            for (m, mut cg) in comm_grids.into_iter().enumerate() {
                let comm_code = street_code.child(m as u32 + 1).expect("under 1000");
                let short = pool
                    .by_ref()
                    .find(|n| !used_names.contains(*n))
                    .ok_or_else(|| SimError::Internal("ran out of community names".into()))?;
                used_names.insert(*short);
                let comm_name = format!("{short}社区");
                cg.sort_by_key(|&g| {
                    (
                        -(centroids[g].1 / cell_h).round() as i64,
                        (centroids[g].0 / cell_w).round() as i64,
                    )
                });
                if cg.len() > 99 {
                    return Err(SimError::Internal(format!(
                        "{comm_name} would hold {} grids; codes allow 99",
                        cg.len()
                    )));
                }
                let comm_index = communities.len();
                for (n, &g) in cg.iter().enumerate() {
                    let code = comm_code.child(n as u32 + 1).expect("under 100");
                    let name = format!("{street_name}{comm_name}第{:02}网格", n + 1);
                    let shape = shapes[g].clone();
                    grids.push((
                        g,
                        Unit {
                            code,
                            name,
                            parent: Some(comm_code.clone()),
                            area_km2: km2(&shape),
                            geom: as_geometry(shape),
                        },
                        s,
                        comm_index,
                    ));
                }
                let comm_cells: Vec<usize> = cg
                    .iter()
                    .flat_map(|&g| members[owners[g]].iter().copied())
                    .collect();
                let shape = cells_shape(d, &lattice, &comm_cells);
                communities.push(Unit {
                    code: comm_code,
                    name: comm_name,
                    parent: Some(street_code.clone()),
                    area_km2: km2(&shape),
                    geom: as_geometry(shape),
                });
            }
            let street_cells: Vec<usize> = gs
                .iter()
                .flat_map(|&g| members[owners[g]].iter().copied())
                .collect();
            let shape = cells_shape(d, &lattice, &street_cells);
            streets.push(Unit {
                code: street_code,
                name: street_name,
                parent: Some(district_code.clone()),
                area_km2: km2(&shape),
                geom: as_geometry(shape),
            });
        }
        grids.sort_by(|a, b| a.1.code.cmp(&b.1.code));

        let mut owner_grid = vec![None; lattice.len()];
        for (index, (g, ..)) in grids.iter().enumerate() {
            owner_grid[owners[*g]] = Some(index as u32);
        }
        let cell_grid: Vec<Option<u32>> = owner
            .iter()
            .map(|o| o.and_then(|o| owner_grid[o]))
            .collect();
        let cell_cut = cells.iter().map(|c| matches!(c, Cell::Cut(..))).collect();
        let grid_shapes = grids.iter().map(|(g, ..)| shapes[*g].clone()).collect();
        let grid_street = grids.iter().map(|g| g.2).collect();
        let grid_community = grids.iter().map(|g| g.3).collect();
        Ok(Partition {
            district: Unit {
                code: district_code,
                name: "福田区".into(),
                // 深圳市, the city the district belongs to.
                parent: Some("440300".parse().expect("valid code")),
                area_km2: km2(&d.deg),
                geom: as_geometry(d.deg.clone()),
            },
            lattice,
            streets,
            communities,
            grids: grids.into_iter().map(|g| g.1).collect(),
            grid_street,
            grid_community,
            cell_grid,
            cell_cut,
            grid_shapes,
        })
    }

    /// True if the cell and every cell within two of it lie wholly inside the district:
    /// anything within a cell of such a cell is then far (a cell or more) from the outline.
    pub fn deep_inside(&self, cell: usize) -> bool {
        let (i, j) = self.lattice.ij(cell);
        (-2..=2).all(|dj| {
            (-2..=2).all(|di| {
                self.lattice
                    .index(i + di, j + dj)
                    .is_some_and(|c| !self.cell_cut[c] && self.cell_grid[c].is_some())
            })
        })
    }

    /// The grid a point lies in, decided on its rounded coordinates (which must be off
    /// cell lines: see `Lattice::nudge`). `None` outside the district.
    pub fn grid_of(&self, d: &District, p: Pt) -> Option<u32> {
        let c = self.lattice.cell_of(p)?;
        let g = self.cell_grid[c]?;
        if self.cell_cut[c] {
            let pt = p.point();
            if !(self.grid_shapes[g as usize].contains(&pt) && d.deg.contains(&pt)) {
                return None;
            }
        }
        Some(g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outline::Outline;
    use geo::Point;

    /// The real outline from the shared data folder, if it is there.
    fn real_outline() -> Option<District> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/futian/district-440304.gcj02.geojson");
        let text = std::fs::read_to_string(path).ok()?;
        Some(District::load(&Outline::GeoJsonGcj02(text)).expect("the real outline loads"))
    }

    fn street_at(p: &Partition, lon: f64, lat: f64) -> Option<&str> {
        let pt = Point::new(lon, lat);
        p.streets
            .iter()
            .find(|s| s.geom.contains(&pt))
            .map(|s| s.name.as_str())
    }

    fn pieces(g: &Geometry<f64>) -> usize {
        match g {
            Geometry::Polygon(_) => 1,
            Geometry::MultiPolygon(mp) => mp.0.len(),
            _ => 0,
        }
    }

    fn check_centres(d: &District) -> Partition {
        let p = Partition::build(d).unwrap();
        for (i, &(lon, lat)) in STREET_CENTRES.iter().enumerate() {
            let name = format!("{}街道", FUTIAN_STREETS[i]);
            assert_eq!(
                street_at(&p, lon, lat),
                Some(name.as_str()),
                "{name}'s centre ({lon}, {lat})"
            );
        }
        for s in &p.streets {
            assert_eq!(pieces(&s.geom), 1, "{} is one piece", s.name);
        }
        assert_eq!(p.communities.len() as u64, COMMUNITIES);
        p
    }

    #[test]
    fn streets_hold_their_centres_on_the_builtin_outline() {
        check_centres(&District::load(&Outline::Builtin).unwrap());
    }

    #[test]
    fn streets_lie_where_the_real_ones_do() {
        let Some(d) = real_outline() else {
            eprintln!("note: the real outline is not at hand; skipped");
            return;
        };
        let p = check_centres(&d);
        // Landmarks (WGS84) and the streets that hold them.
        for (what, lon, lat, streets) in [
            ("市民中心", 114.0553, 22.5405, &["莲花街道", "福田街道"][..]),
            ("莲花山", 114.052, 22.558, &["莲花街道"][..]),
            ("华强北", 114.086, 22.545, &["华强北街道"][..]),
            ("岗厦", 114.066, 22.535, &["福田街道"][..]),
            ("梅林", 114.045, 22.575, &["梅林街道"][..]),
        ] {
            let got = street_at(&p, lon, lat);
            assert!(
                got.is_some_and(|s| streets.contains(&s)),
                "{what} ({lon}, {lat}) lies in {got:?}, not {streets:?}"
            );
        }
        // Sizes still follow the real streets' roughly (shares are soft targets).
        let total: f64 = p.streets.iter().map(|s| s.area_km2).sum();
        let share_sum: f64 = STREET_SHARES.iter().sum();
        for (s, share) in p.streets.iter().zip(STREET_SHARES) {
            let want = total * share / share_sum;
            assert!(
                (s.area_km2 - want).abs() < 0.35 * want,
                "{}: {} km² vs {want}",
                s.name,
                s.area_km2
            );
        }
    }
}
