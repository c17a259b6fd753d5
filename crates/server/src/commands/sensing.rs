//! `citymirror sensing publish`: the twin's devices report over MQTT, as their gateways
//! would — the compact form (`serial,time,values`), at QoS 1, a reading per device in
//! turn, at a set rate. What each device says comes from the simulator's reading model
//! (`citymirror_sim::readings`): the day's rhythm, rain, incidents, and the devices that
//! misbehave (silent, stopping, garbled, stuck, drifting). What it published (and the
//! broker acknowledged) is printed as one JSON object, so a benchmark compares it with
//! what the platform stored: `observations` counts only the values of well-formed lines
//! (the platform refuses the malformed ones and stores the rest).
//!
//! [`simulate`] does the same for as long as a demo runs.

use std::{
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use anyhow::Context;
use chrono::{DateTime, Utc};
use citymirror_core::LayerId;
use citymirror_sensing::{
    catalog,
    devices::Device,
    rules::{defaults::quantity_rule, Threshold},
};
use citymirror_sim::readings::{
    push_vendor_line, Emission, Fault, FaultConfig, ReadingModel, Storm,
};
use citymirror_store::Store;
use rumqttc::v5::{
    mqttbytes::{v5::Packet, QoS},
    AsyncClient, Event, MqttOptions,
};
use serde_json::json;
use tokio::{sync::watch, time::MissedTickBehavior};

use super::{open_store, repos};
use crate::cli::SensingPublishArgs;

/// The topic prefix the platform reads the compact form under by default.
const VENDOR_PREFIX: &str = "citymirror/up";

/// The twin's devices that have something to report (a known type and a serial).
pub async fn load_devices(store: &Store) -> anyhow::Result<Vec<Device>> {
    let (twin, _) = repos(store);
    let schema = LayerId::Devices.schema();
    Ok(twin
        .load_layer(LayerId::Devices)
        .await?
        .iter()
        .filter_map(|f| Device::from_feature(schema, f))
        .filter(publishable)
        .collect())
}

fn publishable(d: &Device) -> bool {
    !catalog::quantities(&d.device_type).is_empty() && !d.serial.is_empty()
}

/// The fault configuration the flags ask for.
pub fn faults(args: &SensingPublishArgs) -> anyhow::Result<FaultConfig> {
    let mut f = if args.no_faults {
        FaultConfig::none()
    } else {
        FaultConfig {
            silent_fraction: args.silent_fraction,
            stopping_fraction: args.stopping_fraction,
            stop_within: Duration::from_secs(args.stop_within),
            malformed_fraction: args.malformed_fraction,
            stuck_fraction: args.stuck_fraction,
            drifting_fraction: args.drifting_fraction,
            offline_silent: !args.publish_offline,
            incident_rate: args.incident_rate,
            ..FaultConfig::default()
        }
    };
    if let Some(minutes) = args.rain {
        anyhow::ensure!(
            minutes.is_finite() && minutes > 0.0,
            "--rain is the storm's length in minutes"
        );
        f.storm = Some(Storm {
            after: Duration::from_secs(args.rain_after),
            every: match args.rain_every {
                Some(m) if m.is_finite() && m > 0.0 => Some(Duration::from_secs_f64(m * 60.0)),
                Some(_) => anyhow::bail!("--rain-every is in minutes, more than 0"),
                None => None,
            },
            ..Storm::lasting(Duration::from_secs_f64(minutes * 60.0), args.rain_peak)
        });
    }
    f.check().map_err(anyhow::Error::msg)?;
    Ok(f)
}

/// What was sent.
#[derive(Debug, Default)]
struct Tally {
    /// Well-formed lines, and the values they carried.
    readings: u64,
    observations: u64,
    /// Values past their rule's alarm threshold.
    over_threshold: u64,
    /// Lines the platform will refuse.
    malformed: u64,
}

/// The devices in turn, each saying what the model has it say.
struct Feeder {
    devices: Vec<Device>,
    model: ReadingModel,
    next: usize,
    /// Devices found silent when their turn came.
    silent: Vec<bool>,
    tally: Tally,
}

impl Feeder {
    fn new(devices: Vec<Device>, model: ReadingModel) -> Feeder {
        let silent = vec![false; devices.len()];
        Feeder {
            devices,
            model,
            next: 0,
            silent,
            tally: Tally::default(),
        }
    }

    /// Appends the next device's line, and its newline, to `out`; silent devices are
    /// passed over. `false` when every device has fallen silent (for good: a silent
    /// device never speaks again).
    fn push_next(&mut self, out: &mut String, at: DateTime<Utc>) -> bool {
        let n = self.devices.len();
        for _ in 0..n {
            let i = self.next % n;
            self.next = (self.next + 1) % n;
            let d = &self.devices[i];
            match self.model.reading(d, at) {
                Emission::Silent => self.silent[i] = true,
                Emission::Values(values) => {
                    push_vendor_line(out, &d.serial, at, &values);
                    out.push('\n');
                    self.tally.readings += 1;
                    self.tally.observations += values.len() as u64;
                    let keys = catalog::quantities(&d.device_type);
                    self.tally.over_threshold += values
                        .iter()
                        .zip(keys)
                        .filter(|(v, k)| over_threshold(k, **v))
                        .count() as u64;
                    return true;
                }
                Emission::Malformed(line) => {
                    out.push_str(&line);
                    out.push('\n');
                    self.tally.malformed += 1;
                    return true;
                }
            }
        }
        false
    }

    /// How many devices have each fault.
    fn faults(&self) -> serde_json::Value {
        let mut counts = [0u64; 5];
        for d in &self.devices {
            match self.model.traits(d).fault {
                Fault::None => {}
                Fault::Silent => counts[0] += 1,
                Fault::Stops { .. } => counts[1] += 1,
                Fault::Malformed(_) => counts[2] += 1,
                Fault::Stuck { .. } => counts[3] += 1,
                Fault::Drifting { .. } => counts[4] += 1,
            }
        }
        json!({
            "silent": counts[0],
            "stopping": counts[1],
            "malformed": counts[2],
            "stuck": counts[3],
            "drifting": counts[4],
        })
    }
}

fn over_threshold(quantity: &str, v: f64) -> bool {
    match quantity_rule(quantity).and_then(|r| r.threshold) {
        Some(Threshold::Above { raise, .. }) => v >= raise,
        Some(Threshold::Below { raise, .. }) => v <= raise,
        None => false,
    }
}

fn broker(url: &str) -> anyhow::Result<(String, u16)> {
    let url = url.strip_prefix("mqtt://").unwrap_or(url);
    let (host, port) = url.rsplit_once(':').context("--mqtt is mqtt://host:port")?;
    Ok((host.to_owned(), port.parse().context("the broker's port")?))
}

pub async fn publish(args: SensingPublishArgs) -> anyhow::Result<()> {
    let faults = faults(&args)?;
    let store = open_store(&args.store).await?;
    let devices = load_devices(&store).await?;
    anyhow::ensure!(
        !devices.is_empty(),
        "the twin has no devices to publish for"
    );
    let (host, port) = broker(&args.mqtt)?;
    let mut opts = MqttOptions::new(
        format!("citymirror-publisher-{}", std::process::id()),
        host,
        port,
    );
    opts.set_keep_alive(Duration::from_secs(30));
    opts.set_outgoing_inflight_upper_limit(u16::MAX);
    let (client, mut eventloop) = AsyncClient::new(opts, 65_536);
    let prefix = args.prefix.trim_end_matches('/').to_owned();
    let (rate, seconds, lines) = (
        args.rate.max(1),
        args.seconds,
        args.lines_per_message.max(1),
    );
    // The network loop: counts the broker's acknowledgements.
    let acked = Arc::new(AtomicU64::new(0));
    let leaving = Arc::new(AtomicBool::new(false));
    let (counter, left) = (acked.clone(), leaving.clone());
    tokio::spawn(async move {
        loop {
            match eventloop.poll().await {
                Ok(Event::Incoming(Packet::PubAck(_))) => {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
                Ok(_) => {}
                Err(e) => {
                    // The broker closing the connection we asked it to close is no news.
                    if !left.load(Ordering::Relaxed) {
                        tracing::warn!("publisher: {e}");
                    }
                    return;
                }
            }
        }
    });
    let started_at = Utc::now();
    let mut feeder = Feeder::new(
        devices,
        ReadingModel::new(args.seed, faults.clone()).starting_at(started_at),
    );
    // Alarms to inject: manhole covers tilted past the rule's threshold, spread evenly
    // over the run, each on a healthy cover of its own (one open alarm per stream).
    let covers: Vec<usize> = (0..feeder.devices.len())
        .filter(|&i| {
            let d = &feeder.devices[i];
            d.device_type == "井盖位移传感器" && feeder.model.traits(d).fault == Fault::None
        })
        .take(args.alarms as usize)
        .collect();
    let alarm_every = if covers.is_empty() {
        u64::MAX
    } else {
        (rate * seconds / covers.len() as u64).max(1)
    };
    let mut alarms_sent = 0usize;
    let started = Instant::now();
    let total = rate * seconds;
    let (mut messages, mut sent, mut alarm_observations) = (0u64, 0u64, 0u64);
    let mut all_silent = false;
    let tick = Duration::from_millis(10);
    let per_tick = (rate as f64 * tick.as_secs_f64()).max(1.0);
    let mut owed = 0.0;
    let mut interval = tokio::time::interval(tick);
    while sent < total && !all_silent {
        interval.tick().await;
        owed += per_tick;
        while owed >= 1.0 && sent < total && !all_silent {
            let mut payload = String::new();
            if sent % alarm_every == alarm_every / 2 && alarms_sent < covers.len() {
                let c = &feeder.devices[covers[alarms_sent]];
                alarms_sent += 1;
                push_vendor_line(&mut payload, &c.serial, Utc::now(), &[22.5, 80.0]);
                payload.push('\n');
                alarm_observations += 2;
            }
            for _ in 0..lines {
                if sent >= total {
                    break;
                }
                if !feeder.push_next(&mut payload, Utc::now()) {
                    all_silent = true;
                    break;
                }
                sent += 1;
                owed -= 1.0;
            }
            if payload.is_empty() {
                break;
            }
            client
                .publish(
                    format!("{prefix}/gw{}", messages % 64),
                    QoS::AtLeastOnce,
                    false,
                    payload,
                )
                .await?;
            messages += 1;
        }
    }
    let sent_in = started.elapsed();
    // Wait for the broker to acknowledge everything (a minute at most), then leave.
    let deadline = Instant::now() + Duration::from_secs(60);
    while acked.load(Ordering::Relaxed) < messages && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let acked = acked.load(Ordering::Relaxed);
    leaving.store(true, Ordering::Relaxed);
    let _ = client.disconnect().await;
    let t = &feeder.tally;
    let observations = t.observations + alarm_observations;
    println!(
        "{}",
        json!({
            "devices": feeder.devices.len(),
            "messages": messages,
            "readings": t.readings,
            "observations": observations,
            "acknowledged_messages": acked,
            "alarms": alarms_sent,
            "seconds": sent_in.as_secs_f64(),
            "observations_per_second": observations as f64 / sent_in.as_secs_f64(),
            "malformed_lines": t.malformed,
            "silent_devices": feeder.silent.iter().filter(|s| **s).count(),
            "faulty_devices": feeder.faults(),
            "readings_over_threshold": t.over_threshold,
            "incident_rate": faults.incident_rate,
            "rain": faults.storm.as_ref().map(|s| json!({
                "after_s": s.after.as_secs_f64(),
                "minutes": s.duration.as_secs_f64() / 60.0,
                "peak_mm_per_h": s.peak_mm_per_h,
                "response_s": s.response.as_secs_f64(),
            })),
        })
    );
    Ok(())
}

/// Lines per message in [`simulate`] (a gateway batches the devices behind it).
const GATEWAY_LINES: usize = 50;

/// Publishes the devices' readings to the broker at `host:port` under
/// `citymirror/up/gw…`, `rate_per_s` readings a second, until `stop` turns true (or
/// its sender is dropped). When the broker goes away it retries every two seconds;
/// readings due meanwhile are dropped, as a gateway without a buffer drops them.
pub async fn simulate(
    devices: Vec<Device>,
    host: String,
    port: u16,
    rate_per_s: u64,
    seed: u64,
    faults: FaultConfig,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    faults.check().map_err(anyhow::Error::msg)?;
    let devices: Vec<Device> = devices.into_iter().filter(publishable).collect();
    anyhow::ensure!(!devices.is_empty(), "the twin has no devices to simulate");
    tracing::info!(
        devices = devices.len(),
        rate_per_s,
        "sensing simulator: publishing to {host}:{port}"
    );
    let mut opts = MqttOptions::new(
        format!("citymirror-simulator-{}", std::process::id()),
        host,
        port,
    );
    opts.set_keep_alive(Duration::from_secs(30));
    let (client, mut eventloop) = AsyncClient::new(opts, 1024);
    let network = tokio::spawn(async move {
        let mut away = false;
        loop {
            match eventloop.poll().await {
                Ok(Event::Incoming(Packet::ConnAck(_))) if away => {
                    tracing::info!("sensing simulator: the broker is back");
                    away = false;
                }
                Ok(_) => {}
                Err(e) => {
                    if !away {
                        tracing::warn!("sensing simulator: the broker is away ({e}); retrying");
                        away = true;
                    }
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
            }
        }
    });
    let mut feeder = Feeder::new(devices, ReadingModel::new(seed, faults));
    let tick = Duration::from_millis(100);
    let per_tick = rate_per_s.max(1) as f64 * tick.as_secs_f64();
    let mut interval = tokio::time::interval(tick);
    interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let (mut owed, mut message, mut dropped) = (0.0f64, 0u64, 0u64);
    'run: loop {
        if *stop.borrow() {
            break;
        }
        tokio::select! {
            _ = interval.tick() => {}
            changed = stop.changed() => {
                if changed.is_err() {
                    break;
                }
                continue;
            }
        }
        // Never more than a second's worth at once, however long a tick was late.
        owed = (owed + per_tick).min(per_tick.max(1.0) * 10.0);
        while owed >= 1.0 {
            let mut payload = String::new();
            let now = Utc::now();
            let mut n = 0;
            while n < GATEWAY_LINES && owed >= 1.0 {
                if !feeder.push_next(&mut payload, now) {
                    tracing::info!("sensing simulator: every device has fallen silent");
                    let _ = stop.wait_for(|s| *s).await;
                    break 'run;
                }
                n += 1;
                owed -= 1.0;
            }
            let topic = format!("{VENDOR_PREFIX}/gw{}", message % 64);
            message += 1;
            if client
                .try_publish(topic, QoS::AtLeastOnce, false, payload)
                .is_err()
            {
                dropped += n as u64;
            }
        }
    }
    let t = &feeder.tally;
    tracing::info!(
        readings = t.readings,
        malformed = t.malformed,
        dropped,
        "sensing simulator: stopped"
    );
    let _ = client.try_disconnect();
    tokio::time::sleep(Duration::from_millis(100)).await;
    network.abort();
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: SensingPublishArgs,
    }

    fn args(extra: &[&str]) -> SensingPublishArgs {
        Cli::parse_from([&["t"], extra].concat()).args
    }

    #[test]
    fn the_flags_default_to_the_models_ordinary_day() {
        assert_eq!(faults(&args(&[])).unwrap(), FaultConfig::default());
        assert_eq!(
            faults(&args(&["--no-faults"])).unwrap(),
            FaultConfig::none()
        );
        let rain = faults(&args(&["--rain", "2", "--rain-after", "30"])).unwrap();
        let storm = rain.storm.unwrap();
        assert_eq!(storm.after, Duration::from_secs(30));
        assert_eq!(storm.response, Duration::from_secs(120));
        let long = faults(&args(&["--rain", "60"])).unwrap().storm.unwrap();
        assert_eq!(long.response, Duration::from_secs(600));
        assert!(faults(&args(&[
            "--silent-fraction",
            "0.9",
            "--malformed-fraction",
            "0.2"
        ]))
        .is_err());
        assert!(faults(&args(&["--rain", "0"])).is_err());
    }

    #[test]
    fn the_feeder_passes_over_silent_devices_and_counts_what_it_sends() {
        let device = |id: i64, status: &str| Device {
            id,
            device_type: "烟感探测器".into(),
            vendor: "泰和安".into(),
            model: "TX-YG100".into(),
            serial: format!("TX2400{id:06}"),
            status: status.into(),
            installed: None,
            grid_code: "440304001001001".into(),
            lon: 114.05,
            lat: 22.54,
        };
        let devices = vec![device(1, "在线"), device(2, "离线"), device(3, "在线")];
        let mut feeder = Feeder::new(
            devices,
            ReadingModel::new(
                1,
                FaultConfig {
                    offline_silent: true,
                    ..FaultConfig::none()
                },
            ),
        );
        let mut out = String::new();
        let now = Utc::now();
        for _ in 0..4 {
            assert!(feeder.push_next(&mut out, now));
        }
        let serials: Vec<&str> = out.lines().map(|l| l.split(',').next().unwrap()).collect();
        assert_eq!(
            serials,
            [
                "TX2400000001",
                "TX2400000003",
                "TX2400000001",
                "TX2400000003"
            ]
        );
        assert_eq!((feeder.tally.readings, feeder.tally.observations), (4, 8));
        assert_eq!(feeder.silent, [false, true, false]);

        let mut quiet = Feeder::new(
            vec![device(2, "离线")],
            ReadingModel::new(1, FaultConfig::default()),
        );
        assert!(!quiet.push_next(&mut out, now));
    }
}
