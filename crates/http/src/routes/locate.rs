//! `GET /api/v1/locate?lon=&lat=`: where a WGS84 point lies on the four-level grid
//! (区 → 街道 → 社区 → 网格).

use axum::{
    extract::{RawQuery, State},
    response::Response,
};
use citymirror_twin::{GridPath, GridUnit};
use serde_json::{json, Value as Json};

use crate::{media, ApiError, AppState};

pub async fn get(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let (lon, lat) = parse(query.as_deref())?;
    let path = state.service.twin().locate(lon, lat).ok_or_else(|| {
        ApiError::OutsideDistrict(format!("({lon}, {lat}) lies outside the district"))
    })?;
    Ok(media::json(media::JSON, &document(&path)))
}

/// A unit of the path. Its name is masked to the public grade: locate answers everyone
/// alike, and names are text an administrator wrote.
fn unit(u: &GridUnit) -> Json {
    let name = citymirror_trust::mask::mask_text(&u.name, citymirror_trust::ANONYMOUS_ENTITLEMENT);
    json!({ "code": u.code.as_str(), "name": name })
}

fn document(p: &GridPath) -> Json {
    json!({
        "district": unit(&p.district),
        "street": unit(&p.street),
        "community": unit(&p.community),
        "grid": unit(&p.grid),
    })
}

/// `lon` and `lat`, both required, finite and in range; nothing else is accepted.
fn parse(query: Option<&str>) -> Result<(f64, f64), ApiError> {
    let (mut lon, mut lat) = (None, None);
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        let (slot, range) = match k.as_ref() {
            "lon" => (&mut lon, -180.0..=180.0),
            "lat" => (&mut lat, -90.0..=90.0),
            other => {
                return Err(ApiError::UnknownParameter(format!(
                    "unknown parameter `{other}`; locate takes lon and lat"
                )))
            }
        };
        let x = v
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|x| range.contains(x))
            .ok_or_else(|| {
                ApiError::InvalidParameter(format!(
                    "{k}=`{v}` is not a number in [{}, {}]",
                    range.start(),
                    range.end()
                ))
            })?;
        *slot = Some(x);
    }
    match (lon, lat) {
        (Some(lon), Some(lat)) => Ok((lon, lat)),
        _ => Err(ApiError::InvalidParameter(
            "locate needs both lon and lat (WGS84 degrees)".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_two_numbers_in_range() {
        assert_eq!(parse(Some("lon=114.05&lat=22.54")), Ok((114.05, 22.54)));
        for bad in [
            "",
            "lon=114",
            "lon=x&lat=1",
            "lon=114&lat=95",
            "lon=NaN&lat=1",
            "lon=1&lat=2&z=3",
        ] {
            assert!(parse(Some(bad)).is_err(), "{bad}");
        }
    }
}
