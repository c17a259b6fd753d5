use std::{sync::Arc, time::Instant};

use anyhow::Context;
use citymirror_cases::{
    calendar::{Notice, WorkCalendar},
    clock::SystemClock,
    service::{CaseConfig, CaseService},
};
use citymirror_http::{
    security::{sms::FileOutbox, RateLimitConfig, Security},
    serve::ServeConfig,
    AppState, HttpConfig,
};
use citymirror_sensing::{SensingConfig, SensingService};
use citymirror_trust::audit::AuditLog;
use citymirror_twin::TwinService;
use tokio::sync::watch;

use super::{describe, open_store, repos};
use crate::cli::ServeArgs;

/// What a sidecar runs on: the server's twin, its request loop and audit log, and the
/// channel that says the server is stopping.
pub struct Running {
    pub service: Arc<TwinService>,
    pub cases: Arc<CaseService>,
    pub audit: AuditLog,
    pub stop: watch::Receiver<bool>,
}

/// Work started beside the server (the demo's simulator and first training), told to
/// stop through the watch channel when the server shuts down.
pub type Sidecar = Box<dyn FnOnce(Running) + Send>;

/// The working-day calendar: the built-in table and the notices given.
fn calendar(files: &[std::path::PathBuf]) -> anyhow::Result<WorkCalendar> {
    let mut c = WorkCalendar::new();
    for f in files {
        let text =
            std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
        let notice = Notice::from_json(&text).with_context(|| f.display().to_string())?;
        let year = notice.year;
        c = c
            .with_notice(notice)
            .with_context(|| f.display().to_string())?;
        tracing::info!(year, "holiday notice loaded from {}", f.display());
    }
    Ok(c)
}

/// The sensing network's periodic work: roll-up deltas merged every few seconds, and
/// observations past retention pruned every hour.
fn spawn_sensing_upkeep(sensing: Arc<SensingService>, mut stop: watch::Receiver<bool>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_prune: Option<Instant> = None;
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.changed() => return,
            }
            if let Err(e) = sensing.flush_rollups().await {
                tracing::warn!("roll-ups not merged (kept for the next try): {e}");
            }
            if last_prune.is_none_or(|t| t.elapsed() >= std::time::Duration::from_secs(3600)) {
                last_prune = Some(Instant::now());
                match sensing.prune(chrono::Utc::now()).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(n, "observations past retention deleted"),
                    Err(e) => tracing::warn!("observations not pruned: {e}"),
                }
            }
        }
    });
}

/// The request loop's periodic work: due timers (every `every`), audits a crash left
/// unwritten, and a classifier another process stored (every minute).
fn spawn_sweeps(
    cases: Arc<CaseService>,
    every: std::time::Duration,
    mut stop: watch::Receiver<bool>,
) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_refresh = Instant::now();
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.changed() => return,
            }
            match cases.sweep().await {
                Ok(r) if r != Default::default() => {
                    tracing::info!(?r, "request loop: timers and audits")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("request loop sweep failed: {e}"),
            }
            if last_refresh.elapsed() >= std::time::Duration::from_secs(60) {
                last_refresh = Instant::now();
                if let Err(e) = cases.refresh_model().await {
                    tracing::warn!("could not load the latest classifier: {e}");
                }
            }
        }
    });
}

/// Serves until Ctrl-C.
pub async fn run(args: ServeArgs, with_service: Option<Sidecar>) -> anyhow::Result<()> {
    // One server per SQLite directory: a second would hold its own twin and lose the
    // first's writes. (On PostgreSQL there is no lock: servers share one database.)
    let lock = crate::local::exclusive(
        &args.store,
        "stop it first (two servers share one twin only on PostgreSQL, --database)",
    )?;
    let store = open_store(&args.store).await?;
    let started = Instant::now();
    let (twin_repo, record_repo) = repos(&store);
    let audit = super::trust::open_log(&store, &args.store, &args.audit).await?;
    let service = TwinService::open(twin_repo)
        .await
        .context("loading the twin")?;
    // Servers sharing a PostgreSQL database tell each other of their writes, so each
    // twin, its tiles, search and live channel follow the others' within moments.
    let feed = store
        .change_feed()
        .await
        .context("opening the change feed")?;
    let service = Arc::new(match feed.clone() {
        Some(feed) => service.with_feed(feed),
        None => service,
    });
    service
        .clone()
        .follow()
        .await
        .context("listening for the other servers' changes")?;
    let total: usize = citymirror_core::LayerId::ALL
        .iter()
        .map(|l| service.twin().layer(*l).len())
        .sum();
    tracing::info!(features = total, store = %describe(&args.store), "twin loaded in {:.1}s", started.elapsed().as_secs_f64());

    let district = service
        .twin()
        .grids()
        .district()
        .cloned()
        .context("the store holds no district; run `citymirror generate` first")?;
    let security = Security::new(
        Arc::new(store.clone()),
        record_repo,
        audit.clone(),
        district,
        RateLimitConfig {
            work_ms_per_s: args.rate_limit,
            burst_ms: args.rate_limit.saturating_mul(30),
        },
        !args.insecure_cookies,
    )
    .await
    .context("loading the organisation")?;
    let security = match &args.sms_outbox {
        Some(path) => security.with_sms(Arc::new(FileOutbox::new(path.clone()))),
        None => security,
    };

    let cases = Arc::new(
        citymirror_http::open_cases(
            &service,
            Arc::new(store.clone()),
            Arc::new(store.clone()),
            Arc::new(store.clone()),
            audit.clone(),
            Arc::new(SystemClock),
            CaseConfig {
                calendar: calendar(&args.cases.holiday_notices)?,
                ..CaseConfig::default()
            },
        )
        .await
        .context("opening the request loop")?,
    );
    let state = cases.model();
    match &state {
        citymirror_cases::service::ModelState::Missing(why) if state.untrained() => {
            tracing::info!("{why}")
        }
        citymirror_cases::service::ModelState::Missing(why) => tracing::warn!("{why}"),
        citymirror_cases::service::ModelState::Ready { version, .. } => {
            tracing::info!(version, "classifier loaded")
        }
    }
    let sensing = Arc::new(
        citymirror_http::open_sensing(&service, Arc::new(store.clone()), SensingConfig::default())
            .await
            .context("opening the sensing network")?,
    );
    let (stop_tx, stop_rx) = watch::channel(false);
    spawn_sensing_upkeep(sensing.clone(), stop_rx.clone());
    crate::alarms::spawn(sensing.clone(), cases.clone(), stop_rx.clone());
    crate::mqtt::start(&args.mqtt, sensing.clone(), stop_rx.clone())
        .context("starting the MQTT ingest")?;
    spawn_sweeps(
        cases.clone(),
        std::time::Duration::from_millis(args.cases.timer_sweep_ms),
        stop_rx.clone(),
    );
    if let Some(f) = with_service {
        f(Running {
            service: service.clone(),
            cases: cases.clone(),
            audit: audit.clone(),
            stop: stop_rx.clone(),
        });
    }
    // The twin's cameras as GB/T 28181 devices, and the SIP edge they register at.
    let registry = Arc::new(citymirror_http::open_video_registry(&service));
    let edge = crate::sip::start(
        &args.sip,
        &args.store.data_dir,
        service.repo(),
        registry.clone(),
        stop_rx.clone(),
    )
    .await?;
    let app = citymirror_http::app(AppState {
        service,
        cases,
        sensing: sensing.clone(),
        video: citymirror_http::VideoState::new(registry, edge),
        security,
        config: HttpConfig {
            public_url: args.public_url.clone(),
            allowed_hosts: args.allowed_hosts.clone(),
            tile_cache_bytes: args.tile_cache_mb << 20,
            web_dir: Some(args.web.web_dir.clone()),
            mqtt_url: args.mqtt.url.clone(),
        },
    });
    // Commands that write while the server runs (token, import) come through its control
    // socket, so the server stays the directory's one writer.
    let control = match &lock {
        Some(_) => Some(crate::local::control::bind(
            &args.store.data_dir,
            app.clone(),
        )?),
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    eprintln!(
        "CityMirror serving on http://{}/ (OGC API Features at /ogc)",
        listener.local_addr()?
    );
    let limits = ServeConfig {
        header_read_timeout: std::time::Duration::from_secs(args.header_read_timeout_s),
        ..ServeConfig::default()
    };
    citymirror_http::serve::serve(listener, app, limits, async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    })
    .await?;
    if let Some(c) = control {
        c.abort();
        let _ = std::fs::remove_file(crate::local::control::socket_path(&args.store.data_dir));
    }
    if let Err(e) = sensing.flush_rollups().await {
        tracing::warn!("roll-ups not merged at shutdown (the next start folds them): {e}");
    }
    // Cover every acknowledged entry with a signed checkpoint before leaving.
    audit
        .checkpoint_now()
        .await
        .context("signing the final audit checkpoint")?;
    Ok(())
}

/// Ctrl-C, or SIGTERM from a service manager or container runtime: either way the
/// server drains and signs a last audit checkpoint before it exits.
async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; stop with Ctrl-C");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
    }
}
