//! The MQTT broker `citymirror demo` carries inside it (rumqttd), so that the demo's
//! sensing network runs with nothing installed. Production and the tests use an
//! external broker (`serve --mqtt`); this one keeps no messages across restarts.
//!
//! rumqttd serves MQTT 3.1.1 and MQTT 5 on separate listeners: 3.1.1 (what most
//! gateways and SensorThings clients speak) on the address asked for, MQTT 5 (what the
//! platform's own ingest and simulator speak: persistent sessions, manual acks) on the
//! next port. rumqttd ignores the No Local subscription option; the ingest does not
//! rely on it (announcements carry `@iot.id` and are not read as creations).

use std::{collections::HashMap, net::SocketAddr, time::Duration};

use anyhow::Context;
use rumqttd::{Broker, Config, ConnectionSettings, RouterConfig, ServerSettings};

/// Where the embedded broker listens.
#[derive(Clone, Copy, Debug)]
pub struct Listeners {
    pub v4: SocketAddr,
    pub v5: SocketAddr,
}

fn server(name: &str, listen: SocketAddr) -> ServerSettings {
    ServerSettings {
        name: name.to_owned(),
        listen,
        tls: None,
        next_connection_delay_ms: 1,
        connections: ConnectionSettings {
            connection_timeout_ms: 60_000,
            // A gateway batching a few hundred readings (the ingest reads 256 KiB).
            max_payload_size: 256 * 1024,
            max_inflight_count: 500,
            auth: None,
            external_auth: None,
            dynamic_filters: true,
        },
    }
}

/// Starts the broker on `listen` (3.1.1) and the port after it (5); returns once both
/// accept connections, or says which address could not be had.
pub fn start(listen: SocketAddr) -> anyhow::Result<Listeners> {
    let v5 = SocketAddr::new(
        listen.ip(),
        listen
            .port()
            .checked_add(1)
            .context("the broker's port leaves no room for its MQTT 5 listener")?,
    );
    // rumqttd reports a failed bind only in its log, from its own thread: find out here.
    for a in [listen, v5] {
        std::net::TcpListener::bind(a).with_context(|| {
            format!("the demo's MQTT broker cannot listen on {a} (in use?); choose another with --broker-listen")
        })?;
    }
    let config = Config {
        id: 0,
        router: RouterConfig {
            max_connections: 10_010,
            max_outgoing_packet_count: 200,
            max_segment_size: 100 * 1024 * 1024,
            max_segment_count: 10,
            ..Default::default()
        },
        v4: Some(HashMap::from([("1".to_owned(), server("v4", listen))])),
        v5: Some(HashMap::from([("1".to_owned(), server("v5", v5))])),
        ..Default::default()
    };
    let mut broker = Broker::new(config);
    std::thread::Builder::new()
        .name("mqtt-broker".into())
        .spawn(move || {
            if let Err(e) = broker.start() {
                tracing::error!("the embedded MQTT broker stopped: {e}");
            }
        })?;
    // Ready once its listeners hold the ports (probing by binding, not connecting: a
    // probe connection that sends no CONNECT is logged by rumqttd as an error).
    for a in [listen, v5] {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while std::net::TcpListener::bind(a).is_ok() {
            anyhow::ensure!(
                std::time::Instant::now() < deadline,
                "the demo's MQTT broker did not open {a}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    Ok(Listeners { v4: listen, v5 })
}
