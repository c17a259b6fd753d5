//! The video network (智眼) for operators, in the caller's jurisdiction:
//! - `GET /api/v1/video/devices?status=online|offline|unregistered&limit=N&offset=N`: the
//!   GB/T 28181 devices, each with where it stands (registered, online, last Keepalive, the
//!   address it signals from) and how many channels it has;
//! - `GET /api/v1/video/devices/{id}`: one device with its channels (twin camera, position,
//!   what its catalog says of each, stream state);
//! - `GET /api/v1/video/status`: counts, and the SIP edge (address, domain, counters).
//!
//! Devices the twin does not place (NVRs admitted by prefix) belong to no grid; only callers
//! whose jurisdiction is the whole district see them.

use axum::{
    extract::{Path, RawQuery, State},
    response::{IntoResponse, Response},
    Json,
};
use citymirror_trust::{Action, Principal, Target};
use citymirror_video::registry::{ChannelView, DeviceView};
use citymirror_video::GbId;
use serde_json::{json, Value};

use crate::{security::Caller, ApiError, AppState};

/// The district's code: a jurisdiction that covers it sees devices with no grid.
const DISTRICT: &str = "440304";

fn visible(who: &Principal, grid: Option<&str>) -> bool {
    who.covers(grid.filter(|g| !g.is_empty()).unwrap_or(DISTRICT))
}

fn ts(t: Option<chrono::DateTime<chrono::Utc>>) -> Value {
    t.map_or(Value::Null, |t| {
        json!(t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
    })
}

fn device_json(d: &DeviceView) -> Value {
    let p = d.presence;
    json!({
        "id": d.id.as_str(),
        "name": d.name,
        "type": d.id.type_code().name(),
        "grid_code": d.grid_code,
        "position": d.position.map(|(x, y)| [x, y]),
        "status": match p {
            None => "unregistered",
            Some(p) if p.online => "online",
            Some(_) => "offline",
        },
        "registered_until": ts(p.and_then(|p| p.registered_until)),
        "last_seen": ts(p.map(|p| p.last_seen)),
        "last_keepalive": ts(p.and_then(|p| p.last_keepalive)),
        "reregister_due": p.is_some_and(|p| p.reregister_due),
        "transport": d.transport,
        "manufacturer": d.manufacturer,
        "model": d.model,
        "firmware": d.firmware,
        "channels": d.channels,
        "catalog_at": ts(d.catalog_at),
    })
}

fn channel_json(c: &ChannelView) -> Value {
    json!({
        "id": c.id.as_str(),
        "device": c.device.as_str(),
        "name": c.name,
        "feature": c.feature,
        "position": c.position.map(|(x, y)| [x, y]),
        "grid_code": c.grid_code,
        "reported_on": c.reported_on,
        "parent": c.parent,
        "stream": c.stream.as_str(),
    })
}

pub async fn devices(
    State(state): State<AppState>,
    Caller(who): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    who.authorize(Action::CasesRead, Target::Any)?;
    let mut limit = 500usize;
    let mut offset = 0usize;
    let mut status: Option<String> = None;
    for (k, v) in crate::sta::pairs(raw.as_deref())? {
        match k.as_str() {
            "limit" => limit = super::sensing::parse_limit(&v, 10_000)?,
            "offset" => {
                offset = v
                    .parse()
                    .map_err(|_| ApiError::InvalidParameter("`offset` is a whole number".into()))?
            }
            "status" => match v.as_str() {
                "online" | "offline" | "unregistered" => status = Some(v),
                _ => {
                    return Err(ApiError::InvalidParameter(
                        "`status` is online, offline or unregistered".into(),
                    ))
                }
            },
            other => {
                return Err(ApiError::UnknownParameter(format!(
                    "`{other}`; this takes status, limit and offset"
                )))
            }
        }
    }
    let all = state.video.registry.devices(|d| {
        visible(&who, d.grid_code.as_deref())
            && status.as_deref().is_none_or(|s| match s {
                "online" => d.online(),
                "offline" => d.presence.is_some_and(|p| !p.online),
                _ => d.presence.is_none(),
            })
    });
    let page: Vec<Value> = all
        .iter()
        .skip(offset)
        .take(limit)
        .map(device_json)
        .collect();
    Ok(Json(json!({
        "numberMatched": all.len(),
        "numberReturned": page.len(),
        "devices": page,
    }))
    .into_response())
}

pub async fn device(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    who.authorize(Action::CasesRead, Target::Any)?;
    let id = GbId::parse(&id).map_err(|e| {
        ApiError::InvalidParameter(format!("the path does not name a GB/T 28181 id: {e}"))
    })?;
    let d = state
        .video
        .registry
        .device(&id)
        .filter(|d| visible(&who, d.grid_code.as_deref()))
        .ok_or_else(|| ApiError::NotFound("no such video device".into()))?;
    let channels: Vec<Value> = state
        .video
        .registry
        .channels_of(&id)
        .iter()
        .map(channel_json)
        .collect();
    let mut out = device_json(&d);
    out["channel_list"] = Value::Array(channels);
    Ok(Json(out).into_response())
}

pub async fn status(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<Response, ApiError> {
    who.authorize(Action::CasesRead, Target::Any)?;
    // Counted over what the caller may see, not the whole district.
    let seen = state
        .video
        .registry
        .devices(|d| visible(&who, d.grid_code.as_deref()));
    let online = seen.iter().filter(|d| d.online()).count();
    let registered = seen.iter().filter(|d| d.presence.is_some()).count();
    let channels: usize = seen.iter().map(|d| d.channels).sum();
    let edge = state.video.edge.as_ref().map(|e| {
        let counters: serde_json::Map<String, Value> = e
            .stats
            .snapshot()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), json!(v)))
            .collect();
        json!({
            "sip": e.local_addr.to_string(),
            "transports": ["udp", "tcp"],
            "counters": counters,
        })
    });
    Ok(Json(json!({
        "devices": seen.len(),
        "registered": registered,
        "online": online,
        "channels": channels,
        "edge": edge,
    }))
    .into_response())
}
