//! TF-IDF: terms to weighted sparse vectors.
//!
//! Each block of terms (words, n-grams, title n-grams: see `text.rs`) has its own
//! vocabulary: the terms that occur in at least two training messages (a term seen
//! once teaches nothing and costs memory). A message's vector weights each known term
//! by `(1 + ln tf) · idf` (sublinear: the tenth mention of a word adds less than the
//! second) with the smoothed `idf = ln((1 + n) / (1 + df)) + 1`; each block is scaled
//! to unit length, so that a long message counts as much as a short one and no block
//! drowns another, and then by its weight (1, 1 and 0.7: the title's n-grams repeat
//! what the other two blocks already hold, and weigh less).

use std::{
    collections::HashMap,
    hash::{BuildHasherDefault, Hasher},
};

use serde::{Deserialize, Serialize};

use super::text::{Terms, BLOCKS};

/// FxHash (rustc's): a message's thousands of n-grams are looked up in a vocabulary of
/// half a million, and SipHash, the standard map's, spent a third of the time on it.
/// The map is built from the training messages only, so a sender cannot flood it.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let word = u64::from_le_bytes(c.try_into().unwrap_or_default());
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// The weight of each block's unit vector.
pub const BLOCK_WEIGHTS: [f32; BLOCKS] = [1.0, 1.0, 0.7];

/// A sparse vector: indices (ascending) and values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVec {
    pub idx: Vec<u32>,
    pub val: Vec<f32>,
}

impl SparseVec {
    /// The squared length.
    pub fn norm2(&self) -> f32 {
        self.val.iter().map(|v| v * v).sum()
    }
}

/// The known terms, their inverse document frequencies, and where each block ends.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "StoredVocabulary", into = "StoredVocabulary")]
pub struct Vocabulary {
    /// One map a block (the blocks' terms may look alike: `路` the word, `路` the gram).
    index: [FxMap<String, u32>; BLOCKS],
    terms: Vec<String>,
    idf: Vec<f32>,
    /// Features `ends[b - 1]..ends[b]` are block `b`'s.
    ends: [u32; BLOCKS],
    weights: [f32; BLOCKS],
}

/// The stored form: terms in index order (the maps are rebuilt when loaded).
#[derive(Serialize, Deserialize)]
struct StoredVocabulary {
    terms: Vec<String>,
    idf: Vec<f32>,
    ends: [u32; BLOCKS],
    weights: [f32; BLOCKS],
}

impl From<StoredVocabulary> for Vocabulary {
    fn from(s: StoredVocabulary) -> Vocabulary {
        let mut index: [FxMap<String, u32>; BLOCKS] = Default::default();
        let mut start = 0usize;
        for (b, &end) in s.ends.iter().enumerate() {
            let end = (end as usize).clamp(start, s.terms.len());
            index[b] = (start..end)
                .map(|i| (s.terms[i].clone(), i as u32))
                .collect();
            start = end;
        }
        Vocabulary {
            index,
            terms: s.terms,
            idf: s.idf,
            ends: s.ends,
            weights: s.weights,
        }
    }
}

impl From<Vocabulary> for StoredVocabulary {
    fn from(v: Vocabulary) -> StoredVocabulary {
        StoredVocabulary {
            terms: v.terms,
            idf: v.idf,
            ends: v.ends,
            weights: v.weights,
        }
    }
}

/// Document frequencies of block `b`'s terms.
fn document_frequencies(docs: &[Terms], b: usize) -> FxMap<&str, u32> {
    let mut df: FxMap<&str, u32> = FxMap::default();
    for d in docs {
        let mut seen = d.block(b);
        seen.sort_unstable();
        seen.dedup();
        for t in seen {
            *df.entry(t).or_default() += 1;
        }
    }
    df
}

impl Vocabulary {
    /// The vocabulary of `docs`: each block's terms in at least `min_df` of them.
    pub fn fit(docs: &[Terms], min_df: u32) -> Vocabulary {
        let n = docs.len() as f32;
        let mut terms = Vec::new();
        let mut idf = Vec::new();
        let mut ends = [0; BLOCKS];
        for (b, end) in ends.iter_mut().enumerate() {
            let df = document_frequencies(docs, b);
            let mut kept: Vec<(&str, u32)> = df.into_iter().filter(|(_, c)| *c >= min_df).collect();
            // A stable order, so that the same data trains the same model.
            kept.sort_unstable();
            for (t, c) in kept {
                terms.push(t.to_owned());
                // Smoothed, as if one more document held every term.
                idf.push(((1.0 + n) / (1.0 + c as f32)).ln() + 1.0);
            }
            *end = terms.len() as u32;
        }
        Vocabulary::from(StoredVocabulary {
            terms,
            idf,
            ends,
            weights: BLOCK_WEIGHTS,
        })
    }

    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// Whether each term has its idf and the blocks end in order at the last term (a
    /// stored vocabulary that does not would be corrupt).
    pub fn is_whole(&self) -> bool {
        self.idf.len() == self.terms.len()
            && self.ends.windows(2).all(|w| w[0] <= w[1])
            && self.ends.last().map(|&e| e as usize) == Some(self.terms.len())
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The TF-IDF vector of a message's terms; unknown terms are ignored.
    pub fn vectorize(&self, terms: &Terms) -> SparseVec {
        let mut idx = Vec::new();
        let mut val = Vec::new();
        let mut known: Vec<u32> = Vec::new();
        for b in 0..BLOCKS {
            known.clear();
            known.extend(
                terms
                    .block(b)
                    .into_iter()
                    .filter_map(|t| self.index[b].get(t)),
            );
            known.sort_unstable();
            let start = val.len();
            for run in known.chunk_by(|a, b| a == b) {
                let i = run[0];
                idx.push(i);
                val.push((1.0 + (run.len() as f32).ln()) * self.idf[i as usize]);
            }
            let block = &mut val[start..];
            let norm = block.iter().map(|v| v * v).sum::<f32>().sqrt();
            if norm > 0.0 {
                let scale = self.weights[b] / norm;
                block.iter_mut().for_each(|v| *v *= scale);
            }
        }
        SparseVec { idx, val }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(title: &[&str], body: &[&str]) -> Terms {
        Terms::new(title, body)
    }

    #[test]
    fn rare_terms_are_dropped_and_each_block_has_its_weight_as_length() {
        let docs = [
            terms(&["a"], &["b"]),
            terms(&["a"], &["c"]),
            terms(&[], &["b", "c", "d"]),
        ];
        let v = Vocabulary::fit(&docs, 2);
        // Words a, b, c, t:a; n-grams a, b, c; title n-gram a. The word d and the
        // n-grams of "bcd" but b and c are in one message only.
        assert_eq!(v.len(), 8);
        let x = v.vectorize(&terms(&["a"], &["b", "b", "z"]));
        assert_eq!(x.idx, [0, 1, 3, 4, 5, 7]);
        let words: f32 = x.val[..3].iter().map(|v| v * v).sum();
        assert!((words - 1.0).abs() < 1e-5);
        let grams: f32 = x.val[3..5].iter().map(|v| v * v).sum();
        assert!((grams - 1.0).abs() < 1e-5);
        assert!((x.val[5] - 0.7).abs() < 1e-5);
        // A repeated word weighs more, and less than double.
        assert!(x.val[1] > x.val[0] && x.val[1] < 2.0 * x.val[0], "{x:?}");
        let stored = postcard::to_stdvec(&v).unwrap();
        let back: Vocabulary = postcard::from_bytes(&stored).unwrap();
        assert_eq!(back.vectorize(&docs[2]), v.vectorize(&docs[2]));
    }
}
