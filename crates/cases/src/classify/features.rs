//! TF-IDF: terms to weighted sparse vectors.
//!
//! The vocabulary keeps the terms that occur in at least two training messages (a term
//! seen once teaches nothing and costs memory). A message's vector weights each known
//! term by `(1 + ln tf) · idf` (sublinear: the tenth mention of a word adds less than
//! the second), and the word block and the n-gram block are each scaled to unit length,
//! so that a long message counts as much as a short one and neither block drowns the
//! other.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::text::Terms;

/// A sparse vector: indices (ascending) and values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVec {
    pub idx: Vec<u32>,
    pub val: Vec<f32>,
}

/// The known terms, their inverse document frequencies, and where the word block ends.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "StoredVocabulary", into = "StoredVocabulary")]
pub struct Vocabulary {
    index: HashMap<String, u32>,
    terms: Vec<String>,
    idf: Vec<f32>,
    /// Features `0..words` are words, the rest n-grams.
    words: u32,
}

/// The stored form: terms in index order (the map is rebuilt when loaded).
#[derive(Serialize, Deserialize)]
struct StoredVocabulary {
    terms: Vec<String>,
    idf: Vec<f32>,
    words: u32,
}

impl From<StoredVocabulary> for Vocabulary {
    fn from(s: StoredVocabulary) -> Vocabulary {
        let index = s
            .terms
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        Vocabulary {
            index,
            terms: s.terms,
            idf: s.idf,
            words: s.words,
        }
    }
}

impl From<Vocabulary> for StoredVocabulary {
    fn from(v: Vocabulary) -> StoredVocabulary {
        StoredVocabulary {
            terms: v.terms,
            idf: v.idf,
            words: v.words,
        }
    }
}

/// Document frequencies of one block's terms.
fn document_frequencies<'a>(docs: impl Iterator<Item = &'a [String]>) -> HashMap<&'a str, u32> {
    let mut df: HashMap<&str, u32> = HashMap::new();
    let mut seen: Vec<&str> = Vec::new();
    for terms in docs {
        seen.clear();
        seen.extend(terms.iter().map(String::as_str));
        seen.sort_unstable();
        seen.dedup();
        for t in &seen {
            *df.entry(t).or_default() += 1;
        }
    }
    df
}

impl Vocabulary {
    /// The vocabulary of `docs`: terms in at least `min_df` of them.
    pub fn fit(docs: &[Terms], min_df: u32) -> Vocabulary {
        let n = docs.len() as f32;
        let mut terms = Vec::new();
        let mut idf = Vec::new();
        let mut words = 0;
        for block in [0, 1] {
            let df = document_frequencies(docs.iter().map(|d| match block {
                0 => d.words.as_slice(),
                _ => d.grams.as_slice(),
            }));
            let mut kept: Vec<(&str, u32)> = df.into_iter().filter(|(_, c)| *c >= min_df).collect();
            // A stable order, so that the same data trains the same model.
            kept.sort_unstable();
            for (t, c) in kept {
                terms.push(t.to_owned());
                // Smoothed, as if one more document held every term.
                idf.push(((1.0 + n) / (1.0 + c as f32)).ln() + 1.0);
            }
            if block == 0 {
                words = terms.len() as u32;
            }
        }
        Vocabulary::from(StoredVocabulary { terms, idf, words })
    }

    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The TF-IDF vector of a message's terms; unknown terms are ignored.
    pub fn vectorize(&self, terms: &Terms) -> SparseVec {
        let mut counts: HashMap<u32, u32> = HashMap::with_capacity(terms.grams.len());
        for t in terms.words.iter().chain(&terms.grams) {
            if let Some(&i) = self.index.get(t) {
                *counts.entry(i).or_default() += 1;
            }
        }
        let mut entries: Vec<(u32, f32)> = counts
            .into_iter()
            .map(|(i, tf)| (i, (1.0 + (tf as f32).ln()) * self.idf[i as usize]))
            .collect();
        entries.sort_unstable_by_key(|(i, _)| *i);
        let split = entries.partition_point(|(i, _)| *i < self.words);
        let (words, grams) = entries.split_at_mut(split);
        for block in [words, grams] {
            let norm = block.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
            if norm > 0.0 {
                block.iter_mut().for_each(|(_, v)| *v /= norm);
            }
        }
        let (idx, val) = entries.into_iter().unzip();
        SparseVec { idx, val }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(words: &[&str], grams: &[&str]) -> Terms {
        Terms {
            words: words.iter().map(|s| s.to_string()).collect(),
            grams: grams.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn rare_terms_are_dropped_and_each_block_has_unit_length() {
        let docs = [
            terms(&["w:a", "w:b"], &["c:x"]),
            terms(&["w:a"], &["c:x", "c:y"]),
            terms(&["w:a", "w:b", "w:c"], &["c:y"]),
        ];
        let v = Vocabulary::fit(&docs, 2);
        assert_eq!(v.len(), 4); // a, b, x, y; c is in one document only
        let x = v.vectorize(&terms(&["w:a", "w:b", "w:b", "w:zzz"], &["c:x"]));
        assert_eq!(x.idx.len(), 3);
        let words: f32 = x.val[..2].iter().map(|v| v * v).sum();
        assert!((words - 1.0).abs() < 1e-5);
        assert!((x.val[2] - 1.0).abs() < 1e-5);
        // The rarer word weighs more, and a repeat less than double.
        assert!(x.val[1] > x.val[0]);
        let stored = postcard::to_stdvec(&v).unwrap();
        let back: Vocabulary = postcard::from_bytes(&stored).unwrap();
        assert_eq!(back.vectorize(&docs[2]), v.vectorize(&docs[2]));
    }
}
