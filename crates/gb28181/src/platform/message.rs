//! MESSAGE: the MANSCDP bodies devices send (Keepalive, the answers to our queries), each a
//! sign of life, and what the registry learns from them.

use chrono::{DateTime, Utc};
use citymirror_video::digest::Challenge;
use citymirror_video::manscdp::Message;
use citymirror_video::presence::{Heard, Standing};
use citymirror_video::GbId;
use rsip::prelude::UntypedHeader;
use rsip::Header;

use super::{Platform, CATALOG_RETRY};
use crate::stats::Stats;
use crate::transport::Route;
use crate::wire::Request;

impl Platform {
    pub(super) async fn message(&mut self, req: Request, route: Route, now: DateTime<Utc>) {
        let Ok(device) = GbId::parse(&req.from_user) else {
            Stats::bump(&self.stats.bad_id);
            self.reply(&route, &req.raw, 400, vec![]).await;
            return;
        };
        let body = match Message::parse(&req.raw.body) {
            Ok(b) => b,
            Err(e) => {
                Stats::bump(&self.stats.bad_body);
                tracing::debug!(device = %device, code = e.code(), "MESSAGE body refused: {e}");
                self.reply(&route, &req.raw, 400, vec![]).await;
                return;
            }
        };
        let keepalive = matches!(body, Message::Keepalive(_));
        match self.sign_of_life(device, keepalive, now) {
            Standing::Registered { .. } => {}
            Standing::ReregisterDue | Standing::NotRegistered => {
                // Not registered here (the platform restarted, or the registration ran
                // out): a challenge tells the device to REGISTER again.
                Stats::bump(&self.stats.unregistered_messages);
                // Each answer spends a nonce: charged like a REGISTER, so that a stream of
                // forged messages cannot push real devices' nonces out of the book.
                if !self
                    .flood
                    .allow(route.peer().ip(), std::time::Instant::now())
                {
                    Stats::bump(&self.stats.flood_dropped);
                    return;
                }
                if !self.registry.knows(&device) {
                    self.reply(&route, &req.raw, 403, vec![]).await;
                    return;
                }
                let nonce = self.nonces.issue_random(now, &mut self.rng);
                let c = Challenge::new(self.cfg.domain.clone(), nonce);
                let h = Header::WwwAuthenticate(rsip::headers::WwwAuthenticate::new(
                    c.to_header_value(),
                ));
                self.reply(&route, &req.raw, 401, vec![h]).await;
                return;
            }
        }
        self.reply(&route, &req.raw, 200, vec![]).await;
        // Devices behind NAT change ports; answer where they last spoke from.
        self.routes.insert(device, route);
        match body {
            Message::Keepalive(_) => {
                Stats::bump(&self.stats.keepalives);
                let no_catalog = self
                    .registry
                    .device(&device)
                    .is_some_and(|d| d.catalog_at.is_none());
                let asked_long_ago = self
                    .catalog_asked
                    .get(&device)
                    .is_none_or(|at| at.elapsed() >= CATALOG_RETRY);
                if no_catalog && asked_long_ago {
                    self.ask_catalog(device).await;
                }
            }
            Message::Catalog(page) => {
                if let Some(catalog) = self.catalogs.add(page, now) {
                    Stats::bump(&self.stats.catalogs);
                    let added = self.registry.apply_catalog(&catalog, now);
                    self.catalog_asked.remove(&catalog.device);
                    tracing::info!(
                        device = %catalog.device,
                        items = catalog.items.len(),
                        added,
                        "catalog received"
                    );
                }
            }
            Message::DeviceInfo(info) => self.registry.apply_device_info(&info),
            Message::DeviceStatus(_) | Message::Other(_) => {}
        }
    }

    /// Records a sign of life (a Keepalive, or any other message) and returns where the
    /// device stands.
    pub(super) fn sign_of_life(
        &mut self,
        device: GbId,
        keepalive: bool,
        now: DateTime<Utc>,
    ) -> Standing {
        let heard = if keepalive {
            Heard::Keepalive
        } else {
            Heard::Message
        };
        let observed = self.presence.heard(device, heard, now);
        if let Some(p) = self.presence.presence(&device) {
            if observed.standing != Standing::NotRegistered {
                self.registry.set_presence(&device, p, None);
            }
        }
        if let Some(t) = observed.transition {
            self.announce(t);
        }
        observed.standing
    }
}
