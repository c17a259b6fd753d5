//! §9.3.2–9.3.3 system query options as they arrive in a query string.

use super::parse;
use crate::entity::EntityType::{self, *};
use crate::query::{parse_options, Expand, OrderBy, QueryOptions, ResultFormat};

fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn options(entity: EntityType, pairs: &[(&str, &str)]) -> QueryOptions {
    match parse_options(&params(pairs), entity) {
        Ok(o) => o,
        Err(e) => panic!("{pairs:?}: {e}"),
    }
}

#[test]
fn no_options_means_the_defaults() {
    assert_eq!(options(Thing, &[]), QueryOptions::default());
}

#[test]
fn paging_counting_and_result_format() {
    let o = options(
        Observation,
        &[
            ("$top", "5"),
            ("$skip", "10"),
            ("$count", "true"),
            ("$resultFormat", "dataArray"),
        ],
    );
    assert_eq!((o.top, o.skip, o.count), (Some(5), 10, true));
    assert_eq!(o.result_format, Some(ResultFormat::DataArray));
    assert_eq!(
        options(Thing, &[("$top", "0"), ("$count", "false")]).top,
        Some(0)
    );
}

#[test]
fn parameters_without_a_dollar_belong_to_someone_else() {
    assert_eq!(
        options(Thing, &[("page", "2"), ("token", "x")]),
        QueryOptions::default()
    );
}

#[test]
fn filter_paths_are_read_against_the_entity() {
    let o = options(
        Observation,
        &[("$filter", "Datastream/Thing/properties/grid eq '440304001'")],
    );
    assert_eq!(
        o.filter,
        Some(parse("Datastream/Thing/properties/grid eq '440304001'"))
    );
    assert!(parse_options(
        &params(&[("$filter", "Datastream/Thing/nmae eq 'x'")]),
        Observation
    )
    .is_err());
    assert!(parse_options(&params(&[("$filter", "location eq null")]), Thing).is_err());
    assert!(parse_options(&params(&[("$filter", "Locations/location eq null")]), Thing).is_ok());
    assert!(parse_options(&params(&[("$filter", "@iot.id eq 1 and id eq 1")]), Sensor).is_ok());
}

#[test]
fn select_takes_properties_navigations_and_ids() {
    let o = options(
        Thing,
        &[("$select", "name, id,Datastreams,@iot.selfLink,name")],
    );
    assert_eq!(
        o.select,
        Some(vec![
            "name".into(),
            "id".into(),
            "Datastreams".into(),
            "@iot.selfLink".into()
        ])
    );
}

#[test]
fn orderby_takes_expressions_each_with_a_direction() {
    let o = options(Observation, &[("$orderby", "phenomenonTime desc,id")]);
    assert_eq!(
        o.orderby,
        vec![
            OrderBy {
                expr: parse("phenomenonTime"),
                descending: true
            },
            OrderBy {
                expr: parse("id"),
                descending: false
            },
        ]
    );
    let o = options(
        Location,
        &[(
            "$orderby",
            "geo.distance(location, geography'POINT(114 22)') asc, name DESC",
        )],
    );
    assert_eq!(o.orderby.len(), 2);
    assert!(o.orderby[1].descending);
}

#[test]
fn expand_nests_options_inside_parentheses() {
    let o = options(
        Thing,
        &[("$expand", "Datastreams($select=name,id;$expand=Observations($top=5;$orderby=phenomenonTime desc))")],
    );
    let observations = Expand {
        nav: "Observations".into(),
        options: QueryOptions {
            top: Some(5),
            orderby: vec![OrderBy {
                expr: parse("phenomenonTime"),
                descending: true,
            }],
            ..QueryOptions::default()
        },
    };
    let datastreams = Expand {
        nav: "Datastreams".into(),
        options: QueryOptions {
            select: Some(vec!["name".into(), "id".into()]),
            expand: vec![observations],
            ..QueryOptions::default()
        },
    };
    assert_eq!(o.expand, vec![datastreams]);
}

#[test]
fn expand_paths_with_slashes_become_nested_entries() {
    let o = options(Thing, &[("$expand", "Datastreams/Observations,Locations")]);
    assert_eq!(o.expand.len(), 2);
    assert_eq!(o.expand[0].nav, "Datastreams");
    assert_eq!(o.expand[0].options.expand[0].nav, "Observations");
    assert_eq!(o.expand[1].nav, "Locations");
}

#[test]
fn expanding_the_same_navigation_twice_merges_it() {
    let o = options(
        Thing,
        &[(
            "$expand",
            "Datastreams/Observations($top=1),Datastreams($select=name),Datastreams/Sensor",
        )],
    );
    assert_eq!(o.expand.len(), 1);
    let ds = &o.expand[0];
    assert_eq!(ds.options.select, Some(vec!["name".to_string()]));
    let navs: Vec<_> = ds.options.expand.iter().map(|e| e.nav.as_str()).collect();
    assert_eq!(navs, ["Observations", "Sensor"]);
    assert_eq!(ds.options.expand[0].options.top, Some(1));
}

#[test]
fn nested_filters_are_read_against_the_expanded_entity() {
    let o = options(
        Datastream,
        &[("$expand", "Observations($filter=result gt 3 and substringof('a;b,c', parameters/tag);$count=true)")],
    );
    let obs = &o.expand[0].options;
    assert!(obs.count);
    assert!(obs.filter.is_some());
    assert!(parse_options(
        &params(&[("$expand", "Observations($filter=name eq 'x')")]),
        Datastream
    )
    .is_err());
}

#[test]
fn option_names_match_case_insensitively() {
    assert_eq!(options(Thing, &[("$TOP", "3")]).top, Some(3));
}
