//! Reading Part 4 request bodies: the media type, the JSON, and the GeoJSON Feature (or
//! merge patch) into the twin's validated [`NewFeature`] or [`Patch`]. Nothing is
//! written until all of it has been checked.

use axum::{
    body::Bytes,
    extract::rejection::BytesRejection,
    http::{header, HeaderMap, StatusCode},
};
use citymirror_core::{LayerSchema, PropType, Value};
use citymirror_twin::{NewFeature, Patch};
use geo::Geometry;
use serde_json::{Map, Value as Json};

use super::crs::Crs;
use crate::{media, ApiError};

/// Which document a write sends: a whole Feature (POST, PUT) or a merge patch (PATCH).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Feature,
    MergePatch,
}

impl BodyKind {
    fn accepts(self) -> &'static [&'static str] {
        match self {
            BodyKind::Feature => &[media::GEOJSON, media::JSON],
            BodyKind::MergePatch => &[media::MERGE_PATCH_JSON, media::GEOJSON, media::JSON],
        }
    }
}

/// Checks the media type and reads the body as a JSON object.
pub fn json_object(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    kind: BodyKind,
) -> Result<Map<String, Json>, ApiError> {
    let accepts = kind.accepts();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(media::essence);
    if !content_type
        .as_deref()
        .is_some_and(|ct| accepts.contains(&ct))
    {
        return Err(ApiError::UnsupportedMediaType(format!(
            "send the body as {} (got {})",
            accepts.join(" or "),
            content_type.as_deref().unwrap_or("no Content-Type")
        )));
    }
    let bytes = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge(format!(
                "the body is larger than {} MiB",
                crate::routes::BODY_LIMIT >> 20
            ))
        } else {
            ApiError::InvalidBody(e.body_text())
        }
    })?;
    match serde_json::from_slice(&bytes) {
        Ok(Json::Object(o)) => Ok(o),
        Ok(_) => Err(ApiError::InvalidBody(
            "the body must be a JSON object".into(),
        )),
        Err(e) => Err(ApiError::InvalidBody(format!("malformed JSON: {e}"))),
    }
}

/// The CRS of the coordinates in the body: `Content-Crs`, CRS84 when absent.
pub fn content_crs(headers: &HeaderMap) -> Result<Crs, ApiError> {
    match headers.get("content-crs") {
        None => Ok(Crs::Crs84),
        Some(v) => Crs::parse("Content-Crs", v.to_str().unwrap_or("")),
    }
}

/// A whole GeoJSON Feature for the layer of `schema`. Its `id`, if any, is ignored: the
/// path (PUT) or the twin (POST) decides ids.
pub fn new_feature(
    schema: &LayerSchema,
    mut doc: Map<String, Json>,
    crs: Crs,
) -> Result<NewFeature, ApiError> {
    if doc.get("type").and_then(Json::as_str) != Some("Feature") {
        return Err(ApiError::InvalidBody(
            "expected a GeoJSON Feature (\"type\": \"Feature\")".into(),
        ));
    }
    let geometry = match doc.remove("geometry") {
        None | Some(Json::Null) => {
            return Err(ApiError::InvalidBody("the feature has no geometry".into()))
        }
        Some(g) => geometry(g, crs)?,
    };
    let props = match doc.remove("properties") {
        None | Some(Json::Null) => Vec::new(),
        Some(Json::Object(p)) => properties(schema, p)?,
        Some(_) => {
            return Err(ApiError::InvalidBody(
                "`properties` must be an object".into(),
            ))
        }
    };
    NewFeature::validate(schema, geometry, props).map_err(|e| ApiError::InvalidBody(e.to_string()))
}

/// A JSON merge patch (RFC 7396) of a feature: the `properties` it names are replaced
/// (`null` clears one) and a `geometry`, if given, replaces the old one.
pub fn patch(schema: &LayerSchema, doc: Map<String, Json>, crs: Crs) -> Result<Patch, ApiError> {
    let mut patch = Patch::default();
    for (key, value) in doc {
        match (key.as_str(), value) {
            // Members a client may echo back from a GET; they change nothing.
            ("type", Json::String(t)) if t == "Feature" => {}
            ("id" | "links" | "bbox", _) => {}
            ("geometry", Json::Null) => {
                return Err(ApiError::InvalidBody(
                    "a feature's geometry cannot be removed".into(),
                ))
            }
            ("geometry", g) => patch.geometry = Some(geometry(g, crs)?),
            ("properties", Json::Object(p)) => patch.props = properties(schema, p)?,
            ("properties", _) => {
                return Err(ApiError::InvalidBody(
                    "`properties` must be an object".into(),
                ))
            }
            (other, _) => {
                return Err(ApiError::InvalidBody(format!(
                    "`{other}` cannot be patched; send `properties` and/or `geometry`"
                )))
            }
        }
    }
    Ok(patch)
}

fn geometry(g: Json, crs: Crs) -> Result<Geometry<f64>, ApiError> {
    let invalid = |e: geojson::Error| ApiError::InvalidBody(format!("geometry: {e}"));
    let g = geojson::Geometry::from_json_value(g).map_err(invalid)?;
    let g: Geometry<f64> = g.try_into().map_err(invalid)?;
    Ok(crs.geometry_to_crs84(g))
}

fn properties(
    schema: &LayerSchema,
    props: Map<String, Json>,
) -> Result<Vec<(String, Value)>, ApiError> {
    props
        .into_iter()
        .map(|(name, v)| {
            let (_, def) = schema.property(&name).ok_or_else(|| {
                ApiError::InvalidBody(format!(
                    "unknown property `{name}` for collection `{}`",
                    schema.id
                ))
            })?;
            let value = value(&name, def.ty, &v).map_err(ApiError::InvalidBody)?;
            Ok((name, value))
        })
        .collect()
}

/// A JSON value as a property value of type `ty`. Types are not guessed across: a number
/// for a text property is an error, as in the twin's GeoJSON import.
fn value(name: &str, ty: PropType, v: &Json) -> Result<Value, String> {
    let wrong = || format!("`{name}` expects {}, got {v}", ty.expected());
    Ok(match (ty, v) {
        (_, Json::Null) => Value::Null,
        (PropType::Text, Json::String(s)) => Value::Text(s.clone()),
        (PropType::Int, Json::Number(n)) => Value::Int(n.as_i64().ok_or_else(wrong)?),
        (PropType::Float, Json::Number(n)) => Value::Float(n.as_f64().ok_or_else(wrong)?),
        (PropType::Bool, Json::Bool(b)) => Value::Bool(*b),
        (PropType::Date, Json::String(s)) => {
            Value::parse(name, ty, s).map_err(|e| e.to_string())?
        }
        _ => return Err(wrong()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use citymirror_core::LayerId;
    use serde_json::json;

    fn doc(v: Json) -> Map<String, Json> {
        v.as_object().unwrap().clone()
    }

    fn building(props: Json) -> Result<NewFeature, ApiError> {
        new_feature(
            LayerId::Buildings.schema(),
            doc(json!({
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [[[114.0, 22.5], [114.001, 22.5], [114.001, 22.501], [114.0, 22.5]]]},
                "properties": props,
            })),
            Crs::Crs84,
        )
    }

    #[test]
    fn reads_a_valid_feature() {
        let f = building(
            json!({"use": "住宅", "height_m": 30, "floors": 10, "completed": "2001-02-03"}),
        )
        .unwrap();
        let s = LayerId::Buildings.schema();
        assert_eq!(
            f.props[s.property("height_m").unwrap().0],
            Value::Float(30.0)
        );
        assert_eq!(f.props[s.property("floors").unwrap().0], Value::Int(10));
    }

    #[test]
    fn refuses_bad_features_with_a_reason() {
        let msg = |r: Result<NewFeature, ApiError>| r.unwrap_err().message().to_owned();
        assert!(
            msg(building(json!({"use": "住宅", "height_m": 30}))).contains("`floors` is required")
        );
        assert!(msg(building(
            json!({"use": "住宅", "height_m": 30, "floors": "ten"})
        ))
        .contains("`floors` expects an integer"));
        assert!(msg(building(
            json!({"use": "住宅", "height_m": 30, "floors": 3, "colour": "red"})
        ))
        .contains("unknown property `colour`"));
        let point = new_feature(
            LayerId::Buildings.schema(),
            doc(
                json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [114.0, 22.5]}, "properties": {"use": "x", "height_m": 1, "floors": 1}}),
            ),
            Crs::Crs84,
        );
        assert!(msg(point).contains("takes Polygon"));
        let not_a_feature = new_feature(
            LayerId::Buildings.schema(),
            doc(json!({"type": "Point"})),
            Crs::Crs84,
        );
        assert!(msg(not_a_feature).contains("expected a GeoJSON Feature"));
    }

    #[test]
    fn patches_name_properties_and_geometry_only() {
        let s = LayerId::Buildings.schema();
        let p = patch(
            s,
            doc(json!({"type": "Feature", "properties": {"floors": 12, "name": null}})),
            Crs::Crs84,
        )
        .unwrap();
        assert_eq!(
            p.props,
            vec![
                ("floors".into(), Value::Int(12)),
                ("name".into(), Value::Null)
            ]
        );
        assert!(p.geometry.is_none());
        assert!(patch(s, doc(json!({"geometry": null})), Crs::Crs84).is_err());
        assert!(patch(s, doc(json!({"colour": "red"})), Crs::Crs84).is_err());
    }

    #[test]
    fn content_crs_converts_coordinates_to_crs84() {
        let g = geometry(
            json!({"type": "Point", "coordinates": [22.5, 114.0]}),
            Crs::Epsg4326,
        )
        .unwrap();
        assert_eq!(g, Geometry::Point(geo::point!(x: 114.0, y: 22.5)));
    }
}
