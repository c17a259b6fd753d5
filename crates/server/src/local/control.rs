//! The server's local control socket, `<data-dir>/control.sock`, and the client the
//! command line uses to write through it while a server runs.
//!
//! The socket serves the same API as the TCP listener, but whoever connects to it acts
//! as the deployment's operator (`Principal::operator`): its file mode (0600, owner
//! only) is the credential, as with Docker's or PostgreSQL's local sockets. So
//! `citymirror token create` against a running server's data directory is the API's
//! `POST /api/v1/tokens` by the operator: one writer (the server) appends to the audit
//! log, the token cache learns of a revocation at once, and imported features appear in
//! the running twin, its tiles and its live channel.

use std::path::{Path, PathBuf};

use anyhow::Context;
use axum::{body::Bytes, Router};
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;

pub const SOCKET_FILE: &str = "control.sock";

pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SOCKET_FILE)
}

/// Serves `app` as the operator on the data directory's control socket until the task
/// is dropped. Call while holding the directory's lock (a stale socket file is removed).
pub fn bind(data_dir: &Path, app: Router) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    use std::os::unix::fs::PermissionsExt;
    let path = socket_path(data_dir);
    let _ = std::fs::remove_file(&path);
    let listener = tokio::net::UnixListener::bind(&path)
        .with_context(|| format!("binding the control socket {}", path.display()))?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
        .with_context(|| format!("restricting {}", path.display()))?;
    let app = app.layer(axum::Extension(citymirror_http::security::LocalOperator));
    Ok(tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::warn!(error = %e, "the control socket stopped");
        }
    }))
}

/// A response from the running server.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Bytes,
}

impl Answer {
    /// The body as JSON, or an error carrying the API's message.
    pub fn json(self) -> anyhow::Result<serde_json::Value> {
        let v: serde_json::Value = serde_json::from_slice(&self.body)
            .with_context(|| format!("the server answered {} with no JSON", self.status))?;
        if !self.status.is_success() {
            anyhow::bail!(
                "the running server refused: {} ({})",
                v["message"].as_str().unwrap_or("no message"),
                v["code"].as_str().unwrap_or("no code")
            );
        }
        Ok(v)
    }
}

/// Sends one request to the server on `data_dir`'s control socket.
pub async fn request(
    data_dir: &Path,
    method: Method,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> anyhow::Result<Answer> {
    let socket = socket_path(data_dir);
    let stream = tokio::net::UnixStream::connect(&socket)
        .await
        .with_context(|| format!("connecting to the running server at {}", socket.display()))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .context("talking to the running server")?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header("host", "localhost")
        .header("content-type", content_type)
        .body(Full::new(Bytes::from(body)))
        .context("building the request")?;
    let res = sender
        .send_request(req)
        .await
        .context("the running server did not answer")?;
    let status = res.status();
    let body = res
        .into_body()
        .collect()
        .await
        .context("reading the server's answer")?
        .to_bytes();
    Ok(Answer { status, body })
}
