//! `citymirror-store`: where the twin's layers, block-data records, trust and the audit
//! log are persisted.
//!
//! [`Store`] implements [`citymirror_twin::TwinRepo`], [`citymirror_twin::RecordRepo`],
//! [`citymirror_trust::TrustRepo`] (units, users, API tokens, sessions) and
//! [`citymirror_trust::AuditRepo`] (the append-only audit log) on two backends with the
//! same behaviour:
//!
//! - **SQLite** ([`StoreTarget::Sqlite`]): one file, `<data_dir>/citymirror.db`, for a
//!   single server or a laptop. Nothing to install.
//! - **PostgreSQL** ([`StoreTarget::Postgres`]): for shared or larger deployments
//!   (several servers on one database follow each other through [`Store::change_feed`]),
//!   and for SQL users who want to query the tables directly.
//!
//! Each repository is written once (`repo/`), against the small dialect layer in `db/`,
//! which is the one place the backends differ: how a pool is opened, how a value is
//! bound and read back (SQLite keeps dates and instants as text), and how rows are
//! inserted in bulk (multi-row `INSERT`s on SQLite, one array per column through
//! `unnest` on PostgreSQL, many rows per round trip either way). The statements that
//! derive from the `citymirror_core` schemas are built in `sql.rs`.
//!
//! [`open`] connects and applies the versioned migrations (`migrations/`), so a fresh
//! database is ready to use and an existing one is brought up to date. Each migration is
//! a Rust file describing its tables once; they are rendered in each dialect's DDL.
//! Never edit one that has shipped: add the next. `crates/store/README.md` shows how a
//! new subsystem adds its tables and repository.
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

use citymirror_twin::RepoError;

mod checks;
mod db;
mod feed;
mod migrations;
mod repo;
mod sql;

pub use db::sqlite::FILE_NAME as SQLITE_FILE_NAME;

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
    #[error(transparent)]
    Repo(RepoError),
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
    db: db::Db,
}

/// Opens (creating if needed) the store at `target` and applies pending migrations.
pub async fn open(target: &StoreTarget) -> Result<Store, StoreError> {
    let db = match target {
        StoreTarget::Sqlite { data_dir } => db::Db::Sqlite(db::sqlite::open(data_dir).await?),
        StoreTarget::Postgres { url } => db::Db::Postgres(db::postgres::open(url).await?),
    };
    migrations::run(&db).await?;
    Ok(Store { db })
}

impl Store {
    /// The feed on which the processes serving this store tell each other of their
    /// writes: PostgreSQL's `LISTEN/NOTIFY` (several servers may share a database);
    /// none on SQLite, which one server owns.
    pub async fn change_feed(
        &self,
    ) -> Result<Option<std::sync::Arc<dyn citymirror_twin::ChangeFeed>>, RepoError> {
        match &self.db {
            db::Db::Sqlite(_) => Ok(None),
            db::Db::Postgres(pool) => Ok(Some(std::sync::Arc::new(
                feed::PgFeed::new(pool.clone()).await?,
            ))),
        }
    }

    /// `"sqlite"` or `"postgres"`, for logs and the status endpoint.
    pub fn backend_name(&self) -> &'static str {
        self.db.name()
    }

    /// Closes the connections, waiting for queries in flight. Clones of this store
    /// stop working too. Dropping the last clone also closes, but without waiting.
    pub async fn close(&self) {
        self.db.close().await
    }

    /// The columns of `table` in order, as the database reports them; empty if there
    /// is no such table. For checks that the migrations match the schemas.
    pub async fn describe_table(&self, table: &str) -> Result<Vec<Column>, StoreError> {
        self.db
            .describe_table(table)
            .await
            .map_err(StoreError::Repo)
    }

    /// Every column, index, constraint and trigger of the store's tables, one line
    /// each, sorted: two stores with the same lines have the same schema. For checks
    /// that a database made by an earlier release matches a fresh one.
    pub async fn describe_schema(&self) -> Result<Vec<String>, StoreError> {
        self.db.describe_schema().await.map_err(StoreError::Repo)
    }

    /// How many rows `table` has.
    async fn count(&self, table: &str) -> Result<u64, RepoError> {
        let n: i64 = db::query(sql::count(table))
            .fetch_one(&self.db)
            .await
            .map_err(sql::backend(format_args!("cannot count `{table}`")))?
            .get(0)?;
        Ok(n.max(0) as u64)
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
