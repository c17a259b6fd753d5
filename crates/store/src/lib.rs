//! `citymirror-store`: where the twin's layers and block-data records are persisted.
//!
//! Two backends implement [`citymirror_twin::TwinRepo`], [`citymirror_twin::RecordRepo`],
//! [`citymirror_trust::TrustRepo`] (units, users, API tokens, sessions) and
//! [`citymirror_trust::AuditRepo`] (the append-only audit log) with the same behaviour:
//!
//! - **SQLite** ([`StoreTarget::Sqlite`]): one file, `<data_dir>/citymirror.db`, for a
//!   single server or a laptop. Nothing to install.
//! - **PostgreSQL** ([`StoreTarget::Postgres`]): for shared or larger deployments, and
//!   for SQL users who want to query the tables directly.
//!
//! [`open`] connects and applies the versioned migrations in `migrations/<backend>/`,
//! so a fresh database is ready to use and an existing one is brought up to date.
//! Applied migrations are checksummed: never edit one that has shipped; add
//! `0002_….sql` to *both* folders instead (the schema test fails until they agree
//! with the `citymirror_core` schemas).
//!
//! The tables mirror the `citymirror_core` schemas: one table per layer, named after
//! [`LayerId::as_str`](citymirror_core::LayerId::as_str), with `id`, the geometry as
//! WKB in `geom`, its bounding box in `minx, miny, maxx, maxy`, `updated_at`, and then
//! one typed column per property in schema order; one table per record schema
//! (`persons`, `houses`, `entities`) with its fields; and a `meta` key-value table.
//! Migration 0002 adds trust's tables (`units`, `users`, `api_tokens`, `sessions`) and
//! the audit log (`audit_log`, `audit_checkpoints`), which triggers keep append-only;
//! 0003 readies the record tables for listing by jurisdiction (a grid-code prefix),
//! which the store queries as a text range on a `(grid_code, id)` index; 0004 adds the
//! basemap's layers (`roads`, `water`, `parks`, `landmarks`); 0005 the `id_blocks` from
//! which writers reserve new feature ids, so that two processes on one database never
//! hand out the same id and a deleted feature's id is never handed out again.
//! The SQL is built in one place (`sql.rs`) from those schemas, and a test checks
//! that the migrations of both backends create exactly those columns.
//!
//! Bulk writes (the generator writes millions of rows) go in one transaction per
//! call: multi-row `INSERT`s on SQLite and `INSERT … SELECT FROM unnest(arrays)` on
//! PostgreSQL, which send many rows per round trip without hitting bind limits.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use citymirror_store::{open, StoreTarget};
//! use citymirror_twin::TwinRepo;
//! let store = open(&StoreTarget::Sqlite { data_dir: "data".into() }).await?;
//! let repo: Arc<dyn TwinRepo> = Arc::new(store.clone());
//! println!("{} buildings", repo.count_features(citymirror_core::LayerId::Buildings).await?);
//! # Ok(()) }
//! ```

use std::{fmt, path::PathBuf};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use citymirror_core::{records::RecordSchema, LayerId, Value};
use citymirror_trust::{
    ApiToken, AuditRepo, AuditRow, NewToken, NewUser, Session, StoredCheckpoint, TrustRepo, Unit,
    User,
};
use citymirror_twin::{Feature, FeatureId, RecordRepo, RepoError, TwinRepo};

mod checks;
mod postgres;
mod sql;
mod sqlite;

pub use sqlite::FILE_NAME as SQLITE_FILE_NAME;

/// Which database to use.
#[derive(Clone, PartialEq, Eq)]
pub enum StoreTarget {
    /// A SQLite file in `data_dir` (created, with the directory, if missing).
    Sqlite { data_dir: PathBuf },
    /// A PostgreSQL database, e.g. `postgres://user:password@host:5432/citymirror`.
    /// The database must exist; the tables are created in the connection's current
    /// schema (set `options=-c search_path=…` in the URL to choose another).
    Postgres { url: String },
}

impl fmt::Debug for StoreTarget {
    /// Never prints a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreTarget::Sqlite { data_dir } => f
                .debug_struct("Sqlite")
                .field("data_dir", data_dir)
                .finish(),
            StoreTarget::Postgres { url } => f
                .debug_struct("Postgres")
                .field("url", &redact_url(url))
                .finish(),
        }
    }
}

/// Why a store could not be opened (or described). Each message says what to check.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data directory {}: {source}; check that its parent exists and is writable, or choose another data directory", path.display())]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot open the SQLite database {}: {source}; check that the file is writable and not a different kind of file, or choose another data directory", path.display())]
    Sqlite { path: PathBuf, source: sqlx::Error },
    #[error("`{url}` is not a valid PostgreSQL URL: {reason}; expected postgres://user[:password]@host[:port]/database")]
    PostgresUrl { url: String, reason: String },
    #[error("cannot connect to PostgreSQL at {url}: {source}; check that the server is running, that the database exists and that the user may log in")]
    Postgres { url: String, source: sqlx::Error },
    #[error("cannot apply the {backend} migrations: {source}; the database may come from a newer CityMirror or have been edited by hand; use a fresh data directory or database")]
    Migrate {
        backend: &'static str,
        source: sqlx::migrate::MigrateError,
    },
    #[error("database query failed: {0}")]
    Query(sqlx::Error),
}

/// A column of a stored table, as the database reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    /// The declared type on SQLite (`INTEGER`, `TEXT`…), the `information_schema`
    /// data type on PostgreSQL (`bigint`, `double precision`…).
    pub sql_type: String,
}

/// An open store. Cloning is cheap (the clones share one connection pool), so hand
/// clones to whoever needs one, or wrap it: `Arc::new(store) as Arc<dyn TwinRepo>`.
#[derive(Debug, Clone)]
pub struct Store {
    backend: Backend,
}

#[derive(Debug, Clone)]
enum Backend {
    Sqlite(sqlite::SqliteStore),
    Postgres(postgres::PgStore),
}

/// Opens (creating if needed) the store at `target` and applies pending migrations.
pub async fn open(target: &StoreTarget) -> Result<Store, StoreError> {
    let backend = match target {
        StoreTarget::Sqlite { data_dir } => Backend::Sqlite(sqlite::open(data_dir).await?),
        StoreTarget::Postgres { url } => Backend::Postgres(postgres::open(url).await?),
    };
    Ok(Store { backend })
}

/// Calls the same method on whichever backend is open.
macro_rules! dispatch {
    ($self:ident, $s:ident => $e:expr) => {
        match &$self.backend {
            Backend::Sqlite($s) => $e,
            Backend::Postgres($s) => $e,
        }
    };
}

impl Store {
    /// The feed on which the processes serving this store tell each other of their
    /// writes: PostgreSQL's `LISTEN/NOTIFY` (several servers may share a database);
    /// none on SQLite, which one server owns.
    pub async fn change_feed(
        &self,
    ) -> Result<Option<std::sync::Arc<dyn citymirror_twin::ChangeFeed>>, RepoError> {
        match &self.backend {
            Backend::Sqlite(_) => Ok(None),
            Backend::Postgres(s) => Ok(Some(std::sync::Arc::new(s.change_feed().await?))),
        }
    }

    /// `"sqlite"` or `"postgres"`, for logs and the status endpoint.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Closes the connections, waiting for queries in flight. Clones of this store
    /// stop working too. Dropping the last clone also closes, but without waiting.
    pub async fn close(&self) {
        dispatch!(self, s => s.close().await)
    }

    /// The columns of `table` in order, as the database reports them; empty if there
    /// is no such table. For checks that the migrations match the schemas.
    pub async fn describe_table(&self, table: &str) -> Result<Vec<Column>, StoreError> {
        dispatch!(self, s => s.describe_table(table).await)
    }

    /// How the database would fetch the first page of
    /// [`list_records`](RecordRepo::list_records) for `grid_prefix`: `EXPLAIN QUERY
    /// PLAN` on SQLite, `EXPLAIN` on PostgreSQL, one line per step. For tests and
    /// operators checking that a jurisdiction's page comes from the grid-code index.
    pub async fn records_query_plan(
        &self,
        schema: &'static RecordSchema,
        grid_prefix: &str,
    ) -> Result<String, RepoError> {
        dispatch!(self, s => s.records_query_plan(schema, grid_prefix).await)
    }
}

#[async_trait]
impl TwinRepo for Store {
    async fn load_layer(&self, layer: LayerId) -> Result<Vec<Feature>, RepoError> {
        dispatch!(self, s => s.load_layer(layer).await)
    }
    async fn insert_features(&self, layer: LayerId, features: &[Feature]) -> Result<(), RepoError> {
        dispatch!(self, s => s.insert_features(layer, features).await)
    }
    async fn get_feature(
        &self,
        layer: LayerId,
        id: FeatureId,
    ) -> Result<Option<Feature>, RepoError> {
        dispatch!(self, s => s.get_feature(layer, id).await)
    }
    async fn replace_feature(&self, layer: LayerId, feature: &Feature) -> Result<bool, RepoError> {
        dispatch!(self, s => s.replace_feature(layer, feature).await)
    }
    async fn delete_feature(&self, layer: LayerId, id: FeatureId) -> Result<bool, RepoError> {
        dispatch!(self, s => s.delete_feature(layer, id).await)
    }
    async fn max_feature_id(&self, layer: LayerId) -> Result<FeatureId, RepoError> {
        dispatch!(self, s => s.max_feature_id(layer).await)
    }
    async fn reserve_feature_ids(&self, layer: LayerId, n: u64) -> Result<FeatureId, RepoError> {
        dispatch!(self, s => s.reserve_feature_ids(layer, n).await)
    }
    async fn count_features(&self, layer: LayerId) -> Result<u64, RepoError> {
        dispatch!(self, s => s.count_features(layer).await)
    }
    async fn set_meta(&self, key: &str, value: &str) -> Result<(), RepoError> {
        dispatch!(self, s => s.set_meta(key, value).await)
    }
    async fn get_meta(&self, key: &str) -> Result<Option<String>, RepoError> {
        dispatch!(self, s => s.get_meta(key).await)
    }
}

#[async_trait]
impl RecordRepo for Store {
    async fn insert_records(
        &self,
        schema: &'static RecordSchema,
        rows: &[Vec<Value>],
    ) -> Result<(), RepoError> {
        dispatch!(self, s => s.insert_records(schema, rows).await)
    }
    async fn count_records(&self, schema: &'static RecordSchema) -> Result<u64, RepoError> {
        dispatch!(self, s => s.count_records(schema).await)
    }
    async fn find_records(
        &self,
        schema: &'static RecordSchema,
        field: &str,
        value: &Value,
        limit: u32,
    ) -> Result<Vec<Vec<Value>>, RepoError> {
        dispatch!(self, s => s.find_records(schema, field, value, limit).await)
    }
    async fn list_records(
        &self,
        schema: &'static RecordSchema,
        grid_prefix: Option<&str>,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<Vec<Value>>, RepoError> {
        dispatch!(self, s => s.list_records(schema, grid_prefix, after_id, limit).await)
    }
    async fn get_record(
        &self,
        schema: &'static RecordSchema,
        id: i64,
    ) -> Result<Option<Vec<Value>>, RepoError> {
        dispatch!(self, s => s.get_record(schema, id).await)
    }
    async fn count_records_in(
        &self,
        schema: &'static RecordSchema,
        grid_prefix: &str,
    ) -> Result<u64, RepoError> {
        dispatch!(self, s => s.count_records_in(schema, grid_prefix).await)
    }
}

#[async_trait]
impl TrustRepo for Store {
    async fn put_units(&self, units: &[Unit]) -> Result<(), RepoError> {
        dispatch!(self, s => s.put_units(units).await)
    }
    async fn units(&self) -> Result<Vec<Unit>, RepoError> {
        dispatch!(self, s => s.units().await)
    }
    async fn insert_users(&self, users: &[NewUser]) -> Result<Vec<i64>, RepoError> {
        dispatch!(self, s => s.insert_users(users).await)
    }
    async fn user(&self, id: i64) -> Result<Option<User>, RepoError> {
        dispatch!(self, s => s.user(id).await)
    }
    async fn user_by_name(&self, username: &str) -> Result<Option<User>, RepoError> {
        dispatch!(self, s => s.user_by_name(username).await)
    }
    async fn users(&self, after_id: i64, limit: u32) -> Result<Vec<User>, RepoError> {
        dispatch!(self, s => s.users(after_id, limit).await)
    }
    async fn count_users(&self) -> Result<u64, RepoError> {
        dispatch!(self, s => s.count_users().await)
    }
    async fn set_password(&self, user_id: i64, hash: Option<&str>) -> Result<bool, RepoError> {
        dispatch!(self, s => s.set_password(user_id, hash).await)
    }
    async fn insert_token(&self, token: &NewToken) -> Result<i64, RepoError> {
        dispatch!(self, s => s.insert_token(token).await)
    }
    async fn token(&self, id: i64) -> Result<Option<ApiToken>, RepoError> {
        dispatch!(self, s => s.token(id).await)
    }
    async fn tokens(&self) -> Result<Vec<ApiToken>, RepoError> {
        dispatch!(self, s => s.tokens().await)
    }
    async fn revoke_token(&self, id: i64, at: DateTime<Utc>) -> Result<bool, RepoError> {
        dispatch!(self, s => s.revoke_token(id, at).await)
    }
    async fn insert_session(&self, session: &Session) -> Result<(), RepoError> {
        dispatch!(self, s => s.insert_session(session).await)
    }
    async fn session(&self, digest: &[u8]) -> Result<Option<Session>, RepoError> {
        dispatch!(self, s => s.session(digest).await)
    }
    async fn delete_session(&self, digest: &[u8]) -> Result<(), RepoError> {
        dispatch!(self, s => s.delete_session(digest).await)
    }
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64, RepoError> {
        dispatch!(self, s => s.delete_expired_sessions(now).await)
    }
}

#[async_trait]
impl AuditRepo for Store {
    async fn append_audit(&self, rows: &[AuditRow]) -> Result<(), RepoError> {
        dispatch!(self, s => s.append_audit(rows).await)
    }
    async fn audit_rows(&self, from: i64, limit: u32) -> Result<Vec<AuditRow>, RepoError> {
        dispatch!(self, s => s.audit_rows(from, limit).await)
    }
    async fn audit_leaf_hashes(&self) -> Result<Vec<(i64, Vec<u8>)>, RepoError> {
        dispatch!(self, s => s.audit_leaf_hashes().await)
    }
    async fn put_checkpoint(&self, checkpoint: &StoredCheckpoint) -> Result<(), RepoError> {
        dispatch!(self, s => s.put_checkpoint(checkpoint).await)
    }
    async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, RepoError> {
        dispatch!(self, s => s.checkpoints().await)
    }
}

/// `url` with any password replaced by `***`, for messages and logs.
pub(crate) fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_owned();
    };
    match rest[..at].find(':') {
        Some(colon) => format!(
            "{}{}:***{}",
            &url[..scheme_end],
            &rest[..colon],
            &rest[at..]
        ),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_passwords() {
        assert_eq!(
            redact_url("postgres://cm:s3cret@db:5432/cm"),
            "postgres://cm:***@db:5432/cm"
        );
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1/test"),
            "postgres://postgres@127.0.0.1/test"
        );
        assert_eq!(redact_url("postgres://h/db?x=a@b"), "postgres://h/db?x=a@b");
        let t = StoreTarget::Postgres {
            url: "postgres://u:pw@h/d".into(),
        };
        assert!(!format!("{t:?}").contains("pw"));
    }
}
