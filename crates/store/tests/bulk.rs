//! Bulk write and load rates, for the numbers in the store's documentation.
//! Ignored by default; run with
//! `cargo test --release -p citymirror-store --test bulk -- --ignored --nocapture`
//! (set `CITYMIRROR_TEST_PG` to include PostgreSQL). `BULK_ROWS` changes the size.

mod common;

use std::{sync::Arc, time::Instant};

use citymirror_core::{records::PERSONS, LayerId, Value};
use citymirror_twin::{Feature, RecordRepo, TwinRepo};
use common::{sample_feature, sample_record, TestDb};

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
