use std::io::Read;

use citymirror_core::{datum::Datum, GeomKind, LayerSchema, Value};
use geo::{Geometry, Point};

use super::{to_wgs84, ImportError};
use crate::NewFeature;

const LON: [&str; 3] = ["lon", "lng", "longitude"];
const LAT: [&str; 2] = ["lat", "latitude"];

/// Reads a CSV file with a header row, `lon`/`lat` columns (or `longitude`/`latitude`)
/// and one column per property, into validated point features.
pub fn read_csv(
    schema: &LayerSchema,
    input: impl Read,
    datum: Datum,
    mut progress: impl FnMut(usize),
) -> Result<Vec<NewFeature>, ImportError> {
    if schema.geometry != GeomKind::Point {
        return Err(ImportError::at(
            "line 1",
            format!(
                "CSV import takes point layers; `{}` holds {} geometries",
                schema.id,
                schema.geometry.as_str()
            ),
        ));
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(input);
    let headers = reader
        .headers()
        .map_err(|e| ImportError::at("line 1", e))?
        .clone();
    let find = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.contains(&h.to_ascii_lowercase().as_str()))
    };
    let (Some(lon), Some(lat)) = (find(&LON), find(&LAT)) else {
        return Err(ImportError::at(
            "line 1",
            "the header needs `lon` and `lat` columns",
        ));
    };
    let mut columns = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        if i == lon || i == lat {
            continue;
        }
        let (_, def) = schema
            .property(h)
            .ok_or_else(|| ImportError::at("line 1", format!("unknown column `{h}`")))?;
        columns.push((i, def));
    }
    let mut out = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(n as u64 + 2, |p| p.line());
            ImportError::at(format!("line {line}"), e)
        })?;
        let at = format!(
            "line {}",
            record.position().map_or(n as u64 + 2, |p| p.line())
        );
        let coord = |i: usize, what: &str| -> Result<f64, ImportError> {
            let raw = record.get(i).unwrap_or("");
            raw.parse::<f64>()
                .map_err(|_| ImportError::at(&at, format!("`{what}` is not a number: `{raw}`")))
        };
        let point = Point::new(coord(lon, "lon")?, coord(lat, "lat")?);
        let mut props = Vec::with_capacity(columns.len());
        for &(i, def) in &columns {
            let v = Value::parse(def.name, def.ty, record.get(i).unwrap_or(""))
                .map_err(|e| ImportError::at(&at, e))?;
            props.push((def.name.to_owned(), v));
        }
        let geometry = to_wgs84(Geometry::Point(point), datum);
        out.push(
            NewFeature::validate(schema, geometry, props).map_err(|e| ImportError::at(&at, e))?,
        );
        if (n + 1) % 10_000 == 0 {
            progress(n + 1);
        }
    }
    progress(out.len());
    Ok(out)
}
