//! `GET /api/openapi.json`: the OpenAPI 3.0 document of the whole HTTP API.

use axum::response::Response;

use crate::{base_url::BaseUrl, media};

pub async fn get(base: BaseUrl) -> Response {
    media::json(
        media::JSON,
        &crate::openapi::openapi_document(base.as_str()),
    )
}
