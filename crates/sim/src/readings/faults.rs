//! How many of the district's devices misbehave, and how often incidents happen.

use std::time::Duration;

use super::Storm;

/// How many of the devices misbehave, and how often incidents happen.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultConfig {
    /// Devices that never publish.
    pub silent_fraction: f64,
    /// Devices that publish for a while, then stop for good (each at its own moment
    /// within `stop_within` of the start): the platform's silence rule should notice.
    pub stopping_fraction: f64,
    pub stop_within: Duration,
    /// Devices whose lines are often garbled (half of them, each device with one
    /// defect: bad numbers, missing values, a bad timestamp, a serial the platform does
    /// not know, or JSON where the compact form is expected).
    pub malformed_fraction: f64,
    /// Devices whose sensor freezes (each at its own moment within `stop_within`) and
    /// repeats the same values from then on.
    pub stuck_fraction: f64,
    /// Devices whose sensor drifts away from the truth.
    pub drifting_fraction: f64,
    /// How fast a drifting sensor drifts: this share of its quantity's healthy span
    /// per hour.
    pub drift_per_hour: f64,
    /// Devices the twin marks offline (`status` 离线) never publish.
    pub offline_silent: bool,
    /// Incidents per device-hour, for the devices that have them: a manhole cover
    /// knocked askew, smoke, a gas leak, an elevator fault. Each lasts ten minutes and
    /// crosses its rule's alarm threshold.
    pub incident_rate: f64,
    /// A rainstorm, measured from the start.
    pub storm: Option<Storm>,
}

impl FaultConfig {
    /// Every device well, no incidents, no rain.
    pub fn none() -> FaultConfig {
        FaultConfig {
            silent_fraction: 0.0,
            stopping_fraction: 0.0,
            stop_within: Duration::from_secs(600),
            malformed_fraction: 0.0,
            stuck_fraction: 0.0,
            drifting_fraction: 0.0,
            drift_per_hour: 0.25,
            offline_silent: false,
            incident_rate: 0.0,
            storm: None,
        }
    }

    /// Why this configuration cannot be used, if it cannot.
    pub fn check(&self) -> Result<(), String> {
        let fractions = [
            ("silent", self.silent_fraction),
            ("stopping", self.stopping_fraction),
            ("malformed", self.malformed_fraction),
            ("stuck", self.stuck_fraction),
            ("drifting", self.drifting_fraction),
        ];
        for (name, f) in fractions {
            if !(0.0..=1.0).contains(&f) {
                return Err(format!("the {name} fraction {f} is not between 0 and 1"));
            }
        }
        let sum: f64 = fractions.iter().map(|(_, f)| f).sum();
        if sum > 1.0 + 1e-9 {
            return Err(format!(
                "the fault fractions add up to {sum}, more than every device"
            ));
        }
        if !(self.incident_rate.is_finite() && self.incident_rate >= 0.0) {
            return Err(format!(
                "the incident rate {} is not >= 0",
                self.incident_rate
            ));
        }
        if !(self.drift_per_hour.is_finite() && self.drift_per_hour >= 0.0) {
            return Err(format!("the drift {} is not >= 0", self.drift_per_hour));
        }
        if let Some(s) = &self.storm {
            if !(s.peak_mm_per_h.is_finite() && s.peak_mm_per_h >= 0.0) {
                return Err(format!("the storm's peak {} is not >= 0", s.peak_mm_per_h));
            }
            if s.duration.is_zero() || s.response.is_zero() {
                return Err("a storm lasts, and the ground answers it, for some time".into());
            }
            if s.every.is_some_and(|e| e.is_zero()) {
                return Err("a repeating storm repeats after some time".into());
            }
        }
        Ok(())
    }
}

impl Default for FaultConfig {
    /// A district on an ordinary day: a few percent of devices silent, a few in a
    /// thousand garbled, stuck or drifting, an incident per device every 2,000 hours.
    fn default() -> Self {
        FaultConfig {
            silent_fraction: 0.02,
            stopping_fraction: 0.005,
            stop_within: Duration::from_secs(600),
            malformed_fraction: 0.002,
            stuck_fraction: 0.005,
            drifting_fraction: 0.005,
            drift_per_hour: 0.25,
            offline_silent: true,
            incident_rate: 0.0005,
            storm: None,
        }
    }
}
