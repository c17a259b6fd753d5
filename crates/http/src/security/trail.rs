//! Writing to the audit log from handlers. A request whose audit entry cannot be
//! committed fails: nothing sensitive leaves, and no change goes unrecorded silently.
//!
//! The log masks every entry before it is appended (`NewEntry::masked`), so handlers
//! may name what they touched freely.

use citymirror_trust::{audit::NewEntry, Principal};

use crate::{ApiError, AppState};

pub async fn record(
    state: &AppState,
    who: &Principal,
    action: &str,
    target: String,
    detail: serde_json::Value,
) -> Result<u64, ApiError> {
    state
        .security
        .audit
        .append(NewEntry {
            actor: who.actor.to_string(),
            action: action.to_owned(),
            target,
            detail,
        })
        .await
        .map_err(|e| ApiError::Internal(format!("audit log append failed: {e}")))
}
