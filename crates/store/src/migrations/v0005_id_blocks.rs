//! Migration 5: the next id each table hands out.
//!
//! A writer reserves a block of ids here, in the database its rows go to, so two
//! processes on one database never hand out the same id, and an id is never handed
//! out twice, even after the row that had it is deleted. `next` is only ever raised; a
//! missing row means "one above the table's highest id".

use super::ddl::Step;

pub(super) fn steps() -> Vec<Step> {
    // The same words in both dialects (and `BIGINT` on SQLite too, as it shipped).
    vec![Step::Sql(
        "CREATE TABLE id_blocks (\n    name TEXT PRIMARY KEY,\n    next BIGINT NOT NULL\n);",
    )]
}
