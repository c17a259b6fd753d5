//! Migration 7: the sensing network (智网). SensorThings entities that clients create,
//! observations, and their roll-ups.
//!
//! Entities are few and read whole into memory at start, so each is one JSON document
//! (`sta_entities`), their ids from one sequence starting at 2⁴⁰ (below are the ids
//! derived from the twin's devices). Observations are many: on PostgreSQL the table is
//! partitioned by month of `phenomenon_start` (native range partitioning; the store
//! creates the months as data reaches them, and retention drops whole months), with a
//! default partition for what arrives outside them; on SQLite it is one table kept
//! bounded by retention. A stream id names its stream whatever its kind (derived
//! Datastream ids are below 2⁴⁰, stored ones from the shared sequence). Roll-ups hold
//! one row per stream, resolution and bucket; `meta` keeps the highest observation id
//! they include.

use super::ddl::{col, Dialect, Step, Table};
use crate::db::SqlType::{Bool, Float, Int, Text, Time};

pub(super) fn steps() -> Vec<Step> {
    vec![
        Step::Table(
            Table::new(
                "sta_entities",
                [
                    col("id", Int).primary(),
                    col("kind", Text).not_null(),
                    col("doc", Text).not_null(),
                ],
            )
            .index(&["kind"]),
        ),
        Step::Sql("INSERT INTO id_blocks (name, next) VALUES ('sta_entities', 1099511627776);"),
        Step::Only(
            Dialect::Sqlite,
            "CREATE TABLE sta_observations (\n    \
             id INTEGER PRIMARY KEY AUTOINCREMENT,\n    \
             stream_id INTEGER NOT NULL,\n    \
             multi BOOLEAN NOT NULL,\n    \
             phenomenon_start TEXT NOT NULL,\n    \
             phenomenon_end TEXT,\n    \
             result_time TEXT,\n    \
             result_num REAL,\n    \
             result_json TEXT,\n    \
             result_quality TEXT,\n    \
             valid_start TEXT,\n    \
             valid_end TEXT,\n    \
             parameters TEXT,\n    \
             foi_id INTEGER\n);\n\
             CREATE INDEX sta_observations_stream_time ON sta_observations (stream_id, phenomenon_start);\n\
             CREATE INDEX sta_observations_foi ON sta_observations (foi_id);\n\
             CREATE INDEX sta_observations_time ON sta_observations (phenomenon_start);",
        ),
        Step::Only(
            Dialect::Postgres,
            "CREATE SEQUENCE sta_observations_id_seq;\n\
             CREATE TABLE sta_observations (\n    \
             id BIGINT NOT NULL DEFAULT nextval('sta_observations_id_seq'),\n    \
             stream_id BIGINT NOT NULL,\n    \
             multi BOOLEAN NOT NULL,\n    \
             phenomenon_start TIMESTAMPTZ NOT NULL,\n    \
             phenomenon_end TIMESTAMPTZ,\n    \
             result_time TIMESTAMPTZ,\n    \
             result_num DOUBLE PRECISION,\n    \
             result_json TEXT,\n    \
             result_quality TEXT,\n    \
             valid_start TIMESTAMPTZ,\n    \
             valid_end TIMESTAMPTZ,\n    \
             parameters TEXT,\n    \
             foi_id BIGINT\n) PARTITION BY RANGE (phenomenon_start);\n\
             ALTER SEQUENCE sta_observations_id_seq OWNED BY sta_observations.id;\n\
             CREATE TABLE sta_observations_default PARTITION OF sta_observations DEFAULT;\n\
             CREATE INDEX sta_observations_id ON sta_observations (id);\n\
             CREATE INDEX sta_observations_stream_time ON sta_observations (stream_id, phenomenon_start);\n\
             CREATE INDEX sta_observations_foi ON sta_observations (foi_id);",
        ),
        Step::Table(
            Table::new(
                "sta_rollups",
                [
                    col("stream_id", Int).not_null(),
                    col("resolution", Int).not_null(),
                    col("bucket", Time).not_null(),
                    col("n", Int).not_null(),
                    col("sum", Float).not_null(),
                    col("min", Float).not_null(),
                    col("max", Float).not_null(),
                ],
            )
            .unique(&["stream_id", "resolution", "bucket"]),
        ),
        Step::Table(
            Table::new(
                "sta_ingest",
                [
                    col("device", Text).primary(),
                    col("received", Int).not_null(),
                    col("stored", Int).not_null(),
                    col("malformed", Int).not_null(),
                    col("unknown", Int).not_null(),
                    col("out_of_range", Int).not_null(),
                    col("last_error", Text),
                    col("last_seen", Time),
                    col("online", Bool),
                ],
            ),
        ),
    ]
}
