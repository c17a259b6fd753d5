//! What each kind of device measures: the ObservedProperties of the district's 20 device
//! types, their units (UCUM codes, as SensorThings' `unitOfMeasurement.definition`
//! expects), and the range a healthy reading falls in (the simulator draws from it and
//! the default rules alarm outside it).

/// One measured quantity. Its ObservedProperty id is its position in [`QUANTITIES`] + 1.
#[derive(Debug, PartialEq)]
pub struct Quantity {
    pub key: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub unit_name: &'static str,
    pub symbol: &'static str,
    /// The UCUM code.
    pub ucum: &'static str,
    /// Where a healthy reading lies.
    pub normal: (f64, f64),
}

const fn q(
    key: &'static str,
    name_zh: &'static str,
    name_en: &'static str,
    unit_name: &'static str,
    symbol: &'static str,
    ucum: &'static str,
    normal: (f64, f64),
) -> Quantity {
    Quantity {
        key,
        name_zh,
        name_en,
        unit_name,
        symbol,
        ucum,
        normal,
    }
}

pub static QUANTITIES: &[Quantity] = &[
    q(
        "smoke",
        "烟雾浓度",
        "Smoke obscuration",
        "percent obscuration per metre",
        "%obs/m",
        "%/m",
        (0.0, 3.0),
    ),
    q(
        "battery",
        "电池电量",
        "Battery level",
        "percent",
        "%",
        "%",
        (20.0, 100.0),
    ),
    q(
        "gas",
        "可燃气体浓度",
        "Combustible gas",
        "percent of lower explosive limit",
        "%LEL",
        "%",
        (0.0, 10.0),
    ),
    q(
        "power",
        "有功功率",
        "Active power",
        "kilowatt",
        "kW",
        "kW",
        (0.0, 50.0),
    ),
    q(
        "energy",
        "累计电量",
        "Energy",
        "kilowatt hour",
        "kWh",
        "kW.h",
        (0.0, 1.0e7),
    ),
    q(
        "flow",
        "瞬时流量",
        "Water flow",
        "cubic metre per hour",
        "m³/h",
        "m3/h",
        (0.0, 5.0),
    ),
    q(
        "volume",
        "累计水量",
        "Water volume",
        "cubic metre",
        "m³",
        "m3",
        (0.0, 1.0e6),
    ),
    q(
        "tilt",
        "井盖倾角",
        "Cover tilt",
        "degree",
        "°",
        "deg",
        (0.0, 5.0),
    ),
    q(
        "water_level",
        "水位",
        "Water level",
        "metre",
        "m",
        "m",
        (0.0, 0.3),
    ),
    q(
        "pm25",
        "PM2.5",
        "PM2.5",
        "microgram per cubic metre",
        "µg/m³",
        "ug/m3",
        (0.0, 75.0),
    ),
    q(
        "pm10",
        "PM10",
        "PM10",
        "microgram per cubic metre",
        "µg/m³",
        "ug/m3",
        (0.0, 150.0),
    ),
    q(
        "noise",
        "等效声级",
        "Noise level",
        "decibel (A)",
        "dB(A)",
        "dB",
        (30.0, 70.0),
    ),
    q(
        "residual_current",
        "剩余电流",
        "Residual current",
        "milliampere",
        "mA",
        "mA",
        (0.0, 300.0),
    ),
    q(
        "cable_temp",
        "线缆温度",
        "Cable temperature",
        "degree Celsius",
        "°C",
        "Cel",
        (0.0, 70.0),
    ),
    q(
        "water_pressure",
        "消防水压",
        "Hydrant pressure",
        "megapascal",
        "MPa",
        "MPa",
        (0.1, 1.2),
    ),
    q(
        "door",
        "门开合",
        "Door open",
        "state (1 open)",
        "",
        "1",
        (0.0, 1.0),
    ),
    q(
        "elevator_fault",
        "电梯故障码",
        "Elevator fault code",
        "code (0 normal)",
        "",
        "1",
        (0.0, 0.0),
    ),
    q(
        "temperature",
        "温度",
        "Temperature",
        "degree Celsius",
        "°C",
        "Cel",
        (-5.0, 40.0),
    ),
    q(
        "humidity",
        "相对湿度",
        "Relative humidity",
        "percent",
        "%",
        "%",
        (10.0, 95.0),
    ),
    q(
        "lamp_power",
        "灯具功率",
        "Lamp power",
        "watt",
        "W",
        "W",
        (0.0, 400.0),
    ),
    q(
        "fill",
        "满溢度",
        "Fill level",
        "percent",
        "%",
        "%",
        (0.0, 90.0),
    ),
    q(
        "displacement",
        "位移",
        "Displacement",
        "millimetre",
        "mm",
        "mm",
        (0.0, 20.0),
    ),
    q(
        "strain",
        "应变",
        "Strain",
        "microstrain",
        "µε",
        "10*-6",
        (-500.0, 500.0),
    ),
    q(
        "occupied",
        "车位占用",
        "Bay occupied",
        "state (1 occupied)",
        "",
        "1",
        (0.0, 1.0),
    ),
    q(
        "people",
        "人数",
        "People",
        "persons",
        "人",
        "{persons}",
        (0.0, 2000.0),
    ),
    q(
        "throws",
        "抛物事件",
        "Thrown objects",
        "events",
        "次",
        "{events}",
        (0.0, 0.0),
    ),
];

/// The quantities a device type reports, in the order its payload lists values.
pub fn quantities(device_type: &str) -> &'static [&'static str] {
    match device_type {
        "烟感探测器" => &["smoke", "battery"],
        "可燃气体探测器" => &["gas"],
        "智能电表" => &["power", "energy"],
        "智能水表" => &["flow", "volume"],
        "井盖位移传感器" => &["tilt", "battery"],
        "水位监测仪" => &["water_level"],
        "空气质量监测仪" => &["pm25", "pm10"],
        "噪声监测仪" => &["noise"],
        "电气火灾监测器" => &["residual_current", "cable_temp"],
        "消防水压监测" => &["water_pressure"],
        "门磁传感器" => &["door"],
        "电梯运行监测" => &["elevator_fault"],
        "环境温湿度传感器" => &["temperature", "humidity"],
        "智能路灯控制器" => &["lamp_power"],
        "垃圾满溢传感器" => &["fill"],
        "边坡位移监测" => &["displacement"],
        "桥梁结构监测" => &["strain"],
        "地磁车位检测器" => &["occupied"],
        "人员密度感知器" => &["people"],
        "高空抛物监测" => &["throws"],
        _ => &[],
    }
}

/// The quantity with this key and its ObservedProperty id.
pub fn quantity(key: &str) -> Option<(i64, &'static Quantity)> {
    QUANTITIES
        .iter()
        .position(|q| q.key == key)
        .map(|i| (i as i64 + 1, &QUANTITIES[i]))
}

pub fn quantity_by_id(id: i64) -> Option<&'static Quantity> {
    usize::try_from(id - 1).ok().and_then(|i| QUANTITIES.get(i))
}

#[cfg(test)]
mod tests {
    use super::*;
    use citymirror_core::catalogue::DEVICE_TYPES;

    #[test]
    fn every_device_type_measures_something_known() {
        for (t, _) in DEVICE_TYPES {
            let qs = quantities(t);
            assert!(!qs.is_empty(), "{t} measures nothing");
            assert!(qs.len() <= crate::devices::STREAMS_PER_DEVICE as usize);
            for k in qs {
                assert!(quantity(k).is_some(), "{t}: unknown quantity {k}");
            }
        }
    }
}
