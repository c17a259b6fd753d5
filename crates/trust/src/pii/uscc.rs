//! 统一社会信用代码 in text: 18 characters from GB 32100's alphabet (digits and capitals
//! without I, O, S, V, Z) whose last is the check character.
//!
//! A credit code is public (it is printed on every licence and on the national register),
//! so it is recognised to be named and audited rather than to be masked. One in ten
//! all-digit codes also passes Luhn; those are taken as card numbers and masked, which
//! costs nothing. It must stand as a whole word: no letter or digit right before or
//! after it.

use citymirror_core::ids::is_valid_uscc;

use super::{PiiKind, PiiMatch};

const LEN: usize = 18;

pub(super) fn find(text: &str, out: &mut Vec<PiiMatch>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        if i - start == LEN && is_valid_uscc(&text[start..i]) {
            out.push(PiiMatch {
                kind: PiiKind::Uscc,
                range: start..i,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::tests::check;
    use citymirror_core::ids::uscc;
    use PiiKind::Uscc;

    #[test]
    fn credit_codes_are_found() {
        // A published code (Huawei Technologies Co., Ltd.).
        check(
            "统一社会信用代码：914403001922038216。",
            &[(Uscc, "914403001922038216")],
        );
        for serial in [1, 12_345_678, 99_999_999] {
            let code = uscc("440304", serial);
            check(&format!("企业{code}已登记"), &[(Uscc, &code)]);
        }
    }

    #[test]
    fn a_wrong_check_character_or_a_longer_word_is_not() {
        check("代码914403001922038217", &[]);
        check("代码A914403001922038216", &[]);
        check("代码914403001922038216B", &[]);
    }
}
