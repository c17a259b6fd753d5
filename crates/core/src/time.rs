//! The `datetime` parameter of OGC API Features: an instant, or an interval whose ends
//! may be open (`..` or empty). Dates and RFC 3339 date-times are accepted.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use crate::ValueError;

pub type Instant = DateTime<Utc>;

/// A closed or half-open time interval; `None` ends are unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    pub start: Option<Instant>,
    pub end: Option<Instant>,
}

impl Interval {
    /// Whether the whole day `date` overlaps this interval.
    pub fn overlaps_date(&self, date: NaiveDate) -> bool {
        let day_start = date.and_time(NaiveTime::MIN).and_utc();
        let day_end = day_start + chrono::Duration::days(1);
        self.start.is_none_or(|s| s < day_end) && self.end.is_none_or(|e| e >= day_start)
    }
}

fn parse_instant(raw: &str, end_of_day: bool) -> Result<Instant, ValueError> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(raw) {
        return Ok(dt.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        let t = if end_of_day {
            NaiveTime::from_hms_milli_opt(23, 59, 59, 999).unwrap()
        } else {
            NaiveTime::MIN
        };
        return Ok(d.and_time(t).and_utc());
    }
    Err(ValueError::Invalid {
        what: "datetime",
        reason: format!("`{raw}` is neither a date (2024-01-31) nor an RFC 3339 date-time"),
    })
}

/// Parses `2024-01-01`, `2024-01-01T00:00:00Z`, `2020-01-01/2024-01-01`, `../2024-01-01`,
/// `2020-01-01/..` or `2020-01-01/`.
pub fn parse_datetime_interval(raw: &str) -> Result<Interval, ValueError> {
    let raw = raw.trim();
    let open = |s: &str| s.is_empty() || s == "..";
    match raw.split_once('/') {
        None => {
            if open(raw) {
                return Err(ValueError::Invalid {
                    what: "datetime",
                    reason: "empty instant".into(),
                });
            }
            Ok(Interval {
                start: Some(parse_instant(raw, false)?),
                end: Some(parse_instant(raw, true)?),
            })
        }
        Some((a, b)) => {
            if b.contains('/') || (open(a) && open(b)) {
                return Err(ValueError::Invalid {
                    what: "datetime",
                    reason: format!("`{raw}` is not an interval"),
                });
            }
            let start = if open(a) {
                None
            } else {
                Some(parse_instant(a, false)?)
            };
            let end = if open(b) {
                None
            } else {
                Some(parse_instant(b, true)?)
            };
            if let (Some(s), Some(e)) = (start, end) {
                if s > e {
                    return Err(ValueError::Invalid {
                        what: "datetime",
                        reason: format!("`{raw}` ends before it starts"),
                    });
                }
            }
            Ok(Interval { start, end })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn instants_and_intervals() {
        let i = parse_datetime_interval("2020-05-01").unwrap();
        assert!(i.overlaps_date(date("2020-05-01")));
        assert!(!i.overlaps_date(date("2020-05-02")));
        let i = parse_datetime_interval("2015-01-01/2024-01-01").unwrap();
        assert!(i.overlaps_date(date("2015-01-01")) && i.overlaps_date(date("2024-01-01")));
        assert!(!i.overlaps_date(date("2014-12-31")));
        let i = parse_datetime_interval("../2010-01-01T00:00:00Z").unwrap();
        assert!(i.overlaps_date(date("1990-01-01")) && !i.overlaps_date(date("2011-01-01")));
        assert!(parse_datetime_interval("2018-01-01/")
            .unwrap()
            .overlaps_date(date("2030-01-01")));
    }

    #[test]
    fn malformed_datetimes_are_errors() {
        for bad in [
            "",
            "../..",
            "yesterday",
            "2020-02-30",
            "2024-01-01/2020-01-01",
            "a/b/c",
            "2020-01-01/x",
        ] {
            assert!(parse_datetime_interval(bad).is_err(), "{bad}");
        }
    }
}
