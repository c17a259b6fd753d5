//! `/api/v1/search`: features by name and address.

use axum::http::StatusCode;

use crate::common::TestApp;

fn names(doc: &serde_json::Value) -> Vec<String> {
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_chinese_name_finds_units_coarse_to_fine() {
    let app = TestApp::new().await;
    let doc = app.get_json("/api/v1/search?q=%E6%BB%A8%E6%B1%9F").await; // 滨江
    assert_eq!(doc["query"], "滨江");
    assert_eq!(names(&doc), ["滨江社区", "滨江第一网格", "滨江第二网格"]);
    let first = &doc["results"][0];
    assert_eq!(first["layer"], "communities");
    assert_eq!(
        first["bbox"],
        serde_json::json!([114.05, 22.5, 114.1, 22.6])
    );
    assert_eq!(first["center"], serde_json::json!([114.075, 22.55]));
    assert_eq!(first["grid_code"], "440304002001");
    assert_eq!(first["address"], serde_json::Value::Null);
}

#[tokio::test]
async fn buildings_are_found_by_name_with_their_grid_and_limited() {
    let app = TestApp::new().await;
    let doc = app.get_json("/api/v1/search?q=12%E5%8F%B7%E6%A5%BC").await; // 12号楼
    assert_eq!(names(&doc), ["12号楼"]);
    assert_eq!(doc["results"][0]["layer"], "buildings");
    assert_eq!(doc["results"][0]["id"], 12);
    assert!(doc["results"][0]["grid_code"]
        .as_str()
        .unwrap()
        .starts_with("440304"));

    let doc = app
        .get_json("/api/v1/search?q=%E5%8F%B7%E6%A5%BC&limit=5")
        .await; // 号楼
    assert_eq!(doc["results"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn bad_queries_get_a_clear_error() {
    let app = TestApp::new().await;
    for q in [
        "",
        "?q=",
        "?q=%20%20",
        "?q=a&limit=0",
        "?q=a&limit=101",
        "?q=a&limit=x",
    ] {
        let r = app.get(&format!("/api/v1/search{q}")).await;
        assert_eq!(
            r.error_code(StatusCode::BAD_REQUEST),
            "invalid_parameter",
            "{q}"
        );
    }
    let r = app.get("/api/v1/search?q=a&bbox=1,2,3,4").await;
    assert_eq!(r.error_code(StatusCode::BAD_REQUEST), "unknown_parameter");
    let long = "x".repeat(101);
    let r = app.get(&format!("/api/v1/search?q={long}")).await;
    assert_eq!(r.error_code(StatusCode::BAD_REQUEST), "invalid_parameter");
}

#[tokio::test]
async fn landmarks_roads_water_and_parks_are_found_by_name() {
    let app = TestApp::new().await;
    for (q, layer) in [
        ("市民中心", "landmarks"),
        ("深南大道", "roads"),
        ("香蜜湖", "water"),
        ("莲花山公园", "parks"),
    ] {
        let doc = app.get_json(&format!("/api/v1/search?q={q}")).await;
        assert_eq!(names(&doc), [q], "{q}");
        assert_eq!(doc["results"][0]["layer"], layer, "{q}");
        assert!(doc["results"][0]["grid_code"].is_string(), "{q}: {doc}");
    }
}
