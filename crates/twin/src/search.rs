//! Search by name and address: what an operator types into the map's search box
//! ("平安金融中心", "福华路 3 号", "莲花街道").
//!
//! A scan of the searchable layers' text, not a full-text index: Chinese names are
//! matched as substrings, which needs no word segmentation and finds "金融" inside
//! "平安金融中心". A full-scale district has tens of thousands of named features, which a
//! scan covers in a few milliseconds; an inverted index can replace it behind the same
//! method when that stops being true.

use std::borrow::Cow;

use citymirror_core::{LayerId, Value};
use geo::Rect;

use crate::{Feature, FeatureId, Twin};

/// The layers searched, and the properties each is searched by (name first, then
/// address-like fields). Only public-grade properties: a search result must not
/// reveal what a details read would mask.
const SEARCHED: &[(LayerId, &str, Option<&str>)] = &[
    (LayerId::District, "name", Some("code")),
    (LayerId::Streets, "name", Some("code")),
    (LayerId::Communities, "name", Some("code")),
    (LayerId::Grids, "name", Some("code")),
    (LayerId::Buildings, "name", Some("address")),
    (LayerId::Cameras, "name", Some("gb_id")),
    // The basemap: what people name to find their way (市民中心, 深南大道, 莲花山公园).
    (LayerId::Landmarks, "name", Some("address")),
    (LayerId::Parks, "name", None),
    (LayerId::Water, "name", None),
    (LayerId::Roads, "name", None),
];

/// One feature found, with what a result list and a map need to show it.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub layer: LayerId,
    pub id: FeatureId,
    pub name: String,
    /// The second searched field: an address, a unit's code, a camera's national id.
    pub detail: Option<String>,
    pub grid_code: Option<String>,
    pub bbox: Rect<f64>,
    /// Lower is better: exact name, name prefix, name contains, detail contains.
    rank: u8,
}

/// How a reader sees a feature's text: the text itself, or what is left of it once
/// masked to the reader's entitlement. The twin knows no masking; the caller does.
pub type TextView<'a> = &'a (dyn Fn(&str) -> Cow<'_, str> + Sync);

impl Twin {
    /// Features whose name or address contains every whitespace-separated term of
    /// `query` (case-insensitively), best matches first, administrative units before
    /// buildings on a tie, at most `limit`.
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        self.search_as(query, limit, &|s| Cow::Borrowed(s))
    }

    /// [`Twin::search`] as a reader who sees each text through `view`: the query is
    /// matched against what the reader would see, and hits carry that text. A reader
    /// who sees `张三139****5678` cannot find it by typing the number in full.
    pub fn search_as(&self, query: &str, limit: usize, view: TextView<'_>) -> Vec<SearchHit> {
        let terms: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        if terms.is_empty() || limit == 0 {
            return Vec::new();
        }
        let mut hits = Vec::new();
        for &(layer_id, name_field, detail_field) in SEARCHED {
            let layer = self.layer(layer_id);
            // Fields resolved once per layer; each feature's text is borrowed, and only a
            // hit's is copied out.
            let index = |field: &str| layer.schema().property(field).map(|(i, _)| i);
            let (name_i, detail_i) = (index(name_field), detail_field.and_then(index));
            let grid_i = index("grid_code").or_else(|| index("code"));
            for f in layer.iter() {
                let (name, detail) = (text(f, name_i), text(f, detail_i));
                // The raw text first (cheap, and most features miss); then what the
                // reader sees, which can only have lost characters to masking.
                if rank(&terms, name, detail).is_none() {
                    continue;
                }
                let (name, detail) = (name.map(view), detail.map(view));
                let Some(rank) = rank(&terms, name.as_deref(), detail.as_deref()) else {
                    continue;
                };
                let Some(bbox) = f.bbox() else { continue };
                hits.push(SearchHit {
                    layer: layer_id,
                    id: f.id,
                    name: name.as_deref().unwrap_or_default().to_owned(),
                    detail: detail.map(Cow::into_owned),
                    grid_code: text(f, grid_i).map(str::to_owned),
                    bbox,
                    rank,
                });
            }
        }
        // Stable: within a rank, the order of SEARCHED (coarse units first), then id.
        hits.sort_by_key(|h| h.rank);
        hits.truncate(limit);
        hits
    }
}

/// The text value at property index `i`, if any.
fn text(f: &Feature, i: Option<usize>) -> Option<&str> {
    f.props.get(i?).and_then(Value::as_str)
}

/// How well `terms` match a feature, or `None` if some term matches neither field.
fn rank(terms: &[String], name: Option<&str>, detail: Option<&str>) -> Option<u8> {
    let name = name.map(str::to_lowercase).unwrap_or_default();
    let detail = detail.map(str::to_lowercase).unwrap_or_default();
    if !terms
        .iter()
        .all(|t| name.contains(t.as_str()) || detail.contains(t.as_str()))
    {
        return None;
    }
    let whole = terms.join(" ");
    Some(if name == whole {
        0
    } else if name.starts_with(&terms[0]) {
        1
    } else if terms.iter().all(|t| name.contains(t.as_str())) {
        2
    } else {
        3
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Layer;
    use chrono::Utc;
    use geo::{point, Geometry};

    fn building(id: FeatureId, name: &str, address: &str) -> Feature {
        let schema = LayerId::Buildings.schema();
        let mut props = vec![Value::Null; schema.properties.len()];
        props[schema.property("name").unwrap().0] = Value::Text(name.into());
        props[schema.property("address").unwrap().0] = Value::Text(address.into());
        props[schema.property("grid_code").unwrap().0] = Value::Text("44030400100101".into());
        Feature {
            id,
            geometry: Geometry::Point(point!(x: 114.05, y: 22.54)),
            props,
            updated_at: Utc::now(),
        }
    }

    fn twin() -> Twin {
        let twin = Twin::new();
        twin.set_layer(Layer::from_features(
            LayerId::Buildings.schema(),
            vec![
                building(1, "福田金融大厦", "深南大道 1 号"),
                building(2, "金融中心", "福华路 3 号"),
                building(3, "平安公寓", "金田路 8 号"),
                building(4, "华强广场", "华强北路 2 号"),
            ],
        ));
        twin
    }

    #[test]
    fn finds_chinese_substrings_in_names_and_addresses_best_first() {
        let hits = twin().search("金融中心", 10);
        assert_eq!(hits.iter().map(|h| h.id).collect::<Vec<_>>(), [2]);

        let hits = twin().search("金", 10);
        // Name prefix (2) before name contains (1) before address only (3).
        assert_eq!(hits.iter().map(|h| h.id).collect::<Vec<_>>(), [2, 1, 3]);
        assert_eq!(hits[0].detail.as_deref(), Some("福华路 3 号"));
        assert_eq!(hits[0].grid_code.as_deref(), Some("44030400100101"));
    }

    #[test]
    fn every_term_must_match_somewhere() {
        let hits = twin().search("华强 北路", 10);
        assert_eq!(hits.iter().map(|h| h.id).collect::<Vec<_>>(), [4]);
        assert!(twin().search("华强 南路", 10).is_empty());
    }

    #[test]
    fn a_reader_finds_only_what_they_would_see() {
        let twin = Twin::new();
        twin.set_layer(Layer::from_features(
            LayerId::Buildings.schema(),
            vec![building(1, "张三13912345678", "福华路 3 号")],
        ));
        fn hide_digits(s: &str) -> Cow<'_, str> {
            Cow::Owned(s.replace("13912345678", "139****5678"))
        }
        let hits = twin.search_as("张三", 10, &hide_digits);
        assert_eq!(hits[0].name, "张三139****5678");
        assert!(twin.search_as("13912345678", 10, &hide_digits).is_empty());
        assert_eq!(twin.search("13912345678", 10).len(), 1);
    }

    #[test]
    fn blank_queries_and_zero_limits_find_nothing() {
        assert!(twin().search("   ", 10).is_empty());
        assert!(twin().search("金", 0).is_empty());
        assert_eq!(twin().search("金", 1).len(), 1);
    }
}
