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
    let (_, body) = server.get("/ogc/collections/cameras/items?limit=1", None);
    let cameras: Value = serde_json::from_str(&body).unwrap();
    let gb = cameras["features"][0]["properties"]["gb_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let before = get_json(&server, &format!("/api/v1/video/devices/{gb}"), &admin);
    assert_eq!(before["status"], "unregistered");

    let rt = tokio::runtime::Runtime::new().unwrap();
    let dev = rt
        .block_on(Gb28181Server::start(
            device(&gb, "Futian-2026", port),
            Arc::new(MockFrameHub::new()),
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
