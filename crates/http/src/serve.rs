//! Serving the router on a TCP listener, with the bounds a public server needs that
//! `axum::serve` does not set: a client must send its request headers within
//! [`ServeConfig::header_read_timeout`] (an idle keep-alive connection is closed after
//! as long), one client address may hold at most
//! [`ServeConfig::max_connections_per_client`] connections, and the server at most
//! [`ServeConfig::max_connections`]. A connection beyond a bound is answered at once with
//! a `503` in the API's JSON error format and closed, so a client learns why.
//!
//! Each connection is served by hyper's HTTP/1.1 server with the client's address in
//! the request's extensions (`ConnectInfo`), as axum's own `serve` does. On shutdown the
//! listener closes, open connections finish the request they are on, and the function
//! returns when all are done.

use std::{
    collections::HashMap,
    future::Future,
    net::{IpAddr, SocketAddr},
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{extract::ConnectInfo, Router};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::{net::TcpListener, sync::watch};
use tower::ServiceExt;

/// The bounds on connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeConfig {
    /// How long a client may take to send a request's headers (and how long an idle
    /// keep-alive connection stays open).
    pub header_read_timeout: Duration,
    /// Open connections at most, from everyone.
    pub max_connections: usize,
    /// Open connections at most from one client address (an IPv6 client by its /64).
    pub max_connections_per_client: usize,
    /// On shutdown, how long a request still being answered may take to finish before
    /// its connection is closed. Live channels (SSE) never finish by themselves, and a
    /// server that waited on them would never stop (and a service manager would kill it
    /// before it signed its last audit checkpoint).
    pub drain_timeout: Duration,
}

impl Default for ServeConfig {
    /// Ten seconds for headers, five to drain; 256 connections per address, which a whole office behind
    /// one NAT address (six per browser) stays under, and 4,096 in all, which fits the
    /// usual limit of open files.
    fn default() -> Self {
        ServeConfig {
            header_read_timeout: Duration::from_secs(10),
            max_connections: 4096,
            max_connections_per_client: 256,
            drain_timeout: Duration::from_secs(5),
        }
    }
}

/// The connections open now.
#[derive(Debug, Default)]
struct Open {
    total: usize,
    by_client: HashMap<IpAddr, usize>,
}

/// One admitted connection; dropping it frees its place.
#[derive(Debug)]
struct Slot {
    open: Arc<Mutex<Open>>,
    client: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap();
        open.total -= 1;
        if let Some(n) = open.by_client.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                open.by_client.remove(&self.client);
            }
        }
    }
}

fn admit(open: &Arc<Mutex<Open>>, peer: IpAddr, cfg: &ServeConfig) -> Option<Slot> {
    let client = match crate::security::rate_limit::ClientKey::anonymous(peer) {
        crate::security::rate_limit::ClientKey::Address(ip) => ip,
        crate::security::rate_limit::ClientKey::Principal(_) => peer,
    };
    let mut o = open.lock().unwrap();
    let mine = o.by_client.get(&client).copied().unwrap_or(0);
    if o.total >= cfg.max_connections || mine >= cfg.max_connections_per_client {
        return None;
    }
    o.total += 1;
    *o.by_client.entry(client).or_default() += 1;
    Some(Slot {
        open: open.clone(),
        client,
    })
}

/// What a refused connection is told before it is closed.
const REFUSED: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 5\r\nconnection: close\r\ncontent-length: 109\r\n\r\n{\"code\":\"too_many_connections\",\"message\":\"this client holds too many open connections; close some and retry\"}";

/// Serves `app` on `listener` until `shutdown` completes, then drains.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    cfg: ServeConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let open = Arc::new(Mutex::new(Open::default()));
    // `stop` tells every connection to finish the request it is on; each connection task
    // holds a clone of `done_tx`, so `done_rx` learns when the last one has ended.
    let (stop_tx, stop_rx) = watch::channel(false);
    let (done_tx, mut done_rx) = watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was
                    // taken: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = admit(&open, peer.ip(), &cfg) else {
            tokio::spawn(refuse(stream));
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let mut stop = stop_rx.clone();
        let done = done_tx.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let _done = done;
            let service = app.map_request(move |mut req: axum::http::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                req.map(axum::body::Body::new)
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(cfg.header_read_timeout);
            let conn = builder
                .serve_connection(
                    TokioIo::new(stream),
                    hyper_util::service::TowerToHyperService::new(service),
                )
                .with_upgrades();
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                result = conn.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                }
                _ = stop.changed() => {
                    conn.as_mut().graceful_shutdown();
                    if tokio::time::timeout(cfg.drain_timeout, conn).await.is_err() {
                        tracing::debug!(%peer, "closed a connection still open at shutdown");
                    }
                }
            }
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(done_tx);
    while done_rx.changed().await.is_ok() {}
    Ok(())
}

/// Tells a connection over the bounds why, and closes it (never waiting long on it).
async fn refuse(stream: tokio::net::TcpStream) {
    use tokio::io::AsyncWriteExt;
    let mut stream = stream;
    let _ = tokio::time::timeout(Duration::from_secs(1), stream.write_all(REFUSED)).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refusal_is_a_well_formed_json_error() {
        let text = std::str::from_utf8(REFUSED).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{head}"
        );
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["code"], "too_many_connections");
    }

    #[test]
    fn a_client_gets_its_share_of_connections_and_frees_them_when_done() {
        let open = Arc::new(Mutex::new(Open::default()));
        let cfg = ServeConfig {
            max_connections: 3,
            max_connections_per_client: 2,
            ..ServeConfig::default()
        };
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let s1 = admit(&open, a, &cfg).unwrap();
        let _s2 = admit(&open, a, &cfg).unwrap();
        assert!(admit(&open, a, &cfg).is_none(), "a third from one address");
        let _s3 = admit(&open, b, &cfg).unwrap();
        assert!(admit(&open, b, &cfg).is_none(), "a fourth in all");
        drop(s1);
        assert!(admit(&open, a, &cfg).is_some());
    }
}
