//! Digit runs and grouped numbers: the raw material of the numeric recognisers.
//!
//! A text is cut once into maximal runs of ASCII digits, so "not part of a longer digit
//! run" holds by construction. People also write long numbers in short groups
//! (`139 1234 5678`, `6222 0212 3456 7890`); a group chain joins short runs separated by
//! single spaces or dashes and is read as a whole, so that `1234 5678 9012 3456 7890` is
//! one 20-digit number and not a card number with something after it.

/// A maximal run of ASCII digits, `text[start..end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Run {
    pub start: usize,
    pub end: usize,
}

impl Run {
    pub fn len(self) -> usize {
        self.end - self.start
    }
}

/// The longest run that still counts as one group of a number written in groups.
const MAX_GROUP: usize = 4;

/// The maximal digit runs of `text`, in order.
pub(super) fn runs(text: &str) -> Vec<Run> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            out.push(Run { start, end: i });
        } else {
            i += 1;
        }
    }
    out
}

/// The chains of short runs (1–4 digits) joined by one separator each, in order. Every
/// short run belongs to exactly one chain, most to a chain of one.
pub(super) fn groups<'r>(text: &str, runs: &'r [Run]) -> Vec<&'r [Run]> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < runs.len() {
        if runs[i].len() > MAX_GROUP {
            i += 1;
            continue;
        }
        let mut j = i;
        while j + 1 < runs.len()
            && runs[j + 1].len() <= MAX_GROUP
            && runs[j + 1].start == runs[j].end + 1
            && is_separator(b[runs[j].end])
        {
            j += 1;
        }
        out.push(&runs[i..=j]);
        i = j + 1;
    }
    out
}

/// What people put between the groups of a long number.
fn is_separator(b: u8) -> bool {
    b == b' ' || b == b'-'
}

/// Whether the groups are separated by the same character throughout: `139 1234 5678`
/// is a phone number, `139-1234 5678` is more likely two things side by side.
pub(super) fn same_separator(text: &str, groups: &[Run]) -> bool {
    let b = text.as_bytes();
    groups.windows(2).all(|w| b[w[0].end] == b[groups[0].end])
}

/// The group lengths of a chain, to compare with a shape such as `[3, 4, 4]`.
pub(super) fn shape(groups: &[Run]) -> Vec<usize> {
    groups.iter().map(|g| g.len()).collect()
}

/// The digits of a chain without its separators.
pub(super) fn concat(text: &str, groups: &[Run]) -> String {
    groups.iter().map(|g| &text[g.start..g.end]).collect()
}

/// Whether `text[start..end]` is a number on its own rather than one side of a decimal
/// point: `114.13912345678` is a coordinate, not a phone number.
pub(super) fn stands_alone(text: &str, start: usize, end: usize) -> bool {
    let b = text.as_bytes();
    let fraction = start >= 2 && b[start - 1] == b'.' && b[start - 2].is_ascii_digit();
    let whole_part = b.get(end) == Some(&b'.') && b.get(end + 1).is_some_and(u8::is_ascii_digit);
    !fraction && !whole_part
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chains(text: &str) -> Vec<Vec<usize>> {
        let runs = runs(text);
        groups(text, &runs).into_iter().map(shape).collect()
    }

    #[test]
    fn runs_are_maximal() {
        let text = "a12b3456，78";
        let found: Vec<&str> = runs(text).iter().map(|r| &text[r.start..r.end]).collect();
        assert_eq!(found, ["12", "3456", "78"]);
    }

    #[test]
    fn chains_join_short_runs_by_one_separator() {
        assert_eq!(chains("139 1234 5678"), [vec![3, 4, 4]]);
        assert_eq!(chains("139-1234-5678号"), [vec![3, 4, 4]]);
        assert_eq!(
            chains("139  1234"),
            [vec![3], vec![4]],
            "two spaces part them"
        );
        assert_eq!(chains("12:30"), [vec![2], vec![2]]);
        assert_eq!(
            chains("13912345678 1234"),
            [vec![4]],
            "a long run is no group"
        );
    }

    #[test]
    fn decimals_do_not_stand_alone() {
        assert!(stands_alone("a12b", 1, 3));
        assert!(!stands_alone("3.14", 2, 4));
        assert!(!stands_alone("3.14", 0, 1));
        assert!(stands_alone("电话13912345678.", 6, 17));
    }
}
