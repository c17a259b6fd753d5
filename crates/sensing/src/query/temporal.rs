//! ISO 8601 as SensorThings uses it: instants with an offset, intervals `start/end`
//! (an Observation's `phenomenonTime` may be either), dates, and day-time durations.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeDelta, Utc};

pub(crate) type Instant = DateTime<FixedOffset>;

/// A stretch of time; an instant is the span that starts and ends at it. Comparing spans
/// rather than instants is what lets one rule cover instants and intervals alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: Instant,
    pub end: Instant,
}

impl Span {
    pub fn at(t: Instant) -> Self {
        Span { start: t, end: t }
    }
}

/// An instant with an explicit offset. Without one the instant is ambiguous, so such text
/// is not an instant (it stays a string).
pub(crate) fn parse_instant(s: &str) -> Option<Instant> {
    if !looks_like_date(s) || s.len() < 11 {
        return None;
    }
    DateTime::parse_from_rfc3339(s)
        .ok()
        // `+0800` and minute-precision forms are common from devices; RFC 3339 refuses them.
        .or_else(|| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z").ok())
        .or_else(|| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M%z").ok())
}

/// `2026-01-01`.
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    if s.len() != 10 || !looks_like_date(s) {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Midnight UTC of a date: how a bare date compares against instants.
pub(crate) fn date_start(d: NaiveDate) -> Instant {
    d.and_time(NaiveTime::MIN).and_utc().fixed_offset()
}

/// An instant, an interval `start/end`, or a date, from text found in an entity.
pub(crate) fn parse_span(s: &str) -> Option<Span> {
    if !looks_like_date(s) {
        return None;
    }
    if let Some((a, b)) = s.split_once('/') {
        let (start, end) = (parse_instant(a)?, parse_instant(b)?);
        return (start <= end).then_some(Span { start, end });
    }
    parse_instant(s)
        .or_else(|| parse_date(s).map(date_start))
        .map(Span::at)
}

/// A cheap guard so that comparing ordinary strings never pays for a date parse.
fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && b[7] == b'-'
}

// OData's mindatetime()/maxdatetime() span years 1 to 9999 (Edm.DateTimeOffset's range),
// not chrono's far wider one, so the values print as ordinary ISO 8601.
pub(crate) fn min_instant() -> Instant {
    NaiveDate::from_ymd_opt(1, 1, 1)
        .map(date_start)
        .unwrap_or_else(|| DateTime::<Utc>::MIN_UTC.fixed_offset())
}

pub(crate) fn max_instant() -> Instant {
    NaiveDate::from_ymd_opt(9999, 12, 31)
        .and_then(|d| d.and_hms_nano_opt(23, 59, 59, 999_999_999))
        .map(|t| t.and_utc().fixed_offset())
        .unwrap_or_else(|| DateTime::<Utc>::MAX_UTC.fixed_offset())
}

/// `P1D`, `PT1H30M`, `-PT0.5S`, `P2W`. Years and months are refused: they have no fixed
/// length, and OData's Edm.Duration is a day-time duration.
pub(crate) fn parse_duration(s: &str) -> Option<TimeDelta> {
    let (negative, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let rest = rest.strip_prefix('P')?;
    let (date_part, time_part) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    if rest.is_empty() || time_part == Some("") {
        return None;
    }
    let mut total = TimeDelta::zero();
    for (n, unit) in components(date_part)? {
        let secs_per = match unit {
            'W' => 7 * 86_400,
            'D' => 86_400,
            _ => return None,
        };
        total = total.checked_add(&seconds(n, secs_per)?)?;
    }
    if let Some(t) = time_part {
        for (n, unit) in components(t)? {
            let secs_per = match unit {
                'H' => 3_600,
                'M' => 60,
                'S' => 1,
                _ => return None,
            };
            total = total.checked_add(&seconds(n, secs_per)?)?;
        }
    }
    Some(if negative { -total } else { total })
}

/// `1D12` → [(1, 'D')], refusing a number without a unit.
fn components(s: &str) -> Option<Vec<(f64, char)>> {
    let mut out = Vec::new();
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
        } else {
            if num.is_empty() {
                return None;
            }
            out.push((num.parse::<f64>().ok()?, c));
            num.clear();
        }
    }
    num.is_empty().then_some(out)
}

fn seconds(n: f64, per: i64) -> Option<TimeDelta> {
    let nanos = n * per as f64 * 1e9;
    if !nanos.is_finite() || nanos.abs() > i64::MAX as f64 {
        return None;
    }
    Some(TimeDelta::nanoseconds(nanos.round() as i64))
}

/// The ISO 8601 text of a duration, the form `eval` hands back for duration values.
pub(crate) fn format_duration(d: TimeDelta) -> String {
    let negative = d < TimeDelta::zero();
    let d = d.abs();
    let secs = d.num_seconds();
    let nanos = d.subsec_nanos();
    let (days, hours, minutes, s) = (secs / 86_400, secs / 3_600 % 24, secs / 60 % 60, secs % 60);
    let mut out = String::from(if negative { "-P" } else { "P" });
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if hours > 0 || minutes > 0 || s > 0 || nanos > 0 || days == 0 {
        out.push('T');
        if hours > 0 {
            out.push_str(&format!("{hours}H"));
        }
        if minutes > 0 {
            out.push_str(&format!("{minutes}M"));
        }
        if s > 0 || nanos > 0 || (hours == 0 && minutes == 0) {
            if nanos > 0 {
                let frac = format!("{:09}", nanos);
                out.push_str(&format!("{s}.{}S", frac.trim_end_matches('0')));
            } else {
                out.push_str(&format!("{s}S"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_need_an_offset() {
        assert!(parse_instant("2026-01-01T00:00:00Z").is_some());
        assert!(parse_instant("2026-01-01T08:00:00.000+08:00").is_some());
        assert!(parse_instant("2026-01-01T08:00:00+0800").is_some());
        assert_eq!(
            parse_instant("2026-01-01T08:00:00+08:00"),
            parse_instant("2026-01-01T00:00:00Z")
        );
        assert!(parse_instant("2026-01-01T00:00:00").is_none());
        assert!(parse_instant("hello").is_none());
    }

    #[test]
    fn an_interval_is_a_span_and_a_date_is_its_midnight() {
        let s = parse_span("2026-01-01T00:00:00Z/2026-01-02T00:00:00Z").unwrap();
        assert!(s.start < s.end);
        assert!(parse_span("2026-01-02T00:00:00Z/2026-01-01T00:00:00Z").is_none());
        let d = parse_span("2026-01-01").unwrap();
        assert_eq!(d.start, parse_instant("2026-01-01T00:00:00Z").unwrap());
    }

    #[test]
    fn durations_round_trip() {
        for text in ["P1D", "PT1H30M", "P1DT2H3M4.5S", "PT0S", "-PT0.25S"] {
            let d = parse_duration(text).unwrap();
            assert_eq!(format_duration(d), text);
        }
        assert_eq!(parse_duration("P2W"), Some(TimeDelta::days(14)));
        assert_eq!(parse_duration("P1Y"), None);
        assert_eq!(parse_duration("P"), None);
        assert_eq!(parse_duration("PT"), None);
        assert_eq!(parse_duration("P1"), None);
    }
}
