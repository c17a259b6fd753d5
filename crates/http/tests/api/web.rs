//! The browser twin's files at `/`, and what `/` says when they are not built.

use axum::{
    body::Body,
    http::{Request, StatusCode},
    Router,
};
use citymirror_http::{app, AppState, HttpConfig};
use http_body_util::BodyExt;

use crate::common::TestApp;

/// The fixture's API with `web_dir` as its web directory.
fn with_web(t: &TestApp, web_dir: Option<&std::path::Path>) -> Router {
    app(AppState {
        service: t.service.clone(),
        cases: t.cases.clone(),
        sensing: t.sensing.clone(),
        video: t.video.clone(),
        security: t.security.clone(),
        config: HttpConfig {
            allowed_hosts: vec![crate::common::HOST.to_owned()],
            web_dir: web_dir.map(ToOwned::to_owned),
            ..HttpConfig::default()
        },
    })
}

async fn get(
    router: &Router,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut req = Request::get(uri).header("host", "twin.test");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = tower::ServiceExt::oneshot(router.clone(), req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = res.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes().to_vec();
    (parts.status, parts.headers, bytes)
}

/// A built front end as Vite lays it out: `index.html` and content-hashed assets.
fn dist() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>福镜</title><div id=app></div><script src=/assets/main-3f2a.js></script>",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("assets")).unwrap();
    std::fs::write(
        dir.path().join("assets/main-3f2a.js"),
        "console.log('the district on one screen');\n".repeat(100),
    )
    .unwrap();
    dir
}

#[tokio::test]
async fn the_root_serves_the_built_page_and_hashed_assets_are_immutable() {
    let t = TestApp::new().await;
    let dir = dist();
    let router = with_web(&t, Some(dir.path()));

    let (status, headers, body) = get(&router, "/", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert_eq!(headers["cache-control"], "no-cache");
    assert!(String::from_utf8(body).unwrap().contains("福镜"));

    let (status, headers, body) = get(
        &router,
        "/assets/main-3f2a.js",
        &[("accept-encoding", "gzip")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(headers["content-encoding"], "gzip");
    assert!(body.len() < 4600 / 4, "compressed: {} bytes", body.len());
}

#[tokio::test]
async fn the_api_keeps_its_paths_and_its_json_404s_beside_the_page() {
    let t = TestApp::new().await;
    let dir = dist();
    let router = with_web(&t, Some(dir.path()));
    let (status, headers, _) = get(&router, "/healthz", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/json");
    for missing in [
        "/nope",
        "/assets/gone.js",
        "/api/v1/nothing",
        "/../Cargo.toml",
    ] {
        let (status, headers, body) = get(&router, missing, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
        assert_eq!(headers["content-type"], "application/json", "{missing}");
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["code"], "not_found");
    }
}

#[tokio::test]
async fn without_a_build_the_root_says_how_to_make_one() {
    let t = TestApp::new().await;
    let empty = tempfile::tempdir().unwrap();
    for router in [with_web(&t, None), with_web(&t, Some(empty.path()))] {
        let (status, headers, body) = get(&router, "/", &[]).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert!(String::from_utf8(body)
            .unwrap()
            .contains("npm --prefix web ci"));
        let (status, _, _) = get(&router, "/index.html", &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn a_double_slash_path_is_not_redirected_to_another_host() {
    // The finding: `GET //assets` redirected to `//assets/`, which a browser reads as
    // the host `assets` (an open redirect).
    let t = TestApp::new().await;
    let dir = dist();
    let router = with_web(&t, Some(dir.path()));
    for path in [
        "//assets",
        "//assets/",
        "/assets",
        "//evil.example/x",
        "///x",
    ] {
        let (status, headers, body) = get(&router, path, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(headers.get("location").is_none(), "{path} redirects");
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["code"], "not_found", "{path}");
    }
    let (status, _, _) = get(&router, "/", &[]).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn pages_carry_a_content_security_policy_and_refuse_framing() {
    // The finding: HTML pages had no CSP, X-Frame-Options or X-Content-Type-Options.
    let t = TestApp::new().await;
    let dir = dist();
    let router = with_web(&t, Some(dir.path()));
    for path in [
        "/",
        "/ogc?f=html",
        "/ogc/collections/buildings/items?f=html",
    ] {
        let (status, headers, _) = get(&router, path, &[]).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
    }
    let (_, headers, _) = get(&router, "/healthz", &[]).await;
    assert_eq!(headers["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn every_page_has_an_icon_whether_or_not_the_ui_is_built() {
    let t = TestApp::new().await;
    let built = dist();
    for router in [with_web(&t, None), with_web(&t, Some(built.path()))] {
        for path in ["/favicon.ico", "/favicon.svg"] {
            let (status, headers, body) = get(&router, path, &[]).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert_eq!(headers["content-type"], "image/svg+xml");
            assert!(String::from_utf8(body).unwrap().starts_with("<svg"));
        }
    }
}
