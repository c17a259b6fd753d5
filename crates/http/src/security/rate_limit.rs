//! Per-client rate limits on the public (unauthenticated) API: a token bucket per IP
//! address (GCRA, from `governor`). Authenticated callers are accountable through the
//! audit log and their token, so they are not limited here.

use std::{net::IpAddr, num::NonZeroU32};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::header,
    middleware::Next,
    response::{IntoResponse, Response},
};
use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota};

use crate::{ApiError, AppState};

/// Requests per second and burst per client address; `per_second: 0` turns limits off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitConfig {
    pub per_second: u32,
    pub burst: u32,
}

impl Default for RateLimitConfig {
    /// Generous enough for a map page that loads a screenful of features at once.
    fn default() -> Self {
        RateLimitConfig {
            per_second: 50,
            burst: 200,
        }
    }
}

/// How many times the API's quota a client gets for vector tiles. One look at a pitched
/// 3D map asks for a few dozen tiles of each of its sources at once, and a tile answered
/// from the cache costs less than a feature query; with the API's quota the map would
/// be refused half its tiles on the first screen.
pub const TILE_QUOTA_FACTOR: u32 = 10;

/// The per-client buckets: one for the API, a larger one for tiles. The page's own
/// static files (`/assets/…`) are not limited: they are few, and cached by browsers.
#[derive(Debug)]
pub struct Limiter {
    api: Bucket,
    tiles: Bucket,
}

#[derive(Debug)]
struct Bucket(Option<DefaultKeyedRateLimiter<IpAddr>>);

impl Limiter {
    pub fn new(cfg: RateLimitConfig) -> Limiter {
        let scaled = RateLimitConfig {
            per_second: cfg.per_second.saturating_mul(TILE_QUOTA_FACTOR),
            burst: cfg.burst.saturating_mul(TILE_QUOTA_FACTOR),
        };
        Limiter {
            api: Bucket::new(cfg),
            tiles: Bucket::new(scaled),
        }
    }

    /// `Err(seconds)` when `ip` is over the quota of the bucket a request to `path` draws
    /// from (none for the page's assets).
    fn check(&self, path: &str, ip: IpAddr) -> Result<(), u64> {
        if path.starts_with("/assets/") {
            Ok(())
        } else if path.starts_with("/tiles/") {
            self.tiles.check(ip)
        } else {
            self.api.check(ip)
        }
    }
}

impl Bucket {
    fn new(cfg: RateLimitConfig) -> Bucket {
        Bucket(NonZeroU32::new(cfg.per_second).map(|rate| {
            let burst = NonZeroU32::new(cfg.burst.max(cfg.per_second)).unwrap_or(rate);
            DefaultKeyedRateLimiter::keyed(Quota::per_second(rate).allow_burst(burst))
        }))
    }

    fn check(&self, ip: IpAddr) -> Result<(), u64> {
        let Some(l) = &self.0 else { return Ok(()) };
        if l.len() > 100_000 {
            l.retain_recent();
        }
        l.check_key(&ip).map_err(|not_until| {
            let clock = governor::clock::DefaultClock::default();
            not_until.wait_time_from(clock.now()).as_secs() + 1
        })
    }
}

/// The client's address: the TCP peer (proxies are not trusted to tell it).
pub fn client_ip(req_ext: &axum::http::Extensions) -> IpAddr {
    req_ext
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip())
}

fn has_credentials(req: &Request) -> bool {
    let h = req.headers();
    h.contains_key(header::AUTHORIZATION)
        || h.get_all(header::COOKIE).iter().any(|v| {
            v.to_str()
                .is_ok_and(|s| s.contains(citymirror_trust::session::COOKIE))
        })
}

/// Middleware: refuses an anonymous request over its client's quota with 429.
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !has_credentials(&req) {
        let ip = client_ip(req.extensions());
        if let Err(retry_after_s) = state.security.limiter.check(req.uri().path(), ip) {
            return ApiError::RateLimited { retry_after_s }.into_response();
        }
    }
    next.run(req).await
}
