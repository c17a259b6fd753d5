//! 智眼's network edge: the platform side of GB/T 28181 signalling on UDP and TCP.
//!
//! ```text
//!  devices ─UDP/TCP─► transport (framing, caps) ─► Packet ─► platform loop (one task)
//!     REGISTER ─► register: id at the door, flood guard, digest (NonceBook) ─► presence
//!     MESSAGE  ─► message: MANSCDP ─► presence, Keepalive, Catalog pages ─► Registry
//!     tick (1 s) ─► presence deadlines (offline), catalogs given up ─► Registry
//!     ◄── queries (Catalog, DeviceInfo) after a device registers
//! ```
//!
//! The rules themselves (ids, digest, presence, MANSCDP, the registry) are the pure crate
//! `citymirror-video`; this crate owns sockets, time and the order of things.
//!
//! Live view: [`Edge::play`] sends INVITE with an SDP offer (PS over RTP, UDP or TCP
//! passive), ACKs the device's 200 OK, and receives the media in [`media::Receiver`]
//! (RTP reassembly and PS demultiplexing are `citymirror_video::media`); a stream nobody
//! watches for `stream_idle` is ended with BYE.

pub mod flood;
pub mod media;
mod platform;
pub mod stats;
pub mod transport;
pub mod wire;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, RwLock};

use citymirror_video::presence::PresencePolicy;
use citymirror_video::registry::Registry;
use citymirror_video::GbId;
use tokio::sync::watch;

pub use flood::FloodPolicy;
pub use media::MediaTransport;
pub use platform::{PlayError, Playing};
pub use stats::Stats;
pub use transport::TransportLimits;

/// Which devices may register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// Only devices in the registry (the twin's cameras and admitted NVRs): an unknown id
    /// is refused with 403.
    Registry,
    /// Also any front-end id whose code starts with this prefix (e.g. the district's
    /// `440304`), admitted on its first successful registration.
    Prefix(String),
}

/// Device passwords: one default, and each device's own where it has one.
#[derive(Debug)]
pub struct Passwords {
    default: String,
    own: RwLock<HashMap<GbId, String>>,
}

impl Passwords {
    pub fn new(default: impl Into<String>) -> Passwords {
        Passwords {
            default: default.into(),
            own: RwLock::new(HashMap::new()),
        }
    }

    /// Gives `device` its own password.
    pub fn set(&self, device: GbId, password: impl Into<String>) {
        self.own
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(device, password.into());
    }

    /// The device's own password, if it has one.
    pub fn own(&self, device: &GbId) -> Option<String> {
        self.own
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(device)
            .cloned()
    }

    /// Takes `device` back to the default password.
    pub fn clear(&self, device: &GbId) {
        self.own
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(device);
    }

    /// Every device's own password, as kept in the store (`{"id": "password"}`).
    pub fn own_json(&self) -> String {
        let own = self.own.read().unwrap_or_else(|e| e.into_inner());
        let sorted: std::collections::BTreeMap<&str, &String> =
            own.iter().map(|(k, v)| (k.as_str(), v)).collect();
        serde_json::to_string(&sorted).expect("a map of strings serialises")
    }

    /// Takes in the passwords `own_json` wrote; ids that no longer parse are skipped.
    pub fn load_json(&self, json: &str) -> Result<usize, serde_json::Error> {
        let map: HashMap<String, String> = serde_json::from_str(json)?;
        let mut own = self.own.write().unwrap_or_else(|e| e.into_inner());
        for (k, v) in map {
            if let Ok(id) = GbId::parse(&k) {
                own.insert(id, v);
            }
        }
        Ok(own.len())
    }

    pub fn for_device(&self, device: &GbId) -> String {
        self.own
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(device)
            .cloned()
            .unwrap_or_else(|| self.default.clone())
    }
}

/// How the edge runs.
#[derive(Debug, Clone)]
pub struct EdgeConfig {
    /// Where UDP and TCP listen (port 0: a free port, the same for both).
    pub listen: SocketAddr,
    /// The address put in our Via headers when `listen` is a wildcard.
    pub advertise: Option<IpAddr>,
    /// The platform's own id (type 200, SIP server).
    pub platform_id: GbId,
    /// The SIP domain and digest realm: the first ten digits of the platform id.
    pub domain: String,
    pub passwords: Arc<Passwords>,
    pub admission: Admission,
    pub presence: PresencePolicy,
    pub flood: FloodPolicy,
    pub transport: TransportLimits,
    /// A live stream nobody watches for this long is stopped (BYE).
    pub stream_idle: std::time::Duration,
}

impl EdgeConfig {
    /// The district's platform (`44030400002000000001`, domain `4403040000`) on `listen`.
    pub fn new(listen: SocketAddr, passwords: Arc<Passwords>) -> EdgeConfig {
        let platform_id: GbId = "44030400002000000001".parse().expect("a valid id");
        EdgeConfig {
            listen,
            advertise: None,
            domain: platform_id.as_str()[..10].to_owned(),
            platform_id,
            passwords,
            admission: Admission::Registry,
            presence: PresencePolicy::default(),
            flood: FloodPolicy::default(),
            transport: TransportLimits::default(),
            stream_idle: std::time::Duration::from_secs(60),
        }
    }
}

/// The running edge.
#[derive(Debug, Clone)]
pub struct Edge {
    pub local_addr: SocketAddr,
    /// The device passwords the edge checks REGISTERs against (changed by operators).
    pub passwords: Arc<Passwords>,
    pub stats: Arc<Stats>,
    pub registry: Arc<Registry>,
    commands: tokio::sync::mpsc::Sender<platform::Command>,
}

impl Edge {
    /// Sends the platform loop a command carrying a reply channel, and waits for the reply.
    async fn ask<T>(
        &self,
        command: impl FnOnce(tokio::sync::oneshot::Sender<Result<T, PlayError>>) -> platform::Command,
    ) -> Result<T, PlayError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.commands
            .send(command(reply))
            .await
            .map_err(|_| PlayError::EdgeStopped)?;
        answer.await.map_err(|_| PlayError::EdgeStopped)?
    }

    /// Starts (or joins) the live stream of `channel`: answers once the device accepted
    /// the INVITE. Frames arrive on the returned receiver; drop it to stop watching.
    pub async fn play(
        &self,
        channel: GbId,
        transport: MediaTransport,
    ) -> Result<Playing, PlayError> {
        self.ask(|reply| platform::Command::Play {
            channel,
            transport,
            reply,
        })
        .await
    }

    /// Sends a PTZ command to `channel` (a DeviceControl MESSAGE to its device).
    pub async fn ptz(
        &self,
        channel: GbId,
        cmd: citymirror_video::manscdp::PtzCmd,
    ) -> Result<(), PlayError> {
        self.ask(|reply| platform::Command::Ptz {
            channel,
            cmd,
            reply,
        })
        .await
    }

    /// Stops the live stream of `channel` (BYE), whoever watches it.
    pub async fn stop(&self, channel: GbId) {
        let _ = self
            .commands
            .send(platform::Command::Stop { channel })
            .await;
    }
}

/// Binds the sockets and starts the platform loop; it runs until `stop` turns true.
pub async fn start(
    config: EdgeConfig,
    registry: Arc<Registry>,
    stop: watch::Receiver<bool>,
) -> std::io::Result<Edge> {
    let stats = Arc::new(Stats::default());
    let (transport, packets) = transport::Transport::bind(
        config.listen,
        config.transport.clone(),
        stats.clone(),
        stop.clone(),
    )
    .await?;
    let local_addr = transport.local_addr();
    let passwords = config.passwords.clone();
    let p = platform::Platform::new(config, transport, registry.clone(), stats.clone());
    let (commands, command_rx) = tokio::sync::mpsc::channel(256);
    tokio::spawn(p.run(packets, command_rx, stop));
    Ok(Edge {
        local_addr,
        passwords,
        stats,
        registry,
        commands,
    })
}
