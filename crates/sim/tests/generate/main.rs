//! The synthetic Futian, checked against its specification at a small scale (S = 0.01)
//! on the real outline (or the built-in one where the shared data is not at hand).
//!
//! `CITYMIRROR_SIM_TEST_SCALE` runs the same checks at another scale, e.g. in release at
//! full scale: `CITYMIRROR_SIM_TEST_SCALE=1 cargo test -p citymirror-sim --release --test generate`.

mod basemap;
#[path = "../common/mod.rs"]
mod common;

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::OnceLock,
};

use chrono::{Datelike, NaiveDate};
use citymirror_core::{
    catalogue::{BUILDING_USES, COMPONENT_CATEGORIES, DEVICE_TYPES, FUTIAN_STREETS, PIPE_NETWORKS},
    ids,
    records::{ENTITIES, HOUSES, PERSONS},
    GeomKind, LayerId, PropType, Value,
};
use citymirror_sim::{GenerateSummary, Targets};
use citymirror_twin::{Feature, GridIndex, Layer};
use common::MemoryRepo;
use geo::{
    Area, BooleanOps, BoundingRect, Contains, CoordsIter, Geodesic, GeodesicArea, Geometry,
    Haversine, InteriorPoint, Intersects, Length, MultiPolygon, Polygon,
};

const DEFAULT_SCALE: f64 = 0.01;

fn scale() -> f64 {
    std::env::var("CITYMIRROR_SIM_TEST_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SCALE)
}

struct Generated {
    repo: MemoryRepo,
    summary: GenerateSummary,
}

/// One generated district shared by every test in this file.
fn small() -> &'static Generated {
    static DATA: OnceLock<Generated> = OnceLock::new();
    DATA.get_or_init(|| {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let (repo, summary) = rt.block_on(common::generate_into(scale(), 2024, common::outline()));
        Generated { repo, summary }
    })
}

fn features(layer: LayerId) -> Vec<Feature> {
    small().repo.features(layer)
}

fn text<'a>(f: &'a Feature, layer: LayerId, name: &str) -> &'a str {
    f.prop(layer.schema(), name)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{layer} {} has no text `{name}`", f.id))
}

fn field<'a>(
    row: &'a [Value],
    schema: &citymirror_core::records::RecordSchema,
    name: &str,
) -> &'a Value {
    let i = schema.fields.iter().position(|f| f.name == name).unwrap();
    &row[i]
}

fn areal(g: &Geometry<f64>) -> MultiPolygon<f64> {
    match g {
        Geometry::Polygon(p) => MultiPolygon::new(vec![p.clone()]),
        Geometry::MultiPolygon(mp) => mp.clone(),
        other => panic!("not areal: {other:?}"),
    }
}

fn district() -> MultiPolygon<f64> {
    areal(&features(LayerId::District)[0].geometry)
}

/// Square metres per square degree here (for planar areas of small overlaps).
const M2_PER_DEG2: f64 = 102_870.0 * 110_740.0;

#[test]
fn counts_are_exact_at_a_small_scale() {
    let g = small();
    let t = Targets::at_scale(scale());
    let expect = [
        (LayerId::District, 1),
        (LayerId::Streets, 10),
        (LayerId::Communities, 92),
        (LayerId::Buildings, t.buildings),
        (LayerId::Components, t.components),
        (LayerId::Cameras, t.cameras),
        (LayerId::Devices, t.devices),
    ];
    for (layer, n) in expect {
        assert_eq!(g.summary.features(layer), n, "{layer}");
        assert_eq!(g.repo.count(layer.as_str()), n, "{layer} written");
    }
    let grids = g.summary.features(LayerId::Grids);
    assert!((900..=1100).contains(&grids), "{grids} grids");
    assert_eq!(g.summary.records("persons"), t.persons);
    assert_eq!(g.summary.records("houses"), t.houses);
    assert_eq!(g.summary.records("entities"), t.entities);
    if scale() == DEFAULT_SCALE {
        assert_eq!(
            (t.buildings, t.components, t.cameras, t.devices),
            (200, 5_500, 240, 1_800)
        );
        assert_eq!((t.persons, t.houses, t.entities), (15_532, 9_000, 5_600));
    }
    for schema in [&PERSONS, &HOUSES, &ENTITIES] {
        assert_eq!(g.repo.count(schema.name), g.summary.records(schema.name));
    }
    // Ids run from 1 in every layer.
    for layer in LayerId::ALL {
        let ids: Vec<i64> = features(layer).iter().map(|f| f.id).collect();
        assert_eq!(ids, (1..=ids.len() as i64).collect::<Vec<_>>(), "{layer}");
    }
    assert_eq!(g.repo.meta("seed").as_deref(), Some("2024"));
    assert_eq!(g.repo.meta("scale"), Some(scale().to_string()));
    assert!(g
        .repo
        .meta("generated_at")
        .is_some_and(|t| t.ends_with('Z')));
}

#[test]
fn the_ten_real_streets_and_92_uniquely_named_communities() {
    let streets = features(LayerId::Streets);
    let names: Vec<&str> = streets
        .iter()
        .map(|f| text(f, LayerId::Streets, "name"))
        .collect();
    let expected: Vec<String> = FUTIAN_STREETS.iter().map(|s| format!("{s}街道")).collect();
    assert_eq!(names, expected);
    for (i, f) in streets.iter().enumerate() {
        assert_eq!(
            text(f, LayerId::Streets, "code"),
            format!("440304{:03}", i + 1)
        );
        assert_eq!(text(f, LayerId::Streets, "parent_code"), "440304");
    }
    let d = &features(LayerId::District)[0];
    assert_eq!(text(d, LayerId::District, "name"), "福田区");
    assert_eq!(text(d, LayerId::District, "code"), "440304");

    let communities = features(LayerId::Communities);
    let names: BTreeSet<&str> = communities
        .iter()
        .map(|f| text(f, LayerId::Communities, "name"))
        .collect();
    assert_eq!(names.len(), 92, "community names are unique");
    assert!(names
        .iter()
        .all(|n| n.ends_with("社区") && n.chars().count() >= 3));
    let street_codes: BTreeSet<&str> = streets
        .iter()
        .map(|f| text(f, LayerId::Streets, "code"))
        .collect();
    for c in &communities {
        let code = text(c, LayerId::Communities, "code");
        let parent = text(c, LayerId::Communities, "parent_code");
        assert_eq!(code.len(), 12);
        assert!(
            code.starts_with(parent) && street_codes.contains(parent),
            "{code}"
        );
    }
    let per_street: BTreeMap<&str, usize> = communities.iter().fold(BTreeMap::new(), |mut m, c| {
        *m.entry(text(c, LayerId::Communities, "parent_code"))
            .or_default() += 1;
        m
    });
    assert_eq!(
        per_street.len(),
        10,
        "every street has communities: {per_street:?}"
    );

    let comm_names: BTreeMap<&str, &str> = communities
        .iter()
        .map(|c| {
            (
                text(c, LayerId::Communities, "code"),
                text(c, LayerId::Communities, "name"),
            )
        })
        .collect();
    for g in features(LayerId::Grids) {
        let code = text(&g, LayerId::Grids, "code");
        let parent = text(&g, LayerId::Grids, "parent_code");
        assert_eq!(code.len(), 14);
        assert!(code.starts_with(parent));
        let street = &names_of_street(&streets, &parent[..9]);
        let expected = format!("{street}{}第{}网格", comm_names[parent], &code[12..]);
        assert_eq!(text(&g, LayerId::Grids, "name"), expected);
    }
}

fn names_of_street(streets: &[Feature], code: &str) -> String {
    streets
        .iter()
        .find(|s| text(s, LayerId::Streets, "code") == code)
        .map(|s| text(s, LayerId::Streets, "name").to_owned())
        .unwrap()
}

#[test]
fn streets_lie_where_the_real_ones_do() {
    if matches!(common::outline(), citymirror_sim::Outline::Builtin) {
        eprintln!("note: the real outline is not at hand; street placement not checked");
        return;
    }
    let streets = features(LayerId::Streets);
    let street_at = |lon: f64, lat: f64| {
        let p = geo::Point::new(lon, lat);
        streets
            .iter()
            .find(|s| areal(&s.geometry).contains(&p))
            .map(|s| text(s, LayerId::Streets, "name"))
    };
    // Each street's centre (WGS84) and some landmarks, and the streets that hold them.
    for (what, lon, lat, expected) in [
        ("园岭", 114.093, 22.556, &["园岭街道"][..]),
        ("南园", 114.090, 22.538, &["南园街道"][..]),
        ("福田", 114.065, 22.528, &["福田街道"][..]),
        ("沙头", 114.025, 22.527, &["沙头街道"][..]),
        ("梅林", 114.045, 22.573, &["梅林街道"][..]),
        ("华富", 114.074, 22.553, &["华富街道"][..]),
        ("香蜜湖", 114.020, 22.548, &["香蜜湖街道"][..]),
        ("莲花", 114.053, 22.552, &["莲花街道"][..]),
        ("华强北", 114.085, 22.547, &["华强北街道"][..]),
        ("福保", 114.045, 22.512, &["福保街道"][..]),
        ("莲花山", 114.052, 22.558, &["莲花街道"][..]),
        ("华强北路", 114.086, 22.545, &["华强北街道"][..]),
        ("市民中心", 114.0553, 22.5405, &["莲花街道", "福田街道"][..]),
    ] {
        let got = street_at(lon, lat);
        assert!(
            got.is_some_and(|s| expected.contains(&s)),
            "{what} ({lon}, {lat}) lies in {got:?}, not {expected:?}"
        );
    }
    for s in &streets {
        assert_eq!(
            areal(&s.geometry).0.len(),
            1,
            "{} is one piece",
            text(s, LayerId::Streets, "name")
        );
    }
}

#[test]
fn grids_communities_and_streets_tile_the_district() {
    let district = district();
    let whole = district.geodesic_area_unsigned();
    let d_km2 = features(LayerId::District)[0]
        .prop(LayerId::District.schema(), "area_km2")
        .and_then(Value::as_f64)
        .unwrap();
    assert!((d_km2 - whole / 1e6).abs() < 0.01);
    for layer in [LayerId::Streets, LayerId::Communities, LayerId::Grids] {
        let fs = features(layer);
        let sum: f64 = fs
            .iter()
            .map(|f| areal(&f.geometry).geodesic_area_unsigned())
            .sum();
        assert!(
            (sum / whole - 1.0).abs() < 0.005,
            "{layer}: {sum} vs {whole}"
        );
        // The area property says the same.
        for f in &fs {
            let km2 = f
                .prop(layer.schema(), "area_km2")
                .and_then(Value::as_f64)
                .unwrap();
            assert!((km2 - areal(&f.geometry).geodesic_area_unsigned() / 1e6).abs() < 1e-4);
        }
    }
    // No two units of a level overlap (beyond rounding where cells meet the outline).
    for layer in [LayerId::Grids, LayerId::Communities, LayerId::Streets] {
        let shapes: Vec<MultiPolygon<f64>> =
            features(layer).iter().map(|g| areal(&g.geometry)).collect();
        let boxes: Vec<_> = shapes.iter().map(|s| s.bounding_rect().unwrap()).collect();
        let mut overlap = 0.0;
        for i in 0..shapes.len() {
            for j in i + 1..shapes.len() {
                if boxes[i].intersects(&boxes[j]) {
                    overlap += shapes[i].intersection(&shapes[j]).unsigned_area() * M2_PER_DEG2;
                }
            }
        }
        assert!(overlap < 1.0, "{layer} overlap by {overlap} m²");
    }
    // Each grid lies in its community, each community in its street.
    for (parent_layer, child_layer) in [
        (LayerId::Communities, LayerId::Grids),
        (LayerId::Streets, LayerId::Communities),
    ] {
        let parents: BTreeMap<String, MultiPolygon<f64>> = features(parent_layer)
            .iter()
            .map(|f| (text(f, parent_layer, "code").to_owned(), areal(&f.geometry)))
            .collect();
        for c in features(child_layer) {
            let shape = areal(&c.geometry);
            let inside = shape
                .intersection(&parents[text(&c, child_layer, "parent_code")])
                .unsigned_area();
            assert!(
                inside >= shape.unsigned_area() * 0.999,
                "{child_layer} {}",
                c.id
            );
        }
    }
}

#[test]
fn buildings_never_overlap_and_are_sized_as_asked() {
    let buildings = features(LayerId::Buildings);
    let s = LayerId::Buildings.schema();
    let polys: Vec<Polygon<f64>> = buildings
        .iter()
        .map(|b| match &b.geometry {
            Geometry::Polygon(p) => p.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    let boxes: Vec<_> = polys.iter().map(|p| p.bounding_rect().unwrap()).collect();
    for i in 0..polys.len() {
        for j in i + 1..polys.len() {
            if boxes[i].intersects(&boxes[j]) {
                assert!(
                    !polys[i].intersects(&polys[j]),
                    "buildings {} and {} overlap",
                    i + 1,
                    j + 1
                );
            }
        }
    }
    let uses: BTreeSet<&str> = BUILDING_USES.iter().map(|u| u.0).collect();
    for (b, p) in buildings.iter().zip(&polys) {
        let cs: Vec<_> = p.exterior().coords().copied().collect();
        assert_eq!(cs.len(), 5, "a rectangle");
        for k in 0..2 {
            let (dx, dy) = (
                (cs[k + 1].x - cs[k].x) * 102_870.0,
                (cs[k + 1].y - cs[k].y) * 110_740.0,
            );
            let side = (dx * dx + dy * dy).sqrt();
            assert!(
                (14.9..=80.1).contains(&side),
                "building {} side {side}",
                b.id
            );
        }
        let floors = b.prop(s, "floors").and_then(Value::as_i64).unwrap();
        let height = b.prop(s, "height_m").and_then(Value::as_f64).unwrap();
        assert!((2..=60).contains(&floors));
        let per_floor = height / floors as f64;
        assert!((3.05..=4.25).contains(&per_floor), "{per_floor}");
        let completed = b.prop(s, "completed").and_then(Value::as_date).unwrap();
        assert!((1980..=2024).contains(&completed.year()));
        assert!(uses.contains(text(b, LayerId::Buildings, "use")));
        let address = text(b, LayerId::Buildings, "address");
        assert!(
            address.starts_with("深圳市福田区")
                && address.contains("街道")
                && address.ends_with('号'),
            "{address}"
        );
    }
    let named = buildings
        .iter()
        .filter(|b| b.prop(s, "name").is_some_and(|v| !v.is_null()))
        .count();
    assert!(
        named > buildings.len() / 2 && named < buildings.len(),
        "{named} named"
    );
}

#[test]
fn every_feature_lies_in_the_district_and_in_the_grid_it_names() {
    let district = district();
    let grids = features(LayerId::Grids);
    let shapes: BTreeMap<String, MultiPolygon<f64>> = grids
        .iter()
        .map(|g| {
            (
                text(g, LayerId::Grids, "code").to_owned(),
                areal(&g.geometry),
            )
        })
        .collect();
    // The twin's own `locate`, which the server uses to place what is written later.
    let admin: Vec<Layer> = [
        LayerId::District,
        LayerId::Streets,
        LayerId::Communities,
        LayerId::Grids,
    ]
    .into_iter()
    .map(|l| Layer::from_features(l.schema(), features(l)))
    .collect();
    let index = GridIndex::build(admin.iter());
    for layer in [
        LayerId::Buildings,
        LayerId::Components,
        LayerId::Pipes,
        LayerId::Cameras,
        LayerId::Devices,
    ] {
        for f in features(layer) {
            let code = text(&f, layer, "grid_code");
            let grid = &shapes[code];
            assert!(
                within(&district, &f.geometry),
                "{layer} {} is outside the district",
                f.id
            );
            assert!(
                within(grid, &f.geometry),
                "{layer} {} is not inside grid {code}",
                f.id
            );
            let p = f.geometry.interior_point().unwrap();
            let located = index.locate_code(p.x(), p.y()).map(|c| c.to_string());
            assert_eq!(located.as_deref(), Some(code), "{layer} {}", f.id);
        }
    }
}

fn within(area: &MultiPolygon<f64>, g: &Geometry<f64>) -> bool {
    match g {
        Geometry::Point(p) => area.contains(p),
        Geometry::LineString(l) => area.contains(l),
        Geometry::Polygon(p) => area.contains(p),
        other => panic!("{other:?}"),
    }
}

#[test]
fn features_follow_their_layer_schemas_with_seven_decimals() {
    for layer in LayerId::ALL {
        let schema = layer.schema();
        for f in features(layer) {
            assert_eq!(f.props.len(), schema.properties.len(), "{layer}");
            for (def, v) in schema.properties.iter().zip(&f.props) {
                let ok = match (def.ty, v) {
                    (_, Value::Null) => !def.required,
                    (PropType::Text, Value::Text(_))
                    | (PropType::Int, Value::Int(_))
                    | (PropType::Float, Value::Float(_))
                    | (PropType::Date, Value::Date(_))
                    | (PropType::Bool, Value::Bool(_)) => true,
                    _ => false,
                };
                assert!(ok, "{layer} {} `{}` = {v:?}", f.id, def.name);
            }
            let kind_ok = matches!(
                (schema.geometry, &f.geometry),
                (GeomKind::Point, Geometry::Point(_))
                    | (GeomKind::LineString, Geometry::LineString(_))
                    | (GeomKind::Polygon, Geometry::Polygon(_))
                    | (
                        GeomKind::Areal,
                        Geometry::Polygon(_) | Geometry::MultiPolygon(_)
                    )
            );
            assert!(kind_ok, "{layer}");
            for c in f.geometry.coords_iter() {
                for v in [c.x, c.y] {
                    assert_eq!(
                        (v * 1e7).round() / 1e7,
                        v,
                        "{layer} {} has more than 7 decimals",
                        f.id
                    );
                }
            }
        }
    }
}

#[test]
fn pipes_add_up_to_the_budget_and_each_network_is_connected() {
    let pipes = features(LayerId::Pipes);
    let s = LayerId::Pipes.schema();
    let budget_km = Targets::pipe_km(scale());
    let (mut geodesic, mut haversine, mut stated) = (0.0, 0.0, 0.0);
    let mut by_network: BTreeMap<&str, Vec<&Feature>> = BTreeMap::new();
    for p in &pipes {
        let Geometry::LineString(l) = &p.geometry else {
            panic!()
        };
        geodesic += Geodesic.length(l);
        haversine += Haversine.length(l);
        stated += p.prop(s, "length_m").and_then(Value::as_f64).unwrap();
        by_network
            .entry(text(p, LayerId::Pipes, "network"))
            .or_default()
            .push(p);
    }
    for (what, m) in [
        ("geodesic", geodesic),
        ("haversine", haversine),
        ("length_m", stated),
    ] {
        assert!(
            (m / 1000.0 - budget_km).abs() < 0.1,
            "{what}: {} km vs {budget_km}",
            m / 1000.0
        );
    }
    assert!((small().summary.pipe_km - budget_km).abs() < 0.001);
    assert_eq!(by_network.len(), PIPE_NETWORKS.len());
    for net in PIPE_NETWORKS {
        let parts = &by_network[net.name_zh];
        let km: f64 = parts
            .iter()
            .map(|p| match &p.geometry {
                Geometry::LineString(l) => Geodesic.length(l),
                _ => 0.0,
            })
            .sum::<f64>()
            / 1000.0;
        let share = budget_km * net.share_permille as f64 / 1000.0;
        assert!(
            (km - share).abs() < 0.001,
            "{}: {km} km vs {share}",
            net.name_zh
        );
        assert!(parts
            .iter()
            .all(|p| text(p, LayerId::Pipes, "owner_unit") == net.owner_unit));
        assert_eq!(components_of(parts), 1, "{} is in one piece", net.name_zh);
    }
}

/// Connected components of a set of lines that meet at shared vertices.
fn components_of(parts: &[&Feature]) -> usize {
    let key = |c: geo::Coord<f64>| (c.x.to_bits(), c.y.to_bits());
    let mut ids: BTreeMap<(u64, u64), usize> = BTreeMap::new();
    let mut parent: Vec<usize> = Vec::new();
    fn find(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    let mut node = |c, parent: &mut Vec<usize>| {
        *ids.entry(key(c)).or_insert_with(|| {
            parent.push(parent.len());
            parent.len() - 1
        })
    };
    for p in parts {
        let Geometry::LineString(l) = &p.geometry else {
            panic!()
        };
        let a = node(l.0[0], &mut parent);
        let b = node(*l.0.last().unwrap(), &mut parent);
        let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
        parent[ra] = rb;
    }
    (0..parent.len())
        .filter(|&i| find(&mut parent, i) == i)
        .count()
}

#[test]
fn components_cameras_and_devices_are_what_the_catalogues_say() {
    let comps = features(LayerId::Components);
    let codes: BTreeMap<&str, &citymirror_core::catalogue::ComponentCategory> =
        COMPONENT_CATEGORIES.iter().map(|c| (c.code, c)).collect();
    for c in &comps {
        let cat = codes[text(c, LayerId::Components, "category")];
        assert_eq!(text(c, LayerId::Components, "category_name"), cat.name_zh);
        assert_eq!(text(c, LayerId::Components, "class_name"), cat.class_zh());
        assert!(["完好", "破损", "丢失", "维修中"].contains(&text(
            c,
            LayerId::Components,
            "status"
        )));
        assert!(!text(c, LayerId::Components, "owner_unit").is_empty());
    }
    let used: BTreeSet<&str> = comps
        .iter()
        .map(|c| text(c, LayerId::Components, "category"))
        .collect();
    assert!(used.len() >= 80, "{} categories at S = 0.01", used.len());

    let cams = features(LayerId::Cameras);
    let gb: BTreeSet<&str> = cams
        .iter()
        .map(|c| text(c, LayerId::Cameras, "gb_id"))
        .collect();
    assert_eq!(gb.len(), cams.len(), "GB/T 28181 ids are unique");
    for id in &gb {
        assert!(
            ids::is_valid_gb28181_id(id) && id.starts_with("440304") && &id[10..13] == "132",
            "{id}"
        );
    }
    let online = cams
        .iter()
        .filter(|c| text(c, LayerId::Cameras, "status") == "在线")
        .count();
    assert!(
        online as f64 > cams.len() as f64 * 0.88,
        "{online} of {}",
        cams.len()
    );
    assert!(cams
        .iter()
        .any(|c| text(c, LayerId::Cameras, "name").contains("交叉口")));

    let devs = features(LayerId::Devices);
    let types: BTreeSet<&str> = DEVICE_TYPES.iter().map(|t| t.0).collect();
    let serials: BTreeSet<&str> = devs
        .iter()
        .map(|d| text(d, LayerId::Devices, "serial"))
        .collect();
    assert_eq!(serials.len(), devs.len(), "serials are unique");
    for d in &devs {
        assert!(types.contains(text(d, LayerId::Devices, "device_type")));
        let installed = d
            .prop(LayerId::Devices.schema(), "installed")
            .and_then(Value::as_date)
            .unwrap();
        assert!((2016..=2025).contains(&installed.year()));
        assert!(["在线", "离线", "故障"].contains(&text(d, LayerId::Devices, "status")));
    }
}

#[test]
fn identifiers_are_valid_and_unique() {
    let g = small();
    let persons = g.repo.rows(&PERSONS);
    let mut seen_ids = BTreeSet::new();
    let mut seen_mobiles = BTreeSet::new();
    for p in &persons {
        let id = field(p, &PERSONS, "id_number").as_str().unwrap();
        assert!(ids::is_valid_resident_id(id), "{id}");
        assert!(seen_ids.insert(id.to_owned()), "{id} repeats");
        let male = field(p, &PERSONS, "gender").as_str() == Some("男");
        let seq: u32 = id[14..17].parse().unwrap();
        assert_eq!(seq % 2 == 1, male, "{id}: the 17th digit gives the sex");
        let birth = field(p, &PERSONS, "birth_date").as_date().unwrap();
        assert_eq!(&id[6..14], birth.format("%Y%m%d").to_string());
        assert!(birth <= NaiveDate::from_ymd_opt(2025, 6, 30).unwrap());
        if let Some(m) = field(p, &PERSONS, "mobile").as_str() {
            assert!(ids::is_valid_mobile(m), "{m}");
            assert!(seen_mobiles.insert(m.to_owned()), "{m} repeats");
        }
        let kind = field(p, &PERSONS, "residence_type").as_str().unwrap();
        assert!(["户籍", "流动", "境外"].contains(&kind));
        let name = field(p, &PERSONS, "name").as_str().unwrap();
        assert!((2..=4).contains(&name.chars().count()), "{name}");
    }
    let registered_here = persons
        .iter()
        .filter(|p| {
            field(p, &PERSONS, "id_number")
                .as_str()
                .unwrap()
                .starts_with("440304")
        })
        .count();
    assert!(registered_here > persons.len() / 5, "{registered_here}");
    for h in g.repo.rows(&HOUSES) {
        let owner = field(&h, &HOUSES, "owner_id_number").as_str().unwrap();
        assert!(ids::is_valid_resident_id(owner), "{owner}");
    }
    let entities = g.repo.rows(&ENTITIES);
    let mut names = BTreeSet::new();
    let mut codes = BTreeSet::new();
    for e in &entities {
        let uscc = field(e, &ENTITIES, "uscc").as_str().unwrap();
        assert!(
            ids::is_valid_uscc(uscc) && uscc.starts_with("91440304"),
            "{uscc}"
        );
        assert!(codes.insert(uscc.to_owned()), "{uscc} repeats");
        let name = field(e, &ENTITIES, "name").as_str().unwrap();
        assert!(
            name.starts_with("深圳市") && name.ends_with("有限公司"),
            "{name}"
        );
        assert!(names.insert(name.to_owned()), "{name} repeats");
        let legal = field(e, &ENTITIES, "legal_person_id_number")
            .as_str()
            .unwrap();
        assert!(
            ids::is_valid_resident_id(legal) && seen_ids.insert(legal.to_owned()),
            "{legal}"
        );
        let m = field(e, &ENTITIES, "contact_mobile").as_str().unwrap();
        assert!(
            ids::is_valid_mobile(m) && seen_mobiles.insert(m.to_owned()),
            "{m}"
        );
        let staff = field(e, &ENTITIES, "employees").as_i64().unwrap();
        assert!(staff >= 1);
    }
}

#[test]
fn records_belong_to_the_buildings_and_houses_they_name() {
    let g = small();
    let buildings: BTreeMap<i64, Feature> = features(LayerId::Buildings)
        .into_iter()
        .map(|b| (b.id, b))
        .collect();
    let houses = g.repo.rows(&HOUSES);
    let mut house_of: BTreeMap<i64, (i64, String)> = BTreeMap::new();
    for h in &houses {
        let id = field(h, &HOUSES, "id").as_i64().unwrap();
        let b = &buildings[&field(h, &HOUSES, "building_id").as_i64().unwrap()];
        assert!(["住宅", "商住混合"].contains(&text(b, LayerId::Buildings, "use")));
        let floor = field(h, &HOUSES, "floor").as_i64().unwrap();
        let floors = b
            .prop(LayerId::Buildings.schema(), "floors")
            .and_then(Value::as_i64)
            .unwrap();
        assert!((1..=floors).contains(&floor), "floor {floor} of {floors}");
        let room = field(h, &HOUSES, "room").as_str().unwrap();
        assert!(
            room.starts_with(&floor.to_string()) && room.len() == floor.to_string().len() + 2,
            "{room}"
        );
        let grid = field(h, &HOUSES, "grid_code").as_str().unwrap();
        assert_eq!(grid, text(b, LayerId::Buildings, "grid_code"));
        let address = field(h, &HOUSES, "address").as_str().unwrap();
        assert!(
            address.starts_with(text(b, LayerId::Buildings, "address")) && address.ends_with('室')
        );
        house_of.insert(id, (b.id, grid.to_owned()));
    }
    assert_eq!(house_of.len(), houses.len(), "house ids are unique");
    let persons = g.repo.rows(&PERSONS);
    for p in &persons {
        let house = field(p, &PERSONS, "house_id").as_i64().unwrap();
        let (building, grid) = &house_of[&house];
        assert_eq!(field(p, &PERSONS, "building_id").as_i64(), Some(*building));
        assert_eq!(
            field(p, &PERSONS, "grid_code").as_str(),
            Some(grid.as_str())
        );
    }
    let person_ids: Vec<i64> = persons
        .iter()
        .map(|p| field(p, &PERSONS, "id").as_i64().unwrap())
        .collect();
    assert_eq!(person_ids, (1..=persons.len() as i64).collect::<Vec<_>>());
    for e in g.repo.rows(&ENTITIES) {
        let b = &buildings[&field(&e, &ENTITIES, "building_id").as_i64().unwrap()];
        assert!(["办公", "商业", "商住混合", "酒店", "工业"].contains(&text(
            b,
            LayerId::Buildings,
            "use"
        )));
        assert_eq!(
            field(&e, &ENTITIES, "grid_code").as_str(),
            Some(text(b, LayerId::Buildings, "grid_code"))
        );
    }
}
