//! The audit log over HTTP.
//!
//! Public (they reveal hashes, not entries): the latest signed checkpoint
//! (`GET /api/v1/audit/checkpoint`, a C2SP signed note, `text/plain`), a stored checkpoint
//! by size, the verifier key, and RFC 9162 inclusion and consistency proofs between any
//! two sizes. The entries themselves need `audit.read` (supervisors, administrators).

use axum::{
    extract::{RawQuery, State},
    http::header,
    response::{IntoResponse, Response},
    Json,
};
use base64::{engine::general_purpose::STANDARD, Engine};
use citymirror_trust::{mask, Action, AuditRow, Principal, Target};
use serde::Deserialize;
use serde_json::json;

use super::query::query;
use crate::{security::Caller, ApiError, AppState};

const MAX_ENTRIES: u32 = 1000;

fn b64(h: &[u8]) -> String {
    STANDARD.encode(h)
}

fn bad_size(e: impl std::fmt::Display) -> ApiError {
    ApiError::InvalidParameter(e.to_string())
}

fn note(text: String) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
}

pub async fn checkpoint(State(state): State<AppState>) -> Result<Response, ApiError> {
    let cp = state
        .security
        .audit
        .latest_checkpoint()
        .ok_or_else(|| ApiError::NotFound("no checkpoint has been signed yet".into()))?;
    Ok(note(cp.note))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SizeQuery {
    size: u64,
}

pub async fn checkpoint_at(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q: SizeQuery = query(raw.as_deref())?;
    let cp = state
        .security
        .audit
        .checkpoint_at(q.size)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .ok_or_else(|| {
            ApiError::NotFound(format!("no checkpoint was signed at size {}", q.size))
        })?;
    Ok(note(cp.note))
}

pub async fn key(State(state): State<AppState>) -> Response {
    let v = state.security.audit.verifier();
    Json(json!({
        "name": v.name(),
        "vkey": v.vkey(),
        "public_key": b64(&v.public_key()),
        "algorithm": "Ed25519",
        "format": "C2SP tlog-checkpoint in a C2SP signed note; RFC 6962 SHA-256 Merkle tree; leaf data = the entry's canonical JSON",
    }))
    .into_response()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InclusionQuery {
    index: u64,
    size: u64,
}

pub async fn inclusion(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q: InclusionQuery = query(raw.as_deref())?;
    let log = &state.security.audit;
    let proof = log.inclusion_proof(q.index, q.size).map_err(bad_size)?;
    let root = log.root(q.size).map_err(bad_size)?;
    Ok(Json(json!({
        "index": q.index,
        "size": q.size,
        "root": b64(&root),
        "proof": proof.iter().map(|h| b64(h)).collect::<Vec<_>>(),
    }))
    .into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsistencyQuery {
    from: u64,
    to: u64,
}

pub async fn consistency(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q: ConsistencyQuery = query(raw.as_deref())?;
    let log = &state.security.audit;
    let proof = log.consistency_proof(q.from, q.to).map_err(bad_size)?;
    Ok(Json(json!({
        "from": q.from,
        "to": q.to,
        "from_root": b64(&log.root(q.from).map_err(bad_size)?),
        "to_root": b64(&log.root(q.to).map_err(bad_size)?),
        "proof": proof.iter().map(|h| b64(h)).collect::<Vec<_>>(),
    }))
    .into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntriesQuery {
    from: Option<u64>,
    limit: Option<u32>,
}

/// An entry as its reader may see it. Entries are masked when appended; one appended by
/// an older version may still hold an identifier, and then its leaf data (which must stay
/// byte for byte what the tree hashed) is withheld and only the masked entry shown.
fn listed(r: &AuditRow, who: &Principal) -> serde_json::Value {
    let masked = mask::mask_text(&r.entry, who.entitlement());
    let entry = serde_json::from_str::<serde_json::Value>(&masked).unwrap_or_default();
    let leaf_data = matches!(masked, std::borrow::Cow::Borrowed(_)).then_some(r.entry.as_str());
    json!({
        "seq": r.seq,
        "entry": entry,
        "leaf_data": leaf_data,
        "leaf_hash": b64(&r.leaf_hash),
    })
}

pub async fn entries(
    State(state): State<AppState>,
    Caller(who): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    who.authorize(Action::AuditRead, Target::Any)?;
    let q: EntriesQuery = query(raw.as_deref())?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=MAX_ENTRIES).contains(&limit) {
        return Err(ApiError::InvalidParameter(format!(
            "`limit` must be 1 to {MAX_ENTRIES}"
        )));
    }
    let log = &state.security.audit;
    let size = log.size();
    // Past the end there is nothing to list (and a seq never exceeds i64::MAX in storage,
    // so a larger `from` must not wrap around to the start).
    let from = q.from.unwrap_or(0);
    let rows = if from >= size {
        Vec::new()
    } else {
        log.entries(from, limit)
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
    };
    let list: Vec<_> = rows.iter().map(|r| listed(r, &who)).collect();
    Ok(Json(json!({ "size": size, "entries": list })).into_response())
}
