//! The tamper-evident audit log (审计日志): every state change, and every read of
//! level-3+ data, appends an entry to an append-only Merkle log, so that no entry can
//! later be altered, removed or reordered without the change showing.
//!
//! - **A leaf** is one entry's canonical JSON ([`AuditEntry::canonical`]): who, what, to
//!   what, when, and its own `seq`. Its RFC 6962 leaf hash is `SHA-256(0x00 || bytes)`,
//!   interior nodes are `SHA-256(0x01 || left || right)`, and the tree is RFC 9162 §2.1's.
//!   Each stored row keeps its entry, its leaf hash and the root after it.
//! - **Checkpoints** ([`checkpoint`]) are the size and root signed with Ed25519, as C2SP
//!   signed notes, at most [`AuditConfig::checkpoint_interval`] apart while entries come
//!   in. A client holding an old checkpoint checks a newer one with a consistency proof
//!   ([`AuditLog::consistency_proof`], [`verify_consistency`]), and any entry with an
//!   inclusion proof ([`AuditLog::inclusion_proof`], [`verify_inclusion`]).
//! - **Proofs for any two sizes** need the tree's nodes at every size, which ct-merkle's
//!   tree does not expose, so [`merkle`] keeps the tree itself (about 64 bytes an entry)
//!   and ct-merkle verifies its proofs: in the tests, and for clients.
//! - **Group commit**: one appender task takes whatever entries are waiting (up to
//!   [`AuditConfig::max_batch`]), writes them in one transaction, and only then answers
//!   each caller with its `seq`. An acknowledged entry is committed; a failed
//!   transaction acknowledges none of its entries and leaves the tree as it was.
//! - **Verification** ([`verify()`]) recomputes everything from the stored rows and
//!   checkpoints and names the entry that does not add up.
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use citymirror_trust::{Actor, AuditRepo};
//! # use citymirror_trust::audit::{AuditConfig, AuditLog, NewEntry, Signer};
//! # async fn demo(repo: Arc<dyn AuditRepo>, admin: Actor) -> Result<(), Box<dyn std::error::Error>> {
//! let signer = Signer::load_or_create("data/audit.key".as_ref(), "citymirror.futian/audit")?;
//! let log = AuditLog::open(repo, signer, AuditConfig::default()).await?;
//! let seq = log.append(NewEntry::new(&admin, "twin.create", "buildings/123")).await?;
//! let checkpoint = log.checkpoint_now().await?;
//! let proof = log.inclusion_proof(seq, checkpoint.size as u64)?;
//! # Ok(()) }
//! ```

mod appender;
pub mod checkpoint;
mod entry;
mod log;
pub mod memory;
pub mod merkle;
mod verify;

pub use checkpoint::{Checkpoint, CheckpointError, KeyError, Signer, Verifier};
pub use entry::{AuditEntry, NewEntry};
pub use log::{AuditConfig, AuditError, AuditLog};
pub use memory::MemoryAuditRepo;
pub use merkle::{verify_consistency, verify_inclusion, Hash, InvalidProof, ProofError};
pub use verify::{verify, LogCheck, Problem, VerifyReport};
