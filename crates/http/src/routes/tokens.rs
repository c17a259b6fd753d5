//! API tokens for systems: `GET/POST /api/v1/tokens`, `DELETE /api/v1/tokens/{id}`.
//! Only district administrators manage tokens; a token's secret is shown once, at minting.

use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use chrono::{Duration, Utc};
use citymirror_trust::{token, Action, ApiToken, Role, Target};
use serde::Deserialize;
use serde_json::json;

use super::query::json_body;
use crate::{
    security::{trail, Caller},
    ApiError, AppState,
};

/// The longest lifetime a token may be minted with.
pub const MAX_DAYS: i64 = 366;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    name: String,
    role: String,
    unit: Option<String>,
    /// Days until expiry, 1 to 366 (default 90).
    expires_in_days: Option<i64>,
}

fn describe(t: &ApiToken) -> serde_json::Value {
    let now = Utc::now();
    json!({
        "id": t.id,
        "name": t.name,
        "role": t.role,
        "unit": t.unit_id,
        "created_by": t.created_by,
        "created_at": t.created_at,
        "expires_at": t.expires_at,
        "revoked_at": t.revoked_at,
        "live": t.is_live(now),
    })
}

pub async fn list(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<Response, ApiError> {
    who.authorize(Action::TokensManage, Target::Any)?;
    let tokens = state.security.repo.tokens().await?;
    Ok(Json(json!({ "tokens": tokens.iter().map(describe).collect::<Vec<_>>() })).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    Caller(who): Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    who.authorize(Action::TokensManage, Target::Any)?;
    let req: TokenRequest = json_body(&headers, &body)?;
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::InvalidBody(
            "`name` must be 1 to 100 characters".into(),
        ));
    }
    let role: Role = req
        .role
        .parse()
        .map_err(|e: citymirror_trust::UnknownRole| ApiError::InvalidBody(e.to_string()))?;
    if let Some(unit) = &req.unit {
        if state.security.org.unit(unit).is_none() {
            return Err(ApiError::InvalidBody(format!("no unit `{unit}`")));
        }
    }
    let days = req.expires_in_days.unwrap_or(90);
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(ApiError::InvalidBody(format!(
            "`expires_in_days` must be 1 to {MAX_DAYS}"
        )));
    }
    let expires_at = Utc::now() + Duration::days(days);
    let (id, secret) = token::mint(
        state.security.repo.as_ref(),
        name,
        role,
        req.unit.clone(),
        Some(expires_at),
        &who.actor.to_string(),
    )
    .await?;
    trail::record(
        &state,
        &who,
        "token.create",
        format!("tokens/{id}"),
        json!({ "role": role, "unit": req.unit, "expires_at": expires_at }),
    )
    .await?;
    let stored = state
        .security
        .repo
        .token(id)
        .await?
        .ok_or_else(|| ApiError::Internal("minted token vanished".into()))?;
    let mut body = describe(&stored);
    body["token"] = secret.into();
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

pub async fn revoke(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(raw_id): Path<String>,
) -> Result<Response, ApiError> {
    who.authorize(Action::TokensManage, Target::Any)?;
    let not_found = || ApiError::NotFound(format!("no live token `{raw_id}`"));
    let id: i64 = raw_id.parse().map_err(|_| not_found())?;
    if !state.security.repo.revoke_token(id, Utc::now()).await? {
        return Err(not_found());
    }
    state.security.tokens.evict(id);
    trail::record(
        &state,
        &who,
        "token.revoke",
        format!("tokens/{id}"),
        json!({}),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
