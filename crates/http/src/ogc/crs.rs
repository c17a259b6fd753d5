//! Coordinate reference systems (OGC API – Features Part 2). The twin stores CRS84
//! (WGS84 longitude, latitude); responses may be asked for in EPSG:4326 (the same datum
//! with latitude first) or EPSG:3857 (web-mercator metres), and a `bbox` may be given in
//! any of the three.
//!
//! Written here rather than taken from a projection crate: both transforms are a line of
//! arithmetic, and PROJ would bring a C library for them.

use std::f64::consts::PI;

use crate::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crs {
    /// WGS84 longitude, latitude: the storage CRS and the default.
    Crs84,
    /// WGS84 latitude, longitude.
    Epsg4326,
    /// Web mercator x, y in metres.
    Epsg3857,
}

/// Semi-major axis of the spherical web-mercator projection, in metres.
const R: f64 = 6_378_137.0;
/// The largest |x| or |y| web mercator has (the world square).
pub const MERCATOR_MAX: f64 = PI * R;
/// Web mercator's latitude limit, where the world square ends.
const MAX_LAT: f64 = 85.051_128_779_806_59;

impl Crs {
    /// Every CRS we serve, the storage CRS first (as collection documents list them).
    pub const ALL: [Crs; 3] = [Crs::Crs84, Crs::Epsg4326, Crs::Epsg3857];

    pub const fn uri(self) -> &'static str {
        match self {
            Crs::Crs84 => "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
            Crs::Epsg4326 => "http://www.opengis.net/def/crs/EPSG/0/4326",
            Crs::Epsg3857 => "http://www.opengis.net/def/crs/EPSG/0/3857",
        }
    }

    /// Reads a `crs` or `bbox-crs` parameter (`param` names it in the error), or a
    /// `Content-Crs` header, which wraps the URI in angle brackets.
    pub fn parse(param: &str, raw: &str) -> Result<Crs, ApiError> {
        let uri = raw.trim();
        let uri = uri
            .strip_prefix('<')
            .and_then(|u| u.strip_suffix('>'))
            .unwrap_or(uri);
        Crs::ALL
            .into_iter()
            .find(|c| c.uri() == uri)
            .ok_or_else(|| {
                ApiError::InvalidParameter(format!(
                    "{param}=`{raw}` is not supported; use one of {}",
                    Crs::ALL.map(Crs::uri).join(", ")
                ))
            })
    }

    /// The `Content-Crs` header value of a response in this CRS.
    pub const fn header(self) -> &'static str {
        match self {
            Crs::Crs84 => "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>",
            Crs::Epsg4326 => "<http://www.opengis.net/def/crs/EPSG/0/4326>",
            Crs::Epsg3857 => "<http://www.opengis.net/def/crs/EPSG/0/3857>",
        }
    }

    /// A CRS84 (lon, lat) position in this CRS's axis order and units.
    #[inline]
    pub fn project(self, lon: f64, lat: f64) -> (f64, f64) {
        match self {
            Crs::Crs84 => (lon, lat),
            Crs::Epsg4326 => (lat, lon),
            Crs::Epsg3857 => {
                let lat = lat.clamp(-MAX_LAT, MAX_LAT).to_radians();
                (R * lon.to_radians(), R * (PI / 4.0 + lat / 2.0).tan().ln())
            }
        }
    }

    /// A position in this CRS back to CRS84 (lon, lat).
    #[inline]
    pub fn to_crs84(self, a: f64, b: f64) -> (f64, f64) {
        match self {
            Crs::Crs84 => (a, b),
            Crs::Epsg4326 => (b, a),
            Crs::Epsg3857 => (
                (a / R).to_degrees(),
                (2.0 * (b / R).exp().atan() - PI / 2.0).to_degrees(),
            ),
        }
    }

    /// Converts a whole geometry given in this CRS to CRS84.
    pub fn geometry_to_crs84(self, g: geo::Geometry<f64>) -> geo::Geometry<f64> {
        use geo::MapCoords;
        if self == Crs::Crs84 {
            return g;
        }
        g.map_coords(|c| {
            let (x, y) = self.to_crs84(c.x, c.y);
            geo::coord! { x: x, y: y }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_uris_and_header_form() {
        assert_eq!(Crs::parse("crs", Crs::Epsg3857.uri()), Ok(Crs::Epsg3857));
        assert_eq!(
            Crs::parse("crs", "<http://www.opengis.net/def/crs/EPSG/0/4326>"),
            Ok(Crs::Epsg4326)
        );
        assert!(Crs::parse("crs", "EPSG:2000").is_err());
    }

    #[test]
    fn web_mercator_round_trips_and_matches_known_values() {
        // Futian Civic Center.
        let (x, y) = Crs::Epsg3857.project(114.0553, 22.5405);
        assert!((x - 12_696_577.918).abs() < 0.01, "{x}");
        assert!((y - 2_576_543.662).abs() < 0.01, "{y}");
        let (lon, lat) = Crs::Epsg3857.to_crs84(x, y);
        assert!((lon - 114.0553).abs() < 1e-9 && (lat - 22.5405).abs() < 1e-9);
        assert_eq!(Crs::Epsg4326.project(114.0, 22.5), (22.5, 114.0));
    }
}
