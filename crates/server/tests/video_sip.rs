//! The GB/T 28181 edge as an operator meets it: `serve --sip-listen` opens it, a camera of
//! the twin registers from a device simulator no one here wrote (gb28181-rs), and the API
//! shows it online with its catalog; the device password is kept in the data directory when
//! none is given; the demo opens the edge on a free port.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::{citymirror, server::Server, wait_for};
use gb28181_rs::config::{Gb28181Config, Transport};
use gb28181_rs::mock::MockFrameHub;
use gb28181_rs::server::Gb28181Server;
use serde_json::Value;

fn token(dir: &str, role: &str) -> String {
    let (ok, out, err) = citymirror(&["token", "create", "--role", role, "--data-dir", dir]);
    assert!(ok, "{err}");
    out.lines().last().unwrap().trim().to_owned()
}

/// The SIP port from the server's start-up line.
fn sip_port(server: &Server) -> u16 {
    let mut port = None;
    assert!(
        wait_for(|| {
            port = server
                .log()
                .lines()
                .find_map(|l| l.split("SIP edge on udp+tcp 127.0.0.1:").nth(1))
                .and_then(|rest| rest.split_whitespace().next()?.parse().ok());
            port.is_some()
        }),
        "no SIP edge line in the log:\n{}",
        server.log()
    );
    port.unwrap()
}

/// The GB/T 28181 id of the twin's first camera.
fn first_camera(server: &Server) -> String {
    let (_, body) = server.get("/ogc/collections/cameras/items?limit=1", None);
    let cameras: Value = serde_json::from_str(&body).unwrap();
    cameras["features"][0]["properties"]["gb_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn get_json(server: &Server, path: &str, token: &str) -> Value {
    let (status, body) = server.get(path, Some(token));
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn device(id: &str, password: &str, sip_port: u16) -> Gb28181Config {
    Gb28181Config {
        enabled: true,
        platform_sip_address: "127.0.0.1".into(),
        platform_sip_port: sip_port,
        device_id: id.into(),
        channel_id: id.into(),
        sip_domain: "4403040000".into(),
        password: password.into(),
        local_sip_port: std::net::UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port(),
        register_interval_secs: 3600,
        heartbeat_interval_secs: 1,
        heartbeat_timeout_count: 3,
        transport: Transport::Udp,
        ..Gb28181Config::default()
    }
}

/// A synthetic H.264 source at 25 frames/s (IDR every 12th frame), as a camera's encoder.
async fn produce_frames(hub: Arc<MockFrameHub>) {
    use gb28181_rs::frame::{AccessUnit, Nalu};
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
        let nalus = if key {
            vec![nalu(9, 4), nalu(7, 27), nalu(8, 9), nalu(5, 20_000)]
        } else {
            vec![nalu(9, 4), nalu(1, 2_000)]
        };
        hub.write(AccessUnit {
            nalus,
            timestamp: std::time::Instant::now(),
            is_key_frame: key,
        });
        tokio::time::sleep(std::time::Duration::from_millis(40)).await;
    }
}

#[test]
fn a_twin_camera_registers_and_the_api_shows_it_online_with_its_catalog() {
    let dir = tempfile::tempdir().unwrap();
    common::generate_tiny(dir.path());
    let server = Server::start_with(
        dir,
        &[
            "--sip-listen",
            "127.0.0.1:0",
            "--sip-password",
            "Futian-2026",
            "--sip-keepalive-s",
            "1",
        ],
    );
    let port = sip_port(&server);
    let admin = token(server.dir(), "district-admin");
    let gb = first_camera(&server);

    let before = get_json(&server, &format!("/api/v1/video/devices/{gb}"), &admin);
    assert_eq!(before["status"], "unregistered");

    let rt = tokio::runtime::Runtime::new().unwrap();
    let hub = Arc::new(MockFrameHub::new());
    rt.spawn(produce_frames(hub.clone()));
    let dev = rt
        .block_on(Gb28181Server::start(
            device(&gb, "Futian-2026", port),
            hub,
            None,
        ))
        .unwrap();
    let path = format!("/api/v1/video/devices/{gb}");
    let mut seen = Value::Null;
    assert!(
        wait_for(|| {
            seen = get_json(&server, &path, &admin);
            seen["status"] == "online" && !seen["catalog_at"].is_null()
        }),
        "{seen}"
    );
    assert!(wait_for(|| get_json(&server, &path, &admin)
        ["last_keepalive"]
        .is_string()));
    let channels = seen["channel_list"].as_array().unwrap();
    assert_eq!(channels.len(), 1);
    assert_eq!(channels[0]["id"], gb.as_str());
    assert!(
        channels[0]["feature"].is_i64(),
        "the channel is the twin's camera: {seen}"
    );

    let online = get_json(&server, "/api/v1/video/devices?status=online", &admin);
    assert_eq!(online["numberMatched"], 1, "{online}");
    let status = get_json(&server, "/api/v1/video/status", &admin);
    assert_eq!(status["online"], 1);
    assert!(
        status["edge"]["counters"]["registered"].as_u64().unwrap() >= 1,
        "{status}"
    );

    // Operators only: anonymous callers and citizens are refused.
    assert_eq!(server.get("/api/v1/video/devices", None).0, 401);
    let (code, body) = server.get("/api/v1/video/devices/123", Some(&admin));
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("invalid_parameter"), "{body}");
    let (code, _) = server.get("/api/v1/video/devices?status=sleeping", Some(&admin));
    assert_eq!(code, 400);

    // Live view: the stream starts, frames arrive and are counted, the camera turns.
    let play = format!("/api/v1/video/channels/{gb}/play");
    let (code, _, body) = server.send("POST", &play, Some(&admin), Some(r#"{"transport":"udp"}"#));
    assert_eq!(code, 200, "{body}");
    let stream = format!("/api/v1/video/channels/{gb}/stream");
    let mut seen_stream = Value::Null;
    assert!(
        wait_for(|| {
            seen_stream = get_json(&server, &stream, &admin);
            seen_stream["stream"] == "live"
                && seen_stream["received"]["frames"].as_u64() >= Some(10)
        }),
        "{seen_stream}"
    );
    assert!(
        seen_stream["received"]["keyframes"].as_u64() >= Some(1),
        "{seen_stream}"
    );
    let ptz = format!("/api/v1/video/channels/{gb}/ptz");
    let (code, _, body) = server.send(
        "POST",
        &ptz,
        Some(&admin),
        Some(r#"{"pan":"left","speed":64}"#),
    );
    assert_eq!(code, 200, "{body}");
    let (code, _, body) = server.send("POST", &ptz, Some(&admin), Some(r#"{"pan":"sideways"}"#));
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("invalid_body"), "{body}");
    let (code, _, _) = server.send("DELETE", &play, Some(&admin), None);
    assert_eq!(code, 204);
    assert!(wait_for(
        || get_json(&server, &stream, &admin)["stream"] == "idle"
    ));
    let (_, audit) = server.get("/api/v1/audit/entries?limit=100", Some(&admin));
    for action in ["video.play", "video.ptz", "video.stop"] {
        assert!(audit.contains(action), "{action} is audited: {audit}");
    }

    // It falls silent: offline after three missed Keepalives of one second.
    rt.block_on(async {
        let mut dev = dev;
        dev.shutdown().await.unwrap();
    });
    assert!(
        wait_for(|| get_json(&server, &path, &admin)["status"] == "offline"),
        "{}",
        get_json(&server, &path, &admin)
    );
    let (log, _dir) = server.stop();
    assert!(log.contains("video device offline"), "{log}");
}

#[test]
fn without_a_password_one_is_made_once_and_kept_in_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    common::generate_tiny(dir.path());
    let server = Server::start_with(dir, &["--sip-listen", "127.0.0.1:0"]);
    sip_port(&server);
    let file = std::path::Path::new(server.dir()).join("sip-password");
    let first = std::fs::read_to_string(&file).unwrap();
    assert!(first.trim().len() >= 16);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "only the owner reads it: {mode:o}");
    }
    let (log, dir) = server.stop();
    assert!(!log.contains(first.trim()), "the password is not logged");
    let server = Server::start_with(dir, &["--sip-listen", "127.0.0.1:0"]);
    sip_port(&server);
    let again = std::fs::read_to_string(Path::new(server.dir()).join("sip-password")).unwrap();
    assert_eq!(first, again, "kept across restarts");
    server.stop();
}

#[test]
fn a_device_given_its_own_password_registers_only_with_it_also_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    common::generate_tiny(dir.path());
    let flags = [
        "--sip-listen",
        "127.0.0.1:0",
        "--sip-password",
        "Futian-2026",
    ];
    let server = Server::start_with(dir, &flags);
    let admin = token(server.dir(), "district-admin");
    let gb = first_camera(&server);
    let path = format!("/api/v1/video/devices/{gb}/password");
    for bad in [
        r#"{"password":"short"}"#,
        r#"{"pass":"whatever-long"}"#,
        "not json",
    ] {
        let (code, _, body) = server.send("PUT", &path, Some(&admin), Some(bad));
        assert_eq!(code, 400, "{bad}: {body}");
        assert!(body.contains("invalid_body"), "{body}");
    }
    let (code, _, _) = server.send("PUT", &path, None, Some(r#"{"password":"own-secret-42"}"#));
    assert_eq!(code, 401);
    let (code, _, body) = server.send(
        "PUT",
        &path,
        Some(&admin),
        Some(r#"{"password":"own-secret-42"}"#),
    );
    assert_eq!(code, 204, "{body}");

    let rt = tokio::runtime::Runtime::new().unwrap();
    let status = |server: &Server| get_json(server, &format!("/api/v1/video/devices/{gb}"), &admin);
    let attempt = |server: &Server, password: &str| {
        let cfg = device(&gb, password, sip_port(server));
        rt.block_on(Gb28181Server::start(
            cfg,
            Arc::new(MockFrameHub::new()),
            None,
        ))
        .unwrap()
    };
    let refused = attempt(&server, "Futian-2026");
    assert!(
        wait_for(
            || get_json(&server, "/api/v1/video/status", &admin)["edge"]["counters"]["auth_failed"]
                .as_u64()
                >= Some(1)
        ),
        "the default password no longer opens it"
    );
    assert_eq!(status(&server)["status"], "unregistered");
    refused.abort();
    let own = attempt(&server, "own-secret-42");
    assert!(wait_for(|| status(&server)["status"] == "online"));
    own.abort();
    let (log, dir) = server.stop();
    assert!(!log.contains("own-secret-42"), "the password is not logged");

    // Kept across a restart.
    let server = Server::start_with(dir, &flags);
    let again = attempt(&server, "own-secret-42");
    assert!(wait_for(|| status(&server)["status"] == "online"));
    again.abort();
    server.stop();
}
