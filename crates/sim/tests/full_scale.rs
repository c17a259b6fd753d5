//! The full-scale district (S = 1.0, or `CITYMIRROR_SIM_SCALE`) into a counting sink, timed.
//! Run it in release: `cargo test -p citymirror-sim --release -- --ignored --nocapture`.

mod common;

use std::{sync::Mutex, time::Instant};

use citymirror_core::LayerId;
use citymirror_sim::{generate, GenerateConfig, Targets};
use common::MemoryRepo;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "full scale: about half a minute in release"]
async fn full_scale_district_counts_time_and_memory() {
    let scale: f64 = std::env::var("CITYMIRROR_SIM_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    // Counts only: what is measured is the generator, not a copy of its output.
    let repo = MemoryRepo::counting();
    let cfg = GenerateConfig {
        scale,
        seed: 1,
        outline: common::outline(),
    };
    let started = Instant::now();
    let stages: Mutex<Vec<(&str, f64)>> = Mutex::new(Vec::new());
    let summary = generate(&cfg, &repo, &repo, &|p| {
        if p.done == p.total {
            stages
                .lock()
                .unwrap()
                .push((p.stage, started.elapsed().as_secs_f64()));
        }
    })
    .await
    .unwrap();
    let secs = started.elapsed().as_secs_f64();
    for (stage, at) in stages.into_inner().unwrap() {
        eprintln!("{stage:>12} done at {at:6.1} s");
    }
    eprintln!("scale {scale}: {summary:#?}\ngenerated in {secs:.1} s");
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        for line in status
            .lines()
            .filter(|l| l.starts_with("VmHWM") || l.starts_with("VmRSS"))
        {
            eprintln!("{line}");
        }
    }
    let t = Targets::at_scale(scale);
    assert_eq!(repo.count("buildings"), t.buildings);
    assert_eq!(repo.count("components"), t.components);
    assert_eq!(repo.count("cameras"), t.cameras);
    assert_eq!(repo.count("devices"), t.devices);
    assert_eq!(summary.features(LayerId::Communities), 92);
    assert!((summary.pipe_km - Targets::pipe_km(scale)).abs() < 0.1);
    assert!((summary.pipe_km_haversine - Targets::pipe_km(scale)).abs() < 0.1);
    if scale >= 1.0 {
        assert!(
            summary.total_records() >= 3_000_000,
            "{}",
            summary.total_records()
        );
    }
    // With at least a building per grid to go round, every grid with room gets one.
    let grids = summary.features(LayerId::Grids) as usize;
    let built = repo.grids_used(LayerId::Buildings);
    eprintln!("buildings stand in {built} of {grids} grids");
    if t.buildings as usize >= grids {
        assert!(built * 100 >= grids * 98, "{built} of {grids}");
    }
}
