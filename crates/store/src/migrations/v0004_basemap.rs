//! Migration 4: the basemap layers a reader orients by: roads, water, parks and
//! landmarks, laid out like every layer of migration 1.

use super::{ddl::Step, v0001_init::layer};
use crate::db::SqlType::{Float, Text};

pub(super) fn steps() -> Vec<Step> {
    vec![
        layer(
            "roads",
            &[
                ("name", Text),
                ("class", Text),
                ("width_m", Float),
                ("grid_code", Text),
            ],
        ),
        layer(
            "water",
            &[("name", Text), ("kind", Text), ("grid_code", Text)],
        ),
        layer(
            "parks",
            &[("name", Text), ("kind", Text), ("grid_code", Text)],
        ),
        layer(
            "landmarks",
            &[
                ("name", Text),
                ("kind", Text),
                ("address", Text),
                ("grid_code", Text),
            ],
        ),
    ]
}
