//! `GET /healthz`: the server is up and how many features the twin holds.

use axum::{extract::State, response::Response};
use citymirror_core::LayerId;
use serde_json::json;

use crate::{media, AppState};

pub async fn get(State(state): State<AppState>) -> Response {
    let twin = state.service.twin();
    let features: usize = LayerId::ALL.iter().map(|&l| twin.layer(l).len()).sum();
    media::json(
        media::JSON,
        &json!({ "status": "ok", "features": features }),
    )
}
