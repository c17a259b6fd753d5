//! The basemap the generator lays (roads, water, parks, landmarks), checked on the same
//! small district as the rest of `generate`.

use std::collections::BTreeSet;

use citymirror_core::{LayerId, Value};
use geo::{Contains, Geometry, Intersects, MultiPolygon};

use super::{areal, district, features, text};

#[test]
fn the_basemap_has_named_roads_the_real_water_and_parks_and_the_civic_center() {
    let names = |layer| -> BTreeSet<String> {
        features(layer)
            .iter()
            .filter_map(|f| {
                f.prop(layer.schema(), "name")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .collect()
    };
    let roads = features(LayerId::Roads);
    assert!(roads.len() > 50, "{} road stretches", roads.len());
    for f in &roads {
        assert!(matches!(f.geometry, Geometry::LineString(_)));
        assert!(!text(f, LayerId::Roads, "name").is_empty());
    }
    let road_names = names(LayerId::Roads);
    for arterial in ["深南大道", "红荔路", "彩田路"] {
        assert!(
            road_names.contains(arterial),
            "no {arterial}: {road_names:?}"
        );
    }
    let water = names(LayerId::Water);
    for river in ["深圳河", "福田河", "新洲河", "皇岗河", "香蜜湖"] {
        assert!(water.contains(river), "no {river}: {water:?}");
    }
    let parks = names(LayerId::Parks);
    assert!(
        parks.contains("莲花山公园") && parks.contains("中心公园"),
        "{parks:?}"
    );
    assert!(names(LayerId::Landmarks).contains("市民中心"));

    // Everything lies in the district and names the grid of its representative point.
    let district = district();
    for layer in [
        LayerId::Roads,
        LayerId::Water,
        LayerId::Parks,
        LayerId::Landmarks,
    ] {
        for f in features(layer) {
            let inside = match &f.geometry {
                Geometry::MultiPolygon(m) => {
                    m.0.iter()
                        .all(|p| district.contains(p) || district.intersects(p))
                }
                g => district.intersects(g),
            };
            assert!(inside, "{layer} {} lies outside the district", f.id);
            let code = f.prop(layer.schema(), "grid_code").and_then(Value::as_str);
            assert!(
                code.is_some_and(|c| c.len() == 14),
                "{layer} {} has grid {code:?}",
                f.id
            );
        }
    }

    // No building stands in water, and no road crosses a lake.
    let wet: Vec<MultiPolygon<f64>> = features(LayerId::Water)
        .iter()
        .map(|f| areal(&f.geometry))
        .collect();
    for b in features(LayerId::Buildings) {
        assert!(
            !wet.iter().any(|w| w.intersects(&b.geometry)),
            "building {} is in water",
            b.id
        );
    }
    let lakes: Vec<MultiPolygon<f64>> = features(LayerId::Water)
        .iter()
        .filter(|f| {
            text(f, LayerId::Water, "kind") != "河流" || text(f, LayerId::Water, "name") == "深圳河"
        })
        .map(|f| areal(&f.geometry))
        .collect();
    for r in &roads {
        assert!(
            !lakes.iter().any(|l| l.intersects(&r.geometry)),
            "road {} crosses a lake or the border river",
            r.id
        );
    }
}
