//! 居民身份证号 in text: 17 digits and a check character (digit or `X`), or the 15 digits
//! of a first-generation card.
//!
//! The check character (ISO 7064 MOD 11-2, in `citymirror_core::ids`) lets through one
//! random number in eleven, so the birth date must also be a real, past date and the
//! region must start with a province digit (11–82). The 15-digit form has no check
//! character; it is accepted all the same because old registers and 产权 records still
//! carry it, and a date-checked 15-digit run hidden by mistake costs less than an id
//! shown by mistake. Its birth year is `19YY`, as on every card that had it.

use chrono::{Datelike, Days, NaiveDate, Utc};
use citymirror_core::ids::is_valid_resident_id;

use super::digits::{stands_alone, Run};
use super::{PiiKind, PiiMatch};

pub(super) fn find(text: &str, runs: &[Run], out: &mut Vec<PiiMatch>) {
    let b = text.as_bytes();
    for run in runs {
        let end = match run.len() {
            15 | 18 => run.end,
            // The check character X closes the id; a letter after it makes a code of it.
            17 if matches!(b.get(run.end), Some(b'X' | b'x'))
                && !b.get(run.end + 1).is_some_and(u8::is_ascii_alphanumeric) =>
            {
                run.end + 1
            }
            _ => continue,
        };
        if stands_alone(text, run.start, end) && is_valid(&text[run.start..end]) {
            out.push(PiiMatch {
                kind: PiiKind::ResidentId,
                range: run.start..end,
            });
        }
    }
}

/// True for an 18-character id with a valid check character, or a 15-digit one, whose
/// region and birth date are plausible.
fn is_valid(s: &str) -> bool {
    let region_ok = matches!(s.as_bytes().first(), Some(b'1'..=b'8'));
    let birth = match s.len() {
        18 if is_valid_resident_id(s) => s[6..14].to_owned(),
        15 => format!("19{}", &s[6..12]),
        _ => return false,
    };
    region_ok && NaiveDate::parse_from_str(&birth, "%Y%m%d").is_ok_and(plausible_birth)
}

/// Born since 1900 and not after today, wherever today is: a child born this morning in
/// Shenzhen may still be "tomorrow" on a server clock in UTC.
fn plausible_birth(date: NaiveDate) -> bool {
    let tomorrow = Utc::now().date_naive() + Days::new(1);
    date.year() >= 1900 && date <= tomorrow
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::tests::check;
    use citymirror_core::ids::resident_id;
    use PiiKind::ResidentId;

    #[test]
    fn generated_ids_are_found_in_sentences() {
        for (region, birth, seq) in [
            ("440304", "19900101", 123),
            ("110105", "19491231", 2),
            ("510107", "20100228", 998),
        ] {
            let id = resident_id(region, birth, seq);
            check(&format!("我的身份证号是{id}，请核实"), &[(ResidentId, &id)]);
            check(&format!("ID:{id}"), &[(ResidentId, &id)]);
            check(&id, &[(ResidentId, &id)]);
        }
    }

    #[test]
    fn the_check_character_may_be_x() {
        // The example of GB 11643-1999.
        check(
            "身份证11010519491231002X。",
            &[(ResidentId, "11010519491231002X")],
        );
        check(
            "身份证11010519491231002x",
            &[(ResidentId, "11010519491231002x")],
        );
        check("编码11010519491231002XY", &[]);
    }

    #[test]
    fn a_wrong_check_digit_is_not_an_id() {
        let id = resident_id("440304", "19900101", 123);
        let last = id.as_bytes()[17];
        let wrong = if last == b'1' { '2' } else { '1' };
        check(&format!("身份证{}{wrong}", &id[..17]), &[]);
    }

    #[test]
    fn the_birth_date_must_be_plausible() {
        check(&resident_id("440304", "18991231", 1), &[]);
        check(&resident_id("440304", "20991231", 1), &[]);
        check(&resident_id("440304", "19900230", 1), &[]);
        check(&resident_id("040304", "19900101", 1), &[]);
    }

    #[test]
    fn an_id_inside_a_longer_run_is_not_an_id() {
        // The longer run may still pass Luhn and be a card number; it is not an id.
        let id = resident_id("440304", "19900101", 123);
        for text in [format!("单号{id}7"), format!("单号9{id}")] {
            let kinds: Vec<PiiKind> = crate::pii::scan(&text).iter().map(|m| m.kind).collect();
            assert!(!kinds.contains(&ResidentId), "{text}: {kinds:?}");
        }
    }

    #[test]
    fn fifteen_digit_ids_need_a_real_date() {
        check(
            "老身份证440304900101123",
            &[(ResidentId, "440304900101123")],
        );
        check("老身份证440304901301123", &[]);
        check("老身份证440304900230123", &[]);
        check("IMEI 004403900101123", &[]);
    }
}
