//! §9.3.3.5.2 geospatial functions, against GeoJSON from the entity and WKT literals.

use serde_json::json;

use super::{eval, holds, location, parse, value_of};

/// Futian district, roughly: 114.0–114.1 E, 22.5–22.6 N.
const FUTIAN: &str =
    "geography'POLYGON((114.0 22.5, 114.1 22.5, 114.1 22.6, 114.0 22.6, 114.0 22.5))'";

#[test]
fn geo_intersects_a_polygon_literal() {
    let inside = location();
    let outside = json!({"location": {"type": "Point", "coordinates": [113.9, 22.54]}});
    let f = format!("geo.intersects(location, {FUTIAN})");
    assert!(holds(&f, &inside));
    assert!(!holds(&f, &outside));
    assert!(holds(
        "geo.intersects(location, geography'POINT(114.05 22.54)')",
        &inside
    ));
}

#[test]
fn a_feature_is_read_as_its_geometry() {
    let feature = json!({"location": {
        "type": "Feature", "properties": {},
        "geometry": {"type": "Point", "coordinates": [114.05, 22.54]}
    }});
    assert!(holds(&format!("st_within(location, {FUTIAN})"), &feature));
}

#[test]
fn wkt_may_be_given_as_a_plain_string() {
    assert!(holds(
        "st_intersects(location, 'POLYGON((114.0 22.5, 114.1 22.5, 114.1 22.6, 114.0 22.5))')",
        &location()
    ));
}

#[test]
fn the_simple_features_predicates() {
    let at = |x: f64, y: f64| json!({"location": {"type": "Point", "coordinates": [x, y]}});
    let on_edge = at(114.0, 22.55);
    assert!(holds(
        &format!("st_within(location, {FUTIAN})"),
        &location()
    ));
    assert!(!holds(&format!("st_within(location, {FUTIAN})"), &on_edge));
    assert!(holds(
        &format!("st_contains({FUTIAN}, location)"),
        &location()
    ));
    assert!(holds(&format!("st_touches(location, {FUTIAN})"), &on_edge));
    assert!(holds(
        &format!("st_disjoint(location, {FUTIAN})"),
        &at(113.0, 22.0)
    ));
    assert!(!holds(
        &format!("st_disjoint(location, {FUTIAN})"),
        &location()
    ));
    assert!(holds(
        &format!("st_intersects(location, {FUTIAN})"),
        &on_edge
    ));
    assert!(holds(
        "st_equals(location, geography'POINT(114.05 22.54)')",
        &location()
    ));
    let same_ring_other_start =
        "geography'POLYGON((114.1 22.5, 114.1 22.6, 114.0 22.6, 114.0 22.5, 114.1 22.5))'";
    assert_eq!(
        value_of(&format!("st_equals({FUTIAN}, {same_ring_other_start})")),
        json!(true)
    );
    let east =
        "geography'POLYGON((114.05 22.5, 114.2 22.5, 114.2 22.6, 114.05 22.6, 114.05 22.5))'";
    assert_eq!(
        value_of(&format!("st_overlaps({FUTIAN}, {east})")),
        json!(true)
    );
    assert_eq!(
        value_of(&format!(
            "st_crosses(geography'LINESTRING(113.9 22.55, 114.05 22.55)', {FUTIAN})"
        )),
        json!(true)
    );
    assert_eq!(
        value_of(&format!(
            "st_crosses(geography'LINESTRING(114.01 22.55, 114.05 22.55)', {FUTIAN})"
        )),
        json!(false)
    );
    // DE-9IM pattern for "within".
    assert!(holds(
        &format!("st_relate(location, {FUTIAN}, 'T*F**F***')"),
        &location()
    ));
    assert!(!holds(
        &format!("st_relate(location, {FUTIAN}, 'FF*FF****')"),
        &location()
    ));
}

#[test]
fn distances_are_metres_on_the_sphere() {
    // 0.01° of longitude at 22.54° N is about 1,027 m.
    let d = eval(
        "geo.distance(location, geography'POINT(114.06 22.54)')",
        &location(),
    );
    let d = d.as_f64().unwrap();
    assert!((1_020.0..1_035.0).contains(&d), "{d}");
    assert!(holds(
        "geo.distance(location, geography'POINT(114.06 22.54)') lt 1500",
        &location()
    ));
    // A point 0.1° west of the polygon's west edge: about 10.3 km.
    let d = value_of(&format!(
        "geo.distance(geography'POINT(113.9 22.55)', {FUTIAN})"
    ))
    .as_f64()
    .unwrap();
    assert!((10_200.0..10_400.0).contains(&d), "{d}");
    assert_eq!(
        value_of(&format!(
            "geo.distance(geography'POINT(114.05 22.55)', {FUTIAN})"
        )),
        json!(0.0)
    );
}

#[test]
fn lengths_are_metres_along_the_line() {
    let l = value_of("geo.length(geography'LINESTRING(114.05 22.54, 114.06 22.54, 114.07 22.54)')");
    let l = l.as_f64().unwrap();
    assert!((2_040.0..2_070.0).contains(&l), "{l}");
    assert!(parse(&format!("geo.length({FUTIAN})"))
        .eval(&location())
        .is_err());
}

#[test]
fn a_missing_or_broken_geometry_never_matches() {
    let f = format!("geo.intersects(location, {FUTIAN})");
    assert!(!holds(&f, &json!({"name": "no location"})));
    assert_eq!(eval(&f, &json!({})), json!(null));
    assert!(!holds(&f, &json!({"location": {"type": "Point"}})));
    assert!(!holds(&f, &json!({"location": "not wkt"})));
    assert!(!holds(&f, &json!({"location": 3})));
}

#[test]
fn eval_gives_geometries_back_as_geojson() {
    assert_eq!(
        value_of("geography'POINT(114.05 22.54)'"),
        json!({"type": "Point", "coordinates": [114.05, 22.54]})
    );
}
