use axum::http::HeaderValue;
use serde::Serialize;

use crate::{media, negotiate::Format};

/// A web link as OGC API documents carry them. Every link has a `rel` and a `type`, and
/// an absolute `href` (see [`crate::base_url::BaseUrl`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    pub href: String,
    pub rel: &'static str,
    #[serde(rename = "type")]
    pub media_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// The link relation of a collection's queryables (OGC API – Features Part 3).
pub const REL_QUERYABLES: &str = "http://www.opengis.net/def/rel/ogc/1.0/queryables";

impl Link {
    pub fn new(rel: &'static str, media_type: &'static str, href: impl Into<String>) -> Link {
        Link {
            href: href.into(),
            rel,
            media_type,
            title: None,
        }
    }

    pub fn titled(mut self, title: impl Into<String>) -> Link {
        self.title = Some(title.into());
        self
    }

    /// `self` in the format being answered and `alternate` in the other one, for a
    /// resource at `url` (without a query) whose JSON form has `json_type`.
    pub fn self_and_alternate(url: &str, format: Format, json_type: &'static str) -> [Link; 2] {
        let json = |rel| Link::new(rel, json_type, format!("{url}?f=json")).titled("JSON");
        let html = |rel| Link::new(rel, media::HTML, format!("{url}?f=html")).titled("HTML");
        match format {
            Format::Json => [json("self"), html("alternate")],
            Format::Html => [html("self"), json("alternate")],
        }
    }

    /// An RFC 8288 `Link` header carrying these links.
    pub fn header(links: &[Link]) -> Option<HeaderValue> {
        let value = links
            .iter()
            .map(|l| format!("<{}>; rel=\"{}\"; type=\"{}\"", l.href, l.rel, l.media_type))
            .collect::<Vec<_>>()
            .join(", ");
        HeaderValue::from_str(&value).ok()
    }
}
