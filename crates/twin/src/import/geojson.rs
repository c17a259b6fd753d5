use citymirror_core::{datum::Datum, LayerSchema, PropType, Value};
use geo::Geometry;

use super::{to_wgs84, ImportError};
use crate::NewFeature;

fn json_value(name: &str, ty: PropType, v: &serde_json::Value) -> Result<Value, String> {
    use serde_json::Value as J;
    let wrong = || format!("`{name}` expects {}, got {v}", ty.expected());
    Ok(match (ty, v) {
        (_, J::Null) => Value::Null,
        (PropType::Text, J::String(s)) => Value::Text(s.clone()),
        (PropType::Int, J::Number(n)) => Value::Int(n.as_i64().ok_or_else(wrong)?),
        (PropType::Float, J::Number(n)) => Value::Float(n.as_f64().ok_or_else(wrong)?),
        (PropType::Bool, J::Bool(b)) => Value::Bool(*b),
        (PropType::Date, J::String(s)) => Value::parse(name, ty, s).map_err(|e| e.to_string())?,
        _ => return Err(wrong()),
    })
}

/// Reads a GeoJSON FeatureCollection (or a single Feature) into validated features.
/// Feature ids in the file are ignored: the twin assigns its own.
pub fn read_geojson(
    schema: &LayerSchema,
    text: &str,
    datum: Datum,
    mut progress: impl FnMut(usize, usize),
) -> Result<Vec<NewFeature>, ImportError> {
    let doc: geojson::GeoJson = text.parse().map_err(|e: geojson::Error| match e {
        geojson::Error::MalformedJson(j) => {
            ImportError::at(format!("line {}", j.line()), format!("malformed JSON: {j}"))
        }
        other => ImportError::at("line 1", other),
    })?;
    let features = match doc {
        geojson::GeoJson::FeatureCollection(fc) => fc.features,
        geojson::GeoJson::Feature(f) => vec![f],
        geojson::GeoJson::Geometry(_) => {
            return Err(ImportError::at(
                "line 1",
                "expected a FeatureCollection or a Feature, found a bare geometry",
            ))
        }
    };
    let total = features.len();
    let mut out = Vec::with_capacity(total);
    for (i, f) in features.into_iter().enumerate() {
        let at = format!("feature {}", i + 1);
        let geometry = f
            .geometry
            .ok_or_else(|| ImportError::at(&at, "it has no geometry"))?;
        let geometry: Geometry<f64> = geometry
            .try_into()
            .map_err(|e: geojson::Error| ImportError::at(&at, e))?;
        let mut props = Vec::new();
        for (name, v) in f.properties.unwrap_or_default() {
            let (_, def) = schema
                .property(&name)
                .ok_or_else(|| ImportError::at(&at, format!("unknown property `{name}`")))?;
            props.push((
                name.clone(),
                json_value(&name, def.ty, &v).map_err(|e| ImportError::at(&at, e))?,
            ));
        }
        out.push(
            NewFeature::validate(schema, to_wgs84(geometry, datum), props)
                .map_err(|e| ImportError::at(&at, e))?,
        );
        if (i + 1) % 10_000 == 0 || i + 1 == total {
            progress(i + 1, total);
        }
    }
    Ok(out)
}
