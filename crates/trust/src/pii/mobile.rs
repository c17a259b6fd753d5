//! 手机号码 in text, as people write them: `13912345678`, `139 1234 5678`,
//! `139-1234-5678`, each with or without a country code (`+86 `, `86`, `0086`).
//!
//! The match covers the eleven digits and the separators between them, not the country
//! code, which identifies no one and stays in the masked text (`+86 139****5678`).
//! Fixed-line numbers are not recognised: they mostly belong to offices and shops.

use citymirror_core::ids::is_valid_mobile;

use super::digits::{concat, same_separator, shape, stands_alone, Run};
use super::{PiiKind, PiiMatch};

pub(super) fn find(text: &str, runs: &[Run], groups: &[&[Run]], out: &mut Vec<PiiMatch>) {
    let mut push = |range| {
        out.push(PiiMatch {
            kind: PiiKind::Mobile,
            range,
        })
    };
    for run in runs {
        let digits = &text[run.start..run.end];
        // Written without separators, a country code is part of the run.
        let prefix = match digits.len() {
            11 => 0,
            13 if digits.starts_with("86") => 2,
            15 if digits.starts_with("0086") => 4,
            _ => continue,
        };
        if stands_alone(text, run.start, run.end) && is_valid_mobile(&digits[prefix..]) {
            push(run.start + prefix..run.end);
        }
    }
    for chain in groups {
        let (code, number) = chain.split_at(chain.len().saturating_sub(3));
        let code_ok = match code {
            [] => true,
            [code] => is_country_code(&text[code.start..code.end]),
            _ => false,
        };
        let (first, last) = (number[0], number[number.len() - 1]);
        if code_ok
            && shape(number) == [3, 4, 4]
            && same_separator(text, number)
            && stands_alone(text, chain[0].start, last.end)
            && is_valid_mobile(&concat(text, number))
        {
            push(first.start..last.end);
        }
    }
}

/// Whether `s` is China's country code as written before a mobile number: `86`, `+86`,
/// `0086`, with a space or dash after it or not.
pub(super) fn is_country_code(s: &str) -> bool {
    let code = s.trim_end_matches([' ', '-']);
    matches!(code.strip_prefix('+').unwrap_or(code), "86" | "0086")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::tests::check;
    use PiiKind::Mobile;

    #[test]
    fn every_written_form_is_found() {
        check("电话13912345678，", &[(Mobile, "13912345678")]);
        check("电话139 1234 5678，", &[(Mobile, "139 1234 5678")]);
        check("电话139-1234-5678", &[(Mobile, "139-1234-5678")]);
        check("tel13912345678", &[(Mobile, "13912345678")]);
        check(
            "联系我19912345678或17012345678",
            &[(Mobile, "19912345678"), (Mobile, "17012345678")],
        );
        check(
            "两个号码13912345678 13812345678",
            &[(Mobile, "13912345678"), (Mobile, "13812345678")],
        );
    }

    #[test]
    fn a_country_code_is_allowed_but_not_matched() {
        check("+8613912345678", &[(Mobile, "13912345678")]);
        check("8613912345678", &[(Mobile, "13912345678")]);
        check("008613912345678", &[(Mobile, "13912345678")]);
        check("+86 13912345678", &[(Mobile, "13912345678")]);
        check("+86 139 1234 5678", &[(Mobile, "139 1234 5678")]);
        check("+86-139-1234-5678", &[(Mobile, "139-1234-5678")]);
        check("0086 139 1234 5678", &[(Mobile, "139 1234 5678")]);
        assert!(is_country_code("+86 "));
        assert!(!is_country_code("+1 "));
    }

    #[test]
    fn not_a_mobile() {
        check("12912345678", &[]);
        check("1391234567", &[]);
        check("139123456789", &[]);
        check("9913912345678", &[]);
        check("第2 139 1234 5678", &[]);
        check("139-1234 5678", &[]);
        check("139 1234 56789", &[]);
        check("经度114.13912345678", &[]);
    }
}
