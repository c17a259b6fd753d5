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
        "/ogc/collections/rivers/items",
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

#[tokio::test]
async fn oversized_requests_get_json_errors_and_short_links() {
    // The finding: 414 and 431 answers had no JSON body, and a 65 kB query string came
    // back as a 130 kB `Link` header.
    let app = TestApp::new().await;
    let long = format!("/ogc/collections/buildings/items?name={}", "x".repeat(9000));
    check(&app, &long, StatusCode::URI_TOO_LONG, "uri_too_long").await;
    let big = "y".repeat(40_000);
    let r = app.get_with("/healthz", &[("x-filler", &big)]).await;
    assert_eq!(
        r.error_code(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE),
        "headers_too_large"
    );
    // Below the limit, the Link header stays in proportion to the query.
    let q = format!("/ogc/collections/buildings/items?name={}", "x".repeat(8000));
    let r = app.get(&q).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.header("link").len() < 40_000,
        "{} bytes",
        r.header("link").len()
    );
}

#[tokio::test]
async fn a_host_this_server_does_not_answer_to_is_refused_not_reflected() {
    // The finding: without --public-url, any Host header was copied into every link.
    let app = TestApp::new().await;
    let from = |host: &'static str| {
        let req = axum::http::Request::get("/ogc")
            .header("host", host)
            .body(axum::body::Body::empty())
            .unwrap();
        app.request(req)
    };
    for host in ["evil.example", "twin.test.evil.example"] {
        let r = from(host).await;
        assert_eq!(
            r.error_code(StatusCode::MISDIRECTED_REQUEST),
            "misdirected_request",
            "{host}"
        );
        assert!(!r.text().contains("\"href\""), "{}", r.text());
    }
    for host in ["127.0.0.1:8080", "localhost:8080", "[::1]:8080"] {
        let r = from(host).await;
        assert_eq!(r.status, StatusCode::OK, "{host}");
        assert!(r.text().contains(&format!("http://{host}/ogc")), "{host}");
    }
    // Two Host headers are one too many.
    let r = app.get_with("/ogc", &[("host", "evil.example")]).await;
    assert_eq!(r.error_code(StatusCode::BAD_REQUEST), "invalid_parameter");
}
