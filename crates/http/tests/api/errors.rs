//! Every failure is a JSON error with a stable code.

use axum::http::StatusCode;

use crate::common::TestApp;

async fn check(app: &TestApp, uri: &str, status: StatusCode, code: &str) {
    assert_eq!(app.get(uri).await.error_code(status), code, "{uri}");
}

#[tokio::test]
async fn malformed_or_unknown_items_parameters_are_400() {
    let app = TestApp::new().await;
    for (q, code) in [
        ("ooga=booga", "unknown_parameter"),
        ("height_m=3", "unknown_parameter"),
        ("limit=unlimited", "invalid_parameter"),
        ("limit=0", "invalid_parameter"),
        ("limit=10001", "invalid_parameter"),
        ("offset=-1", "invalid_parameter"),
        ("bbox=114,22.5,114.1", "invalid_parameter"),
        ("bbox=114.1,22.5,114.0,22.6", "invalid_parameter"),
        ("bbox=114,22.5,114.1,95", "invalid_parameter"),
        ("bbox=west,south,east,north", "invalid_parameter"),
        ("datetime=garbage", "invalid_parameter"),
        ("datetime=2024-01-01/2020-01-01", "invalid_parameter"),
        ("f=xml", "invalid_parameter"),
        ("floors=abc", "invalid_parameter"),
        ("limit=5&limit=6", "invalid_parameter"),
    ] {
        check(
            &app,
            &format!("/ogc/collections/buildings/items?{q}"),
            StatusCode::BAD_REQUEST,
            code,
        )
        .await;
    }
    check(
        &app,
        "/ogc/collections/buildings/items/1?bbox=1,2,3,4",
        StatusCode::BAD_REQUEST,
        "unknown_parameter",
    )
    .await;
    check(
        &app,
        "/ogc/collections?f=yaml",
        StatusCode::BAD_REQUEST,
        "invalid_parameter",
    )
    .await;
    check(
        &app,
        "/ogc?f=geojson",
        StatusCode::BAD_REQUEST,
        "invalid_parameter",
    )
    .await;
}

#[tokio::test]
async fn unknown_things_are_404() {
    let app = TestApp::new().await;
    check(
        &app,
        "/ogc/collections/roads/items",
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    check(
        &app,
        "/ogc/collections/buildings/items/999",
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    check(
        &app,
        "/ogc/collections/buildings/items/abc",
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    check(&app, "/no/such/route", StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn a_wrong_method_is_405_json() {
    let app = TestApp::new().await;
    let r = app
        .send(axum::http::Method::DELETE, "/ogc/collections", &[], "")
        .await;
    assert_eq!(
        r.error_code(StatusCode::METHOD_NOT_ALLOWED),
        "method_not_allowed"
    );
}
