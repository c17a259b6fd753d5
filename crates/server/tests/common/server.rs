//! A `citymirror serve` run by a test: started on a data directory, its log collected,
//! plain HTTP requests to it, and a stop as a service manager would.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// A server on a fresh tiny district, with its log collected.
pub struct Server {
    child: Child,
    pub port: u16,
    log: Arc<Mutex<String>>,
    /// `None` once `stop` or `kill_hard` handed it back.
    dir: Option<tempfile::TempDir>,
}

/// A test that panics must not leave its server running (it would hold ports and CPU
/// for the rest of the suite): whatever was not stopped is killed.
impl Drop for Server {
    fn drop(&mut self) {
        if self.dir.is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Server {
    /// A server on a freshly generated tiny district.
    pub fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        super::generate_tiny(dir.path());
        Server::start_in(dir)
    }

    /// A server on the data directory `dir` as it is.
    pub fn start_in(dir: tempfile::TempDir) -> Server {
        Server::start_with(dir, &[])
    }

    /// A server on the data directory `dir`, with more arguments (`--database …`).
    pub fn start_with(dir: tempfile::TempDir, more: &[&str]) -> Server {
        let d = dir.path().to_str().unwrap().to_owned();
        let serve = [
            "serve",
            "--data-dir",
            &d,
            "--listen",
            "127.0.0.1:0",
            "--header-read-timeout-s",
            "1",
        ];
        Server::run(dir, &serve, more)
    }

    /// `citymirror demo` on the data directory `dir` (generated on first run), with
    /// more arguments.
    #[allow(dead_code)] // Not every test binary runs the demo.
    pub fn demo(dir: tempfile::TempDir, more: &[&str]) -> Server {
        let d = dir.path().to_str().unwrap().to_owned();
        let demo = ["demo", "--data-dir", &d, "--listen", "127.0.0.1:0"];
        Server::run(dir, &demo, more)
    }

    fn run(dir: tempfile::TempDir, command: &[&str], more: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_citymirror"))
            .args(command)
            .args(more)
            // The broker CI names for the MQTT tests (`CITYMIRROR_MQTT`) is also the
            // server's `--mqtt` default: servers get one only when a test passes it.
            .env_remove("CITYMIRROR_MQTT")
            // CITYMIRROR_TEST_SERVER_LOG=debug shows more when a test fails.
            .env(
                "RUST_LOG",
                std::env::var("CITYMIRROR_TEST_SERVER_LOG").unwrap_or_else(|_| "info".into()),
            )
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
            .recv_timeout(Duration::from_secs(180))
            .unwrap_or_else(|_| panic!("the server did not start: {}", log.lock().unwrap()));
        Server {
            child,
            port,
            log,
            dir: Some(dir),
        }
    }

    /// The server's log so far.
    #[allow(dead_code)] // Not every test binary reads it.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    pub fn dir(&self) -> &str {
        self.dir.as_ref().unwrap().path().to_str().unwrap()
    }

    /// One plain HTTP/1.1 request with an optional JSON body; returns the status, the
    /// header block and the body.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        json: Option<&str>,
    ) -> (u16, String, String) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
        let body = json.unwrap_or("");
        let content = json.map_or(String::new(), |b| {
            // GeoJSON for the twin's writes, plain JSON for the other APIs.
            let kind = if path.starts_with("/ogc") {
                "application/geo+json"
            } else {
                "application/json"
            };
            format!("Content-Type: {kind}\r\nContent-Length: {}\r\n", b.len())
        });
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}{content}Connection: close\r\n\r\n{body}"
        )
        .unwrap();
        let mut answer = Vec::new();
        s.read_to_end(&mut answer).unwrap();
        let answer = String::from_utf8_lossy(&answer).into_owned();
        let status = answer.split_whitespace().nth(1).unwrap().parse().unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        (status, head.to_owned(), body.to_owned())
    }

    /// One plain HTTP/1.1 request; returns the status and the body.
    pub fn get(&self, path: &str, token: Option<&str>) -> (u16, String) {
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

    /// Kills the server outright (SIGKILL: no shutdown, no flush), as a power cut or the
    /// OOM killer would, and hands back its data directory.
    pub fn kill_hard(mut self) -> tempfile::TempDir {
        self.child.kill().expect("SIGKILL the server");
        self.child.wait().expect("reap the server");
        self.dir.take().unwrap()
    }

    /// Stops the server as a service manager would, and waits for it.
    pub fn stop(mut self) -> (String, tempfile::TempDir) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.child.try_wait().unwrap().is_none() {
            assert!(
                Instant::now() < deadline,
                "the server did not stop; its log:\n{}",
                self.log.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        std::thread::sleep(Duration::from_millis(100));
        let log = self.log.lock().unwrap().clone();
        (log, self.dir.take().unwrap())
    }
}
