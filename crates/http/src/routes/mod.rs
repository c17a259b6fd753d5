//! The route table of the whole HTTP API, in one place.

mod areas;
mod audit;
mod events;
mod health;
mod import;
mod locate;
mod openapi;
pub(crate) mod query;
mod records;
mod search;
pub(crate) mod sensing;
pub(crate) mod sensing_alarms;
mod session;
pub(crate) mod tickets;
mod tokens;
mod units;
mod users;
pub(crate) mod video;

use axum::{
    extract::DefaultBodyLimit,
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::{delete, get, post, put},
    Router,
};
use tower_http::{
    compression::{CompressionLayer, CompressionLevel},
    limit::RequestBodyLimitLayer,
    trace::TraceLayer,
};

use crate::{ogc, ApiError, AppState};

/// The largest request body accepted (a GeoJSON feature with a detailed outline fits
/// many times over).
pub const BODY_LIMIT: usize = 16 << 20;

/// The whole HTTP API. Separate from `main` so tests can drive it with
/// `tower::ServiceExt::oneshot`, without a socket.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/healthz", get(health::get))
        .route("/api/v1/locate", get(locate::get))
        // The map: search, drill-down figures, the live channel.
        .route("/api/v1/search", get(search::get))
        .route("/api/v1/areas", get(areas::district))
        .route("/api/v1/areas/{code}", get(areas::one))
        .route("/api/v1/events", get(events::stream))
        .route("/api/openapi.json", get(openapi::get))
        // Trust: sessions, accounts, tokens, the organisation, block data, the audit log.
        .route(
            "/api/v1/session",
            get(session::current)
                .post(session::login)
                .delete(session::logout),
        )
        .route("/api/v1/citizens", post(users::register))
        .route("/api/v1/citizens/codes", post(users::request_code))
        .route("/api/v1/users", get(users::list))
        .route("/api/v1/users/{id}", get(users::one))
        .route("/api/v1/units", get(units::list))
        .route("/api/v1/units/{id}", get(units::one))
        .route("/api/v1/tokens", get(tokens::list).post(tokens::create))
        .route("/api/v1/tokens/{id}", delete(tokens::revoke))
        .route("/api/v1/import/{layer}", post(import::post))
        .route("/api/v1/sensing/ingest", get(sensing::ingest))
        .route("/api/v1/sensing/series", get(sensing::series))
        .route("/api/v1/sensing/alarms", get(sensing_alarms::alarms))
        .route(
            "/api/v1/sensing/devices/{id}/rules",
            get(sensing_alarms::rules).put(sensing_alarms::set_rules),
        )
        .route("/api/v1/video/devices", get(video::devices))
        .route("/api/v1/video/devices/{id}", get(video::device))
        .route(
            "/api/v1/video/devices/{id}/password",
            put(video::set_password),
        )
        .route("/api/v1/video/status", get(video::status))
        .route(
            "/api/v1/video/channels/{id}/play",
            post(video::play).delete(video::stop),
        )
        .route("/api/v1/video/channels/{id}/stream", get(video::stream))
        .route("/api/v1/video/channels/{id}/ptz", post(video::ptz))
        .route("/api/v1/records/{kind}", get(records::list))
        .route("/api/v1/records/{kind}/{id}", get(records::one))
        .route("/api/v1/audit/checkpoint", get(audit::checkpoint))
        .route("/api/v1/audit/checkpoints", get(audit::checkpoint_at))
        .route("/api/v1/audit/key", get(audit::key))
        .route("/api/v1/audit/proof/inclusion", get(audit::inclusion))
        .route("/api/v1/audit/proof/consistency", get(audit::consistency))
        .route("/api/v1/audit/entries", get(audit::entries))
        // The request loop (民意速办).
        .route("/api/v1/tickets", get(tickets::list).post(tickets::submit))
        .route("/api/v1/tickets/similar", get(tickets::similar))
        .route("/api/v1/tickets/batch", post(tickets::batch))
        .route("/api/v1/cases/models", post(tickets::install_model))
        .route("/api/v1/tickets/stats", get(tickets::stats))
        .route("/api/v1/tickets/hotspots", get(tickets::hotspots))
        .route("/api/v1/tickets/map", get(tickets::map))
        .route("/api/v1/tickets/{number}", get(tickets::one))
        .route("/api/v1/tickets/{number}/history", get(tickets::history))
        .route("/api/v1/tickets/{number}/actions", post(tickets::act))
        .route("/api/v1/tickets/{number}/media/{id}", get(tickets::media))
        .route("/api/v1/track/{number}", get(tickets::track))
        .route(
            "/api/v1/track/{number}/history",
            get(tickets::track_history),
        )
        .route("/api/v1/track/{number}/evaluate", post(tickets::evaluate))
        .route("/api/v1/cases/catalogue", get(tickets::catalogue))
        .route(
            "/api/v1/cases/matrix",
            get(tickets::matrix).put(tickets::put_matrix),
        )
        // OGC API – Features. ogctests joins its base URL `…/ogc` with `/`, so the
        // landing page answers with and without the trailing slash.
        .route("/ogc", get(ogc::landing::get))
        .route("/ogc/", get(ogc::landing::get))
        .route("/ogc/conformance", get(ogc::conformance::get))
        .route("/ogc/api", get(ogc::api_doc::get))
        .route("/ogc/collections", get(ogc::collections::list))
        .route("/ogc/collections/{collection}", get(ogc::collections::one))
        .route(
            "/ogc/collections/{collection}/queryables",
            get(ogc::queryables::get),
        )
        .route(
            "/ogc/collections/{collection}/items",
            get(ogc::items::get).post(ogc::write::create),
        )
        .route(
            "/ogc/collections/{collection}/items/{feature}",
            get(ogc::feature::get)
                .put(ogc::write::replace)
                .patch(ogc::write::update)
                .delete(ogc::write::delete),
        )
        .merge(crate::open311::routes())
        .merge(crate::sta::routes())
        // Vector tiles and TileJSON, with their own state (the tile cache).
        .merge(crate::tiles::routes(&state))
        .merge(crate::web::favicon())
        // GeoJSON and JSON answers are gzipped for clients that ask (a page of 1,000
        // buildings shrinks from ~400 KB about eightfold). The fastest level: the answer is
        // written as fast as it is serialised, and most of the saving comes at any level.
        // Tiles arrive already encoded and the live channel (SSE) is never buffered.
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest));
    // Whatever no API route claims: the browser twin's files (or, unbuilt, a page at `/`
    // saying how to build it), else the JSON 404.
    let web_dir = state.config.web_dir.as_deref();
    let with_web = match crate::web::built(web_dir) {
        Some(dir) => api.fallback_service(crate::web::router(&dir)),
        None => api.merge(crate::web::not_built(web_dir)),
    };
    with_web
        .method_not_allowed_fallback(method_not_allowed)
        // tower-http's limit replaces axum's default 2 MiB one; its early 413 (from
        // Content-Length) is turned into our JSON error like every other failure.
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(axum::middleware::map_response(json_payload_too_large))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::security::rate_limit::gate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::security::request_limits::check,
        ))
        .layer(axum::middleware::from_fn(
            crate::security::response_headers::add,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

async fn json_payload_too_large(r: Response) -> Response {
    let is_ours = r
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|ct| ct.as_bytes().starts_with(b"application/json"));
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_ours {
        ApiError::PayloadTooLarge(format!("the body is larger than {} MiB", BODY_LIMIT >> 20))
            .into_response()
    } else {
        r
    }
}
