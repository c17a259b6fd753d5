//! §9.3.3.5.2 built-in functions: each one at least once.

use serde_json::json;

use super::{eval, holds, observation, parse, value_of};
use crate::query::Func;

#[test]
fn every_function_has_a_spelling_the_parser_knows() {
    for f in Func::ALL {
        assert_eq!(Func::from_name(f.name()), Some(*f));
        assert_eq!(Func::from_name(&f.name().to_uppercase()), Some(*f));
    }
}

#[test]
fn substringof_asks_whether_the_first_is_inside_the_second() {
    let o = observation();
    assert!(holds("substringof('gauge', Datastream/Thing/name)", &o));
    assert!(!holds("substringof(Datastream/Thing/name, 'gauge')", &o));
}

#[test]
fn contains_startswith_endswith_use_odata_4_order() {
    let o = observation();
    assert!(holds("contains(Datastream/Thing/name, 'Neil')", &o));
    assert!(holds("startswith(Datastream/Thing/name, 'O''Neil')", &o));
    assert!(holds("endswith(Datastream/Thing/name, 'gauge')", &o));
    assert!(!holds("endswith(Datastream/Thing/name, 'O')", &o));
}

#[test]
fn length_and_positions_count_characters() {
    let o = observation();
    assert_eq!(eval("length(Datastream/name)", &o), json!(4));
    assert_eq!(value_of("indexof('积水深度', '深度')"), json!(2));
    assert_eq!(value_of("indexof('abc', 'z')"), json!(-1));
    assert_eq!(value_of("substring('积水深度', 2)"), json!("深度"));
    assert_eq!(value_of("substring('SensorThings', 6, 3)"), json!("Thi"));
    assert_eq!(value_of("substring('abc', 9)"), json!(""));
}

#[test]
fn case_trim_and_concat() {
    assert_eq!(value_of("tolower('Futian')"), json!("futian"));
    assert_eq!(value_of("toupper('Futian')"), json!("FUTIAN"));
    assert_eq!(value_of("trim('  gauge ')"), json!("gauge"));
    assert_eq!(value_of("concat(concat('a', 'b'), 'c')"), json!("abc"));
    assert!(holds(
        "toupper(Datastream/Thing/properties/type) eq 'GAUGE'",
        &observation()
    ));
}

#[test]
fn functions_of_null_are_null() {
    let o = observation();
    assert_eq!(eval("length(parameters/missing)", &o), json!(null));
    assert_eq!(eval("year(parameters/missing)", &o), json!(null));
    assert!(!holds("startswith(parameters/missing, 'x')", &o));
}

#[test]
fn a_function_given_the_wrong_kind_of_value_fails_for_that_row_only() {
    assert!(parse("length(result)").eval(&observation()).is_err());
    assert!(!holds("length(result) gt 1", &observation()));
}

#[test]
fn date_parts_are_read_in_the_values_own_offset() {
    // phenomenonTime is 2026-03-01T08:00:00+08:00.
    let o = observation();
    assert_eq!(eval("year(phenomenonTime)", &o), json!(2026));
    assert_eq!(eval("month(phenomenonTime)", &o), json!(3));
    assert_eq!(eval("day(phenomenonTime)", &o), json!(1));
    assert_eq!(eval("hour(phenomenonTime)", &o), json!(8));
    assert_eq!(eval("minute(resultTime)", &o), json!(0));
    assert_eq!(eval("second(resultTime)", &o), json!(5));
    assert_eq!(eval("totaloffsetminutes(phenomenonTime)", &o), json!(480));
    assert_eq!(eval("date(phenomenonTime)", &o), json!("2026-03-01"));
    assert_eq!(eval("time(phenomenonTime)", &o), json!("08:00:00"));
    assert!(holds("date(phenomenonTime) eq 2026-03-01", &o));
}

#[test]
fn fractional_seconds() {
    assert_eq!(
        value_of("fractionalseconds(2026-01-01T00:00:01.25Z)"),
        json!(0.25)
    );
    assert_eq!(
        value_of("time(2026-01-01T10:20:30.5Z)"),
        json!("10:20:30.500")
    );
}

#[test]
fn now_and_the_extreme_instants() {
    assert!(holds("now() gt 2020-01-01T00:00:00Z", &observation()));
    assert!(holds(
        "now() gt resultTime sub duration'P3650D'",
        &observation()
    ));
    assert_eq!(
        value_of("maxdatetime()"),
        json!("9999-12-31T23:59:59.999999999Z")
    );
    assert!(holds("mindatetime() lt phenomenonTime", &observation()));
    assert_eq!(value_of("mindatetime()"), json!("0001-01-01T00:00:00Z"));
}

#[test]
fn rounding() {
    assert_eq!(value_of("round(2.5)"), json!(3.0));
    assert_eq!(value_of("round(-2.5)"), json!(-3.0));
    assert_eq!(value_of("floor(2.7)"), json!(2.0));
    assert_eq!(value_of("ceiling(2.1)"), json!(3.0));
    assert_eq!(value_of("floor(4)"), json!(4));
    assert!(holds("round(result) eq 4", &observation()));
}
