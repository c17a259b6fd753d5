//! Migration 6: the citizen-request loop (民意速办): tickets, their steps, their media,
//! and the classifier's versions.
//!
//! A ticket's id is reserved in `id_blocks` (so history imported with its own ids and
//! new tickets never collide); its public number is derived from the id and the date.
//! Timers are kept as the ticket's JSON `timers`, with the next moment one is due in
//! `next_timer_at`, which the timer sweep reads by index. Steps point at the audit
//! entry that records them (`audit_seq`); the partial indexes keep the two questions
//! asked often of a large history cheap: open tickets near a point, and steps not yet
//! audited.

use super::ddl::{col, Step, Table};
use crate::db::SqlType::{Bool, Bytes, Float, Int, Text, Time};

pub(super) fn steps() -> Vec<Step> {
    vec![
        Step::Table(
            Table::new(
                "tickets",
                [
                    col("id", Int).primary(),
                    col("version", Int).not_null(),
                    col("channel", Text).not_null(),
                    col("source_ref", Text),
                    col("service_code", Text).not_null(),
                    col("family", Text).not_null(),
                    col("category_source", Text).not_null(),
                    col("confidence", Float),
                    col("urgency", Text).not_null(),
                    col("status", Text).not_null(),
                    col("title", Text).not_null(),
                    col("description", Text).not_null(),
                    col("lon", Float).not_null(),
                    col("lat", Float).not_null(),
                    col("address", Text),
                    col("grid_code", Text).bytewise(),
                    col("place_layer", Text),
                    col("place_id", Int),
                    col("place_name", Text),
                    col("lead_unit", Text),
                    col("assignee", Int),
                    col("assisting", Text).not_null(),
                    col("submitter", Int),
                    col("contact_name", Text),
                    col("contact_phone", Text),
                    col("tracking_digest", Bytes).not_null(),
                    col("created_at", Time).not_null(),
                    col("updated_at", Time).not_null(),
                    col("dispatched_at", Time),
                    col("resolved_at", Time),
                    col("closed_at", Time),
                    col("timers", Text).not_null(),
                    col("next_timer_at", Time),
                    col("verdict", Text),
                    col("reopened", Int).not_null(),
                    col("returned", Int).not_null(),
                    col("duplicate_of", Int),
                    col("supervised", Bool).not_null(),
                    col("supervision_due", Time),
                    col("imported", Bool).not_null(),
                ],
            )
            .index(&["status"])
            .index(&["lead_unit"])
            .index(&["assignee"])
            .index(&["grid_code", "id"])
            .index(&["submitter"])
            .index(&["next_timer_at"])
            .unique(&["channel", "source_ref"]),
        ),
        Step::Sql("CREATE INDEX tickets_open_near ON tickets (lon, lat) WHERE status <> 'closed';"),
        // Routing hands each ticket to the least busy person of a unit: a count of their
        // open tickets, from this index alone, however many they closed before.
        Step::Sql(
            "CREATE INDEX tickets_open_by_assignee ON tickets (assignee) \
             WHERE status <> 'closed';",
        ),
        Step::Table(
            Table::new(
                "ticket_steps",
                [
                    col("id", Int).identity(),
                    col("ticket_id", Int)
                        .not_null()
                        .references("tickets (id) ON DELETE CASCADE"),
                    col("seq", Int).not_null(),
                    col("at", Time).not_null(),
                    col("kind", Text).not_null(),
                    col("actor_user", Int),
                    col("actor_role", Text).not_null(),
                    col("actor_unit", Text),
                    col("note", Text),
                    col("detail", Text).not_null(),
                    col("audit_seq", Int),
                    // Taken over with an imported ticket: never audited here.
                    col("imported", Bool).not_null(),
                ],
            )
            .unique(&["ticket_id", "seq"]),
        ),
        // Only steps written here wait for their audit entry; two years of imported
        // history (two million steps) must not sit in this index.
        Step::Sql(
            "CREATE INDEX ticket_steps_unaudited ON ticket_steps (id) \
             WHERE audit_seq IS NULL AND NOT imported;",
        ),
        Step::Table(
            Table::new(
                "ticket_media",
                [
                    col("id", Int).identity(),
                    col("ticket_id", Int)
                        .not_null()
                        .references("tickets (id) ON DELETE CASCADE"),
                    col("content_type", Text).not_null(),
                    col("bytes", Bytes).not_null(),
                    col("created_at", Time).not_null(),
                ],
            )
            .index(&["ticket_id"]),
        ),
        Step::Table(Table::new(
            "classifier_models",
            [
                col("version", Int).identity(),
                col("created_at", Time).not_null(),
                col("summary", Text).not_null(),
                col("model", Bytes).not_null(),
            ],
        )),
    ]
}
