//! `/collections/{id}/items`: bbox, paging, datetime and queryable filters.

use serde_json::Value as Json;

use crate::common::{assert_links_well_formed, fixture, ids, link, TestApp, BASE};

fn expected_ids(bbox: (f64, f64, f64, f64)) -> Vec<i64> {
    (0..fixture::BUILDINGS)
        .filter(|&i| fixture::building_intersects(i, bbox))
        .map(|i| i as i64 + 1)
        .collect()
}

#[tokio::test]
async fn items_are_a_geojson_feature_collection() {
    let app = TestApp::new().await;
    let r = app.get("/ogc/collections/buildings/items").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), "application/geo+json");
    assert_eq!(
        r.header("content-crs"),
        "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    );
    let fc = r.json();
    assert_eq!(fc["type"], "FeatureCollection");
    assert_eq!(fc["numberMatched"], fixture::BUILDINGS);
    assert_eq!(fc["numberReturned"], fixture::BUILDINGS);
    assert_eq!(
        ids(&fc),
        (1..=fixture::BUILDINGS as i64).collect::<Vec<_>>()
    );
    let ts = fc["timeStamp"].as_str().unwrap();
    let ts = chrono::DateTime::parse_from_rfc3339(ts).expect("RFC 3339 timeStamp");
    assert!((chrono::Utc::now() - ts.to_utc()).num_seconds().abs() <= 2);
    assert!(fc["timeStamp"].as_str().unwrap().ends_with('Z'));
    assert_links_well_formed(&fc);

    let f = &fc["features"][1];
    assert_eq!(f["type"], "Feature");
    assert_eq!(f["id"], 2);
    assert_eq!(f["geometry"]["type"], "Polygon");
    let p = &f["properties"];
    assert_eq!(
        (&p["name"], &p["use"], &p["floors"], &p["height_m"]),
        (&"2号楼".into(), &"商业".into(), &2.into(), &6.0.into())
    );
    assert_eq!(p["completed"], "2001-01-01");
    // Derived by the twin from where the building stands.
    assert_eq!(p["grid_code"], "44030400100101");
}

#[tokio::test]
async fn bbox_returns_only_intersecting_features() {
    let app = TestApp::new().await;
    for bbox in [
        (114.0, 22.5, 114.05, 22.55),
        (114.02, 22.52, 114.03, 22.53),
        (114.0, 22.5, 114.1, 22.6),
        (114.06, 22.5, 114.061, 22.51),
    ] {
        let q = format!(
            "/ogc/collections/buildings/items?bbox={},{},{},{}",
            bbox.0, bbox.1, bbox.2, bbox.3
        );
        let fc = app.get_json(&q).await;
        assert_eq!(ids(&fc), expected_ids(bbox), "{q}");
        assert_eq!(fc["numberMatched"], expected_ids(bbox).len(), "{q}");
    }
    // Six numbers: the heights are ignored.
    let fc = app
        .get_json("/ogc/collections/buildings/items?bbox=114.0,22.5,-10,114.05,22.55,500")
        .await;
    assert_eq!(ids(&fc), expected_ids((114.0, 22.5, 114.05, 22.55)));
}

#[tokio::test]
async fn next_links_page_through_exactly_number_matched_features() {
    let app = TestApp::new().await;
    let bbox = (114.0, 22.5, 114.07, 22.6);
    let mut url = "/ogc/collections/buildings/items?bbox=114.0,22.5,114.07,22.6&limit=3".to_owned();
    let mut seen = Vec::new();
    let mut matched = None;
    let mut pages = 0;
    loop {
        let fc = app.get_json(&url).await;
        matched.get_or_insert(fc["numberMatched"].as_u64().unwrap());
        assert!(fc["numberReturned"].as_u64().unwrap() <= 3);
        seen.extend(ids(&fc));
        pages += 1;
        match link(&fc, "next", Some("application/geo+json")) {
            Some(next) => {
                assert!(
                    next.starts_with(BASE) && next.contains("bbox=114") && next.contains("limit=3"),
                    "{next}"
                );
                url = next.to_owned();
            }
            None => break,
        }
    }
    assert_eq!(seen, expected_ids(bbox));
    assert_eq!(matched, Some(seen.len() as u64));
    assert_eq!(pages, seen.len().div_ceil(3));
}

#[tokio::test]
async fn limit_and_offset_page_in_id_order_with_prev_links() {
    let app = TestApp::new().await;
    let fc = app
        .get_json("/ogc/collections/buildings/items?limit=5&offset=5")
        .await;
    assert_eq!(ids(&fc), [6, 7, 8, 9, 10]);
    assert_eq!(fc["numberMatched"], 20);
    assert_eq!(fc["numberReturned"], 5);
    let prev = link(&fc, "prev", None).unwrap();
    assert_eq!(ids(&app.get_json(prev).await), [1, 2, 3, 4, 5]);
    let next = link(&fc, "next", None).unwrap();
    assert_eq!(ids(&app.get_json(next).await), [11, 12, 13, 14, 15]);
    // The last page has no next link; a page past the end is empty but fine.
    let last = app
        .get_json("/ogc/collections/buildings/items?limit=5&offset=15")
        .await;
    assert!(link(&last, "next", None).is_none());
    let past = app
        .get_json("/ogc/collections/buildings/items?offset=100")
        .await;
    assert_eq!(
        (
            past["numberReturned"].clone(),
            past["numberMatched"].clone()
        ),
        (0.into(), 20.into())
    );
    // The first page has no prev link.
    assert!(link(
        &app.get_json("/ogc/collections/buildings/items?limit=5")
            .await,
        "prev",
        None
    )
    .is_none());
}

#[tokio::test]
async fn datetime_filters_on_the_layer_date() {
    let app = TestApp::new().await;
    let check = |q: &'static str, expected: Vec<i64>| {
        let app = &app;
        async move {
            let fc = app
                .get_json(&format!("/ogc/collections/buildings/items?{q}"))
                .await;
            assert_eq!(ids(&fc), expected, "{q}");
        }
    };
    // Building id n was completed on 1 January of 1999 + n.
    check("datetime=2005-01-01", vec![6]).await;
    check("datetime=2005-06-01/2008-01-01", vec![7, 8, 9]).await;
    check("datetime=../2001-12-31", vec![1, 2]).await;
    check("datetime=2017-01-01T00:00:00Z/..", vec![18, 19, 20]).await;
    check("datetime=2030-01-01", vec![]).await;
    // Layers without time ignore it.
    let fc = app
        .get_json("/ogc/collections/grids/items?datetime=2030-01-01")
        .await;
    assert_eq!(fc["numberMatched"], 4);
}

#[tokio::test]
async fn queryables_filter_by_equality_and_combine_with_bbox() {
    let app = TestApp::new().await;
    let fc = app
        .get_json("/ogc/collections/buildings/items?floors=5")
        .await;
    assert_eq!(ids(&fc), [5]);
    let fc = app
        .get_json("/ogc/collections/buildings/items?use=%E4%BD%8F%E5%AE%85&limit=100")
        .await;
    assert_eq!(ids(&fc), (1..=20).step_by(2).collect::<Vec<i64>>());
    let fc = app
        .get_json(
            "/ogc/collections/buildings/items?use=%E5%95%86%E4%B8%9A&bbox=114.0,22.5,114.05,22.6",
        )
        .await;
    let expected: Vec<i64> = expected_ids((114.0, 22.5, 114.05, 22.6))
        .into_iter()
        .filter(|id| id % 2 == 0)
        .collect();
    assert_eq!(ids(&fc), expected);
    // Links keep the filters.
    let self_link = link(&fc, "self", None).unwrap();
    assert!(self_link.contains("use=%E5%95%86%E4%B8%9A"), "{self_link}");
    let fc = app
        .get_json("/ogc/collections/components/items?status=%E7%A0%B4%E6%8D%9F")
        .await;
    assert_eq!(ids(&fc), [2]);
    let fc = app
        .get_json("/ogc/collections/buildings/items?grid_code=44030400200102")
        .await;
    let expected: Vec<i64> = (0..20)
        .filter(|&i| {
            let (x, y) = fixture::building_corner(i);
            x >= 114.05 && y >= 22.55
        })
        .map(|i| i as i64 + 1)
        .collect();
    assert_eq!(ids(&fc), expected);
}

#[tokio::test]
async fn a_single_feature_has_self_alternate_and_collection_links() {
    let app = TestApp::new().await;
    let r = app.get("/ogc/collections/buildings/items/3").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), "application/geo+json");
    assert_eq!(
        r.header("content-crs"),
        "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    );
    let f: Json = r.json();
    assert_eq!(f["id"], 3);
    assert_eq!(f["properties"]["floors"], 3);
    assert_links_well_formed(&f);
    assert_eq!(
        link(&f, "self", Some("application/geo+json")),
        Some(&*format!("{BASE}/ogc/collections/buildings/items/3?f=json"))
    );
    assert!(link(&f, "alternate", Some("text/html")).is_some());
    assert_eq!(
        link(&f, "collection", None),
        Some(&*format!("{BASE}/ogc/collections/buildings?f=json"))
    );
}

#[tokio::test]
async fn every_collection_serves_its_features_and_each_can_be_fetched() {
    let app = TestApp::new().await;
    let list = app.get_json("/ogc/collections").await;
    for c in list["collections"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let fc = app.get_json(&format!("/ogc/collections/{id}/items")).await;
        assert!(!ids(&fc).is_empty(), "{id}");
        for fid in ids(&fc) {
            let f = app
                .get_json(&format!("/ogc/collections/{id}/items/{fid}"))
                .await;
            assert_eq!(f["id"], fid);
        }
    }
}

#[tokio::test]
async fn geojson_is_gzipped_for_clients_that_ask_and_plain_for_those_that_do_not() {
    use std::io::Read;
    let app = TestApp::new().await;
    let uri = "/ogc/collections/buildings/items?limit=20";
    let plain = app.get(uri).await;
    assert_eq!(plain.header("content-encoding"), "");
    let zipped = app.get_with(uri, &[("accept-encoding", "gzip")]).await;
    assert_eq!(zipped.status, axum::http::StatusCode::OK);
    assert_eq!(zipped.header("content-encoding"), "gzip");
    let vary: Vec<String> = zipped
        .headers
        .get_all("vary")
        .iter()
        .map(|v| v.to_str().unwrap().to_ascii_lowercase())
        .collect();
    assert!(
        vary.iter().any(|v| v.contains("accept-encoding")),
        "{vary:?}"
    );
    let mut body = Vec::new();
    flate2::read::GzDecoder::new(&zipped.body[..])
        .read_to_end(&mut body)
        .unwrap();
    assert_eq!(body, plain.body.to_vec(), "the same document");
    assert!(
        zipped.body.len() * 3 < plain.body.len(),
        "{} → {}",
        plain.body.len(),
        zipped.body.len()
    );
}
