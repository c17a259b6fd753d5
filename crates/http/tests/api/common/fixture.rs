//! A small district to test against, laid out so expectations can be worked out by hand.
//!
//! The district is the square 114.00–114.10 E × 22.50–22.60 N, split into a western and
//! an eastern street (one community each) and four grid cells:
//!
//! ```text
//!  22.60 ┌──────────┬──────────┐
//!        │ 001·01·02│ 002·01·02│
//!  22.55 ├──────────┼──────────┤
//!        │ 001·01·01│ 002·01·01│
//!  22.50 └──────────┴──────────┘
//!      114.00     114.05     114.10
//! ```
//!
//! Twenty buildings (ids 1–20) stand in a row: building `i` (id `i + 1`) is the
//! 0.001° square whose lower-left corner is [`building_corner`]`(i)`; it has `i + 1`
//! floors, use 住宅 for even `i` and 商业 for odd, and was completed on 1 January of
//! year `2000 + i`. Building id 1 has a name full of markup, to test escaping.

use citymirror_core::{LayerId, Value};
use citymirror_twin::{NewFeature, TwinService};
use geo::{line_string, point, Geometry, Rect};

pub const BUILDINGS: usize = 20;
pub const SIZE: f64 = 0.001;
pub const MARKUP_NAME: &str = "<b>\"福田\" & 'x'</b>";

pub fn building_corner(i: usize) -> (f64, f64) {
    (114.005 + i as f64 * 0.0045, 22.505 + (i % 4) as f64 * 0.02)
}

/// Whether building `i` touches the box (minx, miny, maxx, maxy).
pub fn building_intersects(i: usize, b: (f64, f64, f64, f64)) -> bool {
    let (x, y) = building_corner(i);
    x <= b.2 && x + SIZE >= b.0 && y <= b.3 && y + SIZE >= b.1
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Geometry<f64> {
    Rect::new((x0, y0), (x1, y1)).to_polygon().into()
}

fn props(pairs: &[(&str, Value)]) -> Vec<(String, Value)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn feature(layer: LayerId, g: Geometry<f64>, pairs: &[(&str, Value)]) -> NewFeature {
    NewFeature::validate(layer.schema(), g, props(pairs)).expect("a valid fixture feature")
}

fn unit(
    layer: LayerId,
    g: Geometry<f64>,
    code: &str,
    name: &str,
    parent: Option<&str>,
) -> NewFeature {
    feature(
        layer,
        g,
        &[
            ("code", code.into()),
            ("name", name.into()),
            ("parent_code", parent.into()),
        ],
    )
}

pub fn building(i: usize) -> NewFeature {
    let (x, y) = building_corner(i);
    let name = if i == 0 {
        MARKUP_NAME.to_owned()
    } else {
        format!("{}号楼", i + 1)
    };
    let date = chrono::NaiveDate::from_ymd_opt(2000 + i as i32, 1, 1).unwrap();
    feature(
        LayerId::Buildings,
        rect(x, y, x + SIZE, y + SIZE),
        &[
            ("name", name.into()),
            ("use", ["住宅", "商业"][i % 2].into()),
            ("height_m", Value::Float(3.0 * (i + 1) as f64)),
            ("floors", Value::Int(i as i64 + 1)),
            ("completed", date.into()),
        ],
    )
}

/// Imports the fixture through the service (administrative layers first, so every
/// other feature gets its `grid_code`).
pub async fn load(service: &TwinService) {
    use LayerId::*;
    let imports: Vec<(LayerId, Vec<NewFeature>)> = vec![
        (
            District,
            vec![unit(
                District,
                rect(114.0, 22.5, 114.1, 22.6),
                "440304",
                "福田区",
                None,
            )],
        ),
        (
            Streets,
            vec![
                unit(
                    Streets,
                    rect(114.0, 22.5, 114.05, 22.6),
                    "440304001",
                    "园岭街道",
                    Some("440304"),
                ),
                unit(
                    Streets,
                    rect(114.05, 22.5, 114.1, 22.6),
                    "440304002",
                    "南园街道",
                    Some("440304"),
                ),
            ],
        ),
        (
            Communities,
            vec![
                unit(
                    Communities,
                    rect(114.0, 22.5, 114.05, 22.6),
                    "440304001001",
                    "红荔社区",
                    Some("440304001"),
                ),
                unit(
                    Communities,
                    rect(114.05, 22.5, 114.1, 22.6),
                    "440304002001",
                    "滨江社区",
                    Some("440304002"),
                ),
            ],
        ),
        (
            Grids,
            vec![
                unit(
                    Grids,
                    rect(114.0, 22.5, 114.05, 22.55),
                    "44030400100101",
                    "红荔第一网格",
                    Some("440304001001"),
                ),
                unit(
                    Grids,
                    rect(114.0, 22.55, 114.05, 22.6),
                    "44030400100102",
                    "红荔第二网格",
                    Some("440304001001"),
                ),
                unit(
                    Grids,
                    rect(114.05, 22.5, 114.1, 22.55),
                    "44030400200101",
                    "滨江第一网格",
                    Some("440304002001"),
                ),
                unit(
                    Grids,
                    rect(114.05, 22.55, 114.1, 22.6),
                    "44030400200102",
                    "滨江第二网格",
                    Some("440304002001"),
                ),
            ],
        ),
        (Buildings, (0..BUILDINGS).map(building).collect()),
        (
            Components,
            vec![
                feature(
                    Components,
                    point!(x: 114.01, y: 22.51).into(),
                    &[("category", "0101".into()), ("status", "完好".into())],
                ),
                feature(
                    Components,
                    point!(x: 114.06, y: 22.58).into(),
                    &[("category", "0120".into()), ("status", "破损".into())],
                ),
            ],
        ),
        (
            Pipes,
            vec![feature(
                Pipes,
                line_string![(x: 114.01, y: 22.52), (x: 114.09, y: 22.52)].into(),
                &[("network", "给水".into()), ("diameter_mm", Value::Int(300))],
            )],
        ),
        (
            Cameras,
            vec![feature(
                Cameras,
                point!(x: 114.02, y: 22.53).into(),
                &[
                    ("gb_id", "44030400001320000001".into()),
                    ("kind", "枪机".into()),
                ],
            )],
        ),
        (
            Devices,
            vec![feature(
                Devices,
                point!(x: 114.07, y: 22.57).into(),
                &[("device_type", "烟感".into()), ("status", "在线".into())],
            )],
        ),
        // The basemap: a road, a lake, a park and the Civic Center.
        (
            Roads,
            vec![feature(
                Roads,
                line_string![(x: 114.01, y: 22.541), (x: 114.04, y: 22.541)].into(),
                &[("name", "深南大道".into()), ("class", "主干道".into())],
            )],
        ),
        (
            Water,
            vec![feature(
                Water,
                rect(114.02, 22.552, 114.03, 22.556),
                &[("name", "香蜜湖".into()), ("kind", "湖泊".into())],
            )],
        ),
        (
            Parks,
            vec![feature(
                Parks,
                rect(114.06, 22.552, 114.07, 22.558),
                &[("name", "莲花山公园".into()), ("kind", "城市公园".into())],
            )],
        ),
        (
            Landmarks,
            vec![feature(
                Landmarks,
                point!(x: 114.0553, y: 22.5405).into(),
                &[("name", "市民中心".into()), ("kind", "政务".into())],
            )],
        ),
    ];
    for (layer, features) in imports {
        service
            .import(layer, features)
            .await
            .expect("import the fixture");
    }
}

/// The number of features in the whole fixture.
pub const TOTAL: usize = 1 + 2 + 2 + 4 + BUILDINGS + 2 + 1 + 1 + 1 + 4;

/// The grids of the fixture, west to east, south to north.
pub const GRIDS: [&str; 4] = [
    "44030400100101",
    "44030400100102",
    "44030400200101",
    "44030400200102",
];

/// Persons per grid.
pub const PERSONS_PER_GRID: usize = 3;

/// The 身份证号 of person `n` (0-based, grid `n / PERSONS_PER_GRID`).
pub fn person_id_number(n: usize) -> String {
    citymirror_core::ids::resident_id(
        "440304",
        &format!("1985{:02}{:02}", 1 + n % 12, 1 + n % 28),
        n as u16,
    )
}

/// The mobile number of person `n`.
pub fn person_mobile(n: usize) -> String {
    format!("139{:08}", 12_340_000 + n * 7919)
}

/// Block data for every grid: persons (with real-looking, check-digit-valid 身份证号 and
/// mobile numbers, one with a phone number in a free-text field), houses with their
/// owners' ids, and entities with their legal persons' ids and contact mobiles.
pub async fn load_records(store: &citymirror_store::Store) {
    use citymirror_core::records::{ENTITIES, HOUSES, PERSONS};
    use citymirror_twin::RecordRepo;
    let date = |s: &str| Value::Date(s.parse().unwrap());
    let mut persons = Vec::new();
    let mut houses = Vec::new();
    let mut entities = Vec::new();
    for (g, grid) in GRIDS.iter().enumerate() {
        for k in 0..PERSONS_PER_GRID {
            let n = g * PERSONS_PER_GRID + k;
            persons.push(vec![
                Value::Int(n as i64 + 1),
                Value::Text(format!("张{}", ["伟", "芳", "敏"][k])),
                Value::Text(person_id_number(n)),
                Value::Text(if k % 2 == 0 { "男" } else { "女" }.into()),
                date(&format!("1985-{:02}-{:02}", 1 + n % 12, 1 + n % 28)),
                Value::Text(person_mobile(n)),
                // A free-text field with a phone number typed in: masked by the recogniser.
                Value::Text(if k == 0 {
                    format!("户籍，联系人电话{}", person_mobile(n + 100))
                } else {
                    "户籍".into()
                }),
                Value::Int(g as i64 + 1),
                Value::Int(g as i64 + 1),
                Value::Text((*grid).into()),
            ]);
        }
        houses.push(vec![
            Value::Int(g as i64 + 1),
            Value::Int(g as i64 + 1),
            Value::Text(format!("福田区测试路{}号", g + 1)),
            Value::Int(3),
            Value::Text("301".into()),
            Value::Float(88.5),
            Value::Text("住宅".into()),
            Value::Text("自住".into()),
            Value::Text(person_id_number(g * PERSONS_PER_GRID)),
            Value::Text((*grid).into()),
        ]);
        entities.push(vec![
            Value::Int(g as i64 + 1),
            Value::Text(format!("深圳市测试{}有限公司", g + 1)),
            Value::Text(citymirror_core::ids::uscc("440304", g as u32 + 1)),
            Value::Text("李四".into()),
            Value::Text(person_id_number(g * PERSONS_PER_GRID + 1)),
            Value::Text(person_mobile(g * PERSONS_PER_GRID + 1)),
            Value::Text("软件和信息技术服务业".into()),
            Value::Float(100.0),
            date("2015-06-01"),
            Value::Int(12),
            Value::Int(g as i64 + 1),
            Value::Text((*grid).into()),
        ]);
    }
    store
        .insert_records(&PERSONS, &persons)
        .await
        .expect("persons");
    store
        .insert_records(&HOUSES, &houses)
        .await
        .expect("houses");
    store
        .insert_records(&ENTITIES, &entities)
        .await
        .expect("entities");
}
