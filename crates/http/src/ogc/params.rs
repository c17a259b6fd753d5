//! Query parameters of `/collections/{id}/items` and `/items/{featureId}`, validated once
//! into typed values. Any parameter the resource does not define is refused, as OGC API
//! Features asks (`?ooga=booga` is a 400), so a typo never silently widens a query.

use citymirror_core::{parse_datetime_interval, LayerSchema, Value};
use citymirror_twin::FeatureQuery;
use geo::Rect;

use super::crs::{Crs, MERCATOR_MAX};
use crate::{negotiate::Format, ApiError};

pub const DEFAULT_LIMIT: usize = 100;
pub const MAX_LIMIT: usize = 10_000;

/// The parameters every items request may carry besides the layer's queryables.
pub const ITEMS_PARAMS: [&str; 7] = [
    "bbox", "bbox-crs", "datetime", "limit", "offset", "crs", "f",
];

/// A validated items request.
#[derive(Debug, Clone)]
pub struct ItemsRequest {
    pub query: FeatureQuery,
    /// The CRS of the response.
    pub crs: Crs,
    /// From `f`; `None` leaves the choice to `Accept`.
    pub format: Option<Format>,
    /// The parameters paging links carry over: all but `f` and `offset`, as given.
    pub carried: Vec<(String, String)>,
}

/// A validated single-feature request.
#[derive(Debug, Clone, Copy)]
pub struct FeatureRequest {
    pub crs: Crs,
    pub format: Option<Format>,
}

fn pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    for (i, (k, _)) in pairs.iter().enumerate() {
        if pairs[..i].iter().any(|(seen, _)| seen == k) {
            return Err(ApiError::InvalidParameter(format!(
                "`{k}` is given more than once"
            )));
        }
    }
    Ok(pairs)
}

fn unknown(name: &str, schema: &LayerSchema) -> ApiError {
    let queryables: Vec<&str> = schema.queryables().map(|p| p.name).collect();
    let also = if schema.property(name).is_some() {
        format!(" (`{name}` is a property but not queryable)")
    } else {
        String::new()
    };
    ApiError::UnknownParameter(format!(
        "unknown parameter `{name}`{also}; items of `{}` accept {} and the queryables {}",
        schema.id,
        ITEMS_PARAMS.join(", "),
        queryables.join(", ")
    ))
}

/// Parses the query string of an items request on the layer of `schema`.
pub fn parse_items(schema: &LayerSchema, raw: Option<&str>) -> Result<ItemsRequest, ApiError> {
    let mut query = FeatureQuery {
        limit: DEFAULT_LIMIT,
        ..FeatureQuery::default()
    };
    let mut crs = Crs::Crs84;
    let mut bbox_crs = Crs::Crs84;
    let mut bbox_raw = None;
    let mut format = None;
    let pairs = pairs(raw)?;
    for (k, v) in &pairs {
        match k.as_str() {
            "bbox" => bbox_raw = Some(v.as_str()),
            "bbox-crs" => bbox_crs = Crs::parse("bbox-crs", v)?,
            "crs" => crs = Crs::parse("crs", v)?,
            "datetime" => {
                query.datetime = Some(
                    parse_datetime_interval(v)
                        .map_err(|e| ApiError::InvalidParameter(format!("datetime: {e}")))?,
                )
            }
            "limit" => query.limit = parse_limit(v)?,
            "offset" => {
                query.offset = v.parse().map_err(|_| {
                    ApiError::InvalidParameter(format!(
                        "offset=`{v}` is not a non-negative integer"
                    ))
                })?
            }
            "f" => format = Some(Format::from_param(v, true)?),
            name => {
                let (i, def) = schema
                    .property(name)
                    .filter(|(_, d)| d.queryable)
                    .ok_or_else(|| unknown(name, schema))?;
                let value = Value::parse(name, def.ty, v)
                    .map_err(|e| ApiError::InvalidParameter(e.to_string()))?;
                if value.is_null() {
                    return Err(ApiError::InvalidParameter(format!(
                        "`{name}` needs a value"
                    )));
                }
                query.filters.push((i, value));
            }
        }
    }
    if let Some(b) = bbox_raw {
        query.bbox = Some(parse_bbox(b, bbox_crs)?);
    }
    let carried = pairs
        .into_iter()
        .filter(|(k, _)| k != "f" && k != "offset")
        .collect();
    Ok(ItemsRequest {
        query,
        crs,
        format,
        carried,
    })
}

/// Parses the query string of a single-feature request: only `crs` and `f`.
pub fn parse_feature(raw: Option<&str>) -> Result<FeatureRequest, ApiError> {
    let mut req = FeatureRequest {
        crs: Crs::Crs84,
        format: None,
    };
    for (k, v) in pairs(raw)? {
        match k.as_str() {
            "crs" => req.crs = Crs::parse("crs", &v)?,
            "f" => req.format = Some(Format::from_param(&v, true)?),
            _ => {
                return Err(ApiError::UnknownParameter(format!(
                    "unknown parameter `{k}`; a feature accepts crs and f"
                )))
            }
        }
    }
    Ok(req)
}

fn parse_limit(v: &str) -> Result<usize, ApiError> {
    match v.parse::<usize>() {
        Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        _ => Err(ApiError::InvalidParameter(format!(
            "limit=`{v}` must be an integer from 1 to {MAX_LIMIT}"
        ))),
    }
}

/// `minx,miny,maxx,maxy` (or with `minz` and `maxz`, which are ignored: the twin is 2D)
/// in `crs`'s axis order, as a CRS84 rectangle. Boxes across the antimeridian
/// (minx > maxx) are refused: the district is nowhere near it.
pub fn parse_bbox(raw: &str, crs: Crs) -> Result<Rect<f64>, ApiError> {
    let invalid = |why: &str| ApiError::InvalidParameter(format!("bbox=`{raw}`: {why}"));
    let n: Vec<f64> = raw
        .split(',')
        .map(|s| s.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect::<Option<_>>()
        .ok_or_else(|| invalid("expected comma-separated numbers"))?;
    let (a0, b0, a1, b1) = match n[..] {
        [a0, b0, a1, b1] => (a0, b0, a1, b1),
        [a0, b0, _, a1, b1, _] => (a0, b0, a1, b1),
        _ => return Err(invalid("expected 4 or 6 numbers")),
    };
    if a0 > a1 || b0 > b1 {
        return Err(invalid("the lower corner must not exceed the upper corner"));
    }
    let (lon0, lat0) = crs.to_crs84(a0, b0);
    let (lon1, lat1) = crs.to_crs84(a1, b1);
    let in_range = match crs {
        Crs::Epsg3857 => [a0, b0, a1, b1].iter().all(|v| v.abs() <= MERCATOR_MAX),
        Crs::Crs84 | Crs::Epsg4326 => {
            [lon0, lon1].iter().all(|x| (-180.0..=180.0).contains(x))
                && [lat0, lat1].iter().all(|y| (-90.0..=90.0).contains(y))
        }
    };
    if !in_range {
        return Err(invalid(match crs {
            Crs::Epsg3857 => "coordinates lie outside the web-mercator world",
            _ => "longitudes must lie in [-180, 180] and latitudes in [-90, 90]",
        }));
    }
    // EPSG:4326 swaps the axes, so its corners come back with lon and lat in order again.
    Ok(Rect::new((lon0, lat0), (lon1, lat1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use citymirror_core::LayerId;

    fn items(q: &str) -> Result<ItemsRequest, ApiError> {
        parse_items(LayerId::Buildings.schema(), Some(q))
    }

    fn code(q: &str) -> &'static str {
        items(q).map(|_| "ok").unwrap_or_else(|e| e.code())
    }

    #[test]
    fn accepts_the_standard_parameters_and_queryables() {
        let r = items("bbox=114,22.5,114.1,22.6&limit=5&offset=10&datetime=2010-01-01/..&floors=12&use=%E4%BD%8F%E5%AE%85&f=geojson").unwrap();
        assert_eq!(r.query.limit, 5);
        assert_eq!(r.query.offset, 10);
        assert_eq!(r.query.bbox, Some(Rect::new((114.0, 22.5), (114.1, 22.6))));
        assert!(r.query.datetime.is_some());
        let schema = LayerId::Buildings.schema();
        assert_eq!(
            r.query.filters,
            vec![
                (schema.property("floors").unwrap().0, Value::Int(12)),
                (schema.property("use").unwrap().0, Value::from("住宅")),
            ]
        );
        assert_eq!(r.format, Some(Format::Json));
        let carried: Vec<&str> = r.carried.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(carried, ["bbox", "limit", "datetime", "floors", "use"]);
    }

    #[test]
    fn refuses_what_it_does_not_know_or_cannot_read() {
        for (q, expected) in [
            ("ooga=booga", "unknown_parameter"),
            ("height_m=10", "unknown_parameter"),
            ("dateTime=2020-01-01", "unknown_parameter"),
            ("limit=unlimited", "invalid_parameter"),
            ("limit=0", "invalid_parameter"),
            ("limit=10001", "invalid_parameter"),
            ("limit=-1", "invalid_parameter"),
            ("offset=-3", "invalid_parameter"),
            ("bbox=1,2,3", "invalid_parameter"),
            ("bbox=1,2,3,4,5", "invalid_parameter"),
            ("bbox=a,b,c,d", "invalid_parameter"),
            ("bbox=114.1,22.5,114.0,22.6", "invalid_parameter"),
            ("bbox=114,-91,115,22", "invalid_parameter"),
            ("bbox=114,22,115,NaN", "invalid_parameter"),
            ("datetime=yesterday", "invalid_parameter"),
            ("floors=abc", "invalid_parameter"),
            ("floors=", "invalid_parameter"),
            ("f=xml", "invalid_parameter"),
            ("crs=EPSG:4326", "invalid_parameter"),
            ("limit=1&limit=2", "invalid_parameter"),
        ] {
            assert_eq!(code(q), expected, "{q}");
        }
        assert_eq!(code("bbox=114,22.5,0,114.1,22.6,100"), "ok");
    }

    #[test]
    fn bbox_in_other_crss_becomes_crs84() {
        let r = parse_bbox("22.5,114.0,22.6,114.1", Crs::Epsg4326).unwrap();
        assert_eq!(r, Rect::new((114.0, 22.5), (114.1, 22.6)));
        let (x0, y0) = Crs::Epsg3857.project(114.0, 22.5);
        let (x1, y1) = Crs::Epsg3857.project(114.1, 22.6);
        let r = parse_bbox(&format!("{x0},{y0},{x1},{y1}"), Crs::Epsg3857).unwrap();
        assert!((r.min().x - 114.0).abs() < 1e-9 && (r.max().y - 22.6).abs() < 1e-9);
    }
}
