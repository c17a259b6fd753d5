//! `GET /api/v1/sensing/ingest`: what each device sent over MQTT and what became of it
//! (received, stored, malformed, unknown, out of range, the last error), the devices
//! with refusals first. For operators: needs the district administrator's grant.

use axum::{
    extract::{RawQuery, State},
    response::{IntoResponse, Response},
    Json,
};
use citymirror_trust::{mask::mask_text, Action, Target};
use serde_json::json;

use crate::{security::Caller, ApiError, AppState};

/// A `limit` parameter: 1 to `max`.
pub(crate) fn parse_limit(v: &str, max: usize) -> Result<usize, ApiError> {
    v.parse::<usize>()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| ApiError::InvalidParameter(format!("`limit` is 1 to {max}")))
}

pub async fn ingest(
    State(state): State<AppState>,
    Caller(who): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    who.authorize(Action::TwinAdminister, Target::Any)?;
    let pairs = crate::sta::pairs(raw.as_deref())?;
    let mut limit = 100usize;
    let mut device = None;
    for (k, v) in pairs {
        match k.as_str() {
            "limit" => limit = parse_limit(&v, 10_000)?,
            "device" => device = Some(v),
            other => {
                return Err(ApiError::UnknownParameter(format!(
                    "`{other}`; this takes limit and device"
                )))
            }
        }
    }
    let ledger = &state.sensing.ledger;
    let e = who.entitlement();
    let devices: Vec<_> = match device {
        Some(d) => ledger.get(&d).map(|c| vec![(d, c)]).unwrap_or_default(),
        None => ledger.all().into_iter().take(limit).collect(),
    };
    let devices: Vec<_> = devices
        .into_iter()
        .map(|(k, mut c)| {
            c.last_error = c.last_error.map(|m| mask_text(&m, e).into_owned());
            json!({"device": k, "counts": c})
        })
        .collect();
    Ok(Json(json!({"totals": ledger.totals(), "devices": devices})).into_response())
}

/// `GET /api/v1/sensing/series?datastream=ID&from=&to=&resolution=auto|raw|PT1M|PT1H`:
/// a Datastream's readings, raw or rolled up (min, max, mean, count per bucket). The
/// range defaults to the last 24 hours; `auto` picks raw up to an hour, minutes up to
/// two days, hours beyond. Open like the twin's other readings.
pub async fn series(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let pairs = crate::sta::pairs(raw.as_deref())?;
    let q = SeriesQuery::read(&pairs)?;
    Ok(Json(series_json(&state, &q).await?).into_response())
}

pub(crate) struct SeriesQuery {
    pub datastream: i64,
    pub from: chrono::DateTime<chrono::Utc>,
    pub to: chrono::DateTime<chrono::Utc>,
    pub resolution: Option<citymirror_sensing::service::Resolution>,
}

impl SeriesQuery {
    pub(crate) fn read(pairs: &[(String, String)]) -> Result<SeriesQuery, ApiError> {
        let time = |v: &str| {
            citymirror_sensing::time::TimeValue::parse(v)
                .map(|t| t.start)
                .map_err(ApiError::InvalidParameter)
        };
        let now = chrono::Utc::now();
        let (mut datastream, mut from, mut to, mut resolution) = (None, None, None, None);
        for (k, v) in pairs {
            match k.as_str() {
                "datastream" => {
                    datastream =
                        Some(v.parse::<i64>().map_err(|_| {
                            ApiError::InvalidParameter("`datastream` is an id".into())
                        })?)
                }
                "from" => from = Some(time(v)?),
                "to" => to = Some(time(v)?),
                "resolution" => {
                    resolution = citymirror_sensing::service::Resolution::parse(v).map_err(|e| {
                        ApiError::Rejected {
                            code: e.code,
                            message: e.message,
                        }
                    })?
                }
                other => {
                    return Err(ApiError::UnknownParameter(format!(
                        "`{other}`; this takes datastream, from, to and resolution"
                    )))
                }
            }
        }
        let to = to.unwrap_or(now);
        let from = from.unwrap_or(to - chrono::Duration::hours(24));
        if from > to {
            return Err(ApiError::InvalidParameter("`from` is after `to`".into()));
        }
        Ok(SeriesQuery {
            datastream: datastream
                .ok_or_else(|| ApiError::InvalidParameter("`datastream` is required".into()))?,
            from,
            to,
            resolution,
        })
    }
}

pub(crate) async fn series_json(
    state: &AppState,
    q: &SeriesQuery,
) -> Result<serde_json::Value, ApiError> {
    use citymirror_sensing::{service::Resolution, EntityType};
    if !state
        .sensing
        .registry
        .exists(EntityType::Datastream, q.datastream)
    {
        return Err(ApiError::NotFound(format!(
            "there is no Datastream with id {}",
            q.datastream
        )));
    }
    let resolution = q
        .resolution
        .unwrap_or_else(|| Resolution::auto(q.from, q.to));
    let points = state
        .sensing
        .series(q.datastream, q.from, q.to, resolution)
        .await
        .map_err(crate::sta::sensing_error)?;
    let name = match resolution {
        Resolution::Raw => "raw",
        Resolution::Minute => "PT1M",
        Resolution::Hour => "PT1H",
    };
    let iso = citymirror_sensing::time::iso;
    let points: Vec<_> = points
        .iter()
        .map(|p| {
            json!({"t": iso(p.start), "mean": p.bucket.mean(), "min": p.bucket.min, "max": p.bucket.max, "count": p.bucket.count})
        })
        .collect();
    Ok(json!({
        "datastream": q.datastream,
        "from": iso(q.from),
        "to": iso(q.to),
        "resolution": name,
        "points": points,
    }))
}
