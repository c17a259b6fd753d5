//! Evaluating an expression against one entity, seen through a `Scope`.

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use super::ast::{ArithOp, Expr};
use super::error::EvalError;
use super::functions;
use super::value::{compare, Val};

/// The entity being filtered, as the evaluator sees it.
pub trait Scope {
    /// The value at a property path from the entity being filtered: ["result"], ["properties","grid"], ["Datastream","Thing","properties","grid"], ["id"] (the id is also reachable as "@iot.id").
    /// Navigation segments are resolved by the implementer; absent → Value::Null.
    fn resolve(&self, path: &[String]) -> Value;
}

/// A JSON object is a scope: each segment is a key, navigations being nested objects
/// (`{"Datastream": {"Thing": {...}}}`). `id` and `@iot.id` reach the same member.
impl Scope for Value {
    fn resolve(&self, path: &[String]) -> Value {
        let mut here = self;
        for seg in path {
            let next = here.get(seg.as_str()).or_else(|| match seg.as_str() {
                "id" => here.get("@iot.id"),
                "@iot.id" => here.get("id"),
                _ => None,
            });
            match next {
                Some(v) => here = v,
                None => return Value::Null,
            }
        }
        here.clone()
    }
}

impl Expr {
    /// The expression's value for this entity. Instants come back as RFC 3339 strings,
    /// geometries as GeoJSON.
    pub fn eval(&self, scope: &dyn Scope) -> Result<Value, EvalError> {
        self.eval_val(scope).map(Val::into_json)
    }

    /// Whether the entity passes this `$filter`: true only for a boolean true; null,
    /// non-boolean results and evaluation errors all mean "no".
    pub fn matches(&self, scope: &dyn Scope) -> bool {
        matches!(self.eval_val(scope), Ok(Val::Bool(true)))
    }

    pub(crate) fn eval_val(&self, scope: &dyn Scope) -> Result<Val, EvalError> {
        match self {
            Expr::Literal(l) => Ok(Val::from_literal(l)),
            Expr::Path(p) => Ok(Val::from_json(scope.resolve(p))),
            Expr::Not(e) => match e.eval_val(scope)? {
                Val::Bool(b) => Ok(Val::Bool(!b)),
                Val::Null => Ok(Val::Null),
                other => Err(EvalError::Type(format!("not of {}", other.type_name()))),
            },
            Expr::Negate(e) => negate(e.eval_val(scope)?),
            Expr::And(terms) => logic(terms, scope, false),
            Expr::Or(terms) => logic(terms, scope, true),
            Expr::Compare(op, a, b) => compare(*op, &a.eval_val(scope)?, &b.eval_val(scope)?),
            Expr::Arith(op, a, b) => arith(*op, a.eval_val(scope)?, b.eval_val(scope)?),
            Expr::Call(f, args) => {
                let vals = args
                    .iter()
                    .map(|a| a.eval_val(scope))
                    .collect::<Result<Vec<_>, _>>()?;
                functions::call(*f, vals)
            }
        }
    }
}

/// Three-valued `and` (`decisive` = false) / `or` (`decisive` = true): one decisive operand
/// settles it; otherwise any unknown makes the whole unknown. An operand that fails to
/// evaluate for this entity (a string `result` compared with `gt 3`) counts as unknown
/// rather than failing the whole filter, so `result gt 3 or name eq 'x'` still finds 'x'.
fn logic(terms: &[Expr], scope: &dyn Scope, decisive: bool) -> Result<Val, EvalError> {
    let mut unknown = false;
    for t in terms {
        match t.eval_val(scope) {
            Ok(Val::Bool(b)) if b == decisive => return Ok(Val::Bool(decisive)),
            Ok(Val::Bool(_)) => {}
            Ok(Val::Null) | Err(_) => unknown = true,
            Ok(other) => {
                let op = if decisive { "or" } else { "and" };
                return Err(EvalError::Type(format!("{op} of {}", other.type_name())));
            }
        }
    }
    Ok(if unknown {
        Val::Null
    } else {
        Val::Bool(!decisive)
    })
}

fn negate(v: Val) -> Result<Val, EvalError> {
    match v {
        Val::Null => Ok(Val::Null),
        Val::Int(i) => Ok(i.checked_neg().map_or(Val::Float(-(i as f64)), Val::Int)),
        Val::Float(f) => Ok(Val::Float(-f)),
        Val::Duration(d) => Ok(Val::Duration(-d)),
        other => Err(EvalError::Type(format!(
            "cannot negate {}",
            other.type_name()
        ))),
    }
}

/// Arithmetic. Integers stay integers while exact (an overflow, or a `div` with a
/// remainder, gives a decimal: `5 div 2` is 2.5, not OData's truncating 2, because sensor
/// results are mixed integer/decimal and truncation would surprise). Instants and
/// durations: instant ± duration, instant − instant, duration ± duration.
fn arith(op: ArithOp, a: Val, b: Val) -> Result<Val, EvalError> {
    use ArithOp::*;
    if matches!(a, Val::Null) || matches!(b, Val::Null) {
        return Ok(Val::Null);
    }
    match (op, &a, &b) {
        (_, Val::Int(x), Val::Int(y)) => return int_arith(op, *x, *y),
        (_, Val::Int(_) | Val::Float(_), Val::Int(_) | Val::Float(_)) => {
            let (x, y) = (
                a.as_f64().unwrap_or(f64::NAN),
                b.as_f64().unwrap_or(f64::NAN),
            );
            return float_arith(op, x, y);
        }
        (Add | Sub, Val::Duration(x), Val::Duration(y)) => {
            let r = if op == Add {
                x.checked_add(y)
            } else {
                x.checked_sub(y)
            };
            return r.map(Val::Duration).ok_or_else(overflow);
        }
        (Add, Val::Duration(d), other) | (Add | Sub, other, Val::Duration(d)) => {
            let d = if op == Sub { -*d } else { *d };
            if let Some(span) = other.as_span() {
                let shift = |t: DateTime<FixedOffset>| t.checked_add_signed(d).ok_or_else(overflow);
                return Ok(
                    if span.start == span.end && !matches!(other, Val::Interval(..)) {
                        Val::Time(shift(span.start)?)
                    } else {
                        Val::Interval(shift(span.start)?, shift(span.end)?)
                    },
                );
            }
        }
        (Sub, _, _) => {
            if let (Some(x), Some(y)) = (instant_of(&a), instant_of(&b)) {
                return Ok(Val::Duration(x.signed_duration_since(y)));
            }
        }
        _ => {}
    }
    Err(EvalError::Type(format!(
        "cannot {} {} and {}",
        op.keyword(),
        a.type_name(),
        b.type_name()
    )))
}

fn instant_of(v: &Val) -> Option<DateTime<FixedOffset>> {
    v.as_span().filter(|s| s.start == s.end).map(|s| s.start)
}

fn overflow() -> EvalError {
    EvalError::Argument("date/time arithmetic out of range".into())
}

fn int_arith(op: ArithOp, x: i64, y: i64) -> Result<Val, EvalError> {
    let exact = match op {
        ArithOp::Add => x.checked_add(y),
        ArithOp::Sub => x.checked_sub(y),
        ArithOp::Mul => x.checked_mul(y),
        ArithOp::Div => {
            if y == 0 {
                return Err(EvalError::DivisionByZero);
            }
            x.checked_rem(y)
                .filter(|r| *r == 0)
                .and_then(|_| x.checked_div(y))
        }
        ArithOp::Mod => {
            if y == 0 {
                return Err(EvalError::DivisionByZero);
            }
            // i64::MIN mod -1 overflows in Rust; mathematically it is 0.
            Some(x.checked_rem(y).unwrap_or(0))
        }
    };
    match exact {
        Some(v) => Ok(Val::Int(v)),
        None => float_arith(op, x as f64, y as f64),
    }
}

fn float_arith(op: ArithOp, x: f64, y: f64) -> Result<Val, EvalError> {
    if matches!(op, ArithOp::Div | ArithOp::Mod) && y == 0.0 {
        return Err(EvalError::DivisionByZero);
    }
    Ok(Val::Float(match op {
        ArithOp::Add => x + y,
        ArithOp::Sub => x - y,
        ArithOp::Mul => x * y,
        ArithOp::Div => x / y,
        ArithOp::Mod => x % y,
    }))
}
