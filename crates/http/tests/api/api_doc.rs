//! The OpenAPI documents: `/ogc/api` and `/api/openapi.json`.

use serde_json::{json, Value as Json};

use crate::common::{TestApp, BASE};

fn param<'a>(doc: &'a Json, path: &str, name: &str) -> &'a Json {
    doc["paths"][path]["get"]["parameters"]
        .as_array()
        .unwrap_or_else(|| panic!("no parameters on {path}"))
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no {name} on {path}"))
}

#[tokio::test]
async fn ogc_api_is_openapi_3_with_concrete_paths_per_collection() {
    let app = TestApp::new().await;
    let r = app.get("/ogc/api").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type"),
        "application/vnd.oai.openapi+json;version=3.0"
    );
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.0."));
    assert_eq!(doc["servers"], json!([{ "url": format!("{BASE}/ogc") }]));
    for p in ["/", "/conformance", "/api", "/collections"] {
        assert!(doc["paths"][p]["get"].is_object(), "{p}");
    }
    for id in [
        "district",
        "streets",
        "communities",
        "grids",
        "buildings",
        "components",
        "pipes",
        "cameras",
        "devices",
    ] {
        let items = format!("/collections/{id}/items");
        assert!(doc["paths"][&format!("/collections/{id}")]["get"].is_object());
        assert!(doc["paths"][&items]["post"].is_object());
        let one = &doc["paths"][&format!("{items}/{{featureId}}")];
        for m in ["get", "put", "patch", "delete"] {
            assert!(one[m].is_object(), "{m} {items}/{{featureId}}");
        }
        for name in [
            "bbox", "bbox-crs", "datetime", "limit", "offset", "crs", "f",
        ] {
            param(&doc, &items, name);
        }
    }
}

#[tokio::test]
async fn items_parameters_are_defined_as_the_standard_asks() {
    let app = TestApp::new().await;
    let doc = app.get_json("/ogc/api").await;
    let items = "/collections/buildings/items";
    let bbox = param(&doc, items, "bbox");
    assert_eq!(bbox["in"], "query");
    assert_eq!(bbox["required"], false);
    assert_eq!(
        bbox["schema"],
        json!({ "type": "array", "minItems": 4, "maxItems": 6, "items": { "type": "number" } })
    );
    assert_eq!(
        (&bbox["style"], &bbox["explode"]),
        (&json!("form"), &json!(false))
    );
    let limit = param(&doc, items, "limit");
    assert_eq!(
        limit["schema"],
        json!({ "type": "integer", "minimum": 1, "maximum": 10000, "default": 100 })
    );
    assert_eq!(
        (&limit["style"], &limit["explode"]),
        (&json!("form"), &json!(false))
    );
    let datetime = param(&doc, items, "datetime");
    assert_eq!(datetime["schema"]["type"], "string");
    assert_eq!(
        (&datetime["style"], &datetime["explode"]),
        (&json!("form"), &json!(false))
    );
    // One parameter per queryable, typed by the schema; non-queryables have none.
    assert_eq!(param(&doc, items, "floors")["schema"]["type"], "integer");
    assert_eq!(param(&doc, items, "use")["schema"]["type"], "string");
    let names: Vec<&Json> = doc["paths"][items]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["name"])
        .collect();
    assert!(!names.contains(&&json!("height_m")));
    assert_eq!(
        param(&doc, "/collections/pipes/items", "diameter_mm")["schema"]["type"],
        "integer"
    );
}

#[tokio::test]
async fn every_reference_resolves_and_every_operation_id_is_unique() {
    let app = TestApp::new().await;
    for uri in ["/ogc/api", "/api/openapi.json"] {
        let doc = app.get_json(uri).await;
        let mut refs = Vec::new();
        collect_refs(&doc, &mut refs);
        for r in refs {
            let name = r
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("{r}"));
            assert!(
                doc["components"]["schemas"][name].is_object(),
                "{uri}: {r} does not resolve"
            );
        }
        let mut ids: Vec<&str> = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .map(|op| op["operationId"].as_str().expect("operationId"))
            .collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "{uri}: duplicate operationIds");
    }
}

fn collect_refs<'a>(v: &'a Json, out: &mut Vec<&'a str>) {
    match v {
        Json::Object(m) => {
            if let Some(r) = m.get("$ref").and_then(Json::as_str) {
                out.push(r);
            }
            m.values().for_each(|v| collect_refs(v, out));
        }
        Json::Array(a) => a.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_whole_api_document_adds_health_and_locate_under_the_root() {
    let app = TestApp::new().await;
    let doc = app.get_json("/api/openapi.json").await;
    assert_eq!(doc["servers"], json!([{ "url": BASE }]));
    for p in [
        "/healthz",
        "/api/v1/locate",
        "/ogc",
        "/ogc/collections/buildings/items",
        "/ogc/collections/buildings/items/{featureId}",
    ] {
        assert!(doc["paths"][p].is_object(), "{p}");
    }
}

#[tokio::test]
async fn the_service_doc_is_an_html_page() {
    let app = TestApp::new().await;
    let r = app.get("/ogc/api?f=html").await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").starts_with("text/html"));
    assert!(r.text().contains("/collections/buildings/items"));
}
