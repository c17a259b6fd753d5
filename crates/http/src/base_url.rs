use std::convert::Infallible;

use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts, uri::Authority, HeaderMap},
};

use crate::AppState;

/// The absolute root every link starts with: the configured public URL, or
/// `http://{Host}` of the request.
///
/// Links are absolute because standard clients follow them as they are (ogctests fetches
/// the `service-desc` href with a bare GET). They only ever name this server: the `Host`
/// header must be a plain authority (host and port), and forwarded-host headers are not
/// trusted; a missing or odd `Host` falls back to `localhost`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    pub fn resolve(public_url: Option<&str>, headers: &HeaderMap) -> BaseUrl {
        if let Some(url) = public_url {
            return BaseUrl(url.trim_end_matches('/').to_owned());
        }
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| !h.contains('@'))
            .and_then(|h| h.parse::<Authority>().ok())
            .map_or_else(|| "localhost".to_owned(), |a| a.as_str().to_owned());
        BaseUrl(format!("http://{host}"))
    }

    /// The absolute URL of a path under the OGC API root, `/ogc`.
    pub fn ogc(&self, path: &str) -> String {
        format!("{}/ogc{path}", self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromRequestParts<AppState> for BaseUrl {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(BaseUrl::resolve(
            state.config.public_url.as_deref(),
            &parts.headers,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn check(public: Option<&str>, host: Option<&str>, expected: &str) {
        let mut h = HeaderMap::new();
        if let Some(host) = host {
            h.insert(header::HOST, HeaderValue::from_str(host).unwrap());
        }
        assert_eq!(BaseUrl::resolve(public, &h).as_str(), expected);
    }

    #[test]
    fn prefers_the_configured_url_then_the_host_header() {
        check(
            Some("https://twin.example.org/"),
            Some("x"),
            "https://twin.example.org",
        );
        check(None, Some("127.0.0.1:8080"), "http://127.0.0.1:8080");
        check(None, None, "http://localhost");
    }

    #[test]
    fn a_host_header_that_is_not_an_authority_is_ignored() {
        check(None, Some("evil.example/path"), "http://localhost");
        check(None, Some("user@evil.example"), "http://localhost");
        check(None, Some("a b"), "http://localhost");
    }
}
