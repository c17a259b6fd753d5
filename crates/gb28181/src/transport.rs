//! SIP over UDP and TCP on one address: datagrams and Content-Length-framed TCP streams
//! become [`Packet`]s on one channel; answers go back the way the packet came ([`Route`]).
//!
//! Everything here is bounded: a message is at most [`wire::MAX_MESSAGE`] bytes, TCP
//! connections are capped and closed when idle, and when the platform falls behind the
//! channel fills and further packets are dropped and counted rather than queued without end.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::{mpsc, watch};

use crate::stats::Stats;
use crate::wire;

/// How a device is reached: the address its datagrams come from, or its TCP connection.
#[derive(Debug, Clone)]
pub enum Route {
    Udp(SocketAddr),
    Tcp {
        peer: SocketAddr,
        tx: mpsc::Sender<Vec<u8>>,
    },
}

impl Route {
    pub fn peer(&self) -> SocketAddr {
        match self {
            Route::Udp(a) => *a,
            Route::Tcp { peer, .. } => *peer,
        }
    }

    /// `udp:1.2.3.4:5060` or `tcp:…`, for the registry and logs.
    pub fn describe(&self) -> String {
        match self {
            Route::Udp(a) => format!("udp:{a}"),
            Route::Tcp { peer, .. } => format!("tcp:{peer}"),
        }
    }

    /// The transport name as a Via header writes it.
    pub fn via_transport(&self) -> &'static str {
        match self {
            Route::Udp(_) => "UDP",
            Route::Tcp { .. } => "TCP",
        }
    }
}

/// One message's bytes and where they came from.
#[derive(Debug)]
pub struct Packet {
    pub bytes: Vec<u8>,
    pub route: Route,
}

/// Limits of the transport.
#[derive(Debug, Clone)]
pub struct TransportLimits {
    pub max_tcp_connections: usize,
    /// A TCP connection that sends nothing this long is closed (devices on TCP send
    /// Keepalive every minute).
    pub tcp_idle: Duration,
    /// Packets waiting for the platform; beyond, new ones are dropped.
    pub queue: usize,
}

impl Default for TransportLimits {
    fn default() -> TransportLimits {
        TransportLimits {
            max_tcp_connections: 4096,
            tcp_idle: Duration::from_secs(600),
            queue: 16_384,
        }
    }
}

/// The bound sockets.
#[derive(Debug, Clone)]
pub struct Transport {
    udp: Arc<UdpSocket>,
    local: SocketAddr,
    stats: Arc<Stats>,
}

impl Transport {
    /// Binds UDP and TCP on `addr` (port 0: a free port, the same for both) and starts
    /// reading; packets arrive on the returned channel until `stop` turns true.
    pub async fn bind(
        addr: SocketAddr,
        limits: TransportLimits,
        stats: Arc<Stats>,
        stop: watch::Receiver<bool>,
    ) -> std::io::Result<(Transport, mpsc::Receiver<Packet>)> {
        let (udp, tcp) = bind_pair(addr).await?;
        let local = udp.local_addr()?;
        let udp = Arc::new(udp);
        let (tx, rx) = mpsc::channel(limits.queue);
        tokio::spawn(read_udp(
            udp.clone(),
            tx.clone(),
            stats.clone(),
            stop.clone(),
        ));
        tokio::spawn(accept_tcp(tcp, tx, limits, stats.clone(), stop));
        Ok((Transport { udp, local, stats }, rx))
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Sends `bytes` along `route`; a failure is counted, never waited on.
    pub async fn send(&self, route: &Route, bytes: Vec<u8>) {
        let ok = match route {
            Route::Udp(a) => self.udp.send_to(&bytes, a).await.is_ok(),
            Route::Tcp { tx, .. } => tx.try_send(bytes).is_ok(),
        };
        if !ok {
            Stats::bump(&self.stats.send_failed);
        }
    }
}

async fn bind_pair(addr: SocketAddr) -> std::io::Result<(UdpSocket, TcpListener)> {
    // With port 0 the UDP port the system picks may be taken on TCP; try a few.
    let mut last = None;
    for _ in 0..16 {
        let udp = UdpSocket::bind(addr).await?;
        let at = udp.local_addr()?;
        match TcpListener::bind(at).await {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(e) if addr.port() == 0 => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no port free on both UDP and TCP")))
}

async fn read_udp(
    udp: Arc<UdpSocket>,
    tx: mpsc::Sender<Packet>,
    stats: Arc<Stats>,
    mut stop: watch::Receiver<bool>,
) {
    let mut buf = vec![0u8; wire::MAX_MESSAGE + 1];
    loop {
        let got = tokio::select! {
            r = udp.recv_from(&mut buf) => r,
            _ = stop.changed() => return,
        };
        let Ok((n, from)) = got else { continue };
        if n == 0 || buf[..n].iter().all(|b| b.is_ascii_whitespace()) {
            continue; // a NAT keep-alive ping
        }
        let packet = Packet {
            bytes: buf[..n].to_vec(),
            route: Route::Udp(from),
        };
        if tx.try_send(packet).is_err() {
            Stats::bump(&stats.queue_dropped);
        }
    }
}

async fn accept_tcp(
    listener: TcpListener,
    tx: mpsc::Sender<Packet>,
    limits: TransportLimits,
    stats: Arc<Stats>,
    mut stop: watch::Receiver<bool>,
) {
    let open = Arc::new(AtomicUsize::new(0));
    loop {
        let got = tokio::select! {
            r = listener.accept() => r,
            _ = stop.changed() => return,
        };
        let Ok((stream, peer)) = got else { continue };
        if open.load(Ordering::Relaxed) >= limits.max_tcp_connections {
            Stats::bump(&stats.tcp_refused);
            continue; // dropping the stream closes it
        }
        open.fetch_add(1, Ordering::Relaxed);
        let (open, tx, stats, idle) = (open.clone(), tx.clone(), stats.clone(), limits.tcp_idle);
        tokio::spawn(async move {
            serve_tcp(stream, peer, tx, stats, idle).await;
            open.fetch_sub(1, Ordering::Relaxed);
        });
    }
}

async fn serve_tcp(
    stream: TcpStream,
    peer: SocketAddr,
    tx: mpsc::Sender<Packet>,
    stats: Arc<Stats>,
    idle: Duration,
) {
    let (mut rd, mut wr) = stream.into_split();
    let (out_tx, mut out_rx) = mpsc::channel::<Vec<u8>>(256);
    let writer = tokio::spawn(async move {
        while let Some(b) = out_rx.recv().await {
            if wr.write_all(&b).await.is_err() {
                return;
            }
        }
    });
    let mut framer = Framer::default();
    let mut chunk = vec![0u8; 16 * 1024];
    loop {
        let n = match tokio::time::timeout(idle, rd.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => n,
        };
        framer.push(&chunk[..n]);
        loop {
            match framer.next_frame() {
                Ok(Some(bytes)) => {
                    let route = Route::Tcp {
                        peer,
                        tx: out_tx.clone(),
                    };
                    if tx.try_send(Packet { bytes, route }).is_err() {
                        Stats::bump(&stats.queue_dropped);
                    }
                }
                Ok(None) => break,
                Err(()) => {
                    // Framing is lost for good on a stream: count it and hang up.
                    Stats::bump(&stats.malformed);
                    writer.abort();
                    return;
                }
            }
        }
    }
    writer.abort();
}

/// Splits a TCP byte stream into SIP messages by their `Content-Length` (RFC 3261 §18.3).
#[derive(Debug, Default)]
pub struct Framer {
    buf: Vec<u8>,
}

impl Framer {
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next whole message, `None` while one is incomplete, `Err` when the stream
    /// cannot be framed (headers too long, no usable Content-Length, body too large).
    #[allow(clippy::result_unit_err)]
    pub fn next_frame(&mut self) -> Result<Option<Vec<u8>>, ()> {
        // Blank lines between messages are keep-alive pings (RFC 5626 §3.5.1).
        let lead = self
            .buf
            .iter()
            .take_while(|b| **b == b'\r' || **b == b'\n')
            .count();
        self.buf.drain(..lead);
        let Some(head_end) = find(&self.buf, b"\r\n\r\n") else {
            return if self.buf.len() > wire::MAX_MESSAGE {
                Err(())
            } else {
                Ok(None)
            };
        };
        let head = std::str::from_utf8(&self.buf[..head_end]).map_err(|_| ())?;
        let mut length = None;
        for line in head.split("\r\n").skip(1) {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let name = name.trim();
            if name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("l") {
                length = Some(value.trim().parse::<usize>().map_err(|_| ())?);
            }
        }
        // Over a stream the length is mandatory (§20.14).
        let length = length.ok_or(())?;
        let total = head_end + 4 + length;
        if total > wire::MAX_MESSAGE {
            return Err(());
        }
        if self.buf.len() < total {
            return Ok(None);
        }
        let frame: Vec<u8> = self.buf.drain(..total).collect();
        Ok(Some(frame))
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(body: &str) -> String {
        format!(
            "MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP x\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    }

    #[test]
    fn a_stream_splits_into_messages_whatever_the_chunking() {
        let stream = format!("\r\n\r\n{}{}", msg("<a/>"), msg("<bb/>"));
        for cut in [1, 7, 50, stream.len()] {
            let mut f = Framer::default();
            let mut got = Vec::new();
            for part in stream.as_bytes().chunks(cut) {
                f.push(part);
                while let Some(m) = f.next_frame().unwrap() {
                    got.push(String::from_utf8(m).unwrap());
                }
            }
            assert_eq!(got, vec![msg("<a/>"), msg("<bb/>")], "chunks of {cut}");
        }
    }

    #[test]
    fn a_stream_without_lengths_or_with_huge_ones_is_given_up() {
        let mut f = Framer::default();
        f.push(b"MESSAGE sip:a@b SIP/2.0\r\nVia: x\r\n\r\n");
        assert!(f.next_frame().is_err());
        let mut f = Framer::default();
        f.push(b"MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 99999999\r\n\r\n");
        assert!(f.next_frame().is_err());
        let mut f = Framer::default();
        f.push(&vec![b'a'; wire::MAX_MESSAGE + 1]);
        assert!(f.next_frame().is_err());
    }
}
