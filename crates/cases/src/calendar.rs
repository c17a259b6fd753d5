//! The working-day calendar: weekends, China's public holidays, and the make-up working
//! days (调休) that move weekend days into the week.
//!
//! The `chinese_holiday` crate holds the State Council's notices from 2004 to the day
//! its table ends (2026-12-25 in this release) and panics past it, so it is asked only
//! inside that range. Each later year is loaded from its notice ([`Notice`], a small
//! JSON file an operator writes when the State Council publishes the year's schedule).
//! A date in neither is taken as a plain week (Saturday and Sunday off) and reported as
//! [`Day::known`] = false, so that the workbench can say the calendar needs the notice.
//!
//! Days are China Standard Time dates (UTC+8, no daylight saving).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, TimeZone, Utc, Weekday};
use serde::Deserialize;

/// China Standard Time.
pub fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The dates the crate's table covers.
const TABLE_FIRST: (i32, u32, u32) = (2004, 1, 1);
const TABLE_LAST: (i32, u32, u32) = (2026, 12, 25);

fn ymd((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid constant date")
}

/// A year's holiday schedule, as the State Council's notice gives it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    pub year: i32,
    /// Where it comes from (the notice's title and number).
    pub source: String,
    /// Days off that would otherwise be working days.
    pub holidays: BTreeSet<NaiveDate>,
    /// Weekend days that are working days (调休上班).
    pub workdays: BTreeSet<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("the holiday notice is not valid JSON of the expected shape: {0}")]
    Format(String),
    #[error("the notice for {year} lists {date}, which is not in {year}")]
    WrongYear { year: i32, date: NaiveDate },
    #[error("the notice for {year} lists {date} as both a holiday and a working day")]
    Both { year: i32, date: NaiveDate },
    #[error("{year} is in the built-in table (up to {last}); a notice can only add later years")]
    Builtin { year: i32, last: NaiveDate },
}

impl Notice {
    pub fn from_json(text: &str) -> Result<Notice, CalendarError> {
        serde_json::from_str(text).map_err(|e| CalendarError::Format(e.to_string()))
    }
}

/// What the calendar says of one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day {
    pub workday: bool,
    /// False when no source covers the date and a plain week was assumed.
    pub known: bool,
}

#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    notices: BTreeMap<i32, Notice>,
}

impl WorkCalendar {
    /// The built-in table only.
    pub fn new() -> WorkCalendar {
        WorkCalendar::default()
    }

    /// Adds a later year's notice.
    pub fn with_notice(mut self, notice: Notice) -> Result<WorkCalendar, CalendarError> {
        let last = ymd(TABLE_LAST);
        if notice.year <= last.year() {
            return Err(CalendarError::Builtin {
                year: notice.year,
                last,
            });
        }
        for &date in notice.holidays.iter().chain(&notice.workdays) {
            if date.year() != notice.year {
                return Err(CalendarError::WrongYear {
                    year: notice.year,
                    date,
                });
            }
        }
        if let Some(&date) = notice.holidays.intersection(&notice.workdays).next() {
            return Err(CalendarError::Both {
                year: notice.year,
                date,
            });
        }
        self.notices.insert(notice.year, notice);
        Ok(self)
    }

    /// The years notices were loaded for.
    pub fn notice_years(&self) -> Vec<i32> {
        self.notices.keys().copied().collect()
    }

    pub fn day(&self, date: NaiveDate) -> Day {
        let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        if (ymd(TABLE_FIRST)..=ymd(TABLE_LAST)).contains(&date) {
            let kind = chinese_holiday::chinese_holiday(chinese_holiday::Ymd::new(
                date.year() as u16,
                date.month() as u8,
                date.day() as u8,
            ));
            return Day {
                workday: kind.is_workday(),
                known: true,
            };
        }
        match self.notices.get(&date.year()) {
            Some(n) => Day {
                workday: n.workdays.contains(&date) || (!weekend && !n.holidays.contains(&date)),
                known: true,
            },
            None => Day {
                workday: !weekend,
                known: false,
            },
        }
    }

    pub fn is_workday(&self, date: NaiveDate) -> bool {
        self.day(date).workday
    }

    /// The same local time on the `n`-th working day after `from`'s date.
    pub fn add_working_days(&self, from: DateTime<Utc>, n: u32) -> DateTime<Utc> {
        let local = from.with_timezone(&cst());
        let mut date = local.date_naive();
        let mut left = n;
        while left > 0 {
            date = date.succ_opt().expect("dates stay in range");
            if self.is_workday(date) {
                left -= 1;
            }
        }
        cst()
            .from_local_datetime(&date.and_time(local.time()))
            .single()
            .expect("a fixed offset has one local time")
            .with_timezone(&Utc)
    }

    /// Working days between two instants, counting each working day by the share of
    /// it that lies between them (for handling times in working days).
    pub fn working_days_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
        if b <= a {
            return 0.0;
        }
        let (a, b) = (a.with_timezone(&cst()), b.with_timezone(&cst()));
        let mut total = 0.0;
        let mut date = a.date_naive();
        while date <= b.date_naive() {
            if self.is_workday(date) {
                let start = cst()
                    .from_local_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight"))
                    .single()
                    .expect("a fixed offset has one local time");
                let end = start + Duration::days(1);
                let (from, to) = (a.max(start), b.min(end));
                if to > from {
                    total += (to - from).num_seconds() as f64 / 86_400.0;
                }
            }
            date = date.succ_opt().expect("dates stay in range");
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn at(y: i32, m: u32, day: u32, h: u32) -> DateTime<Utc> {
        cst()
            .with_ymd_and_hms(y, m, day, h, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn holidays_and_make_up_days_come_from_the_table() {
        let c = WorkCalendar::new();
        // National Day 2025, and the Sunday before it that was worked (2025-09-28).
        assert!(!c.is_workday(d(2025, 10, 1)));
        assert!(c.is_workday(d(2025, 9, 28)));
        assert!(c.day(d(2025, 9, 28)).known);
        // An ordinary Saturday.
        assert!(!c.is_workday(d(2025, 11, 15)));
    }

    #[test]
    fn a_date_past_the_table_does_not_panic_and_says_it_is_assumed() {
        let c = WorkCalendar::new();
        let day = c.day(d(2027, 2, 8)); // a Monday
        assert_eq!(
            day,
            Day {
                workday: true,
                known: false
            }
        );
        assert!(!c.day(d(2026, 12, 26)).workday); // Saturday, past 12-25
        let notice = Notice::from_json(
            r#"{"year":2027,"source":"test notice","holidays":["2027-02-08"],"workdays":["2027-02-06"]}"#,
        )
        .unwrap();
        let c = c.with_notice(notice).unwrap();
        assert_eq!(
            c.day(d(2027, 2, 8)),
            Day {
                workday: false,
                known: true
            }
        );
        assert!(c.is_workday(d(2027, 2, 6))); // a Saturday worked
        assert!(c.day(d(2027, 3, 1)).known);
    }

    #[test]
    fn notices_are_checked() {
        let bad = |json: &str| WorkCalendar::new().with_notice(Notice::from_json(json).unwrap());
        assert!(matches!(
            bad(r#"{"year":2027,"source":"x","holidays":["2028-01-01"],"workdays":[]}"#),
            Err(CalendarError::WrongYear { .. })
        ));
        assert!(matches!(
            bad(
                r#"{"year":2027,"source":"x","holidays":["2027-01-01"],"workdays":["2027-01-01"]}"#
            ),
            Err(CalendarError::Both { .. })
        ));
        assert!(matches!(
            bad(r#"{"year":2025,"source":"x","holidays":[],"workdays":[]}"#),
            Err(CalendarError::Builtin { .. })
        ));
        assert!(Notice::from_json(r#"{"year":2027}"#).is_err());
    }

    #[test]
    fn working_days_skip_the_holiday_and_count_the_make_up_day() {
        let c = WorkCalendar::new();
        // Friday 2025-09-26 10:00 + 2 working days: Sunday 28th is worked → the 28th
        // is the first, Monday 29th the second.
        assert_eq!(
            c.add_working_days(at(2025, 9, 26, 10), 2),
            at(2025, 9, 29, 10)
        );
        // Tuesday 2025-09-30 + 1 working day: 1–8 October are off → 9 October.
        assert_eq!(
            c.add_working_days(at(2025, 9, 30, 10), 1),
            at(2025, 10, 9, 10)
        );
        // A whole holiday week counts nothing; a working day counts one.
        assert_eq!(
            c.working_days_between(at(2025, 10, 1, 0), at(2025, 10, 8, 0)),
            0.0
        );
        let half = c.working_days_between(at(2025, 10, 9, 12), at(2025, 10, 10, 0));
        assert!((half - 0.5).abs() < 1e-9, "{half}");
    }
}
