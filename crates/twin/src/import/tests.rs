use citymirror_core::{datum, LayerId, Value};
use geo::{Geometry, Point};

use super::*;

fn csv(text: &str) -> Result<Vec<crate::NewFeature>, ImportError> {
    read_csv(
        LayerId::Components.schema(),
        text.as_bytes(),
        Datum::Wgs84,
        |_| {},
    )
}

#[test]
fn csv_rows_become_points_with_typed_props() {
    let rows =
        csv("lon,lat,category,installed\n114.05,22.54,0120,2020-05-01\n114.06,22.55,0303,\n")
            .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].props[0], Value::from("0303"));
    assert_eq!(rows[1].geometry, Geometry::Point(Point::new(114.06, 22.55)));
}

#[test]
fn csv_rejects_the_file_naming_the_bad_line() {
    let err = csv(
        "lon,lat,category,installed\n114.05,22.54,0120,2020-05-01\n114.06,22.55,0303,2020-02-31\n",
    )
    .unwrap_err();
    assert_eq!(err.location, "line 3");
    assert!(err.reason.contains("installed"), "{err}");
    let err = csv("lon,lat,category\n114.05,north,0120\n").unwrap_err();
    assert_eq!(err.to_string(), "line 2: `lat` is not a number: `north`");
    assert!(csv("x,y,category\n1,2,3\n")
        .unwrap_err()
        .reason
        .contains("`lon` and `lat`"));
    assert!(csv("lon,lat,colour\n1,2,3\n")
        .unwrap_err()
        .reason
        .contains("unknown column `colour`"));
}

#[test]
fn gcj02_points_are_converted_to_wgs84() {
    let (gx, gy) = datum::wgs84_to_gcj02(114.0553, 22.5405);
    let rows = read_csv(
        LayerId::Components.schema(),
        format!("lon,lat,category\n{gx},{gy},0120\n").as_bytes(),
        Datum::Gcj02,
        |_| {},
    )
    .unwrap();
    let Geometry::Point(p) = rows[0].geometry else {
        panic!()
    };
    assert!((p.x() - 114.0553).abs() < 1e-7 && (p.y() - 22.5405).abs() < 1e-7);
}

#[test]
fn geojson_features_are_validated_one_by_one() {
    let schema = LayerId::Buildings.schema();
    let good = r#"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[114.0,22.5],[114.001,22.5],[114.001,22.501],[114.0,22.5]]]},
        "properties":{"use":"住宅","height_m":30,"floors":10}}"#;
    let bad = r#"{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[114.0,22.5],[114.001,22.5],[114.001,22.501],[114.0,22.5]]]},
        "properties":{"use":"住宅","height_m":"tall","floors":10}}"#;
    let fc = |fs: &[&str]| {
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            fs.join(",")
        )
    };
    let ok = read_geojson(schema, &fc(&[good, good]), Datum::Wgs84, |_, _| {}).unwrap();
    assert_eq!(
        ok[0].props[schema.property("height_m").unwrap().0],
        Value::Float(30.0)
    );
    let err = read_geojson(schema, &fc(&[good, bad]), Datum::Wgs84, |_, _| {}).unwrap_err();
    assert_eq!(err.location, "feature 2");
    assert!(err.reason.contains("height_m"), "{err}");
    let err = read_geojson(
        schema,
        "{\n\"type\": \"FeatureCollection\",\n\"features\": [,]}",
        Datum::Wgs84,
        |_, _| {},
    )
    .unwrap_err();
    assert_eq!(err.location, "line 3");
}
