//! OGC API – Features Part 4: `POST …/items` (create), `PUT …/items/{featureId}`
//! (replace), `PATCH …/items/{featureId}` (update by JSON merge patch) and
//! `DELETE …/items/{featureId}`.
//!
//! Every write goes through [`citymirror_twin::TwinService`], which commits to the store
//! before it changes the in-memory layer, so a write that fails here or there changes
//! nothing, and one that succeeds is visible to the next query.
//!
//! Writes need a caller whose role grants `twin.write` (field layers) or
//! `twin.administer` (the administrative layers), and whose jurisdiction covers where the
//! feature is, before and after the change. A feature outside the caller's jurisdiction
//! answers 404, like a missing one. Every committed write is appended to the audit log.

use axum::{
    body::Bytes,
    extract::{rejection::BytesRejection, Path, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};

use citymirror_core::{LayerId, Value};
use citymirror_trust::{Action, Denied, Principal, Target};
use citymirror_twin::{within, Feature};
use geo::Geometry;
use serde_json::json;

use super::{
    crs::Crs,
    feature, feature_id, find_layer,
    write_body::{self, BodyKind},
};
use crate::{
    base_url::BaseUrl,
    security::{masking, trail, Caller},
    ApiError, AppState,
};

pub(crate) fn action_for(layer: LayerId) -> Action {
    if layer.grid_level().is_some() {
        Action::TwinAdminister
    } else {
        Action::TwinWrite
    }
}

/// Where a feature with these properties and geometry is, as a grid code: an
/// administrative unit's own code, or the grid its geometry lies in. A feature outside
/// every grid belongs to the district as a whole.
pub(crate) fn place(
    state: &AppState,
    layer: LayerId,
    geometry: &Geometry<f64>,
    props: &[Value],
) -> String {
    let schema = layer.schema();
    let own_code = schema
        .property("code")
        .filter(|_| layer.grid_level().is_some())
        .and_then(|(i, _)| props[i].as_str());
    match own_code {
        Some(code) => code.to_owned(),
        None => state.service.grid_code_at(geometry).map_or_else(
            || state.security.org.district().to_string(),
            |c| c.to_string(),
        ),
    }
}

/// The caller may change the stored feature `id` (which must exist in their jurisdiction);
/// returns the feature and where it is.
fn authorize_existing(
    state: &AppState,
    who: &Principal,
    layer: LayerId,
    id: i64,
) -> Result<(Feature, String), ApiError> {
    who.authorize(action_for(layer), Target::Any)?;
    let existing: Option<Feature> = state.service.twin().layer(layer).get(id).cloned();
    let not_found =
        || ApiError::NotFound(format!("feature {id} not found in collection `{layer}`"));
    let f = existing.ok_or_else(not_found)?;
    let at = place(state, layer, &f.geometry, &f.props);
    who.authorize(action_for(layer), Target::InGrid(&at))
        .map_err(|_| not_found())?;
    Ok((f, at))
}

/// The caller may put a feature with `geometry` at `at` (a create, or where a change
/// moves it): the grid it is located by must be in their jurisdiction, and so must the
/// whole geometry, within the tolerances of [`within`].
pub(crate) fn authorize_place(
    state: &AppState,
    who: &Principal,
    layer: LayerId,
    at: &str,
    geometry: &Geometry<f64>,
) -> Result<(), ApiError> {
    who.authorize(action_for(layer), Target::InGrid(at))
        .map_err(|d| match d {
            Denied::OutOfScope => ApiError::Forbidden(format!(
                "the feature would lie in {at}, outside your jurisdiction"
            )),
            other => other.into(),
        })?;
    let Some(j) = &who.jurisdiction else {
        return Ok(());
    };
    if j.code() == state.security.org.district() {
        return Ok(()); // the whole district: nothing to reach out of
    }
    let area = state
        .service
        .twin()
        .area_geometry(j.code())
        .ok_or_else(|| {
            ApiError::Forbidden(format!(
                "your jurisdiction {} has no outline in the twin",
                j.code()
            ))
        })?;
    within::lies_within(&area, geometry).map_err(|how| {
        ApiError::Forbidden(format!(
            "the feature reaches outside your jurisdiction {}: {how} (tolerance {} m, {} m²)",
            j.code(),
            within::TOLERANCE_M,
            within::TOLERANCE_M2
        ))
    })
}

/// The written feature as its writer may read it: a write response is a read like any
/// other, masked to the writer's entitlement (a street officer who PATCHes a component
/// does not get back the 身份证号 someone typed into its owner's name).
fn answer(base: &BaseUrl, layer: LayerId, mut f: Feature, who: &Principal) -> Response {
    masking::feature_props(layer.schema(), &mut f.props, who.entitlement());
    feature::response(base, layer, &f, Crs::Crs84)
}

pub async fn create(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(collection_id): Path<String>,
    base: BaseUrl,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let layer = find_layer(&collection_id)?;
    who.authorize(action_for(layer), Target::Any)?;
    let doc = write_body::json_object(&headers, body, BodyKind::Feature)?;
    let crs = write_body::content_crs(&headers)?;
    let new = write_body::new_feature(layer.schema(), doc, crs)?;
    let at = place(&state, layer, &new.geometry, &new.props);
    authorize_place(&state, &who, layer, &at, &new.geometry)?;
    let created = state.service.create(layer, new).await?;
    trail::record(
        &state,
        &who,
        "twin.create",
        format!("{layer}/{}", created.id),
        json!({ "grid": at }),
    )
    .await?;
    let mut r = answer(&base, layer, created.clone(), &who);
    *r.status_mut() = StatusCode::CREATED;
    let location = feature::url(&base, layer, created.id);
    r.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_str(&location).map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    Ok(r)
}

pub async fn replace(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path((collection_id, raw_id)): Path<(String, String)>,
    base: BaseUrl,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let layer = find_layer(&collection_id)?;
    let id = feature_id(layer, &raw_id)?;
    let (_, from) = authorize_existing(&state, &who, layer, id)?;
    let doc = write_body::json_object(&headers, body, BodyKind::Feature)?;
    let crs = write_body::content_crs(&headers)?;
    let new = write_body::new_feature(layer.schema(), doc, crs)?;
    let to = place(&state, layer, &new.geometry, &new.props);
    authorize_place(&state, &who, layer, &to, &new.geometry)?;
    let replaced = state.service.replace(layer, id, new).await?;
    trail::record(
        &state,
        &who,
        "twin.replace",
        format!("{layer}/{id}"),
        json!({ "grid": to, "from_grid": from }),
    )
    .await?;
    Ok(answer(&base, layer, replaced, &who))
}

pub async fn update(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path((collection_id, raw_id)): Path<(String, String)>,
    base: BaseUrl,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let layer = find_layer(&collection_id)?;
    let id = feature_id(layer, &raw_id)?;
    let (existing, from) = authorize_existing(&state, &who, layer, id)?;
    let doc = write_body::json_object(&headers, body, BodyKind::MergePatch)?;
    let crs = write_body::content_crs(&headers)?;
    let patch = write_body::patch(layer.schema(), doc, crs)?;
    if let Some(g) = &patch.geometry {
        let to = place(&state, layer, g, &existing.props);
        authorize_place(&state, &who, layer, &to, g)?;
    }
    let fields: Vec<String> = patch.props.iter().map(|(k, _)| k.clone()).collect();
    let updated = state.service.patch(layer, id, patch).await?;
    let to = place(&state, layer, &updated.geometry, &updated.props);
    trail::record(
        &state,
        &who,
        "twin.update",
        format!("{layer}/{id}"),
        json!({ "grid": to, "from_grid": from, "fields": fields }),
    )
    .await?;
    Ok(answer(&base, layer, updated, &who))
}

pub async fn delete(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path((collection_id, raw_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let layer = find_layer(&collection_id)?;
    let id = feature_id(layer, &raw_id)?;
    let (_, from) = authorize_existing(&state, &who, layer, id)?;
    state.service.delete(layer, id).await?;
    trail::record(
        &state,
        &who,
        "twin.delete",
        format!("{layer}/{id}"),
        json!({ "grid": from }),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
