//! Migration 3: records listed by jurisdiction, a grid-code prefix.
//!
//! The store asks for a prefix as a range, `grid_code >= '440304001' AND grid_code <
//! '440304002'`, which a b-tree answers directly as long as the column sorts byte-wise.
//! SQLite's BINARY collation already does, and its `(grid_code)` indexes end with the
//! rowid, so they are `(grid_code, id)` indexes: nothing to do there. PostgreSQL needs
//! the "C" collation (grid codes are digits, so it is the natural one; with it the range
//! needs no `COLLATE` in the query and no pattern operator class) and an index on
//! `(grid_code, id)` so that a page's ids come from an index-only scan. Changing only
//! the collation does not rewrite the table.

use super::ddl::{Dialect, Step};

const POSTGRES: &str = r#"
DROP INDEX persons_grid_code;
ALTER TABLE persons ALTER COLUMN grid_code TYPE TEXT COLLATE "C";
CREATE INDEX persons_grid_code ON persons (grid_code, id);

DROP INDEX houses_grid_code;
ALTER TABLE houses ALTER COLUMN grid_code TYPE TEXT COLLATE "C";
CREATE INDEX houses_grid_code ON houses (grid_code, id);

DROP INDEX entities_grid_code;
ALTER TABLE entities ALTER COLUMN grid_code TYPE TEXT COLLATE "C";
CREATE INDEX entities_grid_code ON entities (grid_code, id);
"#;

pub(super) fn steps() -> Vec<Step> {
    vec![
        Step::Only(
            Dialect::Sqlite,
            "-- Nothing to do: see the migration's notes.",
        ),
        Step::Only(Dialect::Postgres, POSTGRES),
    ]
}
