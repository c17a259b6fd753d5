//! Where trust keeps its state. Implemented for SQLite and PostgreSQL in
//! `citymirror-store`, like the twin's repositories; every `Ok` is committed.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use citymirror_core::RepoError;

use crate::{ApiToken, NewToken, NewUser, Session, Unit, User};

/// Units, users, tokens and sessions.
#[async_trait]
pub trait TrustRepo: Send + Sync + std::fmt::Debug {
    /// Inserts units, or updates those whose id exists, in one transaction.
    async fn put_units(&self, units: &[Unit]) -> Result<(), RepoError>;
    /// Every unit (a district has about 1,100).
    async fn units(&self) -> Result<Vec<Unit>, RepoError>;

    /// Creates accounts in one transaction; [`RepoError::Conflict`] if a user name is
    /// taken (and then none is created). Returns their ids in order.
    async fn insert_users(&self, users: &[NewUser]) -> Result<Vec<i64>, RepoError>;
    async fn user(&self, id: i64) -> Result<Option<User>, RepoError>;
    async fn user_by_name(&self, username: &str) -> Result<Option<User>, RepoError>;
    /// Accounts ordered by id, after `after_id`, at most `limit`.
    async fn users(&self, after_id: i64, limit: u32) -> Result<Vec<User>, RepoError>;
    async fn count_users(&self) -> Result<u64, RepoError>;
    /// Sets (or clears) a password hash; `false` if there is no such user.
    async fn set_password(&self, user_id: i64, hash: Option<&str>) -> Result<bool, RepoError>;

    async fn insert_token(&self, token: &NewToken) -> Result<i64, RepoError>;
    async fn token(&self, id: i64) -> Result<Option<ApiToken>, RepoError>;
    /// Every token, newest first.
    async fn tokens(&self) -> Result<Vec<ApiToken>, RepoError>;
    /// Marks a token revoked at `at`; `false` if there is no such live token.
    async fn revoke_token(&self, id: i64, at: DateTime<Utc>) -> Result<bool, RepoError>;

    async fn insert_session(&self, session: &Session) -> Result<(), RepoError>;
    async fn session(&self, digest: &[u8]) -> Result<Option<Session>, RepoError>;
    async fn delete_session(&self, digest: &[u8]) -> Result<(), RepoError>;
    /// Removes sessions that expired before `now`; returns how many.
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64, RepoError>;
}

/// One stored audit entry. `seq` is its 0-based index in the Merkle log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub seq: i64,
    /// The entry's canonical bytes (UTF-8 JSON): exactly the RFC 6962 leaf data.
    pub entry: String,
    /// `SHA-256(0x00 || entry)`, the leaf hash.
    pub leaf_hash: Vec<u8>,
    /// The tree's root hash after this entry was appended.
    pub root_after: Vec<u8>,
}

/// A signed checkpoint as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    pub size: i64,
    /// The signed note text (C2SP tlog-checkpoint + signed-note).
    pub note: String,
    pub created_at: DateTime<Utc>,
}

/// The append-only audit log's storage. Nothing here updates or deletes a row.
#[async_trait]
pub trait AuditRepo: Send + Sync + std::fmt::Debug {
    /// Appends rows (consecutive `seq`s following the last stored) in one transaction.
    async fn append_audit(&self, rows: &[AuditRow]) -> Result<(), RepoError>;
    /// Rows with `seq >= from`, in `seq` order, at most `limit`.
    async fn audit_rows(&self, from: i64, limit: u32) -> Result<Vec<AuditRow>, RepoError>;
    /// Every stored leaf hash in `seq` order, with its seq (to rebuild the tree at start).
    async fn audit_leaf_hashes(&self) -> Result<Vec<(i64, Vec<u8>)>, RepoError>;
    async fn put_checkpoint(&self, checkpoint: &StoredCheckpoint) -> Result<(), RepoError>;
    /// Every checkpoint, by size.
    async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, RepoError>;
}
