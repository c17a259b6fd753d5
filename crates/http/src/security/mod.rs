//! Who is calling, and what they may see: the HTTP side of `citymirror-trust`.
//!
//! - [`Caller`] resolves every request to a [`Principal`]: from an API token
//!   (`Authorization: Bearer cm_…`), from the session cookie (with the CSRF check on
//!   unsafe methods), or anonymous. Bad credentials are refused, never downgraded to
//!   anonymous, so a client with an expired token learns it at once.
//! - [`Org`] maps users' and tokens' units to jurisdictions.
//! - [`masking`] masks every property and record field above the reader's entitlement.
//! - [`throttle`] and [`rate_limit`] keep guessing and flooding out.

mod caches;
pub(crate) mod caller;
pub mod credentials;
pub mod masking;
mod org;
pub mod rate_limit;
pub mod request_limits;
pub mod response_headers;
pub mod sms;
pub mod streams;
pub(crate) mod throttle;
pub mod trail;

use std::sync::Arc;

use citymirror_trust::{
    audit::AuditLog,
    password::HashPool,
    verification::{CodeBook, SmsOutbox},
    TrustRepo,
};
use citymirror_twin::RecordRepo;

pub(crate) use caches::{SessionCache, TokenCache};
pub use caller::{Caller, LocalOperator};
pub use org::Org;
pub use rate_limit::RateLimitConfig;
pub(crate) use throttle::{AddressQuota, LoginThrottle};

/// Everything the trust side of the API needs, shared by all handlers.
#[derive(Clone)]
pub struct Security {
    pub repo: Arc<dyn TrustRepo>,
    pub records: Arc<dyn RecordRepo>,
    pub audit: AuditLog,
    pub org: Arc<Org>,
    pub(crate) tokens: Arc<TokenCache>,
    pub(crate) sessions: Arc<SessionCache>,
    pub(crate) throttle: Arc<LoginThrottle>,
    pub(crate) limiter: Arc<rate_limit::Limiter>,
    /// Every password hashed or checked goes through this bounded pool.
    pub(crate) hashing: HashPool,
    /// Sign-up codes sent and not yet used, where messages go, and how many code
    /// requests an address may make.
    pub(crate) codes: Arc<CodeBook>,
    pub(crate) sms: Arc<dyn SmsOutbox>,
    pub(crate) code_requests: Arc<AddressQuota>,
    /// Live streams open, per client and in all.
    pub(crate) streams: Arc<streams::StreamSlots>,
    /// Whether the session cookie carries `Secure` (turn off only for plain-HTTP
    /// deployments on a trusted network; browsers treat localhost as secure anyway).
    pub secure_cookies: bool,
}

impl Security {
    /// Loads the organisation tree and sets up the in-memory guards.
    pub async fn new(
        repo: Arc<dyn TrustRepo>,
        records: Arc<dyn RecordRepo>,
        audit: AuditLog,
        district: citymirror_core::GridCode,
        rate_limit: RateLimitConfig,
        secure_cookies: bool,
    ) -> Result<Security, citymirror_core::RepoError> {
        let org = Org::new(district, repo.units().await?);
        Ok(Security {
            repo,
            records,
            audit,
            org: Arc::new(org),
            tokens: Arc::new(TokenCache::default()),
            sessions: Arc::new(SessionCache::default()),
            throttle: Arc::new(LoginThrottle::default()),
            limiter: Arc::new(rate_limit::Limiter::new(rate_limit)),
            hashing: HashPool::for_this_machine(),
            codes: Arc::new(CodeBook::default()),
            sms: Arc::new(sms::LogOutbox),
            streams: Arc::new(streams::StreamSlots::default()),
            code_requests: Arc::new(AddressQuota::new(
                CODE_REQUESTS_PER_HOUR,
                std::time::Duration::from_secs(3600),
            )),
            secure_cookies,
        })
    }
}

/// How many sign-up codes one client address may ask for in an hour (a carrier's NAT
/// puts many phones behind one address, so this bounds floods, not people).
pub const CODE_REQUESTS_PER_HOUR: usize = 30;

impl Security {
    /// Sends text messages (sign-up codes) to `outbox` instead of the log.
    pub fn with_sms(mut self, outbox: Arc<dyn SmsOutbox>) -> Security {
        self.sms = outbox;
        self
    }

    /// Hashes passwords in `pool` (tests and benchmarks size it).
    pub fn with_hashing(mut self, pool: HashPool) -> Security {
        self.hashing = pool;
        self
    }
}

impl std::fmt::Debug for Security {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Security")
            .field("repo", &self.repo)
            .field("audit_size", &self.audit.size())
            .field("secure_cookies", &self.secure_cookies)
            .finish_non_exhaustive()
    }
}
