//! Figures and maps of the request loop: `GET /api/v1/tickets/stats` (volume by
//! channel, family, service, street, community, grid and unit; on-time rates per timer
//! stage; handling time in working days; satisfaction; returns per family; months),
//! `/hotspots` (grids where one family of request gathers) and `/map` (open tickets as
//! GeoJSON points, overdue ones marked). Street and community staff see their own area.

use axum::{
    extract::{RawQuery, State},
    response::{IntoResponse, Response},
    Json,
};
use chrono::{DateTime, Duration, Utc};
use citymirror_cases::{catalog::family, service::overdue, stats::StatsQuery};
use citymirror_core::GridCode;
use citymirror_trust::{Action, Principal, Role, Target};
use geo::Centroid;
use serde::Deserialize;
use serde_json::json;

use super::view::can_read;
use crate::{routes::query::query, security::Caller, ApiError, AppState};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Query {
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    area: Option<String>,
    family: Option<String>,
    /// For hot spots: the window in days before `to` (default 30), and the fewest
    /// requests that make one (default 3).
    days: Option<i64>,
    min: Option<u64>,
}

/// The area a caller's figures cover: what they asked for, within their jurisdiction.
fn area(who: &Principal, asked: Option<String>) -> Result<Option<String>, ApiError> {
    let own = match who.role {
        Some(Role::StreetStaff | Role::CommunityStaff) => {
            who.jurisdiction.as_ref().map(|j| j.code().to_string())
        }
        _ => None,
    };
    if let Some(a) = &asked {
        a.parse::<GridCode>()
            .map_err(|e| ApiError::InvalidParameter(format!("`area`: {e}")))?;
    }
    Ok(match (asked, own) {
        (Some(a), Some(own)) if a.starts_with(&own) => Some(a),
        (Some(_), Some(_)) => {
            return Err(ApiError::Forbidden(
                "the area asked for lies outside your jurisdiction".into(),
            ))
        }
        (asked, None) => asked,
        (None, own) => own,
    })
}

fn stats_query(who: &Principal, q: &Query) -> Result<StatsQuery, ApiError> {
    if let Some(f) = &q.family {
        family(f)
            .ok_or_else(|| ApiError::InvalidParameter(format!("`family`: no family `{f}`")))?;
    }
    Ok(StatsQuery {
        from: q.from,
        to: q.to,
        area: area(who, q.area.clone())?,
        family: q.family.clone(),
    })
}

pub async fn stats(
    State(state): State<AppState>,
    Caller(who): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    who.authorize(Action::CasesStats, Target::Any)?;
    let q: Query = query(raw.as_deref())?;
    let sq = stats_query(&who, &q)?;
    let summary = state.cases.with_stats(|s| s.summary(&sq));
    Ok(Json(summary).into_response())
}

pub async fn hotspots(
    State(state): State<AppState>,
    Caller(who): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    who.authorize(Action::CasesStats, Target::Any)?;
    let q: Query = query(raw.as_deref())?;
    let mut sq = stats_query(&who, &q)?;
    let to = sq.to.unwrap_or_else(|| state.cases.now());
    let days = q.days.unwrap_or(30);
    if !(1..=730).contains(&days) {
        return Err(ApiError::InvalidParameter("`days` must be 1 to 730".into()));
    }
    sq.from = Some(sq.from.unwrap_or(to - Duration::days(days)));
    sq.to = Some(to);
    let spots = state
        .cases
        .with_stats(|s| s.hotspots(&sq, q.min.unwrap_or(3), 50));
    let twin = state.service.twin();
    let features: Vec<serde_json::Value> = spots
        .iter()
        .filter_map(|h| {
            let code: GridCode = h.grid.parse().ok()?;
            let c = twin.area_geometry(&code)?.centroid()?;
            let f = family(&h.family);
            Some(json!({
                "type": "Feature",
                "geometry": { "type": "Point", "coordinates": [c.x(), c.y()] },
                "properties": {
                    "grid": h.grid,
                    "family": h.family,
                    "family_name": f.map(|f| f.name_zh),
                    "tickets": h.tickets,
                    "open": h.open,
                },
            }))
        })
        .collect();
    Ok(Json(json!({ "type": "FeatureCollection", "features": features })).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MapQuery {
    bbox: Option<String>,
}

/// Open tickets the caller may read, as GeoJSON points for the map.
pub async fn map(
    State(state): State<AppState>,
    Caller(who): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    who.authorize(Action::CasesRead, Target::Any)?;
    let q: MapQuery = query(raw.as_deref())?;
    let bbox = match q.bbox.as_deref() {
        None => [-180.0, -90.0, 180.0, 90.0],
        Some(b) => {
            let v: Vec<f64> = b
                .split(',')
                .map(|p| p.trim().parse::<f64>())
                .collect::<Result<_, _>>()
                .map_err(|_| {
                    ApiError::InvalidParameter("`bbox` is minlon,minlat,maxlon,maxlat".into())
                })?;
            match v.as_slice() {
                [a, b, c, d] if a <= c && b <= d => [*a, *b, *c, *d],
                _ => {
                    return Err(ApiError::InvalidParameter(
                        "`bbox` is minlon,minlat,maxlon,maxlat".into(),
                    ))
                }
            }
        }
    };
    let tickets = state.cases.tickets().open_near(bbox, 5000).await?;
    let now = state.cases.now();
    let features: Vec<serde_json::Value> = tickets
        .iter()
        .filter(|t| can_read(&who, t))
        .map(|t| {
            json!({
                "type": "Feature",
                "id": t.id,
                "geometry": { "type": "Point", "coordinates": [t.lon, t.lat] },
                "properties": {
                    "number": t.number(),
                    "status": t.status.as_str(),
                    "service": t.service_code,
                    "family": t.family,
                    "urgency": t.urgency.as_str(),
                    "overdue": overdue(t, now),
                    "supervised": t.supervised,
                },
            })
        })
        .collect();
    Ok(Json(json!({ "type": "FeatureCollection", "features": features })).into_response())
}
