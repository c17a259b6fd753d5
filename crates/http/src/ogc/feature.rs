//! `GET /collections/{collectionId}/items/{featureId}`: one feature, as GeoJSON or HTML.

use axum::{
    extract::{Path, RawQuery, State},
    http::{HeaderMap, HeaderValue},
    response::Response,
};
use citymirror_core::LayerId;
use citymirror_twin::Feature;

use super::{crs::Crs, feature_id, find_layer, geojson, html, link::Link, params, title};
use crate::{
    base_url::BaseUrl,
    media,
    negotiate::{Format, Lang, PageLang},
    security::{masking, Caller},
    ApiError, AppState,
};

pub async fn get(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path((collection_id, raw_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    base: BaseUrl,
    PageLang(lang): PageLang,
) -> Result<Response, ApiError> {
    let layer = find_layer(&collection_id)?;
    let id = feature_id(layer, &raw_id)?;
    let req = params::parse_feature(query.as_deref())?;
    let format = req.format.unwrap_or_else(|| Format::from_accept(&headers));
    let mut feature = state
        .service
        .twin()
        .layer(layer)
        .get(id)
        .cloned()
        .ok_or_else(|| {
            ApiError::NotFound(format!("feature {id} not found in collection `{layer}`"))
        })?;
    masking::feature_props(layer.schema(), &mut feature.props, who.entitlement());
    let mut r = match format {
        Format::Json => response(&base, layer, &feature, req.crs),
        Format::Html => media::html(page(lang, &base, layer, &feature, req.crs)),
    };
    media::vary_accept(&mut r);
    Ok(r)
}

/// The absolute URL of a feature (without a query).
pub fn url(base: &BaseUrl, layer: LayerId, id: i64) -> String {
    base.ogc(&format!("/collections/{layer}/items/{id}"))
}

fn links(base: &BaseUrl, layer: LayerId, id: i64, format: Format) -> Vec<Link> {
    let mut links =
        Link::self_and_alternate(&url(base, layer, id), format, media::GEOJSON).to_vec();
    links.push(
        Link::new(
            "collection",
            media::JSON,
            base.ogc(&format!("/collections/{layer}?f=json")),
        )
        .titled(title(layer)),
    );
    links
}

/// A feature as a GeoJSON response in `crs`, with its links and `Content-Crs`; also the
/// body of successful writes.
pub fn response(base: &BaseUrl, layer: LayerId, f: &Feature, crs: Crs) -> Response {
    let links = links(base, layer, f.id, Format::Json);
    let mut r = media::body(
        media::GEOJSON,
        geojson::feature(f, layer.schema(), crs, &links),
    );
    r.headers_mut()
        .insert("content-crs", HeaderValue::from_static(crs.header()));
    r
}

fn page(lang: Lang, base: &BaseUrl, layer: LayerId, f: &Feature, crs: Crs) -> String {
    let schema = layer.schema();
    let mut rows = vec![vec!["id".to_owned(), f.id.to_string()]];
    rows.extend(schema.properties.iter().zip(&f.props).map(|(def, v)| {
        let label = format!("{} ({})", def.title_zh, def.name);
        vec![html::escape(&label), html::escape(&v.to_string())]
    }));
    let mut body = super::html_map::figure(
        lang,
        &[super::html_map::MapItem {
            geometry: &f.geometry,
            href: base.ogc(&format!("/collections/{layer}/items/{}?f=html", f.id)),
            label: f.id.to_string(),
        }],
    );
    body.push_str(&html::table(
        &[lang.pick("属性", "Property"), lang.pick("值", "Value")],
        rows,
    ));
    body.push_str(&format!(
        "<h2>{}</h2>\n<pre>{}</pre>\n",
        lang.pick("几何", "Geometry"),
        html::escape(&geojson::geometry(&f.geometry, crs))
    ));
    let page_title = format!("{} · {}", title(layer), f.id);
    let mut crumbs = html::crumbs(lang, base, Some(layer));
    crumbs.push((
        lang.pick("要素", "Features"),
        base.ogc(&format!("/collections/{layer}/items?f=html")),
    ));
    html::page(
        lang,
        &page_title,
        &crumbs,
        &body,
        &links(base, layer, f.id, Format::Html),
    )
}
