//! Browser sign-in: `POST /api/v1/session` (user name and password → session cookie and
//! CSRF token), `GET /api/v1/session` (who am I, and the CSRF token again after a page
//! reload), `DELETE /api/v1/session` (sign out).

use axum::{
    body::Bytes,
    extract::State,
    http::{header, request::Parts, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use chrono::Utc;
use citymirror_trust::{secret, session, Principal, Session, User};
use serde::Deserialize;
use serde_json::json;
use std::time::Instant;

use super::query::json_body;
use crate::{
    security::{rate_limit::client_ip, throttle::normalise, trail, Caller},
    ApiError, AppState,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    username: String,
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    parts: Parts,
    body: Bytes,
) -> Result<Response, ApiError> {
    let Login {
        username,
        password: pw,
    } = json_body(&parts.headers, &body)?;
    let username = normalise(&username);
    if username.is_empty() || username.len() > 64 || pw.len() > 256 {
        return Err(ApiError::InvalidCredentials);
    }
    let sec = &state.security;
    let ip = client_ip(&parts.extensions);
    let now = Instant::now();
    sec.throttle
        .check(&username, ip, now)
        .map_err(|retry_after_s| ApiError::TooManyAttempts { retry_after_s })?;
    let user = sec.repo.user_by_name(&username).await?;
    // An unknown, disabled or password-less account is checked against a dummy hash, so
    // the answer takes as long and does not tell them apart. Hashing runs in the bounded
    // pool: past its queue's deadline the answer is 503, and nothing is counted.
    let stored = user
        .as_ref()
        .filter(|u| !u.disabled)
        .and_then(|u| u.password_hash.clone());
    let ok = sec.hashing.verify(pw, stored).await?;
    let anonymous = Principal::anonymous();
    let Some(user) = user.filter(|_| ok) else {
        sec.throttle.failed(&username, ip, now);
        // The attempted name may be a citizen's mobile number, and the log is forever:
        // it is recorded masked (trail masks identifiers in every entry).
        trail::record(
            &state,
            &anonymous,
            "session.login-failed",
            "session".into(),
            json!({ "username": username, "client": ip.to_string() }),
        )
        .await?;
        return Err(ApiError::InvalidCredentials);
    };
    sec.throttle.succeeded(&username, ip);
    let cookie = secret::random_secret();
    let now = Utc::now();
    let s = Session {
        digest: secret::digest(&cookie).to_vec(),
        user_id: user.id,
        csrf_token: secret::random_secret(),
        created_at: now,
        expires_at: now + session::LIFETIME,
    };
    sec.repo.insert_session(&s).await?;
    let principal = sec.org.principal_for_user(&user);
    trail::record(
        &state,
        &principal,
        "session.login",
        format!("users/{}", user.id),
        json!({ "client": ip.to_string() }),
    )
    .await?;
    let mut r = (
        StatusCode::CREATED,
        Json(describe(&state, &user, &principal, &s.csrf_token)),
    )
        .into_response();
    let max_age = session::LIFETIME.num_seconds();
    let secure = if sec.secure_cookies { "; Secure" } else { "" };
    let set = format!(
        "{}={cookie}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}",
        session::COOKIE
    );
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&set).map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    Ok(r)
}

pub async fn current(State(state): State<AppState>, parts: Parts) -> Result<Response, ApiError> {
    let cookie = cookie_of(&parts)?;
    let (principal, s) = crate::security::caller::from_session(cookie, &state).await?;
    let user = state
        .security
        .repo
        .user(s.user_id)
        .await?
        .ok_or(ApiError::InvalidToken)?;
    Ok(Json(describe(&state, &user, &principal, &s.csrf_token)).into_response())
}

pub async fn logout(
    State(state): State<AppState>,
    Caller(who): Caller,
    parts: Parts,
) -> Result<Response, ApiError> {
    let cookie = cookie_of(&parts)?;
    let digest = secret::digest(cookie);
    state.security.repo.delete_session(&digest).await?;
    state.security.sessions.evict(digest);
    trail::record(&state, &who, "session.logout", "session".into(), json!({})).await?;
    let mut r = StatusCode::NO_CONTENT.into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&format!(
            "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
            session::COOKIE
        ))
        .map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    Ok(r)
}

/// The request's session cookie, which these resources need.
fn cookie_of(parts: &Parts) -> Result<&str, ApiError> {
    crate::security::credentials::session_cookie(&parts.headers)
        .map_err(|m| ApiError::MalformedCredentials(m.to_string()))?
        .ok_or(ApiError::Unauthenticated)
}

/// What the UI needs to know about the signed-in user.
fn describe(state: &AppState, user: &User, p: &Principal, csrf: &str) -> serde_json::Value {
    let unit = user
        .unit_id
        .as_deref()
        .and_then(|u| state.security.org.unit(u));
    let role = p.role.expect("a signed-in user has a role");
    json!({
        "user": {
            "id": user.id,
            "username": user.username,
            "display_name": user.display_name,
            "role": role,
            "role_name": role.name_zh(),
        },
        "unit": unit.map(|u| json!({ "id": u.id, "name": u.name, "kind": u.kind })),
        "jurisdiction": p.jurisdiction,
        "entitlement": p.entitlement().code(),
        "csrf_token": csrf,
    })
}
