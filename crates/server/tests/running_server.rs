//! A running `citymirror serve` and the commands run beside it on its data directory:
//! one server per directory, writes from the command line through the server (so it
//! stays the one writer, logs nothing amiss, and the audit log verifies), revocation
//! that takes effect at once, and slow clients cut off.

mod common;

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    path::Path,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use common::citymirror;

/// A server on a fresh tiny district, with its log collected.
struct Server {
    child: Child,
    port: u16,
    log: Arc<Mutex<String>>,
    dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        let (ok, _, err) = citymirror(&[
            "generate",
            "--scale",
            "0.002",
            "--seed",
            "3",
            "--data-dir",
            d,
            "--outline",
            "/nonexistent",
        ]);
        assert!(ok, "generate failed: {err}");
        let mut child = Command::new(env!("CARGO_BIN_EXE_citymirror"))
            .args([
                "serve",
                "--data-dir",
                d,
                "--listen",
                "127.0.0.1:0",
                "--header-read-timeout-s",
                "1",
            ])
            .env("RUST_LOG", "info")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("start the server");
        let log = Arc::new(Mutex::new(String::new()));
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("serving on http://127.0.0.1:").nth(1) {
                    let port: u16 = rest.split('/').next().unwrap().parse().unwrap();
                    let _ = port_tx.send(port);
                }
                let mut l = sink.lock().unwrap();
                l.push_str(&line);
                l.push('\n');
            }
        });
        let port = port_rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("the server did not start: {}", log.lock().unwrap()));
        Server {
            child,
            port,
            log,
            dir,
        }
    }

    fn dir(&self) -> &str {
        self.dir.path().to_str().unwrap()
    }

    /// One plain HTTP/1.1 request; returns the status and the body.
    fn get(&self, path: &str, token: Option<&str>) -> (u16, String) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Connection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        let status = answer.split_whitespace().nth(1).unwrap().parse().unwrap();
        let body = answer
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default();
        (status, body)
    }

    /// Stops the server as a service manager would, and waits for it.
    fn stop(mut self) -> (String, tempfile::TempDir) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "the server did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(100));
        let log = self.log.lock().unwrap().clone();
        (log, self.dir)
    }
}

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
