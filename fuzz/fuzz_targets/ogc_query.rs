//! The query string of `GET /ogc/collections/{c}/items` (and `/items/{id}`), through the
//! parser the handlers use (`citymirror_http::fuzzing`), then the parsed query run against
//! a small fixed layer as the handler runs it.
//!
//! Input: the first byte picks the layer (`b % 9`, in `LayerId::ALL` order); the rest is
//! the raw query string (what follows `?`), read as UTF-8 lossily.
#![no_main]

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use citymirror_core::{GeomKind, LayerId, PropType, Value};
use citymirror_http::fuzzing::{self, Format, ItemsRequest, DEFAULT_LIMIT, MAX_LIMIT};
use citymirror_twin::{Feature, FeatureQuery, Layer, NewFeature};
use geo::{Geometry, Intersects, LineString, Point, Polygon};
use libfuzzer_sys::fuzz_target;

/// Six features per layer, with values the seeds' filters can hit.
fn fixture(layer: LayerId) -> Layer {
    let schema = layer.schema();
    let texts = ["0120", "住宅", "完好", "给水", "440304001001"];
    let dates = ["2020-05-01", "1999-12-31", "9999-12-31", "0001-01-01"];
    let features = (0..6)
        .map(|k| {
            let (x, y) = (114.0 + 0.01 * k as f64, 22.5 + 0.01 * k as f64);
            let geometry: Geometry<f64> = match schema.geometry {
                GeomKind::Point => Point::new(x, y).into(),
                GeomKind::LineString => LineString::from(vec![(x, y), (x + 0.005, y)]).into(),
                GeomKind::Polygon | GeomKind::Areal => Polygon::new(
                    LineString::from(vec![(x, y), (x + 0.005, y), (x + 0.005, y + 0.005), (x, y)]),
                    vec![],
                )
                .into(),
            };
            let props = schema.properties.iter().enumerate().map(|(j, d)| {
                let n = k + j;
                let v = match d.ty {
                    PropType::Text => Value::from(texts[n % texts.len()]),
                    PropType::Int => Value::Int([12, 3][n % 2]),
                    PropType::Float => Value::Float([30.0, 4.5][n % 2]),
                    PropType::Bool => Value::Bool(n % 2 == 0),
                    PropType::Date => Value::parse(d.name, d.ty, dates[n % dates.len()]).unwrap(),
                };
                (d.name.to_owned(), v)
            });
            let f = NewFeature::validate(schema, geometry, props).unwrap();
            Feature {
                id: k as i64 + 1,
                geometry: f.geometry,
                props: f.props,
                updated_at: DateTime::<Utc>::UNIX_EPOCH,
            }
        })
        .collect();
    Layer::from_features(schema, features)
}

fn layers() -> &'static Vec<Layer> {
    static LAYERS: OnceLock<Vec<Layer>> = OnceLock::new();
    LAYERS.get_or_init(|| LayerId::ALL.into_iter().map(fixture).collect())
}

/// What the query should match, written out plainly as the oracle for the layer's index.
fn expected(layer: &Layer, q: &FeatureQuery) -> Vec<i64> {
    let schema = layer.schema();
    let ti = schema.temporal_index();
    layer
        .iter()
        .filter(|f| q.bbox.is_none_or(|b| f.geometry.intersects(&b)))
        .filter(|f| match (q.datetime, ti.map(|i| &f.props[i])) {
            (Some(iv), Some(Value::Date(d))) => iv.overlaps_date(*d),
            _ => true,
        })
        .filter(|f| q.filters.iter().all(|(i, v)| &f.props[*i] == v))
        .map(|f| f.id)
        .collect()
}

fn assert_refusal(e: &citymirror_http::ApiError, q: &str) {
    assert!(
        matches!(e.code(), "invalid_parameter" | "unknown_parameter"),
        "{q:?} answered {} ({})",
        e.code(),
        e.message()
    );
    assert_eq!(e.status().as_u16(), 400);
}

fn check_items(layer: LayerId, raw: &str, req: &ItemsRequest) {
    let schema = layer.schema();
    let q = &req.query;
    assert!((1..=MAX_LIMIT).contains(&q.limit), "limit {}", q.limit);
    if !req.carried.iter().any(|(k, _)| k == "limit") {
        assert_eq!(q.limit, DEFAULT_LIMIT);
    }
    if let Some(b) = q.bbox {
        let (lo, hi) = (b.min(), b.max());
        assert!(lo.x <= hi.x && lo.y <= hi.y, "{b:?}");
        for c in [lo, hi] {
            assert!(
                (-180.0..=180.0).contains(&c.x) && (-90.0..=90.0).contains(&c.y),
                "{b:?}"
            );
        }
    }
    if let Some(iv) = q.datetime {
        assert!(iv.start.is_some() || iv.end.is_some());
        if let (Some(s), Some(e)) = (iv.start, iv.end) {
            assert!(s <= e);
        }
    }
    for (i, v) in &q.filters {
        let def = &schema.properties[*i];
        assert!(def.queryable, "filter on non-queryable `{}`", def.name);
        assert!(!v.is_null());
        assert_eq!(
            v.clone().coerce(def.name, def.ty).as_ref(),
            Ok(v),
            "{} {v:?}",
            def.name
        );
    }
    assert!(req.carried.iter().all(|(k, _)| k != "f" && k != "offset"));

    // The paging links carry the parameters on (`ogc::items::page_url`): a link built the
    // same way must parse back to the same request.
    let mut link = url::form_urlencoded::Serializer::new(String::new());
    link.extend_pairs(&req.carried);
    if q.offset > 0 {
        link.append_pair("offset", &q.offset.to_string());
    }
    match req.format {
        Some(Format::Json) => {
            link.append_pair("f", "json");
        }
        Some(Format::Html) => {
            link.append_pair("f", "html");
        }
        None => {}
    }
    let link = link.finish();
    match fuzzing::parse_items_query(layer, &link) {
        Ok(again) => assert_eq!(
            format!("{again:?}"),
            format!("{req:?}"),
            "{raw:?} → {link:?}"
        ),
        Err(e) => panic!("{raw:?} parsed, its paging link {link:?} does not: {e}"),
    }

    // Run it as the handler does, against the fixture, and check the page.
    let fixture = &layers()[LayerId::ALL.iter().position(|l| *l == layer).unwrap()];
    let page = fixture.query(q);
    let all = expected(fixture, q);
    assert_eq!(page.matched, all.len(), "{raw:?}");
    let ids: Vec<i64> = page.features.iter().map(|f| f.id).collect();
    let want: Vec<i64> = all.iter().copied().skip(q.offset).take(q.limit).collect();
    assert_eq!(ids, want, "{raw:?}");
}

fuzz_target!(|data: &[u8]| {
    let Some((&b, rest)) = data.split_first() else {
        return;
    };
    let layer = LayerId::ALL[b as usize % LayerId::ALL.len()];
    let raw = String::from_utf8_lossy(rest);
    match fuzzing::parse_items_query(layer, &raw) {
        Ok(req) => check_items(layer, &raw, &req),
        Err(e) => assert_refusal(&e, &raw),
    }
    match fuzzing::parse_feature_query(&raw) {
        Ok(_) => {}
        Err(e) => assert_refusal(&e, &raw),
    }
});
