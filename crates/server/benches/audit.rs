//! Audit appends per second while the server serves requests.
//!
//! `CITYMIRROR_BENCH_DATA=DIR cargo bench -p citymirror --bench audit` opens the SQLite
//! store in DIR (a generated district; `bench/audit.sh` makes one), serves the whole
//! HTTP API on a socket exactly as `citymirror serve` composes it, drives it with `wrk`
//! (anonymous OGC bbox reads and an audited record read by a grid worker) and, at the
//! same time, 64 tasks append to the server's own audit log, as the simulator and other
//! in-process writers do. It reports appends per second (all of them: the tasks' and the
//! audited reads'), the requests per second served meanwhile, and then checks the whole
//! log with `LogCheck`.
//!
//! `CITYMIRROR_BENCH_SECONDS` (default 20) sets the duration; `CITYMIRROR_BENCH_PG` a
//! PostgreSQL URL to put the audit log there instead.

mod common;

use std::{
    path::PathBuf,
    process::Command,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use citymirror_http::{
    security::{RateLimitConfig, Security},
    AppState, HttpConfig,
};
use citymirror_store::StoreTarget;
use citymirror_trust::{
    audit::{AuditConfig, AuditLog, LogCheck, NewEntry, Signer},
    token, Actor, AuditRepo, Role,
};
use citymirror_twin::{RecordRepo, TwinRepo, TwinService};

const APPENDERS: usize = 64;

fn wrk(secs: u64, conns: u32, url: &str, header: Option<&str>) -> std::process::Child {
    let mut c = Command::new("wrk");
    c.args(["-t1", &format!("-c{conns}"), &format!("-d{secs}s")]);
    if let Some(h) = header {
        c.args(["-H", h]);
    }
    c.arg(url).stdout(std::process::Stdio::piped());
    c.spawn().expect("wrk (apt-get install wrk)")
}

fn requests_per_sec(child: std::process::Child) -> String {
    let out = child.wait_with_output().expect("wrk finished");
    let text = String::from_utf8_lossy(&out.stdout);
    let rps = text
        .lines()
        .find(|l| l.starts_with("Requests/sec"))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("?")
        .to_owned();
    let errors = text.lines().find(|l| l.contains("Non-2xx")).unwrap_or("");
    format!("{rps} req/s {errors}")
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let Some(dir) = common::data_dir() else {
        return;
    };
    let secs: u64 = std::env::var("CITYMIRROR_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let store = common::open(&dir).await;
    let audit_store = match std::env::var("CITYMIRROR_BENCH_PG") {
        Ok(url) => citymirror_store::open(&StoreTarget::Postgres { url })
            .await
            .expect("open PostgreSQL"),
        Err(_) => store.clone(),
    };
    let twin_repo: Arc<dyn TwinRepo> = Arc::new(store.clone());
    let records: Arc<dyn RecordRepo> = Arc::new(store.clone());
    let service = Arc::new(TwinService::open(twin_repo).await.expect("load the twin"));
    // The district's own key, so the checkpoints signed earlier by `generate` verify too.
    let signer = Signer::load_or_create(
        &PathBuf::from(&dir).join("audit-signing.key"),
        "citymirror.futian/audit",
    )
    .unwrap();
    let audit = AuditLog::open(
        Arc::new(audit_store.clone()),
        signer,
        AuditConfig::default(),
    )
    .await
    .expect("open the log");
    let district = service
        .twin()
        .grids()
        .district()
        .cloned()
        .expect("a district");
    let security = Security::new(
        Arc::new(store.clone()),
        records,
        audit.clone(),
        district,
        RateLimitConfig::OFF,
        true,
    )
    .await
    .expect("security");
    let cases = Arc::new(
        citymirror_http::open_cases(
            &service,
            Arc::new(store.clone()),
            Arc::new(store.clone()),
            Arc::new(store.clone()),
            audit.clone(),
            Arc::new(citymirror_cases::clock::SystemClock),
            Default::default(),
        )
        .await
        .expect("the request loop"),
    );
    let sensing = Arc::new(
        citymirror_http::open_sensing(&service, Arc::new(store.clone()), Default::default())
            .await
            .expect("the sensing network"),
    );
    let app = citymirror_http::app(AppState {
        service: service.clone(),
        cases,
        sensing,
        video: citymirror_http::VideoState::offline(std::sync::Arc::new(
            citymirror_http::open_video_registry(&service),
        )),
        security,
        config: HttpConfig::default(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });

    // The grid of the first person on record: one with residents, so every read is audited.
    let first = RecordRepo::get_record(&store, &citymirror_core::records::PERSONS, 1)
        .await
        .unwrap()
        .expect("a generated district has persons");
    let grid = first
        .last()
        .and_then(|v| v.as_str())
        .expect("a grid code")
        .to_owned();
    let (_, worker) = token::mint(
        &store,
        "bench",
        Role::GridWorker,
        Some(grid.clone()),
        None,
        "system:bench",
    )
    .await
    .unwrap();
    let before = audit.size();

    let ogc = wrk(
        secs,
        4,
        &format!(
            "{base}/ogc/collections/buildings/items?bbox=114.05,22.535,114.06,22.545&limit=100"
        ),
        None,
    );
    let reads = wrk(
        secs,
        8,
        &format!("{base}/api/v1/records/persons?grid={grid}&limit=5"),
        Some(&format!("Authorization: Bearer {worker}")),
    );

    let stop = Arc::new(AtomicBool::new(false));
    let appended = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..APPENDERS)
        .map(|i| {
            let (audit, stop, appended) = (audit.clone(), stop.clone(), appended.clone());
            tokio::spawn(async move {
                let actor = Actor::System {
                    name: "bench".into(),
                };
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let e = NewEntry::new(
                        &actor,
                        "twin.update",
                        format!("devices/{}", i as u64 * 1_000_000 + n),
                    )
                    .with_detail(serde_json::json!({ "fields": ["status"] }));
                    audit.append(e).await.expect("append");
                    appended.fetch_add(1, Ordering::Relaxed);
                    n += 1;
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let ogc = tokio::task::spawn_blocking(move || requests_per_sec(ogc))
        .await
        .unwrap();
    let reads = tokio::task::spawn_blocking(move || requests_per_sec(reads))
        .await
        .unwrap();
    let total = audit.size() - before;
    let direct = appended.load(Ordering::Relaxed);
    println!("audit appends: {total} in {elapsed:.1} s = {:.0} appends/s ({direct} by {APPENDERS} tasks, {} by audited record reads)", total as f64 / elapsed, total - direct);
    println!("served meanwhile: OGC bbox (4 conns) {ogc}; audited record reads (8 conns) {reads}");

    audit.checkpoint_now().await.unwrap();
    let checkpoints = audit_store.checkpoints().await.unwrap();
    let mut check = LogCheck::new(&checkpoints, audit.verifier());
    let mut from = 0i64;
    loop {
        let page = audit_store.audit_rows(from, 10_000).await.unwrap();
        for r in &page {
            check.row(r);
        }
        match page.last() {
            Some(last) if page.len() == 10_000 => from = last.seq + 1,
            _ => break,
        }
    }
    let report = check.finish();
    println!(
        "log check: {} entries, {} checkpoints, {} problems",
        report.entries,
        report.checkpoints,
        report.problems.len()
    );
    assert!(report.is_ok(), "{:?}", report.problems);
}
