//! `/collections`, `/collections/{id}` and queryables.

use serde_json::json;

use crate::common::{assert_links_well_formed, link, TestApp, BASE};

const CRS: [&str; 3] = [
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
    "http://www.opengis.net/def/crs/EPSG/0/4326",
    "http://www.opengis.net/def/crs/EPSG/0/3857",
];

#[tokio::test]
async fn there_is_one_collection_per_layer_and_each_matches_its_own_document() {
    let app = TestApp::new().await;
    let list = app.get_json("/ogc/collections").await;
    assert_links_well_formed(&list);
    assert!(link(&list, "self", None).is_some());
    assert_eq!(list["crs"], json!(CRS));
    let collections = list["collections"].as_array().unwrap();
    let ids: Vec<&str> = collections
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
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
            "landmarks"
        ]
    );
    for c in collections {
        let one = app
            .get_json(&format!("/ogc/collections/{}", c["id"].as_str().unwrap()))
            .await;
        for key in [
            "id",
            "title",
            "description",
            "extent",
            "crs",
            "storageCrs",
            "itemType",
            "links",
        ] {
            assert_eq!(c[key], one[key], "{key} of {}", c["id"]);
        }
        assert_links_well_formed(&one);
        assert_eq!(one["crs"], json!(CRS));
        assert_eq!(one["storageCrs"], CRS[0]);
        assert_eq!(one["itemType"], "feature");
        assert_eq!(one["extent"]["spatial"]["crs"], CRS[0]);
        for (rel, ty) in [
            ("self", "application/json"),
            ("alternate", "text/html"),
            ("items", "application/geo+json"),
            ("items", "text/html"),
        ] {
            assert!(
                link(&one, rel, Some(ty)).is_some(),
                "{rel} {ty} of {}",
                c["id"]
            );
        }
        assert!(link(
            &one,
            "http://www.opengis.net/def/rel/ogc/1.0/queryables",
            Some("application/schema+json")
        )
        .is_some());
    }
}

#[tokio::test]
async fn a_collection_has_a_chinese_title_and_its_extents() {
    let app = TestApp::new().await;
    let b = app.get_json("/ogc/collections/buildings").await;
    assert_eq!(b["title"], "建筑 (Buildings)");
    let bbox = b["extent"]["spatial"]["bbox"][0]
        .as_array()
        .unwrap()
        .clone();
    let bbox: Vec<f64> = bbox.iter().map(|v| v.as_f64().unwrap()).collect();
    // Buildings 0 and 19 are the westernmost and easternmost; rows 0 and 3 the lowest and highest.
    let expected = [
        114.005,
        22.505,
        114.005 + 19.0 * 0.0045 + 0.001,
        22.565 + 0.001,
    ];
    for (got, want) in bbox.iter().zip(expected) {
        assert!((got - want).abs() < 1e-9, "{bbox:?}");
    }
    assert_eq!(
        b["extent"]["temporal"]["interval"],
        json!([["2000-01-01T00:00:00Z", "2019-01-01T23:59:59Z"]])
    );
    // Layers without time have no temporal extent.
    assert!(app.get_json("/ogc/collections/grids").await["extent"]["temporal"].is_null());
}

#[tokio::test]
async fn queryables_are_a_json_schema_of_the_filterable_properties() {
    let app = TestApp::new().await;
    let r = app.get("/ogc/collections/buildings/queryables").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), "application/schema+json");
    let q = r.json();
    assert_eq!(q["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(
        q["$id"],
        format!("{BASE}/ogc/collections/buildings/queryables")
    );
    assert_eq!(q["type"], "object");
    let names: Vec<&String> = q["properties"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["address", "floors", "grid_code", "name", "use"]);
    assert_eq!(q["properties"]["floors"]["type"], "integer");
}

#[tokio::test]
async fn an_unknown_collection_is_404() {
    let app = TestApp::new().await;
    for path in [
        "/ogc/collections/rivers",
        "/ogc/collections/rivers/items",
        "/ogc/collections/rivers/queryables",
        "/ogc/collections/rivers/items/1",
    ] {
        assert_eq!(
            app.get(path)
                .await
                .error_code(axum::http::StatusCode::NOT_FOUND),
            "not_found",
            "{path}"
        );
    }
}
