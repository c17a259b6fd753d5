//! Splits `$filter` / `$orderby` text into tokens. Words stay words (`eq`, `and`,
//! `Datastream`, `geo.intersects`): whether `add` is an operator or a property name
//! depends on where it stands, which only the parser knows.

use chrono::NaiveDate;

use super::error::SyntaxError;
use super::temporal::{self, Instant};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// A name: property, keyword, function (`geo.distance`), `@iot.id`.
    Word(String),
    /// `'O''Neil'` → `O'Neil`.
    Str(String),
    /// `geography'POINT(1 2)'` → ("geography", "POINT(1 2)").
    Typed(String, String),
    Int(i64),
    Float(f64),
    DateTime(Instant),
    Interval(Instant, Instant),
    Date(NaiveDate),
    LParen,
    RParen,
    Comma,
    Slash,
    Minus,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    /// Byte offset of the token's first character.
    pub at: usize,
}

pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>, SyntaxError> {
    let mut lx = Lexer {
        src,
        chars: src.char_indices().collect(),
        i: 0,
    };
    let mut out = Vec::new();
    while let Some(t) = lx.next_token()? {
        out.push(t);
    }
    Ok(out)
}

struct Lexer<'a> {
    src: &'a str,
    chars: Vec<(usize, char)>,
    i: usize,
}

impl Lexer<'_> {
    fn peek_at(&self, k: usize) -> Option<char> {
        self.chars.get(self.i + k).map(|&(_, c)| c)
    }

    fn offset(&self, i: usize) -> usize {
        self.chars.get(i).map_or(self.src.len(), |&(o, _)| o)
    }

    fn next_token(&mut self) -> Result<Option<Token>, SyntaxError> {
        while self.peek_at(0).is_some_and(char::is_whitespace) {
            self.i += 1;
        }
        let Some(c) = self.peek_at(0) else {
            return Ok(None);
        };
        let at = self.offset(self.i);
        let single = |tok| Ok(Some(Token { tok, at }));
        match c {
            '(' => {
                self.i += 1;
                single(Tok::LParen)
            }
            ')' => {
                self.i += 1;
                single(Tok::RParen)
            }
            ',' => {
                self.i += 1;
                single(Tok::Comma)
            }
            '/' => {
                self.i += 1;
                single(Tok::Slash)
            }
            '\'' => {
                let s = self.string()?;
                single(Tok::Str(s))
            }
            '-' if self.peek_at(1).is_some_and(|d| d.is_ascii_digit()) => {
                let tok = self.number()?;
                single(tok)
            }
            '-' => {
                self.i += 1;
                single(Tok::Minus)
            }
            c if c.is_ascii_digit() => {
                let tok = if self.at_date() {
                    self.temporal()?
                } else {
                    self.number()?
                };
                single(tok)
            }
            c if c.is_alphabetic() || c == '_' || c == '@' => {
                let start = self.i;
                while self
                    .peek_at(0)
                    .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '@'))
                {
                    self.i += 1;
                }
                let word = self.src[at..self.offset(self.i)].to_string();
                if self.peek_at(0) == Some('\'') {
                    // A typed literal: the prefix must touch the quote (`geography'…'`).
                    let body = self.string()?;
                    if !matches!(
                        word.to_ascii_lowercase().as_str(),
                        "geography" | "geometry" | "duration"
                    ) {
                        return Err(SyntaxError::new(
                            self.offset(start),
                            format!("unknown literal type '{word}' (expected geography, geometry or duration)"),
                        ));
                    }
                    return single(Tok::Typed(word, body));
                }
                single(Tok::Word(word))
            }
            other => Err(SyntaxError::new(
                at,
                format!("unexpected character '{other}'"),
            )),
        }
    }

    /// A quoted string; `''` inside stands for one quote.
    fn string(&mut self) -> Result<String, SyntaxError> {
        let open = self.offset(self.i);
        self.i += 1;
        let mut out = String::new();
        loop {
            match self.peek_at(0) {
                None => return Err(SyntaxError::new(open, "unterminated string")),
                Some('\'') if self.peek_at(1) == Some('\'') => {
                    out.push('\'');
                    self.i += 2;
                }
                Some('\'') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(c) => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
    }

    /// `dddd-dd-dd` ahead: a date, a datetime or an interval rather than a number.
    fn at_date(&self) -> bool {
        let pattern = "dddd-dd-dd";
        pattern
            .chars()
            .enumerate()
            .all(|(k, p)| match (p, self.peek_at(k)) {
                ('d', Some(c)) => c.is_ascii_digit(),
                ('-', Some('-')) => true,
                _ => false,
            })
    }

    fn temporal(&mut self) -> Result<Tok, SyntaxError> {
        let start = self.i;
        self.scan_datetime_chars();
        // `start/end`: a slash right after a datetime and before a digit is an interval.
        if self.peek_at(0) == Some('/') && self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) {
            let first_end = self.i;
            self.i += 1;
            self.scan_datetime_chars();
            let (a, b) = (
                &self.src[self.offset(start)..self.offset(first_end)],
                &self.src[self.offset(first_end + 1)..self.offset(self.i)],
            );
            let at = self.offset(start);
            let (Some(s), Some(e)) = (temporal::parse_instant(a), temporal::parse_instant(b))
            else {
                return Err(SyntaxError::new(
                    at,
                    "bad interval literal (expected start/end, each with an offset)",
                ));
            };
            if s > e {
                return Err(SyntaxError::new(at, "interval ends before it starts"));
            }
            return Ok(Tok::Interval(s, e));
        }
        let at = self.offset(start);
        let text = &self.src[at..self.offset(self.i)];
        if let Some(d) = (text.len() == 10)
            .then(|| temporal::parse_date(text))
            .flatten()
        {
            return Ok(Tok::Date(d));
        }
        if let Some(t) = temporal::parse_instant(text) {
            return Ok(Tok::DateTime(t));
        }
        let msg = if text.contains(['T', 't'])
            && !text.ends_with(['Z', 'z'])
            && !text[10..].contains(['+', '-'])
        {
            format!("datetime literal '{text}' needs an offset (Z or ±hh:mm)")
        } else {
            format!("bad datetime literal '{text}'")
        };
        Err(SyntaxError::new(at, msg))
    }

    fn scan_datetime_chars(&mut self) {
        while self.peek_at(0).is_some_and(|c| {
            c.is_ascii_digit() || matches!(c, ':' | '.' | '-' | '+' | 'T' | 't' | 'Z' | 'z')
        }) {
            self.i += 1;
        }
    }

    /// `-12`, `3.5`, `1e-3`. Integers too large for i64 become floats, as OData's
    /// Edm.Decimal would.
    fn number(&mut self) -> Result<Tok, SyntaxError> {
        let start = self.i;
        if self.peek_at(0) == Some('-') {
            self.i += 1;
        }
        let digits = |lx: &mut Self| {
            let from = lx.i;
            while lx.peek_at(0).is_some_and(|c| c.is_ascii_digit()) {
                lx.i += 1;
            }
            lx.i > from
        };
        digits(self);
        let mut float = false;
        if self.peek_at(0) == Some('.') && self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
            digits(self);
            float = true;
        }
        if matches!(self.peek_at(0), Some('e' | 'E')) {
            let save = self.i;
            self.i += 1;
            if matches!(self.peek_at(0), Some('+' | '-')) {
                self.i += 1;
            }
            if digits(self) {
                float = true;
            } else {
                self.i = save;
            }
        }
        let at = self.offset(start);
        let text = &self.src[at..self.offset(self.i)];
        if self
            .peek_at(0)
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
        {
            return Err(SyntaxError::new(at, format!("bad number '{text}…'")));
        }
        if !float {
            if let Ok(n) = text.parse::<i64>() {
                return Ok(Tok::Int(n));
            }
        }
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Tok::Float(v)),
            _ => Err(SyntaxError::new(at, format!("bad number '{text}'"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        tokenize(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn words_numbers_strings_and_punctuation() {
        assert_eq!(
            toks("Datastream/Thing/name eq 'O''Neil' and result ge -1.5e2"),
            vec![
                Tok::Word("Datastream".into()),
                Tok::Slash,
                Tok::Word("Thing".into()),
                Tok::Slash,
                Tok::Word("name".into()),
                Tok::Word("eq".into()),
                Tok::Str("O'Neil".into()),
                Tok::Word("and".into()),
                Tok::Word("result".into()),
                Tok::Word("ge".into()),
                Tok::Float(-150.0),
            ]
        );
        assert_eq!(toks("@iot.id"), vec![Tok::Word("@iot.id".into())]);
        assert_eq!(
            toks("-(3)"),
            vec![Tok::Minus, Tok::LParen, Tok::Int(3), Tok::RParen]
        );
    }

    #[test]
    fn dates_datetimes_and_intervals_are_unquoted() {
        assert!(matches!(toks("2026-01-01")[..], [Tok::Date(_)]));
        assert!(matches!(
            toks("2026-01-01T00:00:00.000+08:00)")[..],
            [Tok::DateTime(_), Tok::RParen]
        ));
        assert!(matches!(
            toks("2026-01-01T00:00:00Z/2026-01-02T00:00:00Z")[..],
            [Tok::Interval(_, _)]
        ));
        let e = tokenize("time gt 2026-01-01T00:00:00").unwrap_err();
        assert!(e.msg.contains("needs an offset"), "{}", e.msg);
    }

    #[test]
    fn typed_literals() {
        assert_eq!(
            toks("geography'POINT(1 2)'"),
            vec![Tok::Typed("geography".into(), "POINT(1 2)".into())]
        );
        assert!(tokenize("binary'AAA'").is_err());
    }

    #[test]
    fn refuses_junk() {
        assert!(tokenize("name eq 'open").is_err());
        assert!(tokenize("12abc").is_err());
        assert!(tokenize("a # b").is_err());
    }
}
