//! Opening: where the SQLite file goes and how it is configured, and what a failed
//! open tells the operator.

mod common;

use citymirror_store::{open, StoreError, StoreTarget, SQLITE_FILE_NAME};
use sqlx::{Connection as _, SqliteConnection};

#[tokio::test]
async fn sqlite_creates_its_directory_and_file_in_wal_mode() {
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("nested").join("data");
    let store = open(&StoreTarget::Sqlite {
        data_dir: data_dir.clone(),
    })
    .await
    .unwrap();
    assert_eq!(store.backend_name(), "sqlite");
    let file = data_dir.join(SQLITE_FILE_NAME);
    assert!(file.is_file(), "{}", file.display());
    store.close().await;

    // WAL mode is a property of the file, so a plain connection sees it.
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(versions, vec![1, 2, 3, 4, 5, 6, 7]);
}

#[tokio::test]
async fn a_data_dir_that_is_a_file_is_refused_with_advice() {
    let tmp = tempfile::NamedTempFile::new().unwrap();
    let err = open(&StoreTarget::Sqlite {
        data_dir: tmp.path().join("data"),
    })
    .await
    .unwrap_err();
    assert!(matches!(err, StoreError::DataDir { .. }), "{err:?}");
    assert!(
        err.to_string().contains("cannot create the data directory"),
        "{err}"
    );
}

#[tokio::test]
async fn an_unreachable_postgres_is_named_without_its_password() {
    // Port 1 refuses connections at once.
    let err = open(&StoreTarget::Postgres {
        url: "postgres://cm:hunter2@127.0.0.1:1/citymirror".into(),
    })
    .await
    .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, StoreError::Postgres { .. }), "{err:?}");
    assert!(
        msg.contains("cannot connect to PostgreSQL at postgres://cm:***@127.0.0.1:1/citymirror"),
        "{msg}"
    );
    assert!(!msg.contains("hunter2"), "{msg}");

    let err = open(&StoreTarget::Postgres {
        url: "mysql://nope".into(),
    })
    .await
    .unwrap_err();
    assert!(matches!(err, StoreError::PostgresUrl { .. }), "{err:?}");
}

#[tokio::test]
async fn postgres_reports_its_backend_name() {
    let Some(db) = common::postgres("postgres_reports_its_backend_name").await else {
        return;
    };
    common::run(db, |db| async move {
        let store = db.open().await;
        assert_eq!(store.backend_name(), "postgres");
    })
    .await;
}
