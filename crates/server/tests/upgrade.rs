//! A data directory (SQLite) or database (PostgreSQL) written by an earlier CityMirror
//! still opens, reads the same, takes new writes, and its audit log verifies.
//!
//! The fixtures in `fixtures/` were written by the release of 2026-12-04 (migrations
//! 0001–0004): `generate --scale 0.0005 --seed 3`, a token minted with `token create`
//! (audited), then most feature and record rows deleted so that the dumps stay small; the
//! whole organisation is kept. `datadir-v4.sql.gz` is SQLite's dump, `datadir-v4.postgres
//! .sql.gz` is `pg_dump --inserts` of the schema `upgrade_v4` (less psql's `\restrict`
//! lines, which are not SQL); each has its signing key (a
//! test key, nothing else uses it) beside it. A change to the store that can no longer
//! open them, or reads them differently, loses users' data on upgrade: this test is what
//! says so. Never regenerate the fixtures to make it pass.
//!
//! The PostgreSQL case runs where `CITYMIRROR_TEST_PG` names a database (CI sets it).

mod common;

use std::io::Read;

use common::{citymirror, pg::PgSchema, server::Server};
use sqlx::Connection as _;

/// A restored fixture: its data directory (the audit key, and for SQLite the database)
/// and, for PostgreSQL, the schema it was restored into (dropped with it).
struct Restored {
    dir: tempfile::TempDir,
    schema: Option<PgSchema>,
}

impl Restored {
    fn args(&self) -> Vec<String> {
        let mut a = vec![
            "--data-dir".to_owned(),
            self.dir.path().to_str().unwrap().to_owned(),
        ];
        if let Some(s) = &self.schema {
            a.extend(["--database".to_owned(), s.url()]);
        }
        a
    }

    /// `citymirror COMMAND… --data-dir … [--database …]`.
    fn run(&self, command: &[&str]) -> (bool, String, String) {
        let args = self.args();
        let mut all: Vec<&str> = command.to_vec();
        all.extend(args.iter().map(String::as_str));
        citymirror(&all)
    }
}

fn gunzip(bytes: &[u8]) -> String {
    let mut sql = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut sql)
        .unwrap();
    sql
}

fn with_key(key: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit-signing.key");
    std::fs::write(&path, key).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    dir
}

async fn restore_sqlite() -> Restored {
    let dir = with_key(include_bytes!("fixtures/datadir-v4.audit-signing.key"));
    let db = dir.path().join("citymirror.db");
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", db.display()))
        .await
        .unwrap();
    let sql = gunzip(include_bytes!("fixtures/datadir-v4.sql.gz"));
    sqlx::raw_sql(&sql).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    Restored { dir, schema: None }
}

async fn restore_postgres(admin_url: &str) -> Restored {
    let dir = with_key(include_bytes!(
        "fixtures/datadir-v4.postgres.audit-signing.key"
    ));
    // The dump creates its schema; it is restored under a name of this test's own.
    let schema = PgSchema::named(admin_url, "upgrade_t");
    let sql = gunzip(include_bytes!("fixtures/datadir-v4.postgres.sql.gz"))
        .replace("upgrade_v4", &schema.name);
    schema.execute(&sql).await;
    Restored {
        dir,
        schema: Some(schema),
    }
}

/// The number `stats` prints for `what`.
fn stat(stats: &str, what: &str) -> u64 {
    stats
        .lines()
        .find_map(|l| {
            let mut words = l.split_whitespace();
            (words.next() == Some(what)).then(|| words.next().unwrap().replace(',', ""))
        })
        .unwrap_or_else(|| panic!("no `{what}` in {stats}"))
        .parse()
        .unwrap()
}

impl Restored {
    fn target(&self) -> citymirror_store::StoreTarget {
        match &self.schema {
            Some(s) => citymirror_store::StoreTarget::Postgres { url: s.url() },
            None => citymirror_store::StoreTarget::Sqlite {
                data_dir: self.dir.path().to_owned(),
            },
        }
    }
}

/// Opened (and so brought up to date), the restored database has exactly the tables,
/// columns, indexes, constraints and triggers of a database made today: the migrations
/// written in Rust create what the SQL files they replaced created, column for column.
async fn has_the_schema_of_a_fresh_store(
    restored: &Restored,
    fresh: citymirror_store::StoreTarget,
) {
    let describe = |target: citymirror_store::StoreTarget| async move {
        let store = citymirror_store::open(&target).await.unwrap();
        let lines = store.describe_schema().await.unwrap();
        store.close().await;
        lines
    };
    let upgraded = describe(restored.target()).await;
    let made_today = describe(fresh).await;
    assert!(upgraded.len() > 100, "{upgraded:#?}");
    let only_old: Vec<_> = upgraded
        .iter()
        .filter(|l| !made_today.contains(l))
        .collect();
    let only_new: Vec<_> = made_today
        .iter()
        .filter(|l| !upgraded.contains(l))
        .collect();
    assert!(
        only_old.is_empty() && only_new.is_empty(),
        "only in the upgraded database: {only_old:#?}\nonly in a fresh one: {only_new:#?}"
    );
}

fn opens_reads_takes_writes_and_verifies(restored: Restored) {
    // What was there is read back as it was written.
    let (ok, stats, err) = restored.run(&["stats"]);
    assert!(ok, "{err}");
    for (what, n) in [
        ("grids", 1004),
        ("buildings", 10),
        ("components", 5),
        ("roads", 20),
        ("landmarks", 13),
        ("persons", 20),
        ("houses", 10),
        ("entities", 10),
    ] {
        assert_eq!(stat(&stats, what), n, "{what}");
    }
    let (ok, tokens, err) = restored.run(&["token", "list"]);
    assert!(ok, "{err}");
    assert!(tokens.contains("upgrade-fixture"), "{tokens}");
    let (ok, out, err) = restored.run(&["audit", "verify"]);
    assert!(ok, "the fixture's log does not verify: {out}{err}");

    // It takes new writes: a token minted now, which the server then accepts.
    let (ok, out, err) = restored.run(&["token", "create", "--role", "district-admin"]);
    assert!(ok, "{err}");
    let token = out.lines().last().unwrap().trim().to_owned();

    let Restored { dir, schema } = restored;
    let url = schema.as_ref().map(PgSchema::url);
    let more: Vec<&str> = url
        .as_deref()
        .map_or_else(Vec::new, |u| vec!["--database", u]);
    let server = Server::start_with(dir, &more);
    let (status, body) = server.get("/ogc/collections/buildings/items?limit=100", None);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"numberMatched\":10"), "{body}");
    let (status, body) = server.get(
        "/api/v1/search?q=%E5%B8%82%E6%B0%91%E4%B8%AD%E5%BF%83",
        None,
    );
    assert_eq!(status, 200);
    assert!(body.contains("landmarks"), "{body}");
    let (status, body) = server.get("/api/v1/records/persons?limit=100", Some(&token));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body.matches("\"id_number\"").count(), 20, "{body}");
    let (log, dir) = server.stop();
    assert!(!log.contains("WARN") && !log.contains("ERROR"), "{log}");

    // The log, with the entries of today's writes and reads, still verifies.
    let restored = Restored { dir, schema };
    let (ok, out, err) = restored.run(&["audit", "verify"]);
    assert!(ok, "{out}{err}");
}

#[tokio::test]
async fn a_sqlite_data_directory_from_the_previous_release_opens_reads_and_verifies() {
    let restored = restore_sqlite().await;
    let fresh = tempfile::tempdir().unwrap();
    let target = citymirror_store::StoreTarget::Sqlite {
        data_dir: fresh.path().to_owned(),
    };
    has_the_schema_of_a_fresh_store(&restored, target).await;
    tokio::task::spawn_blocking(move || opens_reads_takes_writes_and_verifies(restored))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_postgresql_database_from_the_previous_release_opens_reads_and_verifies() {
    let Ok(url) = std::env::var("CITYMIRROR_TEST_PG") else {
        eprintln!("SKIPPED: CITYMIRROR_TEST_PG is unset");
        return;
    };
    let restored = restore_postgres(&url).await;
    let fresh = PgSchema::create(&url, "upgrade_f").await;
    let target = citymirror_store::StoreTarget::Postgres { url: fresh.url() };
    has_the_schema_of_a_fresh_store(&restored, target).await;
    tokio::task::spawn_blocking(move || opens_reads_takes_writes_and_verifies(restored))
        .await
        .unwrap();
}
