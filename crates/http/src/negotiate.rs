//! Content negotiation: `f=` wins; otherwise `Accept` picks HTML only when the client
//! (a browser) prefers `text/html` over JSON. JSON is the default for everything else,
//! including `*/*`. The page language follows `Accept-Language`, Chinese by default.

use std::convert::Infallible;

use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts, HeaderMap},
};

use crate::ApiError;

/// The representation to answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON, or GeoJSON for features.
    Json,
    Html,
}

impl Format {
    /// Reads an `f` parameter. `geojson` is accepted only where features are served.
    pub fn from_param(raw: &str, features: bool) -> Result<Format, ApiError> {
        match raw {
            "json" => Ok(Format::Json),
            "geojson" if features => Ok(Format::Json),
            "html" => Ok(Format::Html),
            _ => Err(ApiError::InvalidParameter(format!(
                "f=`{raw}` is not supported; use {}",
                if features {
                    "json, geojson or html"
                } else {
                    "json or html"
                }
            ))),
        }
    }

    pub fn from_accept(headers: &HeaderMap) -> Format {
        let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
            return Format::Json;
        };
        let (mut html, mut json, mut any) = (0.0f32, 0.0f32, 0.0f32);
        for (range, q) in weighted(accept) {
            let range = range.to_ascii_lowercase();
            match range.as_str() {
                "text/html" | "application/xhtml+xml" => html = html.max(q),
                "*/*" | "application/*" => any = any.max(q),
                r if r == "application/json" || r.ends_with("+json") => json = json.max(q),
                _ => {}
            }
        }
        if json == 0.0 {
            json = any;
        }
        // Ties go to JSON: machines are the default audience.
        if html > 0.0 && html > json {
            Format::Html
        } else {
            Format::Json
        }
    }
}

/// The language of HTML pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn from_headers(headers: &HeaderMap) -> Lang {
        let Some(al) = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
        else {
            return Lang::Zh;
        };
        let (mut zh, mut en) = (0.0f32, 0.0f32);
        for (tag, q) in weighted(al) {
            let tag = tag.to_ascii_lowercase();
            if tag.starts_with("zh") {
                zh = zh.max(q);
            } else if tag == "en" || tag.starts_with("en-") {
                en = en.max(q);
            }
        }
        if en > zh {
            Lang::En
        } else {
            Lang::Zh
        }
    }

    /// The `lang` attribute of the page.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Picks the label in this language.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// The items of an `Accept`-style header with their `q` weights (default 1).
fn weighted(header: &str) -> impl Iterator<Item = (&str, f32)> {
    header.split(',').filter_map(|item| {
        let mut parts = item.split(';');
        let value = parts.next()?.trim();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        (!value.is_empty()).then_some((value, q))
    })
}

/// What a metadata resource (landing page, conformance, collections…) answers with:
/// the format from `f` or `Accept`, and the page language.
#[derive(Debug, Clone, Copy)]
pub struct Negotiated {
    pub format: Format,
    pub lang: Lang,
}

impl Negotiated {
    /// `f` is the only parameter these resources read; an unknown value is an error.
    pub fn from_parts(query: Option<&str>, headers: &HeaderMap) -> Result<Negotiated, ApiError> {
        let f = query.and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "f")
                .map(|(_, v)| v.into_owned())
        });
        Ok(Negotiated {
            format: match f {
                Some(f) => Format::from_param(&f, false)?,
                None => Format::from_accept(headers),
            },
            lang: Lang::from_headers(headers),
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Negotiated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Negotiated::from_parts(parts.uri.query(), &parts.headers)
    }
}

/// The page language alone, for handlers that negotiate their format themselves.
#[derive(Debug, Clone, Copy)]
pub struct PageLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(PageLang(Lang::from_headers(&parts.headers)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(v: &str) -> Format {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_str(v).unwrap());
        Format::from_accept(&h)
    }

    #[test]
    fn browsers_get_html_and_everything_else_json() {
        let firefox = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert_eq!(accept(firefox), Format::Html);
        assert_eq!(accept("*/*"), Format::Json);
        assert_eq!(accept("application/geo+json"), Format::Json);
        assert_eq!(accept("application/json, text/html"), Format::Json);
        assert_eq!(accept("text/html;q=0.5, application/json"), Format::Json);
        assert_eq!(accept("text/html"), Format::Html);
        assert_eq!(Format::from_accept(&HeaderMap::new()), Format::Json);
    }

    #[test]
    fn f_values() {
        assert_eq!(Format::from_param("geojson", true), Ok(Format::Json));
        assert!(Format::from_param("geojson", false).is_err());
        assert!(Format::from_param("xml", true).is_err());
    }

    #[test]
    fn chinese_unless_english_is_preferred() {
        let lang = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_str(v).unwrap());
            Lang::from_headers(&h)
        };
        assert_eq!(lang("en-US,en;q=0.9"), Lang::En);
        assert_eq!(lang("zh-CN,zh;q=0.9,en;q=0.8"), Lang::Zh);
        assert_eq!(lang("fr"), Lang::Zh);
        assert_eq!(Lang::from_headers(&HeaderMap::new()), Lang::Zh);
    }
}
