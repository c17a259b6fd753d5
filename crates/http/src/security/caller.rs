//! The [`Caller`] extractor: every handler that cares who is asking takes one.

use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts, Method},
};
use chrono::Utc;
use citymirror_trust::{secret, session, token, Principal, Session};
use subtle::ConstantTimeEq;

use crate::{ApiError, AppState};

/// The resolved principal of a request (anonymous when it carries no credentials).
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

/// The session cookie's value, if the request carries one.
pub fn session_cookie(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == session::COOKIE)
        .map(|(_, v)| v)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
            let raw = auth
                .to_str()
                .ok()
                .and_then(|s| s.strip_prefix("Bearer "))
                .ok_or(ApiError::InvalidToken)?;
            return from_token(raw.trim(), state).await.map(Caller);
        }
        if let Some(cookie) = session_cookie(parts) {
            let (principal, session) = from_session(cookie, state).await?;
            if !is_safe(&parts.method) {
                let presented = parts
                    .headers
                    .get(session::CSRF_HEADER)
                    .map(|v| v.as_bytes())
                    .unwrap_or_default();
                if !bool::from(presented.ct_eq(session.csrf_token.as_bytes())) {
                    return Err(ApiError::CsrfFailed);
                }
            }
            return Ok(Caller(principal));
        }
        Ok(Caller(Principal::anonymous()))
    }
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

async fn from_token(raw: &str, state: &AppState) -> Result<Principal, ApiError> {
    let sec = &state.security;
    let (id, secret_part) = token::parse_token(raw).ok_or(ApiError::InvalidToken)?;
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
    let s = sec
        .repo
        .session(&secret::digest(cookie))
        .await?
        .filter(|s| s.expires_at > Utc::now())
        .ok_or(ApiError::InvalidToken)?;
    let user = sec
        .repo
        .user(s.user_id)
        .await?
        .filter(|u| !u.disabled)
        .ok_or(ApiError::InvalidToken)?;
    Ok((sec.org.principal_for_user(&user), s))
}
