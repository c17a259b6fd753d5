//! Two servers on one PostgreSQL database hold one twin: writes through both at once
//! land under distinct ids, each serves the other's writes (the OGC item, the tile, the
//! live channel's event) within a second, and the audit log verifies afterwards.
//!
//! Runs where `CITYMIRROR_TEST_PG` names a database (CI sets it), in a schema of its own.

mod common;

use std::{
    io::{BufRead, BufReader, Write},
    net::TcpStream,
    sync::mpsc,
    time::{Duration, Instant},
};

use common::{citymirror, pg::PgSchema, server::Server};

/// Within this long, a write through one server shows in the other.
const WITHIN: Duration = Duration::from_secs(1);

/// A building of 20 m × 20 m at `(lon, lat)`.
fn building(lon: f64, lat: f64, name: &str) -> String {
    let d = 0.0002;
    format!(
        r#"{{"type":"Feature","geometry":{{"type":"Polygon","coordinates":[[[{lon},{lat}],[{x},{lat}],[{x},{y}],[{lon},{y}],[{lon},{lat}]]]}},"properties":{{"name":"{name}","use":"办公","height_m":30.0,"floors":8}}}}"#,
        x = lon + d,
        y = lat + d,
    )
}

fn id_of(body: &str) -> i64 {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    v["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no id in {body}"))
}

fn etag(head: &str) -> String {
    head.lines()
        .find_map(|l| {
            l.strip_prefix("etag: ")
                .or_else(|| l.strip_prefix("ETag: "))
        })
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// Waits until `done` holds, at most `WITHIN`; returns how long it took.
fn within(what: &str, mut done: impl FnMut() -> bool) -> Duration {
    let t0 = Instant::now();
    while !done() {
        assert!(t0.elapsed() < WITHIN, "{what} took longer than {WITHIN:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
    t0.elapsed()
}

/// The ids of the `feature` events on a server's live channel, as they arrive.
fn events(port: u16) -> mpsc::Receiver<i64> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut feature = false;
        for line in BufReader::new(s).lines().map_while(Result::ok) {
            if line == "event: feature" {
                feature = true;
            } else if let Some(data) = line.strip_prefix("data: ") {
                if feature {
                    let v: serde_json::Value = serde_json::from_str(data).unwrap();
                    if tx.send(v["id"].as_i64().unwrap()).is_err() {
                        return;
                    }
                }
                feature = false;
            }
        }
    });
    rx
}

fn key_copy(from: &std::path::Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("audit-signing.key");
    std::fs::copy(from.join("audit-signing.key"), &key).unwrap();
    dir
}

#[tokio::test]
async fn two_servers_on_one_database_serve_each_others_writes_within_a_second() {
    let Ok(admin_url) = std::env::var("CITYMIRROR_TEST_PG") else {
        eprintln!("SKIPPED: CITYMIRROR_TEST_PG is unset");
        return;
    };
    let schema = PgSchema::create(&admin_url, "two_t").await;
    let url = schema.url();
    tokio::task::spawn_blocking(move || run(&url))
        .await
        .unwrap();
    drop(schema);
}

fn run(url: &str) {
    let first = tempfile::tempdir().unwrap();
    let d = first.path().to_str().unwrap();
    let (ok, _, err) = citymirror(&[
        "generate",
        "--scale",
        "0.0005",
        "--seed",
        "5",
        "--database",
        url,
        "--data-dir",
        d,
    ]);
    assert!(ok, "generate: {err}");
    let (ok, out, err) = citymirror(&[
        "token",
        "create",
        "--database",
        url,
        "--data-dir",
        d,
        "--role",
        "district-admin",
    ]);
    assert!(ok, "{err}");
    let token = out.lines().last().unwrap().trim().to_owned();

    // Both servers sign the audit log with the same key.
    let second = key_copy(first.path());
    let a = Server::start_with(first, &["--database", url]);
    let b = Server::start_with(second, &["--database", url]);

    // The tile over the CBD on B, before A writes into it.
    let tile = "/tiles/buildings/16/53530/28554.mvt";
    let (_, head, _) = b.send("GET", tile, None, None);
    let tag_before = etag(&head);
    let live_b = events(b.port);

    // Writes through both at once.
    let write = |server: &Server, lon: f64, who: &str| {
        (0..5)
            .map(|i| {
                let body = building(lon + f64::from(i) * 0.0004, 22.5405, &format!("{who}{i}"));
                let (status, _, answer) = server.send(
                    "POST",
                    "/ogc/collections/buildings/items",
                    Some(&token),
                    Some(&body),
                );
                assert_eq!(status, 201, "{answer}");
                id_of(&answer)
            })
            .collect::<Vec<i64>>()
    };
    let (a_ids, b_ids) = std::thread::scope(|s| {
        let ta = s.spawn(|| write(&a, 114.0540, "甲楼"));
        let tb = s.spawn(|| write(&b, 114.0545, "乙楼"));
        (ta.join().unwrap(), tb.join().unwrap())
    });
    let mut all: Vec<i64> = a_ids.iter().chain(&b_ids).copied().collect();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 10, "ids collided: {a_ids:?} {b_ids:?}");

    // Each serves the other's writes.
    for (writer, ids, reader) in [("A", &a_ids, &b), ("B", &b_ids, &a)] {
        for id in ids {
            let path = format!("/ogc/collections/buildings/items/{id}");
            within(
                &format!("{writer}'s building {id} reaching the other server"),
                || reader.get(&path, None).0 == 200,
            );
        }
    }
    // B's live channel told of A's buildings, and its tile over them changed.
    let mut heard = Vec::new();
    let deadline = Instant::now() + WITHIN;
    while !a_ids.iter().all(|id| heard.contains(id)) {
        let left = deadline.saturating_duration_since(Instant::now());
        match live_b.recv_timeout(left) {
            Ok(id) => heard.push(id),
            Err(_) => panic!("B's live channel told of {heard:?}, not all of A's {a_ids:?}"),
        }
    }
    within("B's tile over A's buildings changing", || {
        etag(&b.send("GET", tile, None, None).1) != tag_before
    });

    // A deletion through B leaves A too.
    let gone = a_ids[0];
    let (status, _, body) = b.send(
        "DELETE",
        &format!("/ogc/collections/buildings/items/{gone}"),
        Some(&token),
        None,
    );
    assert_eq!(status, 204, "{body}");
    within("the deletion reaching A", || {
        a.get(&format!("/ogc/collections/buildings/items/{gone}"), None)
            .0
            == 404
    });

    // An import from the command line reaches both running servers.
    let file = tempfile::NamedTempFile::with_suffix(".geojson").unwrap();
    std::fs::write(
        file.path(),
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[114.0560,22.5410]},"properties":{"name":"导入地标","kind":"文化"}}]}"#,
    )
    .unwrap();
    let (ok, _, err) = citymirror(&[
        "import",
        "--database",
        url,
        "--data-dir",
        a.dir(),
        "--layer",
        "landmarks",
        "--file",
        file.path().to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let search = "/api/v1/search?q=%E5%AF%BC%E5%85%A5%E5%9C%B0%E6%A0%87"; // 导入地标
    for server in [&a, &b] {
        within("the imported landmark reaching a running server", || {
            server.get(search, None).1.contains("导入地标")
        });
    }

    let (log_a, dir_a) = a.stop();
    let (log_b, _dir_b) = b.stop();
    for log in [&log_a, &log_b] {
        assert!(!log.contains("ERROR"), "{log}");
    }
    let (ok, out, err) = citymirror(&[
        "audit",
        "verify",
        "--database",
        url,
        "--data-dir",
        dir_a.path().to_str().unwrap(),
    ]);
    assert!(
        ok,
        "the log written by two servers does not verify: {out}{err}"
    );
}
