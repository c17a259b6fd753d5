//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz). Not part of the API: each
//! function runs exactly the code path a handler runs on outside input, so the fuzzer
//! tests what the server does rather than a copy of it. Hidden from the docs.
#![doc(hidden)]

use citymirror_core::LayerId;

pub use crate::negotiate::Format;
pub use crate::ogc::crs::Crs;
pub use crate::ogc::params::{FeatureRequest, ItemsRequest, DEFAULT_LIMIT, MAX_LIMIT};
use crate::{ogc::params, ApiError};

/// The query string of `GET /ogc/collections/{layer}/items`, parsed as the handler
/// parses it (`ogc::items::get` → `params::parse_items`).
#[doc(hidden)]
pub fn parse_items_query(layer: LayerId, query: &str) -> Result<ItemsRequest, ApiError> {
    params::parse_items(layer.schema(), Some(query))
}

/// The query string of `GET /ogc/collections/{layer}/items/{featureId}`, parsed as the
/// handler parses it (`params::parse_feature`).
#[doc(hidden)]
pub fn parse_feature_query(query: &str) -> Result<FeatureRequest, ApiError> {
    params::parse_feature(Some(query))
}

/// The credential headers of any request, read as the security gate reads them
/// (`security::credentials::parse`), and the budget key of the client address it came
/// from (`ClientKey::anonymous`). `headers` are `(name, value)` pairs as raw bytes; pairs
/// that are not valid HTTP headers are dropped, as the HTTP parser would refuse them.
#[doc(hidden)]
pub fn parse_credentials(headers: &[(&[u8], &[u8])], peer: std::net::IpAddr) -> Result<(), String> {
    use crate::security::{credentials, rate_limit::ClientKey};
    use axum::http::{HeaderMap, HeaderName, HeaderValue};
    let mut map = HeaderMap::new();
    for (k, v) in headers {
        if let (Ok(k), Ok(v)) = (HeaderName::from_bytes(k), HeaderValue::from_bytes(v)) {
            map.append(k, v);
        }
    }
    let key = ClientKey::anonymous(peer);
    if let ClientKey::Address(std::net::IpAddr::V6(v6)) = key {
        assert_eq!(
            v6.segments()[4..],
            [0, 0, 0, 0],
            "an IPv6 client is keyed by its /64"
        );
    }
    match credentials::parse(&map) {
        Ok(credentials::Presented::Token { id, secret }) => {
            // What parsed must be exactly what `citymirror token create` prints.
            let canonical = citymirror_trust::token::format_token(id, secret);
            assert_eq!(
                citymirror_trust::token::parse_token(&canonical),
                Some((id, secret))
            );
            Ok(())
        }
        Ok(_) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}
