//! One feature's geometry in one tile: projected into tile units, clipped to the buffered
//! tile, snapped to the integer grid MVT stores, simplified to what a tile unit can show,
//! and oriented as MVT wants (exterior rings with positive area, y pointing down).

use geo::{
    Coord, Geometry, LineString, MultiLineString, MultiPolygon, Orient, Point, Polygon, Simplify,
};

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
#[derive(Debug, Clone, Copy)]
pub(crate) struct TileGeometry {
    frame: TileFrame,
    square: ClipSquare,
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
        }
    }

    /// The geometry in tile units with integer coordinates, or `None` when nothing of it is
    /// left in this tile (outside, or too small to see).
    pub(crate) fn convert(&self, g: &Geometry<f64>) -> Option<Geometry<f64>> {
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

    fn line(&self, l: &LineString<f64>) -> Option<Geometry<f64>> {
        let projected: Vec<Coord<f64>> = l.coords().map(|c| self.frame.project(*c)).collect();
        let parts = if projected.iter().all(|c| self.square.contains(*c)) {
            vec![projected]
        } else {
            self.square.line(&projected)
        };
        let parts = parts
            .into_iter()
            .map(|part| LineString(snapped(&part)).simplify(&TOLERANCE))
            .filter(|l| l.0.len() >= 2)
            .collect();
        lines(parts)
    }

    fn polygon(&self, p: &Polygon<f64>) -> Option<Polygon<f64>> {
        let exterior = self.ring(p.exterior())?;
        let interiors = p.interiors().iter().filter_map(|r| self.ring(r)).collect();
        Some(Polygon::new(exterior, interiors).orient(geo::orient::Direction::Default))
    }

    fn ring(&self, ring: &LineString<f64>) -> Option<LineString<f64>> {
        let projected: Vec<Coord<f64>> = ring.coords().map(|c| self.frame.project(*c)).collect();
        if area(&projected) < MIN_AREA {
            return None;
        }
        let clipped = if projected.iter().all(|c| self.square.contains(*c)) {
            projected
        } else {
            self.square.ring(&projected)
        };
        let ring = LineString(snapped(&clipped)).simplify(&TOLERANCE);
        // A ring needs three corners and its closing point, and some area once snapped.
        (ring.0.len() >= 4 && area(&ring.0) > 0.0).then_some(ring)
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

/// The unsigned area of a ring (shoelace formula).
fn area(ring: &[Coord<f64>]) -> f64 {
    let twice: f64 = ring
        .windows(2)
        .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
        .sum();
    twice.abs() / 2.0
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
        let t = tile();
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
