//! Serves the test fixture twin (see `tests/api/common/fixture.rs`) over a real socket,
//! for standard clients that need one (ogctests, OWSLib, GDAL, a browser), without the
//! generator. Optionally adds a square of extra buildings for load checks.
//!
//! ```text
//! cargo run -p citymirror-http --example fixture_server -- 127.0.0.1:8099 [EXTRA_BUILDINGS]
//! ```

// Shared with the tests, which use all of it.
#[allow(dead_code)]
#[path = "../tests/api/common/fixture.rs"]
mod fixture;

use std::sync::Arc;

use citymirror_core::{LayerId, Value};
use citymirror_http::{
    app,
    security::{RateLimitConfig, Security},
    AppState, HttpConfig,
};
use citymirror_store::StoreTarget;
use citymirror_trust::audit::{AuditConfig, AuditLog, Signer};
use citymirror_twin::{NewFeature, TwinRepo, TwinService};
use geo::Rect;

/// `n` small buildings on a square lattice filling the fixture district.
fn lattice(n: usize) -> Vec<NewFeature> {
    let side = (n as f64).sqrt().ceil() as usize;
    let step = 0.1 / side as f64;
    (0..n)
        .map(|k| {
            let (x, y) = (
                114.0 + (k % side) as f64 * step,
                22.5 + (k / side) as f64 * step,
            );
            let g = Rect::new((x, y), (x + step * 0.6, y + step * 0.6)).to_polygon();
            let props = [
                ("use", Value::from(["住宅", "商业", "办公"][k % 3])),
                ("height_m", Value::Float(3.0 * (1 + k % 40) as f64)),
                ("floors", Value::Int(1 + (k % 40) as i64)),
            ]
            .map(|(k, v)| (k.to_owned(), v));
            NewFeature::validate(LayerId::Buildings.schema(), g.into(), props).unwrap()
        })
        .collect()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let listen = args.next().unwrap_or_else(|| "127.0.0.1:8099".into());
    let extra: usize = args.next().map_or(Ok(0), |n| n.parse())?;
    let dir = tempfile::tempdir()?;
    let store = citymirror_store::open(&StoreTarget::Sqlite {
        data_dir: dir.path().to_owned(),
    })
    .await?;
    let repo: Arc<dyn TwinRepo> = Arc::new(store.clone());
    let service = Arc::new(TwinService::open(repo).await?);
    fixture::load(&service).await;
    if extra > 0 {
        service.import(LayerId::Buildings, lattice(extra)).await?;
    }
    let audit = AuditLog::open(
        Arc::new(store.clone()),
        Signer::generate("fixture.citymirror/audit")?,
        AuditConfig::default(),
    )
    .await?;
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
        .await?,
    );
    // Standard clients read anonymously and quickly: no rate limit here.
    let security = Security::new(
        Arc::new(store.clone()),
        Arc::new(store.clone()),
        audit,
        "440304".parse()?,
        RateLimitConfig::OFF,
        false,
    )
    .await?;
    let sensing = Arc::new(
        citymirror_http::open_sensing(&service, Arc::new(store.clone()), Default::default())
            .await?,
    );
    let video = citymirror_http::VideoState::offline(std::sync::Arc::new(
        citymirror_http::open_video_registry(&service),
    ));
    let router = app(AppState {
        service,
        cases,
        sensing,
        video,
        security,
        config: HttpConfig::default(),
    });
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    eprintln!("fixture twin on http://{}/ogc", listener.local_addr()?);
    axum::serve(listener, router).await?;
    Ok(())
}
