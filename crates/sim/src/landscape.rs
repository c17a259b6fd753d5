//! What the district is laid on: water (深圳河 along the southern border, 深圳湾's shore,
//! 福田河, 新洲河, 皇岗河, 香蜜湖 and the reservoirs), parks, and the landmarks people name.
//!
//! The shapes approximate the real ones from a few points each (`names::RIVERS`, `LAKES`,
//! `PARKS`); 深圳河 and the bay shore follow the outline itself, whose southern edge is the
//! river. Everything is clipped to the district. The layout respects them: roads stop at
//! a lake's shore and at the river along the border, no building stands in water, and
//! few stand in parks (`lots::density`).

use geo::{
    BooleanOps, BoundingRect, Coord, InteriorPoint, Intersects, LineString, MapCoords,
    MultiPolygon, Polygon,
};

use crate::{
    frame::{round_deg, Frame},
    names::{LAKES, LANDMARKS, PARKS, RIVERS},
    outline::{Axis, District},
};

/// How far 深圳河 reaches into the district from the border, in metres: the border runs
/// down the river, and the twin holds the Futian half.
const BORDER_RIVER_M: f64 = 40.0;
/// The bay shore's strip of water inside the outline.
const SHORE_M: f64 = 30.0;
/// West of this longitude the southern edge is 深圳湾's shore, east of it 深圳河 …
const BAY_MOUTH_LON: f64 = 114.025;
/// … up to where the border leaves the river for the land boundary with 罗湖.
const RIVER_EAST_LON: f64 = 114.0845;
/// Roads end this far from a lake's shore or the border river.
const SHORE_CLEARANCE_M: f64 = 12.0;

/// One named area of water or park, in WGS84 (rounded like every coordinate written).
#[derive(Debug, Clone)]
pub(crate) struct Area {
    pub name: &'static str,
    pub kind: &'static str,
    pub deg: MultiPolygon<f64>,
}

/// A landmark: a named point inside the district.
#[derive(Debug, Clone)]
pub(crate) struct Landmark {
    pub name: &'static str,
    pub kind: &'static str,
    pub address: Option<&'static str>,
    pub at: Coord<f64>,
}

#[derive(Debug, Clone)]
pub(crate) struct Landscape {
    pub water: Vec<Area>,
    pub parks: Vec<Area>,
    pub landmarks: Vec<Landmark>,
    /// Every water area in the metric frame: no building stands in one.
    water_m: Vec<MultiPolygon<f64>>,
    /// What roads do not cross (lakes and the border river), in the metric frame.
    barriers_m: Vec<MultiPolygon<f64>>,
}

impl Landscape {
    pub fn build(d: &District) -> Landscape {
        let f = d.frame;
        let inside_m: MultiPolygon<f64> = d.deg.map_coords(|c| to_m(f, c));
        // Each shape clipped to the district, in both frames; the metric one is what the
        // layout asks about (is this lot wet, where does this road stop).
        let area = |name, kind, shape: Polygon<f64>| -> Option<(Area, MultiPolygon<f64>)> {
            let m: MultiPolygon<f64> = inside_m.intersection(&shape);
            let deg = m.map_coords(|c| to_deg(f, c));
            (!m.0.is_empty()).then_some((Area { name, kind, deg }, m))
        };
        // Water: (the area, whether roads stop at it).
        let mut wet: Vec<((Area, MultiPolygon<f64>), bool)> = Vec::new();
        for run in southern_edge(d) {
            let (name, kind, depth) = match run.lon {
                lon if lon < BAY_MOUTH_LON => ("深圳湾", "海湾", SHORE_M),
                _ => ("深圳河", "河流", BORDER_RIVER_M),
            };
            // From outside the border to `depth` inside it; the clip keeps the inside.
            let mut ring: Vec<(f64, f64)> =
                run.points.iter().map(|&(x, y)| (x, y - 30.0)).collect();
            ring.extend(run.points.iter().rev().map(|&(x, y)| (x, y + depth)));
            wet.extend(area(name, kind, polygon(ring)).map(|a| (a, true)));
        }
        for &(name, kind, lon, lat, rx, ry) in LAKES {
            let (cx, cy) = f.deg_to_m(lon, lat);
            wet.extend(area(name, kind, ellipse(cx, cy, rx, ry)).map(|a| (a, true)));
        }
        // The inner rivers are bridged.
        for &(name, line, width) in RIVERS {
            let pts: Vec<(f64, f64)> = line
                .iter()
                .map(|&(lon, lat)| f.deg_to_m(lon, lat))
                .collect();
            wet.extend(area(name, "河流", strip(&pts, width / 2.0)).map(|a| (a, false)));
        }
        let barriers_m = wet
            .iter()
            .filter(|(_, bars)| *bars)
            .map(|((_, m), _)| m.clone())
            .collect();
        let (water, water_m) = wet.into_iter().map(|(a, _)| a).unzip();
        let parks = PARKS
            .iter()
            .filter_map(|&(name, kind, lon, lat, r)| {
                let (cx, cy) = f.deg_to_m(lon, lat);
                area(name, kind, ellipse(cx, cy, r, r)).map(|(a, _)| a)
            })
            .collect();
        let landmarks = LANDMARKS
            .iter()
            .map(|&(name, kind, lon, lat, address)| Landmark {
                name,
                kind,
                address,
                at: Coord {
                    x: round_deg(lon),
                    y: round_deg(lat),
                },
            })
            .filter(|l| {
                let (x, y) = f.deg_to_m(l.at.x, l.at.y);
                d.contains_m(x, y)
            })
            .collect();
        Landscape {
            water,
            parks,
            landmarks,
            water_m,
            barriers_m,
        }
    }

    /// Whether a shape (metric frame) touches water.
    pub fn wet(&self, shape: &Polygon<f64>) -> bool {
        self.water_m.iter().any(|w| w.intersects(shape))
    }

    /// The stretches of the scanline at `pos` that a road may not take: across a lake or
    /// along the border river, widened by the road's half width and a clearance.
    pub fn barred(&self, axis: Axis, pos: f64, half_width: f64) -> Vec<(f64, f64)> {
        let margin = half_width + SHORE_CLEARANCE_M;
        let mut out = Vec::new();
        for b in &self.barriers_m {
            // The road's whole width: the scanline and its two kerbs.
            for across in [pos - half_width, pos, pos + half_width] {
                for (a, z) in scan(b, axis, across) {
                    out.push((a - margin, z + margin));
                }
            }
        }
        out
    }
}

/// A run of the district's southern edge: points (x, lowest y inside) every few metres,
/// with no jump between neighbours, and the longitude at its middle.
struct EdgeRun {
    points: Vec<(f64, f64)>,
    lon: f64,
}

/// The district's southern edge as far east as the border follows the river, cut into
/// runs where it jumps (a north-south stretch of outline is not river) and where the bay
/// shore gives way to the river.
fn southern_edge(d: &District) -> Vec<EdgeRun> {
    const STEP: f64 = 40.0;
    const JUMP: f64 = 120.0;
    let mut runs: Vec<EdgeRun> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    let mut current_bay = None;
    let flush = |points: &mut Vec<(f64, f64)>, runs: &mut Vec<EdgeRun>| {
        if points.len() >= 5 {
            let (x, y) = points[points.len() / 2];
            runs.push(EdgeRun {
                points: std::mem::take(points),
                lon: d.frame.m_to_deg(x, y).x,
            });
        }
        points.clear();
    };
    let mut x = STEP / 2.0;
    while x < d.width_m {
        let lon = d.frame.m_to_deg(x, 0.0).x;
        let lowest = d.spans(Axis::Vertical, x).first().map(|s| s.0);
        let bay = lon < BAY_MOUTH_LON;
        match lowest {
            Some(y) if lon <= RIVER_EAST_LON => {
                let jumps = current.last().is_some_and(|&(_, py)| (y - py).abs() > JUMP);
                if jumps || current_bay.is_some_and(|b| b != bay) {
                    flush(&mut current, &mut runs);
                }
                current.push((x, y));
                current_bay = Some(bay);
            }
            _ => flush(&mut current, &mut runs),
        }
        x += STEP;
    }
    flush(&mut current, &mut runs);
    runs
}

/// Where the scanline at `c` lies inside `area`: pairs of crossings with its rings.
fn scan(area: &MultiPolygon<f64>, axis: Axis, c: f64) -> Vec<(f64, f64)> {
    let Some(r) = area.bounding_rect() else {
        return Vec::new();
    };
    let (lo, hi) = match axis {
        Axis::Horizontal => (r.min().y, r.max().y),
        Axis::Vertical => (r.min().x, r.max().x),
    };
    if c < lo || c > hi {
        return Vec::new();
    }
    let mut hits = Vec::new();
    for p in &area.0 {
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            for seg in ring.lines() {
                let (a, b) = match axis {
                    Axis::Horizontal => ((seg.start.x, seg.start.y), (seg.end.x, seg.end.y)),
                    Axis::Vertical => ((seg.start.y, seg.start.x), (seg.end.y, seg.end.x)),
                };
                // Half-open in the across direction, so a vertex on the line counts once.
                if (a.1 <= c) != (b.1 <= c) {
                    hits.push(a.0 + (c - a.1) / (b.1 - a.1) * (b.0 - a.0));
                }
            }
        }
    }
    hits.sort_by(f64::total_cmp);
    hits.chunks_exact(2).map(|p| (p[0], p[1])).collect()
}

fn to_m(f: Frame, c: Coord<f64>) -> Coord<f64> {
    let (x, y) = f.deg_to_m(c.x, c.y);
    Coord { x, y }
}

fn to_deg(f: Frame, c: Coord<f64>) -> Coord<f64> {
    let d = f.m_to_deg(c.x, c.y);
    Coord {
        x: round_deg(d.x),
        y: round_deg(d.y),
    }
}

fn polygon(mut ring: Vec<(f64, f64)>) -> Polygon<f64> {
    if let Some(&first) = ring.first() {
        ring.push(first);
    }
    Polygon::new(LineString::from(ring), Vec::new())
}

/// An ellipse of 48 vertices.
fn ellipse(cx: f64, cy: f64, rx: f64, ry: f64) -> Polygon<f64> {
    polygon(
        (0..48)
            .map(|i| {
                let t = f64::from(i) / 48.0 * std::f64::consts::TAU;
                (cx + rx * t.cos(), cy + ry * t.sin())
            })
            .collect(),
    )
}

/// A river: the polyline widened by `half` on each side, mitred at the bends (the
/// rivers bend gently, so mitres stay short). geo has no buffer operation yet.
fn strip(pts: &[(f64, f64)], half: f64) -> Polygon<f64> {
    let n = pts.len();
    let normal = |i: usize| {
        let (a, b) = (
            pts[i.saturating_sub(1).min(n - 2)],
            pts[(i + 1).min(n - 1).max(1)],
        );
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len = (dx * dx + dy * dy).sqrt().max(1e-9);
        (-dy / len, dx / len)
    };
    let left = (0..n).map(|i| {
        let (nx, ny) = normal(i);
        (pts[i].0 + nx * half, pts[i].1 + ny * half)
    });
    let right: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let (nx, ny) = normal(i);
            (pts[i].0 - nx * half, pts[i].1 - ny * half)
        })
        .collect();
    polygon(left.chain(right.into_iter().rev()).collect())
}

/// A representative point of an area (inside it), for the grid it is filed under.
pub(crate) fn inside_point(a: &MultiPolygon<f64>) -> Option<Coord<f64>> {
    a.interior_point().map(|p| p.0)
}

#[cfg(test)]
mod tests {
    use geo::{Contains, Point};

    use super::*;
    use crate::outline::Outline;

    fn futian() -> (District, Landscape) {
        let d = District::load(&Outline::Builtin).unwrap();
        let l = Landscape::build(&d);
        (d, l)
    }

    fn named<'a>(areas: &'a [Area], name: &str) -> &'a Area {
        areas
            .iter()
            .find(|a| a.name == name)
            .unwrap_or_else(|| panic!("no {name}"))
    }

    #[test]
    fn the_real_rivers_lakes_and_parks_are_there_inside_the_district() {
        let (d, l) = futian();
        for name in ["深圳河", "福田河", "新洲河", "皇岗河", "香蜜湖"] {
            named(&l.water, name);
        }
        for name in ["莲花山公园", "笔架山公园", "中心公园"] {
            named(&l.parks, name);
        }
        for a in l.water.iter().chain(&l.parks) {
            for p in &a.deg.0 {
                for c in p.exterior().coords() {
                    let (x, y) = d.frame.deg_to_m(c.x, c.y);
                    // On or inside the outline (clipped to it), to rounding.
                    assert!(
                        d.contains_m(x, y) || d.clearance_m((x, y), (x, y)) < 0.05,
                        "{} has a vertex outside the district: {c:?}",
                        a.name
                    );
                }
            }
        }
    }

    #[test]
    fn the_border_river_runs_along_the_southern_edge() {
        let (d, l) = futian();
        let river = named(&l.water, "深圳河");
        let b = river.deg.bounding_rect().unwrap();
        let district = d.deg.bounding_rect().unwrap();
        assert!(
            b.min().y - district.min().y < 0.002,
            "{b:?} vs {district:?}"
        );
        assert!(b.width() > 0.03, "it spans much of the border: {b:?}");
        // Just north of the border, in the middle of the river's run, is water.
        let mid = (b.min().x + b.max().x) / 2.0;
        let (x, _) = d.frame.deg_to_m(mid, 0.0);
        let y = d.spans(Axis::Vertical, x)[0].0;
        let wet = d.frame.m_to_deg(x, y + 15.0);
        assert!(river.deg.contains(&Point(wet)), "{wet:?}");
    }

    #[test]
    fn roads_are_barred_across_a_lake_but_not_elsewhere() {
        let (d, l) = futian();
        let lake = named(&l.water, "香蜜湖").deg.bounding_rect().unwrap();
        let (_, y) = d.frame.deg_to_m(0.0, (lake.min().y + lake.max().y) / 2.0);
        let barred = l.barred(Axis::Horizontal, y, 8.0);
        let (x0, _) = d.frame.deg_to_m(lake.min().x, 0.0);
        let (x1, _) = d.frame.deg_to_m(lake.max().x, 0.0);
        assert!(
            barred.iter().any(|&(a, b)| a <= x0 && b >= x1),
            "{barred:?}"
        );
        // Parks and the inner rivers are no barrier: a line across the north crosses both.
        let (_, far) = d.frame.deg_to_m(0.0, 22.5700);
        assert_eq!(
            l.barred(Axis::Horizontal, far, 8.0),
            Vec::<(f64, f64)>::new()
        );
    }

    #[test]
    fn the_civic_center_is_a_landmark() {
        let (_, l) = futian();
        let civic = l.landmarks.iter().find(|m| m.name == "市民中心").unwrap();
        assert!((civic.at.x - 114.0553).abs() < 1e-6 && (civic.at.y - 22.5405).abs() < 1e-6);
    }
}
