//! Time: unquoted datetime literals against the ISO 8601 text entities carry, intervals,
//! durations, and the bounds a store can push down.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::{eval, holds, observation, parse, value_of};
use crate::query::compare_for_orderby;

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

#[test]
fn a_datetime_literal_compares_with_instant_text_as_an_instant() {
    // phenomenonTime is 2026-03-01T08:00:00+08:00, i.e. 2026-03-01T00:00:00Z.
    let o = observation();
    assert!(holds("phenomenonTime eq 2026-03-01T00:00:00Z", &o));
    assert!(holds("phenomenonTime ge 2026-03-01T00:00:00Z", &o));
    assert!(holds("phenomenonTime lt 2026-03-01T00:00:00.001Z", &o));
    assert!(holds("phenomenonTime gt 2026-03-01T07:59:59+08:00", &o));
    assert!(!holds(
        "phenomenonTime gt 2026-03-01T08:00:00.000+08:00",
        &o
    ));
    assert!(holds("2026-02-28T00:00:00Z lt phenomenonTime", &o));
}

#[test]
fn two_instant_texts_compare_as_instants() {
    let o = observation();
    // Lexically "2026-03-01T08…" > "2026-03-01T00…"; as instants resultTime is 5 s later.
    assert!(holds("resultTime gt phenomenonTime", &o));
    assert!(holds("resultTime gt '2026-03-01T07:00:00+08:00'", &o));
}

#[test]
fn a_date_literal_is_its_midnight_utc() {
    let o = observation();
    assert!(holds("phenomenonTime ge 2026-03-01", &o));
    assert!(holds("phenomenonTime lt 2026-03-02", &o));
}

#[test]
fn an_interval_phenomenon_time_is_inside_a_window_only_wholly() {
    let o = json!({"phenomenonTime": "2026-01-01T00:00:00Z/2026-01-01T01:00:00Z"});
    // ge: started at or after; le: ended at or before.
    assert!(holds(
        "phenomenonTime ge 2026-01-01T00:00:00Z and phenomenonTime le 2026-01-01T01:00:00Z",
        &o
    ));
    assert!(!holds("phenomenonTime ge 2026-01-01T00:30:00Z", &o));
    assert!(!holds("phenomenonTime le 2026-01-01T00:30:00Z", &o));
    assert!(holds("phenomenonTime gt 2025-12-31T23:59:59Z", &o));
    assert!(holds("phenomenonTime lt 2026-01-01T01:00:01Z", &o));
    assert!(!holds("phenomenonTime lt 2026-01-01T01:00:00Z", &o));
    // Equal only when both ends are.
    assert!(!holds("phenomenonTime eq 2026-01-01T00:00:00Z", &o));
    assert!(holds(
        "phenomenonTime eq 2026-01-01T00:00:00Z/2026-01-01T01:00:00Z",
        &o
    ));
    assert!(holds("phenomenonTime ne 2026-01-01T00:00:00Z", &o));
    // Date functions read an interval's start.
    assert_eq!(eval("hour(phenomenonTime)", &o), json!(0));
}

#[test]
fn an_instant_compares_with_an_interval_literal_by_its_ends() {
    let o = observation(); // 2026-03-01T00:00:00Z
    assert!(holds(
        "phenomenonTime gt 2026-02-01T00:00:00Z/2026-02-28T00:00:00Z",
        &o
    ));
    assert!(holds(
        "phenomenonTime lt 2026-03-02T00:00:00Z/2026-03-03T00:00:00Z",
        &o
    ));
    assert!(!holds(
        "phenomenonTime gt 2026-02-01T00:00:00Z/2026-03-02T00:00:00Z",
        &o
    ));
}

#[test]
fn text_that_is_not_time_never_matches_a_time_comparison() {
    let o = json!({"name": "yesterday"});
    assert!(!holds("name gt 2026-01-01T00:00:00Z", &o));
    assert!(!holds("name eq 2026-01-01T00:00:00Z", &o));
}

#[test]
fn durations_shift_instants() {
    assert_eq!(
        value_of("2026-01-01T00:00:00Z add duration'P1DT2H'"),
        json!("2026-01-02T02:00:00Z")
    );
    assert_eq!(
        value_of("2026-01-01T00:00:00Z sub duration'PT30M'"),
        json!("2025-12-31T23:30:00Z")
    );
    assert_eq!(
        value_of("2026-01-02T00:00:00Z sub 2026-01-01T00:00:00Z"),
        json!("P1D")
    );
    assert_eq!(
        value_of("duration'PT1H' add duration'PT30M'"),
        json!("PT1H30M")
    );
    assert!(holds(
        "phenomenonTime add duration'P1D' gt 2026-03-01T12:00:00Z",
        &observation()
    ));
    assert!(holds(
        "resultTime sub phenomenonTime eq duration'PT5S'",
        &observation()
    ));
    assert!(holds("duration'PT1H' gt duration'PT59M'", &observation()));
    assert!(holds("now() sub duration'P1D' lt now()", &observation()));
}

#[test]
fn eval_gives_instants_back_as_rfc3339() {
    assert_eq!(
        value_of("2026-01-01T08:00:00+08:00"),
        json!("2026-01-01T08:00:00+08:00")
    );
    assert_eq!(
        value_of("2026-01-01T00:00:00.000Z"),
        json!("2026-01-01T00:00:00Z")
    );
}

#[test]
fn time_bounds_come_from_top_level_conjuncts() {
    let e = parse("phenomenonTime ge 2026-01-01T00:00:00Z and result gt 3 and phenomenonTime lt 2026-02-01T00:00:00+08:00");
    assert_eq!(
        e.time_bounds("phenomenonTime"),
        (
            Some(utc("2026-01-01T00:00:00Z")),
            Some(utc("2026-01-31T16:00:00Z"))
        )
    );
    assert_eq!(e.time_bounds("resultTime"), (None, None));
}

#[test]
fn time_bounds_take_the_tightest_and_read_either_side() {
    let e = parse(
        "(2026-01-05T00:00:00Z le phenomenonTime and phenomenonTime gt 2026-01-01T00:00:00Z) and phenomenonTime le 2026-01-09T00:00:00Z and phenomenonTime lt 2026-01-10T00:00:00Z",
    );
    assert_eq!(
        e.time_bounds("phenomenonTime"),
        (
            Some(utc("2026-01-05T00:00:00Z")),
            Some(utc("2026-01-09T00:00:00Z"))
        )
    );
}

#[test]
fn time_bounds_from_equality_intervals_dates_and_constants() {
    let t = "2026-01-01T00:00:00Z";
    assert_eq!(
        parse(&format!("phenomenonTime eq {t}")).time_bounds("phenomenonTime"),
        (Some(utc(t)), Some(utc(t)))
    );
    assert_eq!(
        parse("phenomenonTime ge 2026-01-01T00:00:00Z/2026-01-02T00:00:00Z")
            .time_bounds("phenomenonTime"),
        (Some(utc("2026-01-02T00:00:00Z")), None)
    );
    assert_eq!(
        parse("resultTime ge 2026-01-01").time_bounds("resultTime"),
        (Some(utc(t)), None)
    );
    let (lo, hi) = parse("phenomenonTime ge now() sub duration'P1D'").time_bounds("phenomenonTime");
    assert!(lo.is_some_and(|lo| lo < Utc::now()) && hi.is_none());
    assert_eq!(
        parse("Datastream/phenomenonTime le 2026-01-01T00:00:00Z")
            .time_bounds("Datastream/phenomenonTime"),
        (None, Some(utc(t)))
    );
}

#[test]
fn time_bounds_are_conservative() {
    for text in [
        "phenomenonTime ge 2026-01-01T00:00:00Z or result gt 3",
        "not (phenomenonTime lt 2026-01-01T00:00:00Z)",
        "phenomenonTime ne 2026-01-01T00:00:00Z",
        "phenomenonTime ge resultTime",
        // A quoted string compares as text with a property that is not time.
        "phenomenonTime ge '2026-01-01T00:00:00Z'",
        "year(phenomenonTime) ge 2026",
    ] {
        assert_eq!(
            parse(text).time_bounds("phenomenonTime"),
            (None, None),
            "{text}"
        );
    }
}

#[test]
fn orderby_puts_nulls_first_and_compares_like_kinds_naturally() {
    use std::cmp::Ordering::*;
    assert_eq!(compare_for_orderby(&json!(null), &json!(0)), Less);
    assert_eq!(compare_for_orderby(&json!(null), &json!(null)), Equal);
    assert_eq!(compare_for_orderby(&json!(9), &json!(10)), Less);
    assert_eq!(compare_for_orderby(&json!(2.5), &json!(2)), Greater);
    assert_eq!(compare_for_orderby(&json!("b"), &json!("a")), Greater);
    // As text "…T08:00:00+08:00" > "…T01:00:00Z"; as instants it is earlier.
    assert_eq!(
        compare_for_orderby(
            &json!("2026-01-01T08:00:00+08:00"),
            &json!("2026-01-01T01:00:00Z")
        ),
        Less
    );
    assert_eq!(
        compare_for_orderby(
            &json!("2026-01-01T00:00:00Z/2026-01-01T01:00:00Z"),
            &json!("2026-01-01T00:30:00Z")
        ),
        Less
    );
    assert_eq!(compare_for_orderby(&json!(false), &json!(true)), Less);
    assert_eq!(compare_for_orderby(&json!(1), &json!("1")), Less);
}
