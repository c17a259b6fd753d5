//! The landing page, `/ogc` (and `/ogc/`): what this API is and where everything is.

use axum::response::Response;
use serde_json::json;

use super::{html, link::Link};
use crate::{
    base_url::BaseUrl,
    media,
    negotiate::{Format, Lang, Negotiated},
};

pub const TITLE_ZH: &str = "福田区数字孪生 · CityMirror";
pub const TITLE_EN: &str = "CityMirror digital twin of Futian District";
const DESCRIPTION: &str = "OGC API – Features (Parts 1, 2, 3 queryables and 4) over the live \
twin of Futian District, Shenzhen (福田区): grids, buildings, city components, pipes, \
cameras and IoT devices.";

fn links(base: &BaseUrl, format: Format) -> Vec<Link> {
    let mut links = Link::self_and_alternate(&base.ogc(""), format, media::JSON).to_vec();
    links.extend([
        Link::new("service-desc", media::OPENAPI_JSON, base.ogc("/api"))
            .titled("OpenAPI 3.0 definition"),
        Link::new("service-doc", media::HTML, base.ogc("/api?f=html")).titled("API documentation"),
        Link::new("conformance", media::JSON, base.ogc("/conformance"))
            .titled("Conformance classes"),
        Link::new("data", media::JSON, base.ogc("/collections")).titled("Collections"),
    ]);
    links
}

pub async fn get(base: BaseUrl, n: Negotiated) -> Response {
    let links = links(&base, n.format);
    match n.format {
        Format::Json => media::negotiated_json(
            media::JSON,
            &json!({ "title": TITLE_ZH, "description": DESCRIPTION, "links": links }),
        ),
        Format::Html => media::html(page(n.lang, &base, &links)),
    }
}

fn page(lang: Lang, base: &BaseUrl, links: &[Link]) -> String {
    let nav = [
        (
            lang.pick("数据集", "Collections"),
            base.ogc("/collections?f=html"),
        ),
        (
            lang.pick("接口文档", "API documentation"),
            base.ogc("/api?f=html"),
        ),
        (
            lang.pick("符合性声明", "Conformance"),
            base.ogc("/conformance?f=html"),
        ),
    ];
    let mut body = format!("<p>{}</p>\n<ul>\n", html::escape(DESCRIPTION));
    for (label, href) in nav {
        body.push_str(&format!("<li>{}</li>\n", html::a(&href, label)));
    }
    body.push_str("</ul>\n");
    html::page(lang, lang.pick(TITLE_ZH, TITLE_EN), &[], &body, links)
}
