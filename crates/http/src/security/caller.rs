//! The [`Caller`] extractor: every handler that cares who is asking takes one.
//!
//! The security gate (`rate_limit::gate`) resolves each request's caller once, before
//! the handler runs, and leaves it in the request's extensions; the extractor takes it
//! from there. Resolving verifies the credential: only a verified one makes a caller
//! anything but anonymous, and a bad one is refused, never downgraded to anonymous.

use axum::{
    extract::FromRequestParts,
    http::{request::Parts, HeaderMap, Method},
};
use chrono::Utc;
use citymirror_trust::{secret, session, Principal, Session};
use subtle::ConstantTimeEq;

use super::credentials::{self, Presented};
use crate::{ApiError, AppState};

/// The resolved principal of a request (anonymous when it carries no credentials).
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

/// Marks a request that arrived on the server's local control socket, whose file
/// permissions are its credential: it acts as the deployment's operator.
#[derive(Debug, Clone, Copy)]
pub struct LocalOperator;

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(c) = parts.extensions.get::<Caller>() {
            return Ok(c.clone());
        }
        resolve(&parts.method, &parts.headers, &parts.extensions, state)
            .await
            .map(Caller)
    }
}

/// Who a request comes from, with its credential verified.
pub async fn resolve(
    method: &Method,
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
    state: &AppState,
) -> Result<Principal, ApiError> {
    if extensions.get::<LocalOperator>().is_some() {
        return Ok(Principal::operator(
            "control-socket",
            state.security.org.district().clone(),
        ));
    }
    match credentials::parse(headers).map_err(|m| ApiError::MalformedCredentials(m.to_string()))? {
        Presented::None => Ok(Principal::anonymous()),
        Presented::Token { id, secret } => from_token(id, secret, state).await,
        Presented::Basic(t) => from_token(t.id, &t.secret, state).await,
        Presented::Session(cookie) => {
            let (principal, session) = from_session(cookie, state).await?;
            if !is_safe(method) {
                let presented = headers
                    .get(session::CSRF_HEADER)
                    .map(|v| v.as_bytes())
                    .unwrap_or_default();
                if !bool::from(presented.ct_eq(session.csrf_token.as_bytes())) {
                    return Err(ApiError::CsrfFailed);
                }
            }
            Ok(principal)
        }
    }
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The principal of an API token given as a value (Open311's `api_key`), not a header.
pub(crate) async fn from_api_key(key: &str, state: &AppState) -> Result<Principal, ApiError> {
    let (id, secret_part) =
        citymirror_trust::token::parse_token(key.trim()).ok_or(ApiError::InvalidToken)?;
    from_token(id, secret_part, state).await
}

async fn from_token(id: i64, secret_part: &str, state: &AppState) -> Result<Principal, ApiError> {
    let sec = &state.security;
    let t = sec
        .tokens
        .get(id, sec.repo.as_ref())
        .await?
        .ok_or(ApiError::InvalidToken)?;
    if !secret::matches(secret_part, &t.secret_digest) || !t.is_live(Utc::now()) {
        return Err(ApiError::InvalidToken);
    }
    Ok(sec.org.principal_for_token(&t))
}

/// The principal and stored session behind a session cookie.
pub async fn from_session(
    cookie: &str,
    state: &AppState,
) -> Result<(Principal, Session), ApiError> {
    let sec = &state.security;
    let (s, user) = sec
        .sessions
        .get(secret::digest(cookie), sec.repo.as_ref())
        .await?
        .filter(|(s, u)| s.expires_at > Utc::now() && !u.disabled)
        .ok_or(ApiError::InvalidToken)?;
    Ok((sec.org.principal_for_user(&user), s))
}
