//! The platform against a GB/T 28181 device it did not write: `gb28181-rs` 0.14.1 (device
//! side), registering with digest, keeping alive and answering Catalog and DeviceInfo, over
//! UDP and over TCP.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use citymirror_gb28181::MediaTransport;
use citymirror_gb28181::{start, Edge, EdgeConfig, Passwords};
use citymirror_video::presence::PresencePolicy;
use citymirror_video::registry::StreamState;
use citymirror_video::registry::{CameraSeed, Registry};
use citymirror_video::GbId;
use common::{stat, until};
use gb28181_rs::config::{Gb28181Config, Transport};
use gb28181_rs::frame::{AccessUnit, Nalu};
use gb28181_rs::mock::MockFrameHub;
use gb28181_rs::server::{Gb28181Server, ServerHandle};
use tokio::sync::watch;

const PASSWORD: &str = "Futian-cam-2026";

fn camera(serial: u32) -> CameraSeed {
    CameraSeed {
        id: format!("440304010013200{serial:05}").parse().unwrap(),
        name: format!("福华三路{serial}号"),
        feature: i64::from(serial),
        position: (114.055, 22.535),
        grid_code: "440304001001001".into(),
    }
}

/// An edge on a free port knowing cameras 1–4, with a fast Keepalive policy (1 s, two
/// misses) so that going offline takes seconds.
async fn edge() -> (Edge, watch::Sender<bool>) {
    let registry = Arc::new(Registry::from_cameras((1..=4).map(camera)));
    let passwords = Arc::new(Passwords::new(PASSWORD));
    passwords.set(camera(4).id, "camera-four-own");
    let mut cfg = EdgeConfig::new("127.0.0.1:0".parse().unwrap(), passwords);
    cfg.presence = PresencePolicy {
        keepalive_interval: TimeDelta::seconds(1),
        allowed_misses: 2,
        ..PresencePolicy::default()
    };
    cfg.stream_idle = Duration::from_secs(1);
    let (stop_tx, stop_rx) = watch::channel(false);
    let edge = start(cfg, registry, stop_rx).await.unwrap();
    (edge, stop_tx)
}

fn free_port() -> u16 {
    let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = s.local_addr().unwrap().port();
    let t = std::net::TcpListener::bind(("127.0.0.1", port));
    drop(t);
    port
}

/// A synthetic H.264 source at 25 frames/s: AUD, then SPS, PPS and IDR every 12th frame,
/// else one non-reference slice (what gb28181-rs's own demo streams).
fn produce_frames(hub: Arc<MockFrameHub>) {
    tokio::spawn(async move {
        let nalu = |t: u8, size: usize| Nalu {
            nalu_type: t,
            data: (0..size)
                .map(|i| if i == 0 { t } else { (i % 200 + 7) as u8 })
                .collect(),
            is_idr: t == 5,
            is_sps: t == 7,
            is_pps: t == 8,
            is_aud: t == 9,
        };
        for n in 0u64.. {
            let key = n % 12 == 0;
            let mut nalus = vec![nalu(9, 4)];
            if key {
                nalus.extend([nalu(7, 27), nalu(8, 9), nalu(5, 24_000)]);
            } else {
                nalus.push(nalu(1, 2_400));
            }
            hub.write(AccessUnit {
                nalus,
                timestamp: std::time::Instant::now(),
                is_key_frame: key,
            });
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
    });
}

async fn device(
    id: &str,
    password: &str,
    platform: SocketAddr,
    transport: Transport,
) -> ServerHandle {
    let config = Gb28181Config {
        enabled: true,
        platform_sip_address: "127.0.0.1".into(),
        platform_sip_port: platform.port(),
        device_id: id.into(),
        channel_id: id.into(),
        sip_domain: "4403040000".into(),
        password: password.into(),
        local_sip_port: free_port(),
        register_interval_secs: 3600,
        heartbeat_interval_secs: 1,
        heartbeat_timeout_count: 3,
        transport,
        manufacturer: Some("Futian Test Optics".into()),
        ..Gb28181Config::default()
    };
    let hub = Arc::new(MockFrameHub::new());
    produce_frames(hub.clone());
    Gb28181Server::start(config, hub, None)
        .await
        .expect("the device simulator starts")
}

async fn registers_and_answers_the_catalog(transport: Transport) {
    let (edge, _stop) = edge().await;
    let id: GbId = camera(1).id;
    let dev = device(id.as_str(), PASSWORD, edge.local_addr, transport).await;
    let r = edge.registry.clone();
    until("the device is online", || {
        r.device(&id).is_some_and(|d| d.online())
    })
    .await;
    until("its catalog and make arrived", || {
        r.device(&id)
            .is_some_and(|d| d.catalog_at.is_some() && d.manufacturer.is_some())
    })
    .await;
    let d = r.device(&id).unwrap();
    assert_eq!(d.manufacturer.as_deref(), Some("Futian Test Optics"));
    let channels = r.channels_of(&id);
    assert_eq!(channels.len(), 1, "{channels:?}");
    assert_eq!(channels[0].reported_on, Some(true));
    assert_eq!(
        channels[0].feature,
        Some(1),
        "the channel is the twin's camera"
    );
    until("keepalives arrive", || stat(&edge, "keepalives") >= 2).await;
    assert!(r
        .device(&id)
        .unwrap()
        .presence
        .unwrap()
        .last_keepalive
        .is_some());
    let want = match transport {
        Transport::Udp => "udp:",
        _ => "tcp:",
    };
    assert!(d.transport.as_deref().unwrap().starts_with(want), "{d:?}");
    dev.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_registers_over_udp_with_digest_and_answers_the_catalog() {
    registers_and_answers_the_catalog(Transport::Udp).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_registers_over_tcp_with_digest_and_answers_the_catalog() {
    registers_and_answers_the_catalog(Transport::TcpOut).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_and_an_unknown_id_are_refused_and_others_go_on() {
    let (edge, _stop) = edge().await;
    let r = edge.registry.clone();
    let wrong = camera(2).id;
    let own = camera(4).id;
    let stranger = "44030401001320099999";
    // Camera 4 has its own password: the default does not open it.
    let d1 = device(
        wrong.as_str(),
        "not-the-password",
        edge.local_addr,
        Transport::Udp,
    )
    .await;
    let d2 = device(stranger, PASSWORD, edge.local_addr, Transport::Udp).await;
    let d3 = device(own.as_str(), PASSWORD, edge.local_addr, Transport::Udp).await;
    let good = camera(3).id;
    let d4 = device(good.as_str(), PASSWORD, edge.local_addr, Transport::Udp).await;
    let d5 = device(
        camera(1).id.as_str(),
        "camera-four-own",
        edge.local_addr,
        Transport::Udp,
    )
    .await;
    until("the right device is online", || {
        r.device(&good).is_some_and(|d| d.online())
    })
    .await;
    until("both wrong passwords are refused", || {
        stat(&edge, "auth_failed") >= 3
    })
    .await;
    until("the stranger is refused", || {
        stat(&edge, "unknown_device") >= 1
    })
    .await;
    assert!(!r.device(&wrong).unwrap().online());
    assert!(!r.device(&own).unwrap().online());
    assert!(!r.device(&camera(1).id).unwrap().online());
    assert!(
        r.device(&stranger.parse().unwrap()).is_none(),
        "an unknown id is not admitted"
    );
    for d in [d1, d2, d3, d4, d5] {
        d.abort();
    }
    // And camera 4 with its own password gets in.
    let d = device(
        own.as_str(),
        "camera-four-own",
        edge.local_addr,
        Transport::Udp,
    )
    .await;
    until("camera 4 is online with its own password", || {
        r.device(&own).is_some_and(|d| d.online())
    })
    .await;
    d.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_that_stops_its_keepalive_goes_offline_and_comes_back() {
    let (edge, _stop) = edge().await;
    let r = edge.registry.clone();
    let id = camera(2).id;
    let dev = device(id.as_str(), PASSWORD, edge.local_addr, Transport::Udp).await;
    until("online", || r.device(&id).is_some_and(|d| d.online())).await;
    until("a keepalive arrived", || {
        r.device(&id)
            .and_then(|d| d.presence)
            .is_some_and(|p| p.last_keepalive.is_some())
    })
    .await;
    // Stops its SIP loop and Keepalive task without unregistering: it just falls silent.
    let mut dev = dev;
    dev.shutdown().await.unwrap();
    let silent = std::time::Instant::now();
    until("offline after two missed keepalives", || {
        r.device(&id).is_some_and(|d| !d.online())
    })
    .await;
    let took = silent.elapsed();
    assert!(took < Duration::from_secs(5), "offline only after {took:?}");
    assert_eq!(stat(&edge, "went_offline"), 1);
    let dev = device(id.as_str(), PASSWORD, edge.local_addr, Transport::Udp).await;
    until("back online", || r.device(&id).is_some_and(|d| d.online())).await;
    assert_eq!(stat(&edge, "went_online"), 2);
    dev.abort();
}

async fn streams_on_invite(signalling: Transport, media: MediaTransport) {
    let (edge, _stop) = edge().await;
    let r = edge.registry.clone();
    let id = camera(3).id;
    let dev = device(id.as_str(), PASSWORD, edge.local_addr, signalling).await;
    until("online", || r.device(&id).is_some_and(|d| d.online())).await;
    let mut playing = edge
        .play(id, media)
        .await
        .expect("the device accepts the INVITE");
    assert_eq!(r.channel(&id).unwrap().stream, StreamState::Live);
    let mut frames = Vec::new();
    while frames.len() < 30 {
        let au = tokio::time::timeout(Duration::from_secs(10), playing.frames.recv())
            .await
            .unwrap_or_else(|_| panic!("frames keep coming: {:?}", playing.counts.lock().unwrap()))
            .expect("the stream is open");
        frames.push(au);
    }
    // What the device's encoder made, NAL unit for NAL unit: AUD first, SPS/PPS/IDR on
    // keyframes, one slice otherwise.
    // Byte for byte what the device's encoder made, NAL unit for NAL unit: AUD first,
    // SPS, PPS and IDR on keyframes, one slice otherwise; reassembled from the RTP
    // packets each frame was cut into.
    let made = |t: u8, size: usize| -> Vec<u8> {
        (0..size)
            .map(|i| if i == 0 { t } else { (i % 200 + 7) as u8 })
            .collect()
    };
    let key = vec![made(9, 4), made(7, 27), made(8, 9), made(5, 24_000)];
    let other = vec![made(9, 4), made(1, 2_400)];
    for au in &frames {
        assert!(
            au.nals == key || au.nals == other,
            "unexpected NAL units {:?}",
            au.nal_types()
        );
    }
    assert!(frames.iter().any(|f| f.is_keyframe()));
    let counts = *playing.counts.lock().unwrap();
    assert_eq!(
        (counts.lost, counts.corrupt, counts.foreign),
        (0, 0, 0),
        "{counts:?}"
    );
    // Nobody watches any more: the stream is stopped (BYE) after stream_idle.
    drop(playing);
    until("the unwatched stream stops", || {
        r.channel(&id)
            .is_some_and(|c| c.stream == StreamState::Idle)
    })
    .await;
    dev.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_streams_ps_over_udp_on_invite_and_the_frames_come_back_whole() {
    streams_on_invite(Transport::Udp, MediaTransport::Udp).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_streams_ps_over_tcp_on_invite_and_the_frames_come_back_whole() {
    streams_on_invite(Transport::Udp, MediaTransport::TcpPassive).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_signalling_over_tcp_streams_over_udp() {
    streams_on_invite(Transport::TcpOut, MediaTransport::Udp).await;
}

/// Records the PTZ commands the simulated device decodes.
#[derive(Default)]
struct SeenPtz(std::sync::Mutex<Vec<gb28181_rs::manscdp::PtzCommand>>);

impl gb28181_rs::server::DeviceControlHandler for SeenPtz {
    fn on_ptz(&self, cmd: &gb28181_rs::manscdp::PtzCommand) {
        self.0.lock().unwrap().push(cmd.clone());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ptz_command_reaches_the_device_as_the_standard_encodes_it() {
    use citymirror_video::manscdp::{Pan, PtzCmd, Zoom};
    use gb28181_rs::manscdp::PtzCommand;
    let (edge, _stop) = edge().await;
    let r = edge.registry.clone();
    let id = camera(1).id;
    let seen = Arc::new(SeenPtz::default());
    let config = Gb28181Config {
        enabled: true,
        platform_sip_address: "127.0.0.1".into(),
        platform_sip_port: edge.local_addr.port(),
        device_id: id.as_str().into(),
        channel_id: id.as_str().into(),
        sip_domain: "4403040000".into(),
        password: PASSWORD.into(),
        local_sip_port: free_port(),
        heartbeat_interval_secs: 1,
        transport: Transport::Udp,
        ..Gb28181Config::default()
    };
    let dev = Gb28181Server::new(config, Arc::new(MockFrameHub::new()))
        .with_control_handler(Some(seen.clone()))
        .spawn()
        .await
        .unwrap();
    until("online", || r.device(&id).is_some_and(|d| d.online())).await;
    let left_and_in = PtzCmd::motion(Some((Pan::Left, 0x80)), None, Some((Zoom::In, 5)));
    edge.ptz(id, left_and_in).await.unwrap();
    edge.ptz(id, PtzCmd::stop()).await.unwrap();
    until("the device decoded both", || {
        seen.0.lock().unwrap().len() >= 2
    })
    .await;
    let got = seen.0.lock().unwrap().clone();
    // Left (0x02) and zoom in (0x10); the zoom speed rides in byte 7's high nibble,
    // which gb28181-rs reports as the whole byte (5 << 4).
    assert_eq!(
        got[0],
        PtzCommand::Move {
            bits: 0x12,
            pan_speed: 0x80,
            tilt_speed: 0,
            zoom_speed: 0x50
        }
    );
    assert_eq!(
        got[1],
        PtzCommand::Move {
            bits: 0,
            pan_speed: 0,
            tilt_speed: 0,
            zoom_speed: 0
        }
    );
    // A channel the platform does not know is refused before anything is sent.
    let stranger = "44030401001320099999".parse().unwrap();
    assert_eq!(
        edge.ptz(stranger, PtzCmd::stop()).await.unwrap_err().code(),
        "no_such_channel"
    );
    dev.abort();
}
