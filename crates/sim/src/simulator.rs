//! The live simulator: a district does not stand still. Every tick it changes the twin
//! through [`TwinService`] — the write path HTTP Part 4 uses, so subscribers, the index
//! and storage all see the change — by flipping a device's status, putting up a new
//! component by a building or a road, or taking down one it put up earlier.

use citymirror_trust::{
    audit::{AuditLog, NewEntry},
    Actor,
};
use std::{sync::Arc, time::Duration};

use citymirror_core::{
    catalogue::{ComponentCategory, Placement, COMPONENT_CATEGORIES},
    LayerId, Value,
};
use citymirror_twin::{FeatureId, FeatureQuery, NewFeature, Patch, TwinError, TwinService};
use geo::{BoundingRect, Geometry, Point, Rect};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio::{sync::watch, time::MissedTickBehavior};

use crate::frame::round_deg;

#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    /// Time between changes.
    pub interval: Duration,
    pub seed: u64,
    /// Once this many components it created are standing, it removes rather than adds.
    pub max_created: usize,
    /// Where its changes are recorded, as every state change is (`None` in tests that
    /// only look at the twin).
    pub audit: Option<AuditLog>,
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        SimulatorConfig {
            interval: Duration::from_secs(2),
            seed: 0,
            max_created: 500,
            audit: None,
        }
    }
}

/// Metres per degree of longitude and latitude near Futian.
const M_PER_DEG_LON: f64 = 102_870.0;
const M_PER_DEG_LAT: f64 = 110_740.0;

/// Runs until `shutdown` turns true (or its sender is dropped).
pub async fn run_simulator(
    service: Arc<TwinService>,
    cfg: SimulatorConfig,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut sim = Simulator {
        service,
        rng: ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x51A7_0B5E),
        created: Vec::new(),
        max_created: cfg.max_created,
        audit: cfg.audit,
    };
    let mut ticker = tokio::time::interval(cfg.interval.max(Duration::from_millis(1)));
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    ticker.tick().await; // the first tick is immediate
    tracing::info!(
        interval_ms = cfg.interval.as_millis() as u64,
        "live simulator started"
    );
    loop {
        if *shutdown.borrow() {
            break;
        }
        tokio::select! {
            _ = ticker.tick() => {}
            changed = shutdown.changed() => {
                if changed.is_err() {
                    break;
                }
                continue;
            }
        }
        if let Err(e) = sim.step().await {
            tracing::warn!(error = %e, "simulator change failed");
        }
    }
    tracing::info!("live simulator stopped");
}

struct Simulator {
    service: Arc<TwinService>,
    rng: ChaCha8Rng,
    /// Components this simulator put up, which it may take down again.
    created: Vec<FeatureId>,
    max_created: usize,
    audit: Option<AuditLog>,
}

impl Simulator {
    /// Appends a committed change to the audit log. A failure is logged, not fatal: the
    /// simulator stands in for field devices, which do not stop when a log is down.
    async fn record(&self, action: &str, layer: LayerId, id: FeatureId, detail: serde_json::Value) {
        let Some(log) = &self.audit else { return };
        let actor = Actor::System {
            name: "simulator".into(),
        };
        let entry = NewEntry::new(&actor, action, format!("{layer}/{id}")).with_detail(detail);
        if let Err(e) = log.append(entry).await {
            tracing::warn!(error = %e, "cannot record a simulator change in the audit log");
        }
    }

    async fn step(&mut self) -> Result<(), TwinError> {
        let roll = self.rng.gen_range(0..100);
        if roll < 60 {
            self.flip_device().await
        } else if (roll < 90 && self.created.len() < self.max_created) || self.created.is_empty() {
            self.add_component().await
        } else {
            self.remove_component().await
        }
    }

    /// A random feature of a layer (ids are dense from 1, so a few draws find one).
    fn random_feature(
        &mut self,
        layer: LayerId,
        ok: impl Fn(&citymirror_twin::Feature) -> bool,
    ) -> Option<citymirror_twin::Feature> {
        let twin = self.service.twin();
        let l = twin.layer(layer);
        let max = l.max_id();
        if max == 0 {
            return None;
        }
        for _ in 0..20 {
            if let Some(f) = l.get(self.rng.gen_range(1..=max)) {
                if ok(f) {
                    return Some(f.clone());
                }
            }
        }
        None
    }

    async fn flip_device(&mut self) -> Result<(), TwinError> {
        let Some(device) = self.random_feature(LayerId::Devices, |_| true) else {
            tracing::debug!("no devices to change");
            return Ok(());
        };
        let schema = LayerId::Devices.schema();
        let old = device
            .prop(schema, "status")
            .and_then(Value::as_str)
            .unwrap_or("在线")
            .to_owned();
        let new = if old == "在线" {
            if self.rng.gen_bool(0.8) {
                "离线"
            } else {
                "故障"
            }
        } else {
            "在线"
        };
        let patch = Patch {
            geometry: None,
            props: vec![("status".into(), Value::from(new))],
        };
        self.service
            .patch(LayerId::Devices, device.id, patch)
            .await?;
        self.record(
            "twin.update",
            LayerId::Devices,
            device.id,
            serde_json::json!({ "fields": ["status"] }),
        )
        .await;
        tracing::debug!(id = device.id, from = %old, to = new, "device status changed");
        Ok(())
    }

    fn category(&mut self, placement: Placement) -> &'static ComponentCategory {
        let cats: Vec<&'static ComponentCategory> = COMPONENT_CATEGORIES
            .iter()
            .filter(|c| c.placement == placement)
            .collect();
        let total: u32 = cats.iter().map(|c| c.weight).sum();
        let mut r = self.rng.gen_range(0..total.max(1));
        for c in &cats {
            if r < c.weight {
                return c;
            }
            r -= c.weight;
        }
        cats[0]
    }

    /// A point `d` metres from a rectangle's edge, on a random side.
    fn beside(&mut self, r: Rect<f64>, d: f64) -> (f64, f64) {
        let (dx, dy) = (d / M_PER_DEG_LON, d / M_PER_DEG_LAT);
        let (min, max) = (r.min(), r.max());
        let x = self.rng.gen_range(min.x..=max.x);
        let y = self.rng.gen_range(min.y..=max.y);
        match self.rng.gen_range(0..4) {
            0 => (x, min.y - dy),
            1 => (x, max.y + dy),
            2 => (min.x - dx, y),
            _ => (max.x + dx, y),
        }
    }

    async fn add_component(&mut self) -> Result<(), TwinError> {
        let by_building = self.rng.gen_bool(0.5);
        let (point, category) = if by_building {
            let Some(b) = self.random_feature(LayerId::Buildings, |_| true) else {
                tracing::debug!("no buildings to put a component by");
                return Ok(());
            };
            let Some(r) = b.geometry.bounding_rect() else {
                return Ok(());
            };
            let d = self.rng.gen_range(3.0..15.0);
            (self.beside(r, d), self.category(Placement::NearBuilding))
        } else {
            // Roads are not a layer; a kerbside component marks where one runs.
            let comps = LayerId::Components.schema();
            let Some(c) = self.random_feature(LayerId::Components, |f| {
                f.prop(comps, "category")
                    .and_then(Value::as_str)
                    .and_then(citymirror_core::catalogue::component_category)
                    .is_some_and(|c| c.placement == Placement::Roadside)
            }) else {
                tracing::debug!("no kerbside components to put a component near");
                return Ok(());
            };
            let Geometry::Point(p) = c.geometry else {
                return Ok(());
            };
            let d = self.rng.gen_range(5.0..30.0);
            let r = Rect::new(p.0, p.0);
            (self.beside(r, d), self.category(Placement::Roadside))
        };
        let (x, y) = (round_deg(point.0), round_deg(point.1));
        let twin = self.service.twin().clone();
        if twin.locate(x, y).is_none() {
            tracing::debug!(
                x,
                y,
                "new component would fall outside the district; skipped"
            );
            return Ok(());
        }
        let inside_building = twin
            .layer(LayerId::Buildings)
            .query(&FeatureQuery {
                bbox: Some(Rect::new((x, y), (x, y))),
                limit: 1,
                ..Default::default()
            })
            .matched
            > 0;
        if inside_building {
            tracing::debug!(x, y, "new component would stand inside a building; skipped");
            return Ok(());
        }
        let today = chrono::Utc::now().date_naive();
        let props = [
            // The category's names are derived by the write path, as for every writer.
            ("category", Value::from(category.code)),
            ("owner_unit", Value::from("福田区城市管理和综合执法局")),
            ("status", Value::from("完好")),
            ("installed", Value::Date(today)),
        ]
        .map(|(k, v)| (k.to_owned(), v));
        let new = NewFeature::validate(
            LayerId::Components.schema(),
            Geometry::Point(Point::new(x, y)),
            props,
        )?;
        let f = self.service.create(LayerId::Components, new).await?;
        self.created.push(f.id);
        self.record(
            "twin.create",
            LayerId::Components,
            f.id,
            serde_json::Value::Null,
        )
        .await;
        tracing::debug!(
            id = f.id,
            category = category.name_zh,
            x,
            y,
            "component added"
        );
        Ok(())
    }

    async fn remove_component(&mut self) -> Result<(), TwinError> {
        if self.created.is_empty() {
            return Ok(());
        }
        let id = self
            .created
            .swap_remove(self.rng.gen_range(0..self.created.len()));
        match self.service.delete(LayerId::Components, id).await {
            Ok(()) => {
                self.record(
                    "twin.delete",
                    LayerId::Components,
                    id,
                    serde_json::Value::Null,
                )
                .await;
                tracing::debug!(id, "component removed");
                Ok(())
            }
            // Someone else removed it first: nothing to do.
            Err(TwinError::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
