//! Rules and alarms: when a reading means someone must act.
//!
//! Each quantity has a default rule (its device type's, overridable per device): a
//! threshold with hysteresis — an alarm is raised when a reading crosses `raise` and
//! cleared only when one comes back past `clear`, so a value hovering at the threshold
//! raises one alarm, not many — and the request-loop service an alarm is filed under.
//! One alarm per stream is open at a time (de-duplication); a raised alarm and its
//! clearing are announced on [`crate::SensingService::alarms`], and the binary files
//! them through the request loop's one intake call, as a citizen's request is filed.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

/// Which side of the threshold is abnormal.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Threshold {
    /// Abnormal at or above `raise`; normal again at or below `clear` (< raise).
    Above { raise: f64, clear: f64 },
    /// Abnormal at or below `raise`; normal again at or above `clear` (> raise).
    Below { raise: f64, clear: f64 },
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rule {
    pub threshold: Threshold,
    /// The request-loop service (`catalog` code) an alarm is filed under.
    pub service: &'static str,
    /// What the ticket is called.
    pub title_zh: &'static str,
    pub urgent: bool,
}

const fn above(
    raise: f64,
    clear: f64,
    service: &'static str,
    title_zh: &'static str,
    urgent: bool,
) -> Rule {
    Rule {
        threshold: Threshold::Above { raise, clear },
        service,
        title_zh,
        urgent,
    }
}

const fn below(
    raise: f64,
    clear: f64,
    service: &'static str,
    title_zh: &'static str,
    urgent: bool,
) -> Rule {
    Rule {
        threshold: Threshold::Below { raise, clear },
        service,
        title_zh,
        urgent,
    }
}

/// The default rule of a quantity (see `catalog::QUANTITIES` for the healthy ranges).
pub fn default_rule(quantity: &str) -> Option<Rule> {
    Some(match quantity {
        "tilt" => above(15.0, 5.0, "0103", "井盖倾斜或位移告警", true),
        "water_level" => above(0.5, 0.3, "0109", "道路积水水位告警", true),
        "smoke" => above(10.0, 3.0, "0112", "烟感火情告警", true),
        "gas" => above(20.0, 10.0, "0112", "可燃气体浓度告警", true),
        "residual_current" => above(500.0, 300.0, "0112", "电气火灾剩余电流告警", true),
        "cable_temp" => above(90.0, 70.0, "0112", "线缆温度过高告警", true),
        "water_pressure" => below(0.05, 0.1, "0110", "消防水压不足告警", true),
        "elevator_fault" => above(1.0, 0.5, "0113", "电梯故障告警", true),
        "fill" => above(95.0, 80.0, "0107", "垃圾桶满溢告警", false),
        "displacement" => above(30.0, 20.0, "0112", "边坡位移告警", true),
        "strain" => above(800.0, 500.0, "0112", "桥梁应变超限告警", true),
        "pm25" => above(150.0, 75.0, "0304", "PM2.5 超标告警", false),
        "noise" => above(85.0, 70.0, "0302", "噪声超标告警", false),
        _ => return None,
    })
}

/// A change of a stream's alarm state.
#[derive(Clone, Debug, PartialEq)]
pub enum Alarm {
    Raised {
        stream: i64,
        device: i64,
        quantity: &'static str,
        value: f64,
        at: DateTime<Utc>,
        rule: Rule,
    },
    Cleared {
        stream: i64,
        device: i64,
        quantity: &'static str,
        value: f64,
        at: DateTime<Utc>,
        raised_at: DateTime<Utc>,
    },
}

impl Alarm {
    /// The stable reference the raised alarm's ticket is filed under (so a repeat of
    /// the same alarm finds the same ticket).
    pub fn source_ref(stream: i64, raised_at: DateTime<Utc>) -> String {
        format!("alarm:{stream}:{}", raised_at.timestamp_millis())
    }
}

/// Which streams are in alarm, since when.
#[derive(Debug, Default)]
pub struct AlarmBook {
    open: HashMap<i64, DateTime<Utc>>,
    /// Per-device overrides of the default rules (device id, quantity).
    overrides: HashMap<(i64, &'static str), Rule>,
}

impl AlarmBook {
    pub fn set_override(&mut self, device: i64, quantity: &'static str, rule: Rule) {
        self.overrides.insert((device, quantity), rule);
    }

    pub fn is_open(&self, stream: i64) -> bool {
        self.open.contains_key(&stream)
    }

    /// Takes one reading of a device's stream; the alarm it raises or clears, if any.
    /// Readings must come in time order per stream for hysteresis to mean anything; a
    /// reading older than the open alarm is ignored.
    pub fn observe(
        &mut self,
        stream: i64,
        device: i64,
        quantity: &'static str,
        value: f64,
        at: DateTime<Utc>,
    ) -> Option<Alarm> {
        let rule = self
            .overrides
            .get(&(device, quantity))
            .copied()
            .or_else(|| default_rule(quantity))?;
        let (abnormal, normal) = match rule.threshold {
            Threshold::Above { raise, clear } => (value >= raise, value <= clear),
            Threshold::Below { raise, clear } => (value <= raise, value >= clear),
        };
        match self.open.get(&stream).copied() {
            None if abnormal => {
                self.open.insert(stream, at);
                Some(Alarm::Raised {
                    stream,
                    device,
                    quantity,
                    value,
                    at,
                    rule,
                })
            }
            Some(since) if normal && at >= since => {
                self.open.remove(&stream);
                Some(Alarm::Cleared {
                    stream,
                    device,
                    quantity,
                    value,
                    at,
                    raised_at: since,
                })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_765_000_000 + s, 0).unwrap()
    }

    #[test]
    fn a_tilted_cover_raises_one_alarm_and_clears_only_when_level_again() {
        let mut book = AlarmBook::default();
        assert_eq!(book.observe(80, 10, "tilt", 2.0, t(0)), None);
        let raised = book.observe(80, 10, "tilt", 22.0, t(1));
        assert!(matches!(raised, Some(Alarm::Raised { rule, .. }) if rule.service == "0103"));
        // Hovering around the threshold: no new alarm, no clearing (hysteresis).
        for (i, v) in [14.0, 16.0, 12.0, 18.0, 6.0].into_iter().enumerate() {
            assert_eq!(
                book.observe(80, 10, "tilt", v, t(2 + i as i64)),
                None,
                "{v}"
            );
        }
        let cleared = book.observe(80, 10, "tilt", 3.0, t(10));
        assert!(matches!(cleared, Some(Alarm::Cleared { raised_at, .. }) if raised_at == t(1)));
        assert!(!book.is_open(80));
    }

    #[test]
    fn low_pressure_alarms_below_and_overrides_win() {
        let mut book = AlarmBook::default();
        assert!(matches!(
            book.observe(5, 1, "water_pressure", 0.02, t(0)),
            Some(Alarm::Raised { .. })
        ));
        assert_eq!(book.observe(5, 1, "water_pressure", 0.08, t(1)), None);
        assert!(matches!(
            book.observe(5, 1, "water_pressure", 0.2, t(2)),
            Some(Alarm::Cleared { .. })
        ));
        book.set_override(2, "tilt", above(40.0, 30.0, "0103", "x", true));
        assert_eq!(
            book.observe(16, 2, "tilt", 22.0, t(0)),
            None,
            "this device's own threshold is higher"
        );
        assert_eq!(
            book.observe(17, 3, "battery", 1.0, t(0)),
            None,
            "no rule, no alarm"
        );
    }
}
