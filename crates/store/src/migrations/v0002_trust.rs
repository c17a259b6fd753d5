//! Migration 2: trust and the audit log. The organisation's units, user accounts, API
//! tokens, browser sessions, and the append-only audit log with its signed
//! checkpoints. Roles and unit kinds are stored as their kebab-case slugs.

use super::ddl::{col, Dialect, Step, Table};
use crate::db::SqlType::{Bool, Bytes, Int, Text, Time};

/// Triggers that make the audit tables append-only. SQLite's trigger language has no
/// functions and PostgreSQL's needs one, so each dialect says it in its own words;
/// PostgreSQL also refuses `TRUNCATE`, which SQLite does not have.
const SQLITE_APPEND_ONLY: &str = "
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
";

const POSTGRES_APPEND_ONLY: &str = "
CREATE FUNCTION audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_is_append_only();
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_is_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_is_append_only();
";

pub(super) fn steps() -> Vec<Step> {
    vec![
        Step::Table(Table::new(
            "units",
            [
                col("id", Text).primary(),
                col("kind", Text).not_null(),
                col("name", Text).not_null(),
                col("parent_id", Text),
                col("jurisdiction", Text).not_null(),
            ],
        )),
        // Ids of users and tokens, once handed out (and written into the audit
        // log), are never reused.
        Step::Table(Table::new(
            "users",
            [
                col("id", Int).identity(),
                col("username", Text).not_null().unique(),
                col("display_name", Text).not_null(),
                col("role", Text).not_null(),
                col("unit_id", Text),
                col("password_hash", Text),
                col("mobile", Text),
                col("disabled", Bool).not_null().default("FALSE"),
                col("created_at", Time).not_null(),
            ],
        )),
        // The token's secret is never stored, only its SHA-256 digest.
        Step::Table(Table::new(
            "api_tokens",
            [
                col("id", Int).identity(),
                col("name", Text).not_null(),
                col("role", Text).not_null(),
                col("unit_id", Text),
                col("secret_digest", Bytes).not_null(),
                col("created_by", Text).not_null(),
                col("created_at", Time).not_null(),
                col("expires_at", Time),
                col("revoked_at", Time),
            ],
        )),
        // Keyed by the digest of the cookie value, never the value itself.
        Step::Table(
            Table::new(
                "sessions",
                [
                    col("digest", Bytes).primary(),
                    col("user_id", Int)
                        .not_null()
                        .references("users (id) ON DELETE CASCADE"),
                    col("csrf_token", Text).not_null(),
                    col("created_at", Time).not_null(),
                    col("expires_at", Time).not_null(),
                ],
            )
            .index(&["expires_at"]),
        ),
        // `seq` is the entry's 0-based index in the Merkle tree (on SQLite the rowid,
        // so appends go to the end of the table's b-tree). A seq that is taken fails
        // the insert: rows are only ever appended.
        Step::Table(Table::new(
            "audit_log",
            [
                col("seq", Int).primary(),
                col("entry", Text).not_null(),
                col("leaf_hash", Bytes).not_null(),
                col("root_after", Bytes).not_null(),
            ],
        )),
        Step::Table(Table::new(
            "audit_checkpoints",
            [
                col("size", Int).primary(),
                col("note", Text).not_null(),
                col("created_at", Time).not_null(),
            ],
        )),
        Step::Only(Dialect::Sqlite, SQLITE_APPEND_ONLY),
        Step::Only(Dialect::Postgres, POSTGRES_APPEND_ONLY),
    ]
}
