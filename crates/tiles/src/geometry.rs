//! One feature's geometry in one tile: projected into tile units, clipped to the buffered
//! tile, snapped to the integer grid MVT stores, simplified to what a tile unit can show,
//! and oriented as MVT wants (exterior rings with positive area, y pointing down).

use geo::{Coord, Geometry, LineString, MultiLineString, MultiPolygon, Point, Polygon, Simplify};

use crate::{
    clip::ClipSquare,
    coord::{TileFrame, BUFFER, EXTENT},
};

/// Polygons (and holes) smaller than this many square tile units are dropped: at this
/// zoom they would be a speck under one pixel.
const MIN_AREA: f64 = 1.0;

/// Douglas–Peucker tolerance in tile units: detail finer than one unit is invisible.
const TOLERANCE: f64 = 1.0;

/// Turns WGS84 geometries into tile geometries for one tile.
///
/// A dense tile converts thousands of features, so the steps work in a reused buffer and
/// in place: a ring or line costs one allocation, the one its result lives in.
#[derive(Debug, Clone)]
pub(crate) struct TileGeometry {
    frame: TileFrame,
    square: ClipSquare,
    /// Projected coordinates of the ring or line at hand.
    scratch: Vec<Coord<f64>>,
}

impl TileGeometry {
    pub(crate) fn new(frame: TileFrame) -> TileGeometry {
        let b = f64::from(BUFFER);
        TileGeometry {
            frame,
            square: ClipSquare {
                lo: -b,
                hi: f64::from(EXTENT) + b,
            },
            scratch: Vec::new(),
        }
    }

    /// The geometry in tile units with integer coordinates, or `None` when nothing of it is
    /// left in this tile (outside, or too small to see).
    pub(crate) fn convert(&mut self, g: &Geometry<f64>) -> Option<Geometry<f64>> {
        match g {
            Geometry::Point(p) => self.point(*p).map(Geometry::Point),
            Geometry::LineString(l) => self.line(l),
            Geometry::MultiLineString(ml) => {
                let parts: Vec<LineString<f64>> = ml
                    .iter()
                    .filter_map(|l| self.line(l))
                    .flat_map(|g| match g {
                        Geometry::LineString(l) => vec![l],
                        Geometry::MultiLineString(ml) => ml.0,
                        _ => vec![],
                    })
                    .collect();
                lines(parts)
            }
            Geometry::Polygon(p) => self.polygon(p).map(Geometry::Polygon),
            Geometry::MultiPolygon(mp) => {
                let parts: Vec<Polygon<f64>> = mp.iter().filter_map(|p| self.polygon(p)).collect();
                match parts.len() {
                    0 => None,
                    1 => parts.into_iter().next().map(Geometry::Polygon),
                    _ => Some(Geometry::MultiPolygon(MultiPolygon(parts))),
                }
            }
            // The twin's layers hold only the kinds above (see `GeomKind`).
            _ => None,
        }
    }

    fn point(&self, p: Point<f64>) -> Option<Point<f64>> {
        let c = self.frame.project(p.0);
        self.square.contains(c).then(|| Point(snap(c)))
    }

    /// Projects `coords` into the scratch buffer; whether all of them lie in the square.
    fn project(&mut self, coords: &LineString<f64>) -> bool {
        let (frame, square) = (self.frame, self.square);
        self.scratch.clear();
        let mut inside = true;
        self.scratch.extend(coords.coords().map(|c| {
            let p = frame.project(*c);
            inside &= square.contains(p);
            p
        }));
        inside
    }

    fn line(&mut self, l: &LineString<f64>) -> Option<Geometry<f64>> {
        let parts: Vec<LineString<f64>> = if self.project(l) {
            vec![simplified(snapped(&self.scratch))]
        } else {
            self.square
                .line(&self.scratch)
                .iter()
                .map(|part| simplified(snapped(part)))
                .collect()
        };
        lines(parts.into_iter().filter(|l| l.0.len() >= 2).collect())
    }

    fn polygon(&mut self, p: &Polygon<f64>) -> Option<Polygon<f64>> {
        let exterior = self.ring(p.exterior(), true)?;
        let interiors = p
            .interiors()
            .iter()
            .filter_map(|r| self.ring(r, false))
            .collect();
        Some(Polygon::new(exterior, interiors))
    }

    /// A ring in tile units, wound as MVT asks: an exterior with positive area (with y
    /// down, what geo calls counter-clockwise), a hole with negative.
    fn ring(&mut self, ring: &LineString<f64>, exterior: bool) -> Option<LineString<f64>> {
        let inside = self.project(ring);
        if signed_area(&self.scratch).abs() < MIN_AREA {
            return None;
        }
        let mut ring = if inside {
            simplified(snapped(&self.scratch))
        } else {
            simplified(snapped(&self.square.ring(&self.scratch)))
        };
        // A ring needs three corners and its closing point, and some area once snapped.
        let area = signed_area(&ring.0);
        if ring.0.len() < 4 || area == 0.0 {
            return None;
        }
        if (area > 0.0) != exterior {
            ring.0.reverse();
        }
        Some(ring)
    }
}

fn lines(mut parts: Vec<LineString<f64>>) -> Option<Geometry<f64>> {
    match parts.len() {
        0 => None,
        1 => parts.pop().map(Geometry::LineString),
        _ => Some(Geometry::MultiLineString(MultiLineString(parts))),
    }
}

fn snap(c: Coord<f64>) -> Coord<f64> {
    Coord {
        x: c.x.round(),
        y: c.y.round(),
    }
}

/// Snaps to the integer grid and drops the repeated points that snapping makes.
fn snapped(coords: &[Coord<f64>]) -> Vec<Coord<f64>> {
    let mut out: Vec<Coord<f64>> = Vec::with_capacity(coords.len());
    for c in coords.iter().map(|c| snap(*c)) {
        if out.last() != Some(&c) {
            out.push(c);
        }
    }
    out
}

/// Douglas–Peucker by [`TOLERANCE`]. A segment (most pipes) or a triangle has nothing
/// to lose, and is kept without the copy that simplifying makes.
fn simplified(coords: Vec<Coord<f64>>) -> LineString<f64> {
    let line = LineString(coords);
    if line.0.len() <= 4 {
        line
    } else {
        line.simplify(&TOLERANCE)
    }
}

/// The signed area of a closed ring (shoelace formula): positive when counter-clockwise
/// in x-right, y-up terms.
fn signed_area(ring: &[Coord<f64>]) -> f64 {
    let twice: f64 = ring
        .windows(2)
        .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
        .sum();
    twice / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TileCoord;
    use geo::{coord, polygon, Area, BoundingRect};

    fn tile() -> TileGeometry {
        TileGeometry::new(TileFrame::new(TileCoord::containing(15, 114.0553, 22.5405)))
    }

    fn building(lon: f64, lat: f64, size_deg: f64) -> Geometry<f64> {
        polygon![
            (x: lon, y: lat),
            (x: lon + size_deg, y: lat),
            (x: lon + size_deg, y: lat + size_deg),
            (x: lon, y: lat + size_deg),
        ]
        .into()
    }

    #[test]
    fn a_building_becomes_an_integer_ring_with_positive_area_in_tile_units() {
        let Some(Geometry::Polygon(p)) = tile().convert(&building(114.0553, 22.5405, 0.0002))
        else {
            panic!("the building is in the tile");
        };
        assert!(p
            .exterior()
            .coords()
            .all(|c| c.x.fract() == 0.0 && c.y.fract() == 0.0));
        // y points down in tile units, so "positive area" (MVT's exterior) is geo's
        // counter-clockwise.
        assert!(p.signed_area() > 0.0);
        let r = p.bounding_rect().unwrap();
        assert!(r.min().x >= 0.0 && r.max().x <= 4096.0 && r.min().y >= 0.0 && r.max().y <= 4096.0);
    }

    #[test]
    fn holes_wind_against_their_exterior_whichever_way_they_came_in() {
        let (x, y) = (114.0553, 22.5405);
        let ring = |pts: &[(f64, f64)]| LineString::from(pts.to_vec());
        // Both rings clockwise on the map. With y pointing down that is how MVT winds an
        // exterior, so the exterior stays and the hole must be turned.
        let square = ring(&[
            (x, y),
            (x, y + 0.001),
            (x + 0.001, y + 0.001),
            (x + 0.001, y),
            (x, y),
        ]);
        let (a, b) = (0.0003, 0.0007);
        let hole = ring(&[
            (x + a, y + a),
            (x + a, y + b),
            (x + b, y + b),
            (x + b, y + a),
            (x + a, y + a),
        ]);
        let p: Geometry<f64> = Polygon::new(square, vec![hole]).into();
        let Some(Geometry::Polygon(p)) = tile().convert(&p) else {
            panic!("the polygon is in the tile");
        };
        assert!(signed_area(&p.exterior().0) > 0.0);
        assert_eq!(p.interiors().len(), 1);
        assert!(signed_area(&p.interiors()[0].0) < 0.0);
        assert!(
            p.signed_area() > 0.0,
            "geo agrees: the hole is cut out of the area"
        );
    }

    #[test]
    fn a_polygon_larger_than_the_tile_is_cut_at_the_buffer() {
        let Some(Geometry::Polygon(p)) = tile().convert(&building(113.9, 22.4, 0.5)) else {
            panic!("the polygon covers the tile");
        };
        let r = p.bounding_rect().unwrap();
        assert_eq!(
            (r.min(), r.max()),
            (coord! {x: -64.0, y: -64.0}, coord! {x: 4160.0, y: 4160.0})
        );
    }

    #[test]
    fn specks_and_far_away_things_are_dropped() {
        let mut t = tile();
        assert!(t
            .convert(&building(114.0553, 22.5405, 0.000_000_1))
            .is_none());
        assert!(t.convert(&building(114.2, 22.7, 0.001)).is_none());
        assert!(t.convert(&Point::new(114.2, 22.7).into()).is_none());
    }

    #[test]
    fn a_line_crossing_the_tile_keeps_only_its_part_inside_the_buffer() {
        let line: Geometry<f64> = LineString::from(vec![(113.9, 22.5405), (114.3, 22.5405)]).into();
        let Some(Geometry::LineString(l)) = tile().convert(&line) else {
            panic!("the line crosses the tile");
        };
        assert_eq!(l.0.len(), 2, "a straight line simplifies to its ends");
        assert_eq!((l.0[0].x, l.0[1].x), (-64.0, 4160.0));
    }
}
