//! Writing to the audit log from handlers. A request whose audit entry cannot be
//! committed fails: nothing sensitive leaves, and no change goes unrecorded silently.
//!
//! The log can never be edited, so it must never hold personal identifiers: targets
//! and details are masked (to 一般-3) before they are appended.

use citymirror_core::DataGrade;
use citymirror_trust::{audit::NewEntry, mask::mask_text, Principal};

use crate::{ApiError, AppState};

pub async fn record(
    state: &AppState,
    who: &Principal,
    action: &str,
    target: String,
    detail: serde_json::Value,
) -> Result<u64, ApiError> {
    const KEEP: DataGrade = DataGrade::General(3);
    let target = mask_text(&target, KEEP).into_owned();
    let text = detail.to_string();
    let detail = match mask_text(&text, KEEP) {
        std::borrow::Cow::Borrowed(_) => detail,
        std::borrow::Cow::Owned(masked) => {
            serde_json::from_str(&masked).unwrap_or(serde_json::Value::Null)
        }
    };
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
