//! `/api/v1/tickets`: the request loop (民意速办) over HTTP.
//!
//! - `POST /api/v1/tickets`: file a request (JSON, photos as base64), answered at once
//!   with the ticket's number and a tracking token;
//! - `GET /api/v1/tickets`: the caller's queue (their unit's, their jurisdiction's, or,
//!   for a citizen, their own), newest first, filtered by status, unit, area, service;
//! - `GET /api/v1/tickets/{number}`, `/history` (each step with its audit proof),
//!   `/media/{id}`, and `POST /api/v1/tickets/{number}/actions` (accept, return,
//!   contact, on-site, resolve, evaluate, dispatch, supervise, comment, close);
//! - `GET /api/v1/track/{number}?token=…` and `POST …/evaluate`: a submitter without
//!   an account follows and judges their request with the tracking token;
//! - `GET /api/v1/tickets/similar`, `/stats`, `/hotspots`, `/map`, and
//!   `/api/v1/cases/catalogue`, `/api/v1/cases/matrix`.
//!
//! Every text leaves masked to its reader (`view.rs`); what a reader may not see
//! answers 404 exactly like what does not exist.

mod history;
mod stats;
mod submit;
pub(crate) mod view;

use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use chrono::{DateTime, Utc};
use citymirror_cases::{
    catalog::{service, Urgency, FAMILIES, SERVICES},
    channel::CHANNELS,
    dispatch::Matrix,
    lifecycle::Action as Step,
    repo::TicketQuery,
    service::{Acting, Command},
    ticket::{Actor, Status, Ticket, Verdict},
};
use citymirror_trust::{Action, Principal, Role, Target};
use serde::Deserialize;
use serde_json::json;

pub use history::{history, track_history};
pub use stats::{hotspots, map, stats};
pub use submit::{similar, submit};

use super::query::{json_body, query};
use crate::{
    security::{trail, Caller},
    ApiError, AppState,
};

use view::{can_read, is_lead, scope_query, ticket_json, user_id};

/// The caller as the request loop sees them.
pub(crate) fn acting(who: &Principal, tracking_token: Option<String>) -> Acting {
    Acting {
        actor: Actor {
            user: user_id(who),
            role: who.role.map_or("anonymous", |r| r.as_str()).to_owned(),
            unit: who.unit.clone(),
        },
        audit_name: who.actor.to_string(),
        role: who.role,
        tracking_token,
    }
}

/// The ticket a number names, if `who` may read it (else 404, as if it did not exist).
pub(crate) async fn readable(
    state: &AppState,
    who: &Principal,
    number: &str,
) -> Result<Ticket, ApiError> {
    let not_found = || ApiError::NotFound(format!("no ticket `{number}`"));
    let t = state
        .cases
        .ticket_by_number(number)
        .await
        .map_err(|_| not_found())?;
    match can_read(who, &t) {
        true => Ok(t),
        false => Err(not_found()),
    }
}

/// The reads of a citizen's contact details by the lead unit are audited.
async fn audit_contact_read(state: &AppState, who: &Principal, t: &Ticket) -> Result<(), ApiError> {
    if is_lead(who, t) && (t.contact_phone.is_some() || t.contact_name.is_some()) {
        trail::record(
            state,
            who,
            "tickets.contact.read",
            format!("tickets/{}", t.number()),
            json!({ "fields": ["contact_name", "contact_phone"] }),
        )
        .await?;
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    /// Comma-separated statuses; `open` for every status but closed.
    status: Option<String>,
    unit: Option<String>,
    area: Option<String>,
    service: Option<String>,
    /// Only tickets under supervision (flagged or escalated).
    supervised: Option<bool>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    before: Option<i64>,
    limit: Option<u32>,
}

fn statuses(s: &str) -> Result<Vec<Status>, ApiError> {
    if s == "open" {
        return Ok(Status::ALL.into_iter().filter(|s| s.is_open()).collect());
    }
    s.split(',')
        .map(|p| {
            Status::parse(p.trim()).ok_or_else(|| {
                ApiError::InvalidParameter(format!(
                    "`status`: `{p}` is no status; expected open or any of triage, dispatched, accepted, contacted, on-site, resolved, closed"
                ))
            })
        })
        .collect()
}

pub async fn list(
    State(state): State<AppState>,
    Caller(who): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    if who.role != Some(Role::Citizen) {
        who.authorize(Action::CasesRead, Target::Any)?;
    }
    let q: ListQuery = query(raw.as_deref())?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::InvalidParameter(
            "`limit` must be 1 to 500".into(),
        ));
    }
    let mut tq = TicketQuery {
        statuses: q
            .status
            .as_deref()
            .map(statuses)
            .transpose()?
            .unwrap_or_default(),
        unit: q.unit,
        grid_prefix: q.area,
        service: q.service,
        supervised: q.supervised.unwrap_or(false),
        created_from: q.from,
        created_to: q.to,
        before_id: q.before,
        limit,
        ..TicketQuery::default()
    };
    scope_query(&who, &mut tq);
    let tickets = state.cases.tickets().list_tickets(&tq).await?;
    let now = state.cases.now();
    let next = (tickets.len() == limit as usize)
        .then(|| tickets.last().map(|t| t.id))
        .flatten();
    let items: Vec<serde_json::Value> = tickets
        .iter()
        .filter(|t| can_read(&who, t))
        .map(|t| ticket_json(&state, t, &who, &[], now))
        .collect();
    Ok(Json(json!({ "tickets": items, "next_before": next })).into_response())
}

pub async fn one(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(number): Path<String>,
) -> Result<Response, ApiError> {
    let t = readable(&state, &who, &number).await?;
    audit_contact_read(&state, &who, &t).await?;
    let media = state.cases.tickets().media_of(t.id).await?;
    let now = state.cases.now();
    Ok(Json(ticket_json(&state, &t, &who, &media, now)).into_response())
}

pub async fn media(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path((number, id)): Path<(String, i64)>,
) -> Result<Response, ApiError> {
    let t = readable(&state, &who, &number).await?;
    let m = state
        .cases
        .tickets()
        .media(id)
        .await?
        .filter(|m| m.ticket_id == t.id)
        .ok_or_else(|| ApiError::NotFound(format!("no media {id} on ticket `{number}`")))?;
    Ok((
        [
            (header::CONTENT_TYPE, m.content_type),
            (header::CACHE_CONTROL, "private, max-age=3600".to_owned()),
        ],
        m.bytes,
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionBody {
    action: String,
    note: Option<String>,
    verdict: Option<String>,
    service_code: Option<String>,
    unit: Option<String>,
    due: Option<DateTime<Utc>>,
}

/// The trust action an action needs.
fn needs(step: Step) -> Option<Action> {
    match step {
        Step::Accept
        | Step::Return
        | Step::Contact
        | Step::OnSite
        | Step::Resolve
        | Step::Comment => Some(Action::CasesHandle),
        Step::Dispatch | Step::Close => Some(Action::CasesTriage),
        Step::Supervise => Some(Action::CasesSupervise),
        // The citizen's own verdict: the ticket's ownership decides.
        Step::Evaluate => None,
    }
}

fn command(b: ActionBody) -> Result<Command, ApiError> {
    let action = Step::parse(&b.action).ok_or_else(|| {
        ApiError::InvalidBody(format!(
            "`{}` is no action; expected accept, return, contact, on-site, resolve, evaluate, dispatch, supervise, comment or close",
            b.action
        ))
    })?;
    let verdict = b
        .verdict
        .as_deref()
        .map(|v| {
            Verdict::parse(v).ok_or_else(|| {
                ApiError::InvalidBody(format!(
                    "`{v}` is no verdict; expected satisfied, basically-satisfied or unsatisfied"
                ))
            })
        })
        .transpose()?;
    let service = b
        .service_code
        .as_deref()
        .map(|c| service(c).ok_or_else(|| ApiError::InvalidBody(format!("no service `{c}`"))))
        .transpose()?;
    Ok(Command {
        action,
        note: b.note,
        verdict,
        service,
        unit: b.unit,
        due: b.due,
    })
}

pub async fn act(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(number): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let b: ActionBody = json_body(&headers, &body)?;
    let cmd = command(b)?;
    match needs(cmd.action) {
        Some(a) => who.authorize(a, Target::Any)?,
        None if who.role.is_none() => return Err(ApiError::Unauthenticated),
        None => {}
    }
    let t = readable(&state, &who, &number).await?;
    let t = state.cases.act(t.id, &acting(&who, None), cmd).await?;
    // The same ticket as `GET` shows it, photos included, so a page can replace what it
    // shows with the answer.
    let media = state.cases.tickets().media_of(t.id).await?;
    let now = state.cases.now();
    Ok(Json(ticket_json(&state, &t, &who, &media, now)).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrackQuery {
    token: String,
}

/// The ticket a number and tracking token name (404 for a wrong token, as for a
/// missing ticket).
async fn tracked(state: &AppState, number: &str, token: &str) -> Result<Ticket, ApiError> {
    let not_found = || ApiError::NotFound(format!("no ticket `{number}` with this token"));
    let t = state
        .cases
        .ticket_by_number(number)
        .await
        .map_err(|_| not_found())?;
    match citymirror_trust::secret::matches(token, &t.tracking_digest) {
        true => Ok(t),
        false => Err(not_found()),
    }
}

pub async fn track(
    State(state): State<AppState>,
    Path(number): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q: TrackQuery = query(raw.as_deref())?;
    let t = tracked(&state, &number, &q.token).await?;
    Ok(Json(view::public_json(&state, &t, state.cases.now())).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EvaluateBody {
    token: String,
    verdict: String,
    note: Option<String>,
}

pub async fn evaluate(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(number): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let b: EvaluateBody = json_body(&headers, &body)?;
    let t = tracked(&state, &number, &b.token).await?;
    let cmd = command(ActionBody {
        action: "evaluate".into(),
        note: b.note,
        verdict: Some(b.verdict),
        service_code: None,
        unit: None,
        due: None,
    })?;
    let mut by = acting(&who, Some(b.token));
    if by.role.is_none() {
        by.actor.role = "citizen".into();
    }
    let t = state.cases.act(t.id, &by, cmd).await?;
    Ok(Json(view::public_json(&state, &t, state.cases.now())).into_response())
}

/// The services, families and channels, for forms and legends.
pub async fn catalogue() -> Response {
    Json(json!({
        "families": FAMILIES.iter().map(|f| json!({ "code": f.code, "name": f.name_zh, "name_en": f.name_en })).collect::<Vec<_>>(),
        "services": SERVICES.iter().map(|s| json!({
            "code": s.code,
            "name": s.name_zh,
            "name_en": s.name_en,
            "description": s.description,
            "family": s.family().code,
            "needs_site": s.needs_site,
            "urgency": s.urgency.as_str(),
            "attributes": s.attributes.iter().map(|a| json!({
                "code": a.code,
                "description": a.description,
                "required": a.required,
                "values": a.values.iter().map(|(k, n)| json!({ "key": k, "name": n })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "channels": CHANNELS.iter().map(|c| json!({
            "code": c.code, "name": c.name_zh, "name_en": c.name_en, "kind": c.kind, "urgency": c.urgency.as_str(),
        })).collect::<Vec<_>>(),
        "urgencies": [Urgency::Urgent.as_str(), Urgency::Normal.as_str()],
    }))
    .into_response()
}

/// The responsibility matrix in force.
pub async fn matrix(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<Response, ApiError> {
    who.authorize(Action::CasesRead, Target::Any)?;
    Ok(Json(state.cases.matrix().as_ref()).into_response())
}

/// Replaces the matrix (administrators), audited; it is kept in the store's `meta`.
pub async fn put_matrix(
    State(state): State<AppState>,
    Caller(who): Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    who.authorize(Action::TwinAdminister, Target::Any)?;
    let _: serde_json::Value = json_body(&headers, &body)?;
    let text = String::from_utf8_lossy(&body);
    let m = Matrix::from_json(&text).map_err(|e| ApiError::InvalidBody(e.to_string()))?;
    let stored = serde_json::to_string(&m).map_err(|e| ApiError::Internal(e.to_string()))?;
    state
        .service
        .repo()
        .set_meta(MATRIX_KEY, &stored)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    trail::record(
        &state,
        &who,
        "cases.matrix.replace",
        "cases/matrix".into(),
        json!({ "rules": m.rules.len() }),
    )
    .await?;
    state.cases.set_matrix(m);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Where a replaced matrix is kept.
pub const MATRIX_KEY: &str = "cases.matrix";

/// `POST /api/v1/cases/models`: installs a trained classifier (its stored form, as
/// `citymirror cases train` writes it) as the next version. Administrators only;
/// audited.
pub async fn install_model(
    State(state): State<AppState>,
    Caller(who): Caller,
    body: Bytes,
) -> Result<Response, ApiError> {
    who.authorize(Action::TwinAdminister, Target::Any)?;
    let model = citymirror_cases::classify::Classifier::from_bytes(&body)
        .map_err(|e| ApiError::InvalidBody(e.to_string()))?;
    let summary = json!({ "classes": model.classes(), "features": model.features(), "trained_on": model.trained_on });
    let version = state.cases.install_model(model).await?;
    trail::record(
        &state,
        &who,
        "cases.model.install",
        format!("cases/models/{version}"),
        summary.clone(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "version": version, "summary": summary })),
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchQuery {
    channel: Option<String>,
    format: Option<String>,
    dry_run: Option<bool>,
}

/// `POST /api/v1/tickets/batch?channel=hotline-12345&format=jsonl|csv[&dry_run=true]`:
/// a hotline's calls, all checked before any is filed (`cases import` sends them).
pub async fn batch(
    State(state): State<AppState>,
    Caller(who): Caller,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Response, ApiError> {
    who.authorize(Action::CasesTriage, Target::Any)?;
    let q: BatchQuery = query(raw.as_deref())?;
    let ch = citymirror_cases::channel::channel(q.channel.as_deref().unwrap_or("hotline-12345"))
        .ok_or_else(|| ApiError::InvalidParameter("`channel`: no such channel".into()))?;
    let csv = match q.format.as_deref().unwrap_or("jsonl") {
        "jsonl" => false,
        "csv" => true,
        other => {
            return Err(ApiError::InvalidParameter(format!(
                "`format`: `{other}`; expected jsonl or csv"
            )))
        }
    };
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::InvalidBody("the file is not UTF-8".into()))?;
    let by = acting(&who, None);
    let rejected = |errors: Vec<citymirror_cases::adapters::hotline::LineError>| {
        (
            StatusCode::BAD_REQUEST,
            Json(json!({
                "code": "invalid_batch",
                "message": format!("{} lines are not right; nothing was filed", errors.len()),
                "errors": errors,
            })),
        )
            .into_response()
    };
    let calls = match citymirror_cases::adapters::hotline::read(text, csv) {
        Ok(c) => c,
        Err(errors) => return Ok(rejected(errors)),
    };
    let mut subs = Vec::with_capacity(calls.len());
    let mut errors = Vec::new();
    for (line, call) in calls {
        match call.submission(line, ch, &by) {
            Ok(s) => subs.push((line, s)),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Ok(rejected(errors));
    }
    match state
        .cases
        .submit_batch(subs, q.dry_run.unwrap_or(false))
        .await?
    {
        Ok(report) => Ok(Json(report).into_response()),
        Err(errors) => Ok(rejected(errors)),
    }
}
