//! Browser sessions: an opaque cookie (stored as its digest) and a CSRF token that
//! every state-changing request made with the cookie must echo in a header.

use chrono::{DateTime, Utc};

/// A signed-in browser session as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the cookie value.
    pub digest: Vec<u8>,
    pub user_id: i64,
    /// Sent to the page on sign-in and on `GET /api/v1/session`; required in
    /// `X-CSRF-Token` on every unsafe method authenticated by the cookie.
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// The session cookie's name. The `__Host-` prefix would pin it to a secure origin
/// and root path, which breaks plain-HTTP local deployments; attributes do that job.
pub const COOKIE: &str = "cm_session";
/// The header that carries the CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// How long a session lives without a new sign-in.
pub const LIFETIME: chrono::TimeDelta = chrono::TimeDelta::hours(12);
