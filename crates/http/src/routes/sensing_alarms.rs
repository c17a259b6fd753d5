//! The sensing network's alarms and rules, for operators:
//! - `GET /api/v1/sensing/alarms?limit=N`: the open alarms of devices in the caller's
//!   jurisdiction, newest first, each with the ticket it was filed as;
//! - `GET /api/v1/sensing/devices/{id}/rules`: a device's rules as they apply (its
//!   type's defaults with its own overrides), and the overrides alone;
//! - `PUT /api/v1/sensing/devices/{id}/rules`: replaces its overrides (`{}` restores
//!   the defaults); needs the right to change the device in the twin, is audited.

use axum::{
    extract::{Path, RawQuery, State},
    response::{IntoResponse, Response},
    Json,
};
use citymirror_sensing::{
    catalog,
    rules::{Condition, DeviceOverride},
};
use citymirror_trust::{Action, Target};
use serde_json::{json, Value};

use crate::{security::trail, security::Caller, ApiError, AppState};

pub async fn alarms(
    State(state): State<AppState>,
    Caller(who): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    who.authorize(Action::CasesRead, Target::Any)?;
    let pairs = crate::sta::pairs(raw.as_deref())?;
    let mut limit = 500usize;
    for (k, v) in pairs {
        match k.as_str() {
            "limit" => limit = super::sensing::parse_limit(&v, 5000)?,
            other => {
                return Err(ApiError::UnknownParameter(format!(
                    "`{other}`; this takes limit"
                )))
            }
        }
    }
    let open = state
        .sensing
        .alarm_book
        .lock()
        .expect("alarm book")
        .open_alarms();
    let mut total = 0usize;
    let mut out = Vec::new();
    for a in open {
        let s = &a.subject;
        let Some(d) = state.sensing.registry.device(s.device) else {
            continue;
        };
        if !who.covers(&d.grid_code) {
            continue;
        }
        total += 1;
        if out.len() >= limit {
            continue;
        }
        let q = s.quantity.and_then(catalog::quantity).map(|(_, q)| q);
        let ticket = state
            .cases
            .tickets()
            .find_by_source("iot-sensor", &s.source_ref(a.since))
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?
            .map(|t| t.number());
        out.push(json!({
            "stream": s.stream,
            "device": s.device,
            "device_type": d.device_type,
            "quantity": s.quantity,
            "quantity_name": q.map(|q| q.name_zh),
            "unit": match s.condition {
                Condition::Geofence => Some("m"),
                _ => q.map(|q| q.symbol),
            },
            "condition": s.condition.as_str(),
            "value": a.value,
            "since": citymirror_sensing::time::iso(a.since),
            "grid_code": d.grid_code,
            "lon": d.lon,
            "lat": d.lat,
            "ticket": ticket,
        }));
    }
    Ok(Json(json!({ "alarms": out, "total": total })).into_response())
}

fn rules_json(state: &AppState, device: i64, device_type: &str) -> Value {
    let book = state.sensing.alarm_book.lock().expect("alarm book");
    let quantities: serde_json::Map<String, Value> = catalog::quantities(device_type)
        .iter()
        .map(|q| {
            let r = book.rule(device, q);
            (
                q.to_string(),
                json!({
                    "threshold": r.and_then(|r| r.threshold),
                    "rise_per_min": r.and_then(|r| r.rise_per_min),
                    "service": r.map(|r| r.service),
                    "urgent": r.map(|r| r.urgent),
                    "watched": r.is_some(),
                }),
            )
        })
        .collect();
    let o = book.override_of(device).cloned().unwrap_or_default();
    use citymirror_sensing::rules::defaults;
    json!({
        "device": device,
        "device_type": device_type,
        "effective": {
            "quantities": quantities,
            "silence_min": o.silence_min.unwrap_or_else(|| defaults::silence_minutes(device_type)),
            "geofence_m": o.geofence_m.unwrap_or_else(|| defaults::geofence_metres(device_type)),
        },
        "overrides": o,
    })
}

fn device_of(state: &AppState, id: i64) -> Result<citymirror_sensing::devices::Device, ApiError> {
    state
        .sensing
        .registry
        .device(id)
        .ok_or_else(|| ApiError::NotFound(format!("there is no device {id}")))
}

pub async fn rules(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let d = device_of(&state, id)?;
    who.authorize(Action::CasesRead, Target::InGrid(&d.grid_code))?;
    Ok(Json(rules_json(&state, id, &d.device_type)).into_response())
}

pub async fn set_rules(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let d = device_of(&state, id)?;
    who.authorize(Action::TwinWrite, Target::InGrid(&d.grid_code))?;
    let o: DeviceOverride = serde_json::from_slice(&body).map_err(|e| {
        ApiError::InvalidBody(format!(
            "the rules do not read ({e}); send {{\"quantities\":{{\"<quantity>\":{{\"threshold\":{{\"above\":{{\"raise\":…,\"clear\":…}}}},\"rise_per_min\":…,\"off\":false}}}},\"silence_min\":…,\"geofence_m\":…}}"
        ))
    })?;
    state
        .sensing
        .set_rule_override(id, o.clone())
        .await
        .map_err(crate::sta::sensing_error)?;
    trail::record(
        &state,
        &who,
        "sensing.rules",
        format!("device:{id}"),
        serde_json::to_value(&o).unwrap_or(Value::Null),
    )
    .await?;
    Ok(Json(rules_json(&state, id, &d.device_type)).into_response())
}
