//! `locate(lon, lat)` on the grids of a generated twin.
//!
//! `CITYMIRROR_BENCH_DATA=DIR cargo bench -p citymirror --bench locate` loads the grid
//! layers from the SQLite store in DIR (e.g. a full-scale twin from `bench/twin.sh`) and
//! times locate over a million random points in the district's bounding box, reporting
//! the median of 11 rounds.

mod common;

use std::{hint::black_box, time::Instant};

use citymirror_core::LayerId;
use rand::{Rng, SeedableRng};

#[tokio::main]
async fn main() {
    let Some(dir) = common::data_dir() else {
        return;
    };
    let store = common::open(&dir).await;
    let twin = common::load(
        &store,
        &[
            LayerId::District,
            LayerId::Streets,
            LayerId::Communities,
            LayerId::Grids,
        ],
    )
    .await;
    let extent = twin
        .layer(LayerId::District)
        .extent()
        .expect("district outline");
    let grids = twin.grids();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let points: Vec<(f64, f64)> = (0..1_000_000)
        .map(|_| {
            (
                rng.gen_range(extent.min().x..extent.max().x),
                rng.gen_range(extent.min().y..extent.max().y),
            )
        })
        .collect();
    let mut found = 0;
    let mut rounds = Vec::new();
    for _ in 0..11 {
        let t = Instant::now();
        found = 0;
        for &(x, y) in &points {
            if black_box(grids.locate(black_box(x), black_box(y))).is_some() {
                found += 1;
            }
        }
        rounds.push(t.elapsed().as_nanos() as f64 / points.len() as f64);
    }
    rounds.sort_by(f64::total_cmp);
    println!(
        "locate (full grid path): {} grid cells; median {:.2} µs/call over {} points ({} inside the district), min {:.2} µs, max {:.2} µs",
        grids.cell_count(),
        rounds[5] / 1000.0,
        points.len(),
        found,
        rounds[0] / 1000.0,
        rounds[10] / 1000.0
    );
}
