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
    /// 401 `unauthenticated`: the action needs a signed-in user or an API token.
    Unauthenticated,
    /// 401 `invalid_credentials`: a wrong user name or password (never says which).
    InvalidCredentials,
    /// 401 `invalid_token`: a bearer token or session that is unknown, expired or revoked.
    InvalidToken,
    /// 400 `malformed_credentials`: an Authorization header or session cookie that is not
    /// in the one form this server reads (the message says what is wrong).
    MalformedCredentials(String),
    /// 403 `forbidden`: the caller's role does not grant this action.
    Forbidden(String),
    /// 403 `csrf_failed`: a cookie-authenticated write without the session's CSRF token.
    CsrfFailed,
    /// 409 `conflict`: the resource already exists (a user name, a mobile number).
    Conflict(String),
    /// 429 `rate_limited`: too many requests from this client; retry after the seconds given.
    RateLimited { retry_after_s: u64 },
    /// 429 `too_many_attempts`: sign-in is locked for this account or client for a while.
    TooManyAttempts { retry_after_s: u64 },
    /// 400 `invalid_code`: a sign-up code that is wrong, used or expired.
    InvalidCode(String),
    /// 503 `busy`: the server is at its bound for this kind of work (password checks);
    /// retry after the seconds given.
    Busy { retry_after_s: u64 },
    /// 414 `uri_too_long`: the request URI is over the limit.
    UriTooLong(String),
    /// 431 `headers_too_large`: the request headers are over the limit.
    HeadersTooLarge(String),
    /// 421 `misdirected_request`: the `Host` names a server this is not.
    MisdirectedRequest(String),
    /// 429 `too_many_streams`: this client holds as many live streams as it may.
    TooManyStreams(String),
    /// 400 with a code of its own: a request the domain refused (a location outside the
    /// district, a description too long, a photo that is not one…).
    Rejected { code: &'static str, message: String },
    /// 409 `invalid_state`: the action does not fit the resource's state now (a ticket
    /// not yet accepted cannot be resolved).
    InvalidState(String),
    /// 500 `internal`: the detail is logged, never sent.
    Internal(String),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::NotFound(_) | ApiError::OutsideDistrict(_) => StatusCode::NOT_FOUND,
            ApiError::InvalidParameter(_)
            | ApiError::UnknownParameter(_)
            | ApiError::InvalidBody(_)
            | ApiError::MalformedCredentials(_) => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Unauthenticated | ApiError::InvalidCredentials | ApiError::InvalidToken => {
                StatusCode::UNAUTHORIZED
            }
            ApiError::Forbidden(_) | ApiError::CsrfFailed => StatusCode::FORBIDDEN,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::RateLimited { .. } | ApiError::TooManyAttempts { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            ApiError::InvalidCode(_) => StatusCode::BAD_REQUEST,
            ApiError::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            ApiError::HeadersTooLarge(_) => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::MisdirectedRequest(_) => StatusCode::MISDIRECTED_REQUEST,
            ApiError::TooManyStreams(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Rejected { .. } => StatusCode::BAD_REQUEST,
            ApiError::InvalidState(_) => StatusCode::CONFLICT,
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
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::InvalidCredentials => "invalid_credentials",
            ApiError::InvalidToken => "invalid_token",
            ApiError::MalformedCredentials(_) => "malformed_credentials",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::CsrfFailed => "csrf_failed",
            ApiError::Conflict(_) => "conflict",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::TooManyAttempts { .. } => "too_many_attempts",
            ApiError::InvalidCode(_) => "invalid_code",
            ApiError::UriTooLong(_) => "uri_too_long",
            ApiError::HeadersTooLarge(_) => "headers_too_large",
            ApiError::MisdirectedRequest(_) => "misdirected_request",
            ApiError::TooManyStreams(_) => "too_many_streams",
            ApiError::Busy { .. } => "busy",
            ApiError::Rejected { code, .. } => code,
            ApiError::InvalidState(_) => "invalid_state",
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
            | ApiError::OutsideDistrict(m)
            | ApiError::Forbidden(m)
            | ApiError::MalformedCredentials(m)
            | ApiError::InvalidCode(m)
            | ApiError::UriTooLong(m)
            | ApiError::HeadersTooLarge(m)
            | ApiError::MisdirectedRequest(m)
            | ApiError::TooManyStreams(m)
            | ApiError::InvalidState(m)
            | ApiError::Rejected { message: m, .. }
            | ApiError::Conflict(m) => m,
            ApiError::MethodNotAllowed => "this method is not allowed on this resource",
            ApiError::Unauthenticated => {
                "this needs a signed-in user (POST /api/v1/session) or an API token (Authorization: Bearer …)"
            }
            ApiError::InvalidCredentials => "wrong user name or password",
            ApiError::InvalidToken => {
                "the token or session is unknown, expired or revoked; sign in again or use a live token"
            }
            ApiError::CsrfFailed => {
                "a write made with the session cookie needs the session's CSRF token in the X-CSRF-Token header"
            }
            ApiError::RateLimited { .. } => "too many requests; slow down and retry later",
            ApiError::TooManyAttempts { .. } => {
                "too many failed sign-ins; wait before trying again"
            }
            ApiError::Busy { .. } => "the server is busy with this kind of work; retry in a moment",
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

impl From<citymirror_cases::service::CaseError> for ApiError {
    fn from(e: citymirror_cases::service::CaseError) -> ApiError {
        use citymirror_cases::service::CaseError as E;
        match e {
            E::Intake(i) => ApiError::Rejected {
                code: i.code(),
                message: i.to_string(),
            },
            E::NotFound => ApiError::NotFound("no such ticket".into()),
            E::NotNow(n) => ApiError::InvalidState(n.to_string()),
            E::Conflict(m) => ApiError::Conflict(m),
            E::Forbidden(m) => ApiError::Forbidden(m),
            E::Invalid(m) => ApiError::InvalidBody(m),
            E::Repo(r) => ApiError::Internal(r.to_string()),
            E::Audit(a) => ApiError::Internal(format!("audit log: {a}")),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!(%detail, "internal error answering a request");
        }
        let body = serde_json::json!({ "code": self.code(), "message": self.message() });
        let mut r = (
            self.status(),
            [(header::CONTENT_TYPE, crate::media::JSON)],
            body.to_string(),
        )
            .into_response();
        match self {
            ApiError::RateLimited { retry_after_s }
            | ApiError::TooManyAttempts { retry_after_s }
            | ApiError::Busy { retry_after_s } => {
                r.headers_mut().insert(
                    header::RETRY_AFTER,
                    header::HeaderValue::from(retry_after_s),
                );
            }
            ApiError::Unauthenticated
            | ApiError::InvalidToken
            | ApiError::MalformedCredentials(_) => {
                r.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    header::HeaderValue::from_static("Bearer realm=\"citymirror\""),
                );
            }
            _ => {}
        }
        r
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

impl From<citymirror_core::RepoError> for ApiError {
    fn from(e: citymirror_core::RepoError) -> Self {
        match e {
            citymirror_core::RepoError::Conflict(what) => {
                ApiError::Conflict(format!("{what} already exists"))
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<citymirror_trust::password::HashError> for ApiError {
    fn from(e: citymirror_trust::password::HashError) -> Self {
        use citymirror_trust::password::HashError;
        match e {
            HashError::Policy(p) => ApiError::InvalidBody(p.to_string()),
            HashError::Busy => ApiError::Busy { retry_after_s: 2 },
            HashError::Stopped => ApiError::Internal(e.to_string()),
        }
    }
}

impl From<citymirror_trust::Denied> for ApiError {
    fn from(d: citymirror_trust::Denied) -> Self {
        use citymirror_trust::Denied;
        match d {
            Denied::Unauthenticated => ApiError::Unauthenticated,
            Denied::Forbidden { .. } => ApiError::Forbidden(d.to_string()),
            Denied::OutOfScope => ApiError::NotFound("no such resource".into()),
        }
    }
}
