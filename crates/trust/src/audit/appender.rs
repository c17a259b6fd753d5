//! The audit log's one writer: a task that drains appends in groups, commits each group
//! in one transaction (group commit), advances the shared tree only after the commit,
//! answers the waiters, and signs checkpoints at the configured interval.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::checkpoint::{Checkpoint, Signer};
use super::entry::{AuditEntry, NewEntry};
use super::log::{AuditError, Request, Shared};
use super::merkle::{leaf_hash, Frontier, Hash};
use crate::{AuditRow, StoredCheckpoint};

type PendingAppend = (NewEntry, oneshot::Sender<Result<u64, AuditError>>);

/// How many times a batch is re-based on rows another process appended first before
/// its waiters are told the commit failed.
const MAX_RETRIES: u32 = 8;

/// The one writer. Owning the frontier lets it compute each entry's `root_after` before
/// the batch commits, without touching the shared tree readers use.
pub(super) struct Appender {
    shared: Arc<Shared>,
    signer: Signer,
    interval: Duration,
    max_batch: usize,
    /// The committed tree's right edge.
    frontier: Frontier,
    /// The latest entry's time: entries' times never go backwards, even if the clock does.
    last_at: Option<DateTime<Utc>>,
    /// When a checkpoint was last signed or attempted.
    last_attempt: Option<Instant>,
    /// A commit failed, so the store may hold rows the tree lacks (the transaction may
    /// have committed and only its acknowledgement been lost).
    unsure: bool,
}

impl Appender {
    pub(super) fn new(
        shared: Arc<Shared>,
        signer: Signer,
        interval: Duration,
        max_batch: usize,
        last_at: Option<DateTime<Utc>>,
    ) -> Appender {
        let frontier = shared.tree.read().unwrap().frontier();
        Appender {
            shared,
            signer,
            interval,
            max_batch,
            frontier,
            last_at,
            last_attempt: None,
            unsure: false,
        }
    }

    pub(super) async fn run(mut self, mut inbox: mpsc::Receiver<Request>) {
        let mut appends: Vec<PendingAppend> = Vec::with_capacity(self.max_batch);
        let mut checkpoint_waiters = Vec::new();
        loop {
            let deadline = self.checkpoint_deadline();
            let request = tokio::select! {
                biased;
                request = inbox.recv() => request,
                () = tokio::time::sleep_until(deadline.unwrap_or_else(Instant::now)),
                    if deadline.is_some() =>
                {
                    if let Err(e) = self.checkpoint().await {
                        tracing::warn!(error = %e, "could not store an audit checkpoint");
                    }
                    continue;
                }
            };
            let Some(mut request) = request else { break };
            loop {
                match request {
                    Request::Append(entry, reply) => appends.push((entry, reply)),
                    Request::Checkpoint(reply) => checkpoint_waiters.push(reply),
                }
                if appends.len() >= self.max_batch {
                    break;
                }
                match inbox.try_recv() {
                    Ok(next) => request = next,
                    Err(_) => break,
                }
            }
            if !appends.is_empty() {
                self.commit(std::mem::take(&mut appends)).await;
            }
            let due = self
                .checkpoint_deadline()
                .is_some_and(|d| d <= Instant::now());
            if due || !checkpoint_waiters.is_empty() {
                let result = self.checkpoint().await;
                if let (Err(e), true) = (&result, checkpoint_waiters.is_empty()) {
                    tracing::warn!(error = %e, "could not store an audit checkpoint");
                }
                for waiter in checkpoint_waiters.drain(..) {
                    let _ = waiter.send(result.clone());
                }
            }
        }
        if self.uncovered() {
            if let Err(e) = self.checkpoint().await {
                tracing::warn!(error = %e, "could not store the last audit checkpoint");
            }
        }
    }

    /// Commits a batch in one transaction, then answers every waiter: all with their
    /// `seq`, or all with the error (and then the tree stays as it was).
    async fn commit(&mut self, batch: Vec<PendingAppend>) {
        if self.unsure {
            match self.catch_up().await {
                Ok(0) => {}
                Ok(n) => tracing::warn!(
                    entries = n,
                    "audit entries whose commit was reported failed are stored after all"
                ),
                Err(e) => {
                    tracing::error!(error = %e, "the audit store is not back yet");
                    for (_, reply) in batch {
                        let _ = reply.send(Err(e.clone()));
                    }
                    return;
                }
            }
        }
        let (entries, replies): (Vec<NewEntry>, Vec<_>) = batch.into_iter().unzip();
        // Another process may have appended since: a failed commit that turns out to be
        // behind the store takes those rows in and tries again, a few times at most.
        let mut retries = 0;
        loop {
            let now = Utc::now()
                .duration_trunc(TimeDelta::milliseconds(1))
                .expect("the current time truncates to milliseconds");
            let at = self.last_at.map_or(now, |last| last.max(now));
            let mut frontier = self.frontier.clone();
            let mut rows = Vec::with_capacity(entries.len());
            for entry in &entries {
                let seq = frontier.size();
                let entry = AuditEntry {
                    seq,
                    at,
                    actor: entry.actor.clone(),
                    action: entry.action.clone(),
                    target: entry.target.clone(),
                    detail: entry.detail.clone(),
                }
                .canonical();
                let leaf = leaf_hash(entry.as_bytes());
                frontier.push(leaf);
                rows.push(AuditRow {
                    seq: seq as i64,
                    entry,
                    leaf_hash: leaf.to_vec(),
                    root_after: frontier.root().to_vec(),
                });
            }
            match self.shared.repo.append_audit(&rows).await {
                Ok(()) => {
                    let mut tree = self.shared.tree.write().unwrap();
                    for row in &rows {
                        tree.push(Hash::try_from(row.leaf_hash.as_slice()).expect("32 bytes"));
                    }
                    drop(tree);
                    self.frontier = frontier;
                    self.last_at = Some(at);
                    for (row, reply) in rows.iter().zip(replies) {
                        let _ = reply.send(Ok(row.seq as u64));
                    }
                    return;
                }
                Err(e) => {
                    let before = self.frontier.size();
                    if retries < MAX_RETRIES
                        && self.catch_up().await.is_ok()
                        && self.frontier.size() > before
                    {
                        // Our own rows, committed after all with only the answer lost?
                        let stored = self
                            .shared
                            .repo
                            .audit_rows(before as i64, rows.len() as u32)
                            .await
                            .unwrap_or_default();
                        if stored == rows {
                            tracing::warn!(
                                entries = rows.len(),
                                "audit entries whose commit was reported failed are stored after all"
                            );
                            self.last_at = Some(at);
                            for (row, reply) in rows.iter().zip(replies) {
                                let _ = reply.send(Ok(row.seq as u64));
                            }
                            return;
                        }
                        // Not ours: another process (a second server on the same
                        // database) appended first. Extend after its entries.
                        tracing::debug!(
                            entries = self.frontier.size() - before,
                            "took in audit entries another process appended"
                        );
                        retries += 1;
                        continue;
                    }
                    tracing::error!(error = %e, entries = rows.len(), "could not commit audit entries");
                    self.unsure = true;
                    let e = AuditError::from(e);
                    for reply in replies {
                        let _ = reply.send(Err(e.clone()));
                    }
                    return;
                }
            }
        }
    }

    /// After a failed commit: takes into the tree any rows the store holds beyond it
    /// (their transaction committed after all, or another process appended them),
    /// checking that they extend it. Returns how many it took in.
    async fn catch_up(&mut self) -> Result<u64, AuditError> {
        let start = self.frontier.size();
        loop {
            let from = self.frontier.size();
            let rows = self.shared.repo.audit_rows(from as i64, 1024).await?;
            if rows.is_empty() {
                break;
            }
            let mut frontier = self.frontier.clone();
            let mut leaves = Vec::with_capacity(rows.len());
            for row in &rows {
                let seq = frontier.size();
                let leaf = leaf_hash(row.entry.as_bytes());
                frontier.push(leaf);
                if row.seq != seq as i64
                    || row.leaf_hash != leaf
                    || row.root_after != frontier.root()
                {
                    return Err(AuditError::Inconsistent(format!(
                        "entry {seq}, stored by a commit reported failed, does not extend the tree"
                    )));
                }
                leaves.push(leaf);
            }
            self.last_at = rows
                .last()
                .and_then(|r| AuditEntry::parse(&r.entry).ok())
                .map(|e| e.at)
                .or(self.last_at);
            let mut tree = self.shared.tree.write().unwrap();
            for leaf in leaves {
                tree.push(leaf);
            }
            drop(tree);
            self.frontier = frontier;
        }
        self.unsure = false;
        Ok(self.frontier.size() - start)
    }

    /// Whether committed entries are not yet covered by the latest checkpoint.
    pub(super) fn uncovered(&self) -> bool {
        let latest = self.shared.latest.read().unwrap();
        self.frontier.size() > latest.as_ref().map_or(0, |c| c.size as u64)
    }

    /// When the next checkpoint is due, if entries await one.
    fn checkpoint_deadline(&self) -> Option<Instant> {
        self.uncovered().then(|| {
            self.last_attempt
                .map_or_else(Instant::now, |t| t + self.interval)
        })
    }

    pub(super) async fn checkpoint(&mut self) -> Result<StoredCheckpoint, AuditError> {
        let size = self.frontier.size();
        if let Some(latest) = self.shared.latest.read().unwrap().clone() {
            if latest.size as u64 == size {
                return Ok(latest);
            }
        }
        self.last_attempt = Some(Instant::now());
        let note = self.signer.sign(&Checkpoint {
            origin: self.shared.origin.clone(),
            size,
            root: self.frontier.root(),
        });
        let stored = StoredCheckpoint {
            size: size as i64,
            note,
            created_at: Utc::now(),
        };
        self.shared.repo.put_checkpoint(&stored).await?;
        *self.shared.latest.write().unwrap() = Some(stored.clone());
        Ok(stored)
    }
}
