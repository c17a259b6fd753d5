//! The landing page, conformance and health.

use crate::common::{assert_links_well_formed, fixture, link, TestApp, BASE};

#[tokio::test]
async fn the_landing_page_links_everything_absolutely_with_and_without_a_trailing_slash() {
    let app = TestApp::new().await;
    for path in ["/ogc", "/ogc/"] {
        let r = app.get(path).await;
        assert_eq!(r.status, 200);
        // ogctests compares the media type exactly.
        assert_eq!(r.header("content-type"), "application/json");
        let doc = r.json();
        assert_links_well_formed(&doc);
        assert_eq!(
            link(&doc, "self", Some("application/json")),
            Some(&*format!("{BASE}/ogc?f=json"))
        );
        assert_eq!(
            link(&doc, "alternate", Some("text/html")),
            Some(&*format!("{BASE}/ogc?f=html"))
        );
        assert_eq!(
            link(
                &doc,
                "service-desc",
                Some("application/vnd.oai.openapi+json;version=3.0")
            ),
            Some(&*format!("{BASE}/ogc/api"))
        );
        assert_eq!(
            link(&doc, "service-doc", Some("text/html")),
            Some(&*format!("{BASE}/ogc/api?f=html"))
        );
        assert_eq!(
            link(&doc, "conformance", None),
            Some(&*format!("{BASE}/ogc/conformance"))
        );
        assert_eq!(
            link(&doc, "data", None),
            Some(&*format!("{BASE}/ogc/collections"))
        );
    }
}

#[tokio::test]
async fn every_landing_link_can_be_followed() {
    let app = TestApp::new().await;
    let doc = app.get_json("/ogc").await;
    for l in doc["links"].as_array().unwrap() {
        let r = app.get(l["href"].as_str().unwrap()).await;
        assert_eq!(r.status, 200, "{l}");
        let expected = l["type"].as_str().unwrap();
        assert!(
            r.header("content-type").starts_with(expected),
            "{l}: {}",
            r.header("content-type")
        );
    }
}

#[tokio::test]
async fn a_configured_public_url_prefixes_every_link() {
    use citymirror_http::{app, AppState, HttpConfig};
    let t = TestApp::new().await;
    let router = app(AppState {
        service: t.service.clone(),
        cases: t.cases.clone(),
        sensing: t.sensing.clone(),
        video: t.video.clone(),
        security: t.security.clone(),
        config: HttpConfig {
            allowed_hosts: vec![crate::common::HOST.to_owned()],
            public_url: Some("https://twin.example.org/futian/".into()),
            ..HttpConfig::default()
        },
    });
    let req = axum::http::Request::get("/ogc")
        .header("host", "elsewhere")
        .body(axum::body::Body::empty())
        .unwrap();
    let res = tower::ServiceExt::oneshot(router, req).await.unwrap();
    let body = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        link(&doc, "data", None),
        Some("https://twin.example.org/futian/ogc/collections")
    );
}

#[tokio::test]
async fn conformance_lists_the_implemented_classes() {
    let app = TestApp::new().await;
    let r = app.get("/ogc/conformance").await;
    assert_eq!(r.header("content-type"), "application/json");
    let classes = r.json()["conformsTo"].clone();
    for c in [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
        "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
        "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
    ] {
        assert!(
            classes.as_array().unwrap().iter().any(|x| x == c),
            "{c} missing from {classes}"
        );
    }
}

#[tokio::test]
async fn healthz_counts_every_feature() {
    let app = TestApp::new().await;
    let doc = app.get_json("/healthz").await;
    assert_eq!(
        doc,
        serde_json::json!({ "status": "ok", "features": fixture::TOTAL })
    );
}
