//! OGC API – Features Part 4: create, replace, update and delete, through the store.

use axum::http::{Method, StatusCode};
use citymirror_core::LayerId;
use serde_json::{json, Value as Json};

use crate::common::{fixture, ids, TestApp, BASE};

/// A new building at (114.08, 22.58), in the north-east grid, where no fixture building stands.
fn new_building() -> Json {
    json!({
        "type": "Feature",
        "geometry": { "type": "Polygon", "coordinates": [[[114.08, 22.58], [114.081, 22.58], [114.081, 22.581], [114.08, 22.581], [114.08, 22.58]]] },
        "properties": { "name": "新楼", "use": "办公", "height_m": 99.5, "floors": 30, "completed": "2024-05-01" },
    })
}

const NEAR_NEW: &str = "/ogc/collections/buildings/items?bbox=114.079,22.579,114.082,22.582";

#[tokio::test]
async fn create_get_patch_put_delete_round_trip() {
    let app = TestApp::new().await;
    assert!(ids(&app.get_json(NEAR_NEW).await).is_empty());

    // Create: 201, Location, the feature back with its id and derived grid code.
    let r = app
        .send_geojson(
            Method::POST,
            "/ogc/collections/buildings/items",
            &new_building(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let created = r.json();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(id, fixture::BUILDINGS as i64 + 1);
    let location = r.header("location").to_owned();
    assert_eq!(
        location,
        format!("{BASE}/ogc/collections/buildings/items/{id}")
    );
    assert_eq!(created["properties"]["grid_code"], "44030400200102");

    // Get: the same feature, and the index knows it.
    let got = app.get_json(&location).await;
    assert_eq!(got["properties"]["name"], "新楼");
    assert_eq!(ids(&app.get_json(NEAR_NEW).await), [id]);
    assert_eq!(
        app.get_json("/ogc/collections/buildings/items?floors=30")
            .await["numberMatched"],
        1
    );

    // Patch: named properties change, the rest stay; null clears.
    let r = app
        .send_admin(
            Method::PATCH,
            &location,
            &[("content-type", "application/merge-patch+json")],
            json!({ "properties": { "floors": 31, "name": null } }).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let patched = app.get_json(&location).await["properties"].clone();
    assert_eq!(
        (&patched["floors"], &patched["name"], &patched["use"]),
        (&json!(31), &Json::Null, &json!("办公"))
    );

    // Put: a whole new feature under the same id, moved west; the index follows.
    let mut moved = new_building();
    moved["geometry"] = json!({ "type": "Polygon", "coordinates": [[[114.0005, 22.5005], [114.0015, 22.5005], [114.0015, 22.5015], [114.0005, 22.5005]]] });
    moved["properties"]["name"] = json!("搬迁楼");
    let r = app.send_geojson(Method::PUT, &location, &moved).await;
    assert!(
        r.status == StatusCode::OK || r.status == StatusCode::NO_CONTENT,
        "{}",
        r.text()
    );
    let replaced = app.get_json(&location).await;
    assert_eq!(replaced["properties"]["name"], "搬迁楼");
    assert_eq!(replaced["properties"]["floors"], 30);
    assert_eq!(replaced["properties"]["grid_code"], "44030400100101");
    assert!(ids(&app.get_json(NEAR_NEW).await).is_empty());
    assert_eq!(
        ids(&app
            .get_json("/ogc/collections/buildings/items?bbox=114.0,22.5,114.002,22.502")
            .await),
        [id]
    );

    // Delete: 204, then 404, and gone from queries.
    let r = app.send_admin(Method::DELETE, &location, &[], "").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&location).await.error_code(StatusCode::NOT_FOUND),
        "not_found"
    );
    assert!(ids(&app
        .get_json("/ogc/collections/buildings/items?bbox=114.0,22.5,114.002,22.502")
        .await)
    .is_empty());
    assert_eq!(
        app.get_json("/ogc/collections/buildings/items").await["numberMatched"],
        fixture::BUILDINGS
    );
    let r = app.send_admin(Method::DELETE, &location, &[], "").await;
    assert_eq!(r.error_code(StatusCode::NOT_FOUND), "not_found");
}

#[tokio::test]
async fn writes_persist_in_the_store() {
    let app = TestApp::new().await;
    let r = app
        .send_geojson(
            Method::POST,
            "/ogc/collections/buildings/items",
            &new_building(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let stored = app
        .service
        .repo()
        .load_layer(LayerId::Buildings)
        .await
        .unwrap();
    assert_eq!(stored.len(), fixture::BUILDINGS + 1);
}

#[tokio::test]
async fn invalid_writes_are_refused_and_change_nothing() {
    let app = TestApp::new().await;
    let before = app
        .get("/ogc/collections/buildings/items?limit=100")
        .await
        .json()["features"]
        .clone();
    let items = "/ogc/collections/buildings/items";
    let geojson = [("content-type", "application/geo+json")];

    let mut missing_floors = new_building();
    missing_floors["properties"]
        .as_object_mut()
        .unwrap()
        .remove("floors");
    let mut wrong_type = new_building();
    wrong_type["properties"]["floors"] = json!("thirty");
    let mut unknown_prop = new_building();
    unknown_prop["properties"]["colour"] = json!("red");
    let mut point = new_building();
    point["geometry"] = json!({ "type": "Point", "coordinates": [114.08, 22.58] });
    let mut off_earth = new_building();
    off_earth["geometry"]["coordinates"][0][0] = json!([214.08, 22.58]);
    for (what, body) in [
        ("missing required", missing_floors.to_string()),
        ("wrong type", wrong_type.to_string()),
        ("unknown property", unknown_prop.to_string()),
        ("wrong geometry", point.to_string()),
        ("coordinates off the earth", off_earth.to_string()),
        ("not JSON", "{\"type\": \"Feature\",".to_owned()),
        (
            "not a feature",
            json!({ "type": "FeatureCollection", "features": [] }).to_string(),
        ),
        (
            "no geometry",
            json!({ "type": "Feature", "properties": {} }).to_string(),
        ),
    ] {
        let r = app.send_admin(Method::POST, items, &geojson, body).await;
        assert_eq!(
            r.error_code(StatusCode::BAD_REQUEST),
            "invalid_body",
            "{what}"
        );
    }
    let r = app
        .send_admin(
            Method::POST,
            items,
            &[("content-type", "text/plain")],
            new_building().to_string(),
        )
        .await;
    assert_eq!(
        r.error_code(StatusCode::UNSUPPORTED_MEDIA_TYPE),
        "unsupported_media_type"
    );
    let r = app
        .send_admin(Method::POST, items, &[], new_building().to_string())
        .await;
    assert_eq!(
        r.error_code(StatusCode::UNSUPPORTED_MEDIA_TYPE),
        "unsupported_media_type"
    );

    let r = app
        .send_admin(
            Method::PATCH,
            &format!("{items}/1"),
            &geojson,
            json!({ "properties": { "floors": "many" } }).to_string(),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::BAD_REQUEST), "invalid_body");
    let r = app
        .send_admin(
            Method::PATCH,
            &format!("{items}/1"),
            &geojson,
            json!({ "properties": { "use": null } }).to_string(),
        )
        .await;
    assert_eq!(
        r.error_code(StatusCode::BAD_REQUEST),
        "invalid_body",
        "a required property cannot be cleared"
    );
    let r = app
        .send_geojson(Method::PUT, &format!("{items}/1"), &wrong_type)
        .await;
    assert_eq!(r.error_code(StatusCode::BAD_REQUEST), "invalid_body");

    let after = app
        .get("/ogc/collections/buildings/items?limit=100")
        .await
        .json()["features"]
        .clone();
    assert_eq!(before, after);
    assert_eq!(
        app.service
            .repo()
            .load_layer(LayerId::Buildings)
            .await
            .unwrap()
            .len(),
        fixture::BUILDINGS
    );
}

#[tokio::test]
async fn writes_to_unknown_features_or_collections_are_404() {
    let app = TestApp::new().await;
    let r = app
        .send_geojson(
            Method::PUT,
            "/ogc/collections/buildings/items/999",
            &new_building(),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::NOT_FOUND), "not_found");
    let r = app
        .send_geojson(
            Method::PATCH,
            "/ogc/collections/buildings/items/999",
            &json!({ "properties": { "floors": 3 } }),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::NOT_FOUND), "not_found");
    let r = app
        .send_geojson(
            Method::POST,
            "/ogc/collections/rivers/items",
            &new_building(),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::NOT_FOUND), "not_found");
    assert_eq!(
        app.get_json("/ogc/collections/buildings/items").await["numberMatched"],
        fixture::BUILDINGS
    );
}

#[tokio::test]
async fn a_body_in_another_crs_is_stored_in_crs84() {
    let app = TestApp::new().await;
    let mut swapped = new_building();
    swapped["geometry"]["coordinates"] = json!([[
        [22.58, 114.08],
        [22.58, 114.081],
        [22.581, 114.081],
        [22.581, 114.08],
        [22.58, 114.08]
    ]]);
    let r = app
        .send_admin(
            Method::POST,
            "/ogc/collections/buildings/items",
            &[
                ("content-type", "application/geo+json"),
                (
                    "content-crs",
                    "<http://www.opengis.net/def/crs/EPSG/0/4326>",
                ),
            ],
            swapped.to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(ids(&app.get_json(NEAR_NEW).await).len(), 1);
}

#[tokio::test]
async fn an_oversized_body_is_413_json() {
    let app = TestApp::new().await;
    let big = format!(
        "{{\"type\":\"Feature\",\"pad\":\"{}\"}}",
        "x".repeat(17 << 20)
    );
    let r = app
        .send_admin(
            Method::POST,
            "/ogc/collections/buildings/items",
            &[
                ("content-type", "application/geo+json"),
                ("content-length", &big.len().to_string()),
            ],
            big.clone(),
        )
        .await;
    assert_eq!(
        r.error_code(StatusCode::PAYLOAD_TOO_LARGE),
        "payload_too_large"
    );
}

/// POSTs `feature` to `layer` as the administrator; returns the reply.
async fn post(app: &TestApp, layer: &str, feature: &Json) -> crate::common::Reply {
    app.send_geojson(
        Method::POST,
        &format!("/ogc/collections/{layer}/items"),
        feature,
    )
    .await
}

fn building_with(ring: Vec<[f64; 2]>, name: &str) -> Json {
    json!({
        "type": "Feature",
        "geometry": { "type": "Polygon", "coordinates": [ring] },
        "properties": { "name": name, "use": "办公", "height_m": 10.0, "floors": 3 },
    })
}

#[tokio::test]
async fn invalid_oversized_and_uncatalogued_writes_are_refused_and_change_nothing() {
    // The finding: writes took a self-intersecting polygon, a two-point ring, category
    // 9999, a 1 MB string and a 500,000-vertex polygon (12 MiB, 1.7 s).
    let app = TestApp::new().await;
    let before = app.service.twin().layer(LayerId::Buildings).len();
    let bowtie = vec![
        [114.08, 22.58],
        [114.081, 22.581],
        [114.081, 22.58],
        [114.08, 22.581],
        [114.08, 22.58],
    ];
    let two_points = vec![[114.08, 22.58], [114.081, 22.581], [114.08, 22.58]];
    let huge: Vec<[f64; 2]> = (0..500_000)
        .map(|i| {
            let a = f64::from(i) / 500_000.0 * std::f64::consts::TAU;
            let r = |v: f64| (v * 1e6).round() / 1e6;
            [r(114.08 + 0.0005 * a.cos()), r(22.58 + 0.0005 * a.sin())]
        })
        .chain([[114.0805, 22.58]])
        .collect();
    let square = vec![
        [114.08, 22.58],
        [114.081, 22.58],
        [114.081, 22.581],
        [114.08, 22.581],
        [114.08, 22.58],
    ];
    for (what, body, expected) in [
        ("bow tie", building_with(bowtie, "x"), "self-intersection"),
        (
            "two-point ring",
            building_with(two_points, "x"),
            "3 distinct points",
        ),
        (
            "1 MB name",
            building_with(square.clone(), &"名".repeat(1 << 18)),
            "at most 500",
        ),
        (
            "500,000 vertices",
            building_with(huge, "x"),
            "at most 20000",
        ),
    ] {
        let r = post(&app, "buildings", &body).await;
        assert_eq!(
            r.error_code(StatusCode::BAD_REQUEST),
            "invalid_body",
            "{what}"
        );
        assert!(r.text().contains(expected), "{what}: {}", r.text());
    }
    assert_eq!(app.service.twin().layer(LayerId::Buildings).len(), before);

    let component = |category: &str| {
        json!({
            "type": "Feature",
            "geometry": { "type": "Point", "coordinates": [114.0553, 22.5405] },
            "properties": { "category": category, "status": "完好" },
        })
    };
    let r = post(&app, "components", &component("9999")).await;
    assert_eq!(r.error_code(StatusCode::BAD_REQUEST), "invalid_body");
    assert!(
        r.text().contains("not a component category"),
        "{}",
        r.text()
    );
    let r = post(
        &app,
        "cameras",
        &json!({
            "type": "Feature",
            "geometry": { "type": "Point", "coordinates": [114.0553, 22.5405] },
            "properties": { "gb_id": "12345" },
        }),
    )
    .await;
    assert_eq!(r.error_code(StatusCode::BAD_REQUEST), "invalid_body");
}

#[tokio::test]
async fn a_written_component_is_found_by_its_category_name_like_a_generated_one() {
    // The finding: a component POSTed with category 0115 came back with category_name and
    // class_name null, so the README's `category_name=消防栓` filter missed it.
    let app = TestApp::new().await;
    let count = |q: &'static str| {
        let app = &app;
        async move {
            app.get_json(&format!("/ogc/collections/components/items?{q}"))
                .await["numberMatched"]
                .as_u64()
                .unwrap()
        }
    };
    let (by_code, by_name) = (
        count("category=0115").await,
        count("category_name=消防栓").await,
    );
    let r = post(
        &app,
        "components",
        &json!({
            "type": "Feature",
            "geometry": { "type": "Point", "coordinates": [114.0553, 22.5405] },
            "properties": { "category": "0115", "status": "完好" },
        }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let f = r.json();
    assert_eq!(f["properties"]["category_name"], "消防栓");
    assert_eq!(f["properties"]["class_name"], "公用设施");
    assert_eq!(count("category=0115").await, by_code + 1);
    assert_eq!(count("category_name=消防栓").await, by_name + 1);
}
