//! Typed errors. A client that sent a bad query gets a 400 whose body carries `code()`:
//! codes are part of the API and never change; messages are for people and may.

use thiserror::Error;

/// Why a query string was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QueryError {
    #[error("bad $filter: {0}")]
    BadFilter(String),
    #[error("bad $expand: {0}")]
    BadExpand(String),
    #[error("bad $select: {0}")]
    BadSelect(String),
    #[error("bad $orderby: {0}")]
    BadOrderBy(String),
    #[error("bad $top: {0}")]
    BadTop(String),
    #[error("bad $skip: {0}")]
    BadSkip(String),
    #[error("bad $count: {0}")]
    BadCount(String),
    #[error("bad query option: {0}")]
    BadOption(String),
}

impl QueryError {
    /// The stable, machine-readable code (`bad_filter`, `bad_expand`, …).
    pub fn code(&self) -> &'static str {
        match self {
            QueryError::BadFilter(_) => "bad_filter",
            QueryError::BadExpand(_) => "bad_expand",
            QueryError::BadSelect(_) => "bad_select",
            QueryError::BadOrderBy(_) => "bad_orderby",
            QueryError::BadTop(_) => "bad_top",
            QueryError::BadSkip(_) => "bad_skip",
            QueryError::BadCount(_) => "bad_count",
            QueryError::BadOption(_) => "bad_option",
        }
    }

    /// The human-readable part, without the code.
    pub fn message(&self) -> &str {
        match self {
            QueryError::BadFilter(m)
            | QueryError::BadExpand(m)
            | QueryError::BadSelect(m)
            | QueryError::BadOrderBy(m)
            | QueryError::BadTop(m)
            | QueryError::BadSkip(m)
            | QueryError::BadCount(m)
            | QueryError::BadOption(m) => m,
        }
    }

    /// The same error, its message prefixed with where it happened (`in $expand=Datastreams: …`),
    /// so an error deep inside nested options still names its place.
    pub(crate) fn within(self, context: &str) -> Self {
        let wrap = |m: String| format!("in {context}: {m}");
        match self {
            QueryError::BadFilter(m) => QueryError::BadFilter(wrap(m)),
            QueryError::BadExpand(m) => QueryError::BadExpand(wrap(m)),
            QueryError::BadSelect(m) => QueryError::BadSelect(wrap(m)),
            QueryError::BadOrderBy(m) => QueryError::BadOrderBy(wrap(m)),
            QueryError::BadTop(m) => QueryError::BadTop(wrap(m)),
            QueryError::BadSkip(m) => QueryError::BadSkip(wrap(m)),
            QueryError::BadCount(m) => QueryError::BadCount(wrap(m)),
            QueryError::BadOption(m) => QueryError::BadOption(wrap(m)),
        }
    }
}

/// Why evaluating a well-formed expression against one entity gave no value. These are
/// per-row facts (this row's `result` is a string), not client errors: `matches` turns
/// them into "does not match".
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EvalError {
    #[error("type mismatch: {0}")]
    Type(String),
    #[error("division by zero")]
    DivisionByZero,
    #[error("bad geometry: {0}")]
    Geometry(String),
    #[error("bad argument: {0}")]
    Argument(String),
}

impl EvalError {
    pub fn code(&self) -> &'static str {
        match self {
            EvalError::Type(_) => "type_mismatch",
            EvalError::DivisionByZero => "division_by_zero",
            EvalError::Geometry(_) => "bad_geometry",
            EvalError::Argument(_) => "bad_argument",
        }
    }
}

/// A syntax error inside one option's text, before we know which option (and so which
/// code) it belongs to. `at` is a byte offset into the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub at: usize,
    pub msg: String,
}

impl SyntaxError {
    pub fn new(at: usize, msg: impl Into<String>) -> Self {
        SyntaxError {
            at,
            msg: msg.into(),
        }
    }

    /// "msg at position 17 (near `eqq 'x'`)": positions count characters, not bytes, so
    /// they stay right for Chinese names; the snippet shows what the client sent there.
    pub fn describe(&self, src: &str) -> String {
        let at = floor_char_boundary(src, self.at.min(src.len()));
        let position = src[..at].chars().count();
        let near: String = src[at..].chars().take(24).collect();
        if near.is_empty() {
            format!("{} at position {position} (end of input)", self.msg)
        } else {
            format!("{} at position {position} (near `{near}`)", self.msg)
        }
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
