//! The running audit log: one appender task commits entries in groups and signs
//! checkpoints; readers get roots and proofs from the in-memory tree.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use citymirror_core::RepoError;
use tokio::sync::{mpsc, oneshot};

use super::appender::Appender;
use super::checkpoint::{self, Signer, Verifier, DEFAULT_ORIGIN};
use super::entry::{AuditEntry, NewEntry};
use super::merkle::{Hash, MerkleTree, ProofError};
use crate::{AuditRepo, AuditRow, StoredCheckpoint};

/// How the log batches and checkpoints.
#[derive(Debug, Clone)]
pub struct AuditConfig {
    /// How long at most an entry waits to be covered by a signed checkpoint. While
    /// entries keep coming, one checkpoint is signed per interval, not per entry.
    pub checkpoint_interval: Duration,
    /// The most entries committed in one transaction.
    pub max_batch: usize,
    /// The first line of every checkpoint, naming the log.
    pub origin: String,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            checkpoint_interval: Duration::from_secs(10),
            max_batch: 1024,
            origin: DEFAULT_ORIGIN.to_owned(),
        }
    }
}

/// Why the audit log could not do what was asked.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AuditError {
    /// The store failed; nothing of the failed request was acknowledged.
    #[error("the audit store failed: {0}")]
    Store(Arc<RepoError>),
    /// The appender task has stopped (the runtime is shutting down).
    #[error("the audit log has stopped")]
    Closed,
    #[error(transparent)]
    Proof(#[from] ProofError),
    /// The stored log does not add up; the log refuses to extend it.
    #[error("the stored audit log is inconsistent: {0}; run `citymirror audit verify`")]
    Inconsistent(String),
}

impl From<RepoError> for AuditError {
    fn from(e: RepoError) -> Self {
        AuditError::Store(Arc::new(e))
    }
}

/// A handle on the audit log; clones share one log. The appender task stops when the
/// last handle is dropped, after signing a checkpoint for what it committed.
#[derive(Debug, Clone)]
pub struct AuditLog {
    requests: mpsc::Sender<Request>,
    shared: Arc<Shared>,
}

#[derive(Debug)]
pub(super) struct Shared {
    pub(super) repo: Arc<dyn AuditRepo>,
    /// Committed entries only: the appender adds a batch after its transaction commits.
    pub(super) tree: RwLock<MerkleTree>,
    pub(super) latest: RwLock<Option<StoredCheckpoint>>,
    pub(super) verifier: Verifier,
    pub(super) origin: String,
}

#[derive(Debug)]
pub(super) enum Request {
    Append(NewEntry, oneshot::Sender<Result<u64, AuditError>>),
    Checkpoint(oneshot::Sender<Result<StoredCheckpoint, AuditError>>),
}

impl AuditLog {
    /// Rebuilds the tree from the stored leaf hashes and starts the appender. Refuses a
    /// store whose entries are not numbered `0..n`, whose last stored root is not the
    /// rebuilt tree's, or whose latest checkpoint is not a prefix of it. Signs a
    /// checkpoint at once if entries are not covered by one (after a crash).
    pub async fn open(
        repo: Arc<dyn AuditRepo>,
        signer: Signer,
        config: AuditConfig,
    ) -> Result<AuditLog, AuditError> {
        let mut tree = MerkleTree::new();
        for (i, (seq, leaf)) in repo.audit_leaf_hashes().await?.into_iter().enumerate() {
            let i = i as u64;
            if seq != i as i64 {
                return Err(AuditError::Inconsistent(if seq > i as i64 {
                    format!("entry {i} is missing")
                } else {
                    format!("entries out of order at {seq}")
                }));
            }
            let leaf = Hash::try_from(leaf).map_err(|_| {
                AuditError::Inconsistent(format!("entry {i} has no 32-byte leaf hash"))
            })?;
            tree.push(leaf);
        }
        let size = tree.len();
        let mut last_at = None;
        if let Some(last) = size.checked_sub(1) {
            let row = repo.audit_rows(last as i64, 1).await?.pop();
            let row = row.filter(|r| r.seq == last as i64).ok_or_else(|| {
                AuditError::Inconsistent(format!("entry {last} vanished while the log opened"))
            })?;
            if row.root_after != tree.root(size)? {
                return Err(AuditError::Inconsistent(format!(
                    "entry {last}: the stored root does not match the tree"
                )));
            }
            last_at = AuditEntry::parse(&row.entry).ok().map(|e| e.at);
        }

        let verifier = signer.verifier();
        let latest = repo.checkpoints().await?.into_iter().max_by_key(|c| c.size);
        if let Some(stored) = &latest {
            check_latest_checkpoint(stored, &tree, &verifier)?;
        }
        let shared = Arc::new(Shared {
            repo,
            tree: RwLock::new(tree),
            latest: RwLock::new(latest),
            verifier,
            origin: config.origin,
        });

        let max_batch = config.max_batch.max(1);
        let (requests, inbox) = mpsc::channel(2 * max_batch);
        let mut appender = Appender::new(
            shared.clone(),
            signer,
            config.checkpoint_interval,
            max_batch,
            last_at,
        );
        if appender.uncovered() {
            appender.checkpoint().await?;
        }
        tokio::spawn(appender.run(inbox));
        Ok(AuditLog { requests, shared })
    }

    /// Records an entry and returns its `seq` once it is committed to the store. The
    /// entry is masked first ([`NewEntry::masked`]): no identifier enters the log.
    pub async fn append(&self, entry: NewEntry) -> Result<u64, AuditError> {
        let asked = Instant::now();
        let (reply, answer) = oneshot::channel();
        self.requests
            .send(Request::Append(entry.masked(), reply))
            .await
            .map_err(|_| AuditError::Closed)?;
        let seq = answer.await.map_err(|_| AuditError::Closed)?;
        // The appender commits everyone's entries together; waiting for that batch is
        // not the caller's work (see `crate::queued`).
        crate::queued::add(asked.elapsed());
        seq
    }

    /// Records several entries, in order, and returns their `seq`s once they are
    /// committed. They are queued together, so they usually commit in one batch and
    /// their `seq`s follow each other (other writers may come between them).
    pub async fn append_all(&self, entries: Vec<NewEntry>) -> Result<Vec<u64>, AuditError> {
        let asked = Instant::now();
        let mut answers = Vec::with_capacity(entries.len());
        for entry in entries {
            let (reply, answer) = oneshot::channel();
            self.requests
                .send(Request::Append(entry.masked(), reply))
                .await
                .map_err(|_| AuditError::Closed)?;
            answers.push(answer);
        }
        let mut seqs = Vec::with_capacity(answers.len());
        for answer in answers {
            seqs.push(answer.await.map_err(|_| AuditError::Closed)??);
        }
        crate::queued::add(asked.elapsed());
        Ok(seqs)
    }

    /// Signs and stores a checkpoint for everything committed so far (or returns the
    /// latest, if nothing was committed since).
    pub async fn checkpoint_now(&self) -> Result<StoredCheckpoint, AuditError> {
        let (reply, answer) = oneshot::channel();
        self.requests
            .send(Request::Checkpoint(reply))
            .await
            .map_err(|_| AuditError::Closed)?;
        answer.await.map_err(|_| AuditError::Closed)?
    }

    /// How many entries are committed.
    pub fn size(&self) -> u64 {
        self.shared.tree.read().unwrap().len()
    }

    pub fn latest_checkpoint(&self) -> Option<StoredCheckpoint> {
        self.shared.latest.read().unwrap().clone()
    }

    /// The stored checkpoint for exactly `size` entries, if one was signed.
    pub async fn checkpoint_at(&self, size: u64) -> Result<Option<StoredCheckpoint>, AuditError> {
        if let Some(latest) = self.latest_checkpoint().filter(|c| c.size == size as i64) {
            return Ok(Some(latest));
        }
        let all = self.shared.repo.checkpoints().await?;
        Ok(all.into_iter().find(|c| c.size == size as i64))
    }

    /// The root hash of the first `size` entries.
    pub fn root(&self, size: u64) -> Result<Hash, AuditError> {
        Ok(self.shared.tree.read().unwrap().root(size)?)
    }

    /// The proof that entry `seq` is in the tree of the first `size` entries.
    pub fn inclusion_proof(&self, seq: u64, size: u64) -> Result<Vec<Hash>, AuditError> {
        Ok(self
            .shared
            .tree
            .read()
            .unwrap()
            .inclusion_proof(seq, size)?)
    }

    /// The proof that the tree of `old` entries is a prefix of the tree of `new`.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, AuditError> {
        Ok(self
            .shared
            .tree
            .read()
            .unwrap()
            .consistency_proof(old, new)?)
    }

    /// Stored entries from `from` on, at most `limit`.
    pub async fn entries(&self, from: u64, limit: u32) -> Result<Vec<AuditRow>, AuditError> {
        Ok(self.shared.repo.audit_rows(from as i64, limit).await?)
    }

    /// The key that checks this log's checkpoints, to publish.
    pub fn verifier(&self) -> &Verifier {
        &self.shared.verifier
    }

    pub fn origin(&self) -> &str {
        &self.shared.origin
    }
}

/// At start, the latest checkpoint must describe a prefix of the stored tree. A checkpoint
/// signed by another key (the key file was replaced) is only warned about: `audit
/// verify` reports it.
fn check_latest_checkpoint(
    stored: &StoredCheckpoint,
    tree: &MerkleTree,
    verifier: &Verifier,
) -> Result<(), AuditError> {
    let inconsistent = |why: String| AuditError::Inconsistent(why);
    let opened = checkpoint::open(&stored.note, verifier);
    if let Err(e) = &opened {
        tracing::warn!(size = stored.size, error = %e, "the latest audit checkpoint does not verify with the current key");
    }
    let cp = opened
        .or_else(|_| checkpoint::open_unverified(&stored.note))
        .map_err(|e| inconsistent(format!("the checkpoint at size {}: {e}", stored.size)))?;
    if cp.size != stored.size as u64 {
        return Err(inconsistent(format!(
            "the checkpoint stored at size {} is for size {}",
            stored.size, cp.size
        )));
    }
    if cp.size > tree.len() {
        return Err(inconsistent(format!(
            "entries from {} on are missing: the checkpoint at size {} covers them",
            tree.len(),
            cp.size
        )));
    }
    if tree.root(cp.size)? != cp.root {
        return Err(inconsistent(format!(
            "the entries do not match the checkpoint at size {}",
            cp.size
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use serde_json::json;

    use super::*;
    use crate::audit::memory::MemoryAuditRepo;
    use crate::audit::merkle::{leaf_hash, verify_consistency, verify_inclusion};

    fn signer() -> Signer {
        Signer::from_seed(DEFAULT_ORIGIN, [9; 32]).unwrap()
    }

    fn config() -> AuditConfig {
        AuditConfig {
            checkpoint_interval: Duration::from_secs(3600),
            ..AuditConfig::default()
        }
    }

    async fn open(repo: &Arc<MemoryAuditRepo>) -> Result<AuditLog, AuditError> {
        AuditLog::open(repo.clone(), signer(), config()).await
    }

    fn entry(i: usize) -> NewEntry {
        NewEntry {
            actor: format!("user:u{}", i % 7),
            action: "twin.update".into(),
            target: format!("buildings/{i}"),
            detail: json!({"i": i}),
        }
    }

    /// The tree recomputed from the stored rows alone.
    fn recomputed(repo: &MemoryAuditRepo) -> MerkleTree {
        let mut tree = MerkleTree::new();
        for row in repo.rows() {
            tree.push(leaf_hash(row.entry.as_bytes()));
        }
        tree
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_appenders_get_distinct_contiguous_seqs() {
        let repo = Arc::new(MemoryAuditRepo::new());
        let log = open(&repo).await.unwrap();
        let tasks: Vec<_> = (0..64)
            .map(|t| {
                let log = log.clone();
                tokio::spawn(async move {
                    let mut seqs = Vec::new();
                    for i in 0..100 {
                        seqs.push(log.append(entry(t * 100 + i)).await.unwrap());
                    }
                    seqs
                })
            })
            .collect();
        let mut seen = HashSet::new();
        for task in tasks {
            let seqs = task.await.unwrap();
            assert!(
                seqs.windows(2).all(|w| w[0] < w[1]),
                "one task's seqs ascend"
            );
            seen.extend(seqs);
        }
        assert_eq!(seen, (0..6400).collect::<HashSet<u64>>());
        assert_eq!(log.size(), 6400);

        let rows = repo.rows();
        let fresh = recomputed(&repo);
        assert_eq!(log.root(6400).unwrap(), fresh.root(6400).unwrap());
        for (i, row) in rows.iter().enumerate() {
            let entry = AuditEntry::parse(&row.entry).unwrap();
            assert_eq!((row.seq, entry.seq), (i as i64, i as u64));
            assert_eq!(row.leaf_hash, leaf_hash(row.entry.as_bytes()));
            assert_eq!(row.root_after, fresh.root(i as u64 + 1).unwrap());
        }
        assert!(rows.windows(2).all(|w| {
            AuditEntry::parse(&w[0].entry).unwrap().at <= AuditEntry::parse(&w[1].entry).unwrap().at
        }));
    }

    #[tokio::test]
    async fn waiting_for_the_batch_to_commit_counts_as_queued_not_as_work() {
        let repo = Arc::new(MemoryAuditRepo::new());
        let log = open(&repo).await.unwrap();
        let (seq, queued) = crate::queued::measure(log.append(entry(0))).await;
        assert_eq!(seq.unwrap(), 0);
        let (seqs, queued_all) =
            crate::queued::measure(log.append_all(vec![entry(1), entry(2)])).await;
        assert_eq!(seqs.unwrap(), [1, 2]);
        // The wait spans a hand-over to the appender task and back: never nothing.
        assert!(queued > Duration::ZERO && queued_all > Duration::ZERO);
    }

    #[tokio::test]
    async fn a_failed_commit_acknowledges_nothing_and_leaves_the_tree() {
        let repo = Arc::new(MemoryAuditRepo::new());
        let log = open(&repo).await.unwrap();
        for i in 0..3 {
            log.append(entry(i)).await.unwrap();
        }
        let root = log.root(3).unwrap();

        repo.fail_appends(true);
        let failed = futures_join(&log, 3..10).await;
        assert!(failed
            .iter()
            .all(|r| matches!(r, Err(AuditError::Store(_)))));
        assert_eq!(log.size(), 3);
        assert_eq!(log.root(3).unwrap(), root);
        assert!(log.root(4).is_err());
        assert_eq!(repo.rows().len(), 3);

        repo.fail_appends(false);
        assert_eq!(log.append(entry(10)).await.unwrap(), 3);
        assert_eq!(log.root(4).unwrap(), recomputed(&repo).root(4).unwrap());
    }

    #[tokio::test]
    async fn entries_stored_by_a_commit_reported_failed_are_taken_in() {
        // (See also `rows_appended_by_another_process_are_taken_in_before_retrying`.)
        let repo = Arc::new(MemoryAuditRepo::new());
        let log = open(&repo).await.unwrap();
        log.append(entry(0)).await.unwrap();
        // The commit goes through but its answer is lost: the appender finds its own rows
        // in the store and acknowledges them, without writing them twice.
        repo.lose_acknowledgements(true);
        assert_eq!(log.append(entry(1)).await.unwrap(), 1);
        repo.lose_acknowledgements(false);
        assert_eq!(log.append(entry(2)).await.unwrap(), 2);
        assert_eq!(log.size(), 3);
        assert_eq!(log.root(3).unwrap(), recomputed(&repo).root(3).unwrap());
    }

    #[tokio::test]
    async fn rows_appended_by_another_process_are_taken_in_before_retrying() {
        let repo = Arc::new(MemoryAuditRepo::new());
        let server = open(&repo).await.unwrap();
        server.append(entry(0)).await.unwrap();
        // A command-line tool opens the same store, appends, and exits.
        let cli = open(&repo).await.unwrap();
        assert_eq!(cli.append(entry(1)).await.unwrap(), 1);
        drop(cli);
        // The server's next append collides, takes entry 1 in, and lands at 2.
        assert_eq!(server.append(entry(2)).await.unwrap(), 2);
        assert_eq!(repo.rows().len(), 3);
        assert_eq!(server.root(3).unwrap(), recomputed(&repo).root(3).unwrap());
    }

    #[tokio::test]
    async fn no_identifier_enters_the_log_whoever_appends() {
        let repo = Arc::new(MemoryAuditRepo::new());
        let log = open(&repo).await.unwrap();
        let id = citymirror_core::ids::resident_id("440304", "19900101", 123);
        log.append(NewEntry {
            actor: "user:13800138000".into(),
            action: "session.login".into(),
            target: format!("persons/{id}"),
            detail: json!({ "username": "13912345678", "n": 13987654321u64, "13700001111": [id] }),
        })
        .await
        .unwrap();
        let stored = &repo.rows()[0].entry;
        for secret in [
            "13800138000",
            "13912345678",
            "13987654321",
            "13700001111",
            id.as_str(),
        ] {
            assert!(!stored.contains(secret), "{secret} in {stored}");
        }
        assert!(
            stored.contains("\"actor\":\"user:138****8000\""),
            "{stored}"
        );
        assert!(crate::pii::scan(stored).is_empty(), "{stored}");
    }

    /// Appends entries `range` concurrently and collects the answers.
    async fn futures_join(
        log: &AuditLog,
        range: std::ops::Range<usize>,
    ) -> Vec<Result<u64, AuditError>> {
        let tasks: Vec<_> = range
            .map(|i| {
                let log = log.clone();
                tokio::spawn(async move { log.append(entry(i)).await })
            })
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    }

    #[tokio::test]
    async fn an_earlier_checkpoint_verifies_against_a_later_one() {
        let repo = Arc::new(MemoryAuditRepo::new());
        let log = open(&repo).await.unwrap();
        for i in 0..13 {
            log.append(entry(i)).await.unwrap();
        }
        let early = log.checkpoint_now().await.unwrap();
        for i in 13..58 {
            log.append(entry(i)).await.unwrap();
        }
        let late = log.checkpoint_now().await.unwrap();
        assert_eq!((early.size, late.size), (13, 58));
        assert_eq!(log.latest_checkpoint(), Some(late.clone()));
        assert_eq!(log.checkpoint_at(13).await.unwrap(), Some(early.clone()));
        assert_eq!(log.checkpoint_at(14).await.unwrap(), None);

        // What a client does: check both signatures with the published key, then the
        // consistency proof between the two signed roots.
        let verifier = Verifier::from_vkey(&log.verifier().vkey()).unwrap();
        let old = checkpoint::open(&early.note, &verifier).unwrap();
        let new = checkpoint::open(&late.note, &verifier).unwrap();
        let proof = log.consistency_proof(old.size, new.size).unwrap();
        verify_consistency(&old.root, old.size, &new.root, new.size, &proof).unwrap();
        assert!(verify_consistency(&new.root, old.size, &old.root, new.size, &proof).is_err());

        // And an entry's inclusion in the tree a checkpoint signs.
        let row = &log.entries(5, 1).await.unwrap()[0];
        let proof = log.inclusion_proof(5, old.size).unwrap();
        verify_inclusion(&old.root, old.size, row.entry.as_bytes(), 5, &proof).unwrap();

        assert!(log.consistency_proof(0, 5).is_err());
        assert!(log.consistency_proof(5, 59).is_err());
        assert!(log.inclusion_proof(58, 58).is_err());
        assert!(log.root(59).is_err());
    }

    #[tokio::test]
    async fn checkpoints_follow_commits_at_the_interval() {
        let repo = Arc::new(MemoryAuditRepo::new());
        let config = AuditConfig {
            checkpoint_interval: Duration::from_millis(50),
            ..AuditConfig::default()
        };
        let log = AuditLog::open(repo.clone(), signer(), config)
            .await
            .unwrap();
        assert_eq!(log.latest_checkpoint(), None);
        log.append(entry(0)).await.unwrap();
        // The first commit is covered at once, the next within the interval.
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert_eq!(log.latest_checkpoint().map(|c| c.size), Some(1));
        log.append(entry(1)).await.unwrap();
        log.append(entry(2)).await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(log.latest_checkpoint().map(|c| c.size), Some(3));
        let sizes: Vec<_> = repo.stored_checkpoints().iter().map(|c| c.size).collect();
        assert_eq!(sizes, [1, 3]);
    }

    #[tokio::test]
    async fn reopening_rebuilds_the_tree_and_covers_the_tail() {
        let repo = Arc::new(MemoryAuditRepo::new());
        let log = open(&repo).await.unwrap();
        for i in 0..20 {
            log.append(entry(i)).await.unwrap();
        }
        log.checkpoint_now().await.unwrap();
        for i in 20..25 {
            log.append(entry(i)).await.unwrap();
        }
        let root = log.root(25).unwrap();
        // A crash: the appender never signs for the last five.
        let rows = repo.rows();
        let checkpoints = repo.stored_checkpoints();
        drop(log);

        let repo = Arc::new(MemoryAuditRepo::with_contents(rows, checkpoints));
        let log = open(&repo).await.unwrap();
        assert_eq!(log.size(), 25);
        assert_eq!(log.root(25).unwrap(), root);
        assert_eq!(log.latest_checkpoint().map(|c| c.size), Some(25));
        assert_eq!(log.append(entry(25)).await.unwrap(), 25);
    }

    #[tokio::test]
    async fn a_store_with_missing_or_rewritten_entries_is_refused() {
        let repo = Arc::new(MemoryAuditRepo::new());
        let log = open(&repo).await.unwrap();
        for i in 0..10 {
            log.append(entry(i)).await.unwrap();
        }
        log.checkpoint_now().await.unwrap();
        let (rows, checkpoints) = (repo.rows(), repo.stored_checkpoints());

        let check = |rows: Vec<AuditRow>, expected: &'static str| {
            let checkpoints = checkpoints.clone();
            async move {
                let repo = Arc::new(MemoryAuditRepo::with_contents(rows, checkpoints));
                match open(&repo).await {
                    Err(AuditError::Inconsistent(why)) => assert_eq!(why, expected),
                    other => panic!("expected {expected:?}, got {other:?}"),
                }
            }
        };
        let mut gap = rows.clone();
        gap.remove(4);
        check(gap, "entry 4 is missing").await;
        let mut short = rows.clone();
        short.pop();
        check(
            short,
            "entries from 9 on are missing: the checkpoint at size 10 covers them",
        )
        .await;
        let mut rewritten = rows.clone();
        rewritten[3].leaf_hash = leaf_hash(b"something else").to_vec();
        check(
            rewritten,
            "entry 9: the stored root does not match the tree",
        )
        .await;
    }
}
