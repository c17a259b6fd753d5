//! Tile addresses (z/x/y, the XYZ scheme of Web Mercator) and the projection of WGS84
//! coordinates into one tile's coordinate space.

use std::{f64::consts::PI, fmt};

use geo::{Coord, Rect};

use crate::TileError;

/// The deepest zoom a tile may be asked for. No layer is drawn below 16 (clients
/// overzoom), but a deeper request is a valid, empty tile, not an error.
pub const MAX_ZOOM: u8 = 24;

/// The size of a tile in tile units (the MVT `extent`).
pub const EXTENT: u32 = 4096;

/// How far past its edges a tile carries geometry, in tile units: outlines and lines that
/// cross an edge are drawn into the neighbour's margin, so tiles meet without seams.
pub const BUFFER: u32 = 64;

/// Web Mercator stops short of the poles.
const MAX_LATITUDE: f64 = 85.051_128_779_806_59;

/// One tile, valid by construction: `z <= MAX_ZOOM` and `x, y < 2^z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileCoord {
    z: u8,
    x: u32,
    y: u32,
}

impl TileCoord {
    pub fn new(z: u32, x: u32, y: u32) -> Result<TileCoord, TileError> {
        if z > u32::from(MAX_ZOOM) {
            return Err(TileError::ZoomOutOfRange { z });
        }
        let n = 1u64 << z;
        if u64::from(x) >= n || u64::from(y) >= n {
            return Err(TileError::OutsideGrid { z, x, y });
        }
        Ok(TileCoord { z: z as u8, x, y })
    }

    /// The tile at zoom `z` that contains a WGS84 point.
    pub fn containing(z: u8, lon: f64, lat: f64) -> TileCoord {
        let z = z.min(MAX_ZOOM);
        let n = f64::from(1u32 << z);
        let last = (1u32 << z) - 1;
        let cell = |f: f64| ((f * n).floor().max(0.0) as u32).min(last);
        TileCoord {
            z,
            x: cell(mercator_x(lon)),
            y: cell(mercator_y(lat)),
        }
    }

    pub fn z(self) -> u8 {
        self.z
    }

    pub fn x(self) -> u32 {
        self.x
    }

    pub fn y(self) -> u32 {
        self.y
    }

    /// The tile's WGS84 bounds grown by `buffer` tile units on every side.
    pub fn bounds(self, buffer: u32) -> Rect<f64> {
        let n = f64::from(1u32 << self.z);
        let b = f64::from(buffer) / f64::from(EXTENT);
        let (x, y) = (f64::from(self.x), f64::from(self.y));
        let lon = |fx: f64| (fx / n) * 360.0 - 180.0;
        let lat = |fy: f64| (PI * (1.0 - 2.0 * fy / n)).sinh().atan().to_degrees();
        Rect::new(
            (lon(x - b).max(-180.0), lat(y + 1.0 + b)),
            (lon(x + 1.0 + b).min(180.0), lat(y - b)),
        )
    }
}

impl fmt::Display for TileCoord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.z, self.x, self.y)
    }
}

/// Longitude as a fraction of the world's width, from the antimeridian eastwards.
fn mercator_x(lon: f64) -> f64 {
    (lon + 180.0) / 360.0
}

/// Latitude as a fraction of the (square) Web Mercator world, from the top.
fn mercator_y(lat: f64) -> f64 {
    let phi = lat.clamp(-MAX_LATITUDE, MAX_LATITUDE).to_radians();
    0.5 - (PI / 4.0 + phi / 2.0).tan().ln() / (2.0 * PI)
}

/// Projects WGS84 into one tile's coordinate space: x right and y down, `0..EXTENT`
/// across the tile (negative or beyond in the buffer).
#[derive(Debug, Clone, Copy)]
pub(crate) struct TileFrame {
    scale: f64,
    left: f64,
    top: f64,
}

impl TileFrame {
    pub(crate) fn new(at: TileCoord) -> TileFrame {
        let extent = f64::from(EXTENT);
        TileFrame {
            scale: f64::from(1u32 << at.z) * extent,
            left: f64::from(at.x) * extent,
            top: f64::from(at.y) * extent,
        }
    }

    pub(crate) fn project(&self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: mercator_x(c.x) * self.scale - self.left,
            y: mercator_y(c.y) * self.scale - self.top,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_must_lie_on_the_zoom_level_grid() {
        assert!(TileCoord::new(0, 0, 0).is_ok());
        assert!(TileCoord::new(15, 32767, 32767).is_ok());
        assert!(matches!(
            TileCoord::new(15, 32768, 0),
            Err(TileError::OutsideGrid { .. })
        ));
        assert!(matches!(
            TileCoord::new(2, 0, 4),
            Err(TileError::OutsideGrid { .. })
        ));
        assert!(matches!(
            TileCoord::new(25, 0, 0),
            Err(TileError::ZoomOutOfRange { z: 25 })
        ));
        assert!(TileCoord::new(24, (1 << 24) - 1, 0).is_ok());
    }

    #[test]
    fn a_point_projects_inside_the_tile_that_contains_it() {
        let (lon, lat) = (114.0553, 22.5405);
        let at = TileCoord::containing(15, lon, lat);
        assert_eq!((at.x(), at.y()), (26765, 14277));
        let p = TileFrame::new(at).project(Coord { x: lon, y: lat });
        assert!(
            (0.0..4096.0).contains(&p.x) && (0.0..4096.0).contains(&p.y),
            "{p:?}"
        );
        let b = at.bounds(0);
        assert!(b.min().x <= lon && lon < b.max().x && b.min().y < lat && lat <= b.max().y);
    }

    #[test]
    fn the_buffer_grows_the_bounds_by_a_sixty_fourth_of_a_tile() {
        let at = TileCoord::new(15, 26765, 14277).unwrap();
        let (inner, outer) = (at.bounds(0), at.bounds(BUFFER));
        let frame = TileFrame::new(at);
        let nw = frame.project(Coord {
            x: outer.min().x,
            y: outer.max().y,
        });
        assert!(
            (nw.x + 64.0).abs() < 1e-6 && (nw.y + 64.0).abs() < 1e-6,
            "{nw:?}"
        );
        assert!(outer.width() > inner.width());
        assert_eq!(
            TileCoord::new(0, 0, 0).unwrap().bounds(BUFFER).min().x,
            -180.0
        );
    }
}
