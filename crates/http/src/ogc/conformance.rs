//! `/conformance`: the conformance classes this API implements.

use axum::response::Response;
use serde_json::json;

use super::{html, link::Link};
use crate::{
    base_url::BaseUrl,
    media,
    negotiate::{Format, Negotiated},
};

pub const CLASSES: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
];

pub async fn get(base: BaseUrl, n: Negotiated) -> Response {
    let links = Link::self_and_alternate(&base.ogc("/conformance"), n.format, media::JSON);
    match n.format {
        Format::Json => media::negotiated_json(
            media::JSON,
            &json!({ "conformsTo": CLASSES, "links": links }),
        ),
        Format::Html => {
            let mut body = String::from("<ul>\n");
            for c in CLASSES {
                body.push_str(&format!("<li>{}</li>\n", html::a(c, c)));
            }
            body.push_str("</ul>\n");
            let title = n.lang.pick("符合性声明", "Conformance");
            let crumbs = &html::crumbs(n.lang, &base, None)[..1];
            media::html(html::page(n.lang, title, crumbs, &body, &links))
        }
    }
}
