//! The canonical functions. Every function of a null argument is null (OData's rule), so
//! an entity lacking a property quietly fails to match instead of failing the query.
//! String positions and lengths count characters, not bytes: names here are often Chinese.

use chrono::{Datelike, Timelike, Utc};

use super::ast::Func;
use super::error::EvalError;
use super::spatial;
use super::temporal::{self, Instant};
use super::value::Val;

pub(crate) fn call(f: Func, args: Vec<Val>) -> Result<Val, EvalError> {
    if args.iter().any(|a| matches!(a, Val::Null)) {
        return Ok(Val::Null);
    }
    let arg = |i: usize| {
        args.get(i)
            .ok_or_else(|| EvalError::Argument(format!("{}: missing argument {i}", f.name())))
    };
    let text = |i: usize| -> Result<&str, EvalError> {
        match arg(i)? {
            Val::Str(s) => Ok(s),
            other => Err(EvalError::Type(format!(
                "{} expects text, got {}",
                f.name(),
                other.type_name()
            ))),
        }
    };
    let int = |i: usize| -> Result<i64, EvalError> {
        match arg(i)? {
            Val::Int(n) => Ok(*n),
            Val::Float(x) if x.fract() == 0.0 && x.abs() < 9e15 => Ok(*x as i64),
            other => Err(EvalError::Type(format!(
                "{} expects an integer, got {}",
                f.name(),
                other.type_name()
            ))),
        }
    };
    let instant = |i: usize| -> Result<Instant, EvalError> {
        let v = arg(i)?;
        // An interval answers with its start: `year(phenomenonTime)` of an interval
        // observation is the year it began.
        v.as_span().map(|s| s.start).ok_or_else(|| {
            EvalError::Type(format!(
                "{} expects a datetime, got {}",
                f.name(),
                v.type_name()
            ))
        })
    };
    let geometry = |i: usize| spatial::geometry_of(arg(i)?);

    Ok(match f {
        // OData 3 order: is the first argument inside the second?
        Func::SubstringOf => Val::Bool(text(1)?.contains(text(0)?)),
        Func::Contains => Val::Bool(text(0)?.contains(text(1)?)),
        Func::EndsWith => Val::Bool(text(0)?.ends_with(text(1)?)),
        Func::StartsWith => Val::Bool(text(0)?.starts_with(text(1)?)),
        Func::Length => Val::Int(text(0)?.chars().count() as i64),
        Func::IndexOf => {
            let (hay, needle) = (text(0)?, text(1)?);
            Val::Int(
                hay.find(needle)
                    .map_or(-1, |b| hay[..b].chars().count() as i64),
            )
        }
        Func::Substring => {
            let s = text(0)?;
            let start = usize::try_from(int(1)?.max(0)).unwrap_or(usize::MAX);
            let chars = s.chars().skip(start);
            Val::Str(if args.len() > 2 {
                let n = usize::try_from(int(2)?.max(0)).unwrap_or(usize::MAX);
                chars.take(n).collect()
            } else {
                chars.collect()
            })
        }
        Func::ToLower => Val::Str(text(0)?.to_lowercase()),
        Func::ToUpper => Val::Str(text(0)?.to_uppercase()),
        Func::Trim => Val::Str(text(0)?.trim().to_string()),
        Func::Concat => Val::Str(format!("{}{}", text(0)?, text(1)?)),

        // Components are read in the value's own offset, as OData specifies.
        Func::Year => Val::Int(i64::from(instant(0)?.year())),
        Func::Month => Val::Int(i64::from(instant(0)?.month())),
        Func::Day => Val::Int(i64::from(instant(0)?.day())),
        Func::Hour => Val::Int(i64::from(instant(0)?.hour())),
        Func::Minute => Val::Int(i64::from(instant(0)?.minute())),
        Func::Second => Val::Int(i64::from(instant(0)?.second())),
        Func::FractionalSeconds => Val::Float(f64::from(instant(0)?.nanosecond()) / 1e9),
        Func::Date => Val::Date(instant(0)?.date_naive()),
        Func::Time => Val::Str(instant(0)?.format("%H:%M:%S%.f").to_string()),
        Func::TotalOffsetMinutes => {
            Val::Int(i64::from(instant(0)?.offset().local_minus_utc() / 60))
        }
        Func::Now => Val::Time(Utc::now().fixed_offset()),
        Func::MinDateTime => Val::Time(temporal::min_instant()),
        Func::MaxDateTime => Val::Time(temporal::max_instant()),

        Func::Round | Func::Floor | Func::Ceiling => match arg(0)? {
            Val::Int(n) => Val::Int(*n),
            Val::Float(x) => Val::Float(match f {
                Func::Round => x.round(), // half away from zero, as OData says
                Func::Floor => x.floor(),
                _ => x.ceil(),
            }),
            other => {
                return Err(EvalError::Type(format!(
                    "{} expects a number, got {}",
                    f.name(),
                    other.type_name()
                )))
            }
        },

        Func::GeoDistance => match (geometry(0)?, geometry(1)?) {
            (Some(a), Some(b)) => Val::Float(spatial::distance_m(&a, &b)),
            _ => Val::Null,
        },
        Func::GeoLength => match geometry(0)? {
            Some(g) => Val::Float(spatial::length_m(&g)?),
            None => Val::Null,
        },
        Func::GeoIntersects
        | Func::StEquals
        | Func::StDisjoint
        | Func::StTouches
        | Func::StWithin
        | Func::StOverlaps
        | Func::StCrosses
        | Func::StIntersects
        | Func::StContains
        | Func::StRelate => {
            let pattern = if f == Func::StRelate {
                Some(text(2)?)
            } else {
                None
            };
            match (geometry(0)?, geometry(1)?) {
                (Some(a), Some(b)) => Val::Bool(spatial::predicate(f, &a, &b, pattern)?),
                _ => Val::Null,
            }
        }
    })
}
