//! A ticket's history with the proof of each step.
//!
//! Every step is one audit entry (`ticket.<kind>` on `tickets/<number>`, recording the
//! step as the public history shows it). Each step comes with its entry's text (the
//! RFC 6962 leaf data), its index, and its inclusion proof against the latest signed
//! checkpoint, which comes with the history. Whoever holds the log's published key
//! (`GET /api/v1/audit/key`) can then check, without asking this server anything else,
//! that the checkpoint is signed, that each entry is in the tree it commits to, and that
//! each step says what its entry says: a history rewritten in the tickets' tables, or a
//! step dropped from the log, no longer verifies. A step whose entry came after the
//! latest checkpoint says `pending` until the next one (at most the checkpoint interval).

use axum::{
    extract::{Path, RawQuery, State},
    response::{IntoResponse, Response},
    Json,
};
use base64::{engine::general_purpose::STANDARD, Engine};
use citymirror_cases::{
    service::public_note,
    ticket::{Step, Ticket},
};
use citymirror_trust::{mask, Principal};
use serde_json::{json, Value};

use super::{readable, view::millis, TrackQuery};
use crate::{routes::query::query, security::Caller, ApiError, AppState};

fn step_json(s: &Step) -> Value {
    json!({
        "step": s.seq,
        "at": millis(s.at),
        "kind": s.kind.as_str(),
        "label": s.kind.label_zh(),
        "role": s.actor.role,
        "unit": s.actor.unit,
        "note": public_note(s),
        "detail": s.detail,
    })
}

async fn history_json(
    state: &AppState,
    t: &Ticket,
    reader: Option<&Principal>,
) -> Result<Value, ApiError> {
    let log = &state.security.audit;
    let steps = state.cases.tickets().steps(t.id).await?;
    let checkpoint = log.latest_checkpoint();
    let size = checkpoint.as_ref().map_or(0, |c| c.size as u64);
    let mut out = Vec::with_capacity(steps.len());
    for s in &steps {
        let mut v = step_json(s);
        if let (Some(r), Some(note)) = (reader, s.note.as_deref()) {
            // Staff read the note as their entitlement allows; the proof covers `note`.
            v["note_text"] = json!(mask::mask_text(note, r.entitlement()));
        }
        v["audit"] = match s.audit_seq {
            None => json!({ "status": "unaudited" }),
            Some(seq) if (seq as u64) >= size => json!({ "index": seq, "status": "pending" }),
            Some(seq) => {
                let row = log
                    .entries(seq as u64, 1)
                    .await
                    .map_err(|e| ApiError::Internal(e.to_string()))?
                    .pop()
                    .filter(|r| r.seq == seq)
                    .ok_or_else(|| ApiError::Internal(format!("audit entry {seq} is missing")))?;
                let proof = log
                    .inclusion_proof(seq as u64, size)
                    .map_err(|e| ApiError::Internal(e.to_string()))?;
                json!({
                    "index": seq,
                    "status": "covered",
                    "entry": row.entry,
                    "proof": proof.iter().map(|h| STANDARD.encode(h)).collect::<Vec<_>>(),
                })
            }
        };
        out.push(v);
    }
    Ok(json!({
        "number": t.number(),
        "status": t.status.as_str(),
        "checkpoint": checkpoint.map(|c| json!({ "size": c.size, "note": c.note })),
        "key": "/api/v1/audit/key",
        "steps": out,
    }))
}

pub async fn history(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(number): Path<String>,
) -> Result<Response, ApiError> {
    let t = readable(&state, &who, &number).await?;
    Ok(Json(history_json(&state, &t, Some(&who)).await?).into_response())
}

/// The history a tracking token opens (the public form of every step).
pub async fn track_history(
    State(state): State<AppState>,
    Path(number): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q: TrackQuery = query(raw.as_deref())?;
    let t = super::tracked(&state, &number, &q.token).await?;
    Ok(Json(history_json(&state, &t, None).await?).into_response())
}
