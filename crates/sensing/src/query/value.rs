//! Runtime values and how they compare. Entities arrive as JSON, where instants are just
//! strings; literals keep their richer type. Comparison reconciles the two.

use std::cmp::Ordering;
use std::sync::Arc;

use chrono::{NaiveDate, SecondsFormat, TimeDelta};
use serde_json::Value;

use super::ast::{CmpOp, Literal};
use super::error::EvalError;
use super::spatial;
use super::temporal::{self, Instant, Span};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Time(Instant),
    Interval(Instant, Instant),
    Date(NaiveDate),
    Duration(TimeDelta),
    Geo(Arc<geo::Geometry<f64>>),
    /// An object or array from the entity (`properties`, a GeoJSON `location`).
    Json(Value),
}

impl Val {
    pub fn from_json(v: Value) -> Val {
        match v {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Val::Int(i),
                None => n.as_f64().map_or(Val::Null, Val::Float),
            },
            Value::String(s) => Val::Str(s),
            other => Val::Json(other),
        }
    }

    pub fn from_literal(l: &Literal) -> Val {
        match l {
            Literal::Null => Val::Null,
            Literal::Bool(b) => Val::Bool(*b),
            Literal::Int(i) => Val::Int(*i),
            Literal::Float(f) => Val::Float(*f),
            Literal::String(s) => Val::Str(s.clone()),
            Literal::DateTime(t) => Val::Time(*t),
            Literal::Interval(s, e) => Val::Interval(*s, *e),
            Literal::Date(d) => Val::Date(*d),
            Literal::Duration(d) => Val::Duration(*d),
            Literal::Geography(g) => Val::Geo(g.clone()),
        }
    }

    /// What `Expr::eval` hands back: instants as RFC 3339 (`Z` for UTC), intervals as
    /// `start/end`, durations as ISO 8601, geometries as GeoJSON.
    pub fn into_json(self) -> Value {
        match self {
            Val::Null => Value::Null,
            Val::Bool(b) => Value::Bool(b),
            Val::Int(i) => Value::from(i),
            Val::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
            Val::Str(s) => Value::String(s),
            Val::Time(t) => Value::String(rfc3339(t)),
            Val::Interval(s, e) => Value::String(format!("{}/{}", rfc3339(s), rfc3339(e))),
            Val::Date(d) => Value::String(d.format("%Y-%m-%d").to_string()),
            Val::Duration(d) => Value::String(temporal::format_duration(d)),
            Val::Geo(g) => spatial::to_geojson(&g),
            Val::Json(v) => v,
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Val::Null => "null",
            Val::Bool(_) => "boolean",
            Val::Int(_) | Val::Float(_) => "number",
            Val::Str(_) => "string",
            Val::Time(_) => "datetime",
            Val::Interval(..) => "interval",
            Val::Date(_) => "date",
            Val::Duration(_) => "duration",
            Val::Geo(_) => "geography",
            Val::Json(Value::Array(_)) => "array",
            Val::Json(_) => "object",
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Val::Int(i) => Some(*i as f64),
            Val::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// The value as a stretch of time, if it is one or is text that reads as one.
    pub fn as_span(&self) -> Option<Span> {
        match self {
            Val::Time(t) => Some(Span::at(*t)),
            Val::Interval(s, e) => Some(Span { start: *s, end: *e }),
            Val::Date(d) => Some(Span::at(temporal::date_start(*d))),
            Val::Str(s) => temporal::parse_span(s),
            _ => None,
        }
    }

    fn is_temporal(&self) -> bool {
        matches!(self, Val::Time(_) | Val::Interval(..) | Val::Date(_))
    }
}

pub(crate) fn rfc3339(t: Instant) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// `left op right`.
///
/// * `eq`/`ne` with a null side answer true/false (`x eq null` asks "is x absent?", as
///   OData 4.01 §5.1.1.1.1 says); `gt`/`ge`/`lt`/`le` with a null side give null.
/// * Numbers compare numerically, integers and decimals alike.
/// * Time: when either side is a datetime/interval/date, or both sides are text that reads
///   as one, both are taken as spans and compared as *wholly after / wholly before*:
///   `a gt b` ⇔ a.start > b.end, `a ge b` ⇔ a.start ≥ b.end, `a lt b` ⇔ a.end < b.start,
///   `a le b` ⇔ a.end ≤ b.start, `a eq b` ⇔ both ends equal. For an instant these are the
///   ordinary comparisons; for an interval `phenomenonTime` they mean "started at or after"
///   (ge) and "ended at or before" (le), so a `ge … and le …` window keeps exactly the
///   intervals inside it.
/// * Other strings compare by code point; booleans, durations, geometries and JSON values
///   only by equality (durations also order).
/// * Values of different kinds are never equal; ordering them is a type error.
pub(crate) fn compare(op: CmpOp, left: &Val, right: &Val) -> Result<Val, EvalError> {
    if matches!(left, Val::Null) || matches!(right, Val::Null) {
        let both = matches!(left, Val::Null) && matches!(right, Val::Null);
        return Ok(match op {
            CmpOp::Eq => Val::Bool(both),
            CmpOp::Ne => Val::Bool(!both),
            _ => Val::Null,
        });
    }
    if left.is_temporal() || right.is_temporal() || both_temporal_text(left, right) {
        return match (left.as_span(), right.as_span()) {
            (Some(a), Some(b)) => Ok(Val::Bool(span_compare(op, a, b))),
            _ => mismatch(op, left, right),
        };
    }
    let ordering = match (left, right) {
        (Val::Int(a), Val::Int(b)) => a.cmp(b),
        (Val::Int(_) | Val::Float(_), Val::Int(_) | Val::Float(_)) => {
            let (a, b) = (
                left.as_f64().unwrap_or(f64::NAN),
                right.as_f64().unwrap_or(f64::NAN),
            );
            match a.partial_cmp(&b) {
                Some(o) => o,
                None => return Ok(Val::Null),
            }
        }
        (Val::Str(a), Val::Str(b)) => a.cmp(b),
        (Val::Duration(a), Val::Duration(b)) => a.cmp(b),
        (Val::Bool(a), Val::Bool(b)) => return equality_only(op, a == b, left),
        (Val::Geo(a), Val::Geo(b)) => return equality_only(op, a == b, left),
        (Val::Json(a), Val::Json(b)) => return equality_only(op, a == b, left),
        _ => return mismatch(op, left, right),
    };
    Ok(Val::Bool(match op {
        CmpOp::Eq => ordering == Ordering::Equal,
        CmpOp::Ne => ordering != Ordering::Equal,
        CmpOp::Gt => ordering == Ordering::Greater,
        CmpOp::Ge => ordering != Ordering::Less,
        CmpOp::Lt => ordering == Ordering::Less,
        CmpOp::Le => ordering != Ordering::Greater,
    }))
}

fn both_temporal_text(left: &Val, right: &Val) -> bool {
    matches!((left, right), (Val::Str(_), Val::Str(_)))
        && left.as_span().is_some()
        && right.as_span().is_some()
}

fn span_compare(op: CmpOp, a: Span, b: Span) -> bool {
    match op {
        CmpOp::Eq => a == b,
        CmpOp::Ne => a != b,
        CmpOp::Gt => a.start > b.end,
        CmpOp::Ge => a.start >= b.end,
        CmpOp::Lt => a.end < b.start,
        CmpOp::Le => a.end <= b.start,
    }
}

fn equality_only(op: CmpOp, equal: bool, v: &Val) -> Result<Val, EvalError> {
    match op {
        CmpOp::Eq => Ok(Val::Bool(equal)),
        CmpOp::Ne => Ok(Val::Bool(!equal)),
        _ => Err(EvalError::Type(format!(
            "{} values cannot be ordered with '{}'",
            v.type_name(),
            op.keyword()
        ))),
    }
}

fn mismatch(op: CmpOp, left: &Val, right: &Val) -> Result<Val, EvalError> {
    match op {
        CmpOp::Eq => Ok(Val::Bool(false)),
        CmpOp::Ne => Ok(Val::Bool(true)),
        _ => Err(EvalError::Type(format!(
            "cannot compare {} {} {}",
            left.type_name(),
            op.keyword(),
            right.type_name()
        ))),
    }
}

/// The order `$orderby` sorts in: null first (so last when descending), then booleans,
/// numbers, strings, arrays, objects. Numbers compare numerically; two strings that both
/// read as ISO 8601 instants (or intervals, by their start) compare as instants, so
/// `…+08:00` and `…Z` values interleave correctly; other strings by code point.
pub fn compare_for_orderby(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            Value::Array(_) => 4,
            Value::Object(_) => 5,
        }
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i.cmp(&j),
            _ => {
                let (f, g) = (
                    x.as_f64().unwrap_or(f64::NAN),
                    y.as_f64().unwrap_or(f64::NAN),
                );
                f.total_cmp(&g)
            }
        },
        (Value::String(x), Value::String(y)) => {
            match (temporal::parse_span(x), temporal::parse_span(y)) {
                (Some(s), Some(t)) => s.start.cmp(&t.start).then(s.end.cmp(&t.end)),
                _ => x.cmp(y),
            }
        }
        // Arrays and objects have no natural order; their text gives a stable one.
        (Value::Array(_), Value::Array(_)) | (Value::Object(_), Value::Object(_)) => {
            a.to_string().cmp(&b.to_string())
        }
        _ => rank(a).cmp(&rank(b)),
    }
}
