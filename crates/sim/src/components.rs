//! City components (城市部件): every category of the catalogue, in proportion to its
//! weight, each placed where it belongs (at the kerb, at a crossing, beside, inside or
//! between buildings).

use chrono::NaiveDate;
use citymirror_core::{
    catalogue::{ComponentCategory, Placement, COMPONENT_CATEGORIES},
    Value,
};
use geo::Geometry;
use rand::Rng;

use crate::{
    emit::FeatureSink,
    pick::{largest_remainder, pick_table, Weighted},
    world::{Site, World},
    SimError,
};

/// Components that IoT devices are later mounted on.
#[derive(Debug, Default)]
pub(crate) struct Anchors {
    pub manholes: Vec<Site>,
    pub street_lights: Vec<Site>,
    pub litter_bins: Vec<Site>,
    pub parking_bays: Vec<Site>,
}

/// How many components of each category, adding up to `total` exactly.
pub(crate) fn category_counts(total: u64) -> Vec<u64> {
    let weights: Vec<f64> = COMPONENT_CATEGORIES
        .iter()
        .map(|c| c.weight as f64)
        .collect();
    largest_remainder(total, &weights)
}

fn owner_unit(c: &ComponentCategory, rng: &mut impl Rng) -> &'static str {
    match c.code {
        "0101" | "0102" | "0130" | "0706" => "深圳市水务集团",
        "0103" | "0104" | "0134" => "福田区水务局",
        "0105" | "0118" | "0119" | "0128" | "0131" | "0133" => "深圳供电局",
        "0116" | "0127" => "南方电网超高压输电公司",
        "0106" | "0120" | "0121" | "0122" => "福田区城市管理和综合执法局",
        "0107" | "0109" | "0117" | "0132" => pick_table(
            rng,
            &[
                ("中国电信深圳分公司", 4),
                ("中国移动深圳分公司", 4),
                ("中国联通深圳分公司", 2),
            ],
        ),
        "0108" => "天威视讯",
        "0110" | "0111" | "0129" => "深圳燃气",
        "0112" | "0126" => "深圳市公安局福田分局",
        "0113" => "权属不明",
        "0115" => "福田区消防救援大队",
        "0123" | "0125" => "福田区城市管理和综合执法局",
        "0124" => "中国邮政深圳分公司",
        "0205" | "0207" | "0208" | "0216" | "0220" | "0206" | "0219" | "0227" => {
            "深圳市公安局交通警察局福田大队"
        }
        "0201" | "0215" | "0224" => "深圳市路边临时停车管理中心",
        "0222" => "深圳地铁集团",
        "0225" => pick_table(
            rng,
            &[
                ("南方电网电动汽车服务公司", 4),
                ("特来电", 3),
                ("星星充电", 2),
            ],
        ),
        "0218" => pick_table(rng, &[("美团单车", 1), ("哈啰单车", 1), ("青桔单车", 1)]),
        "0610" => pick_table(rng, &[("丰巢科技", 3), ("中国邮政速递物流", 1)]),
        "0701" | "0702" | "0703" | "0704" | "0705" => pick_table(
            rng,
            &[
                ("万科物业", 3),
                ("招商积余", 3),
                ("中海物业", 2),
                ("华润万象生活", 2),
                ("长城物业", 2),
                ("保利物业", 1),
                ("金地物业", 1),
            ],
        ),
        _ => match c.class_zh() {
            "道路交通" => "福田区交通运输局",
            "市容环境" => "福田区城市管理和综合执法局",
            "园林绿化" => "福田区城市管理和综合执法局",
            "房屋土地" => "福田区住房和建设局",
            _ => "福田区城市管理和综合执法局",
        },
    }
}

fn status(c: &ComponentCategory, rng: &mut impl Rng) -> &'static str {
    // Only things that can be carried off go missing.
    let movable = matches!(&c.code[..2], "01") && c.code < "0115"
        || matches!(c.code, "0303" | "0311" | "0206" | "0213" | "0228");
    let r = rng.gen_range(0..1000);
    match r {
        0..940 => "完好",
        940..970 => "破损",
        970..990 => "维修中",
        _ if movable => "丢失",
        _ => "破损",
    }
}

/// A date in `from..=to` (whole years), never after mid-2025.
pub(crate) fn date_between(rng: &mut impl Rng, from: i32, to: i32) -> NaiveDate {
    let year = rng.gen_range(from..=to);
    let last = if year >= 2025 { 180 } else { 365 };
    NaiveDate::from_yo_opt(year.min(2025), rng.gen_range(1..=last)).expect("valid day of year")
}

fn installed(c: &ComponentCategory, rng: &mut impl Rng) -> NaiveDate {
    match c.code {
        // Things of the last decade.
        "0132" | "0225" | "0610" | "0218" | "0309" | "0611" | "0612" => {
            date_between(rng, 2016, 2025)
        }
        "0401" => date_between(rng, 1980, 1995),
        _ => date_between(rng, 1995, 2024),
    }
}

/// Generates and writes `total` components; returns the ones devices are mounted on.
pub(crate) fn components(
    w: &World,
    total: u64,
    rng: &mut impl Rng,
    sink: &mut FeatureSink<'_>,
) -> Result<Anchors, SimError> {
    let by_floor_area = Weighted::new(w.buildings.iter().map(|b| b.floor_area()));
    let mut anchors = Anchors::default();
    for (cat, n) in COMPONENT_CATEGORIES.iter().zip(category_counts(total)) {
        for _ in 0..n {
            let site = match cat.placement {
                Placement::InBuilding if !by_floor_area.is_empty() => {
                    let b = &w.buildings[by_floor_area.pick(rng)];
                    Some(w.in_building_point(rng, b))
                }
                Placement::NearBuilding => w.near_building_point(rng),
                Placement::Intersection => w.crossing_point(rng).map(|s| s.0),
                Placement::Open => w.open_point(rng),
                Placement::Roadside | Placement::InBuilding => None,
            };
            // Wherever the preferred place cannot be had, the kerb will do.
            let site = match site.or_else(|| w.roadside_point(rng).map(|s| s.0)) {
                Some(s) => s,
                None => w
                    .open_point(rng)
                    .ok_or_else(|| SimError::Layout("no room for components".into()))?,
            };
            match cat.code {
                "0101" | "0102" | "0103" | "0105" | "0106" | "0107" | "0108" | "0109" | "0110"
                | "0111" | "0112" | "0113" | "0114" => anchors.manholes.push(site),
                "0120" => anchors.street_lights.push(site),
                "0303" => anchors.litter_bins.push(site),
                "0224" => anchors.parking_bays.push(site),
                _ => {}
            }
            let props = vec![
                Value::from(cat.code),
                Value::from(cat.name_zh),
                Value::from(cat.class_zh()),
                Value::from(owner_unit(cat, rng)),
                Value::from(status(cat, rng)),
                Value::Date(installed(cat, rng)),
                Value::from(w.part.grids[site.grid as usize].code.as_str()),
            ];
            sink.push(Geometry::Point(site.p.point()), props)?;
        }
    }
    Ok(anchors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_full_scale_every_category_has_components_and_the_total_is_exact() {
        let counts = category_counts(550_000);
        assert_eq!(counts.iter().sum::<u64>(), 550_000);
        assert!(counts.iter().all(|&n| n >= 1), "{counts:?}");
        assert_eq!(category_counts(1_100).iter().sum::<u64>(), 1_100);
    }
}
