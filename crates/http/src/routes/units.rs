//! The organisation tree: `GET /api/v1/units`, `GET /api/v1/units/{id}`.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Response},
    Json,
};
use citymirror_trust::{Action, Target};
use serde_json::json;

use crate::{security::Caller, ApiError, AppState};

pub async fn list(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<Response, ApiError> {
    who.authorize(Action::UnitsRead, Target::Any)?;
    let mut units: Vec<_> = state.security.org.units().collect();
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
    Ok(Json(unit).into_response())
}
