//! 银行卡号 in text: 16 to 19 digits that pass the Luhn check (ISO/IEC 7812), written
//! in one run or in groups of four (`6222 0212 3456 7890 123`).
//!
//! Luhn lets through one random number in ten, so a card number is the weakest of the
//! numeric recognisers: an 18-digit run that is also a valid id is taken as an id. One
//! that is also a valid credit code is still taken as a card, the more sensitive reading
//! (see `resolve` in the parent module).

use super::digits::{concat, same_separator, shape, stands_alone, Run};
use super::{PiiKind, PiiMatch};

const LENGTHS: std::ops::RangeInclusive<usize> = 16..=19;

pub(super) fn find(text: &str, runs: &[Run], groups: &[&[Run]], out: &mut Vec<PiiMatch>) {
    let mut push = |start, end| {
        out.push(PiiMatch {
            kind: PiiKind::BankCard,
            range: start..end,
        })
    };
    for run in runs {
        if LENGTHS.contains(&run.len())
            && stands_alone(text, run.start, run.end)
            && luhn_valid(&text.as_bytes()[run.start..run.end])
        {
            push(run.start, run.end);
        }
    }
    for chain in groups {
        let (first, last) = (chain[0], chain[chain.len() - 1]);
        if in_fours(&shape(chain))
            && same_separator(text, chain)
            && stands_alone(text, first.start, last.end)
            && luhn_valid(concat(text, chain).as_bytes())
        {
            push(first.start, last.end);
        }
    }
}

/// Four groups of four, then at most one shorter group: 16 to 19 digits.
fn in_fours(shape: &[usize]) -> bool {
    match shape {
        [4, 4, 4, 4] => true,
        [4, 4, 4, 4, last] => (1..=3).contains(last),
        _ => false,
    }
}

/// The Luhn check over ASCII digits: from the right, double every second digit, and the
/// digit sums must add up to a multiple of ten.
pub(super) fn luhn_valid(digits: &[u8]) -> bool {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            match (i % 2 == 1, d * 2) {
                (false, _) => d,
                (true, doubled) if doubled > 9 => doubled - 9,
                (true, doubled) => doubled,
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::tests::{card, check};
    use PiiKind::BankCard;

    #[test]
    fn luhn_examples() {
        // The textbook example, and a well-known test card number.
        assert!(luhn_valid(b"79927398713"));
        assert!(!luhn_valid(b"79927398710"));
        assert!(luhn_valid(b"4111111111111111"));
        assert!(!luhn_valid(b""));
    }

    #[test]
    fn luhn_valid_numbers_of_16_to_19_digits_are_cards() {
        check("卡号4111111111111111。", &[(BankCard, "4111111111111111")]);
        for body in ["621700000000123", "62170000000012345", "622202123456789012"] {
            let n = card(body);
            check(&format!("工资卡{n}，"), &[(BankCard, &n)]);
        }
    }

    #[test]
    fn luhn_invalid_numbers_are_not() {
        check("卡号4111111111111112", &[]);
        let n = card("622202123456789012");
        let wrong = format!("{}{}", &n[..18], (n.as_bytes()[18] - b'0' + 1) % 10);
        check(&format!("卡号{wrong}"), &[]);
    }

    #[test]
    fn groups_of_four_are_read_as_one_number() {
        check(
            "卡号4111 1111 1111 1111，",
            &[(BankCard, "4111 1111 1111 1111")],
        );
        check(
            "卡号4111-1111-1111-1111",
            &[(BankCard, "4111-1111-1111-1111")],
        );
        let n = card("622202123456789012");
        let grouped = format!(
            "{} {} {} {} {}",
            &n[..4],
            &n[4..8],
            &n[8..12],
            &n[12..16],
            &n[16..]
        );
        check(&format!("卡号{grouped}"), &[(BankCard, &grouped)]);
    }

    #[test]
    fn groups_that_go_on_are_not_a_card() {
        check("编号4111 1111 1111 1111 1111", &[]);
        check("编号1234 4111 1111 1111 1111", &[]);
        check("卡号4111 1111-1111 1111", &[]);
    }

    #[test]
    fn a_card_next_to_a_phone_number_is_still_a_card() {
        use PiiKind::Mobile;
        check(
            "4111 1111 1111 1111 13912345678",
            &[(BankCard, "4111 1111 1111 1111"), (Mobile, "13912345678")],
        );
    }
}
