//! The `$filter` / `$orderby` expression tree and the functions it may call.

use std::sync::Arc;

use chrono::{NaiveDate, TimeDelta};

use super::temporal::Instant;

/// A parsed expression. `and` / `or` hold all their operands in one node: a client's
/// `id eq 1 or id eq 2 or …` stays one level deep rather than becoming a deep tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Literal(Literal),
    /// `Datastream/Thing/properties/grid` → `["Datastream", "Thing", "properties", "grid"]`.
    Path(Vec<String>),
    Not(Box<Expr>),
    /// Unary `-`.
    Negate(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Compare(CmpOp, Box<Expr>, Box<Expr>),
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    /// `2026-01-01T00:00:00Z`, offset kept (OData's `hour()` reads the local hour).
    DateTime(Instant),
    /// `2026-01-01T00:00:00Z/2026-01-02T00:00:00Z`.
    Interval(Instant, Instant),
    /// `2026-01-01`.
    Date(NaiveDate),
    /// `duration'P1D'`.
    Duration(TimeDelta),
    /// `geography'POINT(114.05 22.54)'`; shared so evaluating it per row does not copy
    /// a polygon's coordinates.
    Geography(Arc<geo::Geometry<f64>>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CmpOp {
    pub fn from_keyword(word: &str) -> Option<CmpOp> {
        Some(match word {
            "eq" => CmpOp::Eq,
            "ne" => CmpOp::Ne,
            "gt" => CmpOp::Gt,
            "ge" => CmpOp::Ge,
            "lt" => CmpOp::Lt,
            "le" => CmpOp::Le,
            _ => return None,
        })
    }

    /// `a op b` ⇔ `b op.flipped() a`.
    pub fn flipped(self) -> CmpOp {
        match self {
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            same => same,
        }
    }

    pub fn keyword(self) -> &'static str {
        match self {
            CmpOp::Eq => "eq",
            CmpOp::Ne => "ne",
            CmpOp::Gt => "gt",
            CmpOp::Ge => "ge",
            CmpOp::Lt => "lt",
            CmpOp::Le => "le",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl ArithOp {
    /// Additive operators bind looser than multiplicative ones; the parser asks which.
    pub fn additive(word: &str) -> Option<ArithOp> {
        match word {
            "add" => Some(ArithOp::Add),
            "sub" => Some(ArithOp::Sub),
            _ => None,
        }
    }

    pub fn multiplicative(word: &str) -> Option<ArithOp> {
        match word {
            "mul" => Some(ArithOp::Mul),
            "div" => Some(ArithOp::Div),
            "mod" => Some(ArithOp::Mod),
            _ => None,
        }
    }

    pub fn keyword(self) -> &'static str {
        match self {
            ArithOp::Add => "add",
            ArithOp::Sub => "sub",
            ArithOp::Mul => "mul",
            ArithOp::Div => "div",
            ArithOp::Mod => "mod",
        }
    }
}

macro_rules! functions {
    ($($variant:ident = $name:literal, $min:literal ..= $max:literal;)*) => {
        /// The functions of OGC 18-088 §9.3.3.5.2 (OData 4.0 canonical functions, the
        /// OData 3 `substringof`, and the OGC simple-features `st_` predicates).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Func { $($variant,)* }

        impl Func {
            pub const ALL: &'static [Func] = &[$(Func::$variant,)*];

            /// The name as a filter spells it.
            pub fn name(self) -> &'static str {
                match self { $(Func::$variant => $name,)* }
            }

            /// Least and most arguments.
            pub fn arity(self) -> (usize, usize) {
                match self { $(Func::$variant => ($min, $max),)* }
            }
        }
    };
}

functions! {
    SubstringOf = "substringof", 2..=2;
    EndsWith = "endswith", 2..=2;
    StartsWith = "startswith", 2..=2;
    Contains = "contains", 2..=2;
    Length = "length", 1..=1;
    IndexOf = "indexof", 2..=2;
    Substring = "substring", 2..=3;
    ToLower = "tolower", 1..=1;
    ToUpper = "toupper", 1..=1;
    Trim = "trim", 1..=1;
    Concat = "concat", 2..=2;
    Year = "year", 1..=1;
    Month = "month", 1..=1;
    Day = "day", 1..=1;
    Hour = "hour", 1..=1;
    Minute = "minute", 1..=1;
    Second = "second", 1..=1;
    FractionalSeconds = "fractionalseconds", 1..=1;
    Date = "date", 1..=1;
    Time = "time", 1..=1;
    TotalOffsetMinutes = "totaloffsetminutes", 1..=1;
    Now = "now", 0..=0;
    MinDateTime = "mindatetime", 0..=0;
    MaxDateTime = "maxdatetime", 0..=0;
    Round = "round", 1..=1;
    Floor = "floor", 1..=1;
    Ceiling = "ceiling", 1..=1;
    GeoDistance = "geo.distance", 2..=2;
    GeoLength = "geo.length", 1..=1;
    GeoIntersects = "geo.intersects", 2..=2;
    StEquals = "st_equals", 2..=2;
    StDisjoint = "st_disjoint", 2..=2;
    StTouches = "st_touches", 2..=2;
    StWithin = "st_within", 2..=2;
    StOverlaps = "st_overlaps", 2..=2;
    StCrosses = "st_crosses", 2..=2;
    StIntersects = "st_intersects", 2..=2;
    StContains = "st_contains", 2..=2;
    StRelate = "st_relate", 3..=3;
}

impl Func {
    /// Case-insensitive: `ST_Within` is how SQL-minded clients write it, and no two
    /// functions differ only by case.
    pub fn from_name(name: &str) -> Option<Func> {
        Func::ALL
            .iter()
            .copied()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }
}

impl Expr {
    /// Levels from this node to its deepest leaf (a literal or path is 1).
    pub fn depth(&self) -> usize {
        1 + match self {
            Expr::Literal(_) | Expr::Path(_) => 0,
            Expr::Not(e) | Expr::Negate(e) => e.depth(),
            Expr::And(es) | Expr::Or(es) | Expr::Call(_, es) => {
                es.iter().map(Expr::depth).max().unwrap_or(0)
            }
            Expr::Compare(_, a, b) | Expr::Arith(_, a, b) => a.depth().max(b.depth()),
        }
    }

    /// True when the expression reads nothing from the entity (`now() sub duration'P1D'`),
    /// so it can be evaluated once, up front.
    pub fn is_constant(&self) -> bool {
        match self {
            Expr::Literal(_) => true,
            Expr::Path(_) => false,
            Expr::Not(e) | Expr::Negate(e) => e.is_constant(),
            Expr::And(es) | Expr::Or(es) | Expr::Call(_, es) => es.iter().all(Expr::is_constant),
            Expr::Compare(_, a, b) | Expr::Arith(_, a, b) => a.is_constant() && b.is_constant(),
        }
    }
}
