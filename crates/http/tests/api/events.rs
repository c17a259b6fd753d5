//! `/api/v1/events`: the live channel that open maps listen to.

use std::time::Duration;

use axum::{
    body::Body,
    http::{Method, StatusCode},
};
use http_body_util::BodyExt;
use serde_json::{json, Value as Json};

use crate::common::{fixture, TestApp};

/// Reads the stream until a whole event (ending in a blank line) with a data line has
/// arrived, skipping keep-alive comments; gives its type and data.
async fn next_event(body: &mut Body, buf: &mut String) -> (String, Json) {
    loop {
        if let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let mut kind = String::from("message");
            let mut data = None;
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    kind = v.trim().to_owned();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data = Some(serde_json::from_str(v.trim()).expect("JSON data"));
                }
            }
            if let Some(data) = data {
                return (kind, data);
            }
            continue;
        }
        let frame = tokio::time::timeout(Duration::from_secs(5), body.frame())
            .await
            .expect("an event within 5 s")
            .expect("the stream stays open")
            .expect("a frame");
        if let Ok(bytes) = frame.into_data() {
            buf.push_str(std::str::from_utf8(&bytes).unwrap());
        }
    }
}

#[tokio::test]
async fn every_write_is_announced_on_the_open_stream_in_order() {
    let app = TestApp::new().await;
    let res = app.open("/api/v1/events").await;
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let mut body = res.into_body();
    let mut buf = String::new();
    assert_eq!(next_event(&mut body, &mut buf).await.0, "hello");

    let items = "/ogc/collections/buildings/items";
    let feature = json!({
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [114.06, 22.56]},
        "properties": {"use": "住宅", "height_m": 30.0, "floors": 10}
    });
    // A point is not a building footprint: the write is refused and nothing is announced.
    let refused = app.send_geojson(Method::POST, items, &feature).await;
    assert_eq!(refused.status.as_u16(), 400);

    let mut building = feature.clone();
    building["geometry"] = json!({"type": "Polygon", "coordinates": [[
        [114.06, 22.56], [114.061, 22.56], [114.061, 22.561], [114.06, 22.561], [114.06, 22.56]
    ]]});
    let created = app.send_geojson(Method::POST, items, &building).await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.text());
    let id = fixture::BUILDINGS as i64 + 1;
    let (kind, data) = next_event(&mut body, &mut buf).await;
    assert_eq!(kind, "feature");
    assert_eq!(
        data,
        json!({"layer": "buildings", "id": id, "kind": "created"})
    );

    let r = app
        .send_admin(Method::DELETE, &format!("{items}/{id}"), &[], Body::empty())
        .await;
    assert_eq!(r.status.as_u16(), 204);
    let (kind, data) = next_event(&mut body, &mut buf).await;
    assert_eq!(kind, "feature");
    assert_eq!(
        data,
        json!({"layer": "buildings", "id": id, "kind": "deleted"})
    );
}

#[tokio::test]
async fn a_client_holds_a_bounded_number_of_live_streams() {
    // The finding: 500 anonymous streams were accepted from one client.
    use citymirror_http::security::streams::PER_ADDRESS;
    let app = TestApp::new().await;
    let mut open = Vec::new();
    for i in 0..PER_ADDRESS {
        let r = app.open("/api/v1/events").await;
        assert_eq!(r.status(), StatusCode::OK, "stream {i}");
        open.push(r);
    }
    let r = app.get("/api/v1/events").await;
    assert_eq!(
        r.error_code(StatusCode::TOO_MANY_REQUESTS),
        "too_many_streams"
    );
    // A client that closes one may open another.
    open.pop();
    let r = app.open("/api/v1/events").await;
    assert_eq!(r.status(), StatusCode::OK);
    // A signed-in reader has streams of their own.
    let token = app
        .token(citymirror_trust::Role::Supervisor, Some("440304"))
        .await;
    let bearer = format!("Bearer {token}");
    let req = axum::http::Request::get("/api/v1/events")
        .header("host", crate::common::HOST)
        .header("authorization", bearer)
        .body(axum::body::Body::empty())
        .unwrap();
    let r = tower::ServiceExt::oneshot(app.router(), req).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}
