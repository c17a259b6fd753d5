//! The Merkle tree of RFC 9162 §2.1 over the log's leaf hashes, kept in memory, with
//! inclusion and consistency proofs for any tree size up to the current one.
//!
//! Written here rather than taken from ct-merkle because ct-merkle's `MemoryBackedTree`
//! proves only against its *current* size and keeps its nodes private, while a client
//! holding a checkpoint from an hour ago needs a consistency proof from that size to
//! today's, and an inclusion proof in the tree its checkpoint signs. ct-merkle stays the
//! verifier ([`verify_inclusion`], [`verify_consistency`]), and the tests check these
//! proofs against its own, byte for byte.
//!
//! The tree is stored as levels of complete, aligned subtree hashes: level 0 holds the
//! leaf hashes, level `k` the hash of every complete subtree of `2^k` leaves starting at
//! a multiple of `2^k`. That is about 64 bytes per leaf, and any `MTH(D[a:b])` the RFC's
//! recursions ask for is a handful of lookups and hashes.

use ct_merkle::{ConsistencyProof, InclusionProof, RootHash};
use sha2::{Digest, Sha256};

/// A SHA-256 digest: a leaf hash, an interior node or a root.
pub type Hash = [u8; 32];

/// The RFC 6962 leaf hash of an entry's bytes: `SHA-256(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    h.finalize().into()
}

/// An interior node: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree, `SHA-256("")`.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// A proof that was asked for sizes or indices the tree cannot answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("tree size {size} is larger than the log ({len} entries)")]
    SizeBeyondLog { size: u64, len: u64 },
    #[error("entry {index} is not in a tree of {size} entries")]
    IndexBeyondSize { index: u64, size: u64 },
    #[error("a consistency proof needs 0 < old size <= new size, not {old} and {new}")]
    BadSizes { old: u64, new: u64 },
}

/// A proof that did not verify.
#[derive(Debug, Clone, Copy, thiserror::Error)]
pub enum InvalidProof {
    #[error("the inclusion proof does not verify: {0}")]
    Inclusion(ct_merkle::InclusionVerifError),
    #[error("the consistency proof does not verify: {0}")]
    Consistency(ct_merkle::ConsistencyVerifError),
}

/// The whole tree, for proofs at any size up to [`MerkleTree::len`].
#[derive(Debug, Clone, Default)]
pub struct MerkleTree {
    /// `levels[k][i]` is the hash of leaves `i·2^k .. (i+1)·2^k`.
    levels: Vec<Vec<Hash>>,
}

impl MerkleTree {
    pub fn new() -> Self {
        MerkleTree::default()
    }

    pub fn len(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The leaf hash at `index`.
    pub fn leaf(&self, index: u64) -> Option<Hash> {
        self.levels
            .first()?
            .get(usize::try_from(index).ok()?)
            .copied()
    }

    /// Appends a leaf hash, completing whatever subtrees it closes.
    pub fn push(&mut self, leaf: Hash) {
        let mut hash = leaf;
        let mut level = 0;
        loop {
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            let nodes = &mut self.levels[level];
            nodes.push(hash);
            if nodes.len() % 2 == 1 {
                break;
            }
            hash = node_hash(&nodes[nodes.len() - 2], &nodes[nodes.len() - 1]);
            level += 1;
        }
    }

    /// The right edge of the tree at its current size, for appending without the tree.
    pub fn frontier(&self) -> Frontier {
        let size = self.len();
        let peaks = peaks(size)
            .map(|(start, level)| self.complete(start, level))
            .collect();
        Frontier { size, peaks }
    }

    /// The root hash of the first `size` leaves.
    pub fn root(&self, size: u64) -> Result<Hash, ProofError> {
        self.check_size(size)?;
        Ok(if size == 0 {
            empty_root()
        } else {
            self.mth(0, size)
        })
    }

    /// The audit path of leaf `index` in the tree of the first `size` leaves,
    /// `PATH(index, D[0:size])` of RFC 9162 §2.1.3.1, from the leaf's sibling upwards.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, ProofError> {
        self.check_size(size)?;
        if index >= size {
            return Err(ProofError::IndexBeyondSize { index, size });
        }
        let mut proof = Vec::new();
        self.path(index, 0, size, &mut proof);
        Ok(proof)
    }

    /// The proof that the tree of `old` leaves is a prefix of the tree of `new` leaves,
    /// `PROOF(old, D[0:new])` of RFC 9162 §2.1.4.1. Empty when the sizes are equal.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, ProofError> {
        self.check_size(new)?;
        if old == 0 || old > new {
            return Err(ProofError::BadSizes { old, new });
        }
        let mut proof = Vec::new();
        self.subproof(old, 0, new, true, &mut proof);
        Ok(proof)
    }

    fn check_size(&self, size: u64) -> Result<(), ProofError> {
        let len = self.len();
        if size > len {
            return Err(ProofError::SizeBeyondLog { size, len });
        }
        Ok(())
    }

    /// The stored hash of the complete subtree of `2^level` leaves from `start`.
    fn complete(&self, start: u64, level: u32) -> Hash {
        self.levels[level as usize][(start >> level) as usize]
    }

    /// `MTH(D[start:end])`. The recursions below only ask for ranges whose start is a
    /// multiple of a power of two at least as large as the range, so a range whose length
    /// is a power of two is always one stored subtree.
    fn mth(&self, start: u64, end: u64) -> Hash {
        let n = end - start;
        if n.is_power_of_two() {
            debug_assert_eq!(start % n, 0, "unaligned subtree {start}..{end}");
            return self.complete(start, n.trailing_zeros());
        }
        let k = split(n);
        node_hash(&self.mth(start, start + k), &self.mth(start + k, end))
    }

    /// `PATH(m, D[start:end])`, appended to `out`.
    fn path(&self, m: u64, start: u64, end: u64, out: &mut Vec<Hash>) {
        let n = end - start;
        if n == 1 {
            return;
        }
        let k = split(n);
        if m < k {
            self.path(m, start, start + k, out);
            out.push(self.mth(start + k, end));
        } else {
            self.path(m - k, start + k, end, out);
            out.push(self.mth(start, start + k));
        }
    }

    /// `SUBPROOF(m, D[start:end], b)`, appended to `out`.
    fn subproof(&self, m: u64, start: u64, end: u64, b: bool, out: &mut Vec<Hash>) {
        let n = end - start;
        if m == n {
            if !b {
                out.push(self.mth(start, end));
            }
            return;
        }
        let k = split(n);
        if m <= k {
            self.subproof(m, start, start + k, b, out);
            out.push(self.mth(start + k, end));
        } else {
            self.subproof(m - k, start + k, end, false, out);
            out.push(self.mth(start, start + k));
        }
    }
}

/// The largest power of two smaller than `n` (for `n >= 2`): where RFC 9162 splits a tree.
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// The complete subtrees a tree of `size` leaves decomposes into, left to right, as
/// `(first leaf, level)`: one per bit set in `size`, largest first.
fn peaks(size: u64) -> impl Iterator<Item = (u64, u32)> {
    let mut start = 0;
    (0..64u32)
        .rev()
        .filter(move |level| size & (1 << level) != 0)
        .map(move |level| {
            let peak = (start, level);
            start += 1 << level;
            peak
        })
}

/// The right edge of a tree: the roots of its complete subtrees (one per bit set in its
/// size). Enough to append leaves and compute each new root in `O(log n)`, without the
/// tree: the appender computes `root_after` with it before a batch commits, and
/// `audit verify` recomputes a whole log with it in constant memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    /// Largest (leftmost) first.
    peaks: Vec<Hash>,
}

impl Frontier {
    pub fn new() -> Self {
        Frontier::default()
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn push(&mut self, leaf: Hash) {
        let mut hash = leaf;
        let mut size = self.size;
        // Each trailing 1 bit of the old size is a subtree the new leaf completes.
        while size & 1 == 1 {
            let left = self.peaks.pop().expect("a peak per bit set in the size");
            hash = node_hash(&left, &hash);
            size >>= 1;
        }
        self.peaks.push(hash);
        self.size += 1;
    }

    /// The root hash: the peaks folded from the right.
    pub fn root(&self) -> Hash {
        let mut peaks = self.peaks.iter().rev();
        let Some(&last) = peaks.next() else {
            return empty_root();
        };
        peaks.fold(last, |acc, peak| node_hash(peak, &acc))
    }
}

/// ct-merkle's hasher: SHA-256 as `digest` 0.11 sees it.
type CtSha256 = sha2_011::Sha256;

fn ct_root(root: &Hash, size: u64) -> RootHash<CtSha256> {
    RootHash::new((*root).into(), size)
}

fn ct_digests(proof: &[Hash]) -> Vec<ct_merkle::digest::Output<CtSha256>> {
    proof.iter().map(|h| (*h).into()).collect()
}

/// Checks, with ct-merkle, that `entry` is leaf `index` of the tree of `size` leaves
/// whose root is `root`.
pub fn verify_inclusion(
    root: &Hash,
    size: u64,
    entry: &[u8],
    index: u64,
    proof: &[Hash],
) -> Result<(), InvalidProof> {
    let proof = InclusionProof::from_digests(&ct_digests(proof));
    ct_root(root, size)
        .verify_inclusion(&entry, index, &proof)
        .map_err(InvalidProof::Inclusion)
}

/// Checks, with ct-merkle, that the tree of `old_size` leaves with root `old_root` is a
/// prefix of the tree of `new_size` leaves with root `new_root`.
pub fn verify_consistency(
    old_root: &Hash,
    old_size: u64,
    new_root: &Hash,
    new_size: u64,
    proof: &[Hash],
) -> Result<(), InvalidProof> {
    let proof = ConsistencyProof::from_digests(&ct_digests(proof));
    ct_root(new_root, new_size)
        .verify_consistency(&ct_root(old_root, old_size), &proof)
        .map_err(InvalidProof::Consistency)
}

#[cfg(test)]
mod tests {
    use ct_merkle::mem_backed_tree::MemoryBackedTree;

    use super::*;

    fn data(i: u64) -> Vec<u8> {
        format!("entry {i}").into_bytes()
    }

    fn tree(n: u64) -> MerkleTree {
        let mut t = MerkleTree::new();
        for i in 0..n {
            t.push(leaf_hash(&data(i)));
        }
        t
    }

    fn bytes(proof: &[Hash]) -> Vec<u8> {
        proof.concat()
    }

    #[test]
    fn hashes_follow_rfc_6962() {
        assert_eq!(
            hex::encode(empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(tree(0).root(0), Ok(empty_root()));
        // A one-leaf tree's root is its leaf hash; a two-leaf tree's, their parent.
        let (a, b) = (leaf_hash(&data(0)), leaf_hash(&data(1)));
        assert_eq!(tree(1).root(1), Ok(a));
        assert_eq!(tree(2).root(2), Ok(node_hash(&a, &b)));
        assert_eq!(
            hex::encode(leaf_hash(b"")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
    }

    #[test]
    fn proofs_at_the_current_size_match_ct_merkle_byte_for_byte() {
        let mut ct = MemoryBackedTree::<CtSha256, Vec<u8>>::new();
        let mut ours = MerkleTree::new();
        for n in 1..=70u64 {
            ct.push(data(n - 1));
            ours.push(leaf_hash(&data(n - 1)));
            assert_eq!(
                ct.root().as_bytes().as_slice(),
                ours.root(n).unwrap(),
                "{n}"
            );
            for i in 0..n {
                assert_eq!(
                    ct.prove_inclusion(i as usize).as_bytes(),
                    bytes(&ours.inclusion_proof(i, n).unwrap()),
                    "inclusion of {i} in {n}"
                );
            }
            for old in 1..n {
                assert_eq!(
                    ct.prove_consistency((n - old) as usize).as_bytes(),
                    bytes(&ours.consistency_proof(old, n).unwrap()),
                    "consistency {old} -> {n}"
                );
            }
        }
    }

    #[test]
    fn proofs_between_historic_sizes_verify_with_ct_merkle() {
        let t = tree(70);
        for new in 1..=70 {
            let new_root = t.root(new).unwrap();
            for i in 0..new {
                let proof = t.inclusion_proof(i, new).unwrap();
                verify_inclusion(&new_root, new, &data(i), i, &proof).unwrap();
            }
            for old in 1..=new {
                let proof = t.consistency_proof(old, new).unwrap();
                let old_root = t.root(old).unwrap();
                verify_consistency(&old_root, old, &new_root, new, &proof).unwrap();
            }
        }
    }

    #[test]
    fn wrong_data_or_tampered_proofs_do_not_verify() {
        let t = tree(37);
        let root = t.root(37).unwrap();
        let mut proof = t.inclusion_proof(12, 37).unwrap();
        assert!(verify_inclusion(&root, 37, &data(13), 12, &proof).is_err());
        assert!(verify_inclusion(&root, 37, &data(12), 13, &proof).is_err());
        proof[2][0] ^= 1;
        assert!(verify_inclusion(&root, 37, &data(12), 12, &proof).is_err());

        let (old_root, new_root) = (t.root(11).unwrap(), t.root(37).unwrap());
        let mut proof = t.consistency_proof(11, 37).unwrap();
        assert!(verify_consistency(&old_root, 11, &new_root, 37, &proof).is_ok());
        assert!(verify_consistency(&old_root, 12, &new_root, 37, &proof).is_err());
        assert!(verify_consistency(&t.root(10).unwrap(), 11, &new_root, 37, &proof).is_err());
        proof[0][31] ^= 1;
        assert!(verify_consistency(&old_root, 11, &new_root, 37, &proof).is_err());
    }

    #[test]
    fn the_frontier_tracks_the_tree() {
        let t = tree(70);
        let mut f = Frontier::new();
        assert_eq!(f.root(), empty_root());
        for n in 1..=70 {
            f.push(t.leaf(n - 1).unwrap());
            assert_eq!(f.root(), t.root(n).unwrap(), "{n}");
        }
        assert_eq!(t.frontier(), f);
    }

    #[test]
    fn out_of_range_requests_are_errors() {
        let t = tree(5);
        assert_eq!(
            t.root(6),
            Err(ProofError::SizeBeyondLog { size: 6, len: 5 })
        );
        assert_eq!(
            t.inclusion_proof(5, 5),
            Err(ProofError::IndexBeyondSize { index: 5, size: 5 })
        );
        assert!(t.inclusion_proof(0, 6).is_err());
        assert_eq!(
            t.consistency_proof(0, 3),
            Err(ProofError::BadSizes { old: 0, new: 3 })
        );
        assert!(t.consistency_proof(4, 3).is_err());
        assert!(t.consistency_proof(3, 6).is_err());
        assert_eq!(t.consistency_proof(5, 5), Ok(vec![]));
    }
}
