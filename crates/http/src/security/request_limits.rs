//! What every request must be before anything reads it: a URI and headers of bounded
//! size, a `Host` this server answers to, and a path that does not start with `//`.
//! Each refusal is the API's JSON error, with a message saying what to change.
//!
//! - **Sizes.** A URI over [`MAX_URI_BYTES`] is `414`, headers over [`MAX_HEADER_BYTES`]
//!   are `431`. (hyper's own, larger limits answer without a body; these answer first.)
//!   No standard client sends more; a 65 kB query string once came back as a 130 kB
//!   `Link` header.
//! - **Host.** Links in responses are absolute and, without `--public-url`, built from
//!   the `Host` header; a forged `Host` would put another site's name in every link. So
//!   without a public URL, a request must name this server: an IP address, `localhost`,
//!   the machine's own host name, or a name given with `--allowed-host`. Anything else
//!   is `421 Misdirected Request` (as Django's `ALLOWED_HOSTS` does), which also shuts
//!   out DNS-rebinding pages. With a public URL, links use it and `Host` is not read.
//! - **Paths.** `//assets` is not a path of ours; a static-file server would redirect it
//!   to `//assets/`, which a browser reads as another host (an open redirect).

use axum::{
    extract::{Request, State},
    http::{header, uri::Authority},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{ApiError, AppState};

pub const MAX_URI_BYTES: usize = 8 * 1024;
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Middleware: refuses requests over the sizes, to unknown hosts, or with `//` paths.
pub async fn check(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match refusal(&state, &req) {
        Some(e) => e.into_response(),
        None => next.run(req).await,
    }
}

fn refusal(state: &AppState, req: &Request) -> Option<ApiError> {
    let uri_len = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if uri_len > MAX_URI_BYTES {
        return Some(ApiError::UriTooLong(format!(
            "the request URI has {uri_len} bytes; at most {MAX_URI_BYTES} are accepted (page with `offset`, or narrow the query)"
        )));
    }
    let header_bytes: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    if header_bytes > MAX_HEADER_BYTES {
        return Some(ApiError::HeadersTooLarge(format!(
            "the request headers have {header_bytes} bytes; at most {MAX_HEADER_BYTES} are accepted"
        )));
    }
    if req.uri().path().starts_with("//") {
        return Some(ApiError::NotFound(
            "no such resource; paths start with a single `/`".into(),
        ));
    }
    let mut hosts = req.headers().get_all(header::HOST).iter();
    if hosts.next().is_some() && hosts.next().is_some() {
        return Some(ApiError::InvalidParameter(
            "the request has more than one Host header".into(),
        ));
    }
    if state.config.public_url.is_none() {
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok());
        if let Some(host) = host {
            if !host_allowed(host, &state.config.allowed_hosts) {
                return Some(ApiError::MisdirectedRequest(format!(
                    "this server does not answer to the host `{host}`; its operator can add it with --allowed-host, or set --public-url"
                )));
            }
        }
    }
    None
}

/// Whether a `Host` header names this server (see the module's doc).
pub fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let Ok(authority) = host.parse::<Authority>() else {
        return false;
    };
    if host.contains('@') {
        return false;
    }
    let name = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let name = name.to_ascii_lowercase();
    name.parse::<std::net::IpAddr>().is_ok()
        || name == "localhost"
        || name.ends_with(".localhost")
        || machine_host_name().is_some_and(|h| h.eq_ignore_ascii_case(&name))
        || allowed.iter().any(|a| a.eq_ignore_ascii_case(&name))
}

/// The machine's own host name (Linux), read once.
fn machine_host_name() -> Option<&'static str> {
    static NAME: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    NAME.get_or_init(|| {
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    })
    .as_deref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_that_name_this_server_are_allowed() {
        let allowed = vec!["twin.example.org".to_owned()];
        for ok in [
            "127.0.0.1:8080",
            "10.1.2.3",
            "[::1]:8080",
            "localhost:8080",
            "app.localhost",
            "twin.example.org",
            "TWIN.example.org:443",
        ] {
            assert!(host_allowed(ok, &allowed), "{ok}");
        }
        for bad in [
            "evil.example",
            "twin.example.org.evil.example",
            "a b",
            "user@127.0.0.1",
            "",
        ] {
            assert!(!host_allowed(bad, &allowed), "{bad}");
        }
    }
}
