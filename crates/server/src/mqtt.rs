//! The sensing network on an MQTT broker: the ingest and the SensorThings MQTT
//! extension's announcements.
//!
//! The ingest connects with MQTT 5 under a persistent session (so QoS 1 messages that
//! arrive while the server is down wait at the broker), subscribes at QoS 1 to the
//! SensorThings create topics (`v1.1/Datastreams(id)/Observations`, …) and to the
//! vendor prefix, and acknowledges messages itself (manual acks): a batch is
//! acknowledged only after its transaction commits, so a crash loses nothing the broker
//! delivered — the broker delivers the unacknowledged messages again (at least once).
//! Its Receive Maximum lets the broker keep thousands of messages in flight, which is
//! what lets one commit cover many. Back-pressure: the network loop hands messages to
//! the writer over a bounded channel; while the writer is busy the loop stops reading
//! the socket and TCP slows the broker down.
//!
//! The announcer publishes every change on the topics SensorThings clients subscribe to
//! (`v1.1/Datastreams(7)/Observations`, `v1.1/Things(1)`, `v1.1/Things`, …), whatever
//! edge made it (HTTP, MQTT, the simulator). Announcements carry `@iot.id`, which the
//! ingest reads as "not a creation" and leaves alone.

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

use anyhow::Context;
use citymirror_sensing::{
    ingest::Message, observation::Stream, registry::Registry, Change, EntityType, SensingService,
};
use rumqttc::v5::{
    mqttbytes::{
        v5::{Filter, Packet},
        QoS,
    },
    AsyncClient, Event, MqttOptions,
};
use rumqttc::Outgoing;
use serde_json::{json, Map, Value};
use tokio::sync::{mpsc, watch};

use crate::cli::MqttArgs;

/// Host and port of `mqtt://host:port` (or `host:port`).
pub fn broker(url: &str) -> anyhow::Result<(String, u16)> {
    let rest = url
        .strip_prefix("mqtt://")
        .or_else(|| url.strip_prefix("tcp://"))
        .unwrap_or(url);
    let rest = rest.trim_end_matches('/');
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) => (
            h,
            p.parse().with_context(|| format!("the port in `{url}`"))?,
        ),
        None => (rest, 1883),
    };
    anyhow::ensure!(!host.is_empty(), "`{url}` names no broker host");
    Ok((host.to_owned(), port))
}

/// Starts the ingest and the announcer. Returns once both are connecting.
pub fn start(
    args: &MqttArgs,
    sensing: Arc<SensingService>,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let Some(url) = &args.url else { return Ok(()) };
    let (host, port) = broker(url)?;
    let queued = Arc::new(AtomicUsize::new(0));
    let client = spawn_ingest(
        host,
        port,
        args.clone(),
        sensing.clone(),
        queued.clone(),
        stop.clone(),
    );
    spawn_announcer(client, sensing, queued, stop);
    Ok(())
}

fn spawn_ingest(
    host: String,
    port: u16,
    args: MqttArgs,
    sensing: Arc<SensingService>,
    announcements: Arc<AtomicUsize>,
    mut stop: watch::Receiver<bool>,
) -> AsyncClient {
    let mut opts = MqttOptions::new(args.client_id.clone(), host, port);
    opts.set_keep_alive(Duration::from_secs(30));
    opts.set_clean_start(false);
    opts.set_manual_acks(true);
    opts.set_receive_maximum(Some(RECEIVE_MAXIMUM));
    opts.set_max_packet_size(Some(1 << 20));
    // Keep the session (and the messages queued for it) for a day of downtime.
    let mut props = opts.connect_properties().unwrap_or_default();
    props.session_expiry_interval = Some(86_400);
    opts.set_connect_properties(props);
    // The writer acknowledges through the client's request channel, which only the
    // network loop drains; while that loop waits to hand the writer a message, an ack
    // must never wait for room, or the two wait for each other (this happened under a
    // full load: the loop drains a request only between the messages it reads, so acks
    // piled up faster than it drained them). Every ack answers a message the broker
    // delivered and has not seen acknowledged, and the broker keeps at most Receive
    // Maximum of those in flight: a request channel that holds that many acks, plus
    // the announcements' window, can never fill with acks.
    let (client, mut eventloop) =
        AsyncClient::new(opts, RECEIVE_MAXIMUM as usize + ANNOUNCE_WINDOW + 1024);
    let (tx, rx) = mpsc::channel::<rumqttc::v5::mqttbytes::v5::Publish>(args.batch * 2);
    let vendor = format!("{}/#", args.vendor_prefix.trim_end_matches('/'));
    // The network loop.
    let subscriber = client.clone();
    tokio::spawn(async move {
        loop {
            let event = tokio::select! {
                e = eventloop.poll() => e,
                _ = stop.changed() => return,
            };
            match event {
                Ok(Event::Incoming(Packet::ConnAck(_))) => {
                    tracing::info!("MQTT ingest connected");
                    // No Local: this connection's own announcements are not read back.
                    let filters = ["v1.1/#", "v1.0/#", vendor.as_str()].map(|t| {
                        let mut f = Filter::new(t, QoS::AtLeastOnce);
                        f.nolocal = true;
                        f
                    });
                    if let Err(e) = subscriber.subscribe_many(filters).await {
                        tracing::warn!("MQTT subscribe failed: {e}");
                    }
                }
                Ok(Event::Outgoing(Outgoing::Publish(_))) => {
                    // An announcement left: room for another.
                    let _ = announcements
                        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
                }
                Ok(Event::Incoming(Packet::Publish(p))) => {
                    if tx.send(p).await.is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!("MQTT ingest: {e}; reconnecting");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    });
    // The writer.
    tokio::spawn(write_batches(rx, client.clone(), sensing, args));
    client
}

async fn write_batches(
    mut rx: mpsc::Receiver<rumqttc::v5::mqttbytes::v5::Publish>,
    client: AsyncClient,
    sensing: Arc<SensingService>,
    args: MqttArgs,
) {
    let mut batch = Vec::with_capacity(args.batch);
    loop {
        batch.clear();
        if rx.recv_many(&mut batch, args.batch).await == 0 {
            return;
        }
        // Gather what arrives within a few milliseconds more, up to a full batch.
        let deadline = tokio::time::Instant::now() + Duration::from_millis(20);
        while batch.len() < args.batch {
            let room = args.batch - batch.len();
            match tokio::time::timeout_at(deadline, rx.recv_many(&mut batch, room)).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
        let topics: Vec<String> = batch
            .iter()
            .map(|p| String::from_utf8_lossy(&p.topic).into_owned())
            .collect();
        let messages: Vec<Message<'_>> = batch
            .iter()
            .zip(&topics)
            .map(|(p, t)| Message {
                topic: t,
                payload: &p.payload,
            })
            .collect();
        // Until the batch is stored, nothing is acknowledged; a failed transaction is
        // tried again (the messages are still ours) rather than dropped.
        let mut wait = Duration::from_millis(100);
        loop {
            match sensing.ingest(&messages, &args.vendor_prefix).await {
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(
                        "MQTT ingest: a batch of {} not stored ({e}); retrying",
                        messages.len()
                    );
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(5));
                }
            }
        }
        for p in &batch {
            if let Err(e) = client.ack(p).await {
                tracing::warn!("MQTT ack failed: {e}");
            }
        }
    }
}

/// The topic and JSON an entity change is announced with.
fn announcement(registry: &Registry, c: &Change) -> Vec<(String, Value)> {
    match c {
        Change::Observation {
            observation: o,
            created,
        } => {
            let (set, nav) = match o.stream {
                Stream::Datastream(d) => ("Datastreams", d),
                Stream::Multi(m) => ("MultiDatastreams", m),
            };
            let mut body = Map::new();
            body.insert("@iot.id".into(), json!(o.id));
            body.insert(
                "@iot.selfLink".into(),
                json!(format!("Observations({})", o.id)),
            );
            body.extend(o.props());
            let body = Value::Object(body);
            let mut out = vec![
                (format!("v1.1/{set}({nav})/Observations"), body.clone()),
                ("v1.1/Observations".into(), body.clone()),
            ];
            if !created {
                out.push((format!("v1.1/Observations({})", o.id), body));
            }
            out
        }
        Change::Entity { kind, id, .. } => {
            let Some(e) = registry.get(*kind, *id, false) else {
                return vec![];
            };
            let mut body = Map::new();
            body.insert("@iot.id".into(), json!(id));
            body.insert(
                "@iot.selfLink".into(),
                json!(format!("{}({id})", kind.collection())),
            );
            body.extend(e.props);
            let body = Value::Object(body);
            let mut out = vec![
                (format!("v1.1/{}", kind.collection()), body.clone()),
                (format!("v1.1/{}({id})", kind.collection()), body.clone()),
            ];
            // A new Datastream of a Thing also appears under the Thing.
            if let (EntityType::Datastream, Some(t)) = (kind, e.links.thing) {
                out.push((format!("v1.1/Things({t})/Datastreams"), body));
            }
            out
        }
        Change::Deleted { .. } => vec![],
    }
}

/// QoS 1 messages the broker may have delivered to the ingest and not yet seen
/// acknowledged (MQTT 5 Receive Maximum): enough for one commit to cover many.
const RECEIVE_MAXIMUM: u16 = u16::MAX;

/// Announcements waiting in the client's request channel at most. They share it with
/// the ingest's acks, which must always find room (see `spawn_ingest`); past this, an
/// announcement is dropped (counted and logged) rather than queued.
const ANNOUNCE_WINDOW: usize = 10_000;

fn spawn_announcer(
    client: AsyncClient,
    sensing: Arc<SensingService>,
    queued: Arc<AtomicUsize>,
    mut stop: watch::Receiver<bool>,
) {
    let mut changes = sensing.subscribe();
    let mut dropped = 0u64;
    let mut last_report = std::time::Instant::now();
    tokio::spawn(async move {
        loop {
            let c = tokio::select! {
                c = changes.recv() => c,
                _ = stop.changed() => return,
            };
            let c = match c {
                Ok(c) => c,
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(n, "MQTT announcer fell behind; {n} changes not announced");
                    continue;
                }
                Err(_) => return,
            };
            // Full window: drop before building anything (under a full ingest most
            // changes go this way, and their JSON would be wasted work).
            if queued.load(Ordering::Relaxed) >= ANNOUNCE_WINDOW {
                dropped += 1;
                continue;
            }
            for (topic, body) in announcement(&sensing.registry, &c) {
                // QoS 0: announcements are a live view; a subscriber that missed one reads
                // the entity over HTTP.
                if queued.load(Ordering::Relaxed) >= ANNOUNCE_WINDOW
                    || client
                        .try_publish(topic, QoS::AtMostOnce, false, body.to_string())
                        .is_err()
                {
                    dropped += 1;
                } else {
                    queued.fetch_add(1, Ordering::Relaxed);
                }
            }
            if dropped > 0 && last_report.elapsed() >= Duration::from_secs(60) {
                tracing::warn!(dropped, "MQTT announcements dropped in the last minute (more changes than the broker link carries)");
                dropped = 0;
                last_report = std::time::Instant::now();
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_urls_are_read_with_a_default_port() {
        assert_eq!(
            broker("mqtt://127.0.0.1:1883").unwrap(),
            ("127.0.0.1".into(), 1883)
        );
        assert_eq!(
            broker("broker.local").unwrap(),
            ("broker.local".into(), 1883)
        );
        assert!(broker("mqtt://:1883").is_err());
        assert!(broker("mqtt://h:port").is_err());
    }
}
