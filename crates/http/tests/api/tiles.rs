//! `/tiles`: vector tiles and TileJSON as a map client uses them.

use std::io::Read;

use axum::http::{Method, StatusCode};
use citymirror_tiles::{
    mvt::{tile, Message, Tile},
    TileCoord,
};
use serde_json::{json, Value as Json};

use crate::common::{fixture, Reply, TestApp, BASE};

const MVT: &str = "application/vnd.mapbox-vector-tile";
const GZIP: [(&str, &str); 1] = [("accept-encoding", "gzip, deflate, br")];

/// The URL of the `tileset` tile at zoom `z` that contains (lon, lat).
fn tile_url(tileset: &str, z: u8, (lon, lat): (f64, f64)) -> String {
    let t = TileCoord::containing(z, lon, lat);
    format!("/tiles/{tileset}/{}/{}/{}.mvt", t.z(), t.x(), t.y())
}

/// The middle of fixture building `i` (id `i + 1`).
fn building_centre(i: usize) -> (f64, f64) {
    let (x, y) = fixture::building_corner(i);
    (x + fixture::SIZE / 2.0, y + fixture::SIZE / 2.0)
}

/// Where the new building of these tests stands: no fixture building is near.
const NEW: (f64, f64) = (114.0805, 22.5805);

fn new_building() -> Json {
    json!({
        "type": "Feature",
        "geometry": { "type": "Polygon", "coordinates": [[[114.08, 22.58], [114.081, 22.58], [114.081, 22.581], [114.08, 22.581], [114.08, 22.58]]] },
        "properties": { "name": "新楼", "use": "办公", "height_m": 99.5, "floors": 30 },
    })
}

/// The tile in a reply, whatever its encoding; an empty tile for 204.
fn decode(r: &Reply) -> Tile {
    let mut raw = Vec::new();
    if r.header("content-encoding") == "gzip" {
        flate2::read::GzDecoder::new(&r.body[..])
            .read_to_end(&mut raw)
            .expect("a gzip body");
    } else {
        raw = r.body.to_vec();
    }
    Tile::decode(&raw[..]).expect("an MVT body")
}

fn layer<'a>(t: &'a Tile, name: &str) -> Option<&'a tile::Layer> {
    t.layers.iter().find(|l| l.name == name)
}

fn ids(t: &Tile, name: &str) -> Vec<u64> {
    layer(t, name).map_or_else(Vec::new, |l| {
        l.features.iter().filter_map(|f| f.id).collect()
    })
}

/// Property `key` of feature `id` in layer `name`.
fn prop(t: &Tile, name: &str, id: u64, key: &str) -> Option<tile::Value> {
    let l = layer(t, name)?;
    let f = l.features.iter().find(|f| f.id == Some(id))?;
    f.tags
        .chunks(2)
        .find(|kv| l.keys[kv[0] as usize] == key)
        .map(|kv| l.values[kv[1] as usize].clone())
}

#[tokio::test]
async fn every_tileset_is_listed_with_its_tilejson() {
    let app = TestApp::new().await;
    let list = app.get_json("/tiles").await;
    let sets = list["tilesets"].as_array().unwrap();
    let names: Vec<&str> = sets.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "district",
            "streets",
            "communities",
            "grids",
            "buildings",
            "components",
            "pipes",
            "cameras",
            "devices",
            "roads",
            "water",
            "parks",
            "landmarks",
            "basemap"
        ]
    );
    let buildings = &sets[4];
    assert_eq!(
        buildings["title"],
        json!({ "zh": "建筑", "en": "Buildings" })
    );
    assert_eq!(buildings["tilejson"], format!("{BASE}/tiles/buildings"));
    for s in sets {
        let link = s["tilejson"].as_str().unwrap();
        assert_eq!(app.get_json(link).await["tilejson"], "3.0.0");
    }
}

#[tokio::test]
async fn tilejson_says_where_the_tiles_are_and_what_they_hold() {
    let app = TestApp::new().await;
    let tj = app.get_json("/tiles/buildings").await;
    assert_eq!(tj["tilejson"], "3.0.0");
    assert_eq!(
        tj["tiles"],
        json!([format!("{BASE}/tiles/buildings/{{z}}/{{x}}/{{y}}.mvt")])
    );
    assert_eq!((&tj["minzoom"], &tj["maxzoom"]), (&json!(12), &json!(16)));
    let b: Vec<f64> = serde_json::from_value(tj["bounds"].clone()).unwrap();
    // The whole district, though the buildings cover less of it: a building created
    // later anywhere in the district must still be fetched by clients that keep bounds.
    assert_eq!(b, [114.0, 22.5, 114.1, 22.6]);
    let c: Vec<f64> = serde_json::from_value(tj["center"].clone()).unwrap();
    assert!(b[0] <= c[0] && c[0] <= b[2] && c[2] >= 12.0, "{c:?}");
    assert!(tj["name"].as_str().unwrap().contains("建筑"));
    let layer = &tj["vector_layers"][0];
    assert_eq!(layer["id"], "buildings");
    assert_eq!(layer["fields"]["height_m"], "高度(米)");
    assert_eq!(layer["fields"]["floors"], "层数");
    assert_eq!(
        (&layer["minzoom"], &layer["maxzoom"]),
        (&json!(12), &json!(16))
    );
    let text = app.get("/tiles/buildings").await.text();
    assert!(
        text.contains(r#""fields":{"name":"#),
        "fields in schema order: {text}"
    );

    let devices = app.get_json("/tiles/devices").await;
    assert!(devices["vector_layers"][0]["fields"]
        .get("serial")
        .is_none());
    let basemap = app.get_json("/tiles/basemap").await;
    assert_eq!(basemap["vector_layers"].as_array().unwrap().len(), 13);
    assert_eq!(
        (&basemap["minzoom"], &basemap["maxzoom"]),
        (&json!(0), &json!(16))
    );
}

#[tokio::test]
async fn a_tile_with_buildings_decodes_with_ids_heights_and_floors() {
    let app = TestApp::new().await;
    let r = app
        .get_with(&tile_url("buildings", 15, building_centre(5)), &GZIP)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), MVT);
    assert_eq!(r.header("content-encoding"), "gzip");
    assert_eq!(r.header("cache-control"), "no-cache");
    assert!(r.header("vary").contains("Accept-Encoding"));
    let t = decode(&r);
    assert!(
        ids(&t, "buildings").contains(&6),
        "{:?}",
        ids(&t, "buildings")
    );
    assert_eq!(
        prop(&t, "buildings", 6, "height_m").and_then(|v| v.double_value),
        Some(18.0)
    );
    assert_eq!(
        prop(&t, "buildings", 6, "floors").and_then(|v| v.int_value),
        Some(6)
    );
    assert_eq!(
        prop(&t, "buildings", 6, "name").and_then(|v| v.string_value),
        Some("6号楼".into())
    );
    assert_eq!(layer(&t, "buildings").unwrap().extent, Some(4096));

    // The basemap tile holds the buildings and the areas they stand in.
    let t = decode(
        &app.get_with(&tile_url("basemap", 15, building_centre(5)), &GZIP)
            .await,
    );
    for name in ["district", "streets", "communities", "grids", "buildings"] {
        assert!(layer(&t, name).is_some(), "{name}");
    }
    assert!(prop(&t, "district", 1, "code").is_some());
}

#[tokio::test]
async fn the_body_is_gzip_only_for_clients_that_take_it() {
    let app = TestApp::new().await;
    let url = tile_url("buildings", 16, building_centre(2));
    let zipped = app.get_with(&url, &GZIP).await;
    let plain = app.get(&url).await;
    let refused = app
        .get_with(&url, &[("accept-encoding", "gzip;q=0, identity")])
        .await;
    assert_eq!(zipped.header("content-encoding"), "gzip");
    assert_eq!(&zipped.body[..2], &[0x1f, 0x8b]);
    for r in [&plain, &refused] {
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header("content-encoding"), "");
        assert_eq!(r.header("content-type"), MVT);
    }
    assert_eq!(decode(&zipped), decode(&plain));
    assert_eq!(zipped.header("etag"), plain.header("etag"));
}

#[tokio::test]
async fn a_client_with_the_current_tag_gets_304_and_query_strings_change_nothing() {
    let app = TestApp::new().await;
    let url = tile_url("basemap", 15, building_centre(0));
    let first = app.get_with(&url, &GZIP).await;
    let etag = first.header("etag").to_owned();
    assert!(etag.starts_with("W/\""), "{etag}");

    let again = app
        .get_with(&url, &[("if-none-match", etag.as_str()), GZIP[0]])
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), etag);
    assert_eq!(again.header("cache-control"), "no-cache");

    let busted = app.get_with(&format!("{url}?v=3"), &GZIP).await;
    assert_eq!(busted.status, StatusCode::OK);
    assert_eq!(
        (busted.header("etag"), &busted.body),
        (etag.as_str(), &first.body)
    );
    let other = app.get_with(&url, &[("if-none-match", "W/\"nope\"")]).await;
    assert_eq!(other.status, StatusCode::OK);
}

#[tokio::test]
async fn a_tile_with_nothing_in_it_is_204_with_a_tag() {
    let app = TestApp::new().await;
    let r = app.get(&tile_url("buildings", 15, (0.0, 0.0))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(r.body.is_empty());
    assert!(r.header("etag").starts_with("W/\""));
    // Deeper than any layer is drawn: empty too, not an error.
    let r = app
        .get(&tile_url("buildings", 20, building_centre(0)))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn writes_through_ogc_show_in_the_next_tile_with_a_new_tag() {
    let app = TestApp::new().await;
    let url = tile_url("buildings", 16, NEW);
    let before = app.get_with(&url, &GZIP).await;
    assert!(
        before.status == StatusCode::NO_CONTENT || !ids(&decode(&before), "buildings").is_empty()
    );
    let old_tag = before.header("etag").to_owned();

    // Created: the new building appears, under a new tag; the old tag no longer matches.
    let r = app
        .send_geojson(
            Method::POST,
            "/ogc/collections/buildings/items",
            &new_building(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_u64().unwrap();
    let location = r.header("location").to_owned();
    let created = app
        .get_with(&url, &[("if-none-match", old_tag.as_str()), GZIP[0]])
        .await;
    assert_eq!(created.status, StatusCode::OK);
    assert_ne!(created.header("etag"), old_tag);
    let t = decode(&created);
    assert_eq!(ids(&t, "buildings"), [id]);
    assert_eq!(
        prop(&t, "buildings", id, "height_m").and_then(|v| v.double_value),
        Some(99.5)
    );

    // Patched: the tile shows the new height.
    let r = app
        .send_admin(
            Method::PATCH,
            &location,
            &[("content-type", "application/merge-patch+json")],
            json!({ "properties": { "height_m": 120.0 } }).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let patched = app.get_with(&url, &GZIP).await;
    assert_ne!(patched.header("etag"), created.header("etag"));
    assert_eq!(
        prop(&decode(&patched), "buildings", id, "height_m").and_then(|v| v.double_value),
        Some(120.0)
    );

    // Deleted: gone from the tile, and from the basemap too.
    let r = app.send_admin(Method::DELETE, &location, &[], "").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let deleted = app.get_with(&url, &GZIP).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_ne!(deleted.header("etag"), patched.header("etag"));
    let basemap = app.get_with(&tile_url("basemap", 16, NEW), &GZIP).await;
    assert!(!ids(&decode(&basemap), "buildings").contains(&id));
}

#[tokio::test]
async fn identifiers_in_public_text_are_masked_in_tiles_as_in_geojson() {
    let app = TestApp::new().await;
    let mut b = new_building();
    b["properties"]["name"] = json!("联系 13812345678 的楼");
    let r = app
        .send_geojson(Method::POST, "/ogc/collections/buildings/items", &b)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_u64().unwrap();
    let t = decode(&app.get_with(&tile_url("buildings", 16, NEW), &GZIP).await);
    let name = prop(&t, "buildings", id, "name")
        .and_then(|v| v.string_value)
        .unwrap();
    assert!(!name.contains("13812345678"), "{name}");
    let geojson = app
        .get_json(&format!("/ogc/collections/buildings/items/{id}"))
        .await;
    assert_eq!(geojson["properties"]["name"], name.as_str());
}

#[tokio::test]
async fn unknown_tilesets_are_404_and_coordinates_off_the_grid_400() {
    let app = TestApp::new().await;
    for url in ["/tiles/rivers", "/tiles/rivers/15/26765/14277.mvt"] {
        assert_eq!(
            app.get(url).await.error_code(StatusCode::NOT_FOUND),
            "not_found",
            "{url}"
        );
    }
    for url in [
        "/tiles/buildings/15/abc/14277",
        "/tiles/buildings/15/26765/14277.png",
        "/tiles/buildings/2/4/0.mvt",
        "/tiles/buildings/2/0/4",
        "/tiles/buildings/25/0/0",
        "/tiles/buildings/-1/0/0",
    ] {
        assert_eq!(
            app.get(url).await.error_code(StatusCode::BAD_REQUEST),
            "invalid_parameter",
            "{url}"
        );
    }
}

#[tokio::test]
async fn the_openapi_document_describes_the_tile_routes() {
    let app = TestApp::new().await;
    let doc = app.get_json("/api/openapi.json").await;
    for p in ["/tiles", "/tiles/{tileset}", "/tiles/{tileset}/{z}/{x}/{y}"] {
        assert!(doc["paths"].get(p).is_some(), "{p}");
    }
}
