//! From a message to the terms the classifier counts: words and character n-grams.
//!
//! Messages come in two forms. New ones arrive raw (a title and a body as the citizen
//! wrote them); a district's history may have been exported by an older system as a
//! raw title and a body already segmented into words with its stop words removed. A
//! model trained on the second must still read the first, so both are brought to the
//! same terms, in three blocks (each weighted apart, see `features.rs`):
//!
//! - words: the title's words (also counted apart, as `t:` words: a title says in a
//!   few words what the message is about), then the body's words;
//! - character 1- to 3-grams over the title's words strung together, then the body's
//!   (no n-gram runs from the title into the body), which survive the differences
//!   between segmenters;
//! - the title's own character 1- to 3-grams (`T`).
//!
//! Words are dropped from raw text as the history export dropped them: the stop words
//! of `stopwords.txt`, derived without the labelled messages (words jieba emits on
//! 7,142 unlabelled and replied raw messages that the segmented history almost never
//! holds). With them dropped, raw messages look like the history the model learned
//! from; it is worth about two points of accuracy on the shared raw messages. The list
//! is stored with each model, so that a model reads messages as it was trained to.

use std::{collections::HashSet, sync::OnceLock};

use jieba_rs::Jieba;
use serde::{Deserialize, Serialize};

/// Words of the district that the default dictionary lacks or splits, so that they
/// segment as one word: places, units and the things citizens report.
const DISTRICT_WORDS: &[&str] = &[
    "福田",
    "福田区",
    "深圳",
    "深南大道",
    "华强北",
    "车公庙",
    "香蜜湖",
    "梅林",
    "莲花山",
    "福田口岸",
    "皇岗",
    "沙头",
    "园岭",
    "南园",
    "华富",
    "福保",
    "福田河",
    "新洲河",
    "深圳河",
    "城管",
    "网格员",
    "占道经营",
    "乱摆卖",
    "井盖",
    "共享单车",
    "电动自行车",
    "噪音扰民",
    "违章停车",
    "违法建设",
    "垃圾分类",
    "油烟",
    "渣土车",
    "施工噪音",
    "积水",
    "内涝",
    "路灯",
    "人行道",
    "消防通道",
    "小区物业",
    "业委会",
    "停车位",
    "充电桩",
    "电梯",
    "社保",
    "医保",
    "公积金",
    "学位",
    "义务教育",
    "12345",
    "民意速办",
];

/// The segmenter: jieba's default dictionary plus [`DISTRICT_WORDS`], built once.
fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(|| {
        let mut j = Jieba::new();
        for w in DISTRICT_WORDS {
            j.add_word(w, None, None);
        }
        j
    })
}

/// The stop words of `stopwords.txt` (see the module's comment): 2,497 words, 19 kB.
const STOPWORDS: &str = include_str!("stopwords.txt");

/// The stop words a new model is trained with.
pub fn default_stopwords() -> Vec<String> {
    STOPWORDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// Words dropped from raw text before counting. A model keeps the list it was trained
/// with (stored sorted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<String>", into = "Vec<String>")]
pub struct StopWords(HashSet<String>);

impl StopWords {
    pub fn contains(&self, word: &str) -> bool {
        self.0.contains(word)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The list of `stopwords.txt`.
impl Default for StopWords {
    fn default() -> StopWords {
        StopWords::from(default_stopwords())
    }
}

impl From<Vec<String>> for StopWords {
    fn from(words: Vec<String>) -> StopWords {
        StopWords(words.into_iter().collect())
    }
}

impl From<StopWords> for Vec<String> {
    fn from(s: StopWords) -> Vec<String> {
        let mut words: Vec<String> = s.0.into_iter().collect();
        words.sort_unstable();
        words
    }
}

/// A message to classify or learn from.
#[derive(Debug, Clone, PartialEq)]
pub enum Message<'a> {
    /// As written: a title and a body.
    Raw { title: &'a str, body: &'a str },
    /// A raw title and a body segmented into space-separated words by another system.
    Segmented { title: &'a str, tokens: &'a str },
}

/// Whether a word carries meaning: at least one letter, digit or ideograph.
fn is_word(w: &str) -> bool {
    w.chars().any(char::is_alphanumeric)
}

/// The words of raw text.
pub fn segment(text: &str) -> Vec<&str> {
    jieba()
        .cut(text, true)
        .into_iter()
        .map(|t| t.word.trim())
        .filter(|w| is_word(w))
        .collect()
}

/// How many blocks of terms a message has: words, n-grams, title n-grams.
pub const BLOCKS: usize = 3;

/// The terms of a message (see the module's comment), kept as the title's and the
/// body's words strung together, which each block's terms are slices of: a long
/// message has thousands of n-grams, and none is copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    /// The title's words, each as `t:` and the word.
    marked: Vec<String>,
    title: String,
    /// Where each of the title's words ends in `title`.
    title_ends: Vec<usize>,
    body: String,
    body_ends: Vec<usize>,
}

/// The words of `text`, which ends one at each of `ends`.
fn words<'a>(text: &'a str, ends: &'a [usize]) -> impl Iterator<Item = &'a str> {
    ends.iter().scan(0, |start, &end| {
        Some(&text[std::mem::replace(start, end)..end])
    })
}

/// The character 1- to 3-grams of `text`.
fn grams_into<'a>(out: &mut Vec<&'a str>, text: &'a str) {
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    for n in 1..=3 {
        out.extend(bounds.windows(n + 1).map(|w| &text[w[0]..w[n]]));
    }
}

impl Terms {
    pub(crate) fn new(title: &[&str], body: &[&str]) -> Terms {
        let join = |words: &[&str]| {
            let mut text = String::new();
            let ends = words
                .iter()
                .map(|w| {
                    text.push_str(w);
                    text.len()
                })
                .collect();
            (text, ends)
        };
        let (title_text, title_ends) = join(title);
        let (body, body_ends) = join(body);
        Terms {
            marked: title.iter().map(|w| format!("t:{w}")).collect(),
            title: title_text,
            title_ends,
            body,
            body_ends,
        }
    }

    /// The terms of block `b`: 0 the words (the title's marked, then all), 1 the
    /// n-grams of the title and of the body, 2 the title's n-grams.
    pub fn block(&self, b: usize) -> Vec<&str> {
        let mut out = Vec::new();
        match b {
            0 => {
                out.extend(self.marked.iter().map(String::as_str));
                out.extend(words(&self.title, &self.title_ends));
                out.extend(words(&self.body, &self.body_ends));
            }
            1 => {
                grams_into(&mut out, &self.title);
                grams_into(&mut out, &self.body);
            }
            _ => grams_into(&mut out, &self.title),
        }
        out
    }
}

pub fn terms(message: &Message, stop: &StopWords) -> Terms {
    let keep = |w: &&str| !stop.contains(w);
    let title: Vec<&str> = match message {
        Message::Raw { title, .. } | Message::Segmented { title, .. } => {
            segment(title).into_iter().filter(keep).collect()
        }
    };
    let body: Vec<&str> = match message {
        Message::Raw { body, .. } => segment(body).into_iter().filter(keep).collect(),
        Message::Segmented { tokens, .. } => tokens
            .split_whitespace()
            .filter(|w| is_word(w))
            .filter(keep)
            .collect(),
    };
    Terms::new(&title, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn district_words_segment_whole() {
        let words = segment("深南大道有人占道经营，井盖也坏了");
        assert!(words.contains(&"深南大道"), "{words:?}");
        assert!(words.contains(&"占道经营"), "{words:?}");
        assert!(words.contains(&"井盖"), "{words:?}");
        assert!(!words.contains(&"，"), "{words:?}");
    }

    #[test]
    fn titles_count_apart_and_grams_stop_at_the_title() {
        let stop = StopWords::default();
        assert!(stop.contains("非常") && stop.len() > 2000, "{}", stop.len());
        let t = terms(
            &Message::Raw {
                title: "路灯",
                body: "晚上非常黑",
            },
            &stop,
        );
        let [words, grams, title_grams] = [0, 1, 2].map(|b| t.block(b));
        assert_eq!(words, ["t:路灯", "路灯", "晚上", "黑"]);
        assert_eq!(
            grams,
            [
                "路",
                "灯",
                "路灯",
                "晚",
                "上",
                "黑",
                "晚上",
                "上黑",
                "晚上黑"
            ]
        );
        assert_eq!(title_grams, ["路", "灯", "路灯"]);
        let s = terms(
            &Message::Segmented {
                title: "路灯",
                tokens: "晚上 黑",
            },
            &stop,
        );
        assert_eq!(s, t);
    }
}
