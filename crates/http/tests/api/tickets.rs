//! `/api/v1/tickets` and `/api/v1/track`: filing, queues, working a ticket, the
//! citizen's verdict, and the history's proofs against the signed log.

use axum::http::{Method, StatusCode};
use base64::{engine::general_purpose::STANDARD, Engine};
use citymirror_trust::{
    audit::{checkpoint, merkle::verify_inclusion, Verifier},
    Role,
};
use serde_json::{json, Value};

use crate::common::TestApp;

/// A point in the fixture's first grid (street 440304001).
pub const IN_GRID: (f64, f64) = (114.02, 22.52);

pub async fn file(app: &TestApp, token: &str, body: Value) -> Value {
    let bearer = format!("Bearer {token}");
    let r = app
        .send(
            Method::POST,
            "/api/v1/tickets",
            &[
                ("content-type", "application/json"),
                ("authorization", &bearer),
            ],
            body.to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()
}

pub async fn act(app: &TestApp, token: &str, number: &str, body: Value) -> (StatusCode, Value) {
    let bearer = format!("Bearer {token}");
    let r = app
        .send(
            Method::POST,
            &format!("/api/v1/tickets/{number}/actions"),
            &[
                ("content-type", "application/json"),
                ("authorization", &bearer),
            ],
            body.to_string(),
        )
        .await;
    let status = r.status;
    (status, r.json())
}

fn lamp() -> Value {
    json!({
        "service_code": "0101",
        "description": "路灯不亮，联系我13912345678",
        "lon": IN_GRID.0,
        "lat": IN_GRID.1,
        "contact_name": "张三",
        "contact_phone": "13912345678",
    })
}

#[tokio::test]
async fn a_request_is_dispatched_at_once_and_its_handler_works_it_to_the_citizens_verdict() {
    let app = TestApp::new().await;
    let citizen = app.token(Role::Citizen, None).await;
    let filed = file(&app, &citizen, lamp()).await;
    let number = filed["number"].as_str().unwrap().to_owned();
    let token = filed["tracking_token"].as_str().unwrap().to_owned();
    assert_eq!(filed["status"], "dispatched");
    assert_eq!(filed["lead_unit"], "440304-D01");

    // The lead unit's handler sees it in their queue, with the citizen's number in full.
    let handler = app.token(Role::DepartmentHandler, Some("440304-D01")).await;
    let queue = app
        .get_as(&handler, "/api/v1/tickets?status=open")
        .await
        .json();
    assert_eq!(queue["tickets"][0]["number"], number.as_str());
    let mine = app
        .get_as(&handler, &format!("/api/v1/tickets/{number}"))
        .await
        .json();
    assert_eq!(mine["contact"]["phone"], "13912345678");
    // ...and the description masked to their entitlement all the same.
    assert!(
        !mine["description"]
            .as_str()
            .unwrap()
            .contains("13912345678"),
        "{mine}"
    );
    // Another department's handler does not see it at all.
    let water = app.token(Role::DepartmentHandler, Some("440304-D03")).await;
    assert_eq!(
        app.get_as(&water, &format!("/api/v1/tickets/{number}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let queue = app.get_as(&water, "/api/v1/tickets").await.json();
    assert_eq!(queue["tickets"], json!([]));
    // The street's staff see it (it lies in their street), the number masked.
    let street = app.token(Role::StreetStaff, Some("440304001")).await;
    let theirs = app
        .get_as(&street, &format!("/api/v1/tickets/{number}"))
        .await
        .json();
    assert_eq!(theirs["contact"]["phone"], "139****5678");
    let (status, _) = act(&app, &street, &number, json!({ "action": "accept" })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, t) = act(&app, &handler, &number, json!({ "action": "contact" })).await;
    assert_eq!(
        (status, t["code"].as_str()),
        (StatusCode::CONFLICT, Some("invalid_state"))
    );
    for action in ["accept", "contact", "on-site"] {
        let (status, t) = act(&app, &handler, &number, json!({ "action": action })).await;
        assert_eq!(status, StatusCode::OK, "{action}: {t}");
    }
    let (status, t) = act(
        &app,
        &handler,
        &number,
        json!({ "action": "resolve", "note": "已更换灯具" }),
    )
    .await;
    assert_eq!(
        (status, t["status"].as_str()),
        (StatusCode::OK, Some("resolved"))
    );

    // The citizen follows it with the token, and closes it with their verdict.
    let tracked = app
        .get(&format!("/api/v1/track/{number}?token={token}"))
        .await
        .json();
    assert_eq!(tracked["status"], "resolved");
    assert!(tracked.get("contact").is_none());
    assert_eq!(
        app.get(&format!(
            "/api/v1/track/{number}?token=wrong{}",
            &token[5..]
        ))
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .send(
            Method::POST,
            &format!("/api/v1/track/{number}/evaluate"),
            &[("content-type", "application/json")],
            json!({ "token": token, "verdict": "satisfied" }).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["status"], "closed");
}

/// Checks a history against the published key only: the checkpoint's signature, each
/// step's entry in the tree, each step against its entry. `Err` names the first failure.
fn verify(history: &Value, vkey: &str) -> Result<usize, String> {
    let verifier = Verifier::from_vkey(vkey).map_err(|e| e.to_string())?;
    let note = history["checkpoint"]["note"]
        .as_str()
        .ok_or("no checkpoint")?;
    let cp = checkpoint::open(note, &verifier).map_err(|e| format!("checkpoint: {e}"))?;
    let mut checked = 0;
    for step in history["steps"].as_array().ok_or("no steps")? {
        let audit = &step["audit"];
        if audit["status"] != "covered" {
            return Err(format!("step {} is {}", step["step"], audit["status"]));
        }
        let entry = audit["entry"].as_str().ok_or("no entry")?;
        let index = audit["index"].as_u64().ok_or("no index")?;
        let proof: Vec<[u8; 32]> = audit["proof"]
            .as_array()
            .ok_or("no proof")?
            .iter()
            .map(|h| {
                STANDARD
                    .decode(h.as_str().unwrap())
                    .unwrap()
                    .try_into()
                    .unwrap()
            })
            .collect();
        verify_inclusion(&cp.root, cp.size, entry.as_bytes(), index, &proof)
            .map_err(|e| format!("step {}: {e}", step["step"]))?;
        let e: Value = serde_json::from_str(entry).map_err(|e| e.to_string())?;
        let d = &e["detail"];
        let same = e["action"] == format!("ticket.{}", step["kind"].as_str().unwrap_or_default())
            && e["target"] == format!("tickets/{}", history["number"].as_str().unwrap_or_default())
            && d["step"] == step["step"]
            && d["at"] == step["at"]
            && d["kind"] == step["kind"]
            && d["role"] == step["role"]
            && d["unit"] == step["unit"]
            && d["note"] == step["note"]
            && d["detail"] == step["detail"];
        if !same {
            return Err(format!(
                "step {} does not say what its entry says: {entry}",
                step["step"]
            ));
        }
        checked += 1;
    }
    Ok(checked)
}

#[tokio::test]
async fn a_closed_tickets_history_verifies_with_the_published_key_and_a_rewritten_step_does_not() {
    let app = TestApp::new().await;
    let citizen = app.token(Role::Citizen, None).await;
    let filed = file(&app, &citizen, lamp()).await;
    let number = filed["number"].as_str().unwrap().to_owned();
    let token = filed["tracking_token"].as_str().unwrap().to_owned();
    let handler = app.token(Role::DepartmentHandler, Some("440304-D01")).await;
    for body in [
        json!({ "action": "accept" }),
        json!({ "action": "contact", "note": "已电话联系 13912345678" }),
        json!({ "action": "on-site" }),
        json!({ "action": "resolve", "note": "已修复" }),
    ] {
        let (status, t) = act(&app, &handler, &number, body).await;
        assert_eq!(status, StatusCode::OK, "{t}");
    }
    app.send(
        Method::POST,
        &format!("/api/v1/track/{number}/evaluate"),
        &[("content-type", "application/json")],
        json!({ "token": token, "verdict": "basically-satisfied" }).to_string(),
    )
    .await;
    // Until a checkpoint covers them, the newest steps are pending.
    let url = format!("/api/v1/track/{number}/history?token={token}");
    let early = app.get_json(&url).await;
    assert!(verify(&early, "").is_err());
    app.audit.checkpoint_now().await.unwrap();

    // What a citizen keeps: the published key, fetched once, and the history.
    let vkey = app.get_json("/api/v1/audit/key").await["vkey"]
        .as_str()
        .unwrap()
        .to_owned();
    let history = app.get_json(&url).await;
    assert_eq!(history["status"], "closed");
    let kinds: Vec<&str> = history["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "submitted",
            "dispatched",
            "accepted",
            "contacted",
            "on-site",
            "resolved",
            "evaluated",
            "closed"
        ]
    );
    // The public history shows no number, not even the one the handler wrote down.
    assert!(!history.to_string().contains("13912345678"), "{history}");
    assert_eq!(verify(&history, &vkey), Ok(8));

    // Someone rewrites a stored step: the resolution's note.
    let id: i64 = citymirror_cases::ticket::parse_ticket_number(&number).unwrap();
    let changed = app
        .raw_execute(&format!(
            "UPDATE ticket_steps SET note = '未处理' WHERE ticket_id = {id} AND kind = 'resolved'"
        ))
        .await;
    assert_eq!(changed, 1);
    let rewritten = app.get_json(&url).await;
    let err = verify(&rewritten, &vkey).unwrap_err();
    assert!(err.contains("step 6"), "{err}");
    // And a step moved in time fails too.
    app.raw_execute(&format!(
        "UPDATE ticket_steps SET note = '已修复' WHERE ticket_id = {id} AND kind = 'resolved'"
    ))
    .await;
    assert_eq!(verify(&app.get_json(&url).await, &vkey), Ok(8));
    app.raw_execute(&format!(
        "UPDATE ticket_steps SET seq = 9 WHERE ticket_id = {id} AND kind = 'accepted'"
    ))
    .await;
    assert!(verify(&app.get_json(&url).await, &vkey).is_err());
}

#[tokio::test]
async fn bad_requests_are_refused_with_their_code_and_store_nothing() {
    let app = TestApp::new().await;
    let citizen = app.token(Role::Citizen, None).await;
    let bearer = format!("Bearer {citizen}");
    let headers = [
        ("content-type", "application/json"),
        ("authorization", bearer.as_str()),
    ];
    let cases = [
        (
            json!({ "service_code": "0101", "description": "x", "lon": 114.3, "lat": 22.52 }),
            "outside_district",
        ),
        (
            json!({ "service_code": "9999", "description": "x", "lon": 114.02, "lat": 22.52 }),
            "unknown_service",
        ),
        (
            json!({ "service_code": "0101", "description": "路".repeat(4001), "lon": 114.02, "lat": 22.52 }),
            "description_too_long",
        ),
        (
            json!({ "service_code": "0101", "description": "x", "lon": 114.02, "lat": 95.0 }),
            "invalid_location",
        ),
        (
            json!({ "service_code": "0101", "description": "x", "lon": 114.02, "lat": 22.52, "photos": [STANDARD.encode(b"%PDF-1.4 not a photo")] }),
            "invalid_media",
        ),
        (
            json!({ "service_code": "0104", "description": "x", "lon": 114.02, "lat": 22.52, "attributes": { "when": "noon" } }),
            "invalid_attribute",
        ),
    ];
    for (body, code) in cases {
        let r = app
            .send(Method::POST, "/api/v1/tickets", &headers, body.to_string())
            .await;
        assert_eq!(r.error_code(StatusCode::BAD_REQUEST), code);
    }
    let r = app
        .send(
            Method::POST,
            "/api/v1/tickets",
            &headers,
            json!({ "description": "x", "lat": 1 }).to_string(),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::BAD_REQUEST), "invalid_body");
    // Citizens file online, not as a hotline.
    let mut hotline = lamp();
    hotline["channel"] = json!("hotline-12345");
    let r = app
        .send(
            Method::POST,
            "/api/v1/tickets",
            &headers,
            hotline.to_string(),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::FORBIDDEN), "forbidden");
    // Nobody without credentials files anything.
    let r = app
        .send(
            Method::POST,
            "/api/v1/tickets",
            &[("content-type", "application/json")],
            lamp().to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.cases.tickets().count_tickets().await.unwrap(), 0);
}

#[tokio::test]
async fn a_hotline_batch_is_checked_whole_before_any_call_is_filed_and_filed_once() {
    let app = TestApp::new().await;
    let calls = "{\"call_id\":\"C1\",\"description\":\"路灯坏了\",\"lon\":114.02,\"lat\":22.52,\"service_code\":\"0101\"}\n\
                 {\"call_id\":\"C2\",\"description\":\"积水\",\"lon\":114.9,\"lat\":22.52,\"service_code\":\"0109\"}\n";
    let r = app
        .send_admin(
            Method::POST,
            "/api/v1/tickets/batch?channel=hotline-12345",
            &[("content-type", "application/x-ndjson")],
            calls,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    let errors = r.json()["errors"].clone();
    assert_eq!(
        errors,
        json!([{ "line": 2, "code": "outside_district", "message": errors[0]["message"] }])
    );
    assert_eq!(app.cases.tickets().count_tickets().await.unwrap(), 0);
    let good = calls.replace("114.9", "114.08");
    for (expected_created, expected_existing) in [(2, 0), (0, 2)] {
        let r = app
            .send_admin(
                Method::POST,
                "/api/v1/tickets/batch?channel=hotline-12345",
                &[("content-type", "application/x-ndjson")],
                good.clone(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["created"], expected_created);
        assert_eq!(r.json()["existing"], expected_existing);
    }
    assert_eq!(app.cases.tickets().count_tickets().await.unwrap(), 2);
    // Staff read which call each ticket came from.
    let r = app
        .send_admin(Method::GET, "/api/v1/tickets", &[], "")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let mut refs: Vec<_> = r.json()["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["channel"]["code"].clone(), t["source_ref"].clone()))
        .collect();
    refs.sort_by_key(|(_, r)| r.to_string());
    assert_eq!(
        refs,
        [
            (json!("hotline-12345"), json!("C1")),
            (json!("hotline-12345"), json!("C2"))
        ]
    );
}

#[tokio::test]
async fn statistics_and_the_map_follow_the_tickets_within_the_readers_area() {
    let app = TestApp::new().await;
    let citizen = app.token(Role::Citizen, None).await;
    file(&app, &citizen, lamp()).await;
    let mut east = lamp();
    east["lon"] = json!(114.08);
    file(&app, &citizen, east).await;
    let supervisor = app.token(Role::Supervisor, None).await;
    let all = app
        .get_as(&supervisor, "/api/v1/tickets/stats")
        .await
        .json();
    assert_eq!(all["tickets"], 2);
    assert_eq!(all["by_street"].as_array().unwrap().len(), 2);
    let street = app.token(Role::StreetStaff, Some("440304001")).await;
    let mine = app.get_as(&street, "/api/v1/tickets/stats").await.json();
    assert_eq!(mine["tickets"], 1);
    let other = app
        .get_as(&street, "/api/v1/tickets/stats?area=440304002")
        .await;
    assert_eq!(other.error_code(StatusCode::FORBIDDEN), "forbidden");
    let map = app.get_as(&supervisor, "/api/v1/tickets/map").await.json();
    assert_eq!(map["features"].as_array().unwrap().len(), 2);
    let map = app.get_as(&street, "/api/v1/tickets/map").await.json();
    assert_eq!(map["features"].as_array().unwrap().len(), 1);
    // Analysts read figures, never tickets.
    let analyst = app.token(Role::DataAnalyst, None).await;
    assert_eq!(
        app.get_as(&analyst, "/api/v1/tickets/stats").await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get_as(&analyst, "/api/v1/tickets").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_breached_timer_puts_the_ticket_in_the_supervisors_queue_marked_overdue() {
    let app = TestApp::new().await;
    let citizen = app.token(Role::Citizen, None).await;
    let number = file(&app, &citizen, lamp()).await["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let supervisor = app.token(Role::Supervisor, None).await;
    let queue = app
        .get_as(&supervisor, "/api/v1/tickets?supervised=true")
        .await
        .json();
    assert_eq!(queue["tickets"], json!([]));
    app.clock.advance(chrono::Duration::minutes(11));
    let report = app.cases.sweep().await.unwrap();
    assert_eq!(report.breaches, 1);
    let queue = app
        .get_as(&supervisor, "/api/v1/tickets?supervised=true")
        .await
        .json();
    let t = &queue["tickets"][0];
    assert_eq!(t["number"], number.as_str());
    assert_eq!(
        (
            t["overdue"].as_bool(),
            t["timers"]["contact"]["breached"].as_bool()
        ),
        (Some(true), Some(true))
    );
    let map = app.get_as(&supervisor, "/api/v1/tickets/map").await.json();
    assert_eq!(map["features"][0]["properties"]["overdue"], true);
    let history = app
        .get_as(&supervisor, &format!("/api/v1/tickets/{number}/history"))
        .await
        .json();
    let kinds: Vec<&str> = history["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        &kinds[kinds.len() - 3..],
        ["timer-warning", "timer-breach", "escalated"]
    );
}
