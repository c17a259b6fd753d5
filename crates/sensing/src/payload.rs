//! What arrives over MQTT, read into observations: the SensorThings MQTT extension
//! (`v1.1/Datastreams(id)/Observations` with an Observation as JSON, OGC 18-088 §14.2)
//! and the compact form most Chinese IoT gateways send — one line per reading,
//! `serial,time,value[,value…]`, the values in the order the device type lists its
//! quantities (`catalog::quantities`), an empty field for a value not measured, the
//! time as Unix seconds or milliseconds or ISO 8601, several lines in one message.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

use crate::{
    observation::{Observation, Stream},
    time::TimeValue,
};

/// Why a message (or one line of it) gave no observation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not readable in the form its topic implies.
    Malformed(String),
    /// Names a device or datastream the platform does not know.
    Unknown(String),
    /// Stamped outside what is kept, or too far ahead of the server's clock.
    OutOfRange(String),
}

impl Refusal {
    pub fn kind(&self) -> &'static str {
        match self {
            Refusal::Malformed(_) => "malformed",
            Refusal::Unknown(_) => "unknown",
            Refusal::OutOfRange(_) => "out_of_range",
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Refusal::Malformed(m) | Refusal::Unknown(m) | Refusal::OutOfRange(m) => m,
        }
    }
}

/// A reading of the compact form, before its device is looked up.
#[derive(Clone, Debug, PartialEq)]
pub struct VendorLine {
    pub serial: String,
    pub time: DateTime<Utc>,
    /// One per quantity; `None` where the field was empty.
    pub values: Vec<Option<f64>>,
}

/// The largest MQTT message read (a gateway batching a few hundred lines fits).
pub const MAX_PAYLOAD: usize = 256 * 1024;

/// The stream a SensorThings topic names: `v1.1/Datastreams(7)/Observations`,
/// `v1.1/MultiDatastreams(7)/Observations`, or `v1.1/Observations` (stream in the
/// body). `None` when the topic is not a SensorThings create topic.
pub fn sta_topic(topic: &str) -> Option<Option<Stream>> {
    let rest = topic
        .strip_prefix("v1.1/")
        .or_else(|| topic.strip_prefix("v1.0/"))?;
    if rest == "Observations" {
        return Some(None);
    }
    let inner = rest.strip_suffix("/Observations")?;
    let (set, id) = inner.split_once('(')?;
    let id: i64 = id.strip_suffix(')')?.parse().ok()?;
    match set {
        "Datastreams" => Some(Some(Stream::Datastream(id))),
        "MultiDatastreams" => Some(Some(Stream::Multi(id))),
        _ => None,
    }
}

/// An Observation published on a SensorThings topic. Messages carrying `@iot.id` are
/// entities the server itself announced (the MQTT receive extension shares the topic
/// names), not creations: `Ok(None)`.
pub fn sta_observation(
    stream: Option<Stream>,
    payload: &[u8],
    now: DateTime<Utc>,
) -> Result<Option<Observation>, Refusal> {
    if payload.len() > MAX_PAYLOAD {
        return Err(Refusal::Malformed(format!(
            "a message of {} bytes is over the limit",
            payload.len()
        )));
    }
    let v: Value = serde_json::from_slice(payload)
        .map_err(|e| Refusal::Malformed(format!("not JSON: {e}")))?;
    let body = v
        .as_object()
        .ok_or_else(|| Refusal::Malformed("an Observation is a JSON object".into()))?;
    if body.contains_key("@iot.id") {
        return Ok(None);
    }
    Observation::from_json(body, stream, now)
        .map(Some)
        .map_err(|e| Refusal::Malformed(e.message))
}

/// Reads the compact lines of one message; each line is read on its own.
pub fn vendor_lines(payload: &[u8]) -> Vec<Result<VendorLine, (Option<String>, Refusal)>> {
    if payload.len() > MAX_PAYLOAD {
        return vec![Err((
            None,
            Refusal::Malformed(format!(
                "a message of {} bytes is over the limit",
                payload.len()
            )),
        ))];
    }
    let Ok(text) = std::str::from_utf8(payload) else {
        return vec![Err((
            None,
            Refusal::Malformed("the message is not UTF-8 text".into()),
        ))];
    };
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(vendor_line)
        .collect()
}

fn vendor_line(line: &str) -> Result<VendorLine, (Option<String>, Refusal)> {
    let mut fields = line.split(',').map(str::trim);
    let serial = fields.next().unwrap_or_default();
    if serial.is_empty() || serial.len() > 64 {
        return Err((
            None,
            Refusal::Malformed(format!("`{}`: no device serial first", clip(line))),
        ));
    }
    let bad = |m: String| (Some(serial.to_owned()), Refusal::Malformed(m));
    let time = fields
        .next()
        .ok_or_else(|| bad("no time after the serial".into()))?;
    let time = parse_time(time).ok_or_else(|| {
        bad(format!(
            "`{}` is not a time (Unix seconds or milliseconds, or ISO 8601)",
            clip(time)
        ))
    })?;
    let values = fields
        .map(|f| match f {
            "" => Ok(None),
            f => f
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .map(Some)
                .ok_or_else(|| bad(format!("`{}` is not a number", clip(f)))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    if values.iter().all(Option::is_none) {
        return Err(bad("the line carries no value".into()));
    }
    Ok(VendorLine {
        serial: serial.to_owned(),
        time,
        values,
    })
}

/// Unix seconds (10 digits or fewer), milliseconds (13), or ISO 8601.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(n) = s.parse::<i64>() {
        return if n.abs() >= 100_000_000_000 {
            Utc.timestamp_millis_opt(n).single()
        } else {
            Utc.timestamp_opt(n, 0).single()
        };
    }
    TimeValue::parse(s).ok().map(|t| t.start)
}

fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensorthings_topics_name_their_stream() {
        assert_eq!(
            sta_topic("v1.1/Datastreams(42)/Observations"),
            Some(Some(Stream::Datastream(42)))
        );
        assert_eq!(
            sta_topic("v1.1/MultiDatastreams(7)/Observations"),
            Some(Some(Stream::Multi(7)))
        );
        assert_eq!(sta_topic("v1.1/Observations"), Some(None));
        assert_eq!(sta_topic("v1.1/Things(1)"), None);
        assert_eq!(sta_topic("v1.1/Datastreams(x)/Observations"), None);
        assert_eq!(sta_topic("citymirror/up/gw1"), None);
    }

    #[test]
    fn the_servers_own_announcements_are_not_creations() {
        let now = Utc::now();
        let echo = br#"{"@iot.id": 5, "result": 1}"#;
        assert_eq!(
            sta_observation(Some(Stream::Datastream(1)), echo, now),
            Ok(None)
        );
        let new = br#"{"result": 1.5, "phenomenonTime": "2026-12-07T08:00:00Z"}"#;
        let o = sta_observation(Some(Stream::Datastream(1)), new, now)
            .unwrap()
            .unwrap();
        assert_eq!(o.number(), Some(1.5));
        assert!(matches!(
            sta_observation(None, b"{oops", now),
            Err(Refusal::Malformed(_))
        ));
    }

    #[test]
    fn compact_lines_are_read_one_by_one() {
        let msg = b"JG0001,1765094400,3.5,88\nJG0002,1765094400000,,90\n,1765094400,1\nJG0003,noon,1\nJG0004,1765094400,abc\n";
        let got = vendor_lines(msg);
        assert_eq!(got.len(), 5);
        let first = got[0].as_ref().unwrap();
        assert_eq!(
            (first.serial.as_str(), first.values.clone()),
            ("JG0001", vec![Some(3.5), Some(88.0)])
        );
        assert_eq!(
            first.time,
            got[1].as_ref().unwrap().time,
            "seconds and milliseconds agree"
        );
        assert_eq!(got[1].as_ref().unwrap().values, vec![None, Some(90.0)]);
        assert!(matches!(&got[2], Err((None, Refusal::Malformed(_)))));
        assert!(matches!(&got[3], Err((Some(s), Refusal::Malformed(_))) if s == "JG0003"));
        assert!(matches!(&got[4], Err((Some(s), Refusal::Malformed(_))) if s == "JG0004"));
    }
}
