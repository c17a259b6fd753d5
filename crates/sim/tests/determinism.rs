//! The same seed gives the same district; another seed gives another. Also: the built-in
//! outline, progress reports, and bad configurations.

mod common;

use std::sync::Mutex;

use citymirror_core::{
    records::{ENTITIES, HOUSES, PERSONS},
    LayerId,
};
use citymirror_sim::{generate, GenerateConfig, Outline, Progress, SimError, Targets};
use common::MemoryRepo;

/// Everything generated except the clock (`updated_at`): geometry, properties, rows.
fn content(repo: &MemoryRepo) -> Vec<String> {
    let mut out = Vec::new();
    for layer in LayerId::ALL {
        for f in repo.features(layer) {
            out.push(format!("{layer} {} {:?} {:?}", f.id, f.geometry, f.props));
        }
    }
    for schema in [&PERSONS, &HOUSES, &ENTITIES] {
        for r in repo.rows(schema) {
            out.push(format!("{} {r:?}", schema.name));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_gives_the_same_district_and_another_seed_another() {
    let (a, _) = common::generate_into(0.002, 7, common::outline()).await;
    let (b, _) = common::generate_into(0.002, 7, common::outline()).await;
    let (c, _) = common::generate_into(0.002, 8, common::outline()).await;
    let (a, b, c) = (content(&a), content(&b), content(&c));
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y);
    }
    // The partition depends on the outline only; everything placed in it differs.
    for prefix in ["district ", "streets ", "communities ", "grids "] {
        let pa: Vec<_> = a.iter().filter(|l| l.starts_with(prefix)).collect();
        let pc: Vec<_> = c.iter().filter(|l| l.starts_with(prefix)).collect();
        assert_eq!(pa, pc, "{prefix}");
    }
    for prefix in [
        "buildings ",
        "components ",
        "pipes ",
        "cameras ",
        "devices ",
        "persons ",
        "houses ",
        "entities ",
    ] {
        let pa: Vec<_> = a.iter().filter(|l| l.starts_with(prefix)).collect();
        let pc: Vec<_> = c.iter().filter(|l| l.starts_with(prefix)).collect();
        assert!(!pa.is_empty());
        let same = pa.iter().zip(&pc).filter(|(x, y)| x == y).count();
        assert!(
            same * 20 < pa.len(),
            "{prefix}: {same} of {} are the same",
            pa.len()
        );
    }
}

#[tokio::test]
async fn the_builtin_outline_gives_a_whole_district_too() {
    let (repo, summary) = common::generate_into(0.002, 1, Outline::Builtin).await;
    let t = Targets::at_scale(0.002);
    assert_eq!(summary.features(LayerId::Streets), 10);
    assert_eq!(summary.features(LayerId::Communities), 92);
    assert!((900..=1100).contains(&summary.features(LayerId::Grids)));
    assert_eq!(summary.features(LayerId::Buildings), t.buildings);
    assert_eq!(summary.features(LayerId::Components), t.components);
    assert_eq!(summary.features(LayerId::Cameras), t.cameras);
    assert_eq!(summary.features(LayerId::Devices), t.devices);
    assert!((summary.pipe_km - Targets::pipe_km(0.002)).abs() < 0.1);
    assert!(summary.total_records() >= 6_000);
    assert_eq!(repo.count("persons"), t.persons);
}

#[tokio::test]
async fn progress_is_reported_per_stage_up_to_its_total() {
    let repo = MemoryRepo::new();
    let seen: Mutex<Vec<Progress>> = Mutex::new(Vec::new());
    let cfg = GenerateConfig {
        scale: 0.002,
        seed: 3,
        outline: Outline::Builtin,
    };
    generate(&cfg, &repo, &repo, &|p| seen.lock().unwrap().push(p))
        .await
        .unwrap();
    let seen = seen.into_inner().unwrap();
    for stage in [
        "layout",
        "partition",
        "buildings",
        "components",
        "pipes",
        "cameras",
        "devices",
        "houses",
        "persons",
        "entities",
    ] {
        let last = seen
            .iter()
            .rev()
            .find(|p| p.stage == stage)
            .unwrap_or_else(|| panic!("no {stage}"));
        assert_eq!(last.done, last.total, "{stage}");
        assert!(seen
            .iter()
            .filter(|p| p.stage == stage)
            .all(|p| p.done <= p.total));
    }
}

#[tokio::test]
async fn bad_configurations_are_refused_before_anything_is_written() {
    let repo = MemoryRepo::new();
    for scale in [0.0, -1.0, f64::NAN, 100.0, 1e-7] {
        let cfg = GenerateConfig {
            scale,
            seed: 1,
            outline: Outline::Builtin,
        };
        let err = generate(&cfg, &repo, &repo, &|_| {}).await.unwrap_err();
        assert!(matches!(err, SimError::Config(_)), "{scale}: {err}");
    }
    let cfg = GenerateConfig {
        scale: 0.01,
        seed: 1,
        outline: Outline::GeoJsonGcj02(
            r#"{"type":"LineString","coordinates":[[114,22],[114.1,22.1]]}"#.into(),
        ),
    };
    assert!(matches!(
        generate(&cfg, &repo, &repo, &|_| {}).await,
        Err(SimError::Outline(_))
    ));
    assert_eq!(repo.count("grids"), 0);
}
