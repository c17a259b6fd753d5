//! `citymirror_trust::pii::scan` and `mask::mask_text` on arbitrary text.
//!
//! Input: the text. It is masked for a public reader (`DataGrade::General(1)`), who may
//! see credit codes (grade 1) but no resident id, mobile, bank card (4) or plate (3).
#![no_main]

use citymirror_core::DataGrade;
use citymirror_trust::{mask::mask_text, pii::scan};
use libfuzzer_sys::fuzz_target;

const READER: DataGrade = DataGrade::General(1);

fn count(hay: &str, needle: &str) -> usize {
    hay.match_indices(needle).count()
}

fuzz_target!(|s: &str| {
    let found = scan(s);
    // Ranges: non-empty, in bounds, on character boundaries, in text order, disjoint.
    let mut end = 0;
    for m in &found {
        let r = &m.range;
        assert!(
            r.start < r.end && r.end <= s.len(),
            "{m:?} in {} bytes",
            s.len()
        );
        assert!(
            s.is_char_boundary(r.start) && s.is_char_boundary(r.end),
            "{m:?}"
        );
        assert!(
            r.start >= end,
            "{m:?} overlaps or precedes the previous match"
        );
        end = r.end;
    }

    let masked = mask_text(s, READER);
    // Nothing graded above the reader is left to find, and masking again changes nothing.
    let left: Vec<_> = scan(&masked)
        .into_iter()
        .filter(|m| m.kind.grade() > READER)
        .collect();
    assert!(left.is_empty(), "{s:?} → {masked:?} still holds {left:?}");
    assert_eq!(mask_text(&masked, READER), masked);
    // No hidden identifier survives in the output: masking removes each of its
    // occurrences that `scan` matched. The same characters may also stand elsewhere in
    // the text where `scan` rightly sees no identifier (`粤B62220` as the plate it is, and
    // again as the start of `粤B6222021234567894`, a card whose kept BIN `622202` still
    // follows `粤B` after masking); those may stay, so the check counts.
    let hidden: Vec<&str> = found
        .iter()
        .filter(|m| m.kind.grade() > READER)
        .map(|m| &s[m.range.clone()])
        .collect();
    for id in &hidden {
        let masked_here = hidden.iter().filter(|h| *h == id).count();
        assert!(
            count(&masked, id) + masked_here <= count(s, id),
            "`{id}` shows through: {s:?} → {masked:?}"
        );
    }
});
