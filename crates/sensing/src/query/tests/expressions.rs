//! §9.3.3.5.1 operators: precedence, literals, paths, null and comparison rules.

use serde_json::json;

use super::{eval, holds, observation, parse, value_of};
use crate::query::{ArithOp, CmpOp, Expr, Literal};

#[test]
fn multiplication_binds_tighter_than_addition() {
    assert_eq!(value_of("1 add 2 mul 3"), json!(7));
    assert_eq!(value_of("(1 add 2) mul 3"), json!(9));
    assert_eq!(value_of("7 mod 4 mul 2"), json!(6));
}

#[test]
fn arithmetic_is_left_associative() {
    assert_eq!(value_of("10 sub 4 sub 3"), json!(3));
    assert_eq!(value_of("12 div 2 div 3"), json!(2));
}

#[test]
fn arithmetic_binds_tighter_than_comparison() {
    assert_eq!(
        parse("result add 1 gt 4"),
        Expr::Compare(
            CmpOp::Gt,
            Box::new(Expr::Arith(
                ArithOp::Add,
                Box::new(Expr::Path(vec!["result".into()])),
                Box::new(Expr::Literal(Literal::Int(1)))
            )),
            Box::new(Expr::Literal(Literal::Int(4)))
        )
    );
    assert!(holds("result add 1 gt 4", &observation()));
}

#[test]
fn comparison_binds_tighter_than_and_which_binds_tighter_than_or() {
    assert_eq!(value_of("true or false and false"), json!(true));
    assert_eq!(value_of("(true or false) and false"), json!(false));
    assert!(
        matches!(parse("1 lt 2 and 2 lt 3 or false"), Expr::Or(ref t) if matches!(t[0], Expr::And(_)))
    );
}

#[test]
fn not_binds_tighter_than_everything_binary() {
    // OData: `not a eq b` is `(not a) eq b`.
    assert_eq!(parse("not true eq false"), parse("(not true) eq false"));
    assert_eq!(value_of("not true eq false"), json!(true));
    assert_eq!(value_of("not (1 eq 2)"), json!(true));
    assert_eq!(value_of("not not true"), json!(true));
}

#[test]
fn and_or_chains_stay_flat() {
    let e = parse("id eq 1 or id eq 2 or id eq 3 or id eq 4");
    assert!(matches!(&e, Expr::Or(terms) if terms.len() == 4));
    assert_eq!(e.depth(), 3);
}

#[test]
fn numbers_compare_numerically_across_integer_and_decimal() {
    let o = observation();
    assert!(holds("result gt 3", &o));
    assert!(holds("result eq 3.5", &o));
    assert!(holds("result lt 3.5e1", &o));
    assert!(holds("3 lt result", &o));
    assert!(holds("-result eq -3.5", &o));
    assert!(holds("2 eq 2.0", &o));
}

#[test]
fn division_keeps_integers_while_exact() {
    assert_eq!(value_of("6 div 2"), json!(3));
    assert_eq!(value_of("5 div 2"), json!(2.5));
    assert_eq!(value_of("-7 mod 3"), json!(-1));
    assert_eq!(value_of("5.5 mod 2"), json!(1.5));
    assert_eq!(
        value_of("9223372036854775807 add 1"),
        json!(9223372036854775808.0)
    );
}

#[test]
fn division_by_zero_is_an_evaluation_error_and_never_a_match() {
    let o = observation();
    assert!(parse("1 div 0").eval(&o).is_err());
    assert!(parse("1 mod 0").eval(&o).is_err());
    assert!(!holds("result div 0 gt 1", &o));
}

#[test]
fn paths_walk_navigations_into_json_properties() {
    let o = observation();
    assert!(holds("Datastream/Thing/properties/grid eq '440304001'", &o));
    assert!(!holds(
        "Datastream/Thing/properties/grid eq '440304002'",
        &o
    ));
    assert!(holds("parameters/battery ge 80", &o));
    assert!(holds("Datastream/name eq '积水深度'", &o));
}

#[test]
fn the_id_answers_to_both_names() {
    let o = observation();
    assert!(holds("id eq 7", &o));
    assert!(holds("@iot.id eq 7", &o));
    assert!(holds("Datastream/@iot.id eq 11", &o));
}

#[test]
fn quotes_inside_strings_are_doubled() {
    assert!(holds(
        "Datastream/Thing/name eq 'O''Neil''s gauge'",
        &observation()
    ));
    assert_eq!(value_of("'it''s'"), json!("it's"));
}

#[test]
fn strings_compare_by_code_point() {
    assert!(holds(
        "Datastream/Thing/properties/type gt 'alarm'",
        &observation()
    ));
    assert!(holds("'B' lt 'a'", &observation()));
}

#[test]
fn booleans_compare_for_equality() {
    let o = json!({"properties": {"active": true}});
    assert!(holds("properties/active eq true", &o));
    assert!(holds("properties/active ne false", &o));
    assert!(!holds("properties/active gt false", &o));
}

#[test]
fn null_equals_only_null_and_orders_with_nothing() {
    let o = observation();
    assert!(holds("parameters/missing eq null", &o));
    assert!(holds("result ne null", &o));
    assert!(!holds("result eq null", &o));
    assert_eq!(eval("parameters/missing gt 3", &o), json!(null));
    assert!(!holds("parameters/missing gt 3", &o));
    // Unknown stays unknown under `not`: the row is not returned either way.
    assert!(!holds("not (parameters/missing gt 3)", &o));
    assert_eq!(eval("parameters/missing add 1", &o), json!(null));
}

#[test]
fn and_or_use_three_valued_logic() {
    let o = observation();
    assert_eq!(eval("parameters/missing gt 3 and false", &o), json!(false));
    assert_eq!(eval("parameters/missing gt 3 and true", &o), json!(null));
    assert_eq!(eval("parameters/missing gt 3 or true", &o), json!(true));
    assert_eq!(eval("parameters/missing gt 3 or false", &o), json!(null));
}

#[test]
fn a_row_that_fails_one_disjunct_can_still_pass_another() {
    // `'text' gt 3` cannot be evaluated; the other branch decides.
    let o = json!({"result": "dry", "name": "x"});
    assert!(!holds("result gt 3", &o));
    assert!(holds("result gt 3 or result eq 'dry'", &o));
}

#[test]
fn values_of_different_kinds_are_never_equal() {
    let o = observation();
    assert!(!holds("Datastream/Thing/properties/grid eq 440304001", &o));
    assert!(holds("Datastream/Thing/properties/grid ne 440304001", &o));
    assert!(!holds("result gt 'a'", &o));
}

#[test]
fn json_values_compare_for_equality() {
    let o = json!({"properties": {"tags": ["a", "b"]}});
    assert!(holds("properties/tags eq properties/tags", &o));
}
