//! Chinese identifiers with their check digits: 居民身份证号 (GB 11643), 统一社会信用代码
//! (GB 32100), 组织机构代码 (GB 11714), mobile numbers and GB/T 28181 video device ids.
//! Each has a validator (for recognisers and import) and a constructor that computes the
//! check digit (for the generator).

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// The check character of an 18-digit resident id, from its first 17 digits.
pub fn resident_id_check(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17
        .bytes()
        .zip(ID_WEIGHTS)
        .map(|(b, w)| (b - b'0') as u32 * w)
        .sum();
    Some(ID_CHECK[(sum % 11) as usize] as char)
}

/// Builds a resident id: 6-digit region, birth date `YYYYMMDD`, 3-digit sequence (odd for
/// men, even for women), check character.
pub fn resident_id(region: &str, birth_yyyymmdd: &str, seq: u16) -> String {
    let body = format!("{region}{birth_yyyymmdd}{:03}", seq % 1000);
    let check = resident_id_check(&body).expect("region and date are digits");
    format!("{body}{check}")
}

/// True for an 18-character resident id with a valid date and check character.
pub fn is_valid_resident_id(s: &str) -> bool {
    let b = s.as_bytes();
    // ASCII first: slicing at byte 17 below must not cut a character in two.
    if b.len() != 18 || !s.is_ascii() {
        return false;
    }
    let check = (b[17] as char).to_ascii_uppercase();
    let Some(expected) = resident_id_check(&s[..17]) else {
        return false;
    };
    expected == check && chrono::NaiveDate::parse_from_str(&s[6..14], "%Y%m%d").is_ok()
}

const USCC_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

fn uscc_value(c: u8) -> Option<u32> {
    USCC_CHARS.iter().position(|&x| x == c).map(|p| p as u32)
}

/// The check character of a 统一社会信用代码, from its first 17 characters.
pub fn uscc_check(first17: &str) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.bytes().zip(USCC_WEIGHTS) {
        sum += uscc_value(c)? * w;
    }
    let v = (31 - sum % 31) % 31;
    Some(USCC_CHARS[v as usize] as char)
}

/// The check character of a 9-character 组织机构代码, from its first 8 characters.
pub fn org_code_check(first8: &str) -> Option<char> {
    if first8.len() != 8 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first8.bytes().zip(ORG_WEIGHTS) {
        let v = match c {
            b'0'..=b'9' => (c - b'0') as u32,
            b'A'..=b'Z' => (c - b'A') as u32 + 10,
            _ => return None,
        };
        sum += v * w;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        n => char::from_digit(n, 10).unwrap(),
    })
}

/// Builds a 统一社会信用代码 for an enterprise (登记管理部门 9, 机构类别 1) registered in
/// `region`, with an organisation code body of 8 digits from `serial`.
pub fn uscc(region: &str, serial: u32) -> String {
    let body8 = format!("{:08}", serial % 100_000_000);
    let org = format!("{body8}{}", org_code_check(&body8).unwrap());
    let first17 = format!("91{region}{org}");
    format!("{first17}{}", uscc_check(&first17).unwrap())
}

/// True for an 18-character 统一社会信用代码 whose check character is right.
pub fn is_valid_uscc(s: &str) -> bool {
    s.len() == 18
        && s.is_ascii()
        && uscc_check(&s[..17]).is_some_and(|c| c as u8 == s.as_bytes()[17])
}

/// True for a mainland mobile number: 11 digits, `1[3-9]` prefix.
pub fn is_valid_mobile(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 11
        && b.iter().all(u8::is_ascii_digit)
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
}

/// GB/T 28181 device type code for a network camera (IPC).
pub const GB28181_TYPE_IPC: u16 = 132;

/// Builds a 20-digit GB/T 28181 id: 8-digit centre code (6-digit region + 2-digit base
/// unit), 2-digit industry code, 3-digit type code, 7-digit serial.
pub fn gb28181_id(region: &str, unit: u8, industry: u8, type_code: u16, serial: u32) -> String {
    format!(
        "{region}{:02}{:02}{:03}{:07}",
        unit % 100,
        industry % 100,
        type_code % 1000,
        serial % 10_000_000
    )
}

/// True for a 20-digit GB/T 28181 id whose type code is a known device type (111–199).
pub fn is_valid_gb28181_id(s: &str) -> bool {
    s.len() == 20
        && s.bytes().all(|b| b.is_ascii_digit())
        && s[10..13]
            .parse::<u16>()
            .is_ok_and(|t| (111..=199).contains(&t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resident_id_check_digit() {
        // The example from GB 11643-1999.
        assert_eq!(resident_id_check("11010519491231002"), Some('X'));
        assert!(is_valid_resident_id("11010519491231002X"));
        assert!(is_valid_resident_id("11010519491231002x"));
        assert!(!is_valid_resident_id("110105194912310021"));
        assert!(!is_valid_resident_id("11010519491331002X"), "month 13");
        let id = resident_id("440304", "19900101", 123);
        assert!(is_valid_resident_id(&id), "{id}");
    }

    #[test]
    fn non_ascii_ids_are_invalid_not_a_panic() {
        // Found by the `identifiers` fuzz target: 18 bytes with a two-byte character
        // across byte 17 used to panic slicing the first 17.
        assert!(!is_valid_resident_id("1101051949123100é"));
        assert!(!is_valid_resident_id("1(01051(01051949ϙ"));
        assert!(!is_valid_resident_id("11010519491231002Ｘ"));
        assert!(!is_valid_uscc("9144030019220382é"));
    }

    #[test]
    fn uscc_check_digit() {
        // A published code (Huawei Technologies Co., Ltd.).
        assert!(is_valid_uscc("914403001922038216"));
        assert!(!is_valid_uscc("914403001922038217"));
        let code = uscc("440304", 12_345_678);
        assert!(is_valid_uscc(&code), "{code}");
        assert_eq!(code.len(), 18);
    }

    #[test]
    fn org_code_check_digit() {
        // 19220382-1 is the organisation code inside Huawei's credit code above.
        assert_eq!(org_code_check("19220382"), Some('1'));
    }

    #[test]
    fn mobiles_and_gb28181() {
        assert!(is_valid_mobile("13800138000"));
        assert!(!is_valid_mobile("12800138000"));
        assert!(!is_valid_mobile("1380013800"));
        let id = gb28181_id("440304", 0, 0, GB28181_TYPE_IPC, 42);
        assert_eq!(id, "44030400001320000042");
        assert!(is_valid_gb28181_id(&id));
        assert!(!is_valid_gb28181_id("44030400000010000042"));
    }
}
