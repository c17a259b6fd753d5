//! The browser twin at `/`: the front end's built files (`web/dist`, made by
//! `npm --prefix web run build`) served as they are, from a directory given at start-up.
//!
//! Every request no API route claims ends here. A file that exists is served (gzip when
//! the browser accepts it); anything else is the API's JSON 404, so a mistyped API path
//! never comes back as an HTML page. Vite names bundles by their content hash, so
//! `/assets/…` may be cached for a year; `index.html` is revalidated on every load, so a
//! new build shows at once.

use std::path::{Path, PathBuf};

use axum::{
    extract::Request,
    handler::HandlerWithoutStateExt,
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::{Html, IntoResponse, Response},
    routing::get,
    Router,
};
use tower_http::{
    compression::CompressionLayer,
    services::{ServeDir, ServeFile},
};

use crate::ApiError;

/// The directory to serve, if it holds a built front end.
pub fn built(dir: Option<&Path>) -> Option<PathBuf> {
    let dir = dir?;
    dir.join("index.html").is_file().then(|| dir.to_owned())
}

/// Everything under `dir`, with `/` answering `index.html`. Directories are not
/// served: a static-file server would redirect `/assets` to `/assets/`, and `//assets`
/// to `//assets/`, which a browser takes for another host.
pub fn router(dir: &Path) -> Router {
    let files = ServeDir::new(dir)
        .append_index_html_on_directories(false)
        .call_fallback_on_method_not_allowed(true)
        .not_found_service(not_found.into_service());
    Router::new()
        .route_service("/", ServeFile::new(dir.join("index.html")))
        .fallback_service(files)
        .layer(axum::middleware::from_fn(cache_control))
        .layer(CompressionLayer::new())
}

/// Without a built front end, `/` says how to build one instead of a bare 404.
pub fn not_built<S: Clone + Send + Sync + 'static>(dir: Option<&Path>) -> Router<S> {
    let dir = dir.map_or_else(|| "(none given)".to_owned(), |d| d.display().to_string());
    Router::new()
        .route(
            "/",
            get(move || async move {
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    Html(format!(
                        "<!doctype html><meta charset=utf-8><title>CityMirror 福镜</title>\
                         <h1>地图界面尚未构建 · The web UI is not built</h1>\
                         <p>No <code>index.html</code> in the web directory <code>{}</code>.\
                         Build it with <code>npm --prefix web ci &amp;&amp; npm --prefix web run build</code>\
                         (or start with <code>scripts/demo.sh</code>), or pass <code>--web-dir</code>.</p>\
                         <p>The APIs are up: <a href=\"/ogc\">OGC API – Features</a>, \
                         <a href=\"/tiles\">vector tiles</a>, <a href=\"/api/openapi.json\">OpenAPI</a>.</p>",
                        html_escape(&dir)
                    )),
                )
            }),
        )
        .fallback(not_found)
}

/// The icon, built in so that every page (the map, the OGC HTML pages, the page saying
/// the UI is not built) has one, and browsers that ask for `/favicon.ico` regardless get
/// it instead of a 404 on every page load. The same file `web/` ships.
const FAVICON: &[u8] = include_bytes!("../../../web/public/favicon.svg");

/// `/favicon.ico` and `/favicon.svg`, whether or not the UI is built.
pub fn favicon<S: Clone + Send + Sync + 'static>() -> Router<S> {
    let icon = || async {
        (
            [
                (header::CONTENT_TYPE, "image/svg+xml"),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            FAVICON,
        )
    };
    Router::new()
        .route("/favicon.ico", get(icon))
        .route("/favicon.svg", get(icon))
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such resource; the API is described at /api/openapi.json".into())
}

async fn cache_control(req: Request, next: Next) -> Response {
    let hashed = req.uri().path().starts_with("/assets/");
    let mut res = next.run(req).await;
    if res.status().is_success() {
        let value = if hashed {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    res.into_response()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
