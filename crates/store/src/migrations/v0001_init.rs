//! Migration 1: a table per twin layer and per record schema, and `meta`.
//!
//! Geometries are WKB in `geom` (PostGIS reads it with `ST_GeomFromWKB(geom, 4326)`);
//! `minx..maxy` repeat their bounding box so that SQL users can filter by area
//! without decoding it. An integer `id` primary key is SQLite's rowid: 64-bit all the
//! same, but rows need no separate primary-key index, which halves bulk-insert work.

use super::ddl::{col, Col, Step, Table};
use crate::db::SqlType::{self, Date, Float, Int, Text};

/// The columns every layer table starts with, before its properties.
pub(super) fn feature_columns() -> [Col; 7] {
    [
        col("id", Int).primary(),
        col("geom", SqlType::Bytes).not_null(),
        col("minx", Float).not_null(),
        col("miny", Float).not_null(),
        col("maxx", Float).not_null(),
        col("maxy", Float).not_null(),
        col("updated_at", SqlType::Time).not_null(),
    ]
}

/// A layer's table: the feature columns, then its properties; indexed by grid code
/// when it has one.
pub(super) fn layer(name: &'static str, props: &[(&'static str, SqlType)]) -> Step {
    let cols = feature_columns()
        .into_iter()
        .chain(props.iter().map(|&(n, ty)| col(n, ty)));
    let table = Table::new(name, cols);
    Step::Table(match props.iter().any(|(n, _)| *n == "grid_code") {
        true => table.index(&["grid_code"]),
        false => table,
    })
}

/// A record table: an integer id, then the fields, indexed by grid code and building.
fn records(name: &'static str, fields: &[(&'static str, SqlType)]) -> Step {
    let cols =
        std::iter::once(col("id", Int).primary()).chain(fields.iter().map(|&(n, ty)| col(n, ty)));
    Step::Table(
        Table::new(name, cols)
            .index(&["grid_code"])
            .index(&["building_id"]),
    )
}

pub(super) fn steps() -> Vec<Step> {
    let area = [
        ("code", Text),
        ("name", Text),
        ("parent_code", Text),
        ("area_km2", Float),
    ];
    let mut steps: Vec<Step> = ["district", "streets", "communities", "grids"]
        .into_iter()
        .map(|name| layer(name, &area))
        .collect();
    steps.extend([
        layer(
            "buildings",
            &[
                ("name", Text),
                ("address", Text),
                ("use", Text),
                ("height_m", Float),
                ("floors", Int),
                ("completed", Date),
                ("grid_code", Text),
            ],
        ),
        layer(
            "components",
            &[
                ("category", Text),
                ("category_name", Text),
                ("class_name", Text),
                ("owner_unit", Text),
                ("status", Text),
                ("installed", Date),
                ("grid_code", Text),
            ],
        ),
        layer(
            "pipes",
            &[
                ("network", Text),
                ("diameter_mm", Int),
                ("material", Text),
                ("length_m", Float),
                ("depth_m", Float),
                ("laid", Date),
                ("owner_unit", Text),
                ("grid_code", Text),
            ],
        ),
        layer(
            "cameras",
            &[
                ("gb_id", Text),
                ("name", Text),
                ("kind", Text),
                ("resolution", Text),
                ("status", Text),
                ("installed", Date),
                ("grid_code", Text),
            ],
        ),
        layer(
            "devices",
            &[
                ("device_type", Text),
                ("vendor", Text),
                ("model", Text),
                ("serial", Text),
                ("status", Text),
                ("installed", Date),
                ("grid_code", Text),
            ],
        ),
        records(
            "persons",
            &[
                ("name", Text),
                ("id_number", Text),
                ("gender", Text),
                ("birth_date", Date),
                ("mobile", Text),
                ("residence_type", Text),
                ("house_id", Int),
                ("building_id", Int),
                ("grid_code", Text),
            ],
        ),
        records(
            "houses",
            &[
                ("building_id", Int),
                ("address", Text),
                ("floor", Int),
                ("room", Text),
                ("area_m2", Float),
                ("use", Text),
                ("tenure", Text),
                ("owner_id_number", Text),
                ("grid_code", Text),
            ],
        ),
        records(
            "entities",
            &[
                ("name", Text),
                ("uscc", Text),
                ("legal_person", Text),
                ("legal_person_id_number", Text),
                ("contact_mobile", Text),
                ("industry", Text),
                ("registered_capital_wan", Float),
                ("established", Date),
                ("employees", Int),
                ("building_id", Int),
                ("grid_code", Text),
            ],
        ),
        // Facts about the data set: seed, scale, generation time.
        Step::Table(Table::new(
            "meta",
            [col("key", Text).primary(), col("value", Text).not_null()],
        )),
    ]);
    steps
}
