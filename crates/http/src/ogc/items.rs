//! `GET /collections/{collectionId}/items`: a page of features as GeoJSON or HTML.
//!
//! The layer's read lock is held only for the query itself; the page of cloned features
//! is then written out with no lock held.

use axum::{
    extract::{Path, RawQuery, State},
    http::{header, HeaderMap, HeaderValue},
    response::Response,
};
use chrono::{SecondsFormat, Utc};
use citymirror_core::LayerId;
use citymirror_twin::QueryPage;

use super::{
    find_layer, geojson,
    geojson::CollectionMeta,
    html,
    link::{Link, REL_QUERYABLES},
    params::{self, ItemsRequest},
    title,
};
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
    Path(collection_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    base: BaseUrl,
    PageLang(lang): PageLang,
) -> Result<Response, ApiError> {
    let layer = find_layer(&collection_id)?;
    let schema = layer.schema();
    let mut req = params::parse_items(schema, query.as_deref())?;
    masking::restrict_filters(schema, &mut req.query, who.entitlement())?;
    let format = req.format.unwrap_or_else(|| Format::from_accept(&headers));
    let mut page = state.service.twin().layer(layer).query(&req.query);
    for f in &mut page.features {
        masking::feature_props(schema, &mut f.props, who.entitlement());
    }
    let links = page_links(&base, layer, &req, &page, format);
    let mut response = match format {
        Format::Json => {
            let time_stamp = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
            let meta = CollectionMeta {
                number_matched: page.matched,
                time_stamp: &time_stamp,
                links: &links,
            };
            let body = geojson::feature_collection(&page.features, schema, req.crs, &meta);
            let mut r = media::body(media::GEOJSON, body);
            media::vary_accept(&mut r);
            r
        }
        Format::Html => media::html(items_page(lang, &base, layer, &req, &page, &links)),
    };
    let h = response.headers_mut();
    h.insert("content-crs", HeaderValue::from_static(req.crs.header()));
    // Part 3 clients find the queryables from the `Link` header of the items resource.
    let mut header_links: Vec<Link> = links
        .iter()
        .filter(|l| l.rel == "self" || l.rel == "alternate")
        .cloned()
        .collect();
    header_links.push(Link::new(
        REL_QUERYABLES,
        media::SCHEMA_JSON,
        base.ogc(&format!("/collections/{layer}/queryables")),
    ));
    if let Some(v) = Link::header(&header_links) {
        h.insert(header::LINK, v);
    }
    Ok(response)
}

/// The URL of this items query at `offset` in format `f`, carrying every other parameter.
fn page_url(base: &BaseUrl, layer: LayerId, req: &ItemsRequest, offset: usize, f: &str) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.extend_pairs(&req.carried);
    if offset > 0 {
        q.append_pair("offset", &offset.to_string());
    }
    q.append_pair("f", f);
    base.ogc(&format!("/collections/{layer}/items?{}", q.finish()))
}

/// self, alternate, next and prev (via `offset`), and the collection.
fn page_links(
    base: &BaseUrl,
    layer: LayerId,
    req: &ItemsRequest,
    page: &QueryPage,
    format: Format,
) -> Vec<Link> {
    let (offset, limit) = (req.query.offset, req.query.limit);
    let (this_f, this_type, other_f, other_type) = match format {
        Format::Json => ("json", media::GEOJSON, "html", media::HTML),
        Format::Html => ("html", media::HTML, "json", media::GEOJSON),
    };
    let mut links = vec![
        Link::new(
            "self",
            this_type,
            page_url(base, layer, req, offset, this_f),
        )
        .titled(this_f.to_uppercase()),
        Link::new(
            "alternate",
            other_type,
            page_url(base, layer, req, offset, other_f),
        )
        .titled(other_f.to_uppercase()),
    ];
    if offset + page.features.len() < page.matched {
        links.push(
            Link::new(
                "next",
                this_type,
                page_url(base, layer, req, offset + limit, this_f),
            )
            .titled("next page"),
        );
    }
    if offset > 0 {
        let prev = offset.saturating_sub(limit);
        links.push(
            Link::new("prev", this_type, page_url(base, layer, req, prev, this_f))
                .titled("previous page"),
        );
    }
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

fn items_page(
    lang: Lang,
    base: &BaseUrl,
    layer: LayerId,
    req: &ItemsRequest,
    page: &QueryPage,
    links: &[Link],
) -> String {
    let schema = layer.schema();
    let first = if page.features.is_empty() {
        0
    } else {
        req.query.offset + 1
    };
    let mut body = format!(
        "<p>{}</p>\n",
        html::escape(&match lang {
            Lang::Zh => format!(
                "共 {} 个要素符合条件，本页显示第 {}–{} 个。",
                page.matched,
                first,
                req.query.offset + page.features.len()
            ),
            Lang::En => format!(
                "{} features match; this page shows {}–{}.",
                page.matched,
                first,
                req.query.offset + page.features.len()
            ),
        })
    );
    let mut pager = Vec::new();
    for l in links {
        match l.rel {
            "prev" => pager.push(html::a(&l.href, lang.pick("上一页", "Previous"))),
            "next" => pager.push(html::a(&l.href, lang.pick("下一页", "Next"))),
            _ => {}
        }
    }
    let pager = format!("<p>{}</p>\n", pager.join(" · "));
    let items: Vec<_> = page
        .features
        .iter()
        .map(|f| super::html_map::MapItem {
            geometry: &f.geometry,
            href: base.ogc(&format!("/collections/{layer}/items/{}?f=html", f.id)),
            label: f.id.to_string(),
        })
        .collect();
    body.push_str(&super::html_map::figure(lang, &items));
    body.push_str(&pager);
    let mut headers = vec!["id"];
    headers.extend(
        schema
            .properties
            .iter()
            .map(|p| lang.pick(p.title_zh, p.name)),
    );
    let rows = page.features.iter().map(|f| {
        let url = base.ogc(&format!("/collections/{layer}/items/{}?f=html", f.id));
        let mut row = vec![html::a(&url, &f.id.to_string())];
        row.extend(f.props.iter().map(|v| html::escape(&v.to_string())));
        row
    });
    body.push_str(&html::table(&headers, rows));
    body.push_str(&pager);
    let page_title = format!("{} · {}", title(layer), lang.pick("要素", "Features"));
    html::page(
        lang,
        &page_title,
        &html::crumbs(lang, base, Some(layer)),
        &body,
        links,
    )
}
