//! OGC API – Features Part 2: `crs` and `bbox-crs`.

use serde_json::Value as Json;

use crate::common::{ids, TestApp};

const EPSG4326: &str = "http://www.opengis.net/def/crs/EPSG/0/4326";
const EPSG3857: &str = "http://www.opengis.net/def/crs/EPSG/0/3857";

fn first_corner(f: &Json) -> (f64, f64) {
    let c = &f["geometry"]["coordinates"][0][0];
    (c[0].as_f64().unwrap(), c[1].as_f64().unwrap())
}

#[tokio::test]
async fn crs_epsg_4326_puts_latitude_first() {
    let app = TestApp::new().await;
    let plain = app.get_json("/ogc/collections/buildings/items/1").await;
    let r = app
        .get(&format!(
            "/ogc/collections/buildings/items/1?crs={EPSG4326}"
        ))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-crs"), format!("<{EPSG4326}>"));
    let (lon, lat) = first_corner(&plain);
    assert_eq!(first_corner(&r.json()), (lat, lon));
    assert!((114.0..114.1).contains(&lon) && (22.5..22.6).contains(&lat));

    let r = app
        .get(&format!(
            "/ogc/collections/buildings/items?crs={EPSG4326}&limit=1"
        ))
        .await;
    assert_eq!(r.header("content-crs"), format!("<{EPSG4326}>"));
    assert_eq!(first_corner(&r.json()["features"][0]), (lat, lon));
}

#[tokio::test]
async fn crs_epsg_3857_answers_in_web_mercator_metres() {
    let app = TestApp::new().await;
    let (lon, lat) = first_corner(&app.get_json("/ogc/collections/buildings/items/1").await);
    let r = app
        .get(&format!(
            "/ogc/collections/buildings/items/1?crs={EPSG3857}"
        ))
        .await;
    assert_eq!(r.header("content-crs"), format!("<{EPSG3857}>"));
    let (x, y) = first_corner(&r.json());
    let r_earth = 6_378_137.0_f64;
    assert!((x - r_earth * lon.to_radians()).abs() < 1e-6, "{x}");
    let expected_y = r_earth
        * (std::f64::consts::FRAC_PI_4 + lat.to_radians() / 2.0)
            .tan()
            .ln();
    assert!((y - expected_y).abs() < 1e-6, "{y}");
}

#[tokio::test]
async fn bbox_crs_reads_the_box_in_that_crs() {
    let app = TestApp::new().await;
    let crs84 = app
        .get_json("/ogc/collections/buildings/items?bbox=114.0,22.5,114.05,22.55")
        .await;
    let swapped = app
        .get_json(&format!(
            "/ogc/collections/buildings/items?bbox=22.5,114.0,22.55,114.05&bbox-crs={EPSG4326}"
        ))
        .await;
    assert_eq!(ids(&swapped), ids(&crs84));
    let m = |lon: f64, lat: f64| {
        let r = 6_378_137.0_f64;
        (
            r * lon.to_radians(),
            r * (std::f64::consts::FRAC_PI_4 + lat.to_radians() / 2.0)
                .tan()
                .ln(),
        )
    };
    let (x0, y0) = m(114.0, 22.5);
    let (x1, y1) = m(114.05, 22.55);
    let mercator = app
        .get_json(&format!(
            "/ogc/collections/buildings/items?bbox={x0},{y0},{x1},{y1}&bbox-crs={EPSG3857}"
        ))
        .await;
    assert_eq!(ids(&mercator), ids(&crs84));
    assert!(!ids(&crs84).is_empty());
}

#[tokio::test]
async fn an_unsupported_crs_is_400() {
    let app = TestApp::new().await;
    for q in [
        "crs=http://www.opengis.net/def/crs/EPSG/0/2000",
        "bbox-crs=EPSG:4326&bbox=1,2,3,4",
        "crs=",
    ] {
        let r = app
            .get(&format!("/ogc/collections/buildings/items?{q}"))
            .await;
        assert_eq!(
            r.error_code(axum::http::StatusCode::BAD_REQUEST),
            "invalid_parameter",
            "{q}"
        );
    }
}
