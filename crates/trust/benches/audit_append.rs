//! Audit appends per second through `AuditLog`, from 64 concurrent tasks, on a
//! two-worker runtime, into an in-memory store: once with instant commits (the log's
//! own cost: canonical JSON, hashing, the tree) and once with a 2 ms commit standing in
//! for a disk's fsync (what group commit buys). The benchmark against the real stores,
//! while serving requests, is the server's.
//!
//! `cargo bench -p citymirror-trust --bench audit_append`

use std::sync::Arc;
use std::time::{Duration, Instant};

use citymirror_trust::audit::{AuditConfig, AuditLog, MemoryAuditRepo, NewEntry, Signer};
use serde_json::json;

const TASKS: usize = 64;
const PER_TASK: usize = 500;

async fn run(commit_latency: Duration) -> f64 {
    let repo = Arc::new(MemoryAuditRepo::with_commit_latency(commit_latency));
    let signer = Signer::from_seed("citymirror.futian/audit", [5; 32]).unwrap();
    let log = AuditLog::open(repo.clone(), signer, AuditConfig::default())
        .await
        .unwrap();
    let start = Instant::now();
    let tasks: Vec<_> = (0..TASKS)
        .map(|t| {
            let log = log.clone();
            tokio::spawn(async move {
                for i in 0..PER_TASK {
                    let entry = NewEntry {
                        actor: format!("user:u{t}"),
                        action: "records.read".into(),
                        target: format!("persons?grid=440304001{:03}", i % 1000),
                        detail: json!({"rows": i, "masked": ["id_number", "phone"]}),
                    };
                    log.append(entry).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let elapsed = start.elapsed();
    assert_eq!(log.size(), (TASKS * PER_TASK) as u64);
    (TASKS * PER_TASK) as f64 / elapsed.as_secs_f64()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    for latency_ms in [0, 2] {
        let rate = runtime.block_on(run(Duration::from_millis(latency_ms)));
        println!(
            "audit_append: {} appends from {TASKS} tasks, {latency_ms} ms commits: {rate:.0} appends/s",
            TASKS * PER_TASK
        );
    }
}
