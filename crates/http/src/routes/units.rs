//! The organisation tree: `GET /api/v1/units`, `GET /api/v1/units/{id}`.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Response},
    Json,
};
use citymirror_trust::{mask, Action, Principal, Target, Unit};
use serde_json::json;

use crate::{security::Caller, ApiError, AppState};

pub async fn list(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<Response, ApiError> {
    who.authorize(Action::UnitsRead, Target::Any)?;
    let mut units: Vec<_> = state
        .security
        .org
        .units()
        .map(|u| masked(u, &who))
        .collect();
    units.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Json(json!({ "units": units })).into_response())
}

pub async fn one(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    who.authorize(Action::UnitsRead, Target::Any)?;
    let unit = state
        .security
        .org
        .unit(&id)
        .ok_or_else(|| ApiError::NotFound(format!("no unit `{id}`")))?;
    Ok(Json(masked(unit, &who)).into_response())
}

/// A unit with its name masked to the reader, like any other text.
fn masked(u: &Unit, who: &Principal) -> Unit {
    Unit {
        name: mask::mask_text(&u.name, who.entitlement()).into_owned(),
        ..u.clone()
    }
}
