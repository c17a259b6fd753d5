//! An [`AuditRepo`] in memory, for tests and benchmarks. Not durable: the real ones are
//! in `citymirror-store`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use citymirror_core::RepoError;

use crate::{AuditRepo, AuditRow, StoredCheckpoint};

#[derive(Debug, Default)]
pub struct MemoryAuditRepo {
    state: Mutex<State>,
    /// How long each append takes, to stand in for a commit's fsync.
    commit_latency: Duration,
    fail_appends: AtomicBool,
    lose_acks: AtomicBool,
}

#[derive(Debug, Default)]
struct State {
    rows: Vec<AuditRow>,
    checkpoints: Vec<StoredCheckpoint>,
}

impl MemoryAuditRepo {
    pub fn new() -> Self {
        MemoryAuditRepo::default()
    }

    /// A store whose every append takes `latency`, as a commit to disk would.
    pub fn with_commit_latency(latency: Duration) -> Self {
        MemoryAuditRepo {
            commit_latency: latency,
            ..MemoryAuditRepo::default()
        }
    }

    /// A store holding these rows and checkpoints, as they are (tampered or not).
    pub fn with_contents(rows: Vec<AuditRow>, checkpoints: Vec<StoredCheckpoint>) -> Self {
        MemoryAuditRepo {
            state: Mutex::new(State { rows, checkpoints }),
            ..MemoryAuditRepo::default()
        }
    }

    /// While set, appends fail and store nothing.
    pub fn fail_appends(&self, fail: bool) {
        self.fail_appends.store(fail, Ordering::SeqCst);
    }

    /// While set, appends store their rows but report a failure, as when the connection
    /// drops after the database committed.
    pub fn lose_acknowledgements(&self, lose: bool) {
        self.lose_acks.store(lose, Ordering::SeqCst);
    }

    /// Every stored row.
    pub fn rows(&self) -> Vec<AuditRow> {
        self.state.lock().unwrap().rows.clone()
    }

    /// Every stored checkpoint.
    pub fn stored_checkpoints(&self) -> Vec<StoredCheckpoint> {
        self.state.lock().unwrap().checkpoints.clone()
    }
}

#[async_trait]
impl AuditRepo for MemoryAuditRepo {
    async fn append_audit(&self, rows: &[AuditRow]) -> Result<(), RepoError> {
        if !self.commit_latency.is_zero() {
            tokio::time::sleep(self.commit_latency).await;
        }
        if self.fail_appends.load(Ordering::SeqCst) {
            return Err(RepoError::Backend("the disk is full".into()));
        }
        let mut state = self.state.lock().unwrap();
        let next = state.rows.len() as i64;
        if let Some(bad) = rows.iter().zip(next..).find(|(row, seq)| row.seq != *seq) {
            return Err(RepoError::Conflict(format!("audit entry {}", bad.0.seq)));
        }
        state.rows.extend_from_slice(rows);
        if self.lose_acks.load(Ordering::SeqCst) {
            return Err(RepoError::Backend("connection reset".into()));
        }
        Ok(())
    }

    async fn audit_rows(&self, from: i64, limit: u32) -> Result<Vec<AuditRow>, RepoError> {
        let state = self.state.lock().unwrap();
        Ok(state
            .rows
            .iter()
            .filter(|r| r.seq >= from)
            .take(limit as usize)
            .cloned()
            .collect())
    }

    async fn audit_leaf_hashes(&self) -> Result<Vec<(i64, Vec<u8>)>, RepoError> {
        let state = self.state.lock().unwrap();
        Ok(state
            .rows
            .iter()
            .map(|r| (r.seq, r.leaf_hash.clone()))
            .collect())
    }

    async fn put_checkpoint(&self, checkpoint: &StoredCheckpoint) -> Result<(), RepoError> {
        let mut state = self.state.lock().unwrap();
        state.checkpoints.retain(|c| c.size != checkpoint.size);
        state.checkpoints.push(checkpoint.clone());
        state.checkpoints.sort_by_key(|c| c.size);
        Ok(())
    }

    async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, RepoError> {
        Ok(self.state.lock().unwrap().checkpoints.clone())
    }
}
