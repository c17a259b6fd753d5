//! Coordinates: integer units of 1e-7 degree for everything that is written out, and a
//! local planar frame in metres for everything that is laid out.
//!
//! Every coordinate the generator writes is rounded to 7 decimal places (about 1 cm), so
//! it keeps points as integers in those units until the very end. That makes the tests
//! the outside world will run exact: a point's grid cell is decided on the very numbers
//! that are stored, and cell boundaries are themselves whole units, so "which cell is
//! this point in" has one answer and no floating-point edge cases.

use geo::{Coord, Point};

/// Units per degree: coordinates are written with 7 decimals.
pub(crate) const UNITS: f64 = 1e7;

/// A WGS84 position in units of 1e-7 degree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Pt {
    pub x: i64,
    pub y: i64,
}

impl Pt {
    pub fn lon(self) -> f64 {
        self.x as f64 / UNITS
    }
    pub fn lat(self) -> f64 {
        self.y as f64 / UNITS
    }
    pub fn coord(self) -> Coord<f64> {
        Coord {
            x: self.lon(),
            y: self.lat(),
        }
    }
    pub fn point(self) -> Point<f64> {
        Point(self.coord())
    }
}

/// Degrees to whole units.
pub(crate) fn units(deg: f64) -> i64 {
    (deg * UNITS).round() as i64
}

/// Rounds a coordinate in degrees to 7 decimals.
pub(crate) fn round_deg(deg: f64) -> f64 {
    units(deg) as f64 / UNITS
}

/// A local frame in metres (x east, y north) that is linear in longitude and latitude.
///
/// Across the 12 km of the district the scale of this map drifts by less than 0.1%,
/// far below what placement needs; lengths that are reported (pipes, areas) are measured
/// geodesically on the final coordinates instead.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    pub origin: Pt,
    /// Metres per unit of longitude and of latitude, at the reference latitude.
    pub mx: f64,
    pub my: f64,
}

impl Frame {
    pub fn new(origin: Pt, lat_ref: f64) -> Frame {
        // WGS84 radii of curvature: prime vertical (east-west) and meridional (north-south).
        let a = 6_378_137.0_f64;
        let f = 1.0 / 298.257_223_563;
        let e2 = f * (2.0 - f);
        let phi = lat_ref.to_radians();
        let w = 1.0 - e2 * phi.sin().powi(2);
        let n = a / w.sqrt();
        let m = a * (1.0 - e2) / w.powf(1.5);
        let per_deg = std::f64::consts::PI / 180.0 / UNITS;
        Frame {
            origin,
            mx: n * phi.cos() * per_deg,
            my: m * per_deg,
        }
    }

    pub fn to_m(self, p: Pt) -> (f64, f64) {
        (
            (p.x - self.origin.x) as f64 * self.mx,
            (p.y - self.origin.y) as f64 * self.my,
        )
    }

    pub fn deg_to_m(self, lon: f64, lat: f64) -> (f64, f64) {
        (
            (lon * UNITS - self.origin.x as f64) * self.mx,
            (lat * UNITS - self.origin.y as f64) * self.my,
        )
    }

    /// The position of a point in the frame, rounded to whole units.
    pub fn to_pt(self, x: f64, y: f64) -> Pt {
        Pt {
            x: self.origin.x + (x / self.mx).round() as i64,
            y: self.origin.y + (y / self.my).round() as i64,
        }
    }

    /// Metres to degrees, unrounded (for geometry that is rounded later as a whole).
    pub fn m_to_deg(self, x: f64, y: f64) -> Coord<f64> {
        Coord {
            x: (self.origin.x as f64 + x / self.mx) / UNITS,
            y: (self.origin.y as f64 + y / self.my) / UNITS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_is_about_a_centimetre_and_round_trips() {
        let f = Frame::new(
            Pt {
                x: 1_139_800_000,
                y: 224_900_000,
            },
            22.54,
        );
        assert!((f.mx - 0.010_29).abs() < 0.000_1, "{}", f.mx);
        assert!((f.my - 0.011_07).abs() < 0.000_1, "{}", f.my);
        let p = f.to_pt(1234.5, 6789.0);
        let (x, y) = f.to_m(p);
        assert!((x - 1234.5).abs() < 0.006 && (y - 6789.0).abs() < 0.006);
        assert_eq!(units(round_deg(114.055_312_34)), 1_140_553_123);
        assert_eq!(round_deg(114.055_312_34), 114.055_312_3);
    }
}
