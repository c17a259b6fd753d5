//! A running `citymirror serve` and the commands run beside it on its data directory:
//! one server per directory, writes from the command line through the server (so it
//! stays the one writer, logs nothing amiss, and the audit log verifies), revocation
//! that takes effect at once, and slow clients cut off.

mod common;

use std::{
    io::{Read, Write},
    net::TcpStream,
    path::Path,
    time::{Duration, Instant},
};

use common::{citymirror, server::Server};

fn run_in(dir: &str, args: &[&str]) -> (bool, String, String) {
    let mut all = args.to_vec();
    all.extend(["--data-dir", dir]);
    citymirror(&all)
}

#[test]
fn commands_write_through_the_running_server_which_stays_the_one_writer() {
    let server = Server::start();
    let d = server.dir().to_owned();

    // A second server on the same directory is refused, saying why.
    let (ok, _, err) = run_in(&d, &["serve", "--listen", "127.0.0.1:0"]);
    assert!(!ok);
    assert!(
        err.contains("is serving") && err.contains("PostgreSQL"),
        "{err}"
    );
    let (ok, _, err) = run_in(&d, &["generate", "--scale", "0.002"]);
    assert!(!ok && err.contains("is serving"), "{err}");

    // A token minted from the command line works against the running server at once.
    let (ok, out, err) = run_in(&d, &["token", "create", "--role", "district-admin"]);
    assert!(ok, "{err}");
    let token = out.lines().last().unwrap().trim().to_owned();
    assert!(err.contains("running server"), "{err}");
    assert_eq!(server.get("/api/v1/tokens", Some(&token)).0, 200);
    // The rule is the server's: a unit role names its unit.
    let (ok, _, err) = run_in(&d, &["token", "create", "--role", "grid-worker"]);
    assert!(!ok && err.contains("must name it"), "{err}");

    // An import lands in the running twin.
    let before = server
        .get(
            "/ogc/collections/components/items?category=0115&limit=1",
            None,
        )
        .1;
    let file = Path::new(&d).join("hydrant.geojson");
    std::fs::write(
        &file,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[114.0553,22.5405]},"properties":{"category":"0115","status":"完好"}}]}"#,
    )
    .unwrap();
    let (ok, _, err) = run_in(
        &d,
        &[
            "import",
            "--layer",
            "components",
            "--file",
            file.to_str().unwrap(),
        ],
    );
    assert!(ok, "{err}");
    let after = server
        .get(
            "/ogc/collections/components/items?category=0115&limit=1",
            None,
        )
        .1;
    let matched = |doc: &str| {
        serde_json::from_str::<serde_json::Value>(doc).unwrap()["numberMatched"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(matched(&after), matched(&before) + 1);

    // Revoked from the command line, the token is refused from the next request on.
    let id = {
        let (_, list, _) = run_in(&d, &["token", "list"]);
        list.lines()
            .next()
            .unwrap()
            .split('\t')
            .next()
            .unwrap()
            .to_owned()
    };
    let (ok, _, err) = run_in(&d, &["token", "revoke", &id]);
    assert!(ok, "{err}");
    assert!(err.contains("from now on"), "{err}");
    assert_eq!(server.get("/api/v1/tokens", Some(&token)).0, 401);

    let (log, dir) = server.stop();
    assert!(!log.contains(" WARN ") && !log.contains(" ERROR "), "{log}");
    assert!(
        !log.contains("\u{1b}["),
        "colour codes in a log that is not a terminal"
    );
    let (ok, out, err) = citymirror(&[
        "audit",
        "verify",
        "--data-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert!(ok, "{out}{err}");
}

#[test]
fn a_client_that_never_finishes_its_headers_is_cut_off() {
    // The finding: 100 half-sent requests were still open after 35 s.
    let server = Server::start();
    let mut slow: Vec<TcpStream> = (0..20)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                .unwrap();
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            s
        })
        .collect();
    let started = Instant::now();
    for s in &mut slow {
        let mut buf = Vec::new();
        // The server closes the connection (EOF, possibly after a 408) within its
        // one-second header timeout, long before our ten-second read timeout.
        let _ = s.read_to_end(&mut buf);
    }
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        server.get("/healthz", None).0,
        200,
        "others are served meanwhile"
    );
    server.stop();
}

#[test]
fn a_server_with_live_channels_open_still_stops_and_signs_its_last_checkpoint() {
    let server = Server::start();
    // A map left open: its live channel never ends by itself.
    let mut live = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    write!(
        live,
        "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    let mut first = [0u8; 12];
    live.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    let t0 = Instant::now();
    let (log, dir) = server.stop();
    assert!(
        t0.elapsed() < Duration::from_secs(15),
        "took {:?}",
        t0.elapsed()
    );
    assert!(!log.contains("ERROR"), "{log}");
    let (ok, out, err) = run_in(dir.path().to_str().unwrap(), &["audit", "verify"]);
    assert!(ok, "{out}{err}");
}
