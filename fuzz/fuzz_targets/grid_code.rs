//! `GridCode: FromStr` on arbitrary text, and the hierarchy operations on what parses.
//!
//! Input: one code, or two separated by a space (the second is tested for containment
//! against the first).
#![no_main]

use citymirror_core::{GridCode, GridLevel};
use libfuzzer_sys::fuzz_target;

fn well_formed(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit()) && [6, 9, 12, 14].contains(&s.len())
}

fn check(s: &str) -> Option<GridCode> {
    let code = match s.parse::<GridCode>() {
        Ok(c) => c,
        Err(_) => {
            assert!(!well_formed(s), "refused a well-formed code `{s}`");
            return None;
        }
    };
    assert!(well_formed(s), "accepted a malformed code `{s}`");
    // parse(display(x)) == x, and the text is kept as given.
    assert_eq!(code.as_str(), s);
    assert_eq!(code.to_string().parse::<GridCode>().unwrap(), code);
    // The level is the one its length says.
    assert_eq!(code.level().code_len(), s.len());
    // Ancestors are prefixes, at every level at or above this one; none below.
    for level in GridLevel::ALL {
        match code.at(level) {
            Some(a) => {
                assert!(level <= code.level());
                assert_eq!(a.level(), level);
                assert_eq!(a.as_str(), &s[..level.code_len()]);
                assert!(a.contains(&code));
                assert_eq!(a.contains(&code), code.as_str().starts_with(a.as_str()));
                assert_eq!(code.contains(&a), a == code);
            }
            None => assert!(level > code.level(), "no {level:?} ancestor of `{s}`"),
        }
    }
    assert_eq!(code.street(), code.at(GridLevel::Street));
    assert_eq!(code.community(), code.at(GridLevel::Community));
    // Children are one level down, contained, and round-trip; 0 and too-wide are none.
    for n in [0, 1, 7, 10, 99, 100, 999, 1000, u32::MAX] {
        match code.child(n) {
            Some(c) => {
                assert!(n >= 1);
                assert!(c.level() > code.level());
                assert_eq!(c.at(code.level()).as_ref(), Some(&code));
                assert!(code.contains(&c) && !c.contains(&code));
                assert_eq!(c.as_str().parse::<GridCode>().as_ref(), Ok(&c));
            }
            None => {
                let width = match code.level() {
                    GridLevel::District | GridLevel::Street => 3,
                    GridLevel::Community => 2,
                    GridLevel::Grid => 0,
                };
                assert!(
                    width == 0 || n == 0 || n >= 10u32.pow(width),
                    "no child {n} of `{s}`"
                );
            }
        }
    }
    Some(code)
}

fuzz_target!(|s: &str| {
    match s.split_once(' ') {
        None => {
            check(s);
        }
        Some((a, b)) => {
            if let (Some(a), Some(b)) = (check(a), check(b)) {
                assert_eq!(a.contains(&b), b.as_str().starts_with(a.as_str()));
                if a.contains(&b) && b.contains(&a) {
                    assert_eq!(a, b);
                }
            }
        }
    }
});
