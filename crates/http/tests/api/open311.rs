//! Open311 GeoReport v2 at `/open311/v2`, as a standard client uses it.

use axum::http::{Method, StatusCode};
use citymirror_trust::Role;
use serde_json::{json, Value};

use crate::common::TestApp;

const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

fn form(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

async fn post(app: &TestApp, pairs: &[(&str, &str)]) -> (StatusCode, Value) {
    let r = app
        .send(
            Method::POST,
            "/open311/v2/requests.json",
            &[FORM],
            form(pairs),
        )
        .await;
    (
        r.status,
        serde_json::from_slice(&r.body).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn discovery_services_and_definitions_are_there_in_json_and_xml() {
    let app = TestApp::new().await;
    let d = app.get_json("/open311/v2/discovery.json").await;
    assert_eq!(
        d["endpoints"][0]["specification"],
        "http://wiki.open311.org/GeoReport_v2"
    );
    assert!(d["endpoints"][0]["url"]
        .as_str()
        .unwrap()
        .ends_with("/open311/v2"));
    let services = app.get_json("/open311/v2/services.json").await;
    let list = services.as_array().unwrap();
    assert!(list.len() > 40);
    let lamp = list.iter().find(|s| s["service_code"] == "0101").unwrap();
    assert_eq!(lamp["service_name"], "路灯故障");
    assert_eq!(lamp["group"], "城乡建设");
    assert_eq!(lamp["metadata"], true);
    assert!(list.iter().all(|s| s["service_code"] != "0000"));
    let def = app.get_json("/open311/v2/services/0104.json").await;
    let when = def["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["code"] == "when")
        .unwrap();
    assert_eq!(when["datatype"], "singlevaluelist");
    assert_eq!(when["required"], true);
    assert_eq!(when["values"][1]["key"], "night");
    let xml = app.get("/open311/v2/services.xml").await;
    assert!(xml.header("content-type").starts_with("text/xml"));
    assert!(xml.text().contains("<services><service>"), "{}", xml.text());
    assert_eq!(
        app.get("/open311/v2/services/9999.json").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_form_post_with_a_minted_key_files_a_request_that_the_lists_then_show() {
    let app = TestApp::new().await;
    let key = app.token(Role::Open311Client, None).await;
    let (status, body) = post(
        &app,
        &[
            ("api_key", &key),
            ("service_code", "0104"),
            ("lat", "22.52"),
            ("long", "114.02"),
            ("attribute[when]", "night"),
            ("description", "夜市摊贩占道，电话13912345678"),
            ("first_name", "三"),
            ("last_name", "张"),
            ("phone", "13912345678"),
            ("media_url", "https://example.org/photo.jpg"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body[0]["service_request_id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("FT"));
    // One request: a one-element list, public, without the citizen's number.
    let one = app
        .get_json(&format!("/open311/v2/requests/{id}.json"))
        .await;
    assert_eq!(one.as_array().unwrap().len(), 1);
    let r = &one[0];
    assert_eq!(
        (r["status"].as_str(), r["service_code"].as_str()),
        (Some("open"), Some("0104"))
    );
    assert_eq!(r["media_url"], "https://example.org/photo.jpg");
    assert!(!one.to_string().contains("13912345678"), "{one}");
    assert!(r["agency_responsible"].as_str().unwrap().contains("街道"));
    // The lists, with the spec's filters.
    let all = app.get_json("/open311/v2/requests.json").await;
    assert_eq!(all.as_array().unwrap().len(), 1);
    let by_id = app
        .get_json(&format!(
            "/open311/v2/requests.json?service_request_id={id},FT20000101999999"
        ))
        .await;
    assert_eq!(by_id.as_array().unwrap().len(), 1);
    let none = app
        .get_json("/open311/v2/requests.json?service_code=0101")
        .await;
    assert_eq!(none, json!([]));
    let open = app
        .get_json("/open311/v2/requests.json?status=open&service_code=0104,0101")
        .await;
    assert_eq!(open.as_array().unwrap().len(), 1);
    assert_eq!(
        app.get_json("/open311/v2/requests.json?status=closed")
            .await,
        json!([])
    );
    let old = app.get_json("/open311/v2/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z").await;
    assert_eq!(old, json!([]));
    let xml = app
        .get(&format!("/open311/v2/requests/{id}.xml"))
        .await
        .text();
    assert!(
        xml.contains("<service_requests><request>") && xml.contains(&id),
        "{xml}"
    );
    let token = app.get_json(&format!("/open311/v2/tokens/{id}.json")).await;
    assert_eq!(token[0]["service_request_id"], id.as_str());
    // What happened to it, for systems that poll.
    let updates = app.get_json("/open311/v2/servicerequestupdates.json").await;
    let mine: Vec<&Value> = updates
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["service_request_id"] == id.as_str())
        .collect();
    assert_eq!(mine.len(), 2, "submitted and dispatched: {updates}");
}

#[tokio::test]
async fn bad_requests_get_open311_errors_and_store_nothing() {
    let app = TestApp::new().await;
    let key = app.token(Role::Open311Client, None).await;
    let big_photo = {
        let mut b = b"\xFF\xD8\xFF\xE0".to_vec();
        b.resize(5 * 1024 * 1024 + 1, 0);
        b
    };
    let long = "路".repeat(4001);
    type Case<'a> = (Vec<(&'a str, &'a str)>, StatusCode, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![
                ("service_code", "0101"),
                ("lat", "22.52"),
                ("long", "114.02"),
            ],
            StatusCode::FORBIDDEN,
            "api_key",
        ),
        (
            vec![
                ("api_key", "cm_1_nonsense"),
                ("service_code", "0101"),
                ("lat", "22.52"),
                ("long", "114.02"),
            ],
            StatusCode::FORBIDDEN,
            "api_key",
        ),
        (
            vec![("api_key", &key), ("lat", "22.52"), ("long", "114.02")],
            StatusCode::BAD_REQUEST,
            "service_code",
        ),
        (
            vec![
                ("api_key", &key),
                ("service_code", "9999"),
                ("lat", "22.52"),
                ("long", "114.02"),
            ],
            StatusCode::BAD_REQUEST,
            "9999",
        ),
        (
            vec![("api_key", &key), ("service_code", "0101")],
            StatusCode::BAD_REQUEST,
            "lat and long",
        ),
        (
            vec![
                ("api_key", &key),
                ("service_code", "0101"),
                ("lat", "north"),
                ("long", "114.02"),
            ],
            StatusCode::BAD_REQUEST,
            "lat",
        ),
        (
            vec![
                ("api_key", &key),
                ("service_code", "0101"),
                ("lat", "95"),
                ("long", "114.02"),
            ],
            StatusCode::BAD_REQUEST,
            "valid",
        ),
        (
            vec![
                ("api_key", &key),
                ("service_code", "0101"),
                ("lat", "22.52"),
                ("long", "114.9"),
            ],
            StatusCode::BAD_REQUEST,
            "outside the district",
        ),
        (
            vec![
                ("api_key", &key),
                ("service_code", "0101"),
                ("lat", "22.52"),
                ("long", "114.02"),
                ("description", &long),
            ],
            StatusCode::BAD_REQUEST,
            "4000",
        ),
        (
            vec![
                ("api_key", &key),
                ("service_code", "0101"),
                ("lat", "22.52"),
                ("long", "114.02"),
                ("colour", "red"),
            ],
            StatusCode::BAD_REQUEST,
            "colour",
        ),
    ];
    for (pairs, status, says) in cases {
        let (got, body) = post(&app, &pairs).await;
        assert_eq!(got, status, "{pairs:?}: {body}");
        let description = body[0]["description"].as_str().unwrap_or_default();
        assert_eq!(body[0]["code"], status.as_u16(), "{body}");
        assert!(description.contains(says), "{pairs:?}: {description}");
    }
    // Photos: multipart, a file that is not an image, and one too large.
    for (photo, says) in [
        (b"%PDF-1.4 invoice".to_vec(), "not a JPEG"),
        (big_photo, "bytes"),
    ] {
        let boundary = "XyZ";
        let mut body = Vec::new();
        for (k, v) in [
            ("api_key", key.as_str()),
            ("service_code", "0101"),
            ("lat", "22.52"),
            ("long", "114.02"),
        ] {
            body.extend(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"media\"; filename=\"p.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").as_bytes());
        body.extend(photo);
        body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
        let ct = format!("multipart/form-data; boundary={boundary}");
        let r = app
            .send(
                Method::POST,
                "/open311/v2/requests.json",
                &[("content-type", &ct)],
                body,
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert!(
            r.json()[0]["description"].as_str().unwrap().contains(says),
            "{}",
            r.text()
        );
    }
    // Errors in XML when XML was asked for.
    let r = app
        .send(
            Method::POST,
            "/open311/v2/requests.xml",
            &[FORM],
            form(&[("service_code", "0101")]),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.text().contains("<errors><error><code>403</code>"),
        "{}",
        r.text()
    );
    assert_eq!(app.cases.tickets().count_tickets().await.unwrap(), 0);
    // A good multipart request with a photo is filed, photo and all.
    let boundary = "AbC";
    let mut body = Vec::new();
    for (k, v) in [
        ("api_key", key.as_str()),
        ("service_code", "0101"),
        ("lat", "22.52"),
        ("long", "114.02"),
        ("description", "路灯"),
    ] {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"media\"; filename=\"p.png\"\r\n\r\n").as_bytes());
    body.extend(b"\x89PNG\r\n\x1a\nrest of a tiny png");
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    let ct = format!("multipart/form-data; boundary={boundary}");
    let r = app
        .send(
            Method::POST,
            "/open311/v2/requests.json",
            &[("content-type", &ct)],
            body,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(app.cases.tickets().count_tickets().await.unwrap(), 1);
}
