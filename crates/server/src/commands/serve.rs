use std::{sync::Arc, time::Instant};

use anyhow::Context;
use citymirror_http::{AppState, HttpConfig};
use citymirror_twin::TwinService;
use tokio::sync::watch;

use super::{describe, open_store, repos};
use crate::cli::ServeArgs;

/// Work started beside the server on the same twin (the demo's simulator), told to stop
/// through the watch channel when the server shuts down.
pub type Sidecar = Box<dyn FnOnce(Arc<TwinService>, watch::Receiver<bool>) + Send>;

/// Serves until Ctrl-C.
pub async fn run(args: ServeArgs, with_service: Option<Sidecar>) -> anyhow::Result<()> {
    let store = open_store(&args.store).await?;
    let started = Instant::now();
    let (twin_repo, _) = repos(&store);
    let service = Arc::new(
        TwinService::open(twin_repo)
            .await
            .context("loading the twin")?,
    );
    let total: usize = citymirror_core::LayerId::ALL
        .iter()
        .map(|l| service.twin().layer(*l).len())
        .sum();
    tracing::info!(features = total, store = %describe(&args.store), "twin loaded in {:.1}s", started.elapsed().as_secs_f64());

    let (stop_tx, stop_rx) = watch::channel(false);
    if let Some(f) = with_service {
        f(service.clone(), stop_rx.clone());
    }
    let app = citymirror_http::app(AppState {
        service,
        config: HttpConfig {
            public_url: args.public_url.clone(),
        },
    });
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    eprintln!(
        "CityMirror serving on http://{}/ (OGC API Features at /ogc)",
        listener.local_addr()?
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = tokio::signal::ctrl_c().await;
            let _ = stop_tx.send(true);
        })
        .await?;
    Ok(())
}
