//! The ingest: MQTT messages to stored observations, counted per device.
//!
//! Each message is read on its own, and each of its readings checked on its own; a
//! malformed payload, an unknown device or datastream, or a reading stamped out of
//! range is counted against its device (and logged, at most once a minute per device)
//! and never holds up the others. What passes is stored in one transaction per batch;
//! the caller acknowledges the batch's messages to the broker only after that commit.

use std::{
    collections::HashMap,
    sync::{Mutex, RwLock},
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use citymirror_core::LayerId;
use serde::Serialize;

use crate::{
    catalog,
    devices::{Device, STREAMS_PER_DEVICE},
    error::SensingError,
    observation::{Observation, Stream},
    payload::{self, Refusal},
    SensingService,
};

/// One message as the broker delivered it.
#[derive(Clone, Debug)]
pub struct Message<'a> {
    pub topic: &'a str,
    pub payload: &'a [u8],
}

/// What one device sent, and what became of it.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Counts {
    pub received: u64,
    pub stored: u64,
    pub malformed: u64,
    pub unknown: u64,
    pub out_of_range: u64,
    pub last_error: Option<String>,
    pub last_seen: Option<DateTime<Utc>>,
}

/// Counts per device key (its serial, or `Datastreams(id)` for SensorThings topics).
#[derive(Debug, Default)]
pub struct Ledger {
    devices: Mutex<HashMap<String, (Counts, Option<Instant>)>>,
}

impl Ledger {
    fn received(&self, key: &str, n: u64, now: DateTime<Utc>) {
        let mut d = self.devices.lock().expect("ledger");
        let (c, _) = d.entry(key.to_owned()).or_default();
        c.received += n;
        c.last_seen = Some(now);
    }

    fn stored(&self, key: &str, n: u64) {
        let mut d = self.devices.lock().expect("ledger");
        d.entry(key.to_owned()).or_default().0.stored += n;
    }

    fn refused(&self, key: &str, r: &Refusal) {
        let mut d = self.devices.lock().expect("ledger");
        let (c, logged) = d.entry(key.to_owned()).or_default();
        match r {
            Refusal::Malformed(_) => c.malformed += 1,
            Refusal::Unknown(_) => c.unknown += 1,
            Refusal::OutOfRange(_) => c.out_of_range += 1,
        }
        c.last_error = Some(format!("{}: {}", r.kind(), r.message()));
        if logged.is_none_or(|t| t.elapsed() >= Duration::from_secs(60)) {
            *logged = Some(Instant::now());
            tracing::warn!(
                device = key,
                kind = r.kind(),
                "ingest refused a reading: {}",
                r.message()
            );
        }
    }

    /// One device's counts.
    pub fn get(&self, key: &str) -> Option<Counts> {
        self.devices
            .lock()
            .expect("ledger")
            .get(key)
            .map(|(c, _)| c.clone())
    }

    /// Every device's counts, those with refusals first.
    pub fn all(&self) -> Vec<(String, Counts)> {
        let d = self.devices.lock().expect("ledger");
        let mut v: Vec<_> = d.iter().map(|(k, (c, _))| (k.clone(), c.clone())).collect();
        v.sort_by(|a, b| {
            let bad = |c: &Counts| c.malformed + c.unknown + c.out_of_range;
            bad(&b.1).cmp(&bad(&a.1)).then_with(|| a.0.cmp(&b.0))
        });
        v
    }

    /// The sums over all devices.
    pub fn totals(&self) -> Counts {
        let d = self.devices.lock().expect("ledger");
        let mut t = Counts::default();
        for (c, _) in d.values() {
            t.received += c.received;
            t.stored += c.stored;
            t.malformed += c.malformed;
            t.unknown += c.unknown;
            t.out_of_range += c.out_of_range;
            t.last_seen = t.last_seen.max(c.last_seen);
        }
        t
    }
}

/// Device ids by serial number, built from the twin and rebuilt (at most once a
/// minute) when a serial is not found, so devices added since are picked up.
#[derive(Debug, Default)]
pub struct Serials {
    map: RwLock<(HashMap<String, i64>, Option<Instant>)>,
}

impl SensingService {
    fn device_by_serial(&self, serial: &str) -> Option<Device> {
        let found = self
            .serials
            .map
            .read()
            .expect("serials")
            .0
            .get(serial)
            .copied();
        let id = match found {
            Some(id) => id,
            None => {
                let mut m = self.serials.map.write().expect("serials");
                if m.1.is_some_and(|t| t.elapsed() < Duration::from_secs(60)) {
                    return None;
                }
                let layer = self.registry.twin().layer(LayerId::Devices);
                let schema = layer.schema();
                m.0 = layer
                    .iter()
                    .filter_map(|f| Device::from_feature(schema, f))
                    .map(|d| (d.serial, d.id))
                    .collect();
                m.1 = Some(Instant::now());
                *m.0.get(serial)?
            }
        };
        self.registry.device(id)
    }

    /// Reads, checks and stores one batch of messages. An error means the batch's
    /// transaction failed: nothing of it was stored and its messages must not be
    /// acknowledged (the broker delivers them again).
    pub async fn ingest(
        &self,
        messages: &[Message<'_>],
        vendor_prefix: &str,
    ) -> Result<usize, SensingError> {
        let now = Utc::now();
        let mut good: Vec<(String, Observation)> = Vec::new();
        for m in messages {
            if let Some(stream) = payload::sta_topic(m.topic) {
                let key = match stream {
                    Some(s) => format!(
                        "{}({})",
                        if matches!(s, Stream::Multi(_)) {
                            "MultiDatastreams"
                        } else {
                            "Datastreams"
                        },
                        s.id()
                    ),
                    None => "Observations".to_owned(),
                };
                match payload::sta_observation(stream, m.payload, now) {
                    Ok(Some(o)) => {
                        self.ledger.received(&key, 1, now);
                        match self.check_ingested(&o) {
                            Ok(()) => good.push((key, o)),
                            Err(r) => self.ledger.refused(&key, &r),
                        }
                    }
                    // An announcement (it carries `@iot.id`), read back from a broker
                    // that ignores No Local: not a reading, not counted.
                    Ok(None) => {}
                    Err(r) => {
                        self.ledger.received(&key, 1, now);
                        self.ledger.refused(&key, &r)
                    }
                }
            } else if m.topic.starts_with(vendor_prefix) {
                for line in payload::vendor_lines(m.payload) {
                    match line {
                        Ok(l) => self.vendor_readings(l, now, &mut good),
                        Err((serial, r)) => {
                            let key = serial.unwrap_or_else(|| format!("topic:{}", m.topic));
                            self.ledger.received(&key, 1, now);
                            self.ledger.refused(&key, &r);
                        }
                    }
                }
            }
        }
        let (keys, obs): (Vec<String>, Vec<Observation>) = good.into_iter().unzip();
        let n = obs.len();
        self.store_settled(obs).await?;
        let mut per: HashMap<&str, u64> = HashMap::new();
        for k in &keys {
            *per.entry(k).or_default() += 1;
        }
        for (k, c) in per {
            self.ledger.stored(k, c);
        }
        Ok(n)
    }

    fn vendor_readings(
        &self,
        l: payload::VendorLine,
        now: DateTime<Utc>,
        out: &mut Vec<(String, Observation)>,
    ) {
        self.ledger.received(&l.serial, 1, now);
        let Some(d) = self.device_by_serial(&l.serial) else {
            self.ledger.refused(
                &l.serial,
                &Refusal::Unknown(format!("no device has serial `{}`", l.serial)),
            );
            return;
        };
        let quantities = catalog::quantities(&d.device_type);
        if l.values.len() > quantities.len() {
            let r = Refusal::Malformed(format!(
                "{} values for a {} ({} measures {})",
                l.values.len(),
                d.device_type,
                d.device_type,
                quantities.join(", ")
            ));
            self.ledger.refused(&l.serial, &r);
            return;
        }
        if !self.in_range(l.time, now) {
            self.ledger.refused(
                &l.serial,
                &Refusal::OutOfRange(format!(
                    "{} is outside what is kept",
                    crate::time::iso(l.time)
                )),
            );
            return;
        }
        for (k, v) in l.values.iter().enumerate() {
            let Some(v) = v else { continue };
            out.push((
                l.serial.clone(),
                Observation {
                    id: 0,
                    stream: Stream::Datastream(d.id * STREAMS_PER_DEVICE + k as i64),
                    phenomenon_time: crate::time::TimeValue::instant(l.time),
                    result_time: Some(now),
                    result: (*v).into(),
                    result_quality: None,
                    valid_time: None,
                    parameters: None,
                    foi: Some(d.id),
                },
            ));
        }
    }

    fn check_ingested(&self, o: &Observation) -> Result<(), Refusal> {
        match self.check_observation(o) {
            Ok(()) => Ok(()),
            Err(SensingError::NotFound(k, id)) => Err(Refusal::Unknown(format!(
                "there is no {} {id}",
                k.singular()
            ))),
            Err(SensingError::Invalid(i)) if i.code == "out_of_range" => {
                Err(Refusal::OutOfRange(i.message))
            }
            Err(e) => Err(Refusal::Malformed(e.to_string())),
        }
    }
}
