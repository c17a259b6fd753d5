//! From a message to the terms the classifier counts: words and character n-grams.
//!
//! Messages come in two forms. New ones arrive raw (a title and a body as the citizen
//! wrote them); a district's history may have been exported by an older system as a
//! raw title and a body already segmented into words with its stop words removed. A
//! model trained on the second must still read the first, so both are brought to the
//! same terms:
//!
//! - words: the title's words (also counted apart, as `T:` words: a title says in a
//!   few words what the message is about), then the body's words;
//! - character 1- to 3-grams over the words strung together, which survive the
//!   differences between segmenters.
//!
//! Stop words that an export dropped are not dropped from raw messages: cutting raw
//! bodies down to the words of the segmented history changed nothing measurable (85.5 %
//! against 85.1 % on the shared raw messages, two of 495), and misfired on a training
//! set of mostly raw messages.

use std::sync::OnceLock;

use jieba_rs::Jieba;

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

/// The terms of a message, each namespaced: `w:` words, `t:` title words, `c:` n-grams.
/// Words and n-grams are weighted as two blocks (see `features.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub words: Vec<String>,
    pub grams: Vec<String>,
}

pub fn terms(message: &Message) -> Terms {
    let (title, body): (Vec<&str>, Vec<&str>) = match message {
        Message::Raw { title, body } => (segment(title), segment(body)),
        Message::Segmented { title, tokens } => (
            segment(title),
            tokens.split_whitespace().filter(|w| is_word(w)).collect(),
        ),
    };
    let mut words: Vec<String> = Vec::with_capacity(title.len() * 2 + body.len());
    words.extend(title.iter().map(|w| format!("t:{w}")));
    words.extend(title.iter().chain(&body).map(|w| format!("w:{w}")));
    let joined: Vec<char> = title.iter().chain(&body).flat_map(|w| w.chars()).collect();
    let mut grams = Vec::with_capacity(joined.len() * 3);
    for n in 1..=3 {
        for window in joined.windows(n) {
            let mut g = String::with_capacity(2 + 3 * n);
            g.push_str("c:");
            g.extend(window);
            grams.push(g);
        }
    }
    Terms { words, grams }
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
    fn titles_count_apart_and_grams_run_across_words() {
        let t = terms(&Message::Raw {
            title: "路灯",
            body: "晚上不亮",
        });
        assert!(t.words.contains(&"t:路灯".to_owned()), "{:?}", t.words);
        assert!(t.words.contains(&"w:路灯".to_owned()), "{:?}", t.words);
        assert!(t.grams.contains(&"c:灯晚".to_owned()), "{:?}", t.grams);
        let s = terms(&Message::Segmented {
            title: "路灯",
            tokens: "晚上 不亮",
        });
        assert_eq!(s.grams, t.grams);
    }
}
