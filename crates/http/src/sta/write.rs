//! Creating, changing and deleting SensorThings entities (OGC 18-088 §10), and the
//! dataArray batch of observations (§13, `POST CreateObservations`).

use axum::{
    body::Bytes,
    extract::{Path as UrlPath, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use citymirror_sensing::{
    observation::{Observation, Stream},
    EntityType,
};
use citymirror_trust::{Action, Principal, Target as Scope};
use serde_json::{json, Map, Value};

use super::{
    path::{self, Step},
    render::{fetch, render, self_link},
    sensing_error, Ctx,
};
use crate::{base_url::BaseUrl, security::trail, security::Caller, ApiError, AppState};

fn may_write(who: &Principal) -> Result<(), ApiError> {
    Ok(who.authorize(Action::TwinAdminister, Scope::Any)?)
}

fn body_json(body: &Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::InvalidBody(format!("the body is not JSON: {e}")))
}

/// `POST Things`, `POST Things(1)/Datastreams`, `POST Datastreams(5)/Observations`.
pub async fn post(
    State(state): State<AppState>,
    Caller(who): Caller,
    base: BaseUrl,
    UrlPath(p): UrlPath<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    may_write(&who)?;
    let ctx = Ctx::new(&state, &base, who.entitlement());
    let (kind, id, steps) = path::parse(&p)?;
    let mut body = body_json(&body)?;
    let (target, parent) = match (id, steps.as_slice()) {
        (None, []) => (kind, None),
        (Some(pid), [Step::Name(nav, None)]) => {
            let n = kind.nav(nav).ok_or_else(|| {
                ApiError::NotFound(format!(
                    "{} has no navigation property `{nav}`",
                    kind.singular()
                ))
            })?;
            if !n.many {
                return Err(ApiError::MethodNotAllowed);
            }
            fetch(&ctx, kind, pid).await?;
            (n.target, Some((kind, pid)))
        }
        _ => return Err(ApiError::MethodNotAllowed),
    };
    // A Location posted to a Thing becomes one of its Locations.
    if let (Some((EntityType::Thing, t)), EntityType::Location, Value::Object(m)) =
        (parent, target, &mut body)
    {
        m.insert("Things".into(), json!([{"@iot.id": t}]));
    }
    let parent = match (parent, target) {
        (Some((EntityType::Thing, _)), EntityType::Location) => None,
        (p, _) => p,
    };
    let new_id = state
        .sensing
        .create(target, &body, parent)
        .await
        .map_err(sensing_error)?;
    let link = self_link(&ctx, target, new_id);
    if target != EntityType::Observation {
        trail::record(
            &state,
            &who,
            "sta.create",
            format!("{}({new_id})", target.collection()),
            Value::Null,
        )
        .await?;
    }
    let item = fetch(&ctx, target, new_id).await?;
    let json = render(&ctx, &item, &Default::default()).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, link)],
        Json(Value::Object(json)),
    )
        .into_response())
}

async fn change(
    state: AppState,
    who: Principal,
    base: BaseUrl,
    p: String,
    body: Bytes,
    replace: bool,
) -> Result<Response, ApiError> {
    may_write(&who)?;
    let ctx = Ctx::new(&state, &base, who.entitlement());
    let (kind, Some(id), steps) = path::parse(&p)? else {
        return Err(ApiError::MethodNotAllowed);
    };
    if !steps.is_empty() {
        return Err(ApiError::MethodNotAllowed);
    }
    let mut body = body_json(&body)?;
    if replace {
        // PUT replaces: every optional property not given is cleared.
        if let Value::Object(m) = &mut body {
            for name in kind.properties() {
                if !kind.mandatory().contains(name)
                    && !m.contains_key(*name)
                    && kind != EntityType::Observation
                {
                    m.insert((*name).to_owned(), Value::Null);
                }
            }
        }
    }
    state
        .sensing
        .patch(kind, id, &body)
        .await
        .map_err(sensing_error)?;
    if kind != EntityType::Observation {
        trail::record(
            &state,
            &who,
            "sta.update",
            format!("{}({id})", kind.collection()),
            Value::Null,
        )
        .await?;
    }
    let item = fetch(&ctx, kind, id).await?;
    Ok(Json(Value::Object(
        render(&ctx, &item, &Default::default()).await?,
    ))
    .into_response())
}

pub async fn patch(
    State(state): State<AppState>,
    Caller(who): Caller,
    base: BaseUrl,
    UrlPath(p): UrlPath<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    change(state, who, base, p, body, false).await
}

pub async fn put(
    State(state): State<AppState>,
    Caller(who): Caller,
    base: BaseUrl,
    UrlPath(p): UrlPath<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    change(state, who, base, p, body, true).await
}

pub async fn delete(
    State(state): State<AppState>,
    Caller(who): Caller,
    UrlPath(p): UrlPath<String>,
) -> Result<Response, ApiError> {
    may_write(&who)?;
    let (kind, Some(id), steps) = path::parse(&p)? else {
        return Err(ApiError::MethodNotAllowed);
    };
    if !steps.is_empty() {
        return Err(ApiError::MethodNotAllowed);
    }
    state
        .sensing
        .delete(kind, id)
        .await
        .map_err(sensing_error)?;
    if kind != EntityType::Observation {
        trail::record(
            &state,
            &who,
            "sta.delete",
            format!("{}({id})", kind.collection()),
            Value::Null,
        )
        .await?;
    }
    Ok(StatusCode::OK.into_response())
}

/// `POST CreateObservations`: `[{"Datastream": {"@iot.id": 1}, "components": [...],
/// "dataArray": [[...], ...]}]`. Answers with one self link per row, in order, or
/// `"error"` for a row that was refused (the others are stored).
pub async fn create_observations(
    State(state): State<AppState>,
    Caller(who): Caller,
    base: BaseUrl,
    body: Bytes,
) -> Result<Response, ApiError> {
    may_write(&who)?;
    let ctx = Ctx::new(&state, &base, who.entitlement());
    let groups = body_json(&body)?;
    let groups = groups.as_array().ok_or_else(|| {
        ApiError::InvalidBody("CreateObservations takes an array of dataArray groups".into())
    })?;
    let mut answers = Vec::new();
    for g in groups {
        let stream = match (
            g.pointer("/Datastream/@iot.id"),
            g.pointer("/MultiDatastream/@iot.id"),
        ) {
            (Some(d), None) => d.as_i64().map(Stream::Datastream),
            (None, Some(m)) => m.as_i64().map(Stream::Multi),
            _ => None,
        }
        .ok_or_else(|| {
            ApiError::InvalidBody(
                "each group names its Datastream or MultiDatastream by @iot.id".into(),
            )
        })?;
        let components: Vec<&str> = g
            .get("components")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .ok_or_else(|| ApiError::InvalidBody("each group lists its `components`".into()))?;
        let rows = g
            .get("dataArray")
            .and_then(Value::as_array)
            .ok_or_else(|| ApiError::InvalidBody("each group holds a `dataArray`".into()))?;
        for row in rows {
            let one = observation_of_row(&components, row, stream);
            let stored = match one {
                Ok(o) => state.sensing.add_observations(vec![o]).await.ok(),
                Err(_) => None,
            };
            answers.push(match stored {
                Some(ids) => Value::String(self_link(&ctx, EntityType::Observation, ids[0])),
                None => Value::String("error".into()),
            });
        }
    }
    Ok((StatusCode::CREATED, Json(Value::Array(answers))).into_response())
}

fn observation_of_row(
    components: &[&str],
    row: &Value,
    stream: Stream,
) -> Result<Observation, ApiError> {
    let cells = row
        .as_array()
        .ok_or_else(|| ApiError::InvalidBody("a dataArray row is an array".into()))?;
    if cells.len() != components.len() {
        return Err(ApiError::InvalidBody(
            "a row has one value per component".into(),
        ));
    }
    let mut m = Map::new();
    for (c, v) in components.iter().zip(cells) {
        match *c {
            "FeatureOfInterest/id" | "FeatureOfInterest/@iot.id" => {
                m.insert("FeatureOfInterest".into(), json!({"@iot.id": v}));
            }
            name => {
                m.insert(name.to_owned(), v.clone());
            }
        }
    }
    Observation::from_json(&m, Some(stream), chrono::Utc::now()).map_err(|e| ApiError::Rejected {
        code: e.code,
        message: e.message,
    })
}
