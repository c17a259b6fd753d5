//! `/api/v1/areas`: the drill-down 区 → 街道 → 社区 → 网格 with headline figures.

use axum::http::StatusCode;
use citymirror_trust::Role;
use serde_json::{json, Value as Json};

use crate::common::{
    fixture::{building_corner, BUILDINGS, GRIDS, PERSONS_PER_GRID, SIZE},
    TestApp,
};

/// How many fixture buildings have their centre in the grid cell `(col, row)` of the
/// fixture's 2×2 layout (see fixture.rs), worked out from the layout, not the server.
fn buildings_in(prefix: &str) -> u64 {
    (0..BUILDINGS)
        .filter(|&i| {
            let (x, y) = building_corner(i);
            let (cx, cy) = (x + SIZE / 2.0, y + SIZE / 2.0);
            let grid = GRIDS[usize::from(cx >= 114.05) * 2 + usize::from(cy >= 22.55)];
            grid.starts_with(prefix)
        })
        .count() as u64
}

#[tokio::test]
async fn the_district_shows_its_figures_and_its_streets() {
    let app = TestApp::new().await;
    let doc = app.get_json("/api/v1/areas").await;
    assert_eq!(doc["code"], "440304");
    assert_eq!(doc["level"], "district");
    assert_eq!(doc["name"], "福田区");
    assert_eq!(doc["parent"], Json::Null);
    assert_eq!(doc["bbox"], json!([114.0, 22.5, 114.1, 22.6]));
    assert_eq!(
        doc["counts"],
        json!({ "buildings": BUILDINGS, "components": 2, "devices": 1, "cameras": 1,
                "pipes": 1, "people": null })
    );
    let streets: Vec<&str> = doc["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(streets, ["园岭街道", "南园街道"]);
    // The streets' figures add up to the district's.
    let sum: u64 = doc["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["counts"]["buildings"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, BUILDINGS as u64);
    assert_eq!(
        doc["children"][0]["counts"]["buildings"],
        buildings_in("440304001")
    );
}

#[tokio::test]
async fn drilling_down_reaches_a_grid_with_its_parent_and_no_children() {
    let app = TestApp::new().await;
    let community = app.get_json("/api/v1/areas/440304002001").await;
    assert_eq!(community["level"], "community");
    assert_eq!(
        community["parent"],
        json!({ "code": "440304002", "name": "南园街道", "level": "street" })
    );
    let grids: Vec<&str> = community["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(grids, ["44030400200101", "44030400200102"]);

    let grid = app.get_json("/api/v1/areas/44030400200102").await;
    assert_eq!(grid["name"], "滨江第二网格");
    assert_eq!(grid["children"], json!([]));
    assert_eq!(grid["counts"]["buildings"], buildings_in("44030400200102"));
    assert_eq!(grid["counts"]["components"], 1);
    assert_eq!(grid["counts"]["devices"], 1);
}

#[tokio::test]
async fn people_are_counted_only_inside_the_readers_jurisdiction() {
    let app = TestApp::new().await;
    let admin = app.token(Role::DistrictAdmin, None).await;
    let doc = app.get_as(&admin, "/api/v1/areas").await.json();
    assert_eq!(doc["counts"]["people"], 4 * PERSONS_PER_GRID);
    assert_eq!(doc["children"][1]["counts"]["people"], 2 * PERSONS_PER_GRID);

    let worker = app.token(Role::GridWorker, Some(GRIDS[0])).await;
    let doc = app
        .get_as(&worker, "/api/v1/areas/440304001001")
        .await
        .json();
    assert_eq!(
        doc["counts"]["people"],
        Json::Null,
        "the community is wider"
    );
    assert_eq!(doc["children"][0]["counts"]["people"], PERSONS_PER_GRID);
    assert_eq!(doc["children"][1]["counts"]["people"], Json::Null);
    // Feature counts are public whoever reads them.
    assert_eq!(
        doc["children"][1]["counts"]["buildings"],
        buildings_in(GRIDS[1])
    );
}

#[tokio::test]
async fn unknown_and_malformed_codes_are_refused() {
    let app = TestApp::new().await;
    let r = app.get("/api/v1/areas/44030400900101").await;
    assert_eq!(r.error_code(StatusCode::NOT_FOUND), "not_found");
    for bad in ["4403", "44030400a", "福田"] {
        let r = app.get(&format!("/api/v1/areas/{bad}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}
