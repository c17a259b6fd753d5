//! `POST /api/v1/tickets` (a request, from the H5 pages or another system) and
//! `GET /api/v1/tickets/similar` (what to follow instead).

use std::collections::BTreeMap;

use axum::{
    body::Bytes,
    extract::{RawQuery, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use base64::{engine::general_purpose::STANDARD, Engine};
use citymirror_cases::{
    catalog::{service, Urgency},
    channel::{channel, ChannelKind},
    intake::{Photo, Submission},
};
use citymirror_core::datum::Datum;
use citymirror_trust::{Action, Principal, Role, Target};
use serde::Deserialize;
use serde_json::json;

use super::{acting, view::user_id};
use crate::{
    routes::{
        query::{json_body_within, query},
        BODY_LIMIT,
    },
    security::Caller,
    ApiError, AppState,
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewTicket {
    service_code: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    lon: f64,
    lat: f64,
    /// `wgs84` (default), `gcj02` or `bd09`: converted here, at the door.
    crs: Option<String>,
    address: Option<String>,
    urgency: Option<String>,
    #[serde(default)]
    attributes: BTreeMap<String, String>,
    /// Photos, base64.
    #[serde(default)]
    photos: Vec<String>,
    contact_name: Option<String>,
    contact_phone: Option<String>,
    /// The channel the request came in by; citizens' requests come by `h5` (or another
    /// online channel they name).
    channel: Option<String>,
    /// The source's own id: the same source and id are one ticket.
    source_ref: Option<String>,
}

fn wgs84(crs: Option<&str>, lon: f64, lat: f64) -> Result<(f64, f64), ApiError> {
    let datum: Datum = crs
        .unwrap_or("wgs84")
        .parse()
        .map_err(|_| ApiError::InvalidBody("`crs` must be wgs84, gcj02 or bd09".into()))?;
    Ok(datum.to_wgs84(lon, lat))
}

/// The submission a body describes, for `who`.
fn submission(who: &Principal, b: NewTicket) -> Result<Submission, ApiError> {
    let default_channel = match who.role {
        Some(Role::Citizen) => "h5",
        Some(Role::Open311Client) => "open311",
        _ => "api",
    };
    let ch = channel(b.channel.as_deref().unwrap_or(default_channel)).ok_or_else(|| {
        ApiError::InvalidBody(format!("no channel `{}`", b.channel.unwrap_or_default()))
    })?;
    // A citizen speaks for themselves, through an online channel.
    if who.role == Some(Role::Citizen) && ch.kind != ChannelKind::Online {
        return Err(ApiError::Forbidden(format!(
            "citizens file requests online; `{}` is a {:?} channel",
            ch.code, ch.kind
        )));
    }
    let svc = b
        .service_code
        .as_deref()
        .map(|c| {
            service(c).ok_or_else(|| ApiError::Rejected {
                code: "unknown_service",
                message: format!("no service `{c}`; see /api/v1/cases/catalogue"),
            })
        })
        .transpose()?;
    let urgency = b
        .urgency
        .as_deref()
        .map(|u| {
            Urgency::parse(u)
                .ok_or_else(|| ApiError::InvalidBody("`urgency` must be urgent or normal".into()))
        })
        .transpose()?;
    let (lon, lat) = wgs84(b.crs.as_deref(), b.lon, b.lat)?;
    let photos = b
        .photos
        .iter()
        .enumerate()
        .map(|(i, p)| {
            STANDARD
                .decode(p.trim())
                .map(|bytes| Photo { bytes })
                .map_err(|e| ApiError::Rejected {
                    code: "invalid_media",
                    message: format!("photo {i} is not base64: {e}"),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Submission {
        channel: ch,
        source_ref: b.source_ref.filter(|s| !s.trim().is_empty()),
        service: svc,
        title: b.title,
        description: b.description,
        lon,
        lat,
        address: b.address,
        urgency,
        attributes: b.attributes,
        photos,
        submitter: match who.role {
            Some(Role::Citizen) => user_id(who),
            _ => None,
        },
        contact_name: b.contact_name,
        contact_phone: b.contact_phone,
        by: acting(who, None),
    })
}

pub async fn submit(
    State(state): State<AppState>,
    Caller(who): Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    who.authorize(Action::CasesSubmit, Target::Any)?;
    let b: NewTicket = json_body_within(&headers, &body, BODY_LIMIT)?;
    let sub = submission(&who, b)?;
    let receipt = state.cases.submit(sub).await?;
    let status = if receipt.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let t = &receipt.ticket;
    Ok((
        status,
        Json(json!({
            "number": receipt.number,
            "tracking_token": receipt.tracking_token,
            "created": receipt.created,
            "status": t.status.as_str(),
            "service_code": t.service_code,
            "lead_unit": t.lead_unit,
            // How many open requests nearby look like this one (GET …/similar lists them).
            "similar": receipt.similar.len(),
            "track": format!("/api/v1/track/{}", receipt.number),
        })),
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SimilarQuery {
    lon: f64,
    lat: f64,
    crs: Option<String>,
    text: String,
    service_code: Option<String>,
}

/// Open requests near a point that look like the one about to be filed: number,
/// service, status and the public text, so the citizen can follow one instead.
pub async fn similar(
    State(state): State<AppState>,
    Caller(who): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    who.authorize(Action::CasesSubmit, Target::Any)?;
    let q: SimilarQuery = query(raw.as_deref())?;
    let sub = submission(
        &who,
        NewTicket {
            service_code: q.service_code,
            title: String::new(),
            description: q.text,
            lon: q.lon,
            lat: q.lat,
            crs: q.crs,
            address: None,
            urgency: None,
            attributes: BTreeMap::new(),
            photos: Vec::new(),
            contact_name: None,
            contact_phone: None,
            channel: None,
            source_ref: None,
        },
    )?;
    let found = state.cases.similar(&sub).await?;
    let now = state.cases.now();
    Ok(Json(json!({
        "similar": found.iter().map(|(c, t)| {
            let mut v = super::view::public_json(&state, t, now);
            if let serde_json::Value::Object(m) = &mut v {
                m.insert("distance_m".into(), json!((c.distance_m * 10.0).round() / 10.0));
                m.insert("similarity".into(), json!((c.similarity * 1000.0).round() / 1000.0));
                m.insert("same_place".into(), json!(c.same_place));
            }
            v
        }).collect::<Vec<_>>()
    }))
    .into_response())
}
