//! Open311 GeoReport v2 at `/open311/v2`: the standard other systems file and follow
//! citizens' requests by.
//!
//! - `discovery.{json,xml}`; `services.{json,xml}` (every service, grouped by family)
//!   and `services/{code}.{json,xml}` (its attributes);
//! - `POST requests.{json,xml}`: form-encoded (or multipart, with a `media` photo), with
//!   an `api_key` minted by `citymirror token create --role open311-client`; answered
//!   with the new `service_request_id` (the ticket's number) at once;
//! - `GET requests.{json,xml}` with `service_request_id`, `service_code`, `start_date`,
//!   `end_date`, `status`; `GET requests/{id}.{json,xml}` (a one-element list);
//!   `GET tokens/{token}.{json,xml}`;
//! - `GET servicerequestupdates.{json,xml}`: the widely used extension listing what
//!   happened to requests within a window.
//!
//! Public answers carry no personal data: no contact, and descriptions masked for the
//! public. Errors are Open311's `[{"code","description"}]`.

mod format;
mod requests;

use axum::{
    extract::{Path, RawQuery, Request, State},
    http::{HeaderMap, StatusCode},
    response::Response,
    routing::get,
    Router,
};
use citymirror_cases::catalog::{service, SERVICES};
use serde_json::{json, Value};

use crate::{base_url::BaseUrl, AppState};
pub use format::{Format, Open311Error};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/open311/v2/{file}", get(top).post(post_top))
        .route("/open311/v2/services/{file}", get(definition))
        .route("/open311/v2/requests/{file}", get(requests::one))
        .route("/open311/v2/tokens/{file}", get(requests::token))
}

/// Query parameters every Open311 resource tolerates: clients send them everywhere.
const TOLERATED: [&str; 2] = ["jurisdiction_id", "api_key"];

/// The query's pairs, refusing parameters the resource does not define.
pub(crate) fn params(
    raw: Option<&str>,
    known: &[&str],
) -> Result<Vec<(String, String)>, Open311Error> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|e| Open311Error::bad(format!("the query string does not parse: {e}")))?;
    for (k, _) in &pairs {
        if !known.contains(&k.as_str()) && !TOLERATED.contains(&k.as_str()) {
            return Err(Open311Error::bad(format!(
                "`{k}` is not a parameter of this resource; it takes: {}",
                known.join(", ")
            )));
        }
    }
    Ok(pairs)
}

async fn top(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, Open311Error> {
    let (name, format) = format::split(&file)?;
    let fail = |e: Open311Error| e.in_format(format);
    match name {
        "discovery" => Ok(discovery(&state, &headers, format)),
        "services" => {
            params(raw.as_deref(), &[]).map_err(fail)?;
            Ok(services(format))
        }
        "requests" => requests::list(&state, &headers, raw.as_deref(), format)
            .await
            .map_err(fail),
        "servicerequestupdates" => requests::updates(&state, raw.as_deref(), format)
            .await
            .map_err(fail),
        other => Err(fail(Open311Error::new(
            StatusCode::NOT_FOUND,
            format!("no Open311 resource `{other}`"),
        ))),
    }
}

async fn post_top(
    State(state): State<AppState>,
    Path(file): Path<String>,
    request: Request,
) -> Result<Response, Open311Error> {
    let (name, format) = format::split(&file)?;
    match name {
        "requests" => requests::create(&state, request, format)
            .await
            .map_err(|e| e.in_format(format)),
        other => Err(Open311Error::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("`{other}` takes no POST"),
        )
        .in_format(format)),
    }
}

fn discovery(state: &AppState, headers: &HeaderMap, format: Format) -> Response {
    let base = BaseUrl::resolve(state.config.public_url.as_deref(), headers);
    let changeset = "2026-12-07T00:00:00Z";
    let doc = json!({
        "changeset": changeset,
        "contact": "福田区政务服务数据管理局 Futian District Government Services and Data Administration",
        "key_service": "API keys are minted by the district's administrators: citymirror token create --role open311-client",
        "endpoints": [{
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": format!("{}/open311/v2", base.as_str().trim_end_matches('/')),
            "changeset": changeset,
            "type": "production",
            "formats": ["application/json", "text/xml"],
        }],
    });
    format::answer(format, "discovery", StatusCode::OK, &doc)
}

/// The services citizens may file under (not `0000`, the triage placeholder).
fn services(format: Format) -> Response {
    let list: Vec<Value> = SERVICES
        .iter()
        .filter(|s| s.family().code != "00")
        .map(|s| {
            json!({
                "service_code": s.code,
                "service_name": s.name_zh,
                "description": s.description,
                "metadata": !s.attributes.is_empty(),
                "type": "realtime",
                "keywords": s.name_en,
                "group": s.family().name_zh,
            })
        })
        .collect();
    format::answer(format, "services", StatusCode::OK, &Value::Array(list))
}

async fn definition(
    Path(file): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Open311Error> {
    let (code, format) = format::split(&file)?;
    params(raw.as_deref(), &[]).map_err(|e| e.in_format(format))?;
    let s = service(code)
        .filter(|s| s.family().code != "00")
        .ok_or_else(|| {
            Open311Error::new(StatusCode::NOT_FOUND, format!("no service `{code}`"))
                .in_format(format)
        })?;
    let doc = json!({
        "service_code": s.code,
        "attributes": s.attributes.iter().enumerate().map(|(i, a)| json!({
            "variable": true,
            "code": a.code,
            "datatype": if a.values.is_empty() { "string" } else { "singlevaluelist" },
            "required": a.required,
            "datatype_description": null,
            "order": i + 1,
            "description": a.description,
            "values": a.values.iter().map(|(k, n)| json!({ "key": k, "name": n })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    Ok(format::answer(
        format,
        "service_definition",
        StatusCode::OK,
        &doc,
    ))
}
