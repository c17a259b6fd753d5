//! The security gate every request passes, and the work budgets it keeps.
//!
//! The gate resolves the caller first ([`super::caller::resolve`]): only a verified
//! credential takes a request out of its address's anonymous budget. Then it charges
//! the request to a budget by the *work it caused*, not by the request: the time the
//! server spent answering it, less the time it waited in line behind other clients'
//! writes (SQLite's writers' queue, the audit log's group commit: see
//! `citymirror_trust::queued`; the wait is their work, not its). A client paging a
//! layer with GDAL or QGIS, the conformance suite, a map loading a screenful of cached
//! tiles, or a bureau of people behind one NAT address, asks for many cheap answers and
//! never meets the limit; a client that makes the server work (uncached renders, large
//! pages, searches, password hashing) meets it in proportion. Over budget, a client is
//! told when to come back (`429` with `Retry-After`).
//!
//! Each budget is a bucket of milliseconds of work that refills at a steady rate: one
//! per anonymous client address (an IPv6 client by its /64, which one host holds
//! whole), and one per verified principal at [`SIGNED_IN_FACTOR`] times the rate (they
//! are accountable through the audit log; the budget only bounds a stolen or runaway
//! credential). A request is admitted while its bucket holds at least
//! [`MIN_COST`]; its cost is charged once the answer is ready, so one expensive request
//! may take the bucket into debt, which the client then waits out. `governor`'s GCRA
//! cannot charge after the fact or hold a debt, hence this small bucket of our own.
//!
//! The page's built assets (`/assets/…`, a few files browsers cache for a year) pass
//! the gate untouched.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

use axum::{
    extract::{ConnectInfo, Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use citymirror_trust::{Actor, Principal};

use super::caller::{resolve, Caller};
use crate::{ApiError, AppState};

/// How much work each anonymous client address may cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// Milliseconds of handling per second, on average; 0 turns budgets off.
    pub work_ms_per_s: u32,
    /// The most milliseconds of handling a client may use at once, from a full bucket.
    pub burst_ms: u32,
}

impl RateLimitConfig {
    /// No budgets at all (benchmarks of the server's own throughput).
    pub const OFF: RateLimitConfig = RateLimitConfig {
        work_ms_per_s: 0,
        burst_ms: 0,
    };
}

impl Default for RateLimitConfig {
    /// One client address may keep one core busy on average, and ask for half a minute
    /// of work at once: far more than any standard client or map page needs, and on a
    /// two-core server still leaves the other core to everyone else.
    fn default() -> Self {
        RateLimitConfig {
            work_ms_per_s: 1000,
            burst_ms: 30_000,
        }
    }
}

/// A verified principal's budget, in multiples of an anonymous address's.
pub const SIGNED_IN_FACTOR: u32 = 4;

/// The least a request is charged, whatever it cost: what reading and routing it takes.
/// It bounds a flood of trivial requests (10,000 a second from one address).
pub const MIN_COST: Duration = Duration::from_micros(100);

/// Whose budget a request is charged to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ClientKey {
    /// An anonymous client: its address (IPv6 by its /64 prefix).
    Address(IpAddr),
    /// A verified principal: `token:7`, `user:3`.
    Principal(String),
}

impl ClientKey {
    pub fn anonymous(ip: IpAddr) -> ClientKey {
        ClientKey::Address(match ip {
            IpAddr::V4(_) => ip,
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => {
                    let s = v6.segments();
                    IpAddr::from([s[0], s[1], s[2], s[3], 0, 0, 0, 0])
                }
            },
        })
    }

    pub fn of(p: &Principal, ip: IpAddr) -> ClientKey {
        match &p.actor {
            Actor::Anonymous => ClientKey::anonymous(ip),
            a @ (Actor::User { .. } | Actor::Token { .. } | Actor::System { .. }) => {
                ClientKey::Principal(match a {
                    Actor::User { id, .. } => format!("user:{id}"),
                    other => other.to_string(),
                })
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// Milliseconds of work available; negative while in debt.
    level: f64,
    at: Instant,
}

/// The budgets of every client seen recently.
#[derive(Debug)]
pub struct Limiter {
    rate_ms_per_s: f64,
    burst_ms: f64,
    buckets: Mutex<HashMap<ClientKey, Bucket>>,
}

/// More clients than this, and buckets that have refilled are forgotten (a full bucket
/// is what a new client gets anyway).
const MAX_CLIENTS: usize = 100_000;

impl Limiter {
    pub fn new(cfg: RateLimitConfig) -> Limiter {
        Limiter {
            rate_ms_per_s: f64::from(cfg.work_ms_per_s),
            burst_ms: f64::from(cfg.burst_ms.max(cfg.work_ms_per_s)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn enabled(&self) -> bool {
        self.rate_ms_per_s > 0.0
    }

    fn scale(key: &ClientKey) -> f64 {
        match key {
            ClientKey::Address(_) => 1.0,
            ClientKey::Principal(_) => f64::from(SIGNED_IN_FACTOR),
        }
    }

    /// `Err(seconds)` to wait when `key`'s bucket holds less than [`MIN_COST`] at `now`.
    pub fn admit(&self, key: &ClientKey, now: Instant) -> Result<(), u64> {
        if !self.enabled() {
            return Ok(());
        }
        let scale = Self::scale(key);
        let (rate, burst) = (self.rate_ms_per_s * scale, self.burst_ms * scale);
        let mut buckets = self.buckets.lock().unwrap();
        let b = buckets.entry(key.clone()).or_insert(Bucket {
            level: burst,
            at: now,
        });
        let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
        b.level = (b.level + elapsed * rate).min(burst);
        b.at = now;
        let need = MIN_COST.as_secs_f64() * 1000.0;
        if b.level >= need {
            Ok(())
        } else {
            Err(((need - b.level) / rate).ceil().max(1.0) as u64)
        }
    }

    /// Charges `cost` to `key`'s bucket (at least [`MIN_COST`]).
    pub fn charge(&self, key: &ClientKey, cost: Duration) {
        if !self.enabled() {
            return;
        }
        let ms = cost.max(MIN_COST).as_secs_f64() * 1000.0;
        let mut buckets = self.buckets.lock().unwrap();
        if let Some(b) = buckets.get_mut(key) {
            b.level -= ms;
        }
        if buckets.len() > MAX_CLIENTS {
            let (rate, burst) = (self.rate_ms_per_s, self.burst_ms);
            let now = Instant::now();
            buckets.retain(|_, b| {
                b.level + now.saturating_duration_since(b.at).as_secs_f64() * rate < burst
            });
        }
    }
}

/// The client's address: the TCP peer (proxies are not trusted to tell it).
pub fn client_ip(req_ext: &axum::http::Extensions) -> IpAddr {
    req_ext
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip())
}

/// Middleware: resolves the caller, admits the request against its budget, runs it,
/// and charges the time it took, less the time it spent queued behind others' writes
/// (`citymirror_trust::queued`). A credential that does not verify is charged in full.
pub async fn gate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if req.uri().path().starts_with("/assets/") {
        return next.run(req).await;
    }
    let started = Instant::now();
    let limiter = &state.security.limiter;
    let ip = client_ip(req.extensions());
    let resolved = resolve(req.method(), req.headers(), req.extensions(), &state).await;
    let key = match &resolved {
        Ok(p) => ClientKey::of(p, ip),
        // A credential that does not verify counts against its address.
        Err(_) => ClientKey::anonymous(ip),
    };
    if let Err(retry_after_s) = limiter.admit(&key, started) {
        return ApiError::RateLimited { retry_after_s }.into_response();
    }
    let (response, queued) = match resolved {
        Ok(principal) => {
            req.extensions_mut().insert(Caller(principal));
            citymirror_trust::queued::measure(next.run(req)).await
        }
        Err(e) => (e.into_response(), Duration::ZERO),
    };
    // Time spent waiting for other clients' writes is not this client's work.
    limiter.charge(&key, started.elapsed().saturating_sub(queued));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(rate: u32, burst: u32) -> Limiter {
        Limiter::new(RateLimitConfig {
            work_ms_per_s: rate,
            burst_ms: burst,
        })
    }

    #[test]
    fn a_client_spends_its_burst_then_waits_for_the_refill() {
        let l = limiter(100, 1000);
        let key = ClientKey::anonymous("10.0.0.1".parse().unwrap());
        let t0 = Instant::now();
        // Cheap requests: ten thousand of the minimum cost fill a second of burst.
        for _ in 0..9_990 {
            assert_eq!(l.admit(&key, t0), Ok(()));
            l.charge(&key, Duration::ZERO);
        }
        // One expensive answer takes the bucket into debt…
        assert_eq!(l.admit(&key, t0), Ok(()));
        l.charge(&key, Duration::from_millis(500));
        // …which is waited out at 100 ms of work per second.
        let wait = l.admit(&key, t0).unwrap_err();
        assert_eq!(wait, 5);
        assert!(l.admit(&key, t0 + Duration::from_secs(4)).is_err());
        assert_eq!(l.admit(&key, t0 + Duration::from_secs(6)), Ok(()));
    }

    #[test]
    fn clients_have_budgets_of_their_own_and_principals_a_larger_one() {
        let l = limiter(10, 10);
        let t0 = Instant::now();
        let a = ClientKey::anonymous("10.0.0.1".parse().unwrap());
        let b = ClientKey::anonymous("10.0.0.2".parse().unwrap());
        let p = ClientKey::Principal("token:1".into());
        for key in [&a, &p] {
            l.admit(key, t0).unwrap();
            l.charge(key, Duration::from_millis(10));
        }
        assert!(l.admit(&a, t0).is_err());
        assert_eq!(l.admit(&b, t0), Ok(()));
        assert_eq!(l.admit(&p, t0), Ok(()), "a principal's burst is 4×");
    }

    #[test]
    fn an_ipv6_host_is_one_client_whatever_address_of_its_prefix_it_uses() {
        let a = ClientKey::anonymous("2001:db8:1:2::1".parse().unwrap());
        let b = ClientKey::anonymous("2001:db8:1:2:ffff::9".parse().unwrap());
        let c = ClientKey::anonymous("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            ClientKey::anonymous("::ffff:10.0.0.1".parse().unwrap()),
            ClientKey::anonymous("10.0.0.1".parse().unwrap())
        );
    }

    #[test]
    fn budgets_off_admit_everything() {
        let l = Limiter::new(RateLimitConfig::OFF);
        let key = ClientKey::anonymous("10.0.0.1".parse().unwrap());
        l.charge(&key, Duration::from_secs(1000));
        assert_eq!(l.admit(&key, Instant::now()), Ok(()));
    }
}
