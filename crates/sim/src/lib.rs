//! `citymirror-sim`: a synthetic Futian District (福田区), and a live simulator that keeps
//! changing it.
//!
//! [`generate`] lays out a plausible district inside the real outline and writes it
//! through the twin's storage traits, at a chosen scale (`1.0` is full scale: about
//! 1,000 grids, 20,000 buildings, 550,000 city components, 4,896.9 km of pipes, 24,000
//! cameras, 180,000 IoT devices and 3 million person, house and entity records):
//!
//! - **partition** — the district, its 10 real streets (街道), 92 communities (社区) and
//!   about 1,000 grids (网格), which tile the outline exactly;
//! - **roads** — a lattice with Futian's arterials (深南大道, 红荔路, 彩田路 …); not a layer,
//!   but where everything else is placed and how buildings are addressed;
//! - **buildings** — non-overlapping footprints on lots between the roads, each wholly in
//!   one grid, with uses, floors and heights that fit where they stand (tall offices at the
//!   CBD), names and addresses;
//! - **components, cameras, devices** — placed as their kind is placed in a real district
//!   (at the kerb, at crossings, beside or inside buildings, on the things they monitor);
//! - **pipes** — six connected networks along the roads, their lengths exact;
//! - **records** — houses in residential buildings, residents in houses, firms in office
//!   and commercial buildings, with valid and unique 身份证号, 统一社会信用代码 and mobiles.
//!
//! Output depends only on the seed, the scale and the outline (and nothing on the clock,
//! except the `generated_at` meta value and the features' `updated_at`). Records are
//! streamed in batches, and generation overlaps with storage writes: memory stays well
//! under a gigabyte at full scale.
//!
//! [`run_simulator`] then changes the running twin every few seconds through
//! [`citymirror_twin::TwinService`] — device status flips, new components, removals —
//! the same write path as the OGC API Features Part 4 edge.
//!
//! [`readings`] says what each device reports at any moment (rain, the day's rhythm,
//! incidents, and silent, garbled, stuck or drifting devices), for the publisher that
//! sends it over MQTT.

mod basemap;
mod buildings;
mod cameras;
mod cluster;
mod components;
mod devices;
mod emit;
mod frame;
mod generator;
pub mod history;
mod landscape;
mod lattice;
mod lots;
mod names;
pub mod org;
mod outline;
mod partition;
mod people;
mod pick;
mod pipes;
pub mod readings;
mod records;
mod roads;
mod simulator;
mod world;

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use citymirror_core::LayerId;
use citymirror_twin::{RecordRepo, RepoError, TwinRepo};

pub use outline::Outline;
pub use readings::{Emission, FaultConfig, ReadingModel, Storm, Weather};
pub use simulator::{run_simulator, SimulatorConfig};

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateConfig {
    /// `1.0` is full scale; counts scale linearly, the partition does not.
    pub scale: f64,
    pub seed: u64,
    pub outline: Outline,
}

/// How far a stage has got (`done` of `total`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub stage: &'static str,
    pub done: u64,
    pub total: u64,
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GenerateSummary {
    /// Features per layer.
    pub features: BTreeMap<LayerId, u64>,
    /// Records per kind (`persons`, `houses`, `entities`).
    pub records: BTreeMap<&'static str, u64>,
    /// Total pipe length, geodesic (WGS84 ellipsoid).
    pub pipe_km: f64,
    /// The same, measured with the haversine formula (mean Earth radius).
    pub pipe_km_haversine: f64,
}

impl GenerateSummary {
    pub fn features(&self, layer: LayerId) -> u64 {
        self.features.get(&layer).copied().unwrap_or(0)
    }

    pub fn records(&self, kind: &str) -> u64 {
        self.records.get(kind).copied().unwrap_or(0)
    }

    pub fn total_records(&self) -> u64 {
        self.records.values().sum()
    }
}

/// The counts a scale asks for: full-scale figures times the scale, rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    pub buildings: u64,
    pub components: u64,
    pub cameras: u64,
    pub devices: u64,
    pub persons: u64,
    pub houses: u64,
    pub entities: u64,
}

impl Targets {
    pub fn at_scale(scale: f64) -> Targets {
        let n = |full: f64| (full * scale).round() as u64;
        Targets {
            buildings: n(20_000.0),
            components: n(550_000.0),
            cameras: n(24_000.0),
            devices: n(180_000.0),
            persons: n(1_553_200.0),
            houses: n(900_000.0),
            entities: n(560_000.0),
        }
    }

    /// Pipe length in km (4,896.9 km at full scale).
    pub fn pipe_km(scale: f64) -> f64 {
        pipes::FULL_SCALE_M * scale / 1000.0
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("invalid generator configuration: {0}")]
    Config(String),
    #[error("district outline: {0}")]
    Outline(String),
    #[error("cannot lay the district out: {0}")]
    Layout(String),
    #[error(transparent)]
    Repo(#[from] RepoError),
    /// Generation stopped because writing failed (the write error is reported instead).
    #[error("generation was cancelled")]
    Cancelled,
    #[error("internal generator error: {0}")]
    Internal(String),
}

/// The largest scale the lot layout can hold (about 100,000 buildings).
pub const MAX_SCALE: f64 = 5.0;

fn check(cfg: &GenerateConfig) -> Result<(), SimError> {
    if !(cfg.scale.is_finite() && cfg.scale > 0.0 && cfg.scale <= MAX_SCALE) {
        return Err(SimError::Config(format!(
            "scale must be greater than 0 and at most {MAX_SCALE}, got {}",
            cfg.scale
        )));
    }
    if Targets::at_scale(cfg.scale).buildings == 0 {
        return Err(SimError::Config(format!(
            "scale {} is too small: it gives no buildings to put people and firms in",
            cfg.scale
        )));
    }
    Ok(())
}

/// Now, to the millisecond (the precision the stores keep).
fn now() -> DateTime<Utc> {
    let t = Utc::now();
    t - chrono::Duration::nanoseconds(t.timestamp_subsec_nanos() as i64 % 1_000_000)
}

/// Generates a synthetic Futian into the given stores (which should be empty).
///
/// Features are written with ids from 1 in every layer, in batches; records likewise.
/// Meta keys `seed`, `scale` and `generated_at` are set last, so their presence means the
/// run finished. `progress` is called after each batch is stored.
pub async fn generate(
    cfg: &GenerateConfig,
    repo: &dyn TwinRepo,
    records: &dyn RecordRepo,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<GenerateSummary, SimError> {
    check(cfg)?;
    let at = now();
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let job = cfg.clone();
    let worker = tokio::task::spawn_blocking(move || generator::run(&job, &emit::Out::new(tx, at)));
    while let Some(msg) = rx.recv().await {
        match msg {
            emit::Msg::Features(layer, batch) => repo.insert_features(layer, &batch).await?,
            emit::Msg::Records(schema, rows) => records.insert_records(schema, &rows).await?,
            emit::Msg::Progress(p) => progress(p),
        }
    }
    let summary = worker
        .await
        .map_err(|e| SimError::Internal(format!("the generating thread failed: {e}")))??;
    repo.set_meta("seed", &cfg.seed.to_string()).await?;
    repo.set_meta("scale", &cfg.scale.to_string()).await?;
    repo.set_meta(
        "generated_at",
        &at.to_rfc3339_opts(SecondsFormat::Millis, true),
    )
    .await?;
    tracing::info!(
        grids = summary.features(LayerId::Grids),
        buildings = summary.features(LayerId::Buildings),
        pipe_km = summary.pipe_km,
        records = summary.total_records(),
        "generated a synthetic Futian"
    );
    Ok(summary)
}
