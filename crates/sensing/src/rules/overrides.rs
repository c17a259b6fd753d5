//! One device's own rules, where its type's defaults do not fit (a water-level gauge in
//! a deep culvert, a noise monitor next to a construction site with a permit). What an
//! operator sets is validated at the door, stored as one document, and replaces the
//! type's value field by field; a field left out keeps the default.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Threshold;
use crate::catalog;

/// One quantity's override: a threshold, a rate of rise, or the quantity's rules off.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuantityOverride {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<Threshold>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rise_per_min: Option<f64>,
    /// No alarms from this quantity.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub off: bool,
}

/// A device's overrides.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceOverride {
    /// By quantity key (`tilt`, `water_level`, …), among the device type's.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub quantities: BTreeMap<String, QuantityOverride>,
    /// Minutes without a reading before the device is reported silent; 0: never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub silence_min: Option<u32>,
    /// Metres from the installed place before the device is reported moved; 0: never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geofence_m: Option<f64>,
}

/// Why an override was refused.
#[derive(Debug, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidOverride(pub String);

impl DeviceOverride {
    /// Checks it against the device's type: known quantities, thresholds whose clear
    /// level lies on the normal side of the raise level, finite positive limits.
    pub fn validate(&self, device_type: &str) -> Result<(), InvalidOverride> {
        let own = catalog::quantities(device_type);
        let bad = |m: String| Err(InvalidOverride(m));
        for (key, q) in &self.quantities {
            if !own.contains(&key.as_str()) {
                return bad(format!(
                    "a {device_type} does not measure `{key}`; it measures {}",
                    own.join(", ")
                ));
            }
            match q.threshold {
                Some(Threshold::Above { raise, clear })
                    if !(raise.is_finite() && clear.is_finite() && clear < raise) =>
                {
                    return bad(format!(
                        "`{key}`: an upper threshold clears below where it raises (clear < raise)"
                    ))
                }
                Some(Threshold::Below { raise, clear })
                    if !(raise.is_finite() && clear.is_finite() && clear > raise) =>
                {
                    return bad(format!(
                        "`{key}`: a lower threshold clears above where it raises (clear > raise)"
                    ))
                }
                _ => {}
            }
            if q.rise_per_min.is_some_and(|r| !(r.is_finite() && r > 0.0)) {
                return bad(format!("`{key}`: rise_per_min is a positive number"));
            }
        }
        if self.silence_min.is_some_and(|m| m > 7 * 24 * 60) {
            return bad("silence_min is at most a week (10080); 0 turns it off".into());
        }
        if self
            .geofence_m
            .is_some_and(|m| !(m.is_finite() && (0.0..=100_000.0).contains(&m)))
        {
            return bad("geofence_m is 0 to 100000 metres; 0 turns it off".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> DeviceOverride {
        serde_json::from_str(s).unwrap()
    }

    #[test]
    fn an_override_names_only_what_the_device_measures_and_thresholds_that_clear() {
        let ok = parse(
            r#"{"quantities":{"water_level":{"threshold":{"above":{"raise":1.2,"clear":0.8}}}},"silence_min":10}"#,
        );
        assert_eq!(ok.validate("水位监测仪"), Ok(()));
        assert!(ok.validate("烟感探测器").unwrap_err().0.contains("smoke"));
        let inverted = parse(
            r#"{"quantities":{"water_level":{"threshold":{"above":{"raise":0.5,"clear":0.9}}}}}"#,
        );
        assert!(inverted.validate("水位监测仪").is_err());
        assert!(parse(r#"{"geofence_m":-1}"#)
            .validate("水位监测仪")
            .is_err());
        assert!(parse(r#"{"silence_min":20000}"#)
            .validate("水位监测仪")
            .is_err());
        assert!(serde_json::from_str::<DeviceOverride>(r#"{"silence":3}"#).is_err());
    }
}
