//! A crowd of GB/T 28181 devices for the scale benchmark (`bench/gb28181.sh`): N devices
//! (NVRs, type 118) with C channels each, from gb28181-rs 0.14.1 (a device side no one here
//! wrote), registering at a platform and keeping alive at the standard interval.
//!
//! ```text
//! cargo run --release -p citymirror-gb28181 --example sip_devices -- \
//!     --platform 127.0.0.1:5060 --devices 1000 --channels 100 --seconds 600 --password PW
//! ```
//!
//! Devices start at `--rate` per second (a site coming back after a power cut, not all in
//! the same millisecond), then run for `--seconds`; the platform is asked afterwards how
//! many it saw online and whether any went offline.

use std::sync::Arc;
use std::time::{Duration, Instant};

use gb28181_rs::config::{CatalogChannel, Gb28181Config, Transport};
use gb28181_rs::mock::MockFrameHub;
use gb28181_rs::server::Gb28181Server;

struct Args {
    platform: std::net::SocketAddr,
    devices: u32,
    channels: u32,
    seconds: u64,
    rate: f64,
    keepalive: u64,
    password: String,
}

fn args() -> Args {
    let mut a = Args {
        platform: "127.0.0.1:5060".parse().unwrap(),
        devices: 1000,
        channels: 100,
        seconds: 600,
        rate: 15.0,
        keepalive: 60,
        password: String::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let v = it.next().unwrap_or_else(|| panic!("{k} needs a value"));
        match k.as_str() {
            "--platform" => a.platform = v.parse().expect("--platform HOST:PORT"),
            "--devices" => a.devices = v.parse().expect("--devices N"),
            "--channels" => a.channels = v.parse().expect("--channels N"),
            "--seconds" => a.seconds = v.parse().expect("--seconds N"),
            "--rate" => a.rate = v.parse().expect("--rate PER_SECOND"),
            "--keepalive" => a.keepalive = v.parse().expect("--keepalive SECONDS"),
            "--password" => a.password = v,
            other => panic!("unknown argument {other}"),
        }
    }
    assert!(!a.password.is_empty(), "--password is required");
    a
}

fn config(a: &Args, n: u32, port: u16) -> Gb28181Config {
    // Street 01, industry 00, NVR (118), serial n; channels are cameras (131) numbered
    // per device so that every id is unique.
    let id = format!("44030401001180{n:06}");
    let extra_channels = (1..a.channels)
        .map(|c| CatalogChannel {
            device_id: format!("440304010013{:01}{:07}", 1, n * 1000 + c),
            name: format!("NVR{n}-通道{c}"),
            manufacturer: "gb28181-rs".into(),
            model: "sim".into(),
            status: "ON".into(),
            ptz_type: None,
            photoelectric_imaging_type: None,
        })
        .collect();
    Gb28181Config {
        enabled: true,
        platform_sip_address: a.platform.ip().to_string(),
        platform_sip_port: a.platform.port(),
        device_id: id.clone(),
        channel_id: id,
        sip_domain: "4403040000".into(),
        password: a.password.clone(),
        local_sip_port: port,
        register_interval_secs: 3600,
        heartbeat_interval_secs: a.keepalive,
        heartbeat_timeout_count: 3,
        transport: Transport::Udp,
        extra_channels,
        ..Gb28181Config::default()
    }
}

fn free_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::main]
async fn main() {
    let a = args();
    let started = Instant::now();
    let mut handles = Vec::with_capacity(a.devices as usize);
    let gap = Duration::from_secs_f64(1.0 / a.rate.max(0.1));
    for n in 1..=a.devices {
        let cfg = config(&a, n, free_port());
        match Gb28181Server::start(cfg, Arc::new(MockFrameHub::new()), None).await {
            Ok(h) => handles.push(h),
            Err(e) => eprintln!("device {n} did not start: {e}"),
        }
        tokio::time::sleep(gap).await;
    }
    eprintln!(
        "{} devices with {} channels each started in {:.0} s; running {} s",
        handles.len(),
        a.channels,
        started.elapsed().as_secs_f64(),
        a.seconds
    );
    tokio::time::sleep(Duration::from_secs(a.seconds)).await;
    for h in &handles {
        h.abort();
    }
    println!(
        "devices={} channels_each={} ran_s={}",
        handles.len(),
        a.channels,
        a.seconds
    );
}
