//! `citymirror-http`: the web edge of CityMirror.
//!
//! [`app`] builds the whole HTTP API as an [`axum::Router`] over one [`AppState`]:
//!
//! - `/ogc`: OGC API – Features Part 1 (Core, GeoJSON, HTML, OpenAPI 3.0), Part 2 (CRS:
//!   CRS84, EPSG:4326, EPSG:3857), Part 3 queryables as query parameters, and Part 4
//!   writes (create, replace, update, delete) through [`citymirror_twin::TwinService`];
//! - `/api/v1/locate?lon=&lat=`: the grid path (区-街道-社区-网格) of a point;
//! - `/api/v1/session`, `/citizens`, `/users`, `/units`, `/tokens`, `/records/{kind}`,
//!   `/audit/…`: trust (sign-in, accounts, API tokens, the organisation, block data masked
//!   to entitlement, the audit log and its proofs); see [`security`];
//! - `/tiles`: Mapbox Vector Tiles of every layer and a `basemap` of all, with TileJSON
//!   (rendered by `citymirror-tiles` from the twin's memory, cached by layer revision);
//! - `/api/v1/search`, `/api/v1/areas[/{code}]`, `/api/v1/events`: what the map needs
//!   beyond tiles (search by name and address, drill-down figures, the SSE live channel);
//! - `/api/v1/tickets`, `/api/v1/track`, `/api/v1/cases`: the request loop (民意速办):
//!   intake, queues, actions, histories with audit proofs, statistics, hot spots;
//! - `/open311/v2`: Open311 GeoReport v2 (discovery, services, requests, tokens, the
//!   `servicerequestupdates` extension; JSON and XML);
//! - `/`: the built browser twin (`HttpConfig::web_dir`), for every path no route claims;
//! - `/api/openapi.json`: the OpenAPI 3.0 document of the OGC API, `locate` and tiles (the
//!   `/api/v1` trust resources are described in `docs/permissions.md` for now);
//! - `/healthz`.
//!
//! Raw input (query strings, request bodies) is validated once, at the door, into the
//! twin's typed values; every failure is answered by one [`ApiError`] with a stable `code`.
//! Reads take a layer's lock only for the query itself, never across an `.await`, and
//! GeoJSON is written straight into a byte buffer.
//!
//! ```no_run
//! # async fn serve(
//! #     repo: std::sync::Arc<dyn citymirror_twin::TwinRepo>,
//! #     security: citymirror_http::security::Security,
//! #     cases: citymirror_cases::service::CaseService,
//! #     sensing: citymirror_sensing::SensingService,
//! # ) -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use citymirror_http::{app, open_video_registry, AppState, HttpConfig, VideoState};
//! use citymirror_twin::TwinService;
//!
//! // `cases` and `sensing` are composed by `open_cases` and `open_sensing` over the
//! // same store (and, for cases, the audit log and clock).
//! let service = Arc::new(TwinService::open(repo).await?);
//! let (cases, sensing) = (Arc::new(cases), Arc::new(sensing));
//! // The twin's cameras as GB/T 28181 devices; no SIP edge in this sketch.
//! let video = VideoState::offline(Arc::new(open_video_registry(&service)));
//! let router = app(AppState { service, security, cases, sensing, video, config: HttpConfig::default() });
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, router).await?;
//! # Ok(()) }
//! ```
//!
//! This crate knows HTTP and JSON but not SQL: storage is reached only through the
//! twin's service.

mod base_url;
mod cases;
mod error;
pub mod fuzzing;
mod media;
mod negotiate;
mod ogc;
mod open311;
mod openapi;
mod routes;
pub mod security;
mod sensing;
pub mod serve;
mod sta;
mod state;
mod tiles;
mod video;
mod web;

pub use cases::open_cases;
pub use error::ApiError;
pub use openapi::openapi_document;
pub use routes::app;
pub use sensing::open_sensing;
pub use state::{AppState, HttpConfig};
pub use video::{open_video_registry, VideoState, PASSWORDS_KEY as VIDEO_PASSWORDS_KEY};
