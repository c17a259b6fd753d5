use std::collections::HashSet;

use chrono::{NaiveDate, TimeZone, Utc};
use citymirror_core::catalogue::DEVICE_TYPES;
use citymirror_sensing::{payload::vendor_lines, rules};

use super::*;

fn device(id: i64, device_type: &str) -> Device {
    Device {
        id,
        device_type: device_type.into(),
        vendor: "华为".into(),
        model: "HW-SW100".into(),
        serial: format!("HW24{:08}", id * 7919 % 100_000_000),
        status: "在线".into(),
        installed: NaiveDate::from_ymd_opt(2021, 5, 1),
        grid_code: "440304001001001".into(),
        lon: 114.05,
        lat: 22.54,
    }
}

/// Shenzhen local time.
fn cst(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap() - TimeDelta::hours(8)
}

/// Where the platform's default rule for this quantity raises its alarm.
fn raise(key: &str) -> f64 {
    match rules::defaults::quantity_rule(key).and_then(|r| r.threshold) {
        Some(rules::Threshold::Above { raise, .. }) => raise,
        other => panic!("{key}: {other:?}"),
    }
}

fn values(e: Emission) -> Vec<f64> {
    match e {
        Emission::Values(v) => v,
        other => panic!("expected values, got {other:?}"),
    }
}

/// The first gauge (from id 1) with this flood-proneness.
fn gauge(model: &ReadingModel, flood_prone: bool) -> Device {
    (1..)
        .map(|id| device(id, "水位监测仪"))
        .find(|d| model.traits(d).flood_prone == flood_prone)
        .unwrap()
}

#[test]
fn healthy_readings_lie_in_their_healthy_range_and_read_back() {
    let mut model = ReadingModel::new(7, FaultConfig::none());
    for (start, days) in [(cst(2026, 1, 10, 0, 0), 3), (cst(2026, 7, 20, 0, 0), 3)] {
        for (t, _) in DEVICE_TYPES {
            let keys = catalog::quantities(t);
            for id in 1..=40 {
                let d = device(id, t);
                let mut at = start;
                while at < start + TimeDelta::days(days) {
                    let v = values(model.reading(&d, at));
                    assert_eq!(v.len(), keys.len(), "{t}");
                    for (v, key) in v.iter().zip(keys) {
                        let (lo, hi) = normal(key);
                        assert!(
                            (lo..=hi).contains(v),
                            "{t} #{id} {key} = {v} at {at}, healthy is {lo}..{hi}"
                        );
                    }
                    // The line reads back exactly.
                    let line = vendor_line(&d.serial, at, &v);
                    let read = vendor_lines(line.as_bytes());
                    let read = read[0].as_ref().expect("a well-formed line");
                    assert_eq!(read.serial, d.serial);
                    assert_eq!(read.time, at);
                    assert_eq!(read.values, v.iter().map(|x| Some(*x)).collect::<Vec<_>>());
                    at += TimeDelta::minutes(53);
                }
            }
        }
    }
}

#[test]
fn rain_raises_the_water_level_with_a_lag_then_it_recedes() {
    let t0 = cst(2026, 6, 1, 14, 0);
    let rain = Rain {
        start: t0,
        duration: TimeDelta::minutes(40),
        peak_mm_per_h: 60.0,
    };
    let weather = Weather::rain(rain, TimeDelta::minutes(10));
    let mut model = ReadingModel::new(3, FaultConfig::none()).with_weather(weather.clone());
    assert_eq!(
        weather.at(t0 - TimeDelta::minutes(5)),
        WeatherNow::default()
    );
    for flood_prone in [false, true] {
        let d = gauge(&model, flood_prone);
        let level = |model: &mut ReadingModel, at| values(model.reading(&d, at))[0];
        let dry = level(&mut model, t0 - TimeDelta::minutes(1));
        let series: Vec<(DateTime<Utc>, f64)> = (0..=6 * 60)
            .map(|m| t0 + TimeDelta::minutes(m))
            .map(|at| (at, level(&mut model, at)))
            .collect();
        let &(peak_at, peak) = series.iter().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
        // The rain peaks 20 minutes in; the street's water later.
        assert!(peak_at > t0 + TimeDelta::minutes(25), "peaks at {peak_at}");
        assert!(peak > dry + 0.02, "{dry} → {peak}");
        assert!(
            level(&mut model, t0 + TimeDelta::minutes(5)) < peak,
            "rises gradually"
        );
        let after = series.last().unwrap().1;
        assert!((after - dry).abs() < 0.01, "recedes: {dry} → {after}");
        let raise = raise("water_level");
        if flood_prone {
            assert!(peak >= raise, "a low spot floods past the alarm: {peak}");
        } else {
            assert!(
                peak <= normal("water_level").1,
                "others stay healthy: {peak}"
            );
        }
    }
    // Rain wets the ground: humidity up, dust down.
    let w = weather.at(t0 + TimeDelta::minutes(30));
    assert!(w.rain_mm_per_h > 0.0 && w.wetness > 0.5, "{w:?}");
}

#[test]
fn a_storm_in_the_configuration_starts_with_the_model_and_repeats() {
    let t0 = cst(2026, 6, 1, 14, 0);
    let faults = FaultConfig {
        storm: Some(Storm {
            after: Duration::from_secs(600),
            every: Some(Duration::from_secs(4 * 3600)),
            ..Storm::default()
        }),
        ..FaultConfig::none()
    };
    let mut model = ReadingModel::new(3, faults).starting_at(t0);
    assert_eq!(model.weather(t0 + TimeDelta::minutes(9)).rain_mm_per_h, 0.0);
    let first = model.weather(t0 + TimeDelta::minutes(30));
    let again = model.weather(t0 + TimeDelta::minutes(30 + 4 * 60));
    assert!(first.rain_mm_per_h > 30.0);
    assert!((first.rain_mm_per_h - again.rain_mm_per_h).abs() < 1e-9);
    assert!(
        model
            .weather(t0 + TimeDelta::minutes(3 * 60))
            .runoff_mm_per_h
            < 0.5
    );
}

#[test]
fn a_silent_device_never_emits_and_a_stopping_one_stops_for_good() {
    let t0 = cst(2026, 3, 1, 9, 0);
    let silent = FaultConfig {
        silent_fraction: 1.0,
        ..FaultConfig::none()
    };
    let mut model = ReadingModel::new(1, silent);
    for (t, _) in DEVICE_TYPES {
        for id in 1..=20 {
            for m in 0..50 {
                let at = t0 + TimeDelta::minutes(m * 97);
                assert_eq!(model.reading(&device(id, t), at), Emission::Silent);
            }
        }
    }
    // The twin's offline devices say nothing either.
    let mut model = ReadingModel::new(1, FaultConfig::default());
    let mut offline = device(5, "烟感探测器");
    offline.status = "离线".into();
    assert_eq!(model.traits(&offline).fault, Fault::Silent);
    assert_eq!(model.reading(&offline, t0), Emission::Silent);

    let stopping = FaultConfig {
        stopping_fraction: 1.0,
        stop_within: Duration::from_secs(600),
        ..FaultConfig::none()
    };
    let mut model = ReadingModel::new(1, stopping).starting_at(t0);
    for id in 1..=50 {
        let d = device(id, "噪声监测仪");
        assert!(matches!(model.reading(&d, t0), Emission::Values(_)));
        for m in 10..200 {
            let at = t0 + TimeDelta::minutes(m * 7);
            assert_eq!(model.reading(&d, at), Emission::Silent, "#{id} at +{m}");
        }
    }
}

#[test]
fn malformed_lines_are_refused_by_the_payload_reader() {
    let faults = FaultConfig {
        malformed_fraction: 1.0,
        ..FaultConfig::none()
    };
    let mut model = ReadingModel::new(11, faults);
    let t0 = cst(2026, 3, 1, 9, 0);
    let (mut bad, mut good) = (0, 0);
    let mut defects = HashSet::new();
    for (t, _) in DEVICE_TYPES {
        for id in 1..=30 {
            let d = device(id, t);
            let Fault::Malformed(defect) = model.traits(&d).fault else {
                panic!("every device is malformed");
            };
            defects.insert(defect);
            for m in 0..10 {
                let at = t0 + TimeDelta::seconds(m * 61);
                match model.reading(&d, at) {
                    Emission::Malformed(line) => {
                        bad += 1;
                        let read = vendor_lines(line.as_bytes());
                        assert_eq!(read.len(), 1, "{line}");
                        match &read[0] {
                            Err(_) => assert_ne!(defect, Defect::UnknownSerial, "{line}"),
                            Ok(l) => {
                                // It reads, but names a device the platform does not know.
                                assert_eq!(defect, Defect::UnknownSerial, "{line}");
                                assert_ne!(l.serial, d.serial);
                                assert!(
                                    l.serial.chars().any(|c| c == '-' || c.is_lowercase()),
                                    "{line}"
                                );
                            }
                        }
                    }
                    Emission::Values(_) => good += 1,
                    Emission::Silent => panic!("malformed devices are not silent"),
                }
            }
        }
    }
    assert_eq!(defects.len(), DEFECTS.len(), "{defects:?}");
    let share = bad as f64 / (bad + good) as f64;
    assert!((0.4..0.6).contains(&share), "{share}");
}

#[test]
fn the_same_seed_gives_the_same_readings_in_any_order() {
    let faults = FaultConfig {
        incident_rate: 0.5,
        ..FaultConfig::default()
    };
    let t0 = cst(2026, 3, 1, 9, 0);
    let devices: Vec<Device> = DEVICE_TYPES
        .iter()
        .enumerate()
        .flat_map(|(i, (t, _))| (0..20).map(move |k| device(i as i64 * 100 + k, t)))
        .collect();
    let run = |seed: u64, reverse: bool| {
        let mut model = ReadingModel::new(seed, faults.clone()).starting_at(t0);
        let mut out = Vec::new();
        for m in 0..5 {
            let at = t0 + TimeDelta::seconds(m * 17);
            let mut batch: Vec<_> = devices
                .iter()
                .map(|d| (d.id, model.reading(d, at)))
                .collect();
            if reverse {
                batch = devices
                    .iter()
                    .rev()
                    .map(|d| (d.id, model.reading(d, at)))
                    .collect();
                batch.reverse();
            }
            out.extend(batch);
        }
        out
    };
    assert_eq!(run(5, false), run(5, false));
    assert_eq!(run(5, false), run(5, true));
    assert_ne!(run(5, false), run(6, false));
}

#[test]
fn incidents_cross_the_alarm_thresholds() {
    // Six an hour: every ten-minute bucket has one.
    let faults = FaultConfig {
        incident_rate: 6.0,
        ..FaultConfig::none()
    };
    let mut model = ReadingModel::new(2, faults);
    let t0 = cst(2026, 3, 1, 9, 0);
    for t in [
        "井盖位移传感器",
        "烟感探测器",
        "可燃气体探测器",
        "电梯运行监测",
    ] {
        let key = catalog::quantities(t)[0];
        let raise = raise(key);
        for id in 1..=20 {
            let v = values(model.reading(&device(id, t), t0))[0];
            assert!(v >= raise, "{t} {key} = {v}, alarm at {raise}");
        }
    }
    // At the default rate, rare: about one device in 12,000 in any ten minutes.
    let model = ReadingModel::new(2, FaultConfig::default());
    let n = (1..=100_000)
        .filter(|&id| model.in_incident(&device(id, "烟感探测器"), t0))
        .count();
    assert!((1..40).contains(&n), "{n}");
    assert!(!model.in_incident(&device(1, "噪声监测仪"), t0));
}

#[test]
fn stuck_sensors_repeat_themselves_and_drifting_ones_wander_off() {
    let t0 = cst(2026, 3, 1, 9, 0);
    let stuck = FaultConfig {
        stuck_fraction: 1.0,
        ..FaultConfig::none()
    };
    let mut model = ReadingModel::new(4, stuck).starting_at(t0);
    let d = device(9, "空气质量监测仪");
    let frozen = values(model.reading(&d, t0 + TimeDelta::minutes(11)));
    for m in 12..100 {
        assert_eq!(
            values(model.reading(&d, t0 + TimeDelta::minutes(m * 13))),
            frozen
        );
    }
    let drifting = FaultConfig {
        drifting_fraction: 1.0,
        ..FaultConfig::none()
    };
    let mut model = ReadingModel::new(4, drifting).starting_at(t0);
    for id in 1..=20 {
        let d = device(id, "噪声监测仪");
        let Fault::Drifting { per_hour } = model.traits(&d).fault else {
            panic!()
        };
        let start = values(model.reading(&d, t0))[0];
        let later = values(model.reading(&d, t0 + TimeDelta::hours(12)))[0];
        assert!(
            (later - start) * per_hour.signum() > 20.0,
            "{start} → {later} ({per_hour}/h)"
        );
        let (lo, hi) = normal("noise");
        assert!(!(lo..=hi).contains(&later), "{later}");
    }
}

fn mean(
    model: &mut ReadingModel,
    t: &str,
    k: usize,
    at: DateTime<Utc>,
    keep: impl Fn(&Device) -> bool,
) -> f64 {
    let v: Vec<f64> = (1..=400)
        .map(|id| device(id, t))
        .filter(|d| keep(d))
        .map(|d| values(model.reading(&d, at))[k])
        .collect();
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn the_city_keeps_the_days_rhythm() {
    let mut m = ReadingModel::new(8, FaultConfig::none());
    let night = cst(2026, 4, 2, 3, 0);
    let rush = cst(2026, 4, 2, 18, 0);
    let noon = cst(2026, 4, 2, 12, 0);
    let late = cst(2026, 4, 2, 22, 0);
    let all = |_: &Device| true;
    assert!(
        mean(&mut m, "噪声监测仪", 0, night, all) + 10.0 < mean(&mut m, "噪声监测仪", 0, rush, all)
    );
    assert!(
        mean(&mut m, "空气质量监测仪", 0, night, all)
            < mean(&mut m, "空气质量监测仪", 0, rush, all)
    );
    assert!(mean(&mut m, "智能路灯控制器", 0, late, all) > 80.0);
    assert!(mean(&mut m, "智能路灯控制器", 0, noon, all) < 1.5);
    assert!(
        mean(&mut m, "人员密度感知器", 0, night, all) * 5.0
            < mean(&mut m, "人员密度感知器", 0, rush, all)
    );
    let model = m.clone();
    let home = |d: &Device| model.traits(d).home_parking;
    let work = |d: &Device| !model.traits(d).home_parking;
    assert!(mean(&mut m, "地磁车位检测器", 0, night, home) > 0.8);
    assert!(mean(&mut m, "地磁车位检测器", 0, night, work) < 0.25);
    assert!(mean(&mut m, "地磁车位检测器", 0, noon, work) > 0.6);
    // Charging piles: busiest on the night tariff; a charging pile draws power.
    let chargers = |d: &Device| model.traits(d).charger;
    assert!(
        mean(&mut m, "智能电表", 0, night, chargers)
            > 1.5 * mean(&mut m, "智能电表", 0, cst(2026, 4, 2, 9, 0), chargers)
    );
    for id in 1..=400 {
        let d = device(id, "智能电表");
        if let Some(state) = m.charger_state(&d, night) {
            let power = values(m.reading(&d, night))[0];
            assert_eq!(
                state == ChargerState::Charging,
                power > 5.0,
                "{state:?} {power}"
            );
        }
    }
}

#[test]
fn batteries_drain_and_counters_only_grow() {
    let mut m = ReadingModel::new(8, FaultConfig::none());
    let t0 = cst(2026, 4, 2, 3, 0);
    let mut drained = 0;
    for id in 1..=200 {
        let d = device(id, "井盖位移传感器");
        let a = values(m.reading(&d, t0))[1];
        let b = values(m.reading(&d, t0 + TimeDelta::days(7)))[1];
        if b < a {
            drained += 1;
        } else {
            assert!(b > 90.0, "only a new battery is fuller: {a} → {b}");
        }
        for t in ["智能电表", "智能水表"] {
            let d = device(id, t);
            let mut last = 0.0;
            for h in 0..48 {
                let v = values(m.reading(&d, t0 + TimeDelta::hours(h)))[1];
                assert!(v >= last, "{t} counter went back: {last} → {v}");
                last = v;
            }
        }
    }
    assert!(drained >= 190, "{drained}");
}

#[test]
fn fault_configurations_are_checked() {
    assert!(FaultConfig::default().check().is_ok());
    assert!(FaultConfig::none().check().is_ok());
    let too_many = FaultConfig {
        silent_fraction: 0.7,
        malformed_fraction: 0.5,
        ..FaultConfig::none()
    };
    assert!(too_many.check().is_err());
    let negative = FaultConfig {
        stuck_fraction: -0.1,
        ..FaultConfig::none()
    };
    assert!(negative.check().is_err());
}

#[test]
fn healthy_streams_rise_slower_than_the_rate_rules() {
    let t0 = cst(2026, 6, 1, 14, 0);
    for storm in [
        Storm::default(),
        Storm::lasting(Duration::from_secs(60), 60.0),
    ] {
        let faults = FaultConfig {
            storm: Some(storm),
            ..FaultConfig::none()
        };
        let model = ReadingModel::new(5, faults).starting_at(t0);
        no_stream_rises_faster_than_its_rule(model, t0);
    }
}

fn no_stream_rises_faster_than_its_rule(mut model: ReadingModel, t0: DateTime<Utc>) {
    for (t, _) in DEVICE_TYPES {
        for (k, key) in catalog::quantities(t).iter().enumerate() {
            let Some(limit) = rules::defaults::quantity_rule(key).and_then(|r| r.rise_per_min)
            else {
                continue;
            };
            for id in 1..=30 {
                let d = device(id, t);
                if model.traits(&d).flood_prone {
                    continue;
                }
                let mut last = values(model.reading(&d, t0))[k];
                let mut fastest = 0.0f64;
                // A reading a second, through the storm.
                for s in 1..(2 * 3600) {
                    let v = values(model.reading(&d, t0 + TimeDelta::seconds(s)))[k];
                    fastest = fastest.max((v - last) * 60.0);
                    last = v;
                }
                assert!(
                    fastest < limit,
                    "{t} #{id} {key} rose {fastest}/min, limit {limit}"
                );
            }
        }
    }
}

#[test]
fn even_a_short_storm_fills_ordinary_gauges_slower_than_the_rate_rule() {
    let limit = rules::defaults::quantity_rule("water_level")
        .and_then(|r| r.rise_per_min)
        .unwrap();
    let t0 = cst(2026, 6, 1, 14, 0);
    for minutes in [1, 2, 5, 8, 15, 40, 120] {
        let storm = Storm::lasting(Duration::from_secs(minutes * 60), 60.0);
        let faults = FaultConfig {
            storm: Some(storm),
            ..FaultConfig::none()
        };
        let mut model = ReadingModel::new(5, faults).starting_at(t0);
        let gauges: Vec<Device> = (1..=200)
            .map(|id| device(id, "水位监测仪"))
            .filter(|d| !model.traits(d).flood_prone)
            .collect();
        let mut fastest = 0.0f64;
        for d in &gauges {
            let mut last = values(model.reading(d, t0))[0];
            for s in (5..(minutes as i64 * 60 + 1800)).step_by(5) {
                let v = values(model.reading(d, t0 + TimeDelta::seconds(s)))[0];
                fastest = fastest.max((v - last) * 12.0);
                last = v;
            }
        }
        assert!(fastest < limit, "a {minutes}-minute storm: {fastest} m/min");
    }
}
