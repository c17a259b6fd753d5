//! OGC SensorThings API v1.1 at /sta/v1.1, as a client uses it.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value as Json};

use crate::common::TestApp;

const STA: &str = "/sta/v1.1";

async fn post(t: &TestApp, path: &str, body: &Json) -> crate::common::Reply {
    t.send_admin(
        Method::POST,
        &format!("{STA}/{path}"),
        &[("content-type", "application/json")],
        body.to_string(),
    )
    .await
}

/// A weather station as a client posts it: Thing, Location, and a Datastream with its
/// Sensor and ObservedProperty, all in one request.
fn station() -> Json {
    json!({
        "name": "福田河水位站",
        "description": "河道水位监测",
        "properties": {"grid": "440304001001"},
        "Locations": [{
            "name": "福田河 3 号桥",
            "description": "桥下",
            "encodingType": "application/geo+json",
            "location": {"type": "Point", "coordinates": [114.06, 22.54]}
        }],
        "Datastreams": [{
            "name": "水位",
            "description": "河道水位",
            "unitOfMeasurement": {"name": "metre", "symbol": "m", "definition": "ucum:m"},
            "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
            "Sensor": {"name": "雷达水位计", "description": "radar", "encodingType": "text/plain", "metadata": "-"},
            "ObservedProperty": {"name": "水位", "definition": "https://example.org/water_level", "description": "water level"}
        }]
    })
}

/// A posted station: its Thing's id and its Datastream's.
async fn station_with_datastream(t: &TestApp) -> (i64, i64) {
    let thing = id_of(&post(t, "Things", &station()).await);
    let ds = t
        .get_json(&format!("{STA}/Things({thing})/Datastreams"))
        .await["value"][0]["@iot.id"]
        .as_i64()
        .unwrap();
    (thing, ds)
}

fn id_of(r: &crate::common::Reply) -> i64 {
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let loc = r.headers["location"].to_str().unwrap().to_owned();
    let id = loc
        .rsplit_once('(')
        .unwrap()
        .1
        .trim_end_matches(')')
        .parse()
        .unwrap();
    assert_eq!(
        r.json()["@iot.id"],
        json!(id),
        "the body is the entity the Location header names"
    );
    id
}

#[tokio::test]
async fn the_landing_page_lists_every_entity_set_and_the_conformance_classes() {
    let t = TestApp::new().await;
    let doc = t.get_json(STA).await;
    let names: Vec<&str> = doc["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 9);
    assert!(names.contains(&"MultiDatastreams") && names.contains(&"FeaturesOfInterest"));
    let conf = doc["serverSettings"]["conformance"].as_array().unwrap();
    assert!(conf
        .iter()
        .any(|c| c.as_str().unwrap().ends_with("create-update-delete")));
}

#[tokio::test]
async fn a_deep_insert_creates_everything_and_reads_back_expanded() {
    let t = TestApp::new().await;
    let thing = id_of(&post(&t, "Things", &station()).await);
    let doc = t
        .get_json(&format!("{STA}/Things({thing})?$expand=Locations,HistoricalLocations,Datastreams($expand=Sensor,ObservedProperty;$select=name,id)"))
        .await;
    assert_eq!(doc["name"], "福田河水位站");
    assert_eq!(
        doc["Locations"][0]["location"]["coordinates"],
        json!([114.06, 22.54])
    );
    assert_eq!(
        doc["HistoricalLocations"].as_array().unwrap().len(),
        1,
        "the first Location starts the history"
    );
    let ds = &doc["Datastreams"][0];
    assert_eq!(ds["name"], "水位");
    assert!(
        ds.get("description").is_none(),
        "$select keeps what it names"
    );
    assert_eq!(ds["Sensor"]["name"], "雷达水位计");
    assert_eq!(ds["ObservedProperty"]["name"], "水位");
    assert!(doc["Datastreams@iot.navigationLink"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/Things({thing})/Datastreams")));
    // Navigation, properties and $value.
    let name = t
        .get(&format!("{STA}/Things({thing})/Locations"))
        .await
        .json();
    assert_eq!(name["value"].as_array().unwrap().len(), 1);
    assert_eq!(
        t.get_json(&format!("{STA}/Things({thing})/name")).await,
        json!({"name": "福田河水位站"})
    );
    assert_eq!(
        t.get(&format!("{STA}/Things({thing})/name/$value"))
            .await
            .text(),
        "福田河水位站"
    );
    let refs = t
        .get_json(&format!("{STA}/Things({thing})/Datastreams/$ref"))
        .await;
    assert!(refs["value"][0]["@iot.selfLink"]
        .as_str()
        .unwrap()
        .contains("/Datastreams("));
}

#[tokio::test]
async fn observations_are_filtered_ordered_paged_and_given_their_feature() {
    let t = TestApp::new().await;
    let (_, ds) = station_with_datastream(&t).await;
    let now = chrono::Utc::now();
    for i in 0..12 {
        let at = (now - chrono::Duration::minutes(60 - i)).to_rfc3339();
        let r = post(
            &t,
            &format!("Datastreams({ds})/Observations"),
            &json!({"result": i as f64 / 4.0, "phenomenonTime": at}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let page = t
        .get_json(&format!("{STA}/Datastreams({ds})/Observations?$filter=result%20ge%201.5&$orderby=phenomenonTime%20desc&$top=2&$count=true"))
        .await;
    assert_eq!(page["@iot.count"], 6);
    let v = page["value"].as_array().unwrap();
    assert_eq!(v.len(), 2);
    assert_eq!(v[0]["result"], 2.75, "newest first");
    let next = page["@iot.nextLink"].as_str().expect("a next page");
    let rest = t.get_json(next).await;
    assert_eq!(rest["value"][0]["result"], 2.25);
    // A FeatureOfInterest was made from the Thing's Location, once.
    let first = &v[0]["@iot.id"];
    let foi = t
        .get_json(&format!("{STA}/Observations({first})/FeatureOfInterest"))
        .await;
    assert_eq!(foi["feature"]["coordinates"], json!([114.06, 22.54]));
    assert_eq!(
        t.get_json(&format!("{STA}/FeaturesOfInterest?$count=true&$top=0"))
            .await["@iot.count"],
        2,
        "the fixture device's and this one"
    );
    // Deep paths in $filter, and the dataArray form.
    let deep = t
        .get_json(&format!("{STA}/Observations?$filter=Datastream/Thing/properties/grid%20eq%20'440304001001'&$count=true&$top=1"))
        .await;
    assert_eq!(deep["@iot.count"], 12);
    let arr = t.get_json(&format!("{STA}/Datastreams({ds})/Observations?$resultFormat=dataArray&$select=result,phenomenonTime")).await;
    assert_eq!(
        arr["value"][0]["components"],
        json!(["result", "phenomenonTime"])
    );
    assert_eq!(arr["value"][0]["dataArray@iot.count"], 12);
}

#[tokio::test]
async fn data_arrays_create_observations_in_a_batch() {
    let t = TestApp::new().await;
    let (_, ds) = station_with_datastream(&t).await;
    let now = chrono::Utc::now();
    let body = json!([{
        "Datastream": {"@iot.id": ds},
        "components": ["phenomenonTime", "result"],
        "dataArray": [[now.to_rfc3339(), 1.0], [now.to_rfc3339(), 2.0], ["not a time", 3.0]]
    }]);
    let r = t
        .send_admin(
            Method::POST,
            &format!("{STA}/CreateObservations"),
            &[],
            body.to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let links = r.json();
    assert!(links[0].as_str().unwrap().contains("/Observations("));
    assert_eq!(links[2], "error");
    assert_eq!(
        t.get_json(&format!("{STA}/Datastreams({ds})/Observations?$count=true"))
            .await["@iot.count"],
        2
    );
}

#[tokio::test]
async fn bad_input_is_refused_with_a_code_and_changes_nothing() {
    let t = TestApp::new().await;
    let before = t
        .get_json(&format!("{STA}/Things?$count=true&$top=0"))
        .await["@iot.count"]
        .clone();
    // Anonymous writes are refused.
    let r = t
        .send(
            Method::POST,
            &format!("{STA}/Things"),
            &[],
            station().to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // A Datastream without its Sensor: the whole deep insert is refused.
    let mut bad = station();
    bad["Datastreams"][0]
        .as_object_mut()
        .unwrap()
        .remove("Sensor");
    let r = post(&t, "Things", &bad).await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("missing_link"))
    );
    let r = post(&t, "Things", &json!({"name": "x"})).await;
    assert_eq!(r.json()["code"], "missing_property");
    let r = post(
        &t,
        "Things",
        &json!({"name": "x", "description": "d", "Locations": [{"@iot.id": 999}]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = t
        .send_admin(Method::POST, &format!("{STA}/Things"), &[], "{not json")
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        t.get_json(&format!("{STA}/Things?$count=true&$top=0"))
            .await["@iot.count"],
        before
    );
    // Bad queries.
    let r = t.get(&format!("{STA}/Things?$filter=name%20eq")).await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_filter"))
    );
    assert_eq!(
        t.get(&format!("{STA}/Things?$top=-1")).await.json()["code"],
        "bad_top"
    );
    assert_eq!(
        t.get(&format!("{STA}/Thingz")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.get(&format!("{STA}/Things(12345678)")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn patch_put_and_delete_with_the_cascade() {
    let t = TestApp::new().await;
    let thing = id_of(&post(&t, "Things", &station()).await);
    let uri = format!("{STA}/Things({thing})");
    let r = t
        .send_admin(
            Method::PATCH,
            &uri,
            &[],
            json!({"name": "新名字"}).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(t.get_json(&uri).await["name"], "新名字");
    assert_eq!(
        t.get_json(&uri).await["properties"]["grid"],
        "440304001001",
        "PATCH keeps what it does not name"
    );
    let r = t
        .send_admin(
            Method::PUT,
            &uri,
            &[],
            json!({"name": "再改", "description": "d"}).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        t.get_json(&uri).await["properties"],
        Json::Null,
        "PUT replaces"
    );
    let ds = t.get_json(&format!("{uri}/Datastreams")).await["value"][0]["@iot.id"]
        .as_i64()
        .unwrap();
    let o = post(
        &t,
        &format!("Datastreams({ds})/Observations"),
        &json!({"result": 1}),
    )
    .await;
    let obs = id_of(&o);
    let r = t.send_admin(Method::DELETE, &uri, &[], "").await;
    assert_eq!(r.status, StatusCode::OK);
    for gone in [
        uri.clone(),
        format!("{STA}/Datastreams({ds})"),
        format!("{STA}/Observations({obs})"),
    ] {
        assert_eq!(
            t.get(&gone).await.status,
            StatusCode::NOT_FOUND,
            "{gone} went with its Thing"
        );
    }
    // The Sensor is not the Thing's: it stays.
    assert_eq!(
        t.get_json(&format!(
            "{STA}/Sensors?$filter=name%20eq%20'雷达水位计'&$count=true"
        ))
        .await["@iot.count"],
        1
    );
}

#[tokio::test]
async fn the_twins_devices_are_things_that_change_only_in_the_twin() {
    let t = TestApp::new().await;
    let doc = t
        .get_json(&format!(
            "{STA}/Things?$filter=properties/device_type%20eq%20'烟感'&$expand=Locations"
        ))
        .await;
    let dev = &doc["value"][0];
    assert_eq!(
        dev["Locations"][0]["location"]["coordinates"],
        json!([114.07, 22.57])
    );
    assert!(dev["properties"]["twin"]
        .as_str()
        .unwrap()
        .starts_with("/ogc/collections/devices/items/"));
    let uri = format!("{STA}/Things({})", dev["@iot.id"]);
    let r = t
        .send_admin(Method::PATCH, &uri, &[], json!({"name": "x"}).to_string())
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(
        t.send_admin(Method::DELETE, &uri, &[], "").await.status,
        StatusCode::CONFLICT
    );
}

#[tokio::test]
async fn a_filter_cannot_confirm_text_masked_from_its_reader() {
    let t = TestApp::new().await;
    let mut body = station();
    body["name"] = json!("联系人13712345678的泵站");
    id_of(&post(&t, "Things", &body).await);
    let probe = format!("{STA}/Things?$filter=name%20eq%20'%E8%81%94%E7%B3%BB%E4%BA%BA13712345678%E7%9A%84%E6%B3%B5%E7%AB%99'&$count=true");
    assert_eq!(
        t.get_json(&probe).await["@iot.count"],
        0,
        "the anonymous reader sees the number masked, and so does their filter"
    );
    // A grid worker, entitled to identifiers, sees (and finds) it in full.
    let worker = t
        .token(citymirror_trust::Role::GridWorker, Some("440304001001"))
        .await;
    assert_eq!(t.get_as(&worker, &probe).await.json()["@iot.count"], 1);
    let shown = t
        .get_json(&format!("{STA}/Things?$filter=startswith(name,'联系人')"))
        .await;
    assert!(!shown.to_string().contains("13712345678"));
}

#[tokio::test]
async fn rollups_answer_by_minute_and_hour_before_and_after_they_are_stored() {
    let t = TestApp::new().await;
    let (_, ds) = station_with_datastream(&t).await;
    let base = chrono::Utc::now() - chrono::Duration::minutes(30);
    for i in 0..12 {
        let at = (base + chrono::Duration::seconds(i * 20)).to_rfc3339();
        post(
            &t,
            &format!("Datastreams({ds})/Observations"),
            &json!({"result": i, "phenomenonTime": at}),
        )
        .await;
    }
    let q = |res: &str| format!("{STA}/Datastreams({ds})/Aggregates?resolution={res}");
    for round in ["pending in memory", "merged into the store"] {
        let minutes = t.get_json(&q("PT1M")).await;
        let pts = minutes["points"].as_array().unwrap();
        assert_eq!(
            pts.iter()
                .map(|p| p["count"].as_i64().unwrap())
                .sum::<i64>(),
            12,
            "{round}"
        );
        assert!(
            (4..=5).contains(&pts.len()),
            "{round}: 12 readings 20 s apart span 4 or 5 minutes"
        );
        let hours = t.get_json(&q("PT1H")).await;
        let all: Vec<_> = hours["points"].as_array().unwrap().iter().collect();
        let (n, max) = all.iter().fold((0, 0.0f64), |(n, m), p| {
            (
                n + p["count"].as_i64().unwrap(),
                m.max(p["max"].as_f64().unwrap()),
            )
        });
        assert_eq!((n, max), (12, 11.0), "{round}");
        t.sensing.flush_rollups().await.unwrap();
    }
    let raw = t
        .get_json(&format!(
            "/api/v1/sensing/series?datastream={ds}&resolution=raw"
        ))
        .await;
    assert_eq!(raw["points"].as_array().unwrap().len(), 12);
    assert_eq!(t.get(&q("PT5M")).await.json()["code"], "bad_resolution");
}
