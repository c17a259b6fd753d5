//! `citymirror sensing publish`: the twin's devices report over MQTT, as their gateways
//! would — the compact form (`serial,time,values`), at QoS 1, a reading per device in
//! turn, each value drawn inside its quantity's healthy range, at a set rate. What it
//! published (and the broker acknowledged) is printed as one JSON object, so a
//! benchmark compares it with what the platform stored.

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, Instant},
};

use anyhow::Context;
use citymirror_core::LayerId;
use citymirror_sensing::{catalog, devices::Device};
use rand::{Rng, SeedableRng};
use rumqttc::v5::{mqttbytes::QoS, AsyncClient, Event, MqttOptions};
use serde_json::json;

use super::{open_store, repos};
use crate::cli::SensingPublishArgs;

pub async fn publish(args: SensingPublishArgs) -> anyhow::Result<()> {
    let store = open_store(&args.store).await?;
    let (twin, _) = repos(&store);
    let schema = LayerId::Devices.schema();
    let devices: Vec<Device> = twin
        .load_layer(LayerId::Devices)
        .await?
        .iter()
        .filter_map(|f| Device::from_feature(schema, f))
        .filter(|d| !catalog::quantities(&d.device_type).is_empty() && !d.serial.is_empty())
        .collect();
    anyhow::ensure!(
        !devices.is_empty(),
        "the twin has no devices to publish for"
    );
    let url = args.mqtt.strip_prefix("mqtt://").unwrap_or(&args.mqtt);
    let (host, port) = url.rsplit_once(':').context("--mqtt is mqtt://host:port")?;
    let mut opts = MqttOptions::new(
        format!("citymirror-publisher-{}", std::process::id()),
        host,
        port.parse()?,
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
    let acked = std::sync::Arc::new(AtomicU64::new(0));
    let counter = acked.clone();
    tokio::spawn(async move {
        loop {
            match eventloop.poll().await {
                Ok(Event::Incoming(rumqttc::v5::mqttbytes::v5::Packet::PubAck(_))) => {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!("publisher: {e}");
                    return;
                }
            }
        }
    });
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(args.seed);
    // Alarms to inject: manhole covers tilted past the rule's threshold, spread evenly
    // over the run, each on a cover of its own (one open alarm per stream).
    let covers: Vec<&Device> = devices
        .iter()
        .filter(|d| d.device_type == "井盖位移传感器")
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
    let (mut messages, mut readings, mut observations) = (0u64, 0u64, 0u64);
    let mut next_device = 0usize;
    let tick = Duration::from_millis(10);
    let per_tick = (rate as f64 * tick.as_secs_f64()).max(1.0);
    let mut owed = 0.0;
    let mut interval = tokio::time::interval(tick);
    while readings < total {
        interval.tick().await;
        owed += per_tick;
        while owed >= 1.0 && readings < total {
            let mut payload = String::new();
            if readings % alarm_every == alarm_every / 2 && alarms_sent < covers.len() {
                let c = covers[alarms_sent];
                alarms_sent += 1;
                payload.push_str(&format!(
                    "{},{},22.5,80\n",
                    c.serial,
                    chrono::Utc::now().timestamp_millis()
                ));
                observations += 2;
            }
            for _ in 0..lines {
                let d = &devices[next_device % devices.len()];
                next_device += 1;
                let now = chrono::Utc::now().timestamp_millis();
                payload.push_str(&d.serial);
                payload.push(',');
                payload.push_str(&now.to_string());
                for key in catalog::quantities(&d.device_type) {
                    let (lo, hi) = catalog::quantity(key).map_or((0.0, 1.0), |(_, q)| q.normal);
                    let v = if hi > lo { rng.gen_range(lo..hi) } else { lo };
                    payload.push_str(&format!(",{v:.2}"));
                    observations += 1;
                }
                payload.push('\n');
                readings += 1;
                owed -= 1.0;
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
    let _ = client.disconnect().await;
    println!(
        "{}",
        json!({
            "devices": devices.len(),
            "messages": messages,
            "readings": readings,
            "observations": observations,
            "acknowledged_messages": acked,
            "alarms": alarms_sent,
            "seconds": sent_in.as_secs_f64(),
            "observations_per_second": observations as f64 / sent_in.as_secs_f64(),
        })
    );
    Ok(())
}
