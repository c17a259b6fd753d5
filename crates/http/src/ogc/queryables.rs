//! `/collections/{collectionId}/queryables` (OGC API – Features Part 3): the properties a
//! client may filter items on with `?name=value`, as a JSON Schema. Each reader is shown
//! the ones they may filter on: a property graded above their entitlement is masked in
//! what they read, and filtering on it is refused.

use axum::{extract::Path, response::Response};
use citymirror_core::{DataGrade, LayerSchema, PropType, PropertyDef};
use serde_json::{json, Map, Value as Json};

use super::{find_layer, html, link::Link, title};
use crate::{
    base_url::BaseUrl,
    media,
    negotiate::{Format, Negotiated},
    security::Caller,
    ApiError,
};

/// The JSON Schema of one property, as queryables and the OpenAPI document show it.
pub fn property_schema(ty: PropType, title: &str) -> Json {
    let mut s = json!({ "title": title, "type": ty.json_type() });
    if ty == PropType::Date {
        s["format"] = json!("date");
    }
    s
}

/// The queryables a reader entitled to `entitlement` may filter on.
pub fn for_reader(
    schema: &LayerSchema,
    entitlement: DataGrade,
) -> impl Iterator<Item = &'static PropertyDef> {
    schema.queryables().filter(move |p| p.grade <= entitlement)
}

/// The queryables document; `$id` is its own absolute URL.
pub fn document(id: &str, schema: &LayerSchema, entitlement: DataGrade) -> Json {
    let properties: Map<String, Json> = for_reader(schema, entitlement)
        .map(|p| (p.name.to_owned(), property_schema(p.ty, p.title_zh)))
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": id,
        "type": "object",
        "title": title(schema.id),
        "properties": properties,
        "additionalProperties": false,
    })
}

pub async fn get(
    Caller(who): Caller,
    Path(collection_id): Path<String>,
    base: BaseUrl,
    n: Negotiated,
) -> Result<Response, ApiError> {
    let layer = find_layer(&collection_id)?;
    let schema = layer.schema();
    let url = base.ogc(&format!("/collections/{layer}/queryables"));
    Ok(match n.format {
        Format::Json => media::negotiated_json(
            media::SCHEMA_JSON,
            &document(&url, schema, who.entitlement()),
        ),
        Format::Html => {
            let lang = n.lang;
            let body = html::table(
                &[
                    lang.pick("字段", "Name"),
                    lang.pick("中文名", "Chinese name"),
                    lang.pick("类型", "Type"),
                ],
                for_reader(schema, who.entitlement()).map(|p| {
                    vec![
                        html::escape(p.name),
                        html::escape(p.title_zh),
                        html::escape(p.ty.json_type()),
                    ]
                }),
            );
            let links = Link::self_and_alternate(&url, Format::Html, media::SCHEMA_JSON);
            let crumbs = html::crumbs(lang, &base, Some(layer));
            let page_title = format!(
                "{} · {}",
                title(layer),
                lang.pick("可查询属性", "Queryables")
            );
            media::html(html::page(lang, &page_title, &crumbs, &body, &links))
        }
    })
}
