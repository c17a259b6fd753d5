//! SensorThings API v1.1 query options (OGC 18-088 §9.3, an OData 4.0 subset): parsing
//! `$filter`, `$expand`, `$select`, `$orderby`, `$top`, `$skip`, `$count` and
//! `$resultFormat`, and evaluating filter / order-by expressions against entities that the
//! store hands over as JSON (through [`Scope`]).
//!
//! Layout, one idea per file: `lexer` (text → tokens), `ast` (the tree and the function
//! table), `parser` (tokens → tree, with input bounds), `options` and `expand` (the query
//! string), `value` (runtime values and comparison rules), `eval` and `functions`
//! (evaluation), `spatial` and `wkt` (geometry), `temporal` (ISO 8601), `pushdown`
//! (what a store can use before reading rows).

mod ast;
mod error;
mod eval;
mod expand;
mod functions;
mod lexer;
mod options;
mod parser;
mod pushdown;
mod spatial;
mod temporal;
mod value;
mod wkt;

#[cfg(test)]
mod tests;

pub use ast::{ArithOp, CmpOp, Expr, Func, Literal};
pub use error::{EvalError, QueryError};
pub use eval::Scope;
pub use expand::MAX_EXPAND_DEPTH;
pub use options::{parse_options, Expand, OrderBy, QueryOptions, ResultFormat, MAX_OPTION_LEN};
pub use parser::{parse_expr, parse_filter, parse_orderby, MAX_DEPTH, MAX_EXPRESSION_LEN};
pub use value::compare_for_orderby;
