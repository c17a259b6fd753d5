//! `citymirror-trust`: who may see and do what, and the proof of what was done.
//!
//! - **Roles, units, jurisdictions** ([`Role`], [`Unit`], [`Principal`]): a role grants
//!   [`Action`]s (the permission matrix is [`Role::grants`]); a unit's jurisdiction, a
//!   grid-code prefix, limits where they apply. [`Principal::authorize`] is the one check
//!   every endpoint makes.
//! - **Credentials**: Argon2id passwords ([`password`]), API tokens ([`token`]) and
//!   browser sessions with CSRF tokens ([`session`]), secrets stored only as digests.
//! - **Graded data** (GB/T 43697): each role's [`Role::entitlement`] is the highest grade
//!   it reads unmasked; everything above is masked ([`mask`]), including identifiers
//!   that [`pii`] finds in free text.
//! - **Audit log** ([`audit`]): every state change and every read of level-3+ data is an
//!   entry in an append-only RFC 6962 Merkle log with Ed25519-signed checkpoints, so
//!   no entry is altered, removed or reordered unseen.
//!
//! This crate does no HTTP and no SQL: storage is reached through [`TrustRepo`] and
//! [`AuditRepo`], implemented in `citymirror-store`.

mod action;
pub mod audit;
pub mod mask;
mod org;
pub mod password;
pub mod pii;
mod principal;
pub mod queued;
mod repo;
mod role;
pub mod secret;
pub mod session;
pub mod token;
mod user;
pub mod verification;

pub use action::{Action, ANONYMOUS_ENTITLEMENT};
pub use org::{Unit, UnitKind};
pub use principal::{Actor, Denied, Jurisdiction, Principal, Target};
pub use repo::{AuditRepo, AuditRow, StoredCheckpoint, TrustRepo};
pub use role::{Role, Scope, UnknownRole};
pub use session::Session;
pub use token::{ApiToken, MintRefused, NewToken};
pub use user::{NewUser, User};
