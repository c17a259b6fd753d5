//! IoT devices (智网): detectors and meters inside buildings, sensors on the manhole
//! covers, street lights, bins and parking bays they watch, and the rest along roads.

use citymirror_core::{catalogue::DEVICE_TYPES, Value};
use geo::Geometry;
use rand::{seq::SliceRandom, Rng};

use crate::{
    components::{date_between, Anchors},
    emit::FeatureSink,
    pick::{largest_remainder, scatter, Weighted},
    world::{Site, World},
    SimError,
};

/// A device type's two-letter model code and the vendors that make it.
fn profile(device_type: &str) -> (&'static str, &'static [&'static str]) {
    match device_type {
        "烟感探测器" => ("YG", &["泰和安", "海康威视", "大华"]),
        "可燃气体探测器" => ("KR", &["汉威", "泰和安"]),
        "智能电表" => ("DB", &["新天科技", "拓邦", "华为"]),
        "智能水表" => ("SB", &["新天科技", "拓邦"]),
        "井盖位移传感器" => ("JG", &["移远通信", "中兴", "汉威"]),
        "水位监测仪" => ("SW", &["汉威", "华为"]),
        "空气质量监测仪" => ("KQ", &["汉威", "华为"]),
        "噪声监测仪" => ("ZS", &["汉威", "中兴"]),
        "电气火灾监测器" => ("DQ", &["泰和安", "拓邦"]),
        "消防水压监测" => ("XF", &["泰和安", "汉威"]),
        "门磁传感器" => ("MC", &["海康威视", "大华", "宇视"]),
        "电梯运行监测" => ("DT", &["海康威视", "华为"]),
        "环境温湿度传感器" => ("WS", &["汉威", "拓邦"]),
        "智能路灯控制器" => ("LD", &["华为", "中兴", "拓邦"]),
        "垃圾满溢传感器" => ("LJ", &["移远通信", "拓邦"]),
        "边坡位移监测" => ("BP", &["华为", "汉威"]),
        "桥梁结构监测" => ("QL", &["华为", "中兴"]),
        "地磁车位检测器" => ("DC", &["移远通信", "华为"]),
        "人员密度感知器" => ("RM", &["海康威视", "大华", "宇视"]),
        "高空抛物监测" => ("GK", &["海康威视", "大华", "宇视"]),
        _ => ("QT", &["华为"]),
    }
}

fn vendor_code(vendor: &str) -> &'static str {
    match vendor {
        "海康威视" => "DS",
        "大华" => "DH",
        "华为" => "HW",
        "中兴" => "ZX",
        "宇视" => "UNV",
        "泰和安" => "TX",
        "汉威" => "HN",
        "新天科技" => "XT",
        "拓邦" => "TB",
        "移远通信" => "QL",
        _ => "XX",
    }
}

/// Where a device of this type goes.
enum Mount<'a> {
    InBuilding,
    NearBuilding,
    On(&'a [Site]),
    Roadside,
    Open,
}

fn mount<'a>(device_type: &str, anchors: &'a Anchors) -> Mount<'a> {
    match device_type {
        "烟感探测器"
        | "可燃气体探测器"
        | "智能电表"
        | "智能水表"
        | "电气火灾监测器"
        | "消防水压监测"
        | "门磁传感器"
        | "电梯运行监测"
        | "环境温湿度传感器" => Mount::InBuilding,
        "高空抛物监测" => Mount::NearBuilding,
        "井盖位移传感器" => Mount::On(&anchors.manholes),
        "智能路灯控制器" => Mount::On(&anchors.street_lights),
        "垃圾满溢传感器" => Mount::On(&anchors.litter_bins),
        "地磁车位检测器" => Mount::On(&anchors.parking_bays),
        "边坡位移监测" => Mount::Open,
        _ => Mount::Roadside,
    }
}

pub(crate) fn devices(
    w: &World,
    total: u64,
    anchors: &Anchors,
    rng: &mut impl Rng,
    sink: &mut FeatureSink<'_>,
) -> Result<(), SimError> {
    let by_floor_area = Weighted::new(w.buildings.iter().map(|b| b.floor_area()));
    let weights: Vec<f64> = DEVICE_TYPES.iter().map(|&(_, wt)| wt as f64).collect();
    let mut serial = 0u64;
    for (&(device_type, _), n) in DEVICE_TYPES.iter().zip(largest_remainder(total, &weights)) {
        let (type_code, vendors) = profile(device_type);
        let how = mount(device_type, anchors);
        for _ in 0..n {
            let site = match how {
                Mount::InBuilding if !by_floor_area.is_empty() => {
                    let b = &w.buildings[by_floor_area.pick(rng)];
                    Some(w.in_building_point(rng, b))
                }
                Mount::NearBuilding => w.near_building_point(rng),
                Mount::On(sites) if !sites.is_empty() => {
                    // Mounted on the thing it watches, a few tens of centimetres off it.
                    let s = sites[rng.gen_range(0..sites.len())];
                    let (x, y) = w.district.frame.to_m(s.p);
                    w.site(x + rng.gen_range(-0.4..0.4), y + rng.gen_range(-0.4..0.4))
                }
                Mount::Open => w.open_point(rng),
                _ => None,
            };
            let site = match site.or_else(|| w.roadside_point(rng).map(|s| s.0)) {
                Some(s) => s,
                None => w
                    .open_point(rng)
                    .ok_or_else(|| SimError::Layout("no room for devices".into()))?,
            };
            let vendor = *vendors.choose(rng).expect("non-empty");
            let vc = vendor_code(vendor);
            let model = format!(
                "{vc}-{type_code}{}",
                [100, 200, 300, 500][rng.gen_range(0..4)] + rng.gen_range(0..3) * 10
            );
            let installed = date_between(rng, 2016, 2025);
            let serial_no = format!(
                "{vc}{}{:08}",
                installed.format("%y"),
                scatter(serial, 100_000_000)
            );
            serial += 1;
            let status = match rng.gen_range(0..100) {
                0..92 => "在线",
                92..98 => "离线",
                _ => "故障",
            };
            let props = vec![
                Value::from(device_type),
                Value::from(vendor),
                Value::from(model),
                Value::from(serial_no),
                Value::from(status),
                Value::Date(installed),
                Value::from(w.part.grids[site.grid as usize].code.as_str()),
            ];
            sink.push(Geometry::Point(site.p.point()), props)?;
        }
    }
    Ok(())
}
