//! The twin's IoT devices, seen as SensorThings entities.
//!
//! The twin's `devices` layer is the registry: a device is a feature there (placed,
//! typed, in a grid), and its Thing, Location, HistoricalLocation (its installation),
//! FeatureOfInterest and Datastreams are views of that feature, computed when read,
//! so they can never disagree with the twin and cost no storage for 180,000 devices.
//! Their ids are derived: the Thing, Location, HistoricalLocation and
//! FeatureOfInterest of device `d` are `d`; its Datastreams are `d × 8 + k` for its
//! k-th quantity; its Sensor is its device type's (ids 1–20) and its
//! ObservedProperties are the catalogue's (ids 1–26). Entities clients create get ids
//! from [`STORED_IDS_FROM`] up, so the two never meet. Views are read-only over
//! SensorThings: a device is changed in the twin (OGC API Features), and its
//! entities follow.

use chrono::{NaiveTime, TimeZone, Utc};
use citymirror_core::{catalogue::DEVICE_TYPES, LayerSchema, Value as V};
use geo::Geometry;
use serde_json::{json, Map, Value};

use crate::catalog::{self, quantities, QUANTITIES};

/// Datastream ids a device may use: `d × STREAMS_PER_DEVICE + k`.
pub const STREAMS_PER_DEVICE: i64 = 8;

/// The first id of an entity a client created (2⁴⁰: above every derived id, and well
/// inside the 2⁵³ a JavaScript client reads exactly).
pub const STORED_IDS_FROM: i64 = 1 << 40;

/// A device's fields, read from its twin feature.
#[derive(Clone, Debug, PartialEq)]
pub struct Device {
    pub id: i64,
    pub device_type: String,
    pub vendor: String,
    pub model: String,
    pub serial: String,
    pub status: String,
    pub installed: Option<chrono::NaiveDate>,
    pub grid_code: String,
    pub lon: f64,
    pub lat: f64,
}

impl Device {
    pub fn from_feature(schema: &LayerSchema, f: &citymirror_twin::Feature) -> Option<Device> {
        let text = |name: &str| match f.prop(schema, name) {
            Some(V::Text(s)) => s.clone(),
            _ => String::new(),
        };
        let (lon, lat) = match &f.geometry {
            Geometry::Point(p) => (p.x(), p.y()),
            _ => return None,
        };
        Some(Device {
            id: f.id,
            device_type: text("device_type"),
            vendor: text("vendor"),
            model: text("model"),
            serial: text("serial"),
            status: text("status"),
            installed: match f.prop(schema, "installed") {
                Some(V::Date(d)) => Some(*d),
                _ => None,
            },
            grid_code: text("grid_code"),
            lon,
            lat,
        })
    }

    /// Its datastreams: (id, quantity key).
    pub fn streams(&self) -> impl Iterator<Item = (i64, &'static str)> + '_ {
        quantities(&self.device_type)
            .iter()
            .enumerate()
            .map(|(k, q)| (self.id * STREAMS_PER_DEVICE + k as i64, *q))
    }

    pub fn sensor_id(&self) -> Option<i64> {
        sensor_of_type(&self.device_type)
    }

    fn point(&self) -> Value {
        json!({"type": "Point", "coordinates": [self.lon, self.lat]})
    }

    fn install_time(&self) -> String {
        let day = self.installed.unwrap_or_default();
        crate::time::iso(Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN)))
    }

    /// The Thing's own properties. `reveal_serial` is the reader's entitlement to the
    /// serial number (graded 一般-2 in the twin).
    pub fn thing(&self, reveal_serial: bool) -> Map<String, Value> {
        let serial = if reveal_serial {
            self.serial.clone()
        } else {
            String::new()
        };
        obj(json!({
            "name": format!("{} #{}", self.device_type, self.id),
            "description": format!("{} {} {}", self.vendor, self.model, self.device_type),
            "properties": {
                "device_type": self.device_type,
                "vendor": self.vendor,
                "model": self.model,
                "serial": if reveal_serial { Value::String(serial) } else { Value::Null },
                "status": self.status,
                "installed": self.installed.map(|d| d.to_string()),
                "grid": self.grid_code,
                "twin": format!("/ogc/collections/devices/items/{}", self.id),
            }
        }))
    }

    pub fn location(&self) -> Map<String, Value> {
        obj(json!({
            "name": format!("{} #{} 安装位置", self.device_type, self.id),
            "description": format!("网格 {}", self.grid_code),
            "encodingType": "application/geo+json",
            "location": self.point(),
            "properties": {"grid": self.grid_code},
        }))
    }

    pub fn historical_location(&self) -> Map<String, Value> {
        obj(json!({ "time": self.install_time() }))
    }

    pub fn feature_of_interest(&self) -> Map<String, Value> {
        obj(json!({
            "name": format!("{} #{} 监测点", self.device_type, self.id),
            "description": format!("网格 {}", self.grid_code),
            "encodingType": "application/geo+json",
            "feature": self.point(),
            "properties": {"grid": self.grid_code},
        }))
    }

    /// Datastream `k` of this device, if it has one.
    pub fn datastream(&self, k: usize) -> Option<Map<String, Value>> {
        let key = quantities(&self.device_type).get(k)?;
        let (_, q) = catalog::quantity(key)?;
        Some(obj(json!({
            "name": format!("{} #{} {}", self.device_type, self.id, q.name_zh),
            "description": format!("{} ({})", q.name_zh, q.name_en),
            "unitOfMeasurement": {"name": q.unit_name, "symbol": q.symbol, "definition": format!("ucum:{}", q.ucum)},
            "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
            "observedArea": self.point(),
            "properties": {"quantity": q.key, "normal": [q.normal.0, q.normal.1], "grid": self.grid_code},
        })))
    }
}

/// The Sensor id of a device type (its position in the catalogue + 1).
pub fn sensor_of_type(device_type: &str) -> Option<i64> {
    DEVICE_TYPES
        .iter()
        .position(|(t, _)| *t == device_type)
        .map(|i| i as i64 + 1)
}

/// The device type of a built-in Sensor.
pub fn type_of_sensor(id: i64) -> Option<&'static str> {
    usize::try_from(id - 1)
        .ok()
        .and_then(|i| DEVICE_TYPES.get(i))
        .map(|(t, _)| *t)
}

pub fn sensor(id: i64) -> Option<Map<String, Value>> {
    let t = type_of_sensor(id)?;
    Some(obj(json!({
        "name": t,
        "description": format!("{t}（区物联感知平台接入型号）"),
        "encodingType": "text/plain",
        "metadata": format!("measures: {}", quantities(t).join(", ")),
        "properties": {"device_type": t},
    })))
}

pub fn observed_property(id: i64) -> Option<Map<String, Value>> {
    let q = catalog::quantity_by_id(id)?;
    Some(obj(json!({
        "name": q.name_zh,
        "definition": format!("https://citymirror.example/def/quantity/{}", q.key),
        "description": q.name_en,
        "properties": {"key": q.key, "unit": q.symbol},
    })))
}

pub fn builtin_sensor_ids() -> impl Iterator<Item = i64> {
    1..=DEVICE_TYPES.len() as i64
}

pub fn builtin_observed_property_ids() -> impl Iterator<Item = i64> {
    1..=QUANTITIES.len() as i64
}

/// The derived Datastream id of a device's `k`th quantity.
pub fn datastream_id(device: i64, k: usize) -> i64 {
    device * STREAMS_PER_DEVICE + k as i64
}

/// The device and stream index of a derived Datastream id.
pub fn split_datastream(id: i64) -> Option<(i64, usize)> {
    (0..STORED_IDS_FROM)
        .contains(&id)
        .then_some((id / STREAMS_PER_DEVICE, (id % STREAMS_PER_DEVICE) as usize))
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manhole() -> Device {
        Device {
            id: 4242,
            device_type: "井盖位移传感器".into(),
            vendor: "汉威".into(),
            model: "JG-HN-200".into(),
            serial: "JG2024000001".into(),
            status: "在线".into(),
            installed: chrono::NaiveDate::from_ymd_opt(2023, 5, 1),
            grid_code: "44030400100101".into(),
            lon: 114.05,
            lat: 22.54,
        }
    }

    #[test]
    fn a_device_has_one_datastream_per_quantity_with_derived_ids() {
        let d = manhole();
        let streams: Vec<_> = d.streams().collect();
        assert_eq!(streams, vec![(4242 * 8, "tilt"), (4242 * 8 + 1, "battery")]);
        assert_eq!(split_datastream(4242 * 8 + 1), Some((4242, 1)));
        assert_eq!(split_datastream(STORED_IDS_FROM + 3), None);
        assert!(d.datastream(1).is_some());
        assert!(d.datastream(2).is_none());
    }

    #[test]
    fn the_serial_is_shown_only_to_who_may_see_it() {
        let d = manhole();
        assert_eq!(d.thing(true)["properties"]["serial"], "JG2024000001");
        assert_eq!(d.thing(false)["properties"]["serial"], Value::Null);
    }

    #[test]
    fn builtin_sensors_and_properties_resolve() {
        let s = sensor_of_type("井盖位移传感器").unwrap();
        assert_eq!(type_of_sensor(s), Some("井盖位移传感器"));
        assert!(sensor(s).is_some());
        assert!(sensor(0).is_none());
        assert!(observed_property(1).is_some());
        assert!(observed_property(QUANTITIES.len() as i64 + 1).is_none());
    }
}
