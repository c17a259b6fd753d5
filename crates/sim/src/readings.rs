//! What the district's devices report: a reading for any device at any moment, as its
//! sensor would give it — water levels that rise with the rain and fall after it, noise,
//! PM2.5, lamps, parking bays and charging piles that follow the day, smoke and gas near
//! zero with the odd spike, batteries that drain, covers that lie flat until one is
//! knocked askew — and the devices that misbehave: silent ones, ones that stop, ones whose
//! lines are garbled, stuck and drifting sensors, and incidents that cross the alarm
//! thresholds of `citymirror_sensing::rules`.
//!
//! Pure and deterministic: a reading depends only on the seed, the fault configuration,
//! the device, the moment asked about and the moment the model was first asked (its
//! origin, from which stops, stuck sensors, drift and the storm are measured). Nothing
//! here publishes; `citymirror sensing publish` and the demo's simulator send what
//! [`ReadingModel::reading`] returns over MQTT, formatted by [`vendor_line`].
//!
//! Times of day are Shenzhen's (UTC+8). Outside deliberate incidents (the faults and
//! incidents below, and the flood-prone gauges in a storm) every value lies in its
//! quantity's healthy range (`catalog::QUANTITIES`).

use std::{fmt::Write as _, time::Duration};

use chrono::{DateTime, Datelike, TimeDelta, Utc};
use citymirror_sensing::{catalog, devices::Device};

mod faults;
mod weather;

pub use faults::FaultConfig;
pub use weather::{Rain, Storm, Weather, WeatherNow};

/// What a device sends at one moment.
#[derive(Clone, Debug, PartialEq)]
pub enum Emission {
    /// Nothing.
    Silent,
    /// One value per quantity of its type, in `catalog::quantities` order.
    Values(Vec<f64>),
    /// A line the platform will refuse (not stored, counted against the device).
    Malformed(String),
}

/// What is wrong with a device, if anything.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fault {
    None,
    /// Never publishes.
    Silent,
    /// Publishes until this long after the start, then never again.
    Stops {
        after: Duration,
    },
    /// Garbles half its lines, always in the same way.
    Malformed(Defect),
    /// Its sensor freezes this long after the start.
    Stuck {
        after: Duration,
    },
    /// Its sensor drifts by this share of the healthy span per hour (negative: down).
    Drifting {
        per_hour: f64,
    },
}

/// How a malformed device garbles a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Defect {
    /// A value that is not a number (`ERR`, `1.2.3`, `NaN` …).
    BadNumber,
    /// The serial alone, or the serial and time with no value.
    MissingValues,
    /// A time that is neither Unix seconds or milliseconds nor ISO 8601.
    BadTime,
    /// A serial no device has (the line itself reads well).
    UnknownSerial,
    /// JSON on the topic that carries the compact form.
    NotCompact,
}

const DEFECTS: [Defect; 5] = [
    Defect::BadNumber,
    Defect::MissingValues,
    Defect::BadTime,
    Defect::UnknownSerial,
    Defect::NotCompact,
];

/// A device's lasting traits: its fault, and what sort of place it watches.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Traits {
    pub fault: Fault,
    /// A water-level gauge at a low spot (an underpass, a sunken road): a heavy
    /// storm floods it past the alarm threshold.
    pub flood_prone: bool,
    /// A smart meter on an EV charging pile (its power is the pile's).
    pub charger: bool,
    /// A parking bay at homes (full at night) rather than at work (full by day).
    pub home_parking: bool,
}

/// A charging pile's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChargerState {
    Idle,
    Charging,
    Fault,
}

/// The share of water-level gauges at low spots.
const FLOOD_PRONE: f64 = 0.05;
/// The share of smart meters on charging piles.
const CHARGERS: f64 = 0.2;
/// The share of a malformed device's lines that are garbled.
const GARBLED: f64 = 0.5;
/// How long an incident lasts (and the buckets incidents are drawn in).
const INCIDENT: i64 = 10 * 60 * 1000;
/// China Standard Time.
const UTC_PLUS_8: i64 = 8 * 3600 * 1000;

/// Readings for the district's devices. `&mut` only to remember its origin and the
/// last moment's weather; what it returns depends on nothing else.
#[derive(Clone, Debug)]
pub struct ReadingModel {
    seed: u64,
    faults: FaultConfig,
    origin: Option<DateTime<Utc>>,
    weather: Option<Weather>,
    now: Option<(i64, WeatherNow)>,
}

impl ReadingModel {
    pub fn new(seed: u64, faults: FaultConfig) -> ReadingModel {
        ReadingModel {
            seed,
            faults,
            origin: None,
            weather: None,
            now: None,
        }
    }

    /// Starts the model at `origin` (by default, the first moment asked about).
    pub fn starting_at(mut self, origin: DateTime<Utc>) -> ReadingModel {
        self.origin = Some(origin);
        self
    }

    /// Uses this weather instead of the configuration's storm.
    pub fn with_weather(mut self, weather: Weather) -> ReadingModel {
        self.weather = Some(weather);
        self.now = None;
        self
    }

    pub fn faults(&self) -> &FaultConfig {
        &self.faults
    }

    /// The start that stops, freezes, drift and the storm are measured from.
    pub fn origin(&self) -> Option<DateTime<Utc>> {
        self.origin
    }

    fn start(&mut self, at: DateTime<Utc>) -> DateTime<Utc> {
        let origin = *self.origin.get_or_insert(at);
        if self.weather.is_none() {
            self.weather = Some(match &self.faults.storm {
                Some(s) => Weather::storm(origin, s),
                None => Weather::dry(),
            });
        }
        origin
    }

    /// The weather at `at` (computed once a second).
    pub fn weather(&mut self, at: DateTime<Utc>) -> WeatherNow {
        self.start(at);
        let second = at.timestamp();
        match self.now {
            Some((s, w)) if s == second => w,
            _ => {
                let w = self
                    .weather
                    .as_ref()
                    .map(|w| w.at(DateTime::from_timestamp(second, 0).unwrap_or(at)))
                    .unwrap_or_default();
                self.now = Some((second, w));
                w
            }
        }
    }

    /// A device's lasting traits.
    pub fn traits(&self, d: &Device) -> Traits {
        let f = &self.faults;
        let u = self.site(d, 1);
        let stop = |salt| {
            Duration::from_secs_f64(
                f.stop_within.as_secs_f64() * (0.05 + 0.95 * self.site(d, salt)),
            )
        };
        let mut edge = 0.0;
        let mut within = |share: f64| {
            edge += share;
            u < edge
        };
        let fault = if (f.offline_silent && d.status == "离线") || within(f.silent_fraction) {
            Fault::Silent
        } else if within(f.stopping_fraction) {
            Fault::Stops { after: stop(2) }
        } else if within(f.malformed_fraction) {
            Fault::Malformed(DEFECTS[(self.site(d, 3) * DEFECTS.len() as f64) as usize % 5])
        } else if within(f.stuck_fraction) {
            Fault::Stuck { after: stop(4) }
        } else if within(f.drifting_fraction) {
            let sign = if self.site(d, 5) < 0.8 { 1.0 } else { -1.0 };
            Fault::Drifting {
                per_hour: sign * f.drift_per_hour * (0.5 + self.site(d, 6)),
            }
        } else {
            Fault::None
        };
        Traits {
            fault,
            flood_prone: d.device_type == "水位监测仪" && self.site(d, 7) < FLOOD_PRONE,
            charger: d.device_type == "智能电表" && self.site(d, 8) < CHARGERS,
            home_parking: self.site(d, 9) < 0.45,
        }
    }

    /// What device `d` sends at `at`.
    pub fn reading(&mut self, d: &Device, at: DateTime<Utc>) -> Emission {
        let origin = self.start(at);
        let traits = self.traits(d);
        match traits.fault {
            Fault::Silent => return Emission::Silent,
            Fault::Stops { after } if at >= origin + delta(after) => return Emission::Silent,
            _ => {}
        }
        let keys = catalog::quantities(&d.device_type);
        if keys.is_empty() {
            return Emission::Silent;
        }
        let mut values = match traits.fault {
            Fault::Stuck { after } if at >= origin + delta(after) => {
                let since = origin + delta(after);
                self.true_values(d, &traits, since)
            }
            _ => self.true_values(d, &traits, at),
        };
        if let Fault::Drifting { per_hour } = traits.fault {
            let hours = secs(at - origin).max(0.0) / 3600.0;
            for (v, key) in values.iter_mut().zip(keys) {
                if drifts(key) {
                    let (lo, hi) = normal(key);
                    *v = finish(key, *v + per_hour * (hi - lo) * hours);
                }
            }
        }
        if let Fault::Malformed(defect) = traits.fault {
            if self.draw(d, at, 40) < GARBLED {
                return Emission::Malformed(self.garble(d, at, &values, defect));
            }
        }
        Emission::Values(values)
    }

    /// A charging pile's state at `at` (`None` for a device that is not one).
    pub fn charger_state(&self, d: &Device, at: DateTime<Utc>) -> Option<ChargerState> {
        if !self.traits(d).charger {
            return None;
        }
        // A session lasts at least its 20-minute bucket.
        let bucket = millis(at).div_euclid(20 * 60 * 1000);
        let u = unit(self.hash(d, 50, bucket as u64));
        let p = profile(&CHARGING, local_hour(at));
        Some(if u < 0.01 {
            ChargerState::Fault
        } else if u < 0.01 + p {
            ChargerState::Charging
        } else {
            ChargerState::Idle
        })
    }

    /// Whether device `d` is in an incident at `at` (tilted, burning, leaking, stuck
    /// elevator). Incidents fall in ten-minute buckets.
    pub fn in_incident(&self, d: &Device, at: DateTime<Utc>) -> bool {
        if self.faults.incident_rate <= 0.0 || !has_incidents(&d.device_type) {
            return false;
        }
        let p = self.faults.incident_rate * INCIDENT as f64 / 3_600_000.0;
        unit(self.hash(d, 60, millis(at).div_euclid(INCIDENT) as u64)) < p
    }

    /// The sensor's true values at `at`, in `catalog::quantities` order.
    fn true_values(&mut self, d: &Device, t: &Traits, at: DateTime<Utc>) -> Vec<f64> {
        let wx = self.weather(at);
        let c = Clock::new(at);
        let incident = self.in_incident(d, at);
        let incident_u = unit(self.hash(d, 61, millis(at).div_euclid(INCIDENT) as u64));
        let site = |salt| self.site(d, salt);
        let noise = |k: u64| self.smooth(d, 100 + k, at);
        let draw = |k: u64| self.draw(d, at, 200 + k);
        // A short episode (a whiff of steam, a puff of gas) in this device's bucket of
        // `minutes`: its rise and fall (sin², 0 to 1) and a uniform for its size.
        let bump = |salt: u64, minutes: i64, p: f64| {
            let ms = minutes * 60_000;
            let bucket = millis(at).div_euclid(ms) as u64;
            if unit(self.hash(d, salt, bucket)) >= p {
                return (0.0, 0.0);
            }
            let x = millis(at).rem_euclid(ms) as f64 / ms as f64;
            let shape = (std::f64::consts::PI * x).sin().powi(2);
            (shape, unit(self.hash(d, salt + 1, bucket)))
        };
        // A state that holds for a bucket of `minutes` (a door left open, a tap running).
        let held = |salt: u64, minutes: i64| {
            unit(self.hash(d, salt, millis(at).div_euclid(minutes * 60_000) as u64))
        };
        let keys = catalog::quantities(&d.device_type);
        let mut out = Vec::with_capacity(keys.len());
        for (i, &key) in keys.iter().enumerate() {
            let n = noise(i as u64);
            let v = match key {
                "smoke" if incident => 12.0 + 18.0 * incident_u,
                "smoke" => {
                    let (shape, size) = bump(80, 4, 0.002);
                    0.05 + 0.2 * site(10) + 0.03 * n + shape * (0.8 + 1.7 * size)
                }
                "battery" => {
                    let life = 365.0 + 730.0 * site(11);
                    let x = (c.days / life + site(12)).fract();
                    100.0 - 80.0 * x
                }
                "gas" if incident => 25.0 + 20.0 * incident_u,
                "gas" => {
                    let (shape, size) = bump(82, 4, 0.002);
                    0.15 + 0.5 * site(13) + 0.1 * n + shape * (2.0 + 2.0 * size)
                }
                "power" if t.charger => match self.charger_state(d, at) {
                    Some(ChargerState::Charging) => {
                        if site(14) < 0.7 {
                            7.0 * (0.92 + 0.06 * draw(4))
                        } else {
                            40.0 * (0.6 + 0.4 * draw(4))
                        }
                    }
                    _ => 0.01 * draw(4),
                },
                "power" => (3.0 + 37.0 * site(15)) * profile(&HOUSEHOLD, c.hour) * (1.0 + 0.05 * n),
                "energy" => {
                    let mean_kw = if t.charger {
                        6.0 + 4.0 * site(16)
                    } else {
                        (3.0 + 37.0 * site(15)) * 0.55
                    };
                    1000.0 * site(17) + mean_kw * c.hours
                }
                // A tap runs for two minutes at a time, most often at breakfast and dinner.
                "flow" if held(84, 2) < 0.8 * profile(&HOUSEHOLD, c.hour) => {
                    (0.5 + 2.5 * site(18)) * (0.3 + 0.7 * draw(6))
                }
                "flow" => 0.0,
                "volume" => 500.0 * site(19) + (0.5 + 2.5 * site(18)) * 0.25 * c.hours,
                "tilt" if incident => 18.0 + 17.0 * incident_u,
                "tilt" => {
                    // A lorry over the cover now and then rocks it a little.
                    let jolt = if draw(7) < 0.003 {
                        1.0 + 2.0 * draw(8)
                    } else {
                        0.0
                    };
                    0.2 + 1.3 * site(20) + 0.15 * n + jolt
                }
                "water_level" => {
                    let gain = if t.flood_prone {
                        1.0 + 0.6 * site(21)
                    } else {
                        0.05 + 0.3 * site(21)
                    };
                    0.01 + 0.03 * site(22) + 0.003 * n + gain * wx.runoff_mm_per_h / 50.0
                }
                "pm25" => pm25(&c, &wx, site(23), n),
                "pm10" => pm25(&c, &wx, site(23), noise(0)) * (1.5 + 0.4 * site(24)) + 2.0 * n,
                "noise" => {
                    let peak = 58.0 + 8.0 * site(25);
                    35.0 + (peak - 35.0) * (0.3 + 0.7 * profile(&TRAFFIC, c.hour)) + 2.5 * n
                }
                "residual_current" => {
                    30.0 + 120.0 * site(26) + 40.0 * profile(&HOUSEHOLD, c.hour) + 8.0 * n
                }
                "cable_temp" => {
                    24.0 + 4.0 * c.season
                        + 22.0 * profile(&HOUSEHOLD, c.hour) * (0.5 + 0.5 * site(27))
                        + 1.5 * n
                }
                "water_pressure" => {
                    0.35 + 0.25 * site(28) - 0.12 * profile(&HOUSEHOLD, c.hour) + 0.01 * n
                }
                "door" => bernoulli(held(85, 5), 0.03 + 0.35 * profile(&PEOPLE, c.hour)),
                "elevator_fault" if incident => 1.0,
                "elevator_fault" => 0.0,
                "temperature" => {
                    // Indoors: the outdoor swing, damped by walls and air conditioning.
                    let outdoor = outdoor_temperature(&c, &wx);
                    25.0 + 0.3 * (outdoor - 25.0) + (2.0 * site(29) - 1.0) + 0.4 * n
                }
                "humidity" => {
                    55.0 + 10.0 * c.season
                        + 8.0 * wx.wetness
                        + 5.0 * (2.0 * site(30) - 1.0)
                        + 2.0 * n
                }
                "lamp_power" => {
                    let sunset = 18.75 + 0.55 * c.season;
                    let sunrise = 6.25 - 0.45 * c.season;
                    if c.hour >= sunset || c.hour < sunrise {
                        // Dimmed in the small hours.
                        let dim = if (1.0..5.0).contains(&c.hour) {
                            0.6
                        } else {
                            1.0
                        };
                        (100.0 + 150.0 * site(31)) * dim * (0.97 + 0.03 * n)
                    } else {
                        0.5 + 0.5 * draw(10)
                    }
                }
                "fill" => {
                    // Emptied twice a day; fills faster when the street is busy.
                    let first = 6.0 + 1.5 * site(32);
                    let since = if c.hour >= first + 12.0 {
                        c.hour - first - 12.0
                    } else if c.hour >= first {
                        c.hour - first
                    } else {
                        c.hour + 12.0 - first
                    };
                    3.0 + (2.0 + 4.0 * site(33)) * since + n
                }
                "displacement" => {
                    let years = d
                        .installed
                        .map(|i| (at.date_naive() - i).num_days().max(0) as f64 / 365.25)
                        .unwrap_or(3.0)
                        .min(10.0);
                    // Soaked ground creeps a little, as slowly as the water drains.
                    let soaked = (wx.runoff_mm_per_h / 50.0).min(1.5);
                    1.0 + 5.0 * site(34) + 0.4 * years + 0.5 * soaked + 0.05 * n
                }
                "strain" => {
                    let load = profile(&TRAFFIC, c.hour) * (60.0 + 200.0 * site(35)) * draw(11);
                    -80.0 + 160.0 * site(36) + load + 5.0 * n
                }
                "occupied" => {
                    let p = if t.home_parking {
                        profile(&PARKING_HOME, c.hour)
                    } else {
                        profile(&PARKING_WORK, c.hour)
                    };
                    // A car stays at least its quarter of an hour.
                    bernoulli(held(70, 15), p)
                }
                "people" => (50.0 + 1400.0 * site(37)) * profile(&PEOPLE, c.hour) * (1.0 + 0.1 * n),
                _ => 0.0,
            };
            out.push(finish(key, v));
        }
        out
    }

    /// A garbled line for device `d`, from the values it would have sent.
    fn garble(&self, d: &Device, at: DateTime<Utc>, values: &[f64], defect: Defect) -> String {
        let pick = |k: u64, n: usize| (self.draw(d, at, 300 + k) * n as f64) as usize % n;
        let ms = at.timestamp_millis().to_string();
        let fields = values.iter().map(f64::to_string).collect::<Vec<_>>();
        match defect {
            Defect::BadNumber => {
                let mut fields = fields;
                let i = pick(0, fields.len());
                fields[i] = ["ERR", "1.2.3", "--", "NaN", "0x1F", "+-3", "inf"][pick(1, 7)].into();
                format!("{},{ms},{}", d.serial, fields.join(","))
            }
            Defect::MissingValues => match pick(2, 3) {
                0 => d.serial.clone(),
                1 => format!("{},{ms}", d.serial),
                _ => format!("{},{ms},{}", d.serial, vec![""; values.len()].join(",")),
            },
            Defect::BadTime => {
                let time = [
                    "noon",
                    "2026-13-45T25:61:00Z",
                    "",
                    "17650944OO000",
                    "07/12/2026 08:00",
                ][pick(3, 5)];
                format!("{},{time},{}", d.serial, fields.join(","))
            }
            Defect::UnknownSerial => {
                let serial = if pick(4, 2) == 0 {
                    format!("{}-NEW", d.serial)
                } else {
                    d.serial.to_lowercase()
                };
                vendor_line(&serial, at, values)
            }
            Defect::NotCompact => format!(
                "{{\"sn\":\"{}\",\"ts\":{ms},\"v\":[{}]}}",
                d.serial,
                fields.join(",")
            ),
        }
    }

    fn hash(&self, d: &Device, salt: u64, x: u64) -> u64 {
        mix(mix(mix(self.seed ^ 0x5EA5_1E55) ^ d.id as u64) ^ salt.wrapping_mul(0x9E37) ^ mix(x))
    }

    /// A uniform in [0, 1) fixed for the device (its site, its hardware).
    fn site(&self, d: &Device, salt: u64) -> f64 {
        unit(self.hash(d, salt, 0))
    }

    /// Sensor noise in (−1, 1) that wanders smoothly (value noise over two-minute
    /// knots): two readings a second apart differ little, so the platform's
    /// rate-of-rise rules see no false alarm however often a device reports.
    fn smooth(&self, d: &Device, salt: u64, at: DateTime<Utc>) -> f64 {
        const KNOT: i64 = 120_000;
        let (i, f) = (
            millis(at).div_euclid(KNOT),
            millis(at).rem_euclid(KNOT) as f64 / KNOT as f64,
        );
        let knot = |i: i64| {
            let h = self.hash(d, salt, i as u64);
            unit(h) + unit(mix(h)) - 1.0
        };
        let f = f * f * (3.0 - 2.0 * f);
        knot(i) * (1.0 - f) + knot(i + 1) * f
    }

    /// A uniform in [0, 1) for this reading.
    fn draw(&self, d: &Device, at: DateTime<Utc>, salt: u64) -> f64 {
        unit(self.hash(d, salt, millis(at) as u64))
    }
}

/// The compact vendor line `serial,epoch_millis,v1,v2,…` (as `citymirror_sensing::payload`
/// reads it), without its newline.
pub fn vendor_line(serial: &str, at: DateTime<Utc>, values: &[f64]) -> String {
    let mut s = String::with_capacity(serial.len() + 16 + 10 * values.len());
    push_vendor_line(&mut s, serial, at, values);
    s
}

/// Appends [`vendor_line`] to `out`.
pub fn push_vendor_line(out: &mut String, serial: &str, at: DateTime<Utc>, values: &[f64]) {
    out.push_str(serial);
    let _ = write!(out, ",{}", at.timestamp_millis());
    for v in values {
        let _ = write!(out, ",{v}");
    }
}

/// Shenzhen's clock and calendar at one moment.
struct Clock {
    /// Local hour of day, 0 to 24.
    hour: f64,
    /// +1 in midsummer, −1 in midwinter.
    season: f64,
    /// Days and hours since 2016-01-01 (counters grow from there).
    days: f64,
    hours: f64,
}

impl Clock {
    fn new(at: DateTime<Utc>) -> Clock {
        let since = millis(at) - EPOCH_2016;
        let doy = (at + TimeDelta::milliseconds(UTC_PLUS_8)).ordinal() as f64;
        Clock {
            hour: local_hour(at),
            season: (2.0 * std::f64::consts::PI * (doy - 200.0) / 365.25).cos(),
            days: since as f64 / 86_400_000.0,
            hours: (since as f64 / 3_600_000.0).max(0.0),
        }
    }
}

/// 2016-01-01T00:00:00Z in milliseconds.
const EPOCH_2016: i64 = 1_451_606_400_000;

fn local_hour(at: DateTime<Utc>) -> f64 {
    (millis(at) + UTC_PLUS_8).rem_euclid(86_400_000) as f64 / 3_600_000.0
}

fn outdoor_temperature(c: &Clock, wx: &WeatherNow) -> f64 {
    23.5 + 5.5 * c.season + 3.5 * (2.0 * std::f64::consts::PI * (c.hour - 14.5) / 24.0).cos()
        - 3.0 * wx.wetness
}

fn pm25(c: &Clock, wx: &WeatherNow, site: f64, n: f64) -> f64 {
    // Worse in the dry winter and at rush hour; rain washes it out.
    let base = 12.0 + 18.0 * site;
    base * (1.0 - 0.25 * c.season)
        * (0.6 + 0.5 * profile(&TRAFFIC, c.hour))
        * (1.0 - 0.5 * wx.wetness)
        + 3.0 * n
}

/// How busy an hour is, 0 to 1: one value per local hour, interpolated.
type Profile = [f64; 24];

const TRAFFIC: Profile = [
    0.18, 0.12, 0.09, 0.08, 0.09, 0.16, 0.38, 0.78, 1.00, 0.86, 0.74, 0.72, 0.74, 0.72, 0.72, 0.76,
    0.86, 0.98, 1.00, 0.88, 0.74, 0.60, 0.44, 0.28,
];
const HOUSEHOLD: Profile = [
    0.34, 0.28, 0.25, 0.24, 0.24, 0.28, 0.46, 0.74, 0.70, 0.54, 0.50, 0.55, 0.60, 0.50, 0.46, 0.46,
    0.50, 0.64, 0.86, 1.00, 0.96, 0.84, 0.66, 0.46,
];
const PEOPLE: Profile = [
    0.04, 0.03, 0.02, 0.02, 0.02, 0.04, 0.12, 0.40, 0.70, 0.60, 0.58, 0.66, 0.72, 0.64, 0.60, 0.62,
    0.68, 0.82, 0.94, 1.00, 0.92, 0.72, 0.42, 0.14,
];
const PARKING_HOME: Profile = [
    0.92, 0.94, 0.95, 0.95, 0.95, 0.93, 0.86, 0.68, 0.52, 0.45, 0.44, 0.45, 0.48, 0.46, 0.45, 0.46,
    0.50, 0.60, 0.74, 0.84, 0.88, 0.90, 0.91, 0.92,
];
const PARKING_WORK: Profile = [
    0.10, 0.08, 0.07, 0.07, 0.07, 0.09, 0.16, 0.42, 0.78, 0.90, 0.92, 0.88, 0.80, 0.86, 0.90, 0.88,
    0.82, 0.66, 0.45, 0.34, 0.28, 0.22, 0.16, 0.12,
];
/// The chance a pile is charging: highest on the night tariff (谷电).
const CHARGING: Profile = [
    0.62, 0.66, 0.66, 0.64, 0.58, 0.48, 0.34, 0.22, 0.18, 0.22, 0.26, 0.28, 0.30, 0.30, 0.28, 0.26,
    0.26, 0.28, 0.34, 0.40, 0.46, 0.52, 0.58, 0.60,
];

fn profile(p: &Profile, hour: f64) -> f64 {
    let i = hour.floor().rem_euclid(24.0) as usize;
    let f = hour - hour.floor();
    p[i] * (1.0 - f) + p[(i + 1) % 24] * f
}

fn bernoulli(u: f64, p: f64) -> f64 {
    if u < p {
        1.0
    } else {
        0.0
    }
}

fn has_incidents(device_type: &str) -> bool {
    matches!(
        device_type,
        "井盖位移传感器" | "烟感探测器" | "可燃气体探测器" | "电梯运行监测"
    )
}

/// Whether a drifting sensor's reading of this quantity drifts (counters, states and
/// the device's own battery gauge do not).
fn drifts(key: &str) -> bool {
    !matches!(
        key,
        "energy" | "volume" | "door" | "occupied" | "elevator_fault" | "throws" | "battery"
    )
}

fn normal(key: &str) -> (f64, f64) {
    catalog::quantity(key).map_or((0.0, 1.0), |(_, q)| q.normal)
}

/// Kept within what the sensor can read, rounded to its resolution.
fn finish(key: &str, v: f64) -> f64 {
    let (lo, hi) = match key {
        "battery" | "humidity" | "fill" => (0.0, 100.0),
        "temperature" | "cable_temp" => (-40.0, 150.0),
        "strain" => (-5000.0, 5000.0),
        "tilt" => (0.0, 90.0),
        _ => (0.0, f64::MAX),
    };
    let decimals = match key {
        "door" | "occupied" | "elevator_fault" | "throws" | "people" => 0,
        "water_level" | "water_pressure" | "flow" => 3,
        "smoke" | "gas" | "power" | "volume" | "tilt" | "displacement" | "cable_temp" => 2,
        _ => 1,
    };
    let scale = 10f64.powi(decimals);
    let v = (v.clamp(lo, hi) * scale).round() / scale;
    if v == 0.0 {
        0.0 // never `-0`
    } else {
        v
    }
}

fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub(super) fn secs(d: TimeDelta) -> f64 {
    d.num_milliseconds() as f64 / 1000.0
}

pub(super) fn delta(d: Duration) -> TimeDelta {
    TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX)
}

/// SplitMix64's finaliser.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn unit(h: u64) -> f64 {
    (h >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests;
