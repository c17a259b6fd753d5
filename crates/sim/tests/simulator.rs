//! The live simulator changes a running twin through the service: device statuses flip,
//! components come and go, and every change is stored and published.

mod common;

use std::{sync::Arc, time::Duration};

use citymirror_core::{LayerId, Value};
use citymirror_sim::{run_simulator, SimulatorConfig};
use citymirror_trust::audit::{AuditConfig, AuditLog, MemoryAuditRepo, Signer};
use citymirror_twin::{ChangeKind, TwinService};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulator_changes_the_twin_until_told_to_stop() {
    let (repo, _) = common::generate_into(0.002, 11, common::outline()).await;
    let service = Arc::new(TwinService::open(Arc::new(repo.clone())).await.unwrap());
    let components_before = service.twin().layer(LayerId::Components).len();
    let mut changes = service.twin().subscribe();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let audit = AuditLog::open(
        Arc::new(MemoryAuditRepo::new()),
        Signer::generate("test.citymirror/audit").unwrap(),
        AuditConfig::default(),
    )
    .await
    .unwrap();
    let cfg = SimulatorConfig {
        interval: Duration::from_millis(5),
        seed: 4,
        max_created: 5,
        audit: Some(audit.clone()),
    };
    let task = tokio::spawn(run_simulator(service.clone(), cfg, stopped));

    let mut seen = Vec::new();
    while seen.len() < 60 {
        let c = tokio::time::timeout(Duration::from_secs(10), changes.recv())
            .await
            .expect("the simulator keeps changing things")
            .unwrap();
        seen.push(c);
    }
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("it stops when told")
        .unwrap();

    // Every change it made is in the audit log, one entry each, by the simulator.
    while let Ok(c) = changes.try_recv() {
        seen.push(c);
    }
    assert_eq!(audit.size(), seen.len() as u64);
    let entries = audit.entries(0, 1000).await.unwrap();
    assert!(
        entries
            .iter()
            .all(|r| r.entry.contains("\"actor\":\"system:simulator\"")),
        "{:?}",
        entries[0]
    );

    let count = |layer, kind| {
        seen.iter()
            .filter(|c| c.layer == layer && c.kind == kind)
            .count()
    };
    assert!(count(LayerId::Devices, ChangeKind::Updated) > 0, "{seen:?}");
    assert!(
        count(LayerId::Components, ChangeKind::Created) > 0,
        "{seen:?}"
    );
    assert!(
        count(LayerId::Components, ChangeKind::Deleted) > 0,
        "{seen:?}"
    );
    // At most `max_created` of its own components stand at once.
    let standing = service.twin().layer(LayerId::Components).len() - components_before;
    assert!(standing <= 5, "{standing}");

    // What the twin shows, the store has: the same device statuses, the new components,
    // each placed in a grid by the service.
    let schema = LayerId::Devices.schema();
    let twin = service.twin();
    for stored in repo.features(LayerId::Devices) {
        let live = twin
            .layer(LayerId::Devices)
            .get(stored.id)
            .cloned()
            .unwrap();
        assert_eq!(live.prop(schema, "status"), stored.prop(schema, "status"));
    }
    let comps = LayerId::Components.schema();
    for c in seen
        .iter()
        .filter(|c| c.layer == LayerId::Components && c.kind == ChangeKind::Created)
    {
        let live = twin.layer(LayerId::Components).get(c.id).cloned();
        let stored = repo
            .features(LayerId::Components)
            .into_iter()
            .find(|f| f.id == c.id);
        assert_eq!(live.is_some(), stored.is_some(), "component {}", c.id);
        if let Some(f) = live {
            assert!(f
                .prop(comps, "grid_code")
                .is_some_and(|v| matches!(v, Value::Text(_))));
        }
    }
}
