//! The platform loop: one task that owns the registrar's state (nonces, presence, flood
//! buckets, catalogs being assembled, where each device is reached) and handles packets in
//! arrival order. One owner means no locks on the hot path; the registry, which the API
//! reads, is the only shared structure.

mod message;
mod play;
mod register;

pub use play::{Command, PlayError, Playing};

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use citymirror_video::digest::{NonceBook, NoncePolicy};
use citymirror_video::manscdp::{AssemblyLimits, CatalogAssembler, QueryKind, CONTENT_TYPE};
use citymirror_video::presence::{Change, PresenceTracker, Transition};
use citymirror_video::registry::Registry;
use citymirror_video::GbId;
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use rsip::Method;
use tokio::sync::{mpsc, watch};

use crate::flood::FloodGuard;
use crate::stats::Stats;
use crate::transport::{Packet, Route, Transport};
use crate::wire::{self, Inbound};
use crate::EdgeConfig;

/// A catalog not answered within this long is asked for again at the device's next sign of life.
const CATALOG_RETRY: Duration = Duration::from_secs(30);

pub(crate) struct Platform {
    cfg: EdgeConfig,
    transport: Transport,
    registry: Arc<Registry>,
    stats: Arc<Stats>,
    nonces: NonceBook,
    presence: PresenceTracker,
    flood: FloodGuard,
    catalogs: CatalogAssembler,
    /// Where each registered device is reached.
    routes: HashMap<GbId, Route>,
    /// When a catalog was last asked of a device that has not answered one yet.
    catalog_asked: HashMap<GbId, Instant>,
    /// Live-view dialogs by channel.
    sessions: HashMap<GbId, play::Session>,
    ssrc_serial: u32,
    sn: u32,
    cseq: u32,
    rng: StdRng,
}

impl Platform {
    pub(crate) fn new(
        cfg: EdgeConfig,
        transport: Transport,
        registry: Arc<Registry>,
        stats: Arc<Stats>,
    ) -> Platform {
        Platform {
            nonces: NonceBook::new(NoncePolicy::default()),
            presence: PresenceTracker::new(cfg.presence.clone()),
            flood: FloodGuard::new(cfg.flood),
            catalogs: CatalogAssembler::new(AssemblyLimits::default()),
            cfg,
            transport,
            registry,
            stats,
            routes: HashMap::new(),
            catalog_asked: HashMap::new(),
            sessions: HashMap::new(),
            ssrc_serial: 0,
            sn: 0,
            cseq: 0,
            rng: StdRng::from_entropy(),
        }
    }

    pub(crate) async fn run(
        mut self,
        mut packets: mpsc::Receiver<Packet>,
        mut commands: mpsc::Receiver<Command>,
        mut stop: watch::Receiver<bool>,
    ) {
        tracing::info!(
            addr = %self.transport.local_addr(),
            domain = %self.cfg.domain,
            platform = %self.cfg.platform_id,
            "GB/T 28181 SIP edge listening on UDP and TCP"
        );
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                p = packets.recv() => match p {
                    Some(p) => self.handle(p).await,
                    None => return,
                },
                Some(c) = commands.recv() => self.command(c).await,
                _ = tick.tick() => {
                    self.tick(Utc::now());
                    self.sweep_streams().await;
                }
                _ = stop.changed() => return,
            }
        }
    }

    async fn handle(&mut self, packet: Packet) {
        Stats::bump(&self.stats.received);
        let now = Utc::now();
        match wire::parse(&packet.bytes) {
            Err(e) => {
                Stats::bump(&self.stats.malformed);
                tracing::debug!(peer = %packet.route.peer(), code = e.code(), "SIP dropped: {e}");
            }
            Ok(Inbound::Request(req)) => match req.method {
                Method::Register => self.register(req, packet.route, now).await,
                Method::Message => self.message(req, packet.route, now).await,
                Method::Ack => {}
                Method::Bye => self.bye(req, packet.route).await,
                Method::Options => self.reply(&packet.route, &req.raw, 200, vec![]).await,
                _ => self.reply(&packet.route, &req.raw, 405, vec![]).await,
            },
            Ok(Inbound::Response(res)) => {
                // An answer to one of our requests is a sign of life of the device.
                if let Ok(device) = GbId::parse(&res.to_user) {
                    if self.routes.contains_key(&device) {
                        self.sign_of_life(device, false, now);
                    }
                }
                self.dialog_response(res).await;
            }
        }
    }

    async fn reply(
        &self,
        route: &Route,
        req: &rsip::Request,
        status: u16,
        extra: Vec<rsip::Header>,
    ) {
        let bytes = wire::response(req, status, extra, Vec::new());
        self.transport.send(route, bytes).await;
    }

    /// Takes devices offline whose time ran out, and gives up on stalled catalogs.
    fn tick(&mut self, now: DateTime<Utc>) {
        for t in self.presence.tick(now) {
            self.announce(t);
        }
        for catalog in self.catalogs.expire(now) {
            Stats::bump(&self.stats.catalogs);
            self.registry.apply_catalog(&catalog, now);
        }
    }

    /// Records a presence change in the registry, the counters and the log.
    fn announce(&mut self, t: Transition) {
        if let Some(p) = self.presence.presence(&t.device) {
            self.registry.set_presence(&t.device, p, None);
        }
        match t.change {
            Change::Online => {
                Stats::bump(&self.stats.went_online);
                tracing::info!(device = %t.device, "video device online");
            }
            Change::Offline { reason } => {
                Stats::bump(&self.stats.went_offline);
                tracing::info!(device = %t.device, ?reason, "video device offline");
            }
        }
    }

    /// Sends a MANSCDP query to a registered device.
    async fn query(&mut self, device: GbId, kind: QueryKind) {
        self.sn = self.sn.wrapping_add(1);
        let body = citymirror_video::manscdp::render_query(kind, self.sn, &device);
        self.send_manscdp(device, body).await;
    }

    /// Sends a MANSCDP body in a MESSAGE to a registered device; false when it is not
    /// registered here.
    async fn send_manscdp(&mut self, device: GbId, body: String) -> bool {
        let Some(route) = self.routes.get(&device).cloned() else {
            return false;
        };
        self.cseq = self.cseq.wrapping_add(1);
        let via = format!("{} {}", route.via_transport(), self.advertised());
        let call_id = format!("{:016x}", self.rng.next_u64());
        let branch = format!("{:x}", self.rng.next_u64());
        let tag = format!("{:x}", self.rng.next_u32());
        let bytes = wire::request(
            wire::Outgoing {
                method: Method::Message,
                to_user: device.as_str(),
                to_host: &self.cfg.domain,
                from_user: self.cfg.platform_id.as_str(),
                from_host: &self.cfg.domain,
                via: &via,
                call_id: &call_id,
                cseq: self.cseq,
                to_tag: None,
                content_type: Some(CONTENT_TYPE),
                extra: vec![],
                body: body.into_bytes(),
            },
            &branch,
            &tag,
        );
        self.transport.send(&route, bytes).await;
        true
    }

    /// Our address as devices reach it.
    fn advertised(&self) -> std::net::SocketAddr {
        let mut at = self.transport.local_addr();
        if at.ip().is_unspecified() {
            at.set_ip(
                self.cfg
                    .advertise
                    .unwrap_or(std::net::Ipv4Addr::LOCALHOST.into()),
            );
        }
        at
    }
}
