//! The video network (智眼) for operators, in the caller's jurisdiction:
//! - `GET /api/v1/video/devices?status=online|offline|unregistered&limit=N&offset=N`: the
//!   GB/T 28181 devices, each with where it stands (registered, online, last Keepalive, the
//!   address it signals from) and how many channels it has;
//! - `GET /api/v1/video/devices/{id}`: one device with its channels (twin camera, position,
//!   what its catalog says of each, stream state);
//! - `GET /api/v1/video/status`: counts, and the SIP edge (address, domain, counters);
//! - `POST /api/v1/video/channels/{id}/play` (`{"transport": "udp"|"tcp"}`): starts the
//!   channel's live stream (INVITE) and keeps it for `WATCH` seconds; each call renews;
//!   `DELETE` on the same path stops it (BYE); `GET /api/v1/video/channels/{id}/stream`
//!   shows its state and what arrived (packets, frames, keyframes, losses);
//! - `POST /api/v1/video/channels/{id}/ptz` (`{"pan": "left", "zoom": "in", "speed": 128}`
//!   or `{"stop": true}`): moves a camera; needs the right to change the twin there.
//!
//! - `PUT /api/v1/video/devices/{id}/password` (`{"password": "…"}`, or `null` for the
//!   default): the device's own SIP password, never shown again; district administrators.
//!
//! Starting a stream, stopping it, moving a camera and setting a password are audited.
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

use crate::{security::trail, security::Caller, ApiError, AppState};

/// The district's code: a jurisdiction that covers it sees devices with no grid.
const DISTRICT: &str = "440304";

/// The id in a path, checked at the door.
fn parse_id(raw: &str) -> Result<GbId, ApiError> {
    GbId::parse(raw).map_err(|e| {
        ApiError::InvalidParameter(format!("the path does not name a GB/T 28181 id: {e}"))
    })
}

/// The device the path names, if the caller may see it.
fn device_for(state: &AppState, who: &Principal, raw: &str) -> Result<DeviceView, ApiError> {
    let id = parse_id(raw)?;
    state
        .video
        .registry
        .device(&id)
        .filter(|d| visible(who, d.grid_code.as_deref()))
        .ok_or_else(|| ApiError::NotFound("no such video device".into()))
}

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
    let d = device_for(&state, &who, &id)?;
    let id = d.id;
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

/// How long a stream started over HTTP is kept after the last call that asked for it.
const WATCH: std::time::Duration = std::time::Duration::from_secs(60);

/// The channel named in the path, if the caller may act on it.
fn channel_for(
    state: &AppState,
    who: &Principal,
    raw: &str,
    action: Action,
) -> Result<ChannelView, ApiError> {
    who.authorize(action, Target::Any)?;
    let id = parse_id(raw)?;
    let c = state
        .video
        .registry
        .channel(&id)
        .filter(|c| visible(who, c.grid_code.as_deref()))
        .ok_or_else(|| ApiError::NotFound("no such video channel".into()))?;
    let grid = c
        .grid_code
        .clone()
        .filter(|g| !g.is_empty())
        .unwrap_or_else(|| DISTRICT.into());
    who.authorize(action, Target::InGrid(&grid))?;
    Ok(c)
}

fn edge(state: &AppState) -> Result<&citymirror_gb28181::Edge, ApiError> {
    state.video.edge.as_ref().ok_or_else(|| {
        ApiError::InvalidState(
            "the GB/T 28181 edge is not running (start the server with --sip-listen)".into(),
        )
    })
}

fn play_error(e: citymirror_gb28181::PlayError) -> ApiError {
    use citymirror_gb28181::PlayError as P;
    match e {
        P::NoSuchChannel => ApiError::NotFound("no such video channel".into()),
        P::DeviceOffline | P::EdgeStopped => ApiError::InvalidState(e.to_string()),
        P::Media(detail) => ApiError::Internal(detail),
        P::Refused(_) | P::Timeout => ApiError::Rejected {
            code: e.code(),
            message: e.to_string(),
        },
    }
}

fn counts_json(c: &citymirror_video::media::MediaCounts) -> Value {
    json!({
        "packets": c.packets,
        "bytes": c.bytes,
        "frames": c.frames,
        "keyframes": c.keyframes,
        "lost": c.lost,
        "dropped_frames": c.dropped_frames,
        "corrupt": c.corrupt,
        "foreign": c.foreign,
    })
}

pub async fn play(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let c = channel_for(&state, &who, &id, Action::CasesRead)?;
    let transport = if body.iter().all(u8::is_ascii_whitespace) {
        citymirror_gb28181::MediaTransport::Udp
    } else {
        let v: Value = serde_json::from_slice(&body).map_err(|e| {
            ApiError::InvalidBody(format!(
                "the body is not JSON ({e}); send {{\"transport\": \"udp\"|\"tcp\"}}"
            ))
        })?;
        match v.get("transport").and_then(Value::as_str) {
            None | Some("udp") => citymirror_gb28181::MediaTransport::Udp,
            Some("tcp") => citymirror_gb28181::MediaTransport::TcpPassive,
            Some(_) => return Err(ApiError::InvalidBody("`transport` is udp or tcp".into())),
        }
    };
    let edge = edge(&state)?.clone();
    let mut playing = edge.play(c.id, transport).await.map_err(play_error)?;
    let ssrc = playing.ssrc;
    let name = match transport {
        citymirror_gb28181::MediaTransport::Udp => "udp",
        citymirror_gb28181::MediaTransport::TcpPassive => "tcp",
    };
    trail::record(
        &state,
        &who,
        "video.play",
        format!("channel:{}", c.id),
        json!({"transport": name}),
    )
    .await?;
    state
        .video
        .watching
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(
            c.id,
            crate::video::Watch {
                ssrc: playing.ssrc,
                port: playing.port,
                transport: name,
                counts: playing.counts.clone(),
            },
        );
    // Hold a watcher for WATCH: while one is held the edge keeps the stream.
    tokio::spawn(async move {
        let _ = tokio::time::timeout(WATCH, async {
            loop {
                match playing.frames.recv().await {
                    Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(_) => return,
                }
            }
        })
        .await;
    });
    Ok((
        axum::http::StatusCode::OK,
        Json(json!({
            "channel": c.id.as_str(),
            "stream": "live",
            "ssrc": format!("{ssrc:010}"),
            "transport": name,
            "watch_s": WATCH.as_secs(),
        })),
    )
        .into_response())
}

pub async fn stop(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let c = channel_for(&state, &who, &id, Action::CasesRead)?;
    edge(&state)?.stop(c.id).await;
    state
        .video
        .watching
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&c.id);
    trail::record(
        &state,
        &who,
        "video.stop",
        format!("channel:{}", c.id),
        Value::Null,
    )
    .await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

pub async fn stream(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let c = channel_for(&state, &who, &id, Action::CasesRead)?;
    let watch = state
        .video
        .watching
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&c.id)
        .cloned();
    let counts = watch
        .as_ref()
        .map(|w| counts_json(&w.counts.lock().unwrap_or_else(|e| e.into_inner())));
    Ok(Json(json!({
        "channel": c.id.as_str(),
        "stream": c.stream.as_str(),
        "transport": watch.as_ref().map(|w| w.transport),
        "ssrc": watch.as_ref().map(|w| format!("{:010}", w.ssrc)),
        "received": counts,
    }))
    .into_response())
}

pub async fn ptz(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    use citymirror_video::manscdp::{Pan, PtzCmd, Tilt, Zoom};
    let c = channel_for(&state, &who, &id, Action::TwinWrite)?;
    let hint = "send {\"pan\": \"left\"|\"right\", \"tilt\": \"up\"|\"down\", \"zoom\": \"in\"|\"out\", \"speed\": 1-255} or {\"stop\": true}";
    let v: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::InvalidBody(format!("the body is not JSON ({e}); {hint}")))?;
    let speed = match v.get("speed") {
        None => 128u8,
        Some(s) => s
            .as_u64()
            .and_then(|n| u8::try_from(n).ok())
            .filter(|n| *n > 0)
            .ok_or_else(|| ApiError::InvalidBody(format!("`speed` is 1-255; {hint}")))?,
    };
    let word = |k: &str| v.get(k).and_then(Value::as_str);
    let bad = |k: &str| ApiError::InvalidBody(format!("`{k}` has no such direction; {hint}"));
    let cmd = if v.get("stop") == Some(&Value::Bool(true)) {
        PtzCmd::stop()
    } else {
        let pan = match word("pan") {
            None => None,
            Some("left") => Some((Pan::Left, speed)),
            Some("right") => Some((Pan::Right, speed)),
            Some(_) => return Err(bad("pan")),
        };
        let tilt = match word("tilt") {
            None => None,
            Some("up") => Some((Tilt::Up, speed)),
            Some("down") => Some((Tilt::Down, speed)),
            Some(_) => return Err(bad("tilt")),
        };
        let zoom = match word("zoom") {
            None => None,
            Some("in") => Some((Zoom::In, speed >> 4)),
            Some("out") => Some((Zoom::Out, speed >> 4)),
            Some(_) => return Err(bad("zoom")),
        };
        if pan.is_none() && tilt.is_none() && zoom.is_none() {
            return Err(ApiError::InvalidBody(format!("nothing to do; {hint}")));
        }
        PtzCmd::motion(pan, tilt, zoom)
    };
    edge(&state)?.ptz(c.id, cmd).await.map_err(play_error)?;
    trail::record(
        &state,
        &who,
        "video.ptz",
        format!("channel:{}", c.id),
        json!({"cmd": cmd.to_string()}),
    )
    .await?;
    Ok(Json(json!({"channel": c.id.as_str(), "sent": cmd.to_string()})).into_response())
}

pub async fn set_password(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    // The role first: an anonymous caller hears 401, not that the device is unknown.
    who.authorize(Action::TwinAdminister, Target::Any)?;
    let d = device_for(&state, &who, &id)?;
    let id = d.id;
    let grid = d
        .grid_code
        .clone()
        .filter(|g| !g.is_empty())
        .unwrap_or_else(|| DISTRICT.into());
    who.authorize(Action::TwinAdminister, Target::InGrid(&grid))?;
    let hint = "send {\"password\": \"8 to 64 printable characters\"} or {\"password\": null}";
    let v: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::InvalidBody(format!("the body is not JSON ({e}); {hint}")))?;
    let password = match v.get("password") {
        Some(Value::Null) => None,
        Some(Value::String(p))
            if (8..=64).contains(&p.chars().count()) && !p.chars().any(char::is_control) =>
        {
            Some(p.clone())
        }
        _ => {
            return Err(ApiError::InvalidBody(format!(
                "`password` does not do; {hint}"
            )))
        }
    };
    let edge = edge(&state)?;
    let previous = edge.passwords.own(&id);
    match &password {
        Some(p) => edge.passwords.set(id, p.clone()),
        None => edge.passwords.clear(&id),
    }
    let stored = state
        .service
        .repo()
        .set_meta(crate::video::PASSWORDS_KEY, &edge.passwords.own_json())
        .await;
    if let Err(e) = stored {
        // Not kept: take the change back, so that what is checked is what is stored.
        match previous {
            Some(p) => edge.passwords.set(id, p),
            None => edge.passwords.clear(&id),
        }
        return Err(ApiError::Internal(format!(
            "the password was not stored: {e}"
        )));
    }
    trail::record(
        &state,
        &who,
        "video.password",
        format!("device:{id}"),
        json!({"own": password.is_some()}),
    )
    .await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}
