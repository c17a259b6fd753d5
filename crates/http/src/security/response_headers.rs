//! Headers every response carries so browsers treat what we send as what it is.
//!
//! - `X-Content-Type-Options: nosniff` on everything: a JSON error is never run as a
//!   script, a tile never rendered as a page.
//! - On HTML (the map page, the OGC API's HTML pages): a Content Security Policy that
//!   lets a page load only from this server (MapLibre's workers come from `blob:` URLs,
//!   its images may be `data:`; the OGC pages use an inline stylesheet), may not be
//!   framed (`frame-ancestors 'none'`, and `X-Frame-Options: DENY` for older browsers),
//!   and sends no referrer to other sites.

use axum::{
    extract::Request,
    http::{header, HeaderValue},
    middleware::Next,
    response::Response,
};

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; \
    connect-src 'self'; worker-src 'self' blob:; child-src 'self' blob:; object-src 'none'; \
    base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Middleware: adds the headers to every response.
pub async fn add(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let html = h
        .get(header::CONTENT_TYPE)
        .is_some_and(|ct| ct.as_bytes().starts_with(b"text/html"));
    if html {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
    }
    res
}
