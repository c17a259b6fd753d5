//! The district outline: read from a GeoJSON file in GCJ-02 (as Chinese boundaries are
//! published) or taken from a coarse built-in copy, converted to WGS84, rounded to the
//! precision everything is written with, and indexed for the scanline questions that road
//! and lot layout ask ("where along this line is the district?").

use citymirror_core::datum::gcj02_to_wgs84;
use geo::{
    orient::{Direction, Orient},
    BoundingRect, Coord, GeodesicArea, LineString, MultiPolygon, Polygon,
};
use serde_json::Value as Json;

use crate::{
    frame::{round_deg, units, Frame, Pt},
    SimError,
};

/// Where the district outline comes from.
#[derive(Debug, Clone)]
pub enum Outline {
    /// The contents of a GeoJSON file in GCJ-02: a bare Polygon or MultiPolygon geometry,
    /// a Feature, or a FeatureCollection (every polygon in it is part of the district).
    GeoJsonGcj02(String),
    /// A coarse 20-vertex outline of Futian built into the crate (WGS84), for when the
    /// real outline file is not at hand.
    Builtin,
}

/// A simplification (to about 300 m) of Futian's published outline, already in WGS84.
/// Good enough to lay a plausible district on; the real file gives the true shape.
const BUILTIN_WGS84: [(f64, f64); 20] = [
    (114.0612, 22.5884),
    (114.0740, 22.5712),
    (114.0829, 22.5723),
    (114.0874, 22.5670),
    (114.0994, 22.5706),
    (114.1001, 22.5343),
    (114.0915, 22.5372),
    (114.0795, 22.5307),
    (114.0852, 22.5237),
    (114.0825, 22.5186),
    (114.0640, 22.5165),
    (114.0520, 22.5024),
    (114.0258, 22.5071),
    (114.0190, 22.5126),
    (113.9858, 22.5135),
    (113.9856, 22.5234),
    (113.9929, 22.5353),
    (113.9926, 22.5578),
    (114.0005, 22.5592),
    (114.0006, 22.5786),
];

/// The district as the generator uses it.
#[derive(Debug, Clone)]
pub(crate) struct District {
    /// The outline in WGS84, every vertex rounded to 7 decimals: the district feature itself.
    pub deg: MultiPolygon<f64>,
    /// Every ring (exteriors and holes) in the metric frame, closed.
    pub rings_m: Vec<Vec<(f64, f64)>>,
    pub frame: Frame,
    /// Extent of the outline from the frame origin, in metres.
    pub width_m: f64,
    pub height_m: f64,
    pub area_m2: f64,
}

/// Which way a scanline runs: `Horizontal` lines have constant y (east-west roads).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Axis {
    Horizontal,
    Vertical,
}

impl District {
    pub fn load(outline: &Outline) -> Result<District, SimError> {
        let polygons = match outline {
            Outline::Builtin => vec![Polygon::new(
                LineString::from(BUILTIN_WGS84.to_vec()),
                vec![],
            )],
            Outline::GeoJsonGcj02(text) => {
                let json: Json = serde_json::from_str(text)
                    .map_err(|e| SimError::Outline(format!("not JSON: {e}")))?;
                let mut out = Vec::new();
                collect_polygons(&json, &mut out)?;
                out
            }
        };
        District::from_wgs84(MultiPolygon::new(polygons))
    }

    fn from_wgs84(mp: MultiPolygon<f64>) -> Result<District, SimError> {
        let deg = round_multipolygon(&mp);
        if deg.0.is_empty() {
            return Err(SimError::Outline("it holds no polygon with an area".into()));
        }
        let bbox = deg
            .bounding_rect()
            .ok_or_else(|| SimError::Outline("empty outline".into()))?;
        // A lattice origin on a round 0.001° a little (20–130 m) south-west of the outline.
        let origin = Pt {
            x: (units(bbox.min().x) - 2_000).div_euclid(10_000) * 10_000,
            y: (units(bbox.min().y) - 2_000).div_euclid(10_000) * 10_000,
        };
        let frame = Frame::new(origin, (bbox.min().y + bbox.max().y) / 2.0);
        let (w, h) = frame.deg_to_m(bbox.max().x, bbox.max().y);
        let rings_m = deg
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .map(|r| r.coords().map(|c| frame.deg_to_m(c.x, c.y)).collect())
            .collect();
        let area_m2 = deg.geodesic_area_unsigned();
        if !(1e4..1e10).contains(&area_m2) {
            return Err(SimError::Outline(format!(
                "its area is {:.3} km², which is not a district",
                area_m2 / 1e6
            )));
        }
        Ok(District {
            deg,
            rings_m,
            frame,
            width_m: w,
            height_m: h,
            area_m2,
        })
    }

    /// Where a scanline at `c` crosses the outline, sorted along the line.
    fn crossings(&self, axis: Axis, c: f64) -> Vec<f64> {
        let mut xs = Vec::new();
        for ring in &self.rings_m {
            for w in ring.windows(2) {
                let (a, b) = match axis {
                    Axis::Horizontal => (w[0], w[1]),
                    Axis::Vertical => ((w[0].1, w[0].0), (w[1].1, w[1].0)),
                };
                if (a.1 <= c) != (b.1 <= c) {
                    xs.push(a.0 + (c - a.1) * (b.0 - a.0) / (b.1 - a.1));
                }
            }
        }
        xs.sort_by(f64::total_cmp);
        xs
    }

    /// The stretches of the scanline at `c` that lie inside the district.
    pub fn spans(&self, axis: Axis, c: f64) -> Vec<(f64, f64)> {
        self.crossings(axis, c)
            .chunks_exact(2)
            .map(|p| (p[0], p[1]))
            .collect()
    }

    /// The stretches of the scanline at `c` that keep about `margin` metres from the
    /// outline on every side, at least `min_len` long. Roads use this so that nothing laid
    /// along them (pipes, kerbside components) strays across the boundary.
    pub fn clear_spans(&self, axis: Axis, c: f64, margin: f64, min_len: f64) -> Vec<(f64, f64)> {
        let mut spans = self.spans(axis, c);
        for side in [c - margin, c + margin] {
            spans = intersect_spans(&spans, &self.spans(axis, side));
        }
        // Vertices inside the band poke towards the line without crossing it.
        for ring in &self.rings_m {
            for &(x, y) in ring {
                let (along, across) = match axis {
                    Axis::Horizontal => (x, y),
                    Axis::Vertical => (y, x),
                };
                if (across - c).abs() < margin {
                    spans = subtract_span(&spans, (along - margin, along + margin));
                }
            }
        }
        spans
            .into_iter()
            .map(|(a, b)| (a + margin, b - margin))
            .filter(|(a, b)| b - a >= min_len)
            .collect()
    }

    /// Even-odd point-in-outline test in the metric frame.
    pub fn contains_m(&self, x: f64, y: f64) -> bool {
        let xs = self.crossings(Axis::Horizontal, y);
        xs.iter().filter(|&&cx| cx < x).count() % 2 == 1
    }

    /// The shortest distance from the segment `a`–`b` to the outline, in metres.
    pub fn clearance_m(&self, a: (f64, f64), b: (f64, f64)) -> f64 {
        let mut best = f64::INFINITY;
        for ring in &self.rings_m {
            for w in ring.windows(2) {
                best = best.min(segment_distance(a, b, w[0], w[1]));
            }
        }
        best
    }
}

fn intersect_spans(a: &[(f64, f64)], b: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    for &(a0, a1) in a {
        for &(b0, b1) in b {
            let (lo, hi) = (a0.max(b0), a1.min(b1));
            if lo < hi {
                out.push((lo, hi));
            }
        }
    }
    out
}

pub(crate) fn subtract_span(spans: &[(f64, f64)], (c0, c1): (f64, f64)) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    for &(a, b) in spans {
        if c1 <= a || c0 >= b {
            out.push((a, b));
            continue;
        }
        if a < c0 {
            out.push((a, c0));
        }
        if c1 < b {
            out.push((c1, b));
        }
    }
    out
}

fn point_segment_distance(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    };
    let (qx, qy) = (a.0 + t * dx, a.1 + t * dy);
    ((p.0 - qx).powi(2) + (p.1 - qy).powi(2)).sqrt()
}

fn segments_cross(a: (f64, f64), b: (f64, f64), c: (f64, f64), d: (f64, f64)) -> bool {
    let orient = |p: (f64, f64), q: (f64, f64), r: (f64, f64)| {
        (q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0)
    };
    let (d1, d2) = (orient(a, b, c), orient(a, b, d));
    let (d3, d4) = (orient(c, d, a), orient(c, d, b));
    (d1 > 0.0) != (d2 > 0.0) && (d3 > 0.0) != (d4 > 0.0)
}

pub(crate) fn segment_distance(a: (f64, f64), b: (f64, f64), c: (f64, f64), d: (f64, f64)) -> f64 {
    if segments_cross(a, b, c, d) {
        return 0.0;
    }
    point_segment_distance(a, c, d)
        .min(point_segment_distance(b, c, d))
        .min(point_segment_distance(c, a, b))
        .min(point_segment_distance(d, a, b))
}

fn collect_polygons(json: &Json, out: &mut Vec<Polygon<f64>>) -> Result<(), SimError> {
    let bad = |why: &str| SimError::Outline(why.to_owned());
    match json.get("type").and_then(Json::as_str) {
        Some("FeatureCollection") => {
            for f in json
                .get("features")
                .and_then(Json::as_array)
                .ok_or_else(|| bad("a FeatureCollection without `features`"))?
            {
                collect_polygons(f, out)?;
            }
        }
        Some("Feature") => collect_polygons(
            json.get("geometry")
                .ok_or_else(|| bad("a Feature without `geometry`"))?,
            out,
        )?,
        Some("GeometryCollection") => {
            for g in json
                .get("geometries")
                .and_then(Json::as_array)
                .ok_or_else(|| bad("a GeometryCollection without `geometries`"))?
            {
                collect_polygons(g, out)?;
            }
        }
        Some("Polygon") => out.push(polygon(coords(json)?)?),
        Some("MultiPolygon") => {
            for p in coords(json)?
                .as_array()
                .ok_or_else(|| bad("MultiPolygon coordinates are not an array"))?
            {
                out.push(polygon(p)?);
            }
        }
        Some(other) => {
            return Err(SimError::Outline(format!(
                "expected polygons, found a {other}"
            )))
        }
        None => return Err(bad("a GeoJSON object without `type`")),
    }
    Ok(())
}

fn coords(json: &Json) -> Result<&Json, SimError> {
    json.get("coordinates")
        .ok_or_else(|| SimError::Outline("a geometry without `coordinates`".into()))
}

/// A GeoJSON polygon's rings, converted from GCJ-02 to WGS84 vertex by vertex.
fn polygon(rings: &Json) -> Result<Polygon<f64>, SimError> {
    let bad = || SimError::Outline("polygon coordinates are not [[[lon, lat], …], …]".into());
    let mut out = Vec::new();
    for ring in rings.as_array().ok_or_else(bad)? {
        let mut coords = Vec::new();
        for c in ring.as_array().ok_or_else(bad)? {
            let pos = c.as_array().ok_or_else(bad)?;
            let (Some(lon), Some(lat)) = (
                pos.first().and_then(Json::as_f64),
                pos.get(1).and_then(Json::as_f64),
            ) else {
                return Err(bad());
            };
            let (x, y) = gcj02_to_wgs84(lon, lat);
            coords.push(Coord { x, y });
        }
        out.push(LineString::new(coords));
    }
    if out.is_empty() {
        return Err(bad());
    }
    let exterior = out.remove(0);
    Ok(Polygon::new(exterior, out))
}

/// Rounds every vertex to 7 decimals and drops what rounding collapses: repeated
/// vertices, and rings or polygons left without an area.
pub(crate) fn round_multipolygon(mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    let ring = |ls: &LineString<f64>| -> Option<LineString<f64>> {
        let mut cs: Vec<Coord<f64>> = Vec::with_capacity(ls.0.len());
        for c in ls.coords() {
            let r = Coord {
                x: round_deg(c.x),
                y: round_deg(c.y),
            };
            if cs.last() != Some(&r) {
                cs.push(r);
            }
        }
        if cs.len() > 1 && cs.first() == cs.last() {
            cs.pop();
        }
        if cs.len() < 3 {
            return None;
        }
        let mut ls = LineString::new(cs);
        ls.close();
        use geo::Area;
        (Polygon::new(ls.clone(), vec![]).unsigned_area() > 0.0).then_some(ls)
    };
    // Exteriors counter-clockwise and holes clockwise, as GeoJSON (RFC 7946) asks and as
    // geodesic area needs (a clockwise ring would measure the rest of the Earth).
    MultiPolygon::new(
        mp.iter()
            .filter_map(|p| {
                let ext = ring(p.exterior())?;
                Some(Polygon::new(
                    ext,
                    p.interiors().iter().filter_map(ring).collect(),
                ))
            })
            .collect(),
    )
    .orient(Direction::Default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_outline_is_futian_sized_and_placed() {
        let d = District::load(&Outline::Builtin).unwrap();
        let km2 = d.area_m2 / 1e6;
        assert!((70.0..85.0).contains(&km2), "{km2}");
        let b = d.deg.bounding_rect().unwrap();
        assert!(b.min().x > 113.98 && b.max().x < 114.11, "{b:?}");
        assert!(b.min().y > 22.49 && b.max().y < 22.60, "{b:?}");
    }

    #[test]
    fn reads_a_feature_collection_in_gcj02() {
        let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},
          "geometry":{"type":"Polygon","coordinates":[[[114.0,22.5],[114.1,22.5],[114.1,22.6],[114.0,22.6],[114.0,22.5]]]}}]}"#;
        let d = District::load(&Outline::GeoJsonGcj02(text.into())).unwrap();
        let c = d.deg.0[0].exterior().0[0];
        // GCJ-02 is shifted north-east of WGS84 in Shenzhen, so WGS84 is south-west of it.
        assert!(
            c.x < 114.0 && c.y > 22.5 - 0.01 && c.y < 22.5 + 0.01,
            "{c:?}"
        );
        assert!(District::load(&Outline::GeoJsonGcj02(
            r#"{"type":"Point","coordinates":[1,2]}"#.into()
        ))
        .is_err());
    }

    #[test]
    fn scanlines_find_the_inside_and_keep_a_margin() {
        let d = District::load(&Outline::Builtin).unwrap();
        let y = d.height_m / 2.0;
        let spans = d.spans(Axis::Horizontal, y);
        assert!(!spans.is_empty());
        let clear = d.clear_spans(Axis::Horizontal, y, 15.0, 10.0);
        for (a, b) in &clear {
            for x in [*a, (a + b) / 2.0, *b] {
                assert!(d.contains_m(x, y));
                assert!(d.clearance_m((x, y), (x, y)) >= 10.0);
            }
        }
    }
}
