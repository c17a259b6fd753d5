use super::*;

fn t(s: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_765_000_000 + s, 0).unwrap()
}

const COVER: DeviceInfo = DeviceInfo {
    id: 10,
    device_type: "井盖位移传感器",
    quantities: &["tilt", "battery"],
};
const GAUGE: DeviceInfo = DeviceInfo {
    id: 20,
    device_type: "水位监测仪",
    quantities: &["water_level"],
};
const HYDRANT: DeviceInfo = DeviceInfo {
    id: 1,
    device_type: "消防水压监测",
    quantities: &["water_pressure"],
};

fn info(id: i64) -> Option<(String, &'static [&'static str])> {
    [COVER, GAUGE, HYDRANT]
        .into_iter()
        .find(|d| d.id == id)
        .map(|d| (d.device_type.to_owned(), d.quantities))
}

fn one(v: Vec<Alarm>) -> Option<Alarm> {
    assert!(v.len() <= 1, "{v:?}");
    v.into_iter().next()
}

fn raised(a: &Option<Alarm>, c: Condition) -> bool {
    matches!(a, Some(Alarm { subject, change: AlarmChange::Raised(_), .. }) if subject.condition == c)
}

fn cleared(a: &Option<Alarm>, c: Condition) -> bool {
    matches!(a, Some(Alarm { subject, change: AlarmChange::Cleared { .. }, .. }) if subject.condition == c)
}

#[test]
fn a_tilted_cover_raises_one_alarm_and_clears_only_when_level_again() {
    let mut book = AlarmBook::default();
    assert_eq!(one(book.observe(&COVER, 0, 2.0, t(0), t(0))), None);
    let up = one(book.observe(&COVER, 0, 22.0, t(60), t(60)));
    assert!(raised(&up, Condition::Threshold));
    let Some(Alarm {
        change: AlarmChange::Raised(f),
        subject,
        ..
    }) = up
    else {
        unreachable!()
    };
    assert_eq!((f.service, f.urgent), ("0103", true));
    assert_eq!(subject.stream, 80, "the cover's tilt Datastream");
    assert_eq!(
        subject.source_ref(t(60)),
        format!("alarm:80:{}", t(60).timestamp_millis())
    );
    // Hovering around the threshold: no new alarm, no clearing (hysteresis).
    for (i, v) in [14.0, 16.0, 12.0, 18.0, 6.0].into_iter().enumerate() {
        let at = t(120 + 60 * i as i64);
        assert_eq!(one(book.observe(&COVER, 0, v, at, at)), None, "{v}");
    }
    let down = one(book.observe(&COVER, 0, 3.0, t(900), t(900)));
    assert!(
        matches!(&down, Some(Alarm { change: AlarmChange::Cleared { raised_at }, .. }) if *raised_at == t(60))
    );
    assert!(!book.is_open(80, Condition::Threshold));
    assert!(book.open_alarms().is_empty());
}

#[test]
fn low_pressure_alarms_below_and_a_device_override_wins() {
    let mut book = AlarmBook::default();
    assert!(raised(
        &one(book.observe(&HYDRANT, 0, 0.02, t(0), t(0))),
        Condition::Threshold
    ));
    assert_eq!(one(book.observe(&HYDRANT, 0, 0.08, t(60), t(60))), None);
    assert!(cleared(
        &one(book.observe(&HYDRANT, 0, 0.2, t(120), t(120))),
        Condition::Threshold
    ));

    let mut o = DeviceOverride::default();
    o.quantities.insert(
        "tilt".into(),
        QuantityOverride {
            threshold: Some(Threshold::Above {
                raise: 40.0,
                clear: 30.0,
            }),
            ..Default::default()
        },
    );
    book.set_override(COVER.id, o);
    assert_eq!(
        one(book.observe(&COVER, 0, 22.0, t(0), t(0))),
        None,
        "this cover's own threshold is higher"
    );
    assert!(raised(
        &one(book.observe(&COVER, 0, 45.0, t(60), t(60))),
        Condition::Threshold
    ));
    assert_eq!(
        one(book.observe(&COVER, 1, 1.0, t(0), t(0))),
        None,
        "battery: no rule, no alarm"
    );

    let mut off = DeviceOverride::default();
    off.quantities.insert(
        "water_pressure".into(),
        QuantityOverride {
            off: true,
            ..Default::default()
        },
    );
    book.set_override(HYDRANT.id, off);
    assert_eq!(
        one(book.observe(&HYDRANT, 0, 0.0, t(180), t(180))),
        None,
        "switched off"
    );
}

#[test]
fn water_rising_fast_alarms_on_its_rate_before_the_threshold() {
    let mut book = AlarmBook::default();
    assert_eq!(one(book.observe(&GAUGE, 0, 0.05, t(0), t(0))), None);
    // +0.15 m in one minute: under the 0.5 m threshold, over 0.1 m/min.
    let a = one(book.observe(&GAUGE, 0, 0.20, t(60), t(60)));
    assert!(raised(&a, Condition::Rate), "{a:?}");
    assert!(book.is_open(160, Condition::Rate));
    // Still rising, a little slower: stays open, not raised again.
    assert_eq!(one(book.observe(&GAUGE, 0, 0.28, t(120), t(120))), None);
    // Levelled off: cleared.
    assert!(cleared(
        &one(book.observe(&GAUGE, 0, 0.29, t(180), t(180))),
        Condition::Rate
    ));
    // A slow rise over an hour is no sudden change, even past the threshold's clear.
    let mut slow = AlarmBook::default();
    let mut v = 0.0;
    for m in 0..40 {
        v += 0.01;
        assert_eq!(
            one(slow.observe(&GAUGE, 0, v, t(60 * m), t(60 * m))),
            None,
            "minute {m}"
        );
    }
    // A reading older than the last is ignored (no negative gap, no false rate).
    assert_eq!(one(slow.observe(&GAUGE, 0, 0.0, t(0), t(3000))), None);
}

#[test]
fn a_device_that_falls_silent_is_reported_once_and_cleared_when_heard_again() {
    let mut book = AlarmBook::default();
    assert!(
        book.sweep(t(0), info).alarms.is_empty(),
        "never heard: never silent"
    );
    book.observe(&COVER, 0, 1.0, t(0), t(0));
    book.observe(&GAUGE, 0, 0.1, t(0), t(0));
    assert!(
        book.sweep(t(29 * 60), info).alarms.is_empty(),
        "within half an hour"
    );
    let silent = book.sweep(t(31 * 60), info).alarms;
    assert_eq!(silent.len(), 2, "both are life-safety devices: 30 minutes");
    let cover = silent
        .iter()
        .find(|a| a.subject.device == COVER.id)
        .unwrap();
    assert_eq!(cover.subject.condition, Condition::Silence);
    assert_eq!(cover.subject.stream, 80);
    assert!(
        matches!(&cover.change, AlarmChange::Raised(f) if f.service == "0103" && f.title_zh.contains("失联"))
    );
    assert!(
        book.sweep(t(90 * 60), info).alarms.is_empty(),
        "reported once"
    );
    let back = book.observe(&COVER, 0, 1.0, t(100 * 60), t(100 * 60));
    assert!(cleared(&one(back), Condition::Silence));
    // An override lengthens the limit; 0 switches silence off.
    book.set_override(
        COVER.id,
        DeviceOverride {
            silence_min: Some(0),
            ..Default::default()
        },
    );
    book.observe(&COVER, 0, 1.0, t(101 * 60), t(101 * 60));
    assert!(book.sweep(t(1000 * 60), info).alarms.is_empty());
}

#[test]
fn a_device_moved_from_where_it_was_installed_raises_a_geofence_alarm() {
    let mut book = AlarmBook::default();
    let home = (114.0550, 22.5410);
    // ~11 m east: inside the default 30 m.
    assert_eq!(book.locate(&COVER, home, (114.0551, 22.5410), t(0)), None);
    // ~100 m east: outside.
    let a = book.locate(&COVER, home, (114.0560, 22.5410), t(60));
    assert!(
        matches!(&a, Some(Alarm { value: Some(m), change: AlarmChange::Raised(_), .. }) if (90.0..120.0).contains(m))
    );
    assert_eq!(
        book.locate(&COVER, home, (114.0562, 22.5410), t(120)),
        None,
        "de-duplicated"
    );
    // Back to 27 m: inside the fence but not inside 0.8 of it — still open.
    assert_eq!(
        book.locate(&COVER, home, (114.05526, 22.5410), t(180)),
        None
    );
    assert!(cleared(
        &book.locate(&COVER, home, home, t(240)),
        Condition::Geofence
    ));
    let open: Vec<_> = book.open_alarms();
    assert!(open.is_empty(), "{open:?}");
}

#[test]
fn a_whole_network_falling_silent_at_once_is_an_outage_not_a_ticket_per_device() {
    let mut book = AlarmBook::default();
    let many: Vec<DeviceInfo> = (100..400).map(|id| DeviceInfo { id, ..COVER }).collect();
    for d in &many {
        book.observe(d, 0, 1.0, t(0), t(0));
    }
    let info = |_| Some(("井盖位移传感器".to_owned(), COVER.quantities));
    let swept = book.sweep(t(31 * 60), info);
    assert_eq!((swept.alarms.len(), swept.mass_silence), (0, 300));
    assert!(book.open_alarms().is_empty());
    // Three of them stay silent after the others are back: those are reported.
    for d in &many[3..] {
        book.observe(d, 0, 1.0, t(40 * 60), t(40 * 60));
    }
    for d in &many[..3] {
        book.observe(d, 0, 1.0, t(35 * 60), t(35 * 60));
    }
    let swept = book.sweep(t(66 * 60), info);
    assert_eq!(swept.alarms.len(), 3, "{swept:?}");
}
