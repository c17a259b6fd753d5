//! A data directory written by an earlier CityMirror still opens, reads the same, takes
//! new writes, and its audit log verifies.
//!
//! The fixture `fixtures/datadir-v4.sql.gz` is a SQLite dump of a data directory that
//! the release of 2026-12-04 wrote (migrations 0001–0004): `generate --scale 0.0005 --seed 3`,
//! then two tokens minted with `token create` (audited), then most of the feature and record
//! rows deleted so that the dump stays small; the whole organisation is kept. Its signing
//! key (a test key, nothing else uses it) is beside it. A change to the store that can no
//! longer open it, or reads it differently, loses users' data on upgrade: this test is
//! what says so. Never regenerate the fixture to make this test pass.

mod common;

use std::io::Read;

use common::{citymirror, server::Server};
use sqlx::{Connection as _, SqliteConnection};

const DUMP: &[u8] = include_bytes!("fixtures/datadir-v4.sql.gz");
const KEY: &[u8] = include_bytes!("fixtures/datadir-v4.audit-signing.key");

/// A data directory restored from the fixture.
async fn restored() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut sql = String::new();
    flate2::read::GzDecoder::new(DUMP)
        .read_to_string(&mut sql)
        .unwrap();
    let db = dir.path().join("citymirror.db");
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", db.display()))
        .await
        .unwrap();
    sqlx::raw_sql(&sql).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    let key = dir.path().join("audit-signing.key");
    std::fs::write(&key, KEY).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    dir
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

#[tokio::test]
async fn a_data_directory_from_the_previous_release_opens_reads_and_verifies() {
    let dir = restored().await;
    let d = dir.path().to_str().unwrap().to_owned();

    // What was there is read back as it was written.
    let (ok, stats, err) = citymirror(&["stats", "--data-dir", &d]);
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
    let (ok, tokens, err) = citymirror(&["token", "list", "--data-dir", &d]);
    assert!(ok, "{err}");
    assert!(tokens.contains("upgrade-fixture"), "{tokens}");
    let (ok, out, err) = citymirror(&["audit", "verify", "--data-dir", &d]);
    assert!(ok, "the fixture's log does not verify: {out}{err}");

    // It takes new writes: a token minted now, which the server then accepts.
    let (ok, out, err) = citymirror(&[
        "token",
        "create",
        "--data-dir",
        &d,
        "--role",
        "district-admin",
    ]);
    assert!(ok, "{err}");
    let token = out.lines().last().unwrap().trim().to_owned();

    let server = Server::start_in(dir);
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
    let d = dir.path().to_str().unwrap();
    let (ok, out, err) = citymirror(&["audit", "verify", "--data-dir", d]);
    assert!(ok, "{out}{err}");
}
