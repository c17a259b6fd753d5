//! Personal identifiers (个人信息标识) in free text and in field values: 身份证号, 手机号码,
//! 统一社会信用代码, 银行卡号 and 车牌号.
//!
//! Graded record fields are masked by their declared grade, but free text has no grade
//! per word: a citizen writes "电话13912345678" into a complaint, a handler pastes an id
//! number into a note. [`scan`] finds such identifiers so that [`crate::mask`] can hide
//! the ones graded above a reader's entitlement; [`recognise`] says whether a whole
//! structured value is one identifier.
//!
//! Where a check exists it is used: a resident id needs its ISO 7064 check character and
//! a plausible birth date, a credit code its GB 32100 check character, a card number
//! Luhn. A false positive costs a few stars in a note; a false negative leaks a person's
//! identity, so where a rule is a judgement call it leans towards finding.
//!
//! Not recognised, on purpose or for now: fixed-line numbers (mostly offices and shops),
//! ids written in groups (`440304 19900101 1234`), full-width digits (`１３９…`), and a
//! number whose groups run on into more digit groups (`139 1234 5678 2`), which is read
//! as one longer number.
//!
//! The scanners are written by hand rather than with `regex`: most rules are about
//! neighbours (a phone number must not be part of a longer digit run, a number written
//! in groups must not continue past the card), which `regex` cannot say without
//! look-around, and every candidate needs a check digit anyway. The text is cut once
//! into digit runs, which each recogniser classifies, so scanning is linear.
//!
//! ```
//! use citymirror_trust::pii::{scan, PiiKind};
//!
//! let text = "电话139 1234 5678，车牌粤B·12345";
//! let kinds: Vec<PiiKind> = scan(text).into_iter().map(|m| m.kind).collect();
//! assert_eq!(kinds, [PiiKind::Mobile, PiiKind::Plate]);
//! ```

mod bank_card;
mod digits;
mod mobile;
mod plate;
mod resident_id;
mod uscc;

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::ops::Range;

use citymirror_core::DataGrade;
use serde::Serialize;

/// A kind of personal identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PiiKind {
    /// 居民身份证号 (GB 11643): 18 characters, or the 15-digit form of first-generation cards.
    ResidentId,
    /// 手机号码: 11 digits starting `13`–`19`.
    Mobile,
    /// 统一社会信用代码 (GB 32100) of an organisation.
    Uscc,
    /// 银行卡号: 16–19 digits with a Luhn check digit.
    BankCard,
    /// 机动车号牌 (GA 36): province, issuing-office letter, serial.
    Plate,
}

impl PiiKind {
    pub const ALL: [PiiKind; 5] = [
        PiiKind::ResidentId,
        PiiKind::Mobile,
        PiiKind::Uscc,
        PiiKind::BankCard,
        PiiKind::Plate,
    ];

    /// A stable machine code, the same as the serialised form.
    pub const fn as_str(self) -> &'static str {
        match self {
            PiiKind::ResidentId => "resident-id",
            PiiKind::Mobile => "mobile",
            PiiKind::Uscc => "uscc",
            PiiKind::BankCard => "bank-card",
            PiiKind::Plate => "plate",
        }
    }

    /// The name people use, for the UI and audit reports.
    pub const fn name_zh(self) -> &'static str {
        match self {
            PiiKind::ResidentId => "身份证号",
            PiiKind::Mobile => "手机号码",
            PiiKind::Uscc => "统一社会信用代码",
            PiiKind::BankCard => "银行卡号",
            PiiKind::Plate => "车牌号",
        }
    }

    /// The GB/T 43697 grade of an identifier of this kind wherever it appears. Ids, phone
    /// numbers and card numbers single out a person (sensitive personal information); a
    /// plate singles out a car and its movements; a credit code is on a public register.
    pub const fn grade(self) -> DataGrade {
        match self {
            PiiKind::ResidentId | PiiKind::Mobile | PiiKind::BankCard => DataGrade::General(4),
            PiiKind::Plate => DataGrade::General(3),
            PiiKind::Uscc => DataGrade::General(1),
        }
    }

    /// Which kind wins when two candidates of the same grade cover the same text: the one
    /// whose check is harder to pass by chance. An 18-digit run with a valid id check
    /// character and birth date is an id even if it also passes Luhn (1 in 10).
    const fn specificity_rank(self) -> u8 {
        match self {
            PiiKind::ResidentId => 0,
            PiiKind::Uscc => 1,
            PiiKind::Mobile => 2,
            PiiKind::BankCard => 3,
            PiiKind::Plate => 4,
        }
    }
}

/// An identifier found in a text: its kind and its byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PiiMatch {
    pub kind: PiiKind,
    /// Byte range in the scanned text, always on character boundaries. A mobile number's
    /// country code (`+86 `) is not part of it: it identifies no one.
    pub range: Range<usize>,
}

/// Finds the personal identifiers in free text, in text order and never overlapping.
///
/// Where candidates overlap, the longer wins, then the more sensitive kind, then the more
/// specific one (an 18-digit id is not also a card number). Never panics, whatever the
/// input.
pub fn scan(text: &str) -> Vec<PiiMatch> {
    let runs = digits::runs(text);
    let groups = digits::groups(text, &runs);
    let mut found = Vec::new();
    resident_id::find(text, &runs, &mut found);
    mobile::find(text, &runs, &groups, &mut found);
    bank_card::find(text, &runs, &groups, &mut found);
    uscc::find(text, &mut found);
    plate::find(text, &mut found);
    resolve(found)
}

/// The kind of a structured field value (surrounding spaces ignored) if the whole value is
/// one identifier: `"139 1234 5678"` is a mobile, `"电话13912345678"` is not one identifier.
pub fn recognise(value: &str) -> Option<PiiKind> {
    let value = value.trim();
    let found = scan(value);
    let [m] = found.as_slice() else {
        return None;
    };
    let before = &value[..m.range.start];
    let whole = m.range.end == value.len()
        && (before.is_empty() || (m.kind == PiiKind::Mobile && mobile::is_country_code(before)));
    whole.then_some(m.kind)
}

/// Keeps non-overlapping candidates and returns them in text order. Longer candidates
/// go first. Between readings of the same characters the more sensitive wins: an 18-digit
/// number that passes both Luhn and the credit-code check (1 in 31) is taken as a card,
/// because hiding a public code by mistake costs nothing and showing a card number does.
/// Between equally sensitive readings the more specific wins.
fn resolve(mut found: Vec<PiiMatch>) -> Vec<PiiMatch> {
    found.sort_by_key(|m| {
        (
            Reverse(m.range.len()),
            Reverse(m.kind.grade()),
            m.kind.specificity_rank(),
            m.range.start,
        )
    });
    // Kept ranges are disjoint, so the only one that can overlap a new range is the last
    // kept one starting before the new range ends.
    let mut kept: BTreeMap<usize, PiiMatch> = BTreeMap::new();
    for m in found {
        let overlaps = kept
            .range(..m.range.end)
            .next_back()
            .is_some_and(|(_, k)| k.range.end > m.range.start);
        if !overlaps {
            kept.insert(m.range.start, m);
        }
    }
    kept.into_values().collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use citymirror_core::ids::{resident_id, uscc};
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    /// Scans `text` and compares what was found, as (kind, matched text), with `expected`.
    pub(crate) fn check(text: &str, expected: &[(PiiKind, &str)]) {
        let found: Vec<(PiiKind, &str)> = scan(text)
            .into_iter()
            .map(|m| (m.kind, &text[m.range]))
            .collect();
        assert_eq!(found, expected, "in {text:?}");
    }

    /// Whether the digits pass the Luhn check.
    pub(crate) fn luhn(digits: &str) -> bool {
        bank_card::luhn_valid(digits.as_bytes())
    }

    /// A card number with a valid Luhn digit appended to `body`.
    pub(crate) fn card(body: &str) -> String {
        (0..=9)
            .map(|d| format!("{body}{d}"))
            .find(|n| luhn(n))
            .unwrap()
    }

    #[test]
    fn finds_every_kind_in_a_citizens_message() {
        use PiiKind::*;
        let id = resident_id("440304", "19900101", 123);
        let code = uscc("440304", 12_345_678);
        let account = card("621700000000000000");
        let text = format!(
            "我叫张三，身份证{id}，电话13912345678，车牌粤B12345，\
             公司信用代码{code}，工资卡{account}。"
        );
        check(
            &text,
            &[
                (ResidentId, &id),
                (Mobile, "13912345678"),
                (Plate, "粤B12345"),
                (Uscc, &code),
                (BankCard, &account),
            ],
        );
    }

    #[test]
    fn kinds_have_codes_names_and_grades() {
        use PiiKind::*;
        for kind in PiiKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert_eq!(ResidentId.as_str(), "resident-id");
        assert_eq!(BankCard.name_zh(), "银行卡号");
        assert_eq!(Uscc.name_zh(), "统一社会信用代码");
        assert_eq!(ResidentId.grade(), DataGrade::General(4));
        assert_eq!(Mobile.grade(), DataGrade::General(4));
        assert_eq!(BankCard.grade(), DataGrade::General(4));
        assert_eq!(Plate.grade(), DataGrade::General(3));
        assert_eq!(Uscc.grade(), DataGrade::General(1));
    }

    #[test]
    fn an_id_is_not_also_a_card_number() {
        // Find an id whose 18 digits also pass Luhn: both recognisers see the same run.
        let id = (0..1000)
            .map(|seq| resident_id("440304", "19851120", seq))
            .find(|id| bank_card::luhn_valid(id.as_bytes()))
            .unwrap();
        check(&format!("证件{id}"), &[(PiiKind::ResidentId, &id)]);
    }

    #[test]
    fn a_number_that_may_be_a_card_or_a_credit_code_is_taken_as_a_card() {
        let both = (0..100_000)
            .map(|serial| uscc("440304", serial))
            .find(|code| code.bytes().all(|b| b.is_ascii_digit()) && luhn(code))
            .unwrap();
        check(&format!("号码{both}"), &[(PiiKind::BankCard, &both)]);
    }

    #[test]
    fn order_numbers_dates_and_times_are_not_identifiers() {
        check("订单号20240101123456789012已发货", &[]);
        check("订单号DD20240101123456789012", &[]);
        check("2024-01-01 12:30:45 上报", &[]);
        check("20240101 123045", &[]);
        check("时间戳20240101123045", &[]);
        check("时间戳1704067200123", &[]);
        check("坐标114.13912345678,22.5", &[]);
        check("面积139.5平方米，楼层13", &[]);
    }

    #[test]
    fn recognises_whole_values_only() {
        let id = resident_id("440304", "19900101", 123);
        assert_eq!(recognise(&id), Some(PiiKind::ResidentId));
        assert_eq!(recognise(&format!("  {id} ")), Some(PiiKind::ResidentId));
        assert_eq!(recognise("139-1234-5678"), Some(PiiKind::Mobile));
        assert_eq!(recognise("+86 139 1234 5678"), Some(PiiKind::Mobile));
        assert_eq!(recognise("粤B·12345"), Some(PiiKind::Plate));
        assert_eq!(recognise("914403001922038216"), Some(PiiKind::Uscc));
        assert_eq!(recognise("电话13912345678"), None);
        assert_eq!(recognise("13912345678 13812345678"), None);
        assert_eq!(recognise("张三丰"), None);
        assert_eq!(recognise(""), None);
    }

    #[test]
    fn scanning_odd_text_never_panics_and_keeps_ranges_sound() {
        // Pieces chosen to sit on every rule's edge: digits, separators, check letters,
        // decimal points, province characters, multi-byte punctuation.
        const PIECES: &[&str] = &[
            "1",
            "3",
            "8",
            "9",
            "0",
            "4",
            "86",
            "+",
            " ",
            "-",
            ".",
            "X",
            "x",
            "D",
            "B",
            "·",
            "粤",
            "京",
            "使",
            "，",
            "é",
            "\u{1F600}",
            "\u{0}",
            "1391234",
            "5678",
            "6222",
            "440304",
            "19900101",
            "*",
        ];
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..5_000 {
            let text: String = (0..rng.gen_range(0..40))
                .map(|_| PIECES[rng.gen_range(0..PIECES.len())])
                .collect();
            let found = scan(&text);
            for pair in found.windows(2) {
                assert!(pair[0].range.end <= pair[1].range.start, "{text:?}");
            }
            for m in &found {
                assert!(text.get(m.range.clone()).is_some(), "{text:?}");
            }
            let _ = recognise(&text);
        }
    }
}
