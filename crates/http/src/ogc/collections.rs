//! `/collections` and `/collections/{collectionId}`: one collection per twin layer.
//!
//! Both documents are built by [`collection`], so the list and the single collection
//! always agree on id, title, description and extent (ogctests compares them).

use axum::{
    extract::{Path, State},
    response::Response,
};
use chrono::NaiveDate;
use citymirror_core::LayerId;
use citymirror_twin::Twin;
use serde_json::{json, Value as Json};

use super::{crs::Crs, find_layer, html, link::Link, link::REL_QUERYABLES, title};
use crate::{
    base_url::BaseUrl,
    media,
    negotiate::{Format, Lang, Negotiated},
    ApiError, AppState,
};

const GREGORIAN: &str = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian";

/// The list of CRS URIs every collection offers, storage CRS (CRS84) first.
pub fn crs_list() -> Json {
    json!(Crs::ALL.map(Crs::uri))
}

/// The links of a collection, the same in the list and in the collection itself.
pub fn links(base: &BaseUrl, layer: LayerId) -> Vec<Link> {
    let url = base.ogc(&format!("/collections/{layer}"));
    vec![
        Link::new("self", media::JSON, format!("{url}?f=json")).titled("JSON"),
        Link::new("alternate", media::HTML, format!("{url}?f=html")).titled("HTML"),
        Link::new("items", media::GEOJSON, format!("{url}/items?f=json"))
            .titled(format!("{} (GeoJSON)", title(layer))),
        Link::new("items", media::HTML, format!("{url}/items?f=html"))
            .titled(format!("{} (HTML)", title(layer))),
        Link::new(
            REL_QUERYABLES,
            media::SCHEMA_JSON,
            format!("{url}/queryables"),
        )
        .titled("Queryables"),
    ]
}

fn day_start(d: NaiveDate) -> String {
    format!("{}T00:00:00Z", d.format("%Y-%m-%d"))
}

fn day_end(d: NaiveDate) -> String {
    format!("{}T23:59:59Z", d.format("%Y-%m-%d"))
}

/// The extent of a layer: its bounding box, and for layers with time the span of their
/// dates (each day taken whole). An empty layer has no extent.
fn extent(twin: &Twin, layer: LayerId) -> Json {
    let (bbox, span) = {
        let l = twin.layer(layer);
        (l.extent(), l.temporal_extent())
    };
    let mut extent = serde_json::Map::new();
    if let Some(r) = bbox {
        extent.insert(
            "spatial".into(),
            json!({
                "bbox": [[r.min().x, r.min().y, r.max().x, r.max().y]],
                "crs": Crs::Crs84.uri(),
            }),
        );
    }
    if let Some((a, b)) = span {
        extent.insert(
            "temporal".into(),
            json!({ "interval": [[day_start(a), day_end(b)]], "trs": GREGORIAN }),
        );
    }
    Json::Object(extent)
}

/// The collection document of one layer.
pub fn collection(base: &BaseUrl, twin: &Twin, layer: LayerId) -> Json {
    let schema = layer.schema();
    json!({
        "id": layer.as_str(),
        "title": title(layer),
        "description": schema.description,
        "extent": extent(twin, layer),
        "itemType": "feature",
        "crs": crs_list(),
        "storageCrs": Crs::Crs84.uri(),
        "links": links(base, layer),
    })
}

pub async fn list(State(state): State<AppState>, base: BaseUrl, n: Negotiated) -> Response {
    let twin = state.service.twin();
    let collections: Vec<Json> = LayerId::ALL
        .into_iter()
        .map(|l| collection(&base, twin, l))
        .collect();
    let links = Link::self_and_alternate(&base.ogc("/collections"), n.format, media::JSON);
    match n.format {
        Format::Json => media::negotiated_json(
            media::JSON,
            &json!({ "links": links, "crs": crs_list(), "collections": collections }),
        ),
        Format::Html => media::html(list_page(n.lang, &base, twin, &links)),
    }
}

pub async fn one(
    State(state): State<AppState>,
    Path(collection_id): Path<String>,
    base: BaseUrl,
    n: Negotiated,
) -> Result<Response, ApiError> {
    let layer = find_layer(&collection_id)?;
    let twin = state.service.twin();
    Ok(match n.format {
        Format::Json => media::negotiated_json(media::JSON, &collection(&base, twin, layer)),
        Format::Html => media::html(one_page(n.lang, &base, twin, layer)),
    })
}

fn list_page(lang: Lang, base: &BaseUrl, twin: &Twin, links: &[Link]) -> String {
    let rows = LayerId::ALL.into_iter().map(|l| {
        let url = base.ogc(&format!("/collections/{l}?f=html"));
        vec![
            html::a(&url, l.as_str()),
            html::escape(&title(l)),
            html::escape(l.schema().description),
            twin.layer(l).len().to_string(),
        ]
    });
    let body = html::table(
        &[
            "id",
            lang.pick("名称", "Title"),
            lang.pick("说明", "Description"),
            lang.pick("要素数", "Features"),
        ],
        rows,
    );
    html::page(
        lang,
        lang.pick("数据集", "Collections"),
        &html::crumbs(lang, base, None)[..1],
        &body,
        links,
    )
}

fn one_page(lang: Lang, base: &BaseUrl, twin: &Twin, layer: LayerId) -> String {
    let schema = layer.schema();
    let (count, bbox, span) = {
        let l = twin.layer(layer);
        (l.len(), l.extent(), l.temporal_extent())
    };
    let items = base.ogc(&format!("/collections/{layer}/items?f=html"));
    let mut body = format!(
        "<p>{}</p>\n<p>{}</p>\n",
        html::escape(schema.description),
        html::a(&items, lang.pick("浏览要素", "Browse the features"))
    );
    let bbox = bbox.map_or_else(String::new, |r| {
        format!(
            "{:.6}, {:.6}, {:.6}, {:.6}",
            r.min().x,
            r.min().y,
            r.max().x,
            r.max().y
        )
    });
    let span = span.map_or_else(String::new, |(a, b)| format!("{a} / {b}"));
    body.push_str(&html::table(
        &[lang.pick("项", "Item"), lang.pick("值", "Value")],
        [
            ("id", layer.as_str().to_owned()),
            (
                lang.pick("几何类型", "Geometry"),
                schema.geometry.as_str().to_owned(),
            ),
            (lang.pick("要素数", "Features"), count.to_string()),
            (
                lang.pick("空间范围 (CRS84)", "Spatial extent (CRS84)"),
                bbox,
            ),
            (lang.pick("时间范围", "Temporal extent"), span),
            (
                lang.pick("存储坐标系", "Storage CRS"),
                Crs::Crs84.uri().to_owned(),
            ),
        ]
        .into_iter()
        .map(|(k, v)| vec![html::escape(k), html::escape(&v)]),
    ));
    body.push_str(&format!("<h2>{}</h2>\n", lang.pick("属性", "Properties")));
    body.push_str(&html::table(
        &[
            lang.pick("字段", "Name"),
            lang.pick("中文名", "Chinese name"),
            lang.pick("类型", "Type"),
            lang.pick("可查询", "Queryable"),
        ],
        schema.properties.iter().map(|p| {
            vec![
                html::escape(p.name),
                html::escape(p.title_zh),
                html::escape(p.ty.json_type()),
                if p.queryable {
                    "✓".into()
                } else {
                    String::new()
                },
            ]
        }),
    ));
    html::page(
        lang,
        &title(layer),
        &html::crumbs(lang, base, None),
        &body,
        &links(base, layer),
    )
}
