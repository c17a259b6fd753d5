//! What the edge does with bad input: refuses or drops it, counts it, and keeps serving the
//! devices that behave.

mod common;

use std::sync::Arc;
use std::time::Duration;

use citymirror_gb28181::{start, Edge, EdgeConfig, FloodPolicy, Passwords};
use citymirror_video::registry::{CameraSeed, Registry};
use common::{stat, until};
use gb28181_rs::config::{Gb28181Config, Transport};
use gb28181_rs::mock::MockFrameHub;
use gb28181_rs::server::Gb28181Server;
use tokio::io::AsyncWriteExt;
use tokio::net::UdpSocket;
use tokio::sync::watch;

const CAMERA: &str = "44030401001320000001";

async fn edge(flood: FloodPolicy) -> (Edge, watch::Sender<bool>) {
    let registry = Arc::new(Registry::from_cameras([CameraSeed {
        id: CAMERA.parse().unwrap(),
        name: "福华三路1号".into(),
        feature: 1,
        position: (114.05, 22.53),
        grid_code: "440304001001001".into(),
    }]));
    let mut cfg = EdgeConfig::new(
        "127.0.0.1:0".parse().unwrap(),
        Arc::new(Passwords::new("pw")),
    );
    cfg.flood = flood;
    let (tx, rx) = watch::channel(false);
    (start(cfg, registry, rx).await.unwrap(), tx)
}

fn register(from: &str, call: u32) -> String {
    format!(
        "REGISTER sip:44030400002000000001@4403040000 SIP/2.0\r\n\
         Via: SIP/2.0/UDP 127.0.0.1:5999;rport;branch=z9hG4bK{call}\r\n\
         From: <sip:{from}@4403040000>;tag=t{call}\r\n\
         To: <sip:{from}@4403040000>\r\n\
         Call-ID: flood-{call}\r\n\
         CSeq: 1 REGISTER\r\n\
         Contact: <sip:{from}@127.0.0.1:5999>\r\n\
         Expires: 3600\r\n\
         Content-Length: 0\r\n\r\n"
    )
}

/// Sends one datagram and returns the status line of the answer, if one comes.
async fn ask(sock: &UdpSocket, edge: &Edge, bytes: &[u8]) -> Option<String> {
    sock.send_to(bytes, edge.local_addr).await.unwrap();
    let mut buf = vec![0u8; 65536];
    match tokio::time::timeout(Duration::from_millis(500), sock.recv(&mut buf)).await {
        Ok(Ok(n)) => Some(
            String::from_utf8_lossy(&buf[..n])
                .lines()
                .next()
                .unwrap_or("")
                .to_owned(),
        ),
        _ => None,
    }
}

#[tokio::test]
async fn malformed_sip_and_bad_ids_are_counted_and_refused() {
    let (edge, _stop) = edge(FloodPolicy::default()).await;
    let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    // Not SIP at all: dropped without an answer (there is no Via to answer along).
    assert_eq!(
        ask(&sock, &edge, b"\x00\x01GET / HTTP/1.1\r\n\r\n").await,
        None
    );
    assert_eq!(ask(&sock, &edge, &[0xff; 3000]).await, None);
    // An id that is not 20 digits, and one that is not a device (a SIP server's type).
    let bad = ask(&sock, &edge, register("4403040100132", 1).as_bytes()).await;
    assert_eq!(bad.as_deref(), Some("SIP/2.0 400 Bad Request"));
    let server = ask(&sock, &edge, register("44030401002000000009", 2).as_bytes()).await;
    assert_eq!(server.as_deref(), Some("SIP/2.0 400 Bad Request"));
    // A well-formed id the platform does not know.
    let unknown = ask(&sock, &edge, register("44030401001320000777", 3).as_bytes()).await;
    assert_eq!(unknown.as_deref(), Some("SIP/2.0 403 Forbidden"));
    // The known camera gets its challenge.
    let known = ask(&sock, &edge, register(CAMERA, 4).as_bytes()).await;
    assert_eq!(known.as_deref(), Some("SIP/2.0 401 Unauthorized"));
    // A forged Authorization (a response that is not the digest of the password).
    let forged = register(CAMERA, 5).replace(
        "Expires: 3600\r\n",
        "Expires: 3600\r\nAuthorization: Digest username=\"44030401001320000001\", realm=\"4403040000\", \
         nonce=\"00000000000000000000000000000000\", uri=\"sip:44030400002000000001@4403040000\", \
         response=\"0123456789abcdef0123456789abcdef\", algorithm=MD5\r\n",
    );
    let refused = ask(&sock, &edge, forged.as_bytes()).await;
    assert_eq!(refused.as_deref(), Some("SIP/2.0 403 Forbidden"));
    // A MESSAGE whose body is not MANSCDP.
    let message = format!(
        "MESSAGE sip:44030400002000000001@4403040000 SIP/2.0\r\n\
         Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKm\r\n\
         From: <sip:{CAMERA}@4403040000>;tag=m\r\nTo: <sip:44030400002000000001@4403040000>\r\n\
         Call-ID: m-1\r\nCSeq: 2 MESSAGE\r\nContent-Type: Application/MANSCDP+xml\r\n\
         Content-Length: 14\r\n\r\n<Notify><oops>"
    );
    let body = ask(&sock, &edge, message.as_bytes()).await;
    assert_eq!(body.as_deref(), Some("SIP/2.0 400 Bad Request"));
    assert_eq!(stat(&edge, "malformed"), 2);
    assert_eq!(stat(&edge, "bad_id"), 2);
    assert_eq!(stat(&edge, "unknown_device"), 1);
    assert_eq!(stat(&edge, "auth_failed"), 1);
    assert_eq!(stat(&edge, "bad_body"), 1);
    assert_eq!(edge.registry.counts().online, 0);
    // A TCP stream that loses its framing is hung up on and counted.
    let mut tcp = tokio::net::TcpStream::connect(edge.local_addr)
        .await
        .unwrap();
    tcp.write_all(b"REGISTER sip:x SIP/2.0\r\nContent-Length: many\r\n\r\n")
        .await
        .unwrap();
    until("the broken stream is counted", || {
        stat(&edge, "malformed") == 3
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_register_flood_from_one_address_is_dropped_and_a_device_elsewhere_registers() {
    let (edge, _stop) = edge(FloodPolicy {
        per_second: 5.0,
        burst: 20.0,
    })
    .await;
    // The flood comes from 127.0.0.2; the device from 127.0.0.1.
    let flood = UdpSocket::bind("127.0.0.2:0").await.unwrap();
    let mut answered = 0;
    for i in 0..200 {
        flood
            .send_to(register(CAMERA, 100 + i).as_bytes(), edge.local_addr)
            .await
            .unwrap();
    }
    let mut buf = vec![0u8; 65536];
    while let Ok(Ok(_)) =
        tokio::time::timeout(Duration::from_millis(300), flood.recv(&mut buf)).await
    {
        answered += 1;
    }
    assert!(answered <= 21, "{answered} of 200 REGISTERs were answered");
    // The kernel may drop some of the burst itself; every one that arrived was either
    // answered (within the burst) or dropped and counted.
    let received = stat(&edge, "received");
    assert!(received > 100, "{received}");
    assert_eq!(stat(&edge, "flood_dropped") + answered, received);
    let device = Gb28181Config {
        enabled: true,
        platform_sip_address: "127.0.0.1".into(),
        platform_sip_port: edge.local_addr.port(),
        device_id: CAMERA.into(),
        channel_id: CAMERA.into(),
        sip_domain: "4403040000".into(),
        password: "pw".into(),
        local_sip_port: {
            let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
            s.local_addr().unwrap().port()
        },
        register_interval_secs: 3600,
        heartbeat_interval_secs: 5,
        heartbeat_timeout_count: 3,
        transport: Transport::Udp,
        ..Gb28181Config::default()
    };
    let dev = Gb28181Server::start(device, Arc::new(MockFrameHub::new()), None)
        .await
        .unwrap();
    let r = edge.registry.clone();
    let id = CAMERA.parse().unwrap();
    until("the device registers despite the flood", || {
        r.device(&id).is_some_and(|d| d.online())
    })
    .await;
    dev.abort();
}
