use std::fmt;

use chrono::NaiveDate;

use crate::{PropType, ValueError};

/// A typed property value. Layers declare the type of each property
/// ([`crate::PropertyDef`]); raw input is parsed into a `Value` once, at the door.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Date(NaiveDate),
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_date(&self) -> Option<NaiveDate> {
        match self {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }

    /// Parses text (a query-string value, a CSV cell) as a value of type `ty`.
    /// An empty string is `Null`.
    pub fn parse(field: &str, ty: PropType, raw: &str) -> Result<Value, ValueError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(Value::Null);
        }
        let err = || ValueError::Type {
            field: field.to_owned(),
            expected: ty.expected(),
            got: raw.to_owned(),
        };
        Ok(match ty {
            PropType::Text => Value::Text(raw.to_owned()),
            PropType::Int => Value::Int(raw.parse().map_err(|_| err())?),
            PropType::Float => {
                let f: f64 = raw.parse().map_err(|_| err())?;
                if !f.is_finite() {
                    return Err(err());
                }
                Value::Float(f)
            }
            PropType::Bool => match raw {
                "true" | "1" | "是" => Value::Bool(true),
                "false" | "0" | "否" => Value::Bool(false),
                _ => return Err(err()),
            },
            PropType::Date => {
                Value::Date(NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| err())?)
            }
        })
    }

    /// Checks that this value fits type `ty`, widening an integer to a float where needed.
    pub fn coerce(self, field: &str, ty: PropType) -> Result<Value, ValueError> {
        match (ty, self) {
            (_, Value::Null) => Ok(Value::Null),
            (PropType::Text, v @ Value::Text(_))
            | (PropType::Int, v @ Value::Int(_))
            | (PropType::Float, v @ Value::Float(_))
            | (PropType::Bool, v @ Value::Bool(_))
            | (PropType::Date, v @ Value::Date(_)) => Ok(v),
            (PropType::Float, Value::Int(i)) => Ok(Value::Float(i as f64)),
            (PropType::Date, Value::Text(s)) => Value::parse(field, ty, &s),
            (ty, v) => Err(ValueError::Type {
                field: field.to_owned(),
                expected: ty.expected(),
                got: v.to_string(),
            }),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => Ok(()),
            Value::Text(s) => f.write_str(s),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}
impl From<f64> for Value {
    fn from(x: f64) -> Self {
        Value::Float(x)
    }
}
impl From<NaiveDate> for Value {
    fn from(d: NaiveDate) -> Self {
        Value::Date(d)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(o: Option<T>) -> Self {
        o.map_or(Value::Null, Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(ty: PropType, raw: &str, expected: Result<Value, ()>) {
        assert_eq!(
            Value::parse("f", ty, raw).map_err(|_| ()),
            expected,
            "{ty:?} {raw:?}"
        );
    }

    #[test]
    fn parses_each_type() {
        check(PropType::Int, "42", Ok(Value::Int(42)));
        check(PropType::Int, "4.2", Err(()));
        check(PropType::Float, "4.5", Ok(Value::Float(4.5)));
        check(PropType::Float, "NaN", Err(()));
        check(
            PropType::Date,
            "2021-03-04",
            Ok(Value::Date(NaiveDate::from_ymd_opt(2021, 3, 4).unwrap())),
        );
        check(PropType::Date, "2021-13-04", Err(()));
        check(PropType::Text, " 井盖 ", Ok(Value::Text("井盖".into())));
        check(PropType::Bool, "是", Ok(Value::Bool(true)));
        check(PropType::Int, "", Ok(Value::Null));
    }

    #[test]
    fn coerce_widens_ints_only_to_floats() {
        assert_eq!(
            Value::Int(3).coerce("f", PropType::Float),
            Ok(Value::Float(3.0))
        );
        assert!(Value::Float(3.5).coerce("f", PropType::Int).is_err());
        assert!(Value::Text("x".into()).coerce("f", PropType::Int).is_err());
    }
}
