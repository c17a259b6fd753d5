//! API tokens for systems: `GET/POST /api/v1/tokens`, `DELETE /api/v1/tokens/{id}`.
//! Only district administrators manage tokens; a token's secret is shown once, at minting.
//! A token never carries more than its minter holds ([`token::check_mint`]): no grant,
//! grade or part of the district the minter lacks, and a unit role names its unit.

use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use chrono::{Duration, Utc};
use citymirror_trust::{mask, token, Action, ApiToken, Principal, Role, Target};
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

/// A token as its reader may see it: the name and the minter's actor string are free
/// text that may hold identifiers (a citizen's mobile number is their user name).
fn describe(t: &ApiToken, reader: &Principal) -> serde_json::Value {
    let now = Utc::now();
    let masked = |s: &str| mask::mask_text(s, reader.entitlement()).into_owned();
    json!({
        "id": t.id,
        "name": masked(&t.name),
        "role": t.role,
        "unit": t.unit_id,
        "created_by": masked(&t.created_by),
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
    Ok(Json(json!({
        "tokens": tokens.iter().map(|t| describe(t, &who)).collect::<Vec<_>>()
    }))
    .into_response())
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
    let org = &state.security.org;
    let unit = match &req.unit {
        Some(id) => Some(
            org.unit(id)
                .ok_or_else(|| ApiError::InvalidBody(format!("no unit `{id}`")))?,
        ),
        None => None,
    };
    token::check_mint(&who, role, unit, org.district())
        .map_err(|refused| ApiError::Forbidden(refused.to_string()))?;
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
    let mut body = describe(&stored, &who);
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
