//! `/api/v1/locate`.

use axum::http::StatusCode;
use serde_json::json;

use crate::common::TestApp;

#[tokio::test]
async fn a_point_inside_gets_its_whole_grid_path() {
    let app = TestApp::new().await;
    let doc = app.get_json("/api/v1/locate?lon=114.07&lat=22.57").await;
    assert_eq!(
        doc,
        json!({
            "district": { "code": "440304", "name": "福田区" },
            "street": { "code": "440304002", "name": "南园街道" },
            "community": { "code": "440304002001", "name": "滨江社区" },
            "grid": { "code": "44030400200102", "name": "滨江第二网格" },
        })
    );
}

#[tokio::test]
async fn a_point_outside_is_404_outside_district() {
    let app = TestApp::new().await;
    let r = app.get("/api/v1/locate?lon=113.9&lat=22.5").await;
    assert_eq!(r.error_code(StatusCode::NOT_FOUND), "outside_district");
}

#[tokio::test]
async fn missing_or_malformed_coordinates_are_400() {
    let app = TestApp::new().await;
    for q in [
        "",
        "?lon=114.05",
        "?lat=22.5",
        "?lon=east&lat=22.5",
        "?lon=114&lat=91",
        "?lon=114.05&lat=22.55&radius=3",
    ] {
        let r = app.get(&format!("/api/v1/locate{q}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
    }
}
