//! `audit verify`: recompute the whole log from its stored rows and say what does not
//! add up, naming the entry.
//!
//! Each row is checked on its own (its content against its leaf hash, the `seq` inside
//! its content against its position), then the tree is recomputed, with a [`Frontier`],
//! in constant memory, and compared with every row's stored root and every signed
//! checkpoint. What each tampering shows as:
//!
//! | tampering with one row                    | reported as                                   |
//! |-------------------------------------------|-----------------------------------------------|
//! | content changed                           | entry N was altered                           |
//! | content and leaf hash changed             | entry N: the stored root does not match       |
//! | content, leaf hash and root changed       | entry N+1: the stored root does not match (entry N, or N+1, was altered); for the last entry, the checkpoint covering it |
//! | row deleted                               | entry N is missing                            |
//! | last row deleted                          | entries from N on are missing, if a checkpoint covers it |
//! | two rows swapped                          | entry N holds the content of entry M          |
//!
//! The stored rows alone cannot tell an altered entry N whose root was rewritten
//! consistently from an altered entry N+1: the roots after both commit to content that
//! is no longer there. Signed checkpoints narrow it down to the entries between two of
//! them; the tail after the last checkpoint is only as safe as the checkpoint interval.

use std::collections::VecDeque;
use std::fmt;

use serde::Deserialize;

use super::checkpoint::{self, Verifier};
use super::merkle::{empty_root, leaf_hash, Frontier, Hash};
use crate::{AuditRow, StoredCheckpoint};

/// One thing wrong with the stored log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The entry it is about, when it is about one.
    pub seq: Option<u64>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// What `audit verify` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// Rows read.
    pub entries: u64,
    /// Checkpoints read.
    pub checkpoints: u64,
    /// In the order found; empty if the log is intact.
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Verifies a whole log: `rows` in `seq` order, and every stored checkpoint.
pub fn verify(
    rows: impl IntoIterator<Item = AuditRow>,
    checkpoints: &[StoredCheckpoint],
    verifier: &Verifier,
) -> VerifyReport {
    let mut check = LogCheck::new(checkpoints, verifier);
    for row in rows {
        check.row(&row);
    }
    check.finish()
}

/// [`verify`] one row at a time, for a caller that pages rows from a store.
#[derive(Debug)]
pub struct LogCheck {
    report: VerifyReport,
    frontier: Frontier,
    /// The `seq` the next row should have.
    next: u64,
    /// Set once a row is missing or repeated: the recomputed tree then no longer lines
    /// up with the seqs, so later roots cannot match and are not reported.
    misaligned: bool,
    /// Entries whose stored roots do not match, reported as one run: its first and
    /// last entry, and where its problem is in the report (worded once the run ends).
    bad_roots: Option<(u64, u64, usize)>,
    /// Signed checkpoints not yet reached, by size.
    ahead: VecDeque<(u64, Hash)>,
    /// The largest checkpoint size whose root matched.
    last_good: u64,
}

#[derive(Deserialize)]
struct SeqOnly {
    seq: u64,
}

impl LogCheck {
    pub fn new(checkpoints: &[StoredCheckpoint], verifier: &Verifier) -> LogCheck {
        let mut report = VerifyReport {
            checkpoints: checkpoints.len() as u64,
            ..VerifyReport::default()
        };
        let mut ahead = Vec::new();
        for stored in checkpoints {
            match checkpoint::open(&stored.note, verifier) {
                Ok(cp) if cp.size as i64 != stored.size => report.problems.push(Problem {
                    seq: None,
                    message: format!(
                        "the checkpoint stored at size {} is signed for size {}",
                        stored.size, cp.size
                    ),
                }),
                Ok(cp) => ahead.push((cp.size, cp.root)),
                Err(e) => report.problems.push(Problem {
                    seq: None,
                    message: format!("the checkpoint at size {}: {e}", stored.size),
                }),
            }
        }
        ahead.sort_by_key(|(size, _)| *size);
        let mut check = LogCheck {
            report,
            frontier: Frontier::new(),
            next: 0,
            misaligned: false,
            bad_roots: None,
            ahead: ahead.into(),
            last_good: 0,
        };
        check.reach_checkpoints();
        check
    }

    pub fn row(&mut self, row: &AuditRow) {
        self.report.entries += 1;
        let Ok(seq) = u64::try_from(row.seq) else {
            self.problem(None, format!("a row has the negative seq {}", row.seq));
            return;
        };
        if seq > self.next {
            let message = if seq == self.next + 1 {
                format!("entry {} is missing", self.next)
            } else {
                format!("entries {} to {} are missing", self.next, seq - 1)
            };
            self.problem(Some(self.next), message);
            self.misalign();
        } else if seq < self.next {
            self.problem(Some(seq), format!("entries out of order at {seq}"));
            self.misalign();
        }
        self.next = self.next.max(seq + 1);

        let leaf = leaf_hash(row.entry.as_bytes());
        match serde_json::from_str::<SeqOnly>(&row.entry) {
            Err(e) => self.problem(
                Some(seq),
                format!("entry {seq} is not a valid audit entry: {e}"),
            ),
            Ok(inner) if inner.seq != seq => self.problem(
                Some(seq),
                format!("entry {seq} holds the content of entry {}", inner.seq),
            ),
            Ok(_) if row.leaf_hash != leaf => self.problem(
                Some(seq),
                format!("entry {seq} was altered: its content does not match its leaf hash"),
            ),
            Ok(_) => {}
        }

        self.frontier.push(leaf);
        if !self.misaligned {
            if row.root_after == self.frontier.root() {
                self.close_bad_roots();
            } else if let Some((_, last, _)) = &mut self.bad_roots {
                *last = seq;
            } else {
                self.problem(Some(seq), String::new());
                self.bad_roots = Some((seq, seq, self.report.problems.len() - 1));
            }
        }
        self.reach_checkpoints();
    }

    pub fn finish(mut self) -> VerifyReport {
        self.close_bad_roots();
        if let Some(&(size, _)) = self.ahead.back() {
            self.problem(
                Some(self.next),
                format!(
                    "entries from {} on are missing: the checkpoint at size {size} covers them",
                    self.next
                ),
            );
        }
        self.report
    }

    /// Compares the checkpoints the rows have now reached with the recomputed root.
    fn reach_checkpoints(&mut self) {
        while let Some(&(size, root)) = self.ahead.front().filter(|(s, _)| *s <= self.next) {
            self.ahead.pop_front();
            if self.misaligned {
                continue;
            }
            let recomputed = if size == 0 {
                empty_root()
            } else {
                self.frontier.root()
            };
            if root == recomputed {
                self.last_good = size;
            } else {
                let message = format!(
                    "the checkpoint at size {size} does not match the entries: one from {} to {} was altered",
                    self.last_good,
                    size - 1
                );
                self.problem(None, message);
            }
        }
    }

    fn close_bad_roots(&mut self) {
        let Some((first, last, at)) = self.bad_roots.take() else {
            return;
        };
        let mut message = if first == last {
            format!("entry {first}: the stored root does not match the entries up to it")
        } else {
            format!(
                "entries {first} to {last}: the stored roots do not match the entries up to them"
            )
        };
        if first > 0 {
            message += &format!(
                " (entry {first} was altered, or entry {} together with its stored root)",
                first - 1
            );
        }
        self.report.problems[at].message = message;
    }

    fn misalign(&mut self) {
        self.close_bad_roots();
        self.misaligned = true;
    }

    fn problem(&mut self, seq: Option<u64>, message: String) {
        self.report.problems.push(Problem { seq, message });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::audit::checkpoint::{Signer, DEFAULT_ORIGIN};
    use crate::audit::entry::NewEntry;
    use crate::audit::log::{AuditConfig, AuditLog};
    use crate::audit::memory::MemoryAuditRepo;
    use crate::audit::merkle::MerkleTree;

    fn signer() -> Signer {
        Signer::from_seed(DEFAULT_ORIGIN, [3; 32]).unwrap()
    }

    /// A log of 30 entries with checkpoints at 1 (the first commit), 10, 20 and 30.
    async fn stored_log() -> (Vec<AuditRow>, Vec<StoredCheckpoint>) {
        let repo = Arc::new(MemoryAuditRepo::new());
        let config = AuditConfig {
            checkpoint_interval: std::time::Duration::from_secs(3600),
            ..AuditConfig::default()
        };
        let log = AuditLog::open(repo.clone(), signer(), config)
            .await
            .unwrap();
        for i in 0..30 {
            let e = NewEntry {
                actor: "user:admin".into(),
                action: "records.read".into(),
                target: format!("persons?grid=4403040010{i:02}"),
                detail: json!({"rows": i}),
            };
            log.append(e).await.unwrap();
            if i % 10 == 9 {
                log.checkpoint_now().await.unwrap();
            }
        }
        (repo.rows(), repo.stored_checkpoints())
    }

    /// Verifies tampered rows and checks the first problem's entry and message.
    fn check(rows: Vec<AuditRow>, checkpoints: &[StoredCheckpoint], seq: u64, message: &str) {
        let report = verify(rows, checkpoints, &signer().verifier());
        assert!(!report.is_ok());
        let first = &report.problems[0];
        assert_eq!(first.seq, Some(seq), "{:#?}", report.problems);
        assert!(
            first.message.starts_with(message),
            "{:?} does not start with {message:?}",
            first.message
        );
    }

    /// Sets `entry`, then the leaf hash and the root as an attacker would recompute them
    /// from the rows before.
    fn rewrite(rows: &mut [AuditRow], seq: usize, entry: String, rehash: bool, reroot: bool) {
        rows[seq].entry = entry;
        if rehash {
            rows[seq].leaf_hash = leaf_hash(rows[seq].entry.as_bytes()).to_vec();
        }
        if reroot {
            let mut tree = MerkleTree::new();
            for row in &rows[..=seq] {
                tree.push(leaf_hash(row.entry.as_bytes()));
            }
            rows[seq].root_after = tree.root(seq as u64 + 1).unwrap().to_vec();
        }
    }

    #[tokio::test]
    async fn an_intact_log_verifies() {
        let (rows, checkpoints) = stored_log().await;
        let report = verify(rows, &checkpoints, &signer().verifier());
        assert_eq!(report.problems, []);
        assert_eq!((report.entries, report.checkpoints), (30, 4));
    }

    #[tokio::test]
    async fn altered_content_is_named() {
        let (mut rows, checkpoints) = stored_log().await;
        let altered = rows[12].entry.replace("records.read", "records.list");
        rewrite(&mut rows, 12, altered, false, false);
        check(rows, &checkpoints, 12, "entry 12 was altered");
    }

    #[tokio::test]
    async fn altered_content_with_its_leaf_hash_is_named() {
        let (mut rows, checkpoints) = stored_log().await;
        let altered = rows[12].entry.replace("records.read", "records.list");
        rewrite(&mut rows, 12, altered, true, false);
        let report = verify(rows, &checkpoints, &signer().verifier());
        assert_eq!(report.problems[0].seq, Some(12));
        assert_eq!(
            report.problems[0].message,
            "entries 12 to 29: the stored roots do not match the entries up to them \
             (entry 12 was altered, or entry 11 together with its stored root)"
        );
        assert!(report.problems[1].message.starts_with(
            "the checkpoint at size 20 does not match the entries: one from 10 to 19"
        ));
    }

    #[tokio::test]
    async fn an_entry_rewritten_with_its_root_shows_at_the_next() {
        let (mut rows, checkpoints) = stored_log().await;
        let altered = rows[12].entry.replace("records.read", "records.list");
        rewrite(&mut rows, 12, altered, true, true);
        let report = verify(rows, &checkpoints, &signer().verifier());
        assert_eq!(report.problems[0].seq, Some(13));
        assert_eq!(
            report.problems[0].message,
            "entries 13 to 29: the stored roots do not match the entries up to them \
             (entry 13 was altered, or entry 12 together with its stored root)"
        );
    }

    #[tokio::test]
    async fn the_last_entry_rewritten_throughout_is_caught_by_its_checkpoint() {
        let (mut rows, checkpoints) = stored_log().await;
        let altered = rows[29].entry.replace("records.read", "records.list");
        rewrite(&mut rows, 29, altered, true, true);
        let report = verify(rows, &checkpoints, &signer().verifier());
        assert_eq!(report.problems.len(), 1, "{:#?}", report.problems);
        assert_eq!(
            report.problems[0].message,
            "the checkpoint at size 30 does not match the entries: one from 20 to 29 was altered"
        );
    }

    #[tokio::test]
    async fn a_deleted_entry_is_named() {
        let (mut rows, checkpoints) = stored_log().await;
        rows.remove(17);
        let report = verify(rows, &checkpoints, &signer().verifier());
        assert_eq!(
            report.problems,
            [Problem {
                seq: Some(17),
                message: "entry 17 is missing".into()
            }]
        );
    }

    #[tokio::test]
    async fn a_deleted_last_entry_is_named_by_the_checkpoint_covering_it() {
        let (mut rows, checkpoints) = stored_log().await;
        rows.pop();
        check(
            rows,
            &checkpoints,
            29,
            "entries from 29 on are missing: the checkpoint at size 30 covers them",
        );
    }

    #[tokio::test]
    async fn swapped_entries_are_named() {
        let (mut rows, checkpoints) = stored_log().await;
        // Swap everything but the seq column.
        let (a, b) = (rows[5].clone(), rows[6].clone());
        rows[5] = AuditRow { seq: 5, ..b };
        rows[6] = AuditRow { seq: 6, ..a };
        let report = verify(rows, &checkpoints, &signer().verifier());
        let messages: Vec<_> = report.problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages[0], "entry 5 holds the content of entry 6");
        assert!(messages.contains(&"entry 6 holds the content of entry 5"));
        assert!(messages[1].starts_with("entries 5 to 29: the stored roots do not match"));
        assert_eq!(report.problems[0].seq, Some(5));
    }

    #[tokio::test]
    async fn swapped_contents_alone_are_named() {
        let (mut rows, checkpoints) = stored_log().await;
        let (a, b) = (rows[5].entry.clone(), rows[6].entry.clone());
        rows[5].entry = b;
        rows[6].entry = a;
        check(
            rows,
            &checkpoints,
            5,
            "entry 5 holds the content of entry 6",
        );
    }

    #[tokio::test]
    async fn a_repeated_row_is_out_of_order() {
        let (mut rows, checkpoints) = stored_log().await;
        rows.insert(8, rows[7].clone());
        check(rows, &checkpoints, 7, "entries out of order at 7");
    }

    #[tokio::test]
    async fn forged_or_foreign_checkpoints_are_reported() {
        let (rows, mut checkpoints) = stored_log().await;
        let at_20 = checkpoints.iter_mut().find(|c| c.size == 20).unwrap();
        at_20.note = at_20.note.replacen("\n20\n", "\n19\n", 1);
        let report = verify(rows.clone(), &checkpoints, &signer().verifier());
        assert_eq!(report.problems.len(), 1);
        assert_eq!(
            report.problems[0].message,
            "the checkpoint at size 20: the signature by `citymirror.futian/audit` does not verify"
        );

        let other = Signer::from_seed(DEFAULT_ORIGIN, [4; 32]).unwrap();
        let report = verify(rows, &checkpoints, &other.verifier());
        assert_eq!(report.problems.len(), 4);
    }
}
