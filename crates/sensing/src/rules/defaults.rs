//! The rules each device type starts with: per quantity a threshold with hysteresis
//! and, where a sudden change matters before the threshold is reached, a rate of rise;
//! per device type how long it may stay silent and how far it may move from where it
//! was installed. An operator overrides any of them per device (`overrides`).

use super::{QuantityRule, Threshold};

const fn rule(
    threshold: Option<Threshold>,
    rise_per_min: Option<f64>,
    service: &'static str,
    title_zh: &'static str,
    urgent: bool,
) -> QuantityRule {
    QuantityRule {
        threshold,
        rise_per_min,
        service,
        title_zh,
        urgent,
    }
}

const fn above(raise: f64, clear: f64) -> Option<Threshold> {
    Some(Threshold::Above { raise, clear })
}

const fn below(raise: f64, clear: f64) -> Option<Threshold> {
    Some(Threshold::Below { raise, clear })
}

/// The default rule of a quantity (see `catalog::QUANTITIES` for the healthy ranges).
pub fn quantity_rule(quantity: &str) -> Option<QuantityRule> {
    Some(match quantity {
        "tilt" => rule(above(15.0, 5.0), None, "0103", "井盖倾斜或位移告警", true),
        // Water rising a decimetre a minute floods a underpass before it reaches the
        // threshold: the rate alarms first.
        "water_level" => rule(above(0.5, 0.3), Some(0.1), "0109", "道路积水水位告警", true),
        "smoke" => rule(above(10.0, 3.0), None, "0112", "烟感火情告警", true),
        "gas" => rule(
            above(20.0, 10.0),
            Some(5.0),
            "0112",
            "可燃气体浓度告警",
            true,
        ),
        "residual_current" => rule(
            above(500.0, 300.0),
            None,
            "0112",
            "电气火灾剩余电流告警",
            true,
        ),
        "cable_temp" => rule(
            above(90.0, 70.0),
            Some(5.0),
            "0112",
            "线缆温度过高告警",
            true,
        ),
        "water_pressure" => rule(below(0.05, 0.1), None, "0110", "消防水压不足告警", true),
        "elevator_fault" => rule(above(1.0, 0.5), None, "0113", "电梯故障告警", true),
        "fill" => rule(above(95.0, 80.0), None, "0107", "垃圾桶满溢告警", false),
        "displacement" => rule(above(30.0, 20.0), Some(2.0), "0112", "边坡位移告警", true),
        "strain" => rule(above(800.0, 500.0), None, "0112", "桥梁应变超限告警", true),
        "pm25" => rule(above(150.0, 75.0), None, "0304", "PM2.5 超标告警", false),
        "noise" => rule(above(85.0, 70.0), None, "0302", "噪声超标告警", false),
        _ => return None,
    })
}

/// How long a device of this type may go without a reading before it is reported
/// silent: life-safety devices half an hour, the rest two hours.
pub fn silence_minutes(device_type: &str) -> u32 {
    match device_type {
        "烟感探测器"
        | "可燃气体探测器"
        | "井盖位移传感器"
        | "水位监测仪"
        | "电气火灾监测器"
        | "消防水压监测"
        | "电梯运行监测"
        | "边坡位移监测"
        | "桥梁结构监测" => 30,
        _ => 120,
    }
}

/// How far (metres) a device of this type may be reported from where the twin has it
/// installed: bins are moved about their stand; everything else is fixed.
pub fn geofence_metres(device_type: &str) -> f64 {
    match device_type {
        "垃圾满溢传感器" => 100.0,
        _ => 30.0,
    }
}

/// Where a device-wide alarm (silent, moved) of this type is filed: under the service
/// of the device's first quantity that has one (a silent smoke detector is a fire
/// safety matter), else the general urban-management service.
pub fn device_filing(quantities: &[&str]) -> (&'static str, bool) {
    quantities
        .iter()
        .find_map(|q| quantity_rule(q))
        .map_or(("0100", false), |r| (r.service, r.urgent))
}
