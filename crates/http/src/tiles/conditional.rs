//! The two request headers a tile answer depends on: `Accept-Encoding` (may the body be
//! gzip?) and `If-None-Match` (does the client have this tile already?).

use axum::http::{header, HeaderMap};

/// Whether the client takes a gzip body: `gzip` (or `x-gzip`, or `*` when gzip is not
/// named) with a non-zero quality, in any `Accept-Encoding` header.
pub(super) fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut wildcard = None;
    for item in headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
    {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match coding.as_str() {
            "gzip" | "x-gzip" => return q > 0.0,
            "*" => wildcard = Some(q > 0.0),
            _ => {}
        }
    }
    wildcard.unwrap_or(false)
}

/// Whether `If-None-Match` names `etag` (or is `*`), compared weakly as RFC 9110 asks
/// for this header: `W/"a"` matches `"a"`.
pub(super) fn matches(headers: &HeaderMap, etag: &str) -> bool {
    let ours = opaque(etag);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|theirs| theirs == "*" || opaque(theirs) == ours)
}

fn opaque(tag: &str) -> &str {
    tag.strip_prefix("W/").unwrap_or(tag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(name: header::HeaderName, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_str(value).unwrap());
        h
    }

    fn gzip(accept: &str) -> bool {
        accepts_gzip(&headers(header::ACCEPT_ENCODING, accept))
    }

    #[test]
    fn gzip_only_when_the_client_says_so() {
        assert!(gzip("gzip"));
        assert!(gzip("br, gzip;q=0.5, deflate"));
        assert!(gzip("GZIP"));
        assert!(gzip("*"));
        assert!(!gzip("gzip;q=0"));
        assert!(!gzip("*, gzip;q=0"));
        assert!(!gzip("identity"));
        assert!(!gzip("br"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn if_none_match_compares_weakly_and_takes_lists_and_stars() {
        let tag = r#"W/"1a-5-9""#;
        let check = |v: &str| matches(&headers(header::IF_NONE_MATCH, v), tag);
        assert!(check(tag));
        assert!(check(r#""1a-5-9""#));
        assert!(check(r#""x", W/"1a-5-9""#));
        assert!(check("*"));
        assert!(!check(r#"W/"1a-5-10""#));
        assert!(!matches(&HeaderMap::new(), tag));
    }
}
