//! Bulk write and load rates, for the numbers in the store's documentation.
//! Ignored by default; run with
//! `cargo test --release -p citymirror-store --test bulk -- --ignored --nocapture`
//! (set `CITYMIRROR_TEST_PG` to include PostgreSQL). `BULK_ROWS` changes the size.

mod common;

use std::{sync::Arc, time::Instant};

use citymirror_core::{records::PERSONS, LayerId, Value};
use citymirror_trust::{AuditRepo, AuditRow};
use citymirror_twin::{Feature, RecordRepo, TwinRepo};
use common::{sample_audit_row, sample_feature, sample_record, TestDb};

fn rows() -> i64 {
    std::env::var("BULK_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000)
}

async fn measure(db: Arc<TestDb>) {
    let store = db.open().await;
    let n = rows();
    let layer = LayerId::Components;
    let features: Vec<Feature> = (1..=n).map(|i| sample_feature(layer, i)).collect();
    let t = Instant::now();
    store.insert_features(layer, &features).await.unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{}: insert_features({layer}) {n} rows in {secs:.2}s = {:.0} rows/s",
        store.backend_name(),
        n as f64 / secs
    );

    let records: Vec<Vec<Value>> = (1..=n).map(|i| sample_record(&PERSONS, i)).collect();
    let t = Instant::now();
    store.insert_records(&PERSONS, &records).await.unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{}: insert_records(persons) {n} rows in {secs:.2}s = {:.0} rows/s",
        store.backend_name(),
        n as f64 / secs
    );

    let t = Instant::now();
    let loaded = store.load_layer(layer).await.unwrap();
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(loaded.len() as i64, n);
    println!(
        "{}: load_layer({layer}) {n} rows in {secs:.2}s = {:.0} rows/s",
        store.backend_name(),
        n as f64 / secs
    );
    store.close().await;
}

/// Audit appends in the server's batches of 1,000, and the start-up read of the hashes.
async fn measure_audit(db: Arc<TestDb>) {
    let store = db.open().await;
    let n = rows();
    let batches: Vec<Vec<AuditRow>> = (0..n)
        .step_by(1_000)
        .map(|start| {
            (start..n.min(start + 1_000))
                .map(sample_audit_row)
                .collect()
        })
        .collect();
    let t = Instant::now();
    for batch in &batches {
        store.append_audit(batch).await.unwrap();
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{}: append_audit {n} rows in batches of 1,000 in {secs:.2}s = {:.0} rows/s",
        store.backend_name(),
        n as f64 / secs
    );
    let t = Instant::now();
    let leaves = store.audit_leaf_hashes().await.unwrap();
    assert_eq!(leaves.len() as i64, n);
    println!(
        "{}: audit_leaf_hashes {n} rows in {:.2}s",
        store.backend_name(),
        t.elapsed().as_secs_f64()
    );
    store.close().await;
}

/// Pages of persons by jurisdiction. The persons lie in 10 streets x 10 communities
/// x 10 grids, with ids scattered over the grids (the worst case for walking ids).
async fn measure_jurisdiction(db: Arc<TestDb>) {
    let store = db.open().await;
    let n = rows();
    let g = PERSONS
        .fields
        .iter()
        .position(|f| f.name == "grid_code")
        .unwrap();
    let records: Vec<Vec<Value>> = (1..=n)
        .map(|id| {
            let k = id * 7_919 % 1_000;
            let mut row = sample_record(&PERSONS, id);
            row[g] = format!(
                "440304{:03}{:03}{:02}",
                k / 100 + 1,
                k / 10 % 10 + 1,
                k % 10 + 1
            )
            .into();
            row
        })
        .collect();
    store.insert_records(&PERSONS, &records).await.unwrap();
    drop(records);
    if store.backend_name() == "postgres" {
        db.raw_execute("VACUUM ANALYZE persons").await.unwrap();
    }
    for (what, prefix) in [
        ("grid", Some("44030400100101")),
        ("community", Some("440304001001")),
        ("street", Some("440304001")),
        ("district", Some("440304")),
        ("everything", None),
    ] {
        let mut after = 0;
        let mut pages = Vec::new();
        for _ in 0..10 {
            let t = Instant::now();
            let page = store
                .list_records(&PERSONS, prefix, after, 50)
                .await
                .unwrap();
            pages.push(t.elapsed().as_secs_f64() * 1e3);
            after = page.last().map_or(after, |r| r[0].as_i64().unwrap());
        }
        let first = pages[0];
        pages.sort_by(f64::total_cmp);
        let median = pages[5];
        let t = Instant::now();
        let count = store
            .count_records_in(&PERSONS, prefix.unwrap_or(""))
            .await
            .unwrap();
        let counting = t.elapsed().as_secs_f64() * 1e3;
        println!(
            "{}: {what:>10} of {n} persons: a page of 50 in {median:.1} ms (median of 10; first {first:.1} ms), count {count} in {counting:.0} ms",
            store.backend_name()
        );
    }
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark; run with --ignored --nocapture"]
async fn sqlite_audit_rates() {
    common::run(common::sqlite().await, measure_audit).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark; run with --ignored --nocapture"]
async fn postgres_audit_rates() {
    if let Some(db) = common::postgres("postgres_audit_rates").await {
        common::run(db, measure_audit).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark; run with --ignored --nocapture"]
async fn sqlite_jurisdiction_pages() {
    common::run(common::sqlite().await, measure_jurisdiction).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark; run with --ignored --nocapture"]
async fn postgres_jurisdiction_pages() {
    if let Some(db) = common::postgres("postgres_jurisdiction_pages").await {
        common::run(db, measure_jurisdiction).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark; run with --ignored --nocapture"]
async fn sqlite_bulk_rates() {
    common::run(common::sqlite().await, measure).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark; run with --ignored --nocapture"]
async fn postgres_bulk_rates() {
    if let Some(db) = common::postgres("postgres_bulk_rates").await {
        common::run(db, measure).await;
    }
}
