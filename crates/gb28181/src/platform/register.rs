//! REGISTER: the id checked at the door, the flood guard, the digest challenge and its
//! answer, then the registration itself (RFC 3261 §10 as GB/T 28181 §9.1 uses it).

use std::time::Instant;

use chrono::{DateTime, Utc};
use citymirror_video::digest::{self, AuthError, Challenge, Credentials};
use citymirror_video::manscdp::QueryKind;
use citymirror_video::presence::{Heard, Standing};
use citymirror_video::GbId;
use rsip::prelude::UntypedHeader;
use rsip::Header;

use super::Platform;
use crate::stats::Stats;
use crate::transport::Route;
use crate::wire::{self, Request};
use crate::Admission;

/// What a REGISTER comes to before anything is sent.
enum Verdict {
    BadId,
    Unknown,
    Challenge { stale: bool },
    Refused(AuthError),
    Accepted { device: GbId, expires: u32 },
}

impl Platform {
    pub(super) async fn register(&mut self, req: Request, route: Route, now: DateTime<Utc>) {
        let verdict = self.judge(&req, now);
        if !matches!(verdict, Verdict::Accepted { .. })
            && !self.flood.allow(route.peer().ip(), Instant::now())
        {
            Stats::bump(&self.stats.flood_dropped);
            return;
        }
        match verdict {
            Verdict::BadId => {
                Stats::bump(&self.stats.bad_id);
                tracing::debug!(peer = %route.peer(), user = %wire::excerpt(&req.from_user), "REGISTER from an ill-formed id");
                self.reply(&route, &req.raw, 400, vec![]).await;
            }
            Verdict::Unknown => {
                Stats::bump(&self.stats.unknown_device);
                tracing::debug!(peer = %route.peer(), device = %req.from_user, "REGISTER from an unknown device");
                self.reply(&route, &req.raw, 403, vec![]).await;
            }
            Verdict::Challenge { stale } => {
                let nonce = self.nonces.issue_random(now, &mut self.rng);
                let mut c = Challenge::new(self.cfg.domain.clone(), nonce);
                c.stale = stale;
                let h = Header::WwwAuthenticate(rsip::headers::WwwAuthenticate::new(
                    c.to_header_value(),
                ));
                self.reply(&route, &req.raw, 401, vec![h]).await;
            }
            Verdict::Refused(e) => {
                Stats::bump(&self.stats.auth_failed);
                tracing::info!(peer = %route.peer(), device = %req.from_user, code = e.code(), "REGISTER refused: {e}");
                self.reply(&route, &req.raw, 403, vec![]).await;
            }
            Verdict::Accepted { device, expires } => {
                self.accept(device, expires, &req, route, now).await
            }
        }
    }

    fn judge(&mut self, req: &Request, now: DateTime<Utc>) -> Verdict {
        let Ok(device) = GbId::parse(&req.from_user) else {
            return Verdict::BadId;
        };
        if !device.type_code().is_front_end() {
            return Verdict::BadId;
        }
        let admitted = match &self.cfg.admission {
            Admission::Registry => self.registry.knows(&device),
            Admission::Prefix(p) => {
                self.registry.knows(&device) || device.as_str().starts_with(p.as_str())
            }
        };
        if !admitted {
            return Verdict::Unknown;
        }
        let Some(auth) = wire::authorization(&req.raw) else {
            return Verdict::Challenge { stale: false };
        };
        let creds = match Credentials::parse(auth) {
            Ok(c) => c,
            Err(e) => {
                tracing::debug!(device = %device, code = e.code(), "unreadable Authorization");
                return Verdict::Challenge { stale: false };
            }
        };
        if creds.username != device.as_str() {
            return Verdict::Refused(AuthError::WrongResponse);
        }
        let password = self.cfg.passwords.for_device(&device);
        match digest::authenticate(
            &creds,
            "REGISTER",
            &self.cfg.domain,
            &password,
            &mut self.nonces,
            now,
        ) {
            Ok(()) => Verdict::Accepted {
                device,
                expires: wire::register_expires(&req.raw).unwrap_or(3600),
            },
            // An old, unknown or reused nonce with a right answer: challenge afresh.
            Err(AuthError::Nonce(_)) => Verdict::Challenge { stale: true },
            Err(e) => Verdict::Refused(e),
        }
    }

    async fn accept(
        &mut self,
        device: GbId,
        expires: u32,
        req: &Request,
        route: Route,
        now: DateTime<Utc>,
    ) {
        if !self.registry.knows(&device) {
            self.registry.admit(device);
        }
        let observed = self
            .presence
            .heard(device, Heard::Register { expires }, now);
        let granted = match observed.standing {
            Standing::Registered { until } => (until - now).num_seconds().max(0),
            _ => 0,
        };
        let date = now.format("%Y-%m-%dT%H:%M:%S%.3f").to_string();
        let extra = vec![
            Header::Expires(rsip::headers::Expires::from(granted as u32)),
            Header::Date(rsip::headers::Date::new(date)),
        ];
        self.reply(&route, &req.raw, 200, extra).await;
        if let Some(p) = self.presence.presence(&device) {
            self.registry
                .set_presence(&device, p, Some(route.describe()));
        }
        if expires == 0 {
            self.routes.remove(&device);
            self.catalog_asked.remove(&device);
        } else {
            Stats::bump(&self.stats.registered);
            self.routes.insert(device, route);
        }
        if let Some(t) = observed.transition {
            self.announce(t);
        }
        if expires > 0
            && self
                .registry
                .device(&device)
                .is_some_and(|d| d.catalog_at.is_none())
        {
            self.ask_catalog(device).await;
        }
    }

    /// Asks a device for its catalog and its make.
    pub(super) async fn ask_catalog(&mut self, device: GbId) {
        self.catalog_asked.insert(device, Instant::now());
        self.query(device, QueryKind::Catalog).await;
        self.query(device, QueryKind::DeviceInfo).await;
    }
}
