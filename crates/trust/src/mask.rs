//! Masking (脱敏): what a reader sees of data graded above their entitlement.
//!
//! A structured field is masked by its declared grade ([`mask_value`]); free text is
//! masked by what is in it, each identifier [`crate::pii::scan`] finds by its kind's grade
//! ([`mask_text`]). Identifiers keep a few characters at each end, as banks and
//! government sites print them (`139****5678`), so that the person they belong to can
//! still recognise their own and a handler can tell two apart; no more is kept than that.
//!
//! A masked identifier is written compactly, with one unbroken run of `*`, whatever form
//! it was written in: `139 1234 5678` and `139-1234-5678` both become `139****5678`, and
//! the masked text never holds anything [`crate::pii::scan`] would find above the
//! reader's grade.

use std::borrow::Cow;

use citymirror_core::{DataGrade, Value};

use crate::pii::{recognise, scan, PiiKind};

/// Whether a reader entitled to `entitlement` sees data graded `grade` unmasked.
pub fn reveals(grade: DataGrade, entitlement: DataGrade) -> bool {
    grade <= entitlement
}

/// How many characters of each kind stay visible at the start and at the end.
const fn kept(kind: PiiKind) -> (usize, usize) {
    match kind {
        // Province and city, and the last four, as on bank statements.
        PiiKind::ResidentId => (4, 4),
        // The carrier prefix and the last four.
        PiiKind::Mobile => (3, 4),
        // The issuer (BIN) and the last four, as PCI DSS allows.
        PiiKind::BankCard => (6, 4),
        // Province and issuing office, and the last two.
        PiiKind::Plate => (2, 2),
        PiiKind::Uscc => (2, 4),
    }
}

/// Masks one identifier of `kind`, written in any form (`+86 139-1234-5678`): the
/// separators and a mobile's country code go, the kept characters stay and the rest
/// become `*`. `4403**********1234`, `139****5678`, `粤B***45`.
///
/// At least one character is always masked, so the output never contains the identifier.
pub fn mask_identifier(kind: PiiKind, s: &str) -> String {
    let mut chars: Vec<char> = s.chars().filter(|c| c.is_alphanumeric()).collect();
    if kind == PiiKind::Mobile && chars.len() > 11 {
        // Whatever comes before the eleven digits is a country code.
        chars.drain(..chars.len() - 11);
    }
    let (head, tail) = kept(kind);
    let n = chars.len();
    if n <= head + tail {
        return "*".repeat(n);
    }
    let mut out: String = chars[..head].iter().collect();
    out.extend(std::iter::repeat_n('*', n - head - tail));
    out.extend(&chars[n - tail..]);
    out
}

/// Masks every identifier in `text` whose kind is graded above `entitlement`. Borrows the
/// text when there is nothing to mask, which is most of the time.
pub fn mask_text(text: &str, entitlement: DataGrade) -> Cow<'_, str> {
    // One pass is almost always enough. But the characters a mask keeps are new
    // neighbours for the text around them: the last four of a card's groups next to the
    // first four of a masked id may read as another card. Scanning again until nothing is
    // left makes sure; each pass turns at least one character into `*`, so it ends.
    let mut text = Cow::Borrowed(text);
    while let Some(masked) = mask_once(&text, entitlement) {
        text = Cow::Owned(masked);
    }
    text
}

/// One pass of [`mask_text`]: `None` when nothing needed masking.
fn mask_once(text: &str, entitlement: DataGrade) -> Option<String> {
    let mut hidden = scan(text)
        .into_iter()
        .filter(|m| !reveals(m.kind.grade(), entitlement))
        .peekable();
    hidden.peek()?;
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for m in hidden {
        out.push_str(&text[at..m.range.start]);
        out.push_str(&mask_identifier(m.kind, &text[m.range.clone()]));
        at = m.range.end;
    }
    out.push_str(&text[at..]);
    Some(out)
}

/// Masks a structured field value whose declared grade is `grade` for a reader entitled
/// to `entitlement`.
///
/// A field the reader may see is returned whole, except that identifiers in its text are
/// still masked by their own grade: a grade-2 "remarks" field can hold a phone number.
/// Above the reader's grade an identifier is masked as one, other text keeps its first
/// character (`张**`, the surname), a date keeps its year (`1990-**-**`, an age), and
/// numbers and booleans are withheld.
pub fn mask_value(value: &Value, grade: DataGrade, entitlement: DataGrade) -> Value {
    if reveals(grade, entitlement) {
        return match value {
            Value::Text(s) => Value::Text(mask_text(s, entitlement).into_owned()),
            other => other.clone(),
        };
    }
    match value {
        Value::Null => Value::Null,
        Value::Text(s) => Value::Text(match recognise(s) {
            Some(kind) => mask_identifier(kind, s.trim()),
            None => keep_first_char(s.trim()),
        }),
        Value::Date(d) => Value::Text(d.format("%Y-**-**").to_string()),
        // A number or a yes/no masked to stars would still say which it is; withhold it.
        Value::Int(_) | Value::Float(_) | Value::Bool(_) => Value::Null,
    }
}

/// `张三丰` → `张**`: one `*` per character, so the length shows but nothing else. A
/// single character is masked whole, since keeping it would keep all.
fn keep_first_char(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.count()) {
        (None, _) => String::new(),
        (Some(_), 0) => "*".to_owned(),
        (Some(first), rest) => std::iter::once(first)
            .chain(std::iter::repeat_n('*', rest))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::tests::{card, luhn};
    use chrono::NaiveDate;
    use citymirror_core::ids::{resident_id, uscc};
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    use DataGrade::General;
    use PiiKind::*;

    fn check(kind: PiiKind, s: &str, expected: &str) {
        let masked = mask_identifier(kind, s);
        assert_eq!(masked, expected, "{kind:?} {s:?}");
        assert!(scan(&masked).is_empty(), "{masked:?} is recognised again");
    }

    #[test]
    fn identifiers_keep_a_few_characters_at_each_end() {
        check(ResidentId, "440304199001011234", "4403**********1234");
        check(ResidentId, "11010519491231002X", "1101**********002X");
        check(ResidentId, "440304900101123", "4403*******1123");
        check(Mobile, "13912345678", "139****5678");
        check(Mobile, "139 1234 5678", "139****5678");
        check(Mobile, "+86-139-1234-5678", "139****5678");
        check(BankCard, "6222021234567890123", "622202*********0123");
        check(BankCard, "4111 1111 1111 1111", "411111******1111");
        check(Plate, "粤B12345", "粤B***45");
        check(Plate, "粤B·D12345", "粤B****45");
        check(Uscc, "914403001922038216", "91************8216");
        check(Mobile, "139", "***");
    }

    #[test]
    fn text_is_masked_by_each_identifiers_grade() {
        let id = resident_id("440304", "19900101", 123);
        let text = format!("我叫张三，身份证{id}，电话+86 139 1234 5678，车牌粤B12345");
        let masked = format!(
            "我叫张三，身份证{}，电话+86 139****5678，车牌粤B12345",
            mask_identifier(ResidentId, &id)
        );
        assert_eq!(mask_text(&text, General(3)), masked);
        let masked = masked.replace("粤B12345", "粤B***45");
        assert_eq!(mask_text(&text, General(2)), masked);
        assert_eq!(mask_text(&text, General(4)), text);
    }

    #[test]
    fn text_without_anything_to_mask_is_borrowed() {
        assert!(matches!(
            mask_text("井盖破损，请尽快处理", General(1)),
            Cow::Borrowed(_)
        ));
        let text = "信用代码914403001922038216，车牌粤B12345";
        assert!(matches!(mask_text(text, General(3)), Cow::Borrowed(_)));
        assert!(matches!(mask_text(text, General(2)), Cow::Owned(_)));
    }

    #[test]
    fn kept_digits_never_join_their_neighbours_into_a_new_identifier() {
        // Before masking, the groups run into the id's 18 digits and are no card number.
        // After one pass the id's first four are a group of their own, and complete one.
        let id = resident_id("440304", "19900101", 123);
        let group = (0..10_000)
            .map(|k| format!("{k:04}"))
            .find(|g| luhn(&format!("41111111{g}{}", &id[..4])))
            .unwrap();
        let text = format!("卡4111 1111 {group} {id}");
        assert_eq!(scan(&text).len(), 1);
        let one_pass = mask_once(&text, General(3)).unwrap();
        assert_eq!(scan(&one_pass)[0].kind, BankCard, "{one_pass}");
        let masked = mask_text(&text, General(3));
        assert!(scan(&masked).is_empty(), "{masked}");
        assert!(!masked.contains(&id));
    }

    #[test]
    fn values_in_view_are_returned_with_identifiers_in_their_text_masked() {
        let note = Value::from("已联系，电话13912345678");
        assert_eq!(
            mask_value(&note, General(2), General(3)),
            Value::from("已联系，电话139****5678")
        );
        assert_eq!(mask_value(&note, General(2), General(4)), note);
        assert_eq!(
            mask_value(&Value::Int(42), General(1), General(1)),
            Value::Int(42)
        );
    }

    #[test]
    fn values_above_the_readers_grade() {
        let id = resident_id("440304", "19900101", 123);
        let reader = General(3);
        let l4 = |v: Value| mask_value(&v, General(4), reader);
        assert_eq!(
            l4(Value::from(id.as_str())),
            Value::Text(format!("4403**********{}", &id[14..]))
        );
        assert_eq!(
            l4(Value::from(" 139-1234-5678 ")),
            Value::from("139****5678")
        );
        assert_eq!(l4(Value::from("张三丰")), Value::from("张**"));
        assert_eq!(l4(Value::from("张")), Value::from("*"));
        assert_eq!(l4(Value::from("")), Value::from(""));
        let birth = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap();
        assert_eq!(l4(Value::Date(birth)), Value::from("1990-**-**"));
        assert_eq!(l4(Value::Int(42)), Value::Null);
        assert_eq!(l4(Value::Float(88.5)), Value::Null);
        assert_eq!(l4(Value::Bool(true)), Value::Null);
        assert_eq!(l4(Value::Null), Value::Null);
        let code = uscc("440304", 1);
        assert_eq!(
            l4(Value::from(code.as_str())),
            Value::Text(mask_identifier(Uscc, &code))
        );
        assert!(reveals(General(3), reader));
        assert!(!reveals(General(4), reader));
        assert!(!reveals(DataGrade::Important, reader));
    }

    /// A random identifier of grade 4, as written by someone.
    fn random_identifier(rng: &mut StdRng) -> String {
        let digits = |rng: &mut StdRng, n: usize| -> String {
            (0..n)
                .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
                .collect()
        };
        match rng.gen_range(0..6) {
            0 | 1 => {
                let region =
                    ["440304", "440303", "110105", "310115", "510107"][rng.gen_range(0..5)];
                let birth = format!(
                    "{}{:02}{:02}",
                    rng.gen_range(1930..=2015),
                    rng.gen_range(1..=12),
                    rng.gen_range(1..=28)
                );
                resident_id(region, &birth, rng.gen_range(0..1000))
            }
            2 => format!("1{}{}", rng.gen_range(3..=9), digits(rng, 9)),
            3 => {
                let m = format!("1{}{}", rng.gen_range(3..=9), digits(rng, 9));
                let sep = [" ", "-"][rng.gen_range(0..2)];
                let prefix = ["", "+86 ", "86-", "0086 "][rng.gen_range(0..4)];
                format!("{prefix}{}{sep}{}{sep}{}", &m[..3], &m[3..7], &m[7..])
            }
            4 => {
                let len = rng.gen_range(13..=16);
                card(&format!("62{}", digits(rng, len)))
            }
            _ => {
                let n = card(&format!("4{}", digits(rng, 14)));
                format!("{} {} {} {}", &n[..4], &n[4..8], &n[8..12], &n[12..])
            }
        }
    }

    #[test]
    fn masked_text_shows_no_sensitive_identifier() {
        // Clean sentences: every identifier is found, and none survives masking.
        // Crowded ones: identifiers and digit groups pressed against each other, where
        // recall may fail but masking must still leave nothing that reads as one.
        const WORDS: &[&str] = &[
            "我叫张三丰，",
            "身份证",
            "电话",
            "，",
            "。",
            "卡号",
            "车牌粤B12345，",
            "谢谢",
        ];
        const CROWD: &[&str] = &[" ", "-", "1234 ", "6222 ", "86", "+", "X", "0", "*"];
        let mut rng = StdRng::seed_from_u64(20240101);
        for round in 0..3_000 {
            let crowded = round % 2 == 1;
            let mut text = String::new();
            let mut planted = Vec::new();
            for _ in 0..rng.gen_range(1..6) {
                text.push_str(WORDS[rng.gen_range(0..WORDS.len())]);
                if crowded {
                    text.push_str(CROWD[rng.gen_range(0..CROWD.len())]);
                }
                let id = random_identifier(&mut rng);
                text.push_str(&id);
                if crowded {
                    text.push_str(CROWD[rng.gen_range(0..CROWD.len())]);
                }
                planted.push(id);
            }
            let found = scan(&text);
            if !crowded {
                let sensitive = found
                    .iter()
                    .filter(|m| m.kind.grade() == General(4))
                    .count();
                assert_eq!(sensitive, planted.len(), "{text}: {found:?}");
            }
            let masked = mask_text(&text, General(3));
            let left: Vec<_> = scan(&masked)
                .into_iter()
                .filter(|m| m.kind.grade() > General(3))
                .collect();
            assert!(left.is_empty(), "{text} → {masked}: {left:?}");
            for m in found.iter().filter(|m| m.kind.grade() > General(3)) {
                let written = &text[m.range.clone()];
                let compact: String = written
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect();
                assert!(!masked.contains(written), "{text} → {masked}");
                assert!(!masked.contains(&compact), "{text} → {masked}");
            }
            if !crowded {
                for planted in &planted {
                    let compact: String = planted
                        .chars()
                        .filter(char::is_ascii_alphanumeric)
                        .collect();
                    // A mobile's country code is kept; its eleven digits must not be.
                    let number = match compact.len() {
                        13 | 15 => &compact[compact.len() - 11..],
                        _ => &compact[..],
                    };
                    assert!(!masked.contains(number), "{text} → {masked}");
                }
            }
        }
    }
}
