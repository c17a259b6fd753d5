//! What a store can learn from a filter before reading any rows: time bounds to turn into
//! an indexed range scan. The filter is still applied to every row afterwards, so these
//! bounds only need to be *safe* (never exclude a match), not exact.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::ast::{CmpOp, Expr};
use super::eval::Scope;
use super::value::Val;

/// Resolves nothing; constant sub-expressions never ask.
struct Nothing;

impl Scope for Nothing {
    fn resolve(&self, _: &[String]) -> Value {
        Value::Null
    }
}

impl Expr {
    /// The simple conjuncts a store can push down: e.g. for `phenomenonTime ge 2026-01-01T00:00:00Z and result gt 3` gives bounds on phenomenonTime.
    ///
    /// Inclusive `(lower, upper)` bounds that every matching entity's `property` (a path,
    /// `phenomenonTime` or `Datastream/phenomenonTime`) satisfies, read from the top-level
    /// `and` conjuncts that compare it with a constant datetime, date or interval
    /// (`now() sub duration'P1D'` counts). `or`, `not` and anything else contribute nothing.
    /// With interval values the bounds hold for both the start and the end: `ge t` means
    /// the interval starts at or after `t`, `le t` that it ends at or before `t`.
    pub fn time_bounds(&self, property: &str) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        let target: Vec<&str> = property.split('/').collect();
        let mut bounds = (None, None);
        self.collect_bounds(&target, &mut bounds);
        bounds
    }

    fn collect_bounds(
        &self,
        target: &[&str],
        bounds: &mut (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    ) {
        let (op, other) = match self {
            Expr::And(terms) => {
                for t in terms {
                    t.collect_bounds(target, bounds);
                }
                return;
            }
            Expr::Compare(op, a, b) if is_path(a, target) => (*op, b),
            Expr::Compare(op, a, b) if is_path(b, target) => (op.flipped(), a),
            _ => return,
        };
        if !other.is_constant() {
            return;
        }
        // Only typed time values: a quoted string would compare as text against a
        // property that does not read as time, and then bounds could drop a match.
        let span = match other.eval_val(&Nothing) {
            Ok(v @ (Val::Time(_) | Val::Interval(..) | Val::Date(_))) => v.as_span(),
            _ => None,
        };
        let Some(span) = span else { return };
        let (start, end) = (span.start.with_timezone(&Utc), span.end.with_timezone(&Utc));
        let raise = |lo: &mut Option<DateTime<Utc>>, t| {
            *lo = Some(lo.map_or(t, |l: DateTime<Utc>| l.max(t)))
        };
        let lower = |hi: &mut Option<DateTime<Utc>>, t| {
            *hi = Some(hi.map_or(t, |h: DateTime<Utc>| h.min(t)))
        };
        match op {
            CmpOp::Gt | CmpOp::Ge => raise(&mut bounds.0, end),
            CmpOp::Lt | CmpOp::Le => lower(&mut bounds.1, start),
            CmpOp::Eq => {
                raise(&mut bounds.0, start);
                lower(&mut bounds.1, end);
            }
            CmpOp::Ne => {}
        }
    }
}

fn is_path(e: &Expr, target: &[&str]) -> bool {
    matches!(e, Expr::Path(p) if p.len() == target.len() && p.iter().zip(target).all(|(a, b)| a == b))
}
