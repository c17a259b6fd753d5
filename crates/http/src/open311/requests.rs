//! Service requests: filing one, reading them, and the updates extension.

use std::collections::BTreeMap;

use axum::{
    extract::{FromRequest, Multipart, Request},
    http::{header, HeaderMap, StatusCode},
    response::Response,
};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use citymirror_cases::{
    catalog::service,
    channel::channel,
    intake::{Photo, Submission},
    repo::TicketQuery,
    service::public_note,
    sla::Stage,
    ticket::{Status, StepKind, Ticket},
};
use citymirror_core::DataGrade;
use citymirror_trust::{mask, Action, Target};
use serde_json::{json, Value};

use super::{
    format::{self, Format, Open311Error},
    params,
};
use crate::{
    routes::{tickets::acting, BODY_LIMIT},
    security::caller::from_api_key,
    ApiError, AppState,
};

fn w3c(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn public_text(s: &str) -> String {
    mask::mask_text(s, DataGrade::General(1)).into_owned()
}

/// A request as Open311 shows it to anyone: no contact details, text masked.
async fn request_json(state: &AppState, t: &Ticket) -> Result<Value, ApiError> {
    let s = service(&t.service_code);
    let steps = state.cases.tickets().steps(t.id).await?;
    let notes = steps
        .iter()
        .rev()
        .find_map(|s| public_note(s).filter(|n| !n.is_empty()));
    let media = state.cases.tickets().media_of(t.id).await?;
    let mut media_url = None;
    for (id, ty) in media {
        // Photos may show people and plates: only links the client itself gave are public.
        if ty == "text/uri-list" {
            if let Some(m) = state.cases.tickets().media(id).await? {
                media_url = Some(String::from_utf8_lossy(&m.bytes).into_owned());
                break;
            }
        }
    }
    let description = match (t.title.is_empty(), t.description.is_empty()) {
        (false, false) => format!("{}：{}", t.title, t.description),
        (false, true) => t.title.clone(),
        _ => t.description.clone(),
    };
    Ok(json!({
        "service_request_id": t.number(),
        "status": if t.status.is_open() { "open" } else { "closed" },
        "status_notes": notes.or_else(|| Some(t.status.label_zh().to_owned())),
        "service_name": s.map(|s| s.name_zh),
        "service_code": t.service_code,
        "description": public_text(&description),
        "agency_responsible": t.lead_unit.as_deref().and_then(|u| state.security.org.unit(u)).map(|u| u.name.clone()),
        "service_notice": null,
        "requested_datetime": w3c(t.created_at),
        "updated_datetime": w3c(t.updated_at),
        "expected_datetime": t.timers.timer(Stage::Close).map(|tm| w3c(tm.due)),
        "address": t.address.as_deref().map(public_text),
        "address_id": null,
        "zipcode": null,
        "lat": t.lat,
        "long": t.lon,
        "media_url": media_url,
    }))
}

fn date(name: &str, v: &str) -> Result<DateTime<Utc>, Open311Error> {
    DateTime::parse_from_rfc3339(v)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            Open311Error::bad(format!(
                "`{name}` must be a W3C date-time such as 2026-12-01T00:00:00Z, not `{v}`"
            ))
        })
}

/// The longest window a list may span, as the spec has it.
const MAX_SPAN_DAYS: i64 = 90;
const MAX_LIST: u32 = 1000;

pub(super) async fn list(
    state: &AppState,
    _headers: &HeaderMap,
    raw: Option<&str>,
    format: Format,
) -> Result<Response, Open311Error> {
    let pairs = params(
        raw,
        &[
            "service_request_id",
            "service_code",
            "start_date",
            "end_date",
            "status",
            "limit",
        ],
    )?;
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let mut out = Vec::new();
    if let Some(ids) = get("service_request_id") {
        // The ids override every other filter.
        for number in ids.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if let Ok(t) = state.cases.ticket_by_number(number).await {
                out.push(request_json(state, &t).await?);
            }
        }
        return Ok(format::answer(
            format,
            "service_requests",
            StatusCode::OK,
            &Value::Array(out),
        ));
    }
    let now = state.cases.now();
    let end = get("end_date").map(|v| date("end_date", v)).transpose()?;
    let start = get("start_date")
        .map(|v| date("start_date", v))
        .transpose()?;
    // Without an end the window runs to now, inclusive (a request filed this instant
    // is listed).
    let (start, end) = match (start, end) {
        (Some(s), Some(e)) => (s, Some(e)),
        (Some(s), None) => (s, Some(s + Duration::days(MAX_SPAN_DAYS))),
        (None, Some(e)) => (e - Duration::days(MAX_SPAN_DAYS), Some(e)),
        (None, None) => (now - Duration::days(MAX_SPAN_DAYS), None),
    };
    let span = end.unwrap_or(now) - start;
    if span < Duration::zero() || span > Duration::days(MAX_SPAN_DAYS) {
        return Err(Open311Error::bad(format!(
            "start_date to end_date must be a window of at most {MAX_SPAN_DAYS} days"
        )));
    }
    let statuses = match get("status") {
        None => Vec::new(),
        Some(v) => {
            let mut out = Vec::new();
            for s in v.split(',').map(str::trim) {
                match s {
                    "open" => out.extend(Status::ALL.into_iter().filter(|s| s.is_open())),
                    "closed" => out.push(Status::Closed),
                    other => {
                        return Err(Open311Error::bad(format!(
                            "`{other}` is not a status; use open or closed"
                        )))
                    }
                }
            }
            out
        }
    };
    let limit = match get("limit") {
        None => MAX_LIST,
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LIST).contains(n))
            .ok_or_else(|| Open311Error::bad(format!("`limit` must be 1 to {MAX_LIST}")))?,
    };
    let codes: Vec<Option<String>> = match get("service_code") {
        None => vec![None],
        Some(v) => v.split(',').map(|c| Some(c.trim().to_owned())).collect(),
    };
    let mut tickets: Vec<Ticket> = Vec::new();
    for code in codes {
        let q = TicketQuery {
            statuses: statuses.clone(),
            service: code,
            created_from: Some(start),
            created_to: end,
            limit,
            ..TicketQuery::default()
        };
        tickets.extend(
            state
                .cases
                .tickets()
                .list_tickets(&q)
                .await
                .map_err(ApiError::from)?,
        );
    }
    tickets.sort_by_key(|t| std::cmp::Reverse(t.id));
    tickets.truncate(limit as usize);
    for t in &tickets {
        out.push(request_json(state, t).await?);
    }
    Ok(format::answer(
        format,
        "service_requests",
        StatusCode::OK,
        &Value::Array(out),
    ))
}

pub(super) async fn one(
    axum::extract::State(state): axum::extract::State<AppState>,
    axum::extract::Path(file): axum::extract::Path<String>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Response, Open311Error> {
    let (number, format) = format::split(&file)?;
    params(raw.as_deref(), &[]).map_err(|e| e.in_format(format))?;
    let t = state.cases.ticket_by_number(number).await.map_err(|_| {
        Open311Error::new(
            StatusCode::NOT_FOUND,
            format!("no service request `{number}`"),
        )
        .in_format(format)
    })?;
    let one = request_json(&state, &t)
        .await
        .map_err(|e| Open311Error::from(e).in_format(format))?;
    Ok(format::answer(
        format,
        "service_requests",
        StatusCode::OK,
        &json!([one]),
    ))
}

/// `tokens/{token}`: this server files requests at once, so a request's token is its
/// id; a token names the request it was given for.
pub(super) async fn token(
    axum::extract::State(state): axum::extract::State<AppState>,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Result<Response, Open311Error> {
    let (tok, format) = format::split(&file)?;
    let t = state.cases.ticket_by_number(tok).await.map_err(|_| {
        Open311Error::new(
            StatusCode::NOT_FOUND,
            format!("no request for token `{tok}`"),
        )
        .in_format(format)
    })?;
    Ok(format::answer(
        format,
        "service_requests",
        StatusCode::OK,
        &json!([{ "service_request_id": t.number(), "token": tok }]),
    ))
}

pub(super) async fn updates(
    state: &AppState,
    raw: Option<&str>,
    format: Format,
) -> Result<Response, Open311Error> {
    let pairs = params(raw, &["start_date", "end_date", "limit"])?;
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    // Up to now, inclusive: a step taken this instant is an update.
    let now = state.cases.now() + Duration::milliseconds(1);
    let end = get("end_date")
        .map(|v| date("end_date", v))
        .transpose()?
        .unwrap_or(now);
    let start = get("start_date")
        .map(|v| date("start_date", v))
        .transpose()?
        .unwrap_or(end - Duration::days(1));
    if end < start || end - start > Duration::days(MAX_SPAN_DAYS) {
        return Err(Open311Error::bad(format!(
            "start_date to end_date must be a window of at most {MAX_SPAN_DAYS} days"
        )));
    }
    let limit = get("limit")
        .map(|v| v.parse::<u32>().ok().filter(|n| (1..=MAX_LIST).contains(n)))
        .unwrap_or(Some(MAX_LIST))
        .ok_or_else(|| Open311Error::bad(format!("`limit` must be 1 to {MAX_LIST}")))?;
    let steps = state
        .cases
        .tickets()
        .steps_between(start, end, limit)
        .await
        .map_err(ApiError::from)?;
    let list: Vec<Value> = steps
        .iter()
        .map(|(s, created, _)| {
            let description = match public_note(s) {
                Some(n) => format!("{}：{n}", s.kind.label_zh()),
                None => s.kind.label_zh().to_owned(),
            };
            json!({
                "update_id": s.id.to_string(),
                "service_request_id": citymirror_cases::ticket::ticket_number(s.ticket_id, *created),
                "status": if s.kind == StepKind::Closed { "closed" } else { "open" },
                "updated_datetime": w3c(s.at),
                "description": description,
                "media_url": null,
            })
        })
        .collect();
    Ok(format::answer(
        format,
        "service_request_updates",
        StatusCode::OK,
        &Value::Array(list),
    ))
}

/// The fields an Open311 POST may carry.
const FIELDS: [&str; 15] = [
    "api_key",
    "jurisdiction_id",
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
];

/// The form's fields and photos, from a urlencoded or multipart body.
async fn form(
    state: &AppState,
    request: Request,
) -> Result<(Vec<(String, String)>, Vec<Vec<u8>>), Open311Error> {
    let ct = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ct.starts_with("multipart/form-data") {
        let mut mp = Multipart::from_request(request, state)
            .await
            .map_err(|e| Open311Error::bad(format!("the multipart body does not parse: {e}")))?;
        let mut fields = Vec::new();
        let mut media = Vec::new();
        while let Some(field) = mp
            .next_field()
            .await
            .map_err(|e| Open311Error::bad(format!("the multipart body does not parse: {e}")))?
        {
            let name = field.name().unwrap_or("").to_owned();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| Open311Error::bad(format!("field `{name}`: {e}")))?;
            if name == "media" {
                media.push(bytes.to_vec());
            } else {
                let text = String::from_utf8(bytes.to_vec())
                    .map_err(|_| Open311Error::bad(format!("field `{name}` is not UTF-8 text")))?;
                fields.push((name, text));
            }
        }
        Ok((fields, media))
    } else if ct.starts_with("application/x-www-form-urlencoded") || ct.is_empty() {
        let body = axum::body::to_bytes(request.into_body(), BODY_LIMIT)
            .await
            .map_err(|_| {
                Open311Error::new(StatusCode::PAYLOAD_TOO_LARGE, "the body is too large")
            })?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
            .map_err(|e| Open311Error::bad(format!("the form does not parse: {e}")))?;
        Ok((fields, Vec::new()))
    } else {
        Err(Open311Error::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "post the request as application/x-www-form-urlencoded or multipart/form-data",
        ))
    }
}

pub(super) async fn create(
    state: &AppState,
    request: Request,
    _format: Format,
) -> Result<Response, Open311Error> {
    let (fields, media) = form(state, request).await?;
    let mut values: BTreeMap<&str, &str> = BTreeMap::new();
    let mut attributes = BTreeMap::new();
    for (k, v) in &fields {
        if let Some(code) = k
            .strip_prefix("attribute[")
            .and_then(|r| r.strip_suffix(']'))
        {
            attributes.insert(code.to_owned(), v.clone());
        } else if FIELDS.contains(&k.as_str()) {
            values.insert(k.as_str(), v.as_str());
        } else {
            return Err(Open311Error::bad(format!(
                "`{k}` is not a field of a service request"
            )));
        }
    }
    let key = values
        .get("api_key")
        .filter(|k| !k.trim().is_empty())
        .ok_or_else(|| {
            Open311Error::new(
                StatusCode::FORBIDDEN,
                "an api_key is required to file a request",
            )
        })?;
    let who = from_api_key(key, state).await.map_err(|_| {
        Open311Error::new(
            StatusCode::FORBIDDEN,
            "the api_key is not valid (unknown, revoked or expired)",
        )
    })?;
    who.authorize(Action::CasesSubmit, Target::Any)
        .map_err(|_| {
            Open311Error::new(StatusCode::FORBIDDEN, "this api_key may not file requests")
        })?;
    let code = values
        .get("service_code")
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| Open311Error::bad("service_code is required"))?;
    let svc = service(code)
        .filter(|s| s.family().code != "00")
        .ok_or_else(|| {
            Open311Error::bad(format!(
                "service_code `{code}` is not a service of this city"
            ))
        })?;
    let coord = |k: &str| -> Result<f64, Open311Error> {
        let v = values.get(k).ok_or_else(|| {
            Open311Error::bad("lat and long are required (this city locates every request)")
        })?;
        v.trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| Open311Error::bad(format!("`{k}` must be a number, not `{v}`")))
    };
    let (lat, lon) = (coord("lat")?, coord("long")?);
    let media_url = match values
        .get("media_url")
        .map(|u| u.trim())
        .filter(|u| !u.is_empty())
    {
        None => None,
        Some(u) => match url::Url::parse(u) {
            Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => Some(u.to_owned()),
            _ => return Err(Open311Error::bad("media_url must be an http(s) URL")),
        },
    };
    let name = [values.get("last_name"), values.get("first_name")]
        .into_iter()
        .flatten()
        .map(|s| s.trim())
        .collect::<Vec<_>>()
        .join("");
    let sub = Submission {
        channel: channel("open311").expect("the open311 channel exists"),
        source_ref: None,
        service: Some(svc),
        title: String::new(),
        description: values
            .get("description")
            .copied()
            .unwrap_or_default()
            .to_owned(),
        lon,
        lat,
        address: values.get("address_string").map(|s| (*s).to_owned()),
        urgency: None,
        attributes,
        photos: media.into_iter().map(|bytes| Photo { bytes }).collect(),
        submitter: None,
        contact_name: Some(name).filter(|n| !n.is_empty()),
        contact_phone: values
            .get("phone")
            .map(|s| (*s).to_owned())
            .filter(|s| !s.trim().is_empty()),
        by: acting(&who, None),
    };
    // A request without text still says something: its service.
    let mut sub = sub;
    if sub.description.trim().is_empty() {
        sub.title = svc.name_zh.to_owned();
    }
    let receipt = state
        .cases
        .submit(sub)
        .await
        .map_err(|e| Open311Error::from(ApiError::from(e)))?;
    if let Some(u) = media_url {
        state
            .cases
            .tickets()
            .put_media(receipt.ticket.id, "text/uri-list", u.as_bytes())
            .await
            .map_err(|e| Open311Error::from(ApiError::from(e)))?;
    }
    let body = json!([{
        "service_request_id": receipt.number,
        "service_notice": format!("已受理，交{}办理", receipt.ticket.lead_unit.as_deref().and_then(|u| state.security.org.unit(u)).map_or("人工分拨", |u| u.name.as_str())),
        "account_id": null,
    }]);
    Ok(format::answer(
        _format,
        "service_requests",
        StatusCode::CREATED,
        &body,
    ))
}
