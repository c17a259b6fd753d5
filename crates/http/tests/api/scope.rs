//! Authorisation, resource by resource: every protected resource tried with no
//! credentials (401), a role that lacks the action (403), and a jurisdiction that does
//! not cover the object, guessed ids included (404, exactly like a missing id).
//! Run on SQLite, and on PostgreSQL with `CITYMIRROR_HTTP_TEST_BACKEND=postgres`.

use axum::http::{Method, StatusCode};
use citymirror_trust::Role;
use serde_json::json;

use crate::common::{fixture, TestApp};

const GRID_1: &str = fixture::GRIDS[0];
const GRID_2: &str = fixture::GRIDS[1];
const STREET_1: &str = "440304001";

/// Every protected read, as (method, path).
const PROTECTED_READS: [&str; 8] = [
    "/api/v1/records/persons",
    "/api/v1/records/houses/1",
    "/api/v1/records/entities",
    "/api/v1/users",
    "/api/v1/users/1",
    "/api/v1/units",
    "/api/v1/tokens",
    "/api/v1/audit/entries",
];

#[tokio::test]
async fn without_credentials_every_protected_resource_answers_401() {
    let app = TestApp::new().await;
    for path in PROTECTED_READS {
        assert_eq!(
            app.get(path).await.error_code(StatusCode::UNAUTHORIZED),
            "unauthenticated",
            "{path}"
        );
    }
    let r = app
        .send(
            Method::POST,
            "/ogc/collections/buildings/items",
            &[("content-type", "application/geo+json")],
            building_at(114.01, 22.51).to_string(),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::UNAUTHORIZED), "unauthenticated");
    assert_eq!(r.header("www-authenticate"), "Bearer realm=\"citymirror\"");
    let r = app
        .send(
            Method::DELETE,
            "/ogc/collections/buildings/items/1",
            &[],
            "",
        )
        .await;
    assert_eq!(r.error_code(StatusCode::UNAUTHORIZED), "unauthenticated");
    let r = app.send(Method::DELETE, "/api/v1/tokens/1", &[], "").await;
    assert_eq!(r.error_code(StatusCode::UNAUTHORIZED), "unauthenticated");
    // Reads of the twin stay open.
    assert_eq!(
        app.get("/ogc/collections/buildings/items").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn bad_credentials_are_refused_not_downgraded_to_anonymous() {
    let app = TestApp::new().await;
    let unknown = format!(
        "Bearer cm_999_{}",
        citymirror_trust::secret::random_secret()
    );
    let wrong_secret = format!("Bearer cm_1_{}", citymirror_trust::secret::random_secret());
    for (auth, status, code) in [
        // Well-formed, but no live token of ours: 401, sign in again.
        (unknown.as_str(), StatusCode::UNAUTHORIZED, "invalid_token"),
        (
            wrong_secret.as_str(),
            StatusCode::UNAUTHORIZED,
            "invalid_token",
        ),
        // Not a token at all: 400, saying what is wrong with the header.
        (
            "Bearer nonsense",
            StatusCode::BAD_REQUEST,
            "malformed_credentials",
        ),
        (
            "Bearer cm_1_wrongsecret",
            StatusCode::BAD_REQUEST,
            "malformed_credentials",
        ),
        ("Bearer", StatusCode::BAD_REQUEST, "malformed_credentials"),
        (
            "Basic YWRtaW46eA==",
            StatusCode::BAD_REQUEST,
            "malformed_credentials",
        ),
    ] {
        let r = app
            .get_with(
                "/ogc/collections/buildings/items",
                &[("authorization", auth)],
            )
            .await;
        assert_eq!(r.error_code(status), code, "{auth}");
    }
}

#[tokio::test]
async fn an_empty_bearer_token_is_told_apart_from_a_revoked_one() {
    // The README's `TOKEN=$(citymirror token create …)` left TOKEN empty, and the answer
    // said "sign in again".
    let app = TestApp::new().await;
    let r = app
        .get_with("/api/v1/records/persons", &[("authorization", "Bearer ")])
        .await;
    assert_eq!(
        r.error_code(StatusCode::BAD_REQUEST),
        "malformed_credentials"
    );
    assert!(
        r.json()["message"].as_str().unwrap().contains("empty"),
        "{}",
        r.text()
    );
    let bearer = format!("Bearer {}", app.admin);
    let r = app
        .get_with(
            "/api/v1/tokens",
            &[("authorization", &bearer), ("authorization", &bearer)],
        )
        .await;
    assert_eq!(
        r.error_code(StatusCode::BAD_REQUEST),
        "malformed_credentials"
    );
    assert!(r.text().contains("more than one"), "{}", r.text());
}

#[tokio::test]
async fn roles_without_the_action_get_403() {
    let app = TestApp::new().await;
    let cases: [(Role, Option<&str>, Method, &str); 12] = [
        (Role::Citizen, None, Method::GET, "/api/v1/records/persons"),
        (
            Role::ExternalConsumer,
            None,
            Method::GET,
            "/api/v1/records/persons",
        ),
        (
            Role::DepartmentHandler,
            Some("440304-D01"),
            Method::GET,
            "/api/v1/records/houses",
        ),
        (
            Role::DepartmentHandler,
            Some("440304-D01"),
            Method::GET,
            "/api/v1/records/persons/1",
        ),
        (Role::Citizen, None, Method::GET, "/api/v1/units"),
        (Role::GridWorker, Some(GRID_1), Method::GET, "/api/v1/users"),
        (
            Role::StreetStaff,
            Some(STREET_1),
            Method::GET,
            "/api/v1/users/1",
        ),
        (
            Role::GridWorker,
            Some(GRID_1),
            Method::GET,
            "/api/v1/audit/entries",
        ),
        (
            Role::DataAnalyst,
            None,
            Method::GET,
            "/api/v1/audit/entries",
        ),
        (Role::Supervisor, None, Method::GET, "/api/v1/tokens"),
        (Role::Supervisor, None, Method::DELETE, "/api/v1/tokens/1"),
        (
            Role::DataAnalyst,
            None,
            Method::DELETE,
            "/ogc/collections/buildings/items/1",
        ),
    ];
    for (role, unit, method, path) in cases {
        let token = app.token(role, unit).await;
        let bearer = format!("Bearer {token}");
        let r = app
            .send(method.clone(), path, &[("authorization", &bearer)], "")
            .await;
        assert_eq!(
            r.error_code(StatusCode::FORBIDDEN),
            "forbidden",
            "{role} {method} {path}"
        );
    }
    // Changing the administrative layers is for district administrators only.
    let street = app.token(Role::StreetStaff, Some(STREET_1)).await;
    let bearer = format!("Bearer {street}");
    let r = app
        .send(
            Method::PATCH,
            "/ogc/collections/grids/items/1",
            &[
                ("authorization", &bearer),
                ("content-type", "application/merge-patch+json"),
            ],
            json!({ "properties": { "name": "改名" } }).to_string(),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::FORBIDDEN), "forbidden");
}

#[tokio::test]
async fn records_outside_the_jurisdiction_are_not_found_even_by_guessed_id() {
    let app = TestApp::new().await;
    let worker = app.token(Role::GridWorker, Some(GRID_1)).await;
    let street = app.token(Role::StreetStaff, Some(STREET_1)).await;
    let community = app.token(Role::CommunityStaff, Some("440304002001")).await;
    let total = fixture::GRIDS.len() * fixture::PERSONS_PER_GRID;
    for id in 1..=total + 3 {
        let grid = fixture::GRIDS.get((id - 1) / fixture::PERSONS_PER_GRID);
        let path = format!("/api/v1/records/persons/{id}");
        for (token, covers) in [
            (&worker, grid.is_some_and(|g| *g == GRID_1)),
            (&street, grid.is_some_and(|g| g.starts_with(STREET_1))),
            (
                &community,
                grid.is_some_and(|g| g.starts_with("440304002001")),
            ),
        ] {
            let r = app.get_as(token, &path).await;
            if covers {
                assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
            } else {
                assert_eq!(r.error_code(StatusCode::NOT_FOUND), "not_found", "{path}");
                assert!(
                    !r.text().contains("grid"),
                    "a 404 must not say why: {}",
                    r.text()
                );
            }
        }
    }
    // A grid outside the jurisdiction, named in the query, is not found either.
    for grid in [GRID_2, "440304002", "440304"] {
        let r = app
            .get_as(&worker, &format!("/api/v1/records/persons?grid={grid}"))
            .await;
        assert_eq!(r.error_code(StatusCode::NOT_FOUND), "not_found", "{grid}");
    }
    for kind in ["houses", "entities"] {
        let r = app
            .get_as(&worker, &format!("/api/v1/records/{kind}/{}", 2))
            .await;
        assert_eq!(
            r.error_code(StatusCode::NOT_FOUND),
            "not_found",
            "{kind} of grid 2"
        );
    }
}

#[tokio::test]
async fn lists_hold_only_what_the_jurisdiction_covers() {
    let app = TestApp::new().await;
    for (role, unit, expected) in [
        (Role::GridWorker, GRID_1, fixture::PERSONS_PER_GRID),
        (
            Role::CommunityStaff,
            "440304001001",
            2 * fixture::PERSONS_PER_GRID,
        ),
        (
            Role::StreetStaff,
            "440304002",
            2 * fixture::PERSONS_PER_GRID,
        ),
        (Role::Supervisor, "440304", 4 * fixture::PERSONS_PER_GRID),
    ] {
        let token = app.token(role, Some(unit)).await;
        let r = app
            .get_as(&token, "/api/v1/records/persons?limit=1000")
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let doc = r.json();
        let records = doc["records"].as_array().unwrap();
        assert_eq!(records.len(), expected, "{role} of {unit}");
        assert!(
            records
                .iter()
                .all(|p| p["grid_code"].as_str().unwrap().starts_with(unit)),
            "{role}: {doc}"
        );
    }
}

#[tokio::test]
async fn the_whole_geometry_must_lie_inside_the_writers_jurisdiction() {
    // The finding: a grid worker created a 0.12°×0.12° building centred on their grid
    // that reached into another street, and a pipe across the district, because only
    // the point they were located by was checked.
    let app = TestApp::new().await;
    let worker = app.token(Role::GridWorker, Some(GRID_1)).await;
    let bearer = format!("Bearer {worker}");
    let auth = [
        ("authorization", bearer.as_str()),
        ("content-type", "application/geo+json"),
    ];
    let (cx, cy) = (114.025, 22.525); // the middle of the south-west grid
    let huge = json!({
        "type": "Feature",
        "geometry": { "type": "Polygon", "coordinates": [[[cx - 0.06, cy - 0.06], [cx + 0.06, cy - 0.06], [cx + 0.06, cy + 0.06], [cx - 0.06, cy + 0.06], [cx - 0.06, cy - 0.06]]] },
        "properties": { "use": "办公", "height_m": 20.0, "floors": 6 },
    });
    let across = json!({
        "type": "Feature",
        "geometry": { "type": "LineString", "coordinates": [[114.01, 22.51], [114.09, 22.59]] },
        "properties": { "network": "给水", "diameter_mm": 300 },
    });
    for (layer, body) in [("buildings", &huge), ("pipes", &across)] {
        let r = app
            .send(
                Method::POST,
                &format!("/ogc/collections/{layer}/items"),
                &auth,
                body.to_string(),
            )
            .await;
        assert_eq!(r.error_code(StatusCode::FORBIDDEN), "forbidden", "{layer}");
        assert!(
            r.text().contains("outside your jurisdiction"),
            "{}",
            r.text()
        );
    }
    // A pipe inside the grid, and one overhanging its edge by a metre, are accepted.
    let metre = 1.0 / 111_320.0;
    for end in [114.04, 114.05 + metre] {
        let pipe = json!({
            "type": "Feature",
            "geometry": { "type": "LineString", "coordinates": [[114.01, 22.51], [end, 22.51]] },
            "properties": { "network": "给水" },
        });
        let r = app
            .send(
                Method::POST,
                "/ogc/collections/pipes/items",
                &auth,
                pipe.to_string(),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{end}: {}", r.text());
    }
    // The district administrator may draw across the district.
    let r = app
        .send_geojson(Method::POST, "/ogc/collections/pipes/items", &across)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

fn building_at(x: f64, y: f64) -> serde_json::Value {
    json!({
        "type": "Feature",
        "geometry": { "type": "Polygon", "coordinates": [[[x, y], [x + 0.001, y], [x + 0.001, y + 0.001], [x, y + 0.001], [x, y]]] },
        "properties": { "use": "办公", "height_m": 20.0, "floors": 6 },
    })
}

#[tokio::test]
async fn twin_writes_stay_inside_the_writers_jurisdiction() {
    let app = TestApp::new().await;
    let worker = app.token(Role::GridWorker, Some(GRID_1)).await;
    let bearer = format!("Bearer {worker}");
    let auth = [
        ("authorization", bearer.as_str()),
        ("content-type", "application/geo+json"),
    ];
    let items = "/ogc/collections/buildings/items";
    // In their grid (south-west): allowed.
    let r = app
        .send(
            Method::POST,
            items,
            &auth,
            building_at(114.01, 22.51).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let own = r.json()["id"].as_i64().unwrap();
    // In another grid (north-east): refused, and nothing is created.
    let before = app.get_json(&format!("{items}?limit=1")).await["numberMatched"].clone();
    let r = app
        .send(
            Method::POST,
            items,
            &auth,
            building_at(114.08, 22.58).to_string(),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::FORBIDDEN), "forbidden");
    assert_eq!(
        app.get_json(&format!("{items}?limit=1")).await["numberMatched"],
        before
    );
    // Moving their own building out of their grid: refused.
    let r = app
        .send(
            Method::PUT,
            &format!("{items}/{own}"),
            &auth,
            building_at(114.08, 22.58).to_string(),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::FORBIDDEN), "forbidden");
    // Features in other grids, and ids that do not exist: 404 alike.
    let outside: Vec<i64> = (0..fixture::BUILDINGS)
        .filter(|&i| {
            let (x, y) = fixture::building_corner(i);
            !(x < 114.05 && y < 22.55)
        })
        .map(|i| i as i64 + 1)
        .collect();
    assert!(!outside.is_empty());
    let patch = [
        ("authorization", bearer.as_str()),
        ("content-type", "application/merge-patch+json"),
    ];
    for id in outside.iter().copied().chain([9_999]) {
        let path = format!("{items}/{id}");
        let r = app
            .send(
                Method::PATCH,
                &path,
                &patch,
                json!({ "properties": { "floors": 1 } }).to_string(),
            )
            .await;
        assert_eq!(
            r.error_code(StatusCode::NOT_FOUND),
            "not_found",
            "PATCH {path}"
        );
        let r = app
            .send(Method::DELETE, &path, &[("authorization", &bearer)], "")
            .await;
        assert_eq!(
            r.error_code(StatusCode::NOT_FOUND),
            "not_found",
            "DELETE {path}"
        );
    }
    // Their own building: they may change and delete it.
    let path = format!("{items}/{own}");
    let r = app
        .send(
            Method::PATCH,
            &path,
            &patch,
            json!({ "properties": { "floors": 7 } }).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app
        .send(Method::DELETE, &path, &[("authorization", &bearer)], "")
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn user_accounts_outside_the_jurisdiction_are_not_found() {
    let app = TestApp::new().await;
    let ids = citymirror_trust::TrustRepo::insert_users(
        &app.store,
        &[
            new_user("gw-1", Role::GridWorker, Some(GRID_1)),
            new_user("gw-east", Role::GridWorker, Some("44030400200101")),
        ],
    )
    .await
    .unwrap();
    // An administrator's token scoped to street 001 acts only there.
    let scoped = app.token(Role::DistrictAdmin, Some(STREET_1)).await;
    assert_eq!(
        app.get_as(&scoped, &format!("/api/v1/users/{}", ids[0]))
            .await
            .status,
        StatusCode::OK
    );
    let r = app
        .get_as(&scoped, &format!("/api/v1/users/{}", ids[1]))
        .await;
    assert_eq!(r.error_code(StatusCode::NOT_FOUND), "not_found");
    let list = app.get_as(&scoped, "/api/v1/users").await.json();
    let names: Vec<&str> = list["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["gw-1"]);
}

fn new_user(name: &str, role: Role, unit: Option<&str>) -> citymirror_trust::NewUser {
    citymirror_trust::NewUser {
        username: name.into(),
        display_name: name.into(),
        role,
        unit_id: unit.map(str::to_owned),
        password_hash: None,
        mobile: None,
    }
}
