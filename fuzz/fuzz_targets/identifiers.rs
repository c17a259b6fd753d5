//! The identifier validators of `citymirror_core::ids` and `parse_datetime_interval` on
//! arbitrary text: no panics, and what they accept has the shape they promise.
#![no_main]

use chrono::NaiveDate;
use citymirror_core::{ids, parse_datetime_interval};
use libfuzzer_sys::fuzz_target;

const USCC_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

fn digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

fn resident_id(s: &str) {
    let valid = ids::is_valid_resident_id(s);
    if valid {
        assert!(s.len() == 18 && digits(&s[..17]), "{s:?}");
        let check = ids::resident_id_check(&s[..17]).unwrap();
        assert_eq!(
            check,
            s.as_bytes()[17].to_ascii_uppercase() as char,
            "{s:?}"
        );
        assert!(
            NaiveDate::parse_from_str(&s[6..14], "%Y%m%d").is_ok(),
            "{s:?}"
        );
    }
    // Completing 17 digits with their check character gives a valid id exactly when the
    // birth date is a real date.
    if let Some(check) = ids::resident_id_check(s) {
        assert!(s.len() == 17 && digits(s));
        let id = format!("{s}{check}");
        let date_ok = NaiveDate::parse_from_str(&s[6..14], "%Y%m%d").is_ok();
        assert_eq!(ids::is_valid_resident_id(&id), date_ok, "{id}");
        assert_eq!(
            ids::is_valid_resident_id(&id.to_ascii_lowercase()),
            date_ok,
            "{id}"
        );
    }
}

fn uscc(s: &str) {
    if ids::is_valid_uscc(s) {
        assert!(s.len() == 18 && s.bytes().all(|b| USCC_CHARS.as_bytes().contains(&b)));
        // Exactly one check character fits.
        let fits = USCC_CHARS
            .chars()
            .filter(|&c| ids::is_valid_uscc(&format!("{}{c}", &s[..17])))
            .count();
        assert_eq!(fits, 1, "{s}");
    }
    if let Some(check) = ids::uscc_check(s) {
        assert!(USCC_CHARS.contains(check));
        assert!(ids::is_valid_uscc(&format!("{s}{check}")), "{s}{check}");
    }
    if let Some(check) = ids::org_code_check(s) {
        assert!(
            s.len() == 8
                && s.bytes()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        );
        assert!(check == 'X' || check.is_ascii_digit());
    }
}

fn mobile_and_gb28181(s: &str) {
    if ids::is_valid_mobile(s) {
        let b = s.as_bytes();
        assert!(b.len() == 11 && digits(s) && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]));
    }
    if ids::is_valid_gb28181_id(s) {
        assert!(s.len() == 20 && digits(s));
        // The constructor rebuilds it from its parts.
        let rebuilt = ids::gb28181_id(
            &s[..6],
            s[6..8].parse().unwrap(),
            s[8..10].parse().unwrap(),
            s[10..13].parse().unwrap(),
            s[13..].parse().unwrap(),
        );
        assert_eq!(rebuilt, s);
    }
}

fn datetime(s: &str) {
    let Ok(i) = parse_datetime_interval(s) else {
        return;
    };
    assert!(
        i.start.is_some() || i.end.is_some(),
        "{s:?} is unbounded both ways"
    );
    if let (Some(a), Some(b)) = (i.start, i.end) {
        assert!(a <= b, "{s:?} ends before it starts");
    }
    // An interval overlaps the days its own ends fall on.
    for end in [i.start, i.end].into_iter().flatten() {
        assert!(i.overlaps_date(end.date_naive()), "{s:?} misses {end}");
    }
}

fuzz_target!(|s: &str| {
    resident_id(s);
    uscc(s);
    mobile_and_gb28181(s);
    datetime(s);
});
