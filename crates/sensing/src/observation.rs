//! Observations: what a Datastream (or MultiDatastream) measured, when, and about what.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::{
    model::{invalid, Invalid},
    time::{iso, TimeValue},
};

/// The stream an observation belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stream {
    Datastream(i64),
    Multi(i64),
}

impl Stream {
    pub fn id(self) -> i64 {
        match self {
            Stream::Datastream(id) | Stream::Multi(id) => id,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    /// Assigned by the store; 0 before.
    pub id: i64,
    pub stream: Stream,
    pub phenomenon_time: TimeValue,
    pub result_time: Option<DateTime<Utc>>,
    pub result: Value,
    pub result_quality: Option<Value>,
    pub valid_time: Option<TimeValue>,
    pub parameters: Option<Value>,
    pub foi: Option<i64>,
}

/// The largest result or parameters text one observation may carry.
pub const MAX_RESULT_BYTES: usize = 16 * 1024;

impl Observation {
    /// Reads an observation as a client posts it (OGC 18-088 §10.2). `stream` is the
    /// one the URL or the MQTT topic names, if any; otherwise the body must link one.
    /// A missing `phenomenonTime` is the server's time of receipt (§8.2.7).
    pub fn from_json(
        body: &Map<String, Value>,
        stream: Option<Stream>,
        now: DateTime<Utc>,
    ) -> Result<Observation, Invalid> {
        let linked = |key: &str| {
            body.get(key)
                .and_then(|v| v.get("@iot.id"))
                .map(|id| {
                    id.as_i64().ok_or_else(|| {
                        invalid("bad_link", format!("`{key}/@iot.id` must be an integer"))
                    })
                })
                .transpose()
        };
        let stream = match (stream, linked("Datastream")?, linked("MultiDatastream")?) {
            (Some(s), _, _) => s,
            (None, Some(d), None) => Stream::Datastream(d),
            (None, None, Some(m)) => Stream::Multi(m),
            (None, Some(_), Some(_)) => {
                return Err(invalid(
                    "bad_link",
                    "an Observation belongs to a Datastream or a MultiDatastream, not both",
                ))
            }
            (None, None, None) => {
                return Err(invalid(
                    "missing_link",
                    "an Observation needs its Datastream: {\"Datastream\": {\"@iot.id\": …}}",
                ))
            }
        };
        let time = |key: &str| {
            body.get(key)
                .filter(|v| !v.is_null())
                .map(|v| {
                    TimeValue::from_json(v)
                        .map_err(|m| invalid("bad_property", format!("`{key}`: {m}")))
                })
                .transpose()
        };
        let result = body
            .get("result")
            .cloned()
            .ok_or_else(|| invalid("missing_property", "an Observation needs `result`"))?;
        if result.to_string().len() > MAX_RESULT_BYTES {
            return Err(invalid(
                "too_large",
                format!("a result may take at most {MAX_RESULT_BYTES} bytes"),
            ));
        }
        if let Value::Number(n) = &result {
            if n.as_f64().is_none_or(|f| !f.is_finite()) {
                return Err(invalid("bad_property", "`result` is not a finite number"));
            }
        }
        let parameters = body.get("parameters").filter(|v| !v.is_null()).cloned();
        if parameters.as_ref().is_some_and(|p| !p.is_object()) {
            return Err(invalid(
                "bad_property",
                "`parameters` must be a JSON object",
            ));
        }
        Ok(Observation {
            id: 0,
            stream,
            phenomenon_time: time("phenomenonTime")?.unwrap_or(TimeValue::instant(now)),
            result_time: time("resultTime")?.map(|t| t.start),
            result,
            result_quality: body.get("resultQuality").filter(|v| !v.is_null()).cloned(),
            valid_time: time("validTime")?,
            parameters,
            foi: linked("FeatureOfInterest")?,
        })
    }

    /// The own properties, as SensorThings names them.
    pub fn props(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("phenomenonTime".into(), self.phenomenon_time.to_json());
        m.insert(
            "resultTime".into(),
            self.result_time
                .map(|t| Value::String(iso(t)))
                .unwrap_or(Value::Null),
        );
        m.insert("result".into(), self.result.clone());
        if let Some(q) = &self.result_quality {
            m.insert("resultQuality".into(), q.clone());
        }
        if let Some(v) = &self.valid_time {
            m.insert("validTime".into(), v.to_json());
        }
        if let Some(p) = &self.parameters {
            m.insert("parameters".into(), p.clone());
        }
        m
    }

    /// The result as a number, when it is one (what roll-ups and rules read).
    pub fn number(&self) -> Option<f64> {
        self.result.as_f64().filter(|f| f.is_finite())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        "2026-12-07T08:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_posted_observation_without_time_is_stamped_on_receipt() {
        let b = json!({"result": 3.5, "Datastream": {"@iot.id": 17}});
        let o = Observation::from_json(b.as_object().unwrap(), None, now()).unwrap();
        assert_eq!(o.stream, Stream::Datastream(17));
        assert_eq!(o.phenomenon_time, TimeValue::instant(now()));
        assert_eq!(o.number(), Some(3.5));
    }

    #[test]
    fn the_url_names_the_stream() {
        let b = json!({"result": "open", "phenomenonTime": "2026-12-07T07:00:00Z/2026-12-07T07:05:00Z"});
        let o =
            Observation::from_json(b.as_object().unwrap(), Some(Stream::Multi(4)), now()).unwrap();
        assert_eq!(o.stream, Stream::Multi(4));
        assert!(o.phenomenon_time.end.is_some());
        assert_eq!(o.number(), None);
    }

    #[test]
    fn what_is_missing_or_malformed_is_named() {
        let code = |b: Value| {
            Observation::from_json(b.as_object().unwrap(), None, now())
                .unwrap_err()
                .code
        };
        assert_eq!(code(json!({"result": 1})), "missing_link");
        assert_eq!(
            code(json!({"Datastream": {"@iot.id": 1}})),
            "missing_property"
        );
        assert_eq!(
            code(json!({"result": 1, "Datastream": {"@iot.id": "x"}})),
            "bad_link"
        );
        assert_eq!(
            code(json!({"result": 1, "Datastream": {"@iot.id": 1}, "phenomenonTime": "noon"})),
            "bad_property"
        );
    }
}
