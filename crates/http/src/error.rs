use std::fmt;

use axum::{
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use citymirror_twin::TwinError;

/// Every failure the HTTP API reports. Each variant has a status code and a stable
/// `code` string that clients may match on; the message is for people.
///
/// The body is `{"code": "...", "message": "..."}`. Internal errors are logged with their
/// detail and shown to clients only as `internal`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// 404 `not_found`: no such route, collection or feature.
    NotFound(String),
    /// 400 `invalid_parameter`: a known query parameter with a value that does not parse.
    InvalidParameter(String),
    /// 400 `unknown_parameter`: a query parameter this resource does not define.
    UnknownParameter(String),
    /// 400 `invalid_body`: a request body that is not valid JSON/GeoJSON or fails validation.
    InvalidBody(String),
    /// 415 `unsupported_media_type`: a request body in a media type we do not read.
    UnsupportedMediaType(String),
    /// 413 `payload_too_large`: a request body over the limit.
    PayloadTooLarge(String),
    /// 405 `method_not_allowed`.
    MethodNotAllowed,
    /// 404 `outside_district`: `locate` was asked about a point outside the district.
    OutsideDistrict(String),
    /// 500 `internal`: the detail is logged, never sent.
    Internal(String),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::NotFound(_) | ApiError::OutsideDistrict(_) => StatusCode::NOT_FOUND,
            ApiError::InvalidParameter(_)
            | ApiError::UnknownParameter(_)
            | ApiError::InvalidBody(_) => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::NotFound(_) => "not_found",
            ApiError::InvalidParameter(_) => "invalid_parameter",
            ApiError::UnknownParameter(_) => "unknown_parameter",
            ApiError::InvalidBody(_) => "invalid_body",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::PayloadTooLarge(_) => "payload_too_large",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::OutsideDistrict(_) => "outside_district",
            ApiError::Internal(_) => "internal",
        }
    }

    /// The message clients see.
    pub fn message(&self) -> &str {
        match self {
            ApiError::NotFound(m)
            | ApiError::InvalidParameter(m)
            | ApiError::UnknownParameter(m)
            | ApiError::InvalidBody(m)
            | ApiError::UnsupportedMediaType(m)
            | ApiError::PayloadTooLarge(m)
            | ApiError::OutsideDistrict(m) => m,
            ApiError::MethodNotAllowed => "this method is not allowed on this resource",
            ApiError::Internal(_) => "internal server error",
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!(%detail, "internal error answering a request");
        }
        let body = serde_json::json!({ "code": self.code(), "message": self.message() });
        (
            self.status(),
            [(header::CONTENT_TYPE, crate::media::JSON)],
            body.to_string(),
        )
            .into_response()
    }
}

impl From<TwinError> for ApiError {
    fn from(e: TwinError) -> Self {
        match e {
            TwinError::NotFound { layer, id } => {
                ApiError::NotFound(format!("feature {id} not found in collection `{layer}`"))
            }
            TwinError::Invalid(e) => ApiError::InvalidBody(e.to_string()),
            TwinError::Repo(e) => ApiError::Internal(e.to_string()),
        }
    }
}
