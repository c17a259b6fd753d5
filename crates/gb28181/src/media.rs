//! The receiving end of a live stream: one socket per session (UDP, or a TCP listener the
//! device dials, GB/T 28181's "TCP passive"), RTP reassembled and PS demultiplexed by
//! `citymirror_video::media`, access units handed to whoever watches.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use citymirror_video::media::{AccessUnit, MediaCounts, Reassembler};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

/// How the media comes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaTransport {
    Udp,
    /// The device connects to us and sends RFC 4571 frames (2-byte length, then RTP), or
    /// RTSP-interleaved ones (`$`, channel, length).
    TcpPassive,
}

/// A receiving socket and its task.
#[derive(Debug)]
pub struct Receiver {
    pub port: u16,
    pub counts: Arc<Mutex<MediaCounts>>,
    pub frames: broadcast::Sender<Arc<AccessUnit>>,
    task: JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A connection that sends nothing this long is given up.
const MEDIA_IDLE: Duration = Duration::from_secs(30);

impl Receiver {
    /// Opens a socket on `ip` (a free port) expecting `ssrc`.
    pub async fn open(
        ip: IpAddr,
        transport: MediaTransport,
        ssrc: u32,
    ) -> std::io::Result<Receiver> {
        let counts = Arc::new(Mutex::new(MediaCounts::default()));
        let (frames, _) = broadcast::channel(64);
        let (port, task) = match transport {
            MediaTransport::Udp => {
                let sock = UdpSocket::bind(SocketAddr::new(ip, 0)).await?;
                let port = sock.local_addr()?.port();
                let task = tokio::spawn(read_udp(sock, ssrc, counts.clone(), frames.clone()));
                (port, task)
            }
            MediaTransport::TcpPassive => {
                let l = TcpListener::bind(SocketAddr::new(ip, 0)).await?;
                let port = l.local_addr()?.port();
                let task = tokio::spawn(read_tcp(l, ssrc, counts.clone(), frames.clone()));
                (port, task)
            }
        };
        Ok(Receiver {
            port,
            counts,
            frames,
            task,
        })
    }

    pub fn counts(&self) -> MediaCounts {
        *self.counts.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn take(
    r: &mut Reassembler,
    packet: &[u8],
    counts: &Mutex<MediaCounts>,
    frames: &broadcast::Sender<Arc<AccessUnit>>,
) {
    for au in r.push(packet) {
        // No watcher is fine: the frame is simply not kept.
        let _ = frames.send(Arc::new(au));
    }
    *counts.lock().unwrap_or_else(|e| e.into_inner()) = r.counts;
}

async fn read_udp(
    sock: UdpSocket,
    ssrc: u32,
    counts: Arc<Mutex<MediaCounts>>,
    frames: broadcast::Sender<Arc<AccessUnit>>,
) {
    let mut r = Reassembler::new(Some(ssrc));
    let mut buf = vec![0u8; 65_536];
    while let Ok((n, _)) = sock.recv_from(&mut buf).await {
        take(&mut r, &buf[..n], &counts, &frames);
    }
}

async fn read_tcp(
    listener: TcpListener,
    ssrc: u32,
    counts: Arc<Mutex<MediaCounts>>,
    frames: broadcast::Sender<Arc<AccessUnit>>,
) {
    // One device dials per session; a second connection replaces the first.
    while let Ok((mut stream, _)) = listener.accept().await {
        let mut r = Reassembler::new(Some(ssrc));
        let mut packet = vec![0u8; 65_536];
        loop {
            let mut head = [0u8; 2];
            match tokio::time::timeout(MEDIA_IDLE, stream.read_exact(&mut head)).await {
                Ok(Ok(_)) => {}
                _ => break,
            }
            // RFC 4571 frames start with the length; some devices (and gb28181-rs) use the
            // RTSP-interleaved form instead, `$`, a channel byte, then the length. An RTP
            // packet over TCP is never 9,216 bytes or more, so a first byte of `$` (0x24)
            // is never an RFC 4571 length.
            if head[0] == b'$' {
                match tokio::time::timeout(MEDIA_IDLE, stream.read_exact(&mut head)).await {
                    Ok(Ok(_)) => {}
                    _ => break,
                }
            }
            let n = usize::from(u16::from_be_bytes(head));
            match tokio::time::timeout(MEDIA_IDLE, stream.read_exact(&mut packet[..n])).await {
                Ok(Ok(_)) => take(&mut r, &packet[..n], &counts, &frames),
                _ => break,
            }
        }
    }
}

/// The SDP offer of a live-view INVITE (GB/T 28181 §9.2, Appendix F): PS over RTP to our
/// `ip:port`, with the SSRC in `y=`.
pub fn offer(
    platform: &str,
    ip: IpAddr,
    port: u16,
    transport: MediaTransport,
    ssrc: u32,
) -> String {
    let (proto, setup) = match transport {
        MediaTransport::Udp => ("RTP/AVP", ""),
        MediaTransport::TcpPassive => ("TCP/RTP/AVP", "a=setup:passive\r\na=connection:new\r\n"),
    };
    format!(
        "v=0\r\no={platform} 0 0 IN IP4 {ip}\r\ns=Play\r\nc=IN IP4 {ip}\r\nt=0 0\r\n\
         m=video {port} {proto} 96 97 98\r\na=recvonly\r\na=rtpmap:96 PS/90000\r\n\
         a=rtpmap:97 MPEG4/90000\r\na=rtpmap:98 H264/90000\r\n{setup}y={ssrc:010}\r\n"
    )
}

/// A live SSRC as GB/T 28181 Appendix G makes one: 0 (live), digits 4–8 of the domain,
/// then a four-digit serial.
pub fn live_ssrc(domain: &str, serial: u32) -> u32 {
    let middle: u32 = domain.get(3..8).and_then(|d| d.parse().ok()).unwrap_or(0);
    middle * 10_000 + serial % 10_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ssrc_carries_the_domain_and_the_offer_names_it() {
        let ssrc = live_ssrc("4403040000", 7);
        assert_eq!(format!("{ssrc:010}"), "0304000007");
        let sdp = offer(
            "44030400002000000001",
            "127.0.0.1".parse().unwrap(),
            30000,
            MediaTransport::Udp,
            ssrc,
        );
        assert!(sdp.contains("m=video 30000 RTP/AVP 96"), "{sdp}");
        assert!(sdp.ends_with("y=0304000007\r\n"), "{sdp}");
        let tcp = offer(
            "p",
            "127.0.0.1".parse().unwrap(),
            1,
            MediaTransport::TcpPassive,
            1,
        );
        assert!(
            tcp.contains("TCP/RTP/AVP") && tcp.contains("a=setup:passive"),
            "{tcp}"
        );
    }
}
