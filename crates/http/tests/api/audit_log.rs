//! The audit log over HTTP: changes and sensitive reads are recorded; checkpoints are
//! signed; an earlier checkpoint is proved a prefix of a later one, and an entry is
//! proved included, with nothing but the published key and the proofs.

use axum::http::{Method, StatusCode};
use base64::{engine::general_purpose::STANDARD, Engine};
use citymirror_trust::{
    audit::{self, merkle, Verifier},
    Role,
};
use serde_json::{json, Value as Json};

use crate::common::{fixture, TestApp};

fn hash(v: &Json) -> merkle::Hash {
    STANDARD
        .decode(v.as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap()
}

fn hashes(v: &Json) -> Vec<merkle::Hash> {
    v.as_array().unwrap().iter().map(hash).collect()
}

async fn checkpoint(app: &TestApp, verifier: &Verifier) -> audit::Checkpoint {
    app.audit.checkpoint_now().await.unwrap();
    let r = app.get("/api/v1/audit/checkpoint").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").starts_with("text/plain"));
    audit::checkpoint::open(&r.text(), verifier).expect("a checkpoint signed by the published key")
}

#[tokio::test]
async fn writes_and_sensitive_reads_are_logged_and_provable() {
    let app = TestApp::new().await;
    let key = app.get_json("/api/v1/audit/key").await;
    let verifier = Verifier::from_vkey(key["vkey"].as_str().unwrap()).unwrap();
    // Something to log before the first checkpoint (a proof starts from a non-empty tree).
    let r = app
        .send_admin(
            Method::DELETE,
            "/ogc/collections/buildings/items/20",
            &[],
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let first = checkpoint(&app, &verifier).await;
    assert_eq!(first.size, 1);

    // A write and a sensitive read.
    let r = app
        .send_admin(
            Method::PATCH,
            "/ogc/collections/buildings/items/1",
            &[("content-type", "application/merge-patch+json")],
            json!({ "properties": { "floors": 9 } }).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let worker = app.token(Role::GridWorker, Some(fixture::GRIDS[0])).await;
    assert_eq!(
        app.get_as(&worker, "/api/v1/records/persons").await.status,
        StatusCode::OK
    );
    // A public read of non-sensitive data is not.
    app.get("/ogc/collections/buildings/items").await;

    let second = checkpoint(&app, &verifier).await;
    assert_eq!(second.size, first.size + 2);
    let entries = app
        .get_as(
            &app.admin,
            &format!("/api/v1/audit/entries?from={}", first.size),
        )
        .await
        .json();
    let list = entries["entries"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{entries}");
    assert_eq!(list[0]["entry"]["action"], "twin.update");
    assert_eq!(list[0]["entry"]["target"], "buildings/1");
    assert!(list[0]["entry"]["actor"]
        .as_str()
        .unwrap()
        .starts_with("token:"));
    assert_eq!(list[1]["entry"]["action"], "records.read");
    assert_eq!(
        list[1]["entry"]["detail"]["fields"],
        json!(["name", "id_number", "birth_date", "mobile"])
    );

    // The earlier checkpoint is a prefix of the later one.
    let c = app
        .get_json(&format!(
            "/api/v1/audit/proof/consistency?from={}&to={}",
            first.size, second.size
        ))
        .await;
    merkle::verify_consistency(
        &first.root,
        first.size,
        &second.root,
        second.size,
        &hashes(&c["proof"]),
    )
    .expect("consistent");
    // A forged old root does not verify.
    let mut forged = first.root;
    forged[0] ^= 1;
    assert!(merkle::verify_consistency(
        &forged,
        first.size,
        &second.root,
        second.size,
        &hashes(&c["proof"])
    )
    .is_err());

    // Each new entry is included in the later tree.
    for e in list {
        let seq = e["seq"].as_u64().unwrap();
        let p = app
            .get_json(&format!(
                "/api/v1/audit/proof/inclusion?index={seq}&size={}",
                second.size
            ))
            .await;
        let leaf = e["leaf_data"].as_str().unwrap().as_bytes();
        merkle::verify_inclusion(&second.root, second.size, leaf, seq, &hashes(&p["proof"]))
            .expect("included");
    }
}

#[tokio::test]
async fn proofs_for_sizes_beyond_the_log_are_bad_requests() {
    let app = TestApp::new().await;
    for q in [
        "/api/v1/audit/proof/inclusion?index=5&size=99999",
        "/api/v1/audit/proof/consistency?from=3&to=99999",
        "/api/v1/audit/proof/consistency?from=x&to=1",
        "/api/v1/audit/proof/inclusion?index=0&size=1&extra=1",
    ] {
        let r = app.get(q).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}: {}", r.text());
    }
}

#[tokio::test]
async fn listing_entries_from_past_the_end_is_empty_and_never_wraps_around() {
    let app = TestApp::new().await;
    let worker = app.token(Role::GridWorker, Some(fixture::GRIDS[0])).await;
    app.get_as(&worker, "/api/v1/records/persons").await;
    let size = app.audit.size();
    assert!(size > 0);
    for from in [size, size + 1, i64::MAX as u64, u64::MAX] {
        let r = app
            .get_as(&app.admin, &format!("/api/v1/audit/entries?from={from}"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{from}: {}", r.text());
        assert_eq!(r.json()["entries"], json!([]), "from={from}");
    }
    let all = app
        .get_as(&app.admin, "/api/v1/audit/entries?from=0")
        .await
        .json();
    assert_eq!(all["entries"][0]["seq"], 0);
}
