-- Trust and the audit log, SQLite dialect: the organisation's units, user accounts,
-- API tokens, browser sessions, and the append-only audit log with its signed
-- checkpoints. The row types are `citymirror_trust`'s; roles and unit kinds are
-- stored as their kebab-case slugs, timestamps as RFC 3339 UTC text with
-- milliseconds (as `updated_at` in 0001), so they sort and compare as time.
--
-- Users and tokens take `INTEGER PRIMARY KEY AUTOINCREMENT` so that an id, once
-- handed out (and written into the audit log), is never reused.

CREATE TABLE units (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    parent_id TEXT,
    jurisdiction TEXT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    unit_id TEXT,
    password_hash TEXT,
    mobile TEXT,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL
);

-- The token's secret is never stored, only its SHA-256 digest.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    unit_id TEXT,
    secret_digest BLOB NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT
);

-- Keyed by the digest of the cookie value, never the value itself.
CREATE TABLE sessions (
    digest BLOB PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- The audit log: `seq` is the entry's 0-based index in the Merkle tree, and the
-- rowid (`INTEGER PRIMARY KEY`), so appends go to the end of the table's b-tree
-- and need no second index. A seq that is taken fails the insert: rows are only
-- ever appended, and the triggers below refuse updates and deletes.
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    entry TEXT NOT NULL,
    leaf_hash BLOB NOT NULL,
    root_after BLOB NOT NULL
);

CREATE TABLE audit_checkpoints (
    size INTEGER PRIMARY KEY,
    note TEXT NOT NULL,
    created_at TEXT NOT NULL
);

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
