//! Recursive-descent parser for `$filter` and `$orderby` (OData 4.0 §5.1.1 precedence,
//! loosest first): `or` < `and` < comparison < `add`/`sub` < `mul`/`div`/`mod` <
//! unary `not`/`-` < primary. `not` binding tighter than `eq` is OData's rule, so
//! `not a eq b` is `(not a) eq b`; write `not (a eq b)`.

use std::sync::Arc;

use crate::entity::EntityType;

use super::ast::{ArithOp, CmpOp, Expr, Func, Literal};
use super::error::{QueryError, SyntaxError};
use super::lexer::{tokenize, Tok, Token};
use super::options::OrderBy;
use super::{temporal, wkt};

/// Longest `$filter` / `$orderby` accepted, in characters. Anonymous callers reach the
/// parser; this and `MAX_DEPTH` keep one request from costing more than a bounded amount.
pub const MAX_EXPRESSION_LEN: usize = 4_000;
/// Deepest expression tree accepted (also bounds parentheses, `not` and call nesting).
pub const MAX_DEPTH: usize = 64;

/// Parses a `$filter` without checking its property paths against an entity type.
pub fn parse_expr(text: &str) -> Result<Expr, QueryError> {
    parse_filter_text(text, None).map_err(|e| QueryError::BadFilter(e.describe(text)))
}

/// Parses a `$filter` for `entity`: a path must start with one of its properties, `id`,
/// or a navigation (followed, after navigations, by the target's properties). Inside a
/// JSON property (`properties/grid`) anything goes.
pub fn parse_filter(text: &str, entity: EntityType) -> Result<Expr, QueryError> {
    parse_filter_text(text, Some(entity)).map_err(|e| QueryError::BadFilter(e.describe(text)))
}

/// Parses `$orderby` (`phenomenonTime desc,id`) for `entity`.
pub fn parse_orderby(text: &str, entity: EntityType) -> Result<Vec<OrderBy>, QueryError> {
    parse_orderby_text(text, Some(entity)).map_err(|e| QueryError::BadOrderBy(e.describe(text)))
}

pub(crate) fn parse_filter_text(
    src: &str,
    entity: Option<EntityType>,
) -> Result<Expr, SyntaxError> {
    let mut p = Parser::new(src, entity)?;
    if p.peek().is_none() {
        return Err(SyntaxError::new(0, "empty expression"));
    }
    let e = p.expression()?;
    if let Some(t) = p.peek_token() {
        return Err(SyntaxError::new(
            t.at,
            "unexpected text; expected an operator or the end",
        ));
    }
    check_depth(&e)?;
    Ok(e)
}

pub(crate) fn parse_orderby_text(
    src: &str,
    entity: Option<EntityType>,
) -> Result<Vec<OrderBy>, SyntaxError> {
    let mut p = Parser::new(src, entity)?;
    let mut out = Vec::new();
    loop {
        if p.peek().is_none() {
            return Err(SyntaxError::new(
                p.here(),
                "expected an expression to order by",
            ));
        }
        let expr = p.expression()?;
        check_depth(&expr)?;
        let mut descending = false;
        if let Some(Tok::Word(w)) = p.peek() {
            if w.eq_ignore_ascii_case("desc") || w.eq_ignore_ascii_case("asc") {
                descending = w.eq_ignore_ascii_case("desc");
                p.i += 1;
            }
        }
        out.push(OrderBy { expr, descending });
        match p.peek() {
            None => return Ok(out),
            Some(Tok::Comma) => p.i += 1,
            Some(_) => {
                return Err(SyntaxError::new(
                    p.here(),
                    "expected asc, desc, ',' or the end",
                ))
            }
        }
    }
}

fn check_depth(e: &Expr) -> Result<(), SyntaxError> {
    if e.depth() > MAX_DEPTH {
        return Err(SyntaxError::new(
            0,
            format!("expression nested more than {MAX_DEPTH} deep"),
        ));
    }
    Ok(())
}

struct Parser {
    toks: Vec<Token>,
    i: usize,
    /// Current recursion through parentheses, calls and unary operators.
    nesting: usize,
    entity: Option<EntityType>,
    end: usize,
}

impl Parser {
    fn new(src: &str, entity: Option<EntityType>) -> Result<Self, SyntaxError> {
        if src.chars().count() > MAX_EXPRESSION_LEN {
            return Err(SyntaxError::new(
                0,
                format!("expression longer than {MAX_EXPRESSION_LEN} characters"),
            ));
        }
        Ok(Parser {
            toks: tokenize(src)?,
            i: 0,
            nesting: 0,
            entity,
            end: src.len(),
        })
    }

    fn peek_token(&self) -> Option<&Token> {
        self.toks.get(self.i)
    }

    fn peek(&self) -> Option<&Tok> {
        self.peek_token().map(|t| &t.tok)
    }

    fn peek_word(&self) -> Option<&str> {
        match self.peek() {
            Some(Tok::Word(w)) => Some(w),
            _ => None,
        }
    }

    /// Offset of the next token, or the end of the text.
    fn here(&self) -> usize {
        self.peek_token().map_or(self.end, |t| t.at)
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.nesting += 1;
        if self.nesting > MAX_DEPTH {
            return Err(SyntaxError::new(
                self.here(),
                format!("expression nested more than {MAX_DEPTH} deep"),
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.nesting -= 1;
    }

    fn expect(&mut self, want: Tok, what: &str) -> Result<(), SyntaxError> {
        if self.peek() == Some(&want) {
            self.i += 1;
            Ok(())
        } else {
            Err(SyntaxError::new(self.here(), format!("expected {what}")))
        }
    }

    fn expression(&mut self) -> Result<Expr, SyntaxError> {
        self.or()
    }

    fn or(&mut self) -> Result<Expr, SyntaxError> {
        let mut terms = vec![self.and()?];
        while self.peek_word() == Some("or") {
            self.i += 1;
            terms.push(self.and()?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Expr::Or(terms)
        })
    }

    fn and(&mut self) -> Result<Expr, SyntaxError> {
        let mut terms = vec![self.comparison()?];
        while self.peek_word() == Some("and") {
            self.i += 1;
            terms.push(self.comparison()?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Expr::And(terms)
        })
    }

    fn comparison(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.additive()?;
        while let Some(op) = self.peek_word().and_then(CmpOp::from_keyword) {
            self.i += 1;
            let right = self.additive()?;
            left = Expr::Compare(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn additive(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.multiplicative()?;
        while let Some(op) = self.peek_word().and_then(ArithOp::additive) {
            self.i += 1;
            let right = self.multiplicative()?;
            left = Expr::Arith(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn multiplicative(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.unary()?;
        while let Some(op) = self.peek_word().and_then(ArithOp::multiplicative) {
            self.i += 1;
            let right = self.unary()?;
            left = Expr::Arith(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, SyntaxError> {
        let wrap: fn(Box<Expr>) -> Expr = match self.peek() {
            Some(Tok::Word(w)) if w == "not" => Expr::Not,
            Some(Tok::Minus) => Expr::Negate,
            _ => return self.primary(),
        };
        self.i += 1;
        self.enter()?;
        let inner = self.unary()?;
        self.leave();
        Ok(wrap(Box::new(inner)))
    }

    fn primary(&mut self) -> Result<Expr, SyntaxError> {
        let Some(token) = self.peek_token().cloned() else {
            return Err(SyntaxError::new(self.end, "expected a value"));
        };
        let at = token.at;
        self.i += 1;
        let lit = |l| Ok(Expr::Literal(l));
        match token.tok {
            Tok::LParen => {
                self.enter()?;
                let e = self.expression()?;
                self.expect(Tok::RParen, "')' (unbalanced parentheses)")?;
                self.leave();
                Ok(e)
            }
            Tok::Int(n) => lit(Literal::Int(n)),
            Tok::Float(v) => lit(Literal::Float(v)),
            Tok::Str(s) => lit(Literal::String(s)),
            Tok::DateTime(t) => lit(Literal::DateTime(t)),
            Tok::Interval(s, e) => lit(Literal::Interval(s, e)),
            Tok::Date(d) => lit(Literal::Date(d)),
            Tok::Typed(kind, body) => typed_literal(&kind, &body, at).map(Expr::Literal),
            Tok::Word(w) => self.word(w, at),
            Tok::RParen => Err(SyntaxError::new(
                at,
                "unexpected ')' (unbalanced parentheses)",
            )),
            Tok::Comma | Tok::Slash | Tok::Minus => Err(SyntaxError::new(at, "expected a value")),
        }
    }

    /// A word in operand position: a keyword literal, a function call, or a path.
    fn word(&mut self, w: String, at: usize) -> Result<Expr, SyntaxError> {
        if self.peek() == Some(&Tok::LParen) {
            return self.call(&w, at);
        }
        let continues = self.peek() == Some(&Tok::Slash);
        if !continues {
            match w.as_str() {
                "true" => return Ok(Expr::Literal(Literal::Bool(true))),
                "false" => return Ok(Expr::Literal(Literal::Bool(false))),
                "null" => return Ok(Expr::Literal(Literal::Null)),
                _ => {}
            }
        }
        if is_operator(&w) {
            return Err(SyntaxError::new(
                at,
                format!("expected a value, found operator '{w}'"),
            ));
        }
        let mut path = vec![w];
        while self.peek() == Some(&Tok::Slash) {
            self.i += 1;
            match self.peek_token().cloned() {
                Some(Token {
                    tok: Tok::Word(seg),
                    ..
                }) => {
                    self.i += 1;
                    path.push(seg);
                }
                _ => {
                    return Err(SyntaxError::new(
                        self.here(),
                        "expected a property name after '/'",
                    ))
                }
            }
        }
        if self.peek() == Some(&Tok::LParen) {
            return Err(SyntaxError::new(
                self.here(),
                "a property path cannot be called",
            ));
        }
        if let Some(entity) = self.entity {
            validate_path(entity, &path).map_err(|msg| SyntaxError::new(at, msg))?;
        }
        Ok(Expr::Path(path))
    }

    fn call(&mut self, name: &str, at: usize) -> Result<Expr, SyntaxError> {
        let func = Func::from_name(name)
            .ok_or_else(|| SyntaxError::new(at, format!("unknown function '{name}'")))?;
        self.i += 1; // '('
        self.enter()?;
        let mut args = Vec::new();
        if self.peek() != Some(&Tok::RParen) {
            loop {
                args.push(self.expression()?);
                if self.peek() == Some(&Tok::Comma) {
                    self.i += 1;
                } else {
                    break;
                }
            }
        }
        self.expect(Tok::RParen, "',' or ')' to close the function call")?;
        self.leave();
        let (min, max) = func.arity();
        if args.len() < min || args.len() > max {
            let want = if min == max {
                min.to_string()
            } else {
                format!("{min} to {max}")
            };
            return Err(SyntaxError::new(
                at,
                format!(
                    "{}() takes {want} argument(s), got {}",
                    func.name(),
                    args.len()
                ),
            ));
        }
        Ok(Expr::Call(func, args))
    }
}

fn is_operator(w: &str) -> bool {
    matches!(w, "and" | "or")
        || CmpOp::from_keyword(w).is_some()
        || ArithOp::additive(w).is_some()
        || ArithOp::multiplicative(w).is_some()
}

fn typed_literal(kind: &str, body: &str, at: usize) -> Result<Literal, SyntaxError> {
    if kind.eq_ignore_ascii_case("duration") {
        return temporal::parse_duration(body)
            .map(Literal::Duration)
            .ok_or_else(|| {
                SyntaxError::new(at, format!("bad duration '{body}' (expected e.g. P1DT2H)"))
            });
    }
    // geography'…' and geometry'…': both read as WGS 84 longitude/latitude.
    wkt::parse_wkt(body)
        .map(|g| Literal::Geography(Arc::new(g)))
        .map_err(|m| SyntaxError::new(at, format!("bad {kind} literal: {m}")))
}

/// Checks that a path names something `entity` has: navigations first, then one of the
/// target's properties or its id. What follows a property is inside its JSON value.
pub(crate) fn validate_path(entity: EntityType, path: &[String]) -> Result<(), String> {
    let mut current = entity;
    for (k, seg) in path.iter().enumerate() {
        if let Some(nav) = current.nav(seg) {
            current = nav.target;
            continue;
        }
        if matches!(seg.as_str(), "id" | "@iot.id" | "@iot.selfLink") {
            return if k + 1 == path.len() {
                Ok(())
            } else {
                Err(format!("'{seg}' has no parts"))
            };
        }
        if current.properties().contains(&seg.as_str()) {
            return Ok(());
        }
        return Err(format!(
            "{} has no property or navigation '{seg}'",
            current.singular()
        ));
    }
    Ok(())
}
