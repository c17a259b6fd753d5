//! User accounts: `GET /api/v1/users`, `GET /api/v1/users/{id}` (supervisors and
//! administrators, within their jurisdiction), and citizens' self-registration with a
//! mobile number, `POST /api/v1/citizens`.

use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use citymirror_core::{ids, DataGrade, Value};
use citymirror_trust::{
    mask, password,
    verification::{self, CodeError},
    Action, NewUser, Principal, Role, Target, User,
};
use serde::Deserialize;
use serde_json::json;
use std::time::Instant;

use super::query::{json_body, query};
use crate::{
    security::{rate_limit::client_ip, trail, Caller},
    ApiError, AppState,
};

/// A user's mobile number is sensitive personal information (一般-4).
const MOBILE_GRADE: DataGrade = DataGrade::General(4);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    after: Option<i64>,
    limit: Option<u32>,
}

/// Whether `who` may see `user`: staff of units inside their jurisdiction; citizens only
/// district-wide.
fn in_scope(state: &AppState, who: &Principal, user: &User) -> bool {
    match user
        .unit_id
        .as_deref()
        .and_then(|u| state.security.org.unit(u))
    {
        Some(unit) => who.covers(unit.jurisdiction.as_str()),
        None => who.covers(state.security.org.district().as_str()),
    }
}

fn describe(user: &User, who: &Principal) -> serde_json::Value {
    let mobile = user.mobile.as_ref().map(|m| {
        match mask::mask_value(&Value::Text(m.clone()), MOBILE_GRADE, who.entitlement()) {
            Value::Text(s) => s,
            _ => String::new(),
        }
    });
    // Names are free text: a citizen's user name is their mobile number, and a display
    // name may hold anything its owner typed.
    let text = |s: &str| mask::mask_text(s, who.entitlement()).into_owned();
    json!({
        "id": user.id,
        "username": text(&user.username),
        "display_name": text(&user.display_name),
        "role": user.role,
        "unit": user.unit_id,
        "mobile": mobile,
        "disabled": user.disabled,
        "can_sign_in": user.password_hash.is_some() && !user.disabled,
        "created_at": user.created_at,
    })
}

pub async fn list(
    State(state): State<AppState>,
    Caller(who): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    who.authorize(Action::UsersRead, Target::Any)?;
    let q: ListQuery = query(raw.as_deref())?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::InvalidParameter(
            "`limit` must be 1 to 1000".into(),
        ));
    }
    let mut after = q.after.unwrap_or(0);
    let mut out = Vec::new();
    // Filtering happens after the page is read, so keep reading until the page is full.
    loop {
        let batch = state.security.repo.users(after, limit).await?;
        let done = batch.len() < limit as usize;
        for u in batch {
            after = u.id;
            if in_scope(&state, &who, &u) && out.len() < limit as usize {
                out.push(describe(&u, &who));
            }
        }
        if done || out.len() >= limit as usize {
            break;
        }
    }
    let next = (out.len() == limit as usize).then_some(after);
    Ok(Json(json!({ "users": out, "next_after": next })).into_response())
}

pub async fn one(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(raw_id): Path<String>,
) -> Result<Response, ApiError> {
    who.authorize(Action::UsersRead, Target::Any)?;
    let not_found = || ApiError::NotFound(format!("no user `{raw_id}`"));
    let id: i64 = raw_id.parse().map_err(|_| not_found())?;
    let user = state
        .security
        .repo
        .user(id)
        .await?
        .filter(|u| in_scope(&state, &who, u))
        .ok_or_else(not_found)?;
    Ok(Json(describe(&user, &who)).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    mobile: String,
}

fn valid_mobile(raw: &str) -> Result<String, ApiError> {
    let mobile = raw.trim().to_owned();
    if !ids::is_valid_mobile(&mobile) {
        return Err(ApiError::InvalidBody(
            "`mobile` must be a mainland mobile number (11 digits starting 13–19)".into(),
        ));
    }
    Ok(mobile)
}

/// `POST /api/v1/citizens/codes {"mobile"}`: sends a sign-up code to the number. The
/// answer is the same whether or not the number has an account already (then the SMS
/// says so instead of carrying a code), so this tells a stranger nothing.
pub async fn request_code(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
    body: Bytes,
) -> Result<Response, ApiError> {
    let req: CodeRequest = json_body(&parts.headers, &body)?;
    let mobile = valid_mobile(&req.mobile)?;
    let sec = &state.security;
    let now = Instant::now();
    sec.code_requests
        .take(client_ip(&parts.extensions), now)
        .map_err(|retry_after_s| ApiError::RateLimited { retry_after_s })?;
    sec.codes.may_send(&mobile, now).map_err(|e| match e {
        CodeError::TooSoon(retry_after_s) => ApiError::RateLimited { retry_after_s },
        other => ApiError::Forbidden(other.to_string()),
    })?;
    let text = if sec.repo.user_by_name(&mobile).await?.is_some() {
        "【福田区】该手机号已注册福镜账户，请直接登录；如非本人操作请忽略。".to_owned()
    } else {
        let code = sec.codes.issue(&mobile, now);
        format!(
            "【福田区】您的注册验证码是 {code}，{} 分钟内有效。请勿告诉他人。",
            verification::CODE_TTL.as_secs() / 60
        )
    };
    sec.sms
        .send(&mobile, &text)
        .await
        .map_err(|e| ApiError::Internal(format!("SMS outbox: {e}")))?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({
            "message": "if this number can register, a code was sent to it by SMS",
            "expires_in_s": verification::CODE_TTL.as_secs(),
        })),
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    mobile: String,
    /// The code sent by `POST /api/v1/citizens/codes`.
    code: String,
    password: String,
    display_name: Option<String>,
}

/// `POST /api/v1/citizens`: a citizen account, named by its mobile number, for whoever
/// holds the code sent to it. The code is checked before any password is hashed, so a
/// caller without one costs the server almost nothing.
pub async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let reg: Registration = json_body(&headers, &body)?;
    let mobile = valid_mobile(&reg.mobile)?;
    let display_name = reg.display_name.unwrap_or_else(|| "市民".to_owned());
    if display_name.chars().count() > 50 {
        return Err(ApiError::InvalidBody(
            "`display_name` must be at most 50 characters".into(),
        ));
    }
    password::check_policy(&reg.password).map_err(|e| ApiError::InvalidBody(e.to_string()))?;
    let sec = &state.security;
    sec.codes
        .redeem(&mobile, &reg.code, Instant::now())
        .map_err(|e| ApiError::InvalidCode(e.to_string()))?;
    let hash = sec.hashing.hash(reg.password).await?;
    let ids = sec
        .repo
        .insert_users(&[NewUser {
            username: mobile.clone(),
            display_name,
            role: Role::Citizen,
            unit_id: None,
            password_hash: Some(hash),
            mobile: Some(mobile),
        }])
        .await
        .map_err(|e| match e {
            // Registered since the code was sent: only the number's holder learns it.
            citymirror_core::RepoError::Conflict(_) => {
                ApiError::Conflict("an account with this mobile number already exists".into())
            }
            other => other.into(),
        })?;
    let id = ids[0];
    trail::record(
        &state,
        &Principal::anonymous(),
        "citizen.register",
        format!("users/{id}"),
        json!({}),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "role": Role::Citizen })),
    )
        .into_response())
}
