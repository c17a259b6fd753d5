//! What one audit entry says, and the exact bytes the Merkle tree commits to.

use std::fmt::Write as _;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use crate::Actor;

/// One entry of the audit log, as stored and as hashed.
///
/// Its [`canonical`](AuditEntry::canonical) JSON is the RFC 6962 leaf data. `seq` is
/// part of it, so an entry moved to another position no longer matches the tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// The entry's 0-based index in the log.
    pub seq: u64,
    /// When the entry was committed, to the millisecond.
    #[serde(serialize_with = "millis")]
    pub at: DateTime<Utc>,
    /// Who acted, as [`Actor`]'s `Display` writes it: `user:admin`, `token:7`.
    pub actor: String,
    /// What was done: `twin.create`, `records.read`, `session.login`, `token.create`.
    pub action: String,
    /// To what: `buildings/123`, `persons?grid=440304001001`.
    pub target: String,
    /// Anything else worth keeping (changed fields, counts, reasons).
    pub detail: Value,
}

/// What a caller records; the log assigns `seq` and `at`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: Value,
}

impl NewEntry {
    /// An entry without detail.
    pub fn new(actor: &Actor, action: impl Into<String>, target: impl Into<String>) -> Self {
        NewEntry {
            actor: actor.to_string(),
            action: action.into(),
            target: target.into(),
            detail: Value::Null,
        }
    }

    pub fn with_detail(mut self, detail: Value) -> Self {
        self.detail = detail;
        self
    }

    /// The entry with every identifier above 一般-3 masked out of its actor, target and
    /// every string (and key) of its detail. The log can never be edited, and its entries
    /// are read by supervisors, so it must never hold a mobile number or a 身份证号 (a
    /// citizen's user name is their mobile number): [`super::AuditLog::append`] applies
    /// this to everything it is given, whoever gives it.
    pub fn masked(self) -> NewEntry {
        NewEntry {
            actor: keep(self.actor),
            action: keep(self.action),
            target: keep(self.target),
            detail: mask_json(self.detail),
        }
    }
}

/// What audit entries may hold: up to 一般-3, the entitlement of those who read them.
pub const ENTRY_GRADE: citymirror_core::DataGrade = citymirror_core::DataGrade::General(3);

fn keep(s: String) -> String {
    match crate::mask::mask_text(&s, ENTRY_GRADE) {
        std::borrow::Cow::Borrowed(_) => s,
        std::borrow::Cow::Owned(masked) => masked,
    }
}

fn mask_json(v: Value) -> Value {
    match v {
        Value::String(s) => Value::String(keep(s)),
        Value::Array(items) => Value::Array(items.into_iter().map(mask_json).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (keep(k), mask_json(v)))
                .collect(),
        ),
        // A number may be a mobile number written as one.
        Value::Number(n) => match crate::mask::mask_text(&n.to_string(), ENTRY_GRADE) {
            std::borrow::Cow::Borrowed(_) => Value::Number(n),
            std::borrow::Cow::Owned(masked) => Value::String(masked),
        },
        other => other,
    }
}

impl AuditEntry {
    /// The entry's canonical bytes: compact JSON with the keys in a fixed order (`seq`,
    /// `at`, `actor`, `action`, `target`, `detail`), the object keys inside `detail`
    /// sorted by their UTF-8 bytes at every depth, and `at` in RFC 3339 UTC with
    /// milliseconds. Written by hand rather than by serde so that it does not change
    /// when some crate in the build turns on serde_json's `preserve_order`.
    pub fn canonical(&self) -> String {
        let mut out = String::with_capacity(128);
        let _ = write!(
            out,
            "{{\"seq\":{},\"at\":\"{}\",\"actor\":",
            self.seq,
            self.at.to_rfc3339_opts(SecondsFormat::Millis, true)
        );
        write_str(&mut out, &self.actor);
        out.push_str(",\"action\":");
        write_str(&mut out, &self.action);
        out.push_str(",\"target\":");
        write_str(&mut out, &self.target);
        out.push_str(",\"detail\":");
        write_value(&mut out, &self.detail);
        out.push('}');
        out
    }

    /// Reads an entry back from its stored text.
    pub fn parse(text: &str) -> Result<AuditEntry, serde_json::Error> {
        serde_json::from_str(text)
    }
}

fn millis<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&at.to_rfc3339_opts(SecondsFormat::Millis, true))
}

fn write_str(out: &mut String, s: &str) {
    out.push_str(&serde_json::to_string(s).expect("a string always serializes"));
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Object(map) => {
            let mut fields: Vec<_> = map.iter().collect();
            fields.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, value)) in fields.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, key);
                out.push(':');
                write_value(out, value);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        // null, booleans, numbers and strings have one compact form in serde_json.
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;

    fn entry(detail: Value) -> AuditEntry {
        AuditEntry {
            seq: 7,
            at: Utc.timestamp_millis_opt(1_735_689_600_123).unwrap(),
            actor: "user:张伟".into(),
            action: "twin.update".into(),
            target: "buildings/123".into(),
            detail,
        }
    }

    #[test]
    fn canonical_json_has_a_fixed_key_order_and_sorted_detail() {
        let e = entry(json!({"z": 1, "a": {"y": [true, null, "x\"q"], "b": 2.5}, "m": "楼"}));
        assert_eq!(
            e.canonical(),
            r#"{"seq":7,"at":"2025-01-01T00:00:00.123Z","actor":"user:张伟","action":"twin.update","target":"buildings/123","detail":{"a":{"b":2.5,"y":[true,null,"x\"q"]},"m":"楼","z":1}}"#
        );
        assert!(entry(Value::Null)
            .canonical()
            .ends_with(r#""detail":null}"#));
    }

    #[test]
    fn an_entry_reads_back_to_the_same_bytes() {
        let e = entry(json!({"fields": ["name", "floors"], "n": -3}));
        let text = e.canonical();
        let back = AuditEntry::parse(&text).unwrap();
        assert_eq!(back, e);
        assert_eq!(back.canonical(), text);
        assert_eq!(
            serde_json::to_value(&e).unwrap()["at"],
            "2025-01-01T00:00:00.123Z"
        );
    }

    #[test]
    fn new_entries_name_the_actor_as_the_log_does() {
        let actor = Actor::User {
            id: 1,
            username: "admin".into(),
        };
        let e = NewEntry::new(&actor, "session.login", "sessions").with_detail(json!({"ok": 1}));
        assert_eq!(e.actor, "user:admin");
        assert_eq!(e.detail, json!({"ok": 1}));
    }
}
