//! Rules and alarms: when a reading — or its absence — means someone must act.
//!
//! Four conditions, each with hysteresis so a value hovering at a limit raises one
//! alarm, not many:
//! - **threshold**: a reading crosses `raise`; cleared only when one comes back past
//!   `clear`;
//! - **rate**: a stream rises faster than its limit per minute between two readings;
//!   cleared when a later rise is under half of it;
//! - **silence**: a device that has reported sends nothing for N minutes (checked by
//!   [`AlarmBook::sweep`]); cleared by its next reading;
//! - **geofence**: a device is reported further than R metres from where the twin has
//!   it installed; cleared when reported back within 0.8 R.
//!
//! Defaults come per device type and quantity (`defaults`), overridable per device
//! (`overrides`). One alarm per subject and condition is open at a time
//! (de-duplication). Raised and cleared alarms are announced on
//! [`crate::SensingService::alarms`], and the binary files them through the request
//! loop's one intake call, as a citizen's request is filed.

pub mod defaults;
pub mod overrides;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

pub use overrides::{DeviceOverride, InvalidOverride, QuantityOverride};

/// Which side of the threshold is abnormal.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Threshold {
    /// Abnormal at or above `raise`; normal again at or below `clear` (< raise).
    Above { raise: f64, clear: f64 },
    /// Abnormal at or below `raise`; normal again at or above `clear` (> raise).
    Below { raise: f64, clear: f64 },
}

/// A quantity's rules and where its alarms are filed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QuantityRule {
    pub threshold: Option<Threshold>,
    /// The fastest rise per minute that is still normal.
    pub rise_per_min: Option<f64>,
    /// The request-loop service (`catalog` code) an alarm is filed under.
    pub service: &'static str,
    /// What the ticket is called.
    pub title_zh: &'static str,
    pub urgent: bool,
}

/// What kind of condition an alarm reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    Threshold,
    Rate,
    Silence,
    Geofence,
}

impl Condition {
    pub fn as_str(self) -> &'static str {
        match self {
            Condition::Threshold => "threshold",
            Condition::Rate => "rate",
            Condition::Silence => "silence",
            Condition::Geofence => "geofence",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Condition::Threshold => "越限",
            Condition::Rate => "突变",
            Condition::Silence => "失联",
            Condition::Geofence => "越界",
        }
    }
}

/// Where an alarm is filed.
#[derive(Clone, Debug, PartialEq)]
pub struct Filing {
    pub service: &'static str,
    pub title_zh: String,
    pub urgent: bool,
}

/// What an alarm is about: a device's stream (threshold, rate), or the device itself
/// (silence, geofence) — then `stream` is its first Datastream, so a ticket can still
/// show the series that stopped.
#[derive(Clone, Debug, PartialEq)]
pub struct Subject {
    pub device: i64,
    pub stream: i64,
    pub quantity: Option<&'static str>,
    pub condition: Condition,
}

impl Subject {
    fn key(&self) -> (i64, Condition) {
        match self.condition {
            Condition::Threshold | Condition::Rate => (self.stream, self.condition),
            Condition::Silence | Condition::Geofence => (self.device, self.condition),
        }
    }

    /// The stable reference the raised alarm's ticket is filed under (so a repeat of
    /// the same alarm finds the same ticket): `alarm:<stream>:<raised at, ms>`, with
    /// `:<condition>` after it for all but thresholds.
    pub fn source_ref(&self, raised_at: DateTime<Utc>) -> String {
        let ms = raised_at.timestamp_millis();
        match self.condition {
            Condition::Threshold => format!("alarm:{}:{ms}", self.stream),
            c => format!("alarm:{}:{ms}:{}", self.stream, c.as_str()),
        }
    }
}

/// A change of an alarm's state.
#[derive(Clone, Debug, PartialEq)]
pub struct Alarm {
    pub subject: Subject,
    /// The reading that changed it (none for silence).
    pub value: Option<f64>,
    pub at: DateTime<Utc>,
    pub change: AlarmChange,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AlarmChange {
    Raised(Filing),
    Cleared { raised_at: DateTime<Utc> },
}

/// An alarm that is open now.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenAlarm {
    pub subject: Subject,
    pub value: Option<f64>,
    pub since: DateTime<Utc>,
}

/// What the book knows of a device to judge it.
#[derive(Clone, Copy, Debug)]
pub struct DeviceInfo<'a> {
    pub id: i64,
    pub device_type: &'a str,
    /// Its quantity keys, in Datastream order.
    pub quantities: &'a [&'static str],
}

/// Which alarms are open, since when, and what the rules need to remember.
#[derive(Debug, Default)]
pub struct AlarmBook {
    open: HashMap<(i64, Condition), OpenAlarm>,
    /// Each stream's last reading (for the rate of rise).
    last: HashMap<i64, (DateTime<Utc>, f64)>,
    /// What silence needs of each device that has reported.
    seen: HashMap<i64, Seen>,
    overrides: HashMap<i64, DeviceOverride>,
}

#[derive(Debug)]
struct Seen {
    /// When its last reading arrived, by the server's clock (a device whose clock is
    /// wrong is not silent).
    at: DateTime<Utc>,
    /// Its silence limit in minutes (`u32::MAX`: read it again, an override changed).
    limit_min: u32,
    first_quantity: &'static str,
    /// Not yet reported silent since its last reading.
    watching: bool,
}

/// More devices than this falling silent in one sweep (and a twentieth of those
/// watched) is an outage of the link, not of the devices.
pub const MASS_SILENCE: usize = 50;

/// What a silence sweep found.
#[derive(Debug, Default)]
pub struct Swept {
    pub alarms: Vec<Alarm>,
    /// Devices that fell silent together, not reported one by one (0: none).
    pub mass_silence: usize,
}

/// A rise measured over a gap longer than this says nothing about suddenness.
const RATE_WINDOW_MIN: f64 = 30.0;

impl AlarmBook {
    /// Replaces a device's overrides (an empty one restores the defaults).
    pub fn set_override(&mut self, device: i64, o: DeviceOverride) {
        if o == DeviceOverride::default() {
            self.overrides.remove(&device);
        } else {
            self.overrides.insert(device, o);
        }
        // The silence limit is read again on the next reading.
        if let Some(s) = self.seen.get_mut(&device) {
            s.limit_min = u32::MAX;
        }
    }

    pub fn override_of(&self, device: i64) -> Option<&DeviceOverride> {
        self.overrides.get(&device)
    }

    pub fn overrides(&self) -> &HashMap<i64, DeviceOverride> {
        &self.overrides
    }

    pub fn is_open(&self, subject: i64, condition: Condition) -> bool {
        self.open.contains_key(&(subject, condition))
    }

    /// The open alarms, newest first.
    pub fn open_alarms(&self) -> Vec<OpenAlarm> {
        let mut v: Vec<_> = self.open.values().cloned().collect();
        v.sort_by(|a, b| {
            b.since
                .cmp(&a.since)
                .then(a.subject.stream.cmp(&b.subject.stream))
        });
        v
    }

    /// A quantity's rule for this device: the type's default with the device's
    /// overrides laid over it; `None` when nothing is watched.
    pub fn rule(&self, device: i64, quantity: &str) -> Option<QuantityRule> {
        let mut r = defaults::quantity_rule(quantity);
        if let Some(o) = self
            .overrides
            .get(&device)
            .and_then(|o| o.quantities.get(quantity))
        {
            if o.off {
                return None;
            }
            let (service, urgent) = r.map_or(("0100", false), |r| (r.service, r.urgent));
            let mut merged = r.unwrap_or(QuantityRule {
                threshold: None,
                rise_per_min: None,
                service,
                title_zh: "设备读数告警",
                urgent,
            });
            if o.threshold.is_some() {
                merged.threshold = o.threshold;
            }
            if o.rise_per_min.is_some() {
                merged.rise_per_min = o.rise_per_min;
            }
            r = Some(merged);
        }
        r
    }

    fn silence_minutes(&self, d: &DeviceInfo) -> u32 {
        self.overrides
            .get(&d.id)
            .and_then(|o| o.silence_min)
            .unwrap_or_else(|| defaults::silence_minutes(d.device_type))
    }

    fn geofence_metres(&self, d: &DeviceInfo) -> f64 {
        self.overrides
            .get(&d.id)
            .and_then(|o| o.geofence_m)
            .unwrap_or_else(|| defaults::geofence_metres(d.device_type))
    }

    fn raise(
        &mut self,
        subject: Subject,
        value: Option<f64>,
        at: DateTime<Utc>,
        f: Filing,
    ) -> Alarm {
        self.open.insert(
            subject.key(),
            OpenAlarm {
                subject: subject.clone(),
                value,
                since: at,
            },
        );
        Alarm {
            subject,
            value,
            at,
            change: AlarmChange::Raised(f),
        }
    }

    fn clear(
        &mut self,
        key: (i64, Condition),
        value: Option<f64>,
        at: DateTime<Utc>,
    ) -> Option<Alarm> {
        let open = self.open.remove(&key)?;
        Some(Alarm {
            subject: open.subject,
            value,
            at,
            change: AlarmChange::Cleared {
                raised_at: open.since,
            },
        })
    }

    /// Takes one reading of a device's stream (`k`: the quantity's position) that
    /// arrived at `received`; the alarms it raises or clears. Readings must come in
    /// time order per stream for hysteresis and rates to mean anything; a reading
    /// older than the stream's last is ignored by both.
    pub fn observe(
        &mut self,
        d: &DeviceInfo,
        k: usize,
        value: f64,
        at: DateTime<Utc>,
        received: DateTime<Utc>,
    ) -> Vec<Alarm> {
        let mut out = Vec::new();
        let Some(&quantity) = d.quantities.get(k) else {
            return out;
        };
        let stream = crate::devices::datastream_id(d.id, k);
        // Heard from: a silent device is back.
        let limit = self.silence_minutes(d);
        let first = d.quantities.first().copied().unwrap_or(quantity);
        self.seen.insert(
            d.id,
            Seen {
                at: received,
                limit_min: limit,
                first_quantity: first,
                watching: true,
            },
        );
        if self.is_open(d.id, Condition::Silence) {
            out.extend(self.clear((d.id, Condition::Silence), Some(value), received));
        }
        let previous = self.last.get(&stream).copied();
        if previous.is_some_and(|(t, _)| at < t) {
            return out;
        }
        self.last.insert(stream, (at, value));
        let Some(rule) = self.rule(d.id, quantity) else {
            return out;
        };
        let subject = |condition| Subject {
            device: d.id,
            stream,
            quantity: Some(quantity),
            condition,
        };
        let filing = |suffix: &str| Filing {
            service: rule.service,
            title_zh: format!("{}{suffix}", rule.title_zh),
            urgent: rule.urgent,
        };
        if let Some(th) = rule.threshold {
            let (abnormal, normal) = match th {
                Threshold::Above { raise, clear } => (value >= raise, value <= clear),
                Threshold::Below { raise, clear } => (value <= raise, value >= clear),
            };
            let key = (stream, Condition::Threshold);
            match self.open.get(&key).map(|o| o.since) {
                None if abnormal => {
                    out.push(self.raise(subject(Condition::Threshold), Some(value), at, filing("")))
                }
                Some(since) if normal && at >= since => {
                    out.extend(self.clear(key, Some(value), at))
                }
                _ => {}
            }
        }
        if let (Some(limit), Some((t0, v0))) = (rule.rise_per_min, previous) {
            let minutes = ((at - t0).num_milliseconds() as f64 / 60_000.0).max(1.0 / 60.0);
            if minutes <= RATE_WINDOW_MIN {
                let rise = (value - v0) / minutes;
                let key = (stream, Condition::Rate);
                match self.open.contains_key(&key) {
                    false if rise >= limit => out.push(self.raise(
                        subject(Condition::Rate),
                        Some(value),
                        at,
                        filing("（快速上升）"),
                    )),
                    true if rise <= limit / 2.0 => out.extend(self.clear(key, Some(value), at)),
                    _ => {}
                }
            }
        }
        out
    }

    /// The devices that have gone silent by `now`: each reported once and has sent
    /// nothing for longer than its limit. Checked on a timer; a device is reported
    /// once until it is heard from again.
    ///
    /// When many fall silent in one sweep (more than [`MASS_SILENCE`] devices and a
    /// twentieth of those watched) the link is down, not the devices — a broker
    /// outage must not file a ticket per device — so none is reported and
    /// `Swept::mass_silence` counts them for the operator's log.
    pub fn sweep(
        &mut self,
        now: DateTime<Utc>,
        info: impl Fn(i64) -> Option<(String, &'static [&'static str])>,
    ) -> Swept {
        let watched = self.seen.values().filter(|s| s.watching).count();
        let mut due = Vec::new();
        for (&device, s) in self.seen.iter_mut() {
            if !s.watching {
                continue;
            }
            if s.limit_min == u32::MAX {
                // An override changed since the last reading; read the limit again.
                s.limit_min = self
                    .overrides
                    .get(&device)
                    .and_then(|o| o.silence_min)
                    .unwrap_or_else(|| {
                        info(device).map_or(120, |(t, _)| defaults::silence_minutes(&t))
                    });
            }
            if s.limit_min > 0 && now - s.at > Duration::minutes(s.limit_min as i64) {
                due.push((device, s.at, s.first_quantity));
                s.watching = false;
            }
        }
        if due.len() > MASS_SILENCE && due.len() * 20 > watched {
            return Swept {
                alarms: Vec::new(),
                mass_silence: due.len(),
            };
        }
        let mut out = Vec::new();
        for (device, last, first) in due {
            if self.is_open(device, Condition::Silence) {
                continue;
            }
            let Some((device_type, quantities)) = info(device) else {
                continue;
            };
            let (service, urgent) = defaults::device_filing(quantities);
            let subject = Subject {
                device,
                stream: crate::devices::datastream_id(device, 0),
                quantity: Some(first),
                condition: Condition::Silence,
            };
            let minutes = (now - last).num_minutes();
            let f = Filing {
                service,
                title_zh: format!("{device_type}失联（{minutes} 分钟无数据）"),
                urgent,
            };
            out.push(self.raise(subject, None, now, f));
        }
        Swept {
            alarms: out,
            mass_silence: 0,
        }
    }

    /// A device reported at `at` (lon, lat) while the twin has it at `home`: the
    /// geofence alarm it raises or clears.
    pub fn locate(
        &mut self,
        d: &DeviceInfo,
        home: (f64, f64),
        at: (f64, f64),
        when: DateTime<Utc>,
    ) -> Option<Alarm> {
        use geo::{Distance, Haversine, Point};
        let radius = self.geofence_metres(d);
        let metres = Haversine.distance(Point::new(home.0, home.1), Point::new(at.0, at.1));
        let key = (d.id, Condition::Geofence);
        match self.open.contains_key(&key) {
            false if radius > 0.0 && metres > radius => {
                let (service, urgent) = defaults::device_filing(d.quantities);
                let subject = Subject {
                    device: d.id,
                    stream: crate::devices::datastream_id(d.id, 0),
                    quantity: d.quantities.first().copied(),
                    condition: Condition::Geofence,
                };
                let f = Filing {
                    service,
                    title_zh: format!("{}位置异常（偏离安装点 {metres:.0} 米）", d.device_type),
                    urgent,
                };
                Some(self.raise(subject, Some(metres), when, f))
            }
            true if metres <= radius * 0.8 || radius == 0.0 => self.clear(key, Some(metres), when),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
