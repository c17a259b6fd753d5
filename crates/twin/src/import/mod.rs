//! Import ("data reflow" from business systems): GeoJSON and CSV files into a layer.
//!
//! Import is all or nothing. Every row is validated before anything is written, and the
//! first bad row rejects the file with its location and the reason. Coordinates in
//! GCJ-02 or BD-09 are converted to WGS84 here, at the door, so the twin only ever holds WGS84.

mod csv;
mod geojson;

pub use self::csv::read_csv;
pub use self::geojson::read_geojson;

use citymirror_core::datum::Datum;
use geo::{Geometry, MapCoords};

/// Why a file was rejected, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {reason}")]
pub struct ImportError {
    /// `line N` (CSV, or a GeoJSON syntax error) or `feature N` (GeoJSON), 1-based.
    pub location: String,
    pub reason: String,
}

impl ImportError {
    pub(crate) fn at(location: impl Into<String>, reason: impl ToString) -> ImportError {
        ImportError {
            location: location.into(),
            reason: reason.to_string(),
        }
    }
}

pub(crate) fn to_wgs84(g: Geometry<f64>, datum: Datum) -> Geometry<f64> {
    if datum == Datum::Wgs84 {
        return g;
    }
    g.map_coords(|c| {
        let (x, y) = datum.to_wgs84(c.x, c.y);
        geo::coord! { x: x, y: y }
    })
}

#[cfg(test)]
mod tests;
