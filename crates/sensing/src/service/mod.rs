//! [`SensingService`]: the one way SensorThings entities and observations change,
//! whatever the edge (HTTP, MQTT, the ingest of vendor payloads, the simulator).
//!
//! Every change is stored first, then applied to the registry, then announced on
//! [`SensingService::subscribe`] (what the MQTT extension and the live map follow), and
//! observations are folded into the roll-ups.

mod create;
mod observations;
mod update;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use tokio::sync::broadcast;

use crate::{
    error::SensingError, observation::Observation, registry::Registry, repo::SensingRepo,
    rollup::Pending, EntityType,
};

/// What changed, for subscribers (OGC 18-088 §14.2: MQTT receive).
#[derive(Clone, Debug)]
pub enum Change {
    /// An entity was created or updated (its current state is in the registry).
    Entity {
        kind: EntityType,
        id: i64,
        created: bool,
    },
    /// An observation was created or updated.
    Observation {
        observation: Arc<Observation>,
        created: bool,
    },
    Deleted {
        kind: EntityType,
        id: i64,
    },
}

#[derive(Clone, Debug)]
pub struct SensingConfig {
    /// How long observations are kept.
    pub retention: Duration,
    /// How far ahead of the server's clock a reading may be stamped (device clocks drift).
    pub max_ahead: Duration,
}

impl Default for SensingConfig {
    fn default() -> Self {
        SensingConfig {
            retention: Duration::days(400),
            max_ahead: Duration::minutes(10),
        }
    }
}

pub struct SensingService {
    pub registry: Arc<Registry>,
    pub(crate) repo: Arc<dyn SensingRepo>,
    pub config: SensingConfig,
    ids: Mutex<(i64, i64)>,
    pub(crate) pending: Mutex<Pending>,
    changes: broadcast::Sender<Change>,
    /// The latest observation of each stream (what the device panel and the map show).
    latest: Mutex<HashMap<i64, Arc<Observation>>>,
    /// What each device sent over MQTT and what became of it.
    pub ledger: crate::ingest::Ledger,
    /// Which streams are in alarm; their rules.
    pub alarm_book: Mutex<crate::rules::AlarmBook>,
    alarms: broadcast::Sender<crate::rules::Alarm>,
    /// A device stream's device and quantity, looked up once.
    stream_quantity: Mutex<HashMap<i64, Option<StreamOf>>>,
    overrides_write: tokio::sync::Mutex<()>,
    pub(crate) serials: crate::ingest::Serials,
}

/// What the rules need of a device's stream, looked up once.
#[derive(Debug)]
struct StreamOf {
    device: i64,
    k: usize,
    device_type: Box<str>,
    quantities: &'static [&'static str],
    home: (f64, f64),
}

impl std::fmt::Debug for SensingService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SensingService").finish_non_exhaustive()
    }
}

impl SensingService {
    /// Loads the stored entities and folds what the last run stored but did not roll up.
    pub async fn start(
        registry: Arc<Registry>,
        repo: Arc<dyn SensingRepo>,
        config: SensingConfig,
    ) -> Result<SensingService, SensingError> {
        registry.load(repo.load_entities().await?);
        let watermark = repo.rollup_watermark().await?;
        let now = Utc::now();
        repo.prepare_partitions(now - Duration::days(31), now + Duration::days(62))
            .await?;
        let svc = SensingService {
            registry,
            repo,
            config,
            ids: Mutex::new((0, 0)),
            pending: Mutex::new(Pending::new(watermark)),
            changes: broadcast::channel(65_536).0,
            latest: Mutex::default(),
            ledger: Default::default(),
            serials: Default::default(),
            alarm_book: Mutex::default(),
            alarms: broadcast::channel(4096).0,
            stream_quantity: Mutex::default(),
            overrides_write: Default::default(),
        };
        if let Some(doc) = svc.repo.rule_overrides().await? {
            let all: HashMap<i64, crate::rules::DeviceOverride> = serde_json::from_str(&doc)
                .map_err(|e| {
                    SensingError::Repo(citymirror_core::RepoError::Corrupt(format!(
                        "rule overrides: {e}"
                    )))
                })?;
            let mut book = svc.alarm_book.lock().expect("alarm book");
            for (d, o) in all {
                book.set_override(d, o);
            }
        }
        svc.catch_up_rollups().await?;
        Ok(svc)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.changes.subscribe()
    }

    /// Alarms raised and cleared by the rules, for the request loop to file.
    pub fn alarms(&self) -> broadcast::Receiver<crate::rules::Alarm> {
        self.alarms.subscribe()
    }

    /// Runs the rules on stored readings of device streams: thresholds and rates on
    /// each value, and the geofence where a reading names where it was made (an
    /// inline FeatureOfInterest, as SensorThings' mobile sensors report position).
    pub(crate) fn apply_rules(&self, stored: &[Arc<Observation>]) {
        let received = Utc::now();
        let mut raised = Vec::new();
        {
            let mut kinds = self.stream_quantity.lock().expect("stream quantities");
            let mut book = self.alarm_book.lock().expect("alarm book");
            for o in stored {
                let (crate::observation::Stream::Datastream(id), Some(v)) = (o.stream, o.number())
                else {
                    continue;
                };
                let kind = kinds.entry(id).or_insert_with(|| {
                    let (device, k) = crate::devices::split_datastream(id)?;
                    let d = self.registry.device(device)?;
                    let quantities = crate::catalog::quantities(&d.device_type);
                    (k < quantities.len()).then(|| StreamOf {
                        device,
                        k,
                        device_type: d.device_type.into(),
                        quantities,
                        home: (d.lon, d.lat),
                    })
                });
                let Some(s) = kind else {
                    continue;
                };
                let info = crate::rules::DeviceInfo {
                    id: s.device,
                    device_type: &s.device_type,
                    quantities: s.quantities,
                };
                let at = o.phenomenon_time.start;
                raised.extend(book.observe(&info, s.k, v, at, received));
                if let Some(p) = o.foi.and_then(|f| self.position_of(f)) {
                    raised.extend(book.locate(&info, s.home, p, at));
                }
            }
        }
        for a in raised {
            let _ = self.alarms.send(a);
        }
    }

    /// Where a stored FeatureOfInterest is (a device's own, derived one is where the
    /// twin has it, so it never moves it).
    fn position_of(&self, foi: i64) -> Option<(f64, f64)> {
        if foi < crate::devices::STORED_IDS_FROM {
            return None;
        }
        let e = self
            .registry
            .get(EntityType::FeatureOfInterest, foi, false)?;
        crate::geometry::anchor(&crate::geometry::from_json(e.props.get("feature")?)?)
    }

    /// Reports the devices that have gone silent (run on a timer).
    pub fn sweep_silence(&self, now: DateTime<Utc>) {
        let alarms = {
            let mut book = self.alarm_book.lock().expect("alarm book");
            book.sweep(now, |id| {
                let d = self.registry.device(id)?;
                let q = crate::catalog::quantities(&d.device_type);
                Some((d.device_type, q))
            })
        };
        if alarms.mass_silence > 0 {
            tracing::warn!(
                devices = alarms.mass_silence,
                "{} devices fell silent at once: the link to them (broker, gateways) is down; no ticket per device",
                alarms.mass_silence
            );
        }
        for a in alarms.alarms {
            let _ = self.alarms.send(a);
        }
    }

    /// Sets a device's own rules (an empty override restores its type's), checked
    /// against what the device measures, and stored before it takes effect.
    pub async fn set_rule_override(
        &self,
        device: i64,
        o: crate::rules::DeviceOverride,
    ) -> Result<(), SensingError> {
        let d = self
            .registry
            .device(device)
            .ok_or(SensingError::NotFound(EntityType::Thing, device))?;
        o.validate(&d.device_type)
            .map_err(|e| SensingError::Invalid(crate::model::invalid("invalid_rule", e.0)))?;
        // One writer at a time: the document is read, changed and written whole.
        let _write = self.overrides_write.lock().await;
        let mut all = self
            .alarm_book
            .lock()
            .expect("alarm book")
            .overrides()
            .clone();
        if o == crate::rules::DeviceOverride::default() {
            all.remove(&device);
        } else {
            all.insert(device, o.clone());
        }
        let doc = serde_json::to_string(&all.iter().collect::<std::collections::BTreeMap<_, _>>())
            .expect("overrides serialize");
        self.repo.put_rule_overrides(&doc).await?;
        self.alarm_book
            .lock()
            .expect("alarm book")
            .set_override(device, o);
        Ok(())
    }

    pub(crate) fn announce(&self, c: Change) {
        let _ = self.changes.send(c);
    }

    /// `n` fresh entity ids.
    pub(crate) async fn take_ids(&self, n: usize) -> Result<Vec<i64>, SensingError> {
        let n = n as i64;
        {
            let mut r = self.ids.lock().expect("ids");
            if r.1 - r.0 >= n {
                let first = r.0;
                r.0 += n;
                return Ok((first..first + n).collect());
            }
        }
        let block = n.max(256);
        let first = self.repo.reserve_entity_ids(block as u64).await?;
        let mut r = self.ids.lock().expect("ids");
        *r = (first + n, first + block);
        Ok((first..first + n).collect())
    }

    /// The latest reading of a stream since the server started.
    pub fn latest(&self, stream: i64) -> Option<Arc<Observation>> {
        self.latest.lock().expect("latest").get(&stream).cloned()
    }

    pub(crate) fn remember(&self, o: &Arc<Observation>) {
        let mut l = self.latest.lock().expect("latest");
        let newer = l
            .get(&o.stream.id())
            .is_none_or(|old| old.phenomenon_time.start <= o.phenomenon_time.start);
        if newer {
            l.insert(o.stream.id(), o.clone());
        }
    }

    /// Whether a reading stamped `t` is acceptable now: inside retention, and not
    /// further ahead than device clocks drift.
    pub fn in_range(&self, t: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        t >= now - self.config.retention && t <= now + self.config.max_ahead
    }

    /// Merges the pending roll-up deltas into the store (every few seconds, and at
    /// shutdown). On failure the deltas are kept for the next try.
    pub async fn flush_rollups(&self) -> Result<usize, SensingError> {
        let (deltas, watermark) = self.pending.lock().expect("pending").take();
        if deltas.is_empty() {
            return Ok(0);
        }
        let n = deltas.len();
        if let Err(e) = self.repo.merge_rollups(&deltas, watermark).await {
            self.pending.lock().expect("pending").restore(deltas);
            return Err(e.into());
        }
        Ok(n)
    }

    /// Folds observations stored above the watermark (what a crash left out).
    async fn catch_up_rollups(&self) -> Result<(), SensingError> {
        loop {
            let from = self.pending.lock().expect("pending").watermark();
            let batch = self.repo.observations_after(from, 50_000).await?;
            if batch.is_empty() {
                return Ok(());
            }
            {
                let mut p = self.pending.lock().expect("pending");
                for o in &batch {
                    p.fold(o);
                }
            }
            self.flush_rollups().await?;
        }
    }

    /// Deletes what is older than the retention period, and makes the coming months'
    /// partitions.
    pub async fn prune(&self, now: DateTime<Utc>) -> Result<u64, SensingError> {
        self.repo
            .prepare_partitions(now, now + Duration::days(62))
            .await?;
        Ok(self.repo.prune(now - self.config.retention).await?)
    }
}

/// The JSON object of a request body, or an error saying it is not one.
pub fn object(v: &Value) -> Result<&serde_json::Map<String, Value>, SensingError> {
    v.as_object()
        .ok_or_else(|| crate::model::invalid("bad_body", "the body must be a JSON object").into())
}

/// How finely a series is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    Raw,
    Minute,
    Hour,
}

impl Resolution {
    /// `raw`, `PT1M`/`1m`, `PT1H`/`1h`; `None` for `auto` (or nothing).
    pub fn parse(s: &str) -> Result<Option<Resolution>, crate::model::Invalid> {
        match s {
            "" | "auto" => Ok(None),
            "raw" => Ok(Some(Resolution::Raw)),
            "PT1M" | "1m" | "minute" => Ok(Some(Resolution::Minute)),
            "PT1H" | "1h" | "hour" => Ok(Some(Resolution::Hour)),
            other => Err(crate::model::invalid(
                "bad_resolution",
                format!("`{other}`: a resolution is raw, PT1M, PT1H or auto"),
            )),
        }
    }

    /// What `auto` picks for a range: raw up to an hour, minutes up to two days, hours beyond.
    pub fn auto(from: DateTime<Utc>, to: DateTime<Utc>) -> Resolution {
        let span = to - from;
        if span <= Duration::hours(1) {
            Resolution::Raw
        } else if span <= Duration::days(2) {
            Resolution::Minute
        } else {
            Resolution::Hour
        }
    }

    pub fn seconds(self) -> Option<i64> {
        match self {
            Resolution::Raw => None,
            Resolution::Minute => Some(crate::rollup::MINUTE),
            Resolution::Hour => Some(crate::rollup::HOUR),
        }
    }
}

/// One point of a series: a bucket (or one raw reading, as a bucket of one).
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub start: DateTime<Utc>,
    pub bucket: crate::rollup::Bucket,
}

/// The most points one series answer holds.
pub const MAX_POINTS: usize = 10_000;

impl SensingService {
    /// A stream's numeric readings from `from` to `to`, raw or rolled up (the stored
    /// buckets plus what is pending in memory, so the last minutes are complete too).
    pub async fn series(
        &self,
        stream: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        resolution: Resolution,
    ) -> Result<Vec<Point>, SensingError> {
        use crate::{
            repo::{ObservationOrder, ObservationQuery},
            rollup::{Bucket, RollupKey},
        };
        let Some(secs) = resolution.seconds() else {
            let q = ObservationQuery {
                of: Some(crate::registry::ObservationsOf::Stream(
                    crate::observation::Stream::Datastream(stream),
                )),
                from: Some(from),
                to: Some(to),
                order: ObservationOrder::TimeAsc,
                offset: 0,
                limit: MAX_POINTS as u64,
            };
            return Ok(self
                .repo
                .observations(&q)
                .await?
                .into_iter()
                .filter_map(|o| {
                    o.number().map(|v| Point {
                        start: o.phenomenon_time.start,
                        bucket: Bucket::of(v),
                    })
                })
                .collect());
        };
        let first = crate::rollup::bucket_start(from, secs);
        let mut stored = self.repo.rollups(stream, secs, first, to).await?;
        let p = self.pending.lock().expect("pending");
        let mut t = first;
        let mut i = 0;
        let mut out = Vec::new();
        while t <= to && out.len() < MAX_POINTS {
            while i < stored.len() && stored[i].0 < t {
                i += 1;
            }
            let have = (i < stored.len() && stored[i].0 == t)
                .then(|| std::mem::replace(&mut stored[i].1, Bucket::of(0.0)));
            let pending = p.get(&RollupKey {
                stream,
                resolution: secs,
                start: t,
            });
            let b = match (have, pending) {
                (Some(a), Some(b)) => Some(a.merge(b)),
                (a, b) => a.or(b),
            };
            if let Some(bucket) = b {
                out.push(Point { start: t, bucket });
            }
            t += Duration::seconds(secs);
        }
        Ok(out)
    }
}
