//! People's identifiers: 身份证号 that are valid and unique, consistent with the holder's
//! sex and birth date, from plausible places of origin; and unique mobile numbers.

use chrono::{Datelike, Duration, NaiveDate};
use citymirror_core::ids;
use rand::Rng;

use crate::pick::{mix, pick_table, scatter};

/// The date ages are counted to. Fixed, so that output never depends on when it is made.
pub(crate) fn reference_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 30).expect("valid date")
}

fn earliest_birth() -> NaiveDate {
    NaiveDate::from_ymd_opt(1925, 1, 1).expect("valid date")
}

/// 户籍 (registered here), 流动 (migrants) and 境外 (from Hong Kong, Macao, Taiwan).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Residence {
    Registered,
    Migrant,
    Overseas,
}

impl Residence {
    pub fn as_str(self) -> &'static str {
        match self {
            Residence::Registered => "户籍",
            Residence::Migrant => "流动",
            Residence::Overseas => "境外",
        }
    }
}

/// Region codes (the first six digits of an id number).
const SHENZHEN: &[(&str, u32)] = &[
    ("440304", 80),
    ("440303", 5),
    ("440305", 5),
    ("440306", 3),
    ("440307", 3),
    ("440309", 2),
    ("440308", 1),
    ("440310", 1),
];
const ELSEWHERE: &[(&str, u32)] = &[
    ("440106", 6), // 广州天河
    ("440507", 5), // 汕头龙湖
    ("441402", 6), // 梅州梅江
    ("445202", 6), // 揭阳榕城
    ("440902", 5), // 茂名茂南
    ("440803", 4), // 湛江霞山
    ("441302", 4), // 惠州惠城
    ("441802", 3), // 清远清城
    ("430102", 5), // 长沙芙蓉
    ("431102", 4), // 永州零陵
    ("430602", 4), // 岳阳岳阳楼
    ("430421", 3), // 衡阳县
    ("420102", 4), // 武汉江岸
    ("421002", 3), // 荆州沙市
    ("360102", 3), // 南昌东湖
    ("360702", 4), // 赣州章贡
    ("450102", 3), // 南宁兴宁
    ("450802", 3), // 贵港港北
    ("510104", 3), // 成都锦江
    ("511302", 2), // 南充顺庆
    ("410102", 3), // 郑州中原
    ("411302", 2), // 南阳宛城
    ("350102", 2), // 福州鼓楼
    ("350583", 2), // 南安
    ("500101", 3), // 重庆万州
    ("340102", 1), // 合肥瑶海
    ("320102", 1), // 南京玄武
    ("330106", 1), // 杭州西湖
    ("370102", 1), // 济南历下
    ("110105", 1), // 北京朝阳
    ("310115", 1), // 上海浦东
    ("220102", 1), // 长春南关
    ("610113", 1), // 西安雁塔
];
/// 港澳台居民居住证 numbers use these codes in the id-number format.
const OVERSEAS: &[(&str, u32)] = &[("810000", 6), ("820000", 2), ("830000", 2)];

/// Age bands (years, inclusive) and their shares of Futian's residents.
const AGES: &[((i64, i64), u32)] = &[
    ((0, 6), 7),
    ((7, 17), 9),
    ((18, 24), 10),
    ((25, 34), 22),
    ((35, 44), 20),
    ((45, 59), 19),
    ((60, 74), 10),
    ((75, 95), 3),
];

const MOBILE_PREFIXES: &[&str] = &[
    "134", "135", "136", "137", "138", "139", "147", "150", "151", "152", "157", "158", "159",
    "178", "182", "183", "184", "187", "188", "198", "130", "131", "132", "155", "156", "166",
    "175", "176", "185", "186", "133", "153", "173", "177", "180", "181", "189", "191", "199",
];

/// Hands out identifiers that never repeat.
#[derive(Debug)]
pub(crate) struct Identities {
    /// How many id numbers each (region, birth day, sex) has used; at most 499 each.
    used: Vec<u16>,
    regions: Vec<&'static str>,
    mobiles: u64,
}

impl Default for Identities {
    fn default() -> Self {
        Identities::new()
    }
}

impl Identities {
    pub fn new() -> Identities {
        let regions: Vec<&'static str> = SHENZHEN
            .iter()
            .chain(ELSEWHERE)
            .chain(OVERSEAS)
            .map(|r| r.0)
            .collect();
        let days = (reference_date() - earliest_birth()).num_days() as usize + 1;
        Identities {
            used: vec![0; regions.len() * days * 2],
            regions,
            mobiles: 0,
        }
    }

    /// A birth date for a resident of a random age.
    pub fn birth_date(&self, rng: &mut impl Rng, adult: bool) -> NaiveDate {
        let (lo, hi) = loop {
            let band = pick_table(rng, AGES);
            if !adult || band.0 >= 18 {
                break band;
            }
        };
        let age_days = rng.gen_range(lo * 365..(hi + 1) * 365 - 1);
        (reference_date() - Duration::days(age_days)).max(earliest_birth())
    }

    pub fn region(&self, rng: &mut impl Rng, residence: Residence) -> &'static str {
        match residence {
            Residence::Registered => pick_table(rng, SHENZHEN),
            Residence::Migrant => pick_table(rng, ELSEWHERE),
            Residence::Overseas => pick_table(rng, OVERSEAS),
        }
    }

    /// A unique, valid id number for someone of this region, sex and birth date. If that
    /// day's sequence numbers are used up, the birth date moves on a day; the date the
    /// number encodes is returned with it.
    pub fn id_number(&mut self, region: &str, birth: NaiveDate, male: bool) -> (String, NaiveDate) {
        let r = self
            .regions
            .iter()
            .position(|&x| x == region)
            .expect("a region this type handed out");
        let days = (reference_date() - earliest_birth()).num_days() + 1;
        let mut day = (birth - earliest_birth()).num_days().clamp(0, days - 1);
        loop {
            let slot = (r * days as usize + day as usize) * 2 + male as usize;
            let k = self.used[slot];
            if k < 499 {
                self.used[slot] += 1;
                // Sequence numbers start at a place set by the slot, not at 1, and step by 2
                // so that their parity gives the sex (odd for men).
                let start = mix(r as u64, day as u64) % 499;
                let seq = 2 * ((start + k as u64) % 499) + if male { 1 } else { 2 };
                let date = earliest_birth() + Duration::days(day);
                let ymd = format!("{:04}{:02}{:02}", date.year(), date.month(), date.day());
                return (ids::resident_id(region, &ymd, seq as u16), date);
            }
            day = (day + 1) % days;
        }
    }

    /// A unique, valid mainland mobile number.
    pub fn mobile(&mut self, rng: &mut impl Rng) -> String {
        let n = scatter(self.mobiles, 100_000_000);
        self.mobiles += 1;
        let prefix = MOBILE_PREFIXES[rng.gen_range(0..MOBILE_PREFIXES.len())];
        format!("{prefix}{n:08}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pick::stream;
    use std::collections::BTreeSet;

    #[test]
    fn id_numbers_are_valid_unique_and_say_sex_and_birth() {
        let mut ids_ = Identities::new();
        let birth = NaiveDate::from_ymd_opt(1990, 5, 17).unwrap();
        let mut seen = BTreeSet::new();
        for i in 0..1200 {
            let male = i % 2 == 0;
            let (id, date) = ids_.id_number("440304", birth, male);
            assert!(ids::is_valid_resident_id(&id), "{id}");
            assert_eq!(&id[6..14], date.format("%Y%m%d").to_string());
            let seq: u32 = id[14..17].parse().unwrap();
            assert_eq!(seq % 2 == 1, male, "{id}");
            assert!(seen.insert(id));
        }
        let mut rng = stream(1, 2);
        let mobiles: BTreeSet<String> = (0..1000).map(|_| ids_.mobile(&mut rng)).collect();
        assert_eq!(mobiles.len(), 1000);
        assert!(mobiles.iter().all(|m| ids::is_valid_mobile(m)));
    }
}
