//! GeoJSON as SensorThings carries it: a Location's `location` and a
//! FeatureOfInterest's `feature` may be a geometry or a Feature holding one.

use geo::Geometry;
use serde_json::Value;

/// The geometry of a GeoJSON geometry or Feature; `None` when it is neither or invalid.
pub fn from_json(v: &Value) -> Option<Geometry<f64>> {
    let v = match v.get("type").and_then(Value::as_str) {
        Some("Feature") => v.get("geometry")?,
        _ => v,
    };
    let g = geojson::Geometry::from_json_value(v.clone()).ok()?;
    let g = Geometry::<f64>::try_from(g).ok()?;
    let finite = geo::CoordsIter::coords_iter(&g).all(|c| c.x.is_finite() && c.y.is_finite());
    finite.then_some(g)
}

/// A point's coordinates, or the centre of a geometry's bounds.
pub fn anchor(g: &Geometry<f64>) -> Option<(f64, f64)> {
    use geo::BoundingRect;
    let r = g.bounding_rect()?;
    let c = r.center();
    Some((c.x, c.y))
}
