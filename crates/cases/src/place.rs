//! Where a request is: its grid path, and the twin feature it is about.
//!
//! The grid path comes from the twin's `locate`. The feature is the nearest road, river
//! or lake, park or building close enough to be what the request is about: a building
//! or park that contains the point, water within 30 m, a road within 20 m (roads are
//! lines; a pin dropped on a pavement lies beside the road's centre line). The matrix
//! routes by its kind; duplicates are matched on it.

use citymirror_core::LayerId;
use citymirror_twin::{GridPath, Twin};
use geo::{Contains, Distance, Euclidean, Geometry, Point, Rect};

use crate::{dispatch::PlaceKind, ticket::PlaceRef};

/// Metres per degree of latitude (and of longitude at Futian's latitude, nearly enough
/// for tens of metres).
const M_PER_DEG: f64 = 111_320.0 * 0.924;

/// How near a feature of each kind must be.
const REACH: [(LayerId, f64); 4] = [
    (LayerId::Buildings, 0.0),
    (LayerId::Parks, 0.0),
    (LayerId::Water, 30.0),
    (LayerId::Roads, 20.0),
];

/// A located request.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub path: GridPath,
    pub place: Option<(PlaceRef, PlaceKind)>,
}

/// Locates a point; `None` outside the district's grids.
pub fn locate(twin: &Twin, lon: f64, lat: f64) -> Option<Located> {
    let path = twin.locate(lon, lat)?;
    let point = Point::new(lon, lat);
    let mut best: Option<(f64, usize, PlaceRef, PlaceKind)> = None;
    for (rank, (layer, reach_m)) in REACH.iter().enumerate() {
        let pad = (reach_m / M_PER_DEG).max(1e-7);
        let bbox = Rect::new((lon - pad, lat - pad), (lon + pad, lat + pad));
        let l = twin.layer(*layer);
        let name_at = l.schema().property("name").map(|(i, _)| i);
        for f in l.in_envelope(bbox) {
            let inside = match &f.geometry {
                Geometry::Polygon(p) => p.contains(&point),
                Geometry::MultiPolygon(m) => m.contains(&point),
                _ => false,
            };
            let d = if inside {
                0.0
            } else {
                Euclidean.distance(&point, &f.geometry) * M_PER_DEG
            };
            if d > *reach_m + 1e-9 {
                continue;
            }
            // Nearer wins; at the same distance, the kind listed first.
            let better = best
                .as_ref()
                .is_none_or(|(bd, br, ..)| (d, rank) < (*bd, *br));
            if better {
                let name = name_at.and_then(|i| f.props[i].as_str().map(str::to_owned));
                let kind = PlaceKind::of_layer(layer.as_str()).expect("a routed layer");
                best = Some((
                    d,
                    rank,
                    PlaceRef {
                        layer: layer.as_str().to_owned(),
                        id: f.id,
                        name,
                    },
                    kind,
                ));
            }
        }
    }
    Some(Located {
        path,
        place: best.map(|(_, _, p, k)| (p, k)),
    })
}
