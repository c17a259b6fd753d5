//! 车牌号 in text (GA 36): a province abbreviation, the issuing office's letter, then a
//! five-character serial (`粤B12345`), or six for new-energy vehicles (`粤BD12345` for a
//! small car, `粤B12345D` for a large one). A `·` or a space may follow the letter.
//!
//! A serial has no I or O (they read as 1 and 0) and at most two letters, so an ordinary
//! serial has at least three digits; that keeps words such as `京AGENCY` out. Lower-case
//! letters are accepted because citizens type them. Plates with a trailing character
//! (`粤B1234学`, `粤B1234警`) are not recognised: they belong to schools and the police,
//! not to private persons.

use super::{PiiKind, PiiMatch};

/// 省、自治区、直辖市的简称, and 使/领 for embassy and consulate vehicles.
const PROVINCES: [char; 33] = [
    '京', '津', '沪', '渝', '冀', '豫', '云', '辽', '黑', '湘', '皖', '鲁', '新', '苏', '浙', '赣',
    '鄂', '桂', '甘', '晋', '蒙', '陕', '吉', '闽', '贵', '粤', '青', '藏', '川', '宁', '琼', '使',
    '领',
];

pub(super) fn find(text: &str, out: &mut Vec<PiiMatch>) {
    let b = text.as_bytes();
    for (start, c) in text.char_indices() {
        if !PROVINCES.contains(&c) {
            continue;
        }
        let letter = start + c.len_utf8();
        if !b.get(letter).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        // The letter is ASCII, so the byte after it starts a character.
        let mut serial = letter + 1;
        let rest = &text[serial..];
        if let Some(sep) = ['·', '•', ' '].into_iter().find(|&s| rest.starts_with(s)) {
            serial += sep.len_utf8();
        }
        let len = b[serial..]
            .iter()
            .take_while(|x| x.is_ascii_alphanumeric())
            .count();
        if is_serial(&b[serial..serial + len]) {
            out.push(PiiMatch {
                kind: PiiKind::Plate,
                range: start..serial + len,
            });
        }
    }
}

fn is_serial(s: &[u8]) -> bool {
    let allowed = |c: &u8| {
        c.is_ascii_digit() || (c.is_ascii_alphabetic() && !matches!(c, b'I' | b'O' | b'i' | b'o'))
    };
    let new_energy = |c: u8| matches!(c, b'D' | b'F' | b'd' | b'f');
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    if !s.iter().all(allowed) {
        return false;
    }
    match s.len() {
        5 => s.iter().filter(|c| c.is_ascii_digit()).count() >= 3,
        6 => (new_energy(s[0]) && digits(&s[2..])) || (digits(&s[..5]) && new_energy(s[5])),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::tests::check;
    use PiiKind::Plate;

    #[test]
    fn plates_as_written() {
        check("车牌粤B12345，", &[(Plate, "粤B12345")]);
        check("车牌粤B·12345", &[(Plate, "粤B·12345")]);
        check("车牌粤B 12345", &[(Plate, "粤B 12345")]);
        check("京A8K2M3违停", &[(Plate, "京A8K2M3")]);
        check("粤b12345", &[(Plate, "粤b12345")]);
        check("使A12345", &[(Plate, "使A12345")]);
    }

    #[test]
    fn new_energy_plates_have_six_characters() {
        check("新能源车粤BD12345", &[(Plate, "粤BD12345")]);
        check("新能源车粤BFA1234", &[(Plate, "粤BFA1234")]);
        check("新能源货车粤B12345D", &[(Plate, "粤B12345D")]);
        check("粤BA12345", &[]);
    }

    #[test]
    fn not_plates() {
        check("粤B123456", &[]);
        check("粤B1234", &[]);
        check("京AGENCY", &[]);
        check("京ABC12", &[]);
        check("粤BI2345", &[]);
        check("粤12345", &[]);
        check("粤B1234学", &[]);
    }
}
