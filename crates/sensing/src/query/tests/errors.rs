//! Refusals: each with its stable code and a message that points at the offending text.

use super::{filter_for, parse_expr};
use crate::entity::EntityType::{self, *};
use crate::query::{parse_options, QueryError, MAX_DEPTH};

fn refused(entity: EntityType, key: &str, value: &str) -> QueryError {
    match parse_options(&[(key.to_string(), value.to_string())], entity) {
        Ok(o) => panic!("{key}={value} was accepted: {o:?}"),
        Err(e) => e,
    }
}

fn code(entity: EntityType, key: &str, value: &str) -> &'static str {
    refused(entity, key, value).code()
}

#[test]
fn each_option_has_its_code() {
    assert_eq!(code(Thing, "$filter", "name eq"), "bad_filter");
    assert_eq!(code(Thing, "$expand", "Observations"), "bad_expand");
    assert_eq!(code(Thing, "$select", "nmae"), "bad_select");
    assert_eq!(code(Thing, "$orderby", "name sideways"), "bad_orderby");
    assert_eq!(code(Thing, "$top", "-1"), "bad_top");
    assert_eq!(code(Thing, "$skip", "ten"), "bad_skip");
    assert_eq!(code(Thing, "$count", "yes"), "bad_count");
    assert_eq!(code(Thing, "$fliter", "name eq 'x'"), "bad_option");
}

#[test]
fn top_and_skip_take_plain_non_negative_integers() {
    for bad in ["", " 1", "+1", "1.0", "1e3", "99999999999999999999999"] {
        assert_eq!(code(Thing, "$top", bad), "bad_top", "{bad:?}");
        assert_eq!(code(Thing, "$skip", bad), "bad_skip", "{bad:?}");
    }
}

#[test]
fn other_bad_options() {
    assert_eq!(code(Observation, "$resultFormat", "csv"), "bad_option");
    let twice = [
        ("$top".to_string(), "1".to_string()),
        ("$top".to_string(), "2".to_string()),
    ];
    assert_eq!(
        parse_options(&twice, Thing).unwrap_err().code(),
        "bad_option"
    );
    assert_eq!(
        code(Thing, "$expand", "Datastreams($resultFormat=dataArray)"),
        "bad_option"
    );
}

#[test]
fn bad_expands() {
    for bad in [
        "Datastreams/Thingz",
        "Datastreams(",
        "Datastreams($top=1))",
        "Datastreams($top=1)x",
        "Datastreams,,Locations",
        "Datastreams(top=1)",
        "Datastreams($top)",
        "Datastreams($top=1),Datastreams($top=2)",
        "Datastreams($filter='open)",
    ] {
        assert_eq!(code(Thing, "$expand", bad), "bad_expand", "{bad}");
    }
    // Errors inside nested options keep their own code and say where they were.
    let e = refused(Thing, "$expand", "Datastreams($top=x)");
    assert_eq!(e.code(), "bad_top");
    assert!(e.message().contains("$expand=Datastreams"), "{e}");
    assert_eq!(
        code(Thing, "$expand", "Datastreams($filter=name eqq 'x')"),
        "bad_filter"
    );
    assert_eq!(
        code(Thing, "$expand", "Datastreams($select=result)"),
        "bad_select"
    );
}

#[test]
fn expand_depth_is_bounded() {
    let deep = ["Datastreams", "Thing"].repeat(5).join("/");
    assert_eq!(code(Thing, "$expand", &deep), "bad_expand");
    let ok = ["Datastreams", "Thing"].repeat(4).join("/");
    assert!(parse_options(&[("$expand".into(), ok)], Thing).is_ok());
}

#[test]
fn filter_syntax_errors_point_at_the_text() {
    let cases = [
        ("frobnicate(name)", "unknown function 'frobnicate'"),
        ("length(name, 2) eq 1", "takes 1 argument"),
        ("substring(name) eq 'a'", "takes 2 to 3 argument"),
        ("now(1) gt 2026-01-01T00:00:00Z", "takes 0 argument"),
        ("(name eq 'a'", "unbalanced parentheses"),
        ("name eq 'a')", "unexpected text"),
        ("name eq 'a' extra", "unexpected text"),
        ("name eq 'open", "unterminated string"),
        ("name eq 12abc", "bad number"),
        ("name eq 2026-13-01T00:00:00Z", "bad datetime"),
        ("name eq 2026-01-01T00:00:00", "needs an offset"),
        (
            "geo.intersects(name, geography'POINT(1)')",
            "bad geography literal",
        ),
        ("name eq duration'P1Y'", "bad duration"),
        ("name eq binary'00'", "unknown literal type"),
        ("name eq eq", "found operator 'eq'"),
        ("", "empty expression"),
        ("name eq", "expected a value"),
        ("Datastream/'x' eq 1", "after '/'"),
        ("name # 'x'", "unexpected character"),
    ];
    for (text, want) in cases {
        let e = match parse_expr(text) {
            Ok(e) => panic!("{text:?} was accepted as {e:?}"),
            Err(e) => e,
        };
        assert_eq!(e.code(), "bad_filter", "{text}");
        assert!(e.message().contains(want), "{text}: {e}");
        assert!(e.message().contains("position"), "{text}: {e}");
    }
    let e = parse_expr("name eq 'x' and nmae eqq 'y'").unwrap_err();
    assert!(e.message().contains("position 21 (near `eqq 'y'`)"), "{e}");
}

#[test]
fn unknown_properties_are_refused_with_the_entity_named() {
    let e = filter_for(Observation, "Datastream/Thing/nmae eq 'x'").unwrap_err();
    assert_eq!(e.code(), "bad_filter");
    assert!(
        e.message()
            .contains("Thing has no property or navigation 'nmae'"),
        "{e}"
    );
    assert!(filter_for(Observation, "id/x eq 1").is_err());
}

#[test]
fn deep_nesting_is_refused() {
    let ok = format!(
        "{}true{}",
        "(".repeat(MAX_DEPTH - 1),
        ")".repeat(MAX_DEPTH - 1)
    );
    assert!(parse_expr(&ok).is_ok());
    for deep in [
        format!(
            "{}true{}",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        ),
        format!("{}true", "not ".repeat(MAX_DEPTH + 1)),
        format!(
            "{}1{}",
            "round(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        ),
        format!("1{}", " add 1".repeat(MAX_DEPTH + 1)),
        // Far deeper than any stack would survive without the bound.
        format!("{}true{}", "(".repeat(3_000), ")".repeat(3_000)),
    ] {
        let e = parse_expr(&deep).unwrap_err();
        assert_eq!(e.code(), "bad_filter");
        assert!(
            e.message().contains("nested more than 64 deep") || e.message().contains("longer than"),
            "{e}"
        );
    }
}

#[test]
fn long_expressions_are_refused() {
    let long = format!("name eq '{}'", "x".repeat(4_000));
    let e = parse_expr(&long).unwrap_err();
    assert!(e.message().contains("longer than 4000 characters"), "{e}");
    // But a long flat `or` list within the limit is fine.
    let ids = (1..300)
        .map(|i| format!("id eq {i}"))
        .collect::<Vec<_>>()
        .join(" or ");
    assert!(ids.len() < 4_000 && parse_expr(&ids).is_ok());
}
