//! SIP digest authentication as GB/T 28181 uses it for REGISTER (RFC 3261 §22, which takes
//! RFC 2617's digest; SHA-256 per RFC 7616, which GB/T 28181-2022 admits beside MD5).
//!
//! ```text
//!  device ── REGISTER ─────────────────────────────► platform
//!         ◄── 401 WWW-Authenticate: Challenge ───────  (NonceBook::issue)
//!         ── REGISTER Authorization: Credentials ──►  Credentials::parse
//!                                                      authenticate: realm, response, nonce
//!         ◄── 200 OK  |  401 (stale=TRUE: new nonce)  |  403
//! ```
//!
//! The response is `H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)` with `qop=auth`, or
//! `H(HA1 ":" nonce ":" HA2)` without qop (RFC 2069, which many cameras still send even when
//! offered qop), where `HA1 = H(username ":" realm ":" password)` (for `-sess` algorithms,
//! `H(HA1 ":" nonce ":" cnonce)`) and `HA2 = H(method ":" digest-uri)`. `auth-int` is not
//! supported: no GB/T 28181 device uses it, and it would need the body here.
//!
//! Nonces are remembered by a [`NonceBook`]: unknown nonces are refused, expired ones are
//! reported as stale (the device retries with the new nonce without asking its user), and a
//! nonce count that does not increase is a replay.

mod authenticate;
mod credentials;
mod nonce;

pub use authenticate::{authenticate, AuthError};
pub use credentials::{Algorithm, Challenge, Credentials, DigestError, Qop, MAX_HEADER_LEN};
pub use nonce::{NonceBook, NonceError, NoncePolicy};
