//! What a request presents as credentials, read from its headers before anything is
//! looked up: one bearer token, one session cookie, or nothing.
//!
//! The parsing is strict on purpose. A credential has one spelling (`Bearer`, one space,
//! `cm_<id>_<secret>`; one `cm_session` cookie; or, for standard clients that only
//! speak HTTP Basic — SensorThings clients such as FROST's — the same token as the
//! Basic password, the user name ignored, as package registries take tokens), so a proxy, a log and this server never
//! disagree about which credential a request carried, and a header that only looks like
//! one (`Cookie: foo=cm_session`) is not mistaken for it. Anything malformed is refused
//! with a message saying what is wrong, never read as anonymous.

use axum::http::{header, HeaderMap};
use citymirror_trust::{secret, session, token};

/// The credentials in a request's headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presented<'a> {
    None,
    /// `Authorization: Bearer cm_<id>_<secret>`.
    Token {
        id: i64,
        secret: &'a str,
    },
    /// The value of the `cm_session` cookie.
    Session(&'a str),
    /// `Authorization: Basic base64(<any user>:cm_<id>_<secret>)`: an API token as
    /// the password of HTTP Basic (decoded, so owned).
    Basic(BasicToken),
}

/// An API token read from HTTP Basic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasicToken {
    pub id: i64,
    pub secret: String,
}

fn basic_token(encoded: &str) -> Result<BasicToken, Malformed> {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| Malformed::NotOurs)?;
    let text = String::from_utf8(bytes).map_err(|_| Malformed::NotOurs)?;
    let (_, password) = text.split_once(':').ok_or(Malformed::NotOurs)?;
    if password.is_empty() {
        return Err(Malformed::EmptyToken);
    }
    let (id, secret) = token::parse_token(password).ok_or(Malformed::NotOurs)?;
    Ok(BasicToken {
        id,
        secret: secret.to_owned(),
    })
}

/// Why the credential headers were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    #[error("the request has more than one Authorization header; send exactly one")]
    DuplicateAuthorization,
    #[error("the Authorization header must be `Bearer <token>` (or `Basic` with an API token as the password), with one space; other schemes are not accepted")]
    NotBearer,
    #[error("the bearer token is empty: was the variable holding it set? Mint one with `citymirror token create` or POST /api/v1/tokens")]
    EmptyToken,
    #[error("the bearer token is not a CityMirror API token (expected `cm_<id>_<43 characters>`, as `citymirror token create` prints it)")]
    NotOurs,
    #[error("the request carries more than one `cm_session` cookie; sign in again")]
    DuplicateSession,
    #[error("the `cm_session` cookie is not one this server issues; sign in again")]
    BadSession,
}

/// Reads the credentials a request presents. A bearer token wins over a session
/// cookie (a script may hold both).
pub fn parse(headers: &HeaderMap) -> Result<Presented<'_>, Malformed> {
    let mut auth = headers.get_all(header::AUTHORIZATION).iter();
    if let Some(value) = auth.next() {
        if auth.next().is_some() {
            return Err(Malformed::DuplicateAuthorization);
        }
        return bearer(value.to_str().map_err(|_| Malformed::NotOurs)?);
    }
    match session_cookie(headers)? {
        Some(cookie) => Ok(Presented::Session(cookie)),
        None => Ok(Presented::None),
    }
}

fn bearer(value: &str) -> Result<Presented<'_>, Malformed> {
    if let Some(encoded) = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))
    {
        return Ok(Presented::Basic(basic_token(encoded)?));
    }
    // The scheme is case-insensitive (RFC 9110 §11.1). Header parsers already strip
    // the value's surrounding whitespace, so `Bearer ` with an empty token arrives as
    // `Bearer`.
    let (scheme, rest) = value.split_at_checked(6).unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(Malformed::NotBearer);
    }
    if rest.trim().is_empty() {
        return Err(Malformed::EmptyToken);
    }
    let raw = rest.strip_prefix(' ').ok_or(Malformed::NotBearer)?;
    let (id, secret) = token::parse_token(raw).ok_or(Malformed::NotOurs)?;
    Ok(Presented::Token { id, secret })
}

/// The one `cm_session` cookie, if the request has one, across all its Cookie headers.
pub fn session_cookie(headers: &HeaderMap) -> Result<Option<&str>, Malformed> {
    let mut found = None;
    for value in headers.get_all(header::COOKIE) {
        let Ok(text) = value.to_str() else { continue };
        for pair in text.split(';') {
            let Some((name, value)) = pair.trim().split_once('=') else {
                continue;
            };
            if name != session::COOKIE {
                continue;
            }
            if found.is_some() {
                return Err(Malformed::DuplicateSession);
            }
            if !is_secret(value) {
                return Err(Malformed::BadSession);
            }
            found = Some(value);
        }
    }
    Ok(found)
}

/// Whether `s` has the shape of a secret this server hands out.
fn is_secret(s: &str) -> bool {
    s.len() == secret::random_secret().len()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const SECRET: &str = "abc_DEF-123abc_DEF-123abc_DEF-123abc_DEF-12";

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn check(pairs: &[(&'static str, &str)], expected: Result<Presented<'_>, Malformed>) {
        assert_eq!(parse(&headers(pairs)), expected, "{pairs:?}");
    }

    #[test]
    fn one_canonical_credential_is_read() {
        let t = format!("Bearer cm_12_{SECRET}");
        check(
            &[("authorization", &t)],
            Ok(Presented::Token {
                id: 12,
                secret: SECRET,
            }),
        );
        let lower = format!("bearer cm_12_{SECRET}");
        assert!(parse(&headers(&[("authorization", &lower)])).is_ok());
        let c = format!("lang=zh; cm_session={SECRET}");
        check(&[("cookie", &c)], Ok(Presented::Session(SECRET)));
        check(
            &[("cookie", "foo=cm_session; cm_sessionx=1")],
            Ok(Presented::None),
        );
        check(&[], Ok(Presented::None));
    }

    #[test]
    fn anything_else_that_claims_to_be_a_credential_is_refused() {
        let t = format!("cm_12_{SECRET}");
        check(
            &[
                ("authorization", &format!("Bearer {t}")),
                ("authorization", &format!("Bearer {t}")),
            ],
            Err(Malformed::DuplicateAuthorization),
        );
        check(
            &[("authorization", &format!("Bearer  {t}"))],
            Err(Malformed::NotOurs),
        );
        check(
            &[("authorization", &format!("Basic {t}"))],
            Err(Malformed::NotOurs),
        );
        {
            use base64::Engine as _;
            let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
            let (id, secret) = token::parse_token(&t).unwrap();
            check(
                &[(
                    "authorization",
                    &format!("Basic {}", b64(&format!("frost:{t}"))),
                )],
                Ok(Presented::Basic(BasicToken {
                    id,
                    secret: secret.to_owned(),
                })),
            );
            check(
                &[("authorization", &format!("Basic {}", b64("frost:")))],
                Err(Malformed::EmptyToken),
            );
            check(
                &[("authorization", &format!("Basic {}", b64("frost:hunter2")))],
                Err(Malformed::NotOurs),
            );
            check(&[("authorization", "Digest x")], Err(Malformed::NotBearer));
        }
        check(
            &[("authorization", &format!("Bearer{t}"))],
            Err(Malformed::NotBearer),
        );
        check(&[("authorization", &t)], Err(Malformed::NotBearer));
        check(&[("authorization", "Bearer")], Err(Malformed::EmptyToken));
        check(&[("authorization", "")], Err(Malformed::NotBearer));
        check(&[("authorization", "Bearer junk")], Err(Malformed::NotOurs));
        check(
            &[("authorization", &format!("Bearer cm_+12_{SECRET}"))],
            Err(Malformed::NotOurs),
        );
        let two = format!("cm_session={SECRET}; cm_session={SECRET}");
        check(&[("cookie", &two)], Err(Malformed::DuplicateSession));
        let split = format!("cm_session={SECRET}");
        check(
            &[("cookie", &split), ("cookie", &split)],
            Err(Malformed::DuplicateSession),
        );
        check(
            &[("cookie", "cm_session=short")],
            Err(Malformed::BadSession),
        );
    }
}
