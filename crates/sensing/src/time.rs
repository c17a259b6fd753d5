//! SensorThings times: an instant, or an ISO 8601 interval `start/end` (OGC 18-088 §8.2.4:
//! `phenomenonTime` may be either; `validTime` is always an interval).

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimeValue {
    pub start: DateTime<Utc>,
    /// Set for an interval (and then not before `start`).
    pub end: Option<DateTime<Utc>>,
}

impl TimeValue {
    pub fn instant(t: DateTime<Utc>) -> TimeValue {
        TimeValue {
            start: t.trunc_subsecs(3),
            end: None,
        }
    }

    /// Parses `2026-12-07T08:00:00Z`, an offset time, or `start/end`.
    pub fn parse(text: &str) -> Result<TimeValue, String> {
        let one = |s: &str| {
            DateTime::parse_from_rfc3339(s.trim())
                // Kept to the millisecond, as both stores keep instants.
                .map(|t| t.with_timezone(&Utc).trunc_subsecs(3))
                .map_err(|_| format!("`{s}` is not an ISO 8601 time such as 2026-12-07T08:00:00Z"))
        };
        match text.split_once('/') {
            None => Ok(TimeValue::instant(one(text)?)),
            Some((a, b)) => {
                let (start, end) = (one(a)?, one(b)?);
                if end < start {
                    return Err(format!("the interval `{text}` ends before it starts"));
                }
                Ok(TimeValue {
                    start,
                    end: Some(end),
                })
            }
        }
    }

    pub fn from_json(v: &Value) -> Result<TimeValue, String> {
        match v {
            Value::String(s) => TimeValue::parse(s),
            _ => Err("a time is a string such as 2026-12-07T08:00:00Z".into()),
        }
    }

    pub fn last(&self) -> DateTime<Utc> {
        self.end.unwrap_or(self.start)
    }

    pub fn to_json(&self) -> Value {
        Value::String(self.to_string())
    }
}

/// The form SensorThings servers answer with: milliseconds, `Z`.
pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl std::fmt::Display for TimeValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.end {
            None => f.write_str(&iso(self.start)),
            Some(end) => write!(f, "{}/{}", iso(self.start), iso(end)),
        }
    }
}

/// The smallest interval holding both (a Datastream's `phenomenonTime`).
pub fn span(a: Option<TimeValue>, b: TimeValue) -> TimeValue {
    match a {
        None => b,
        Some(a) => {
            let start = a.start.min(b.start);
            let end = a.last().max(b.last());
            TimeValue {
                start,
                end: (end != start).then_some(end),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_and_intervals() {
        let t = TimeValue::parse("2026-12-07T16:00:00+08:00").unwrap();
        assert_eq!(t.to_string(), "2026-12-07T08:00:00.000Z");
        let i = TimeValue::parse("2026-12-07T08:00:00Z/2026-12-07T09:00:00Z").unwrap();
        assert_eq!(i.last().to_rfc3339(), "2026-12-07T09:00:00+00:00");
        assert!(TimeValue::parse("2026-12-07T09:00:00Z/2026-12-07T08:00:00Z").is_err());
        assert!(TimeValue::parse("yesterday").is_err());
    }
}
