//! `/ogc/api`: the API definition (`service-desc`, OpenAPI 3.0 JSON) and its HTML form
//! (`service-doc`), a table of every operation.

use axum::response::Response;
use serde_json::Value as Json;

use super::{html, link::Link};
use crate::{
    base_url::BaseUrl,
    media,
    negotiate::{Format, Lang, Negotiated},
    openapi,
};

pub async fn get(base: BaseUrl, n: Negotiated) -> Response {
    let doc = openapi::ogc_document(base.as_str());
    match n.format {
        Format::Json => media::negotiated_json(media::OPENAPI_JSON, &doc),
        Format::Html => media::html(page(n.lang, &base, &doc)),
    }
}

fn page(lang: Lang, base: &BaseUrl, doc: &Json) -> String {
    let server = doc["servers"][0]["url"].as_str().unwrap_or_default();
    let mut rows = Vec::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            for (method, op) in item.as_object().into_iter().flatten() {
                let summary = op["summary"].as_str().unwrap_or_default();
                let shown = html::escape(&format!("{server}{path}"));
                let path_cell = if method == "get" && !path.contains('{') {
                    format!("<a href=\"{shown}?f=html\">{shown}</a>")
                } else {
                    shown
                };
                rows.push(vec![
                    html::escape(&method.to_uppercase()),
                    path_cell,
                    html::escape(summary),
                ]);
            }
        }
    }
    let body = format!(
        "<p>{}</p>\n{}",
        html::a(
            &base.ogc("/api?f=json"),
            lang.pick("OpenAPI 3.0 定义 (JSON)", "OpenAPI 3.0 definition (JSON)")
        ),
        html::table(
            &[
                lang.pick("方法", "Method"),
                lang.pick("路径", "Path"),
                lang.pick("说明", "Summary"),
            ],
            rows,
        )
    );
    let links = [
        Link::new("self", media::HTML, base.ogc("/api?f=html")),
        Link::new("service-desc", media::OPENAPI_JSON, base.ogc("/api")),
    ];
    let crumbs = &html::crumbs(lang, base, None)[..1];
    html::page(
        lang,
        lang.pick("接口文档", "API documentation"),
        crumbs,
        &body,
        &links,
    )
}
