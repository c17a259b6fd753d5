//! `GET /api/v1/sensing/ingest`: what each device sent over MQTT and what became of it
//! (received, stored, malformed, unknown, out of range, the last error), the devices
//! with refusals first. For operators: needs the district administrator's grant.

use axum::{
    extract::{RawQuery, State},
    response::{IntoResponse, Response},
    Json,
};
use citymirror_trust::{mask::mask_text, Action, Target};
use serde_json::json;

use crate::{security::Caller, ApiError, AppState};

pub async fn ingest(
    State(state): State<AppState>,
    Caller(who): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    who.authorize(Action::TwinAdminister, Target::Any)?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::InvalidParameter(format!("the query string does not parse: {e}")))?;
    let mut limit = 100usize;
    let mut device = None;
    for (k, v) in pairs {
        match k.as_str() {
            "limit" => {
                limit = v
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=10_000).contains(n))
                    .ok_or_else(|| ApiError::InvalidParameter("`limit` is 1 to 10000".into()))?
            }
            "device" => device = Some(v),
            other => return Err(ApiError::UnknownParameter(format!("`{other}`; this takes limit and device"))),
        }
    }
    let ledger = &state.sensing.ledger;
    let e = who.entitlement();
    let devices: Vec<_> = match device {
        Some(d) => ledger.get(&d).map(|c| vec![(d, c)]).unwrap_or_default(),
        None => ledger.all().into_iter().take(limit).collect(),
    };
    let devices: Vec<_> = devices
        .into_iter()
        .map(|(k, mut c)| {
            c.last_error = c.last_error.map(|m| mask_text(&m, e).into_owned());
            json!({"device": k, "counts": c})
        })
        .collect();
    Ok(Json(json!({"totals": ledger.totals(), "devices": devices})).into_response())
}
