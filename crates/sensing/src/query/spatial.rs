//! Geometry for `geo.*` and `st_*`: reading geometries out of values, the DE-9IM
//! predicates (via `geo`'s `Relate`, one engine for all of them), and distances/lengths.
//!
//! Distances and lengths are in **metres** on a sphere (Haversine, GRS80 mean radius), not
//! FROST's planar degrees: a city operator asks "within 500 m", never "within 0.0045°".

use std::sync::Arc;

use geo::{
    Closest, ClosestPoint, CoordsIter, Distance, Geometry, Haversine, Length, Point, Relate,
};
use serde_json::Value;

use super::ast::Func;
use super::error::EvalError;
use super::value::Val;
use super::wkt;

/// The geometry in a value: a `geography'…'` literal, a GeoJSON geometry or Feature (its
/// geometry) from the entity, or WKT text (`'POINT(1 2)'` given as a plain string).
/// `None` for null, so a Location without a location simply does not match.
pub(crate) fn geometry_of(v: &Val) -> Result<Option<Arc<Geometry<f64>>>, EvalError> {
    match v {
        Val::Null => Ok(None),
        Val::Geo(g) => Ok(Some(g.clone())),
        Val::Json(j @ Value::Object(_)) => {
            let gj = geojson::GeoJson::from_json_value(j.clone())
                .map_err(|e| EvalError::Geometry(format!("not GeoJSON: {e}")))?;
            let g =
                Geometry::<f64>::try_from(gj).map_err(|e| EvalError::Geometry(e.to_string()))?;
            if g.coords_iter()
                .any(|c| !c.x.is_finite() || !c.y.is_finite())
            {
                return Err(EvalError::Geometry("non-finite coordinate".into()));
            }
            Ok(Some(Arc::new(g)))
        }
        Val::Str(s) => wkt::parse_wkt(s)
            .map(|g| Some(Arc::new(g)))
            .map_err(EvalError::Geometry),
        other => Err(EvalError::Type(format!(
            "expected a geometry, got {}",
            other.type_name()
        ))),
    }
}

pub(crate) fn to_geojson(g: &Geometry<f64>) -> Value {
    serde_json::to_value(geojson::Geometry::new(geojson::Value::from(g))).unwrap_or(Value::Null)
}

/// A DE-9IM predicate. `pattern` is st_relate's third argument (`T*F**FFF*`).
pub(crate) fn predicate(
    f: Func,
    a: &Geometry<f64>,
    b: &Geometry<f64>,
    pattern: Option<&str>,
) -> Result<bool, EvalError> {
    let m = a.relate(b);
    Ok(match f {
        Func::GeoIntersects | Func::StIntersects => m.is_intersects(),
        Func::StEquals => m.is_equal_topo(),
        Func::StDisjoint => m.is_disjoint(),
        Func::StTouches => m.is_touches(),
        Func::StWithin => m.is_within(),
        Func::StOverlaps => m.is_overlaps(),
        Func::StCrosses => m.is_crosses(),
        Func::StContains => m.is_contains(),
        Func::StRelate => {
            let p = pattern.unwrap_or("");
            m.matches(p)
                .map_err(|e| EvalError::Argument(format!("bad DE-9IM pattern '{p}': {e}")))?
        }
        other => {
            return Err(EvalError::Argument(format!(
                "{} is not a spatial predicate",
                other.name()
            )))
        }
    })
}

/// Metres between the nearest points of two geometries; 0 when they touch or overlap.
/// Between points this is the Haversine distance. Otherwise the nearest pair is found in the
/// longitude/latitude plane and then measured in metres, which is accurate to well under a
/// percent at city scale (it is not a geodesic nearest-point search).
pub(crate) fn distance_m(a: &Geometry<f64>, b: &Geometry<f64>) -> f64 {
    if let (Geometry::Point(p), Geometry::Point(q)) = (a, b) {
        return Haversine.distance(*p, *q);
    }
    if a.relate(b).is_intersects() {
        return 0.0;
    }
    // The nearest pair of two disjoint shapes always has a vertex of one of them at one end.
    let one_way = |from: &Geometry<f64>, to: &Geometry<f64>| {
        from.coords_iter()
            .filter_map(|c| {
                let p = Point(c);
                match to.closest_point(&p) {
                    Closest::Intersection(q) | Closest::SinglePoint(q) => {
                        Some(Haversine.distance(p, q))
                    }
                    Closest::Indeterminate => None,
                }
            })
            .fold(f64::INFINITY, f64::min)
    };
    one_way(a, b).min(one_way(b, a))
}

/// Metres along a line (or lines); points have no length. Areas are refused: OData's
/// geo.length is defined for lines only.
pub(crate) fn length_m(g: &Geometry<f64>) -> Result<f64, EvalError> {
    Ok(match g {
        Geometry::LineString(l) => Haversine.length(l),
        Geometry::MultiLineString(m) => Haversine.length(m),
        Geometry::Line(l) => Haversine.length(l),
        Geometry::Point(_) | Geometry::MultiPoint(_) => 0.0,
        _ => return Err(EvalError::Type("geo.length takes a line".into())),
    })
}
