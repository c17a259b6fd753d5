//! OGC API – Features Part 4: `POST …/items` (create), `PUT …/items/{featureId}`
//! (replace), `PATCH …/items/{featureId}` (update by JSON merge patch) and
//! `DELETE …/items/{featureId}`.
//!
//! Every write goes through [`citymirror_twin::TwinService`], which commits to the store
//! before it changes the in-memory layer, so a write that fails here or there changes
//! nothing, and one that succeeds is visible to the next query.

use axum::{
    body::Bytes,
    extract::{rejection::BytesRejection, Path, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};

use super::{
    crs::Crs,
    feature, feature_id, find_layer,
    write_body::{self, BodyKind},
};
use crate::{base_url::BaseUrl, ApiError, AppState};

pub async fn create(
    State(state): State<AppState>,
    Path(collection_id): Path<String>,
    base: BaseUrl,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let layer = find_layer(&collection_id)?;
    let doc = write_body::json_object(&headers, body, BodyKind::Feature)?;
    let crs = write_body::content_crs(&headers)?;
    let new = write_body::new_feature(layer.schema(), doc, crs)?;
    let created = state.service.create(layer, new).await?;
    let mut r = feature::response(&base, layer, &created, Crs::Crs84);
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
    Path((collection_id, raw_id)): Path<(String, String)>,
    base: BaseUrl,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let layer = find_layer(&collection_id)?;
    let id = feature_id(layer, &raw_id)?;
    let doc = write_body::json_object(&headers, body, BodyKind::Feature)?;
    let crs = write_body::content_crs(&headers)?;
    let new = write_body::new_feature(layer.schema(), doc, crs)?;
    let replaced = state.service.replace(layer, id, new).await?;
    Ok(feature::response(&base, layer, &replaced, Crs::Crs84))
}

pub async fn update(
    State(state): State<AppState>,
    Path((collection_id, raw_id)): Path<(String, String)>,
    base: BaseUrl,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let layer = find_layer(&collection_id)?;
    let id = feature_id(layer, &raw_id)?;
    let doc = write_body::json_object(&headers, body, BodyKind::MergePatch)?;
    let crs = write_body::content_crs(&headers)?;
    let patch = write_body::patch(layer.schema(), doc, crs)?;
    let updated = state.service.patch(layer, id, patch).await?;
    Ok(feature::response(&base, layer, &updated, Crs::Crs84))
}

pub async fn delete(
    State(state): State<AppState>,
    Path((collection_id, raw_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let layer = find_layer(&collection_id)?;
    let id = feature_id(layer, &raw_id)?;
    state.service.delete(layer, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
