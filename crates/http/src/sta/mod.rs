//! OGC SensorThings API v1.1 at `/sta/v1.1` (OGC 18-088): the sensing network's
//! Things, Locations, HistoricalLocations, Datastreams, MultiDatastreams, Sensors,
//! ObservedProperties, Observations and FeaturesOfInterest.
//!
//! - reads: sets, entities, navigation (`Things(1)/Datastreams`), properties and
//!   `$value`, `$ref`; `$filter`, `$expand` (nested, with options), `$select`,
//!   `$orderby`, `$top`, `$skip`, `$count`, `$resultFormat=dataArray`, `@iot.nextLink`;
//! - writes: POST (deep insert; to a navigation path, linked to its parent), PATCH,
//!   PUT, DELETE (with the specification's cascade); `POST CreateObservations`
//!   (dataArray); the `Location` header on create;
//! - the twin's 180,000 devices appear as Things (with their Locations, Datastreams,
//!   Sensor and ObservedProperties), read-only here: they change in the twin.
//!
//! Reading is open like the twin's OGC API (serial numbers masked to the reader);
//! writing needs a district administrator's credential (an IoT platform is given a
//! token of that role) and every entity written is appended to the audit log.
//! Observations are measurements, not acts: they are not audited one by one.

mod list;
mod path;
mod render;
mod write;

use axum::{
    extract::{Path as UrlPath, RawQuery, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use citymirror_core::DataGrade;
use citymirror_sensing::{
    error::SensingError,
    query::{parse_options, QueryError, QueryOptions, ResultFormat},
    registry::{ObservationsOf, Related},
    EntityType, SensingService,
};
use citymirror_trust::mask::reveals;
use serde_json::{json, Map, Value};

use crate::{base_url::BaseUrl, security::Caller, ApiError, AppState};
use list::{list, Item, Source};
use path::Step;
use render::{fetch, related, render, self_link};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sta/v1.1", get(landing))
        .route("/sta/v1.1/", get(landing))
        .route(
            "/sta/v1.1/CreateObservations",
            post(write::create_observations),
        )
        .route(
            "/sta/v1.1/{*path}",
            get(read)
                .post(write::post)
                .patch(write::patch)
                .put(write::put)
                .delete(write::delete),
        )
}

/// What a request's handling shares.
pub struct Ctx<'a> {
    pub svc: &'a SensingService,
    /// `…/sta/v1.1`, absolute.
    pub base: String,
    pub entitlement: DataGrade,
    pub reveal_serial: bool,
    /// Text as this reader may see it (what filters compare, too).
    pub mask: Box<dyn Fn(Value) -> Value + Send + Sync + 'a>,
}

impl<'a> Ctx<'a> {
    fn new(state: &'a AppState, base: &BaseUrl, entitlement: DataGrade) -> Ctx<'a> {
        Ctx {
            svc: &state.sensing,
            base: format!("{}/sta/v1.1", base.as_str()),
            entitlement,
            // Serial numbers are graded 一般-2 in the twin's device layer.
            reveal_serial: reveals(DataGrade::General(2), entitlement),
            mask: Box::new(move |v| render::masked_to(entitlement, &v)),
        }
    }
}

pub(crate) fn sensing_error(e: SensingError) -> ApiError {
    match e {
        SensingError::Invalid(i) => ApiError::Rejected {
            code: i.code,
            message: i.message,
        },
        e @ SensingError::NotFound(..) => ApiError::NotFound(e.to_string()),
        e @ SensingError::Managed(..) => ApiError::Conflict(e.to_string()),
        SensingError::Repo(r) => ApiError::Internal(r.to_string()),
    }
}

fn query_error(e: QueryError) -> ApiError {
    ApiError::Rejected {
        code: e.code(),
        message: e.message().to_owned(),
    }
}

pub(crate) fn pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|e| ApiError::InvalidParameter(format!("the query string does not parse: {e}")))
}

async fn landing(State(state): State<AppState>, base: BaseUrl) -> Response {
    let root = format!("{}/sta/v1.1", base.as_str());
    let value: Vec<Value> = EntityType::ALL
        .iter()
        .map(|k| json!({"name": k.collection(), "url": format!("{root}/{}", k.collection())}))
        .collect();
    let mut conformance = vec![
        "http://www.opengis.net/spec/iot_sensing/1.1/req/datamodel",
        "http://www.opengis.net/spec/iot_sensing/1.1/req/resource-path/resource-path-to-entities",
        "http://www.opengis.net/spec/iot_sensing/1.1/req/request-data",
        "http://www.opengis.net/spec/iot_sensing/1.1/req/create-update-delete",
        "http://www.opengis.net/spec/iot_sensing/1.1/req/data-array/data-array",
        "http://www.opengis.net/spec/iot_sensing/1.1/req/multi-datastream",
    ];
    let mut settings = Map::new();
    if let Some(url) = &state.config.mqtt_url {
        conformance.push("http://www.opengis.net/spec/iot_sensing/1.1/req/create-observations-via-mqtt/observations");
        conformance.push("http://www.opengis.net/spec/iot_sensing/1.1/req/receive-updates-via-mqtt/receive-updates");
        settings.insert(
            "http://www.opengis.net/spec/iot_sensing/1.1/req/create-observations-via-mqtt/observations".into(),
            json!({"endpoints": [url]}),
        );
    }
    settings.insert("conformance".into(), json!(conformance));
    // Documented extension: roll-ups (see `Datastreams(id)/Aggregates`).
    settings.insert(
        "https://citymirror.example/spec/sta/aggregates".into(),
        json!({"resolutions": ["PT1M", "PT1H"], "path": "Datastreams({id})/Aggregates"}),
    );
    Json(json!({"value": value, "serverSettings": settings})).into_response()
}

/// What a path names once walked.
enum Target {
    One(Item),
    Set(EntityType, Source),
    Property(Item, String, bool),
    Ref(Box<Target>),
}

/// Walks a path to what it names (404 for anything that is not there).
async fn walk(ctx: &Ctx<'_>, path: &str) -> Result<(Target, EntityType), ApiError> {
    let (kind, id, steps) = path::parse(path)?;
    let mut cur = match id {
        Some(id) => Target::One(fetch(ctx, kind, id).await?),
        None => Target::Set(kind, all(ctx, kind)),
    };
    let mut kind = kind;
    for step in steps {
        cur = match (cur, step) {
            (Target::One(item), Step::Name(name, id)) => {
                if let Some(nav) = item.kind().nav(&name) {
                    kind = nav.target;
                    match related(ctx, &item, &name)? {
                        Related::One(Some(t)) if id.is_none_or(|i| i == t) => {
                            Target::One(fetch(ctx, nav.target, t).await?)
                        }
                        Related::One(_) => {
                            return Err(ApiError::NotFound(format!(
                                "{name} of this entity is not there"
                            )))
                        }
                        Related::Many(ids) => match id {
                            Some(i) if ids.contains(&i) => {
                                Target::One(fetch(ctx, nav.target, i).await?)
                            }
                            Some(i) => {
                                return Err(ApiError::NotFound(format!(
                                    "{name}({i}) is not linked here"
                                )))
                            }
                            None => Target::Set(nav.target, Source::Ids(nav.target, ids)),
                        },
                        Related::Observations(of) => match id {
                            Some(i) => {
                                let it = fetch(ctx, EntityType::Observation, i).await?;
                                if !belongs(&it, of) {
                                    return Err(ApiError::NotFound(format!(
                                        "Observations({i}) is not linked here"
                                    )));
                                }
                                Target::One(it)
                            }
                            None => {
                                Target::Set(EntityType::Observation, Source::Observations(Some(of)))
                            }
                        },
                    }
                } else if id.is_none() && item.kind().properties().contains(&name.as_str()) {
                    Target::Property(item, name, false)
                } else {
                    return Err(ApiError::NotFound(format!(
                        "{} has no property `{name}`",
                        item.kind().singular()
                    )));
                }
            }
            (Target::Property(item, name, false), Step::Value) => {
                Target::Property(item, name, true)
            }
            (t @ (Target::One(_) | Target::Set(..)), Step::Ref) => Target::Ref(Box::new(t)),
            _ => return Err(ApiError::NotFound(format!("`{path}` names nothing here"))),
        };
    }
    Ok((cur, kind))
}

/// `Datastreams(7)/Aggregates` → 7.
fn aggregates_of(path: &str) -> Option<i64> {
    let inner = path
        .trim_matches('/')
        .strip_prefix("Datastreams(")?
        .strip_suffix(")/Aggregates")?;
    inner.parse().ok()
}

fn belongs(item: &Item, of: ObservationsOf) -> bool {
    match (item, of) {
        (Item::Observation(o), ObservationsOf::Stream(s)) => o.stream == s,
        (Item::Observation(o), ObservationsOf::Feature(f)) => o.foi == Some(f),
        _ => false,
    }
}

fn all(ctx: &Ctx<'_>, kind: EntityType) -> Source {
    match kind {
        EntityType::Observation => Source::Observations(None),
        k => Source::Ids(k, ctx.svc.registry.ids(k)),
    }
}

/// The next page's link: this request's options with `$skip` moved on.
fn next_link(
    ctx: &Ctx<'_>,
    path: &str,
    params: &[(String, String)],
    top: usize,
    skip: usize,
) -> String {
    let mut kept: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("$skip") && !k.eq_ignore_ascii_case("$top"))
        .cloned()
        .collect();
    kept.push(("$top".into(), top.to_string()));
    kept.push(("$skip".into(), (skip + top).to_string()));
    let q = serde_urlencoded::to_string(&kept).unwrap_or_default();
    format!("{}/{}?{q}", ctx.base, path.trim_matches('/'))
}

async fn read(
    State(state): State<AppState>,
    Caller(who): Caller,
    base: BaseUrl,
    UrlPath(path): UrlPath<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    who.authorize(
        citymirror_trust::Action::TwinRead,
        citymirror_trust::Target::Any,
    )?;
    let ctx = Ctx::new(&state, &base, who.entitlement());
    let params = pairs(raw.as_deref())?;
    // The roll-up extension: `Datastreams(7)/Aggregates?resolution=PT1M&from=…&to=…`.
    if let Some(id) = aggregates_of(&path) {
        let mut q: Vec<(String, String)> = params
            .into_iter()
            .filter(|(k, _)| k != "datastream")
            .collect();
        q.push(("datastream".into(), id.to_string()));
        let q = crate::routes::sensing::SeriesQuery::read(&q)?;
        return Ok(Json(crate::routes::sensing::series_json(&state, &q).await?).into_response());
    }
    let (target, kind) = walk(&ctx, &path).await?;
    let opts = parse_options(&params, kind).map_err(query_error)?;
    let body = match target {
        Target::One(item) => Value::Object(render(&ctx, &item, &opts).await?),
        Target::Set(kind, src) => set_json(&ctx, &path, &params, kind, src, &opts, false).await?,
        Target::Property(item, name, raw_value) => {
            let own = render::entity_json(&ctx, &item, Some(&vec![name.clone()]));
            let v = own.get(&name).cloned().unwrap_or(Value::Null);
            if raw_value {
                let text = match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                return Ok(
                    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response(),
                );
            }
            json!({ name: v })
        }
        Target::Ref(t) => match *t {
            Target::One(item) => json!({"@iot.selfLink": self_link(&ctx, item.kind(), item.id())}),
            Target::Set(kind, src) => {
                set_json(&ctx, &path, &params, kind, src, &opts, true).await?
            }
            _ => return Err(ApiError::NotFound("$ref follows an entity or a set".into())),
        },
    };
    Ok((StatusCode::OK, Json(body)).into_response())
}

async fn set_json(
    ctx: &Ctx<'_>,
    path: &str,
    params: &[(String, String)],
    kind: EntityType,
    src: Source,
    opts: &QueryOptions,
    refs: bool,
) -> Result<Value, ApiError> {
    let page = list(ctx, src, opts).await?;
    let mut m = Map::new();
    if let Some(n) = page.count {
        m.insert("@iot.count".into(), Value::from(n));
    }
    if page.more {
        m.insert(
            "@iot.nextLink".into(),
            Value::String(next_link(ctx, path, params, page.top, opts.skip)),
        );
    }
    let value = if refs {
        Value::Array(
            page.items
                .iter()
                .map(|it| json!({"@iot.selfLink": self_link(ctx, it.kind(), it.id())}))
                .collect(),
        )
    } else if opts.result_format == Some(ResultFormat::DataArray) && kind == EntityType::Observation
    {
        render::data_array(ctx, &page.items, opts.select.as_ref())
    } else {
        let mut v = Vec::with_capacity(page.items.len());
        for it in &page.items {
            v.push(Value::Object(render(ctx, it, opts).await?));
        }
        Value::Array(v)
    };
    m.insert("value".into(), value);
    Ok(Value::Object(m))
}
