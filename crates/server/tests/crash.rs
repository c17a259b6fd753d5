//! An acknowledged request survives a crash: the server is killed with SIGKILL in the
//! middle of a stream of submissions, started again on the same data directory, and
//! every ticket it had answered with a number is there.

mod common;

use std::{
    io::{Read, Write},
    net::TcpStream,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use common::{citymirror, server::Server};
use serde_json::Value;

/// POSTs a request; the ticket number when the server acknowledged it (201).
fn file(port: u16, token: &str, i: usize, lon: f64, lat: f64) -> Option<String> {
    let body = serde_json::json!({
        "service_code": "0101",
        "title": "路灯不亮",
        "description": format!("第{i}盏路灯晚上不亮"),
        "lon": lon, "lat": lat,
        "channel": "sms", // no history ticket came by text message
        "source_ref": format!("crash-{i}"),
    })
    .to_string();
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(
        s,
        "POST /api/v1/tickets HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut answer = String::new();
    s.read_to_string(&mut answer).ok()?;
    if !answer.starts_with("HTTP/1.1 201") {
        return None;
    }
    let json: Value = serde_json::from_str(answer.split_once("\r\n\r\n")?.1).ok()?;
    json["number"].as_str().map(str::to_owned)
}

#[test]
fn a_server_killed_mid_load_loses_no_acknowledged_ticket() {
    let server = Server::start();
    let dir = server.dir().to_owned();
    let (ok, out, err) = citymirror(&[
        "token",
        "create",
        "--role",
        "district-admin",
        "--data-dir",
        &dir,
    ]);
    assert!(ok, "{err}");
    let token = out.lines().last().unwrap().trim().to_owned();
    // A place inside the tiny district: the middle of its first building.
    let (_, buildings) = server.get("/ogc/collections/buildings/items?limit=1", None);
    let b: Value = serde_json::from_str(&buildings).unwrap();
    let ring = b["features"][0]["geometry"]["coordinates"][0]
        .as_array()
        .unwrap()
        .clone();
    let n = ring.len() as f64;
    let lon = ring.iter().map(|p| p[0].as_f64().unwrap()).sum::<f64>() / n;
    let lat = ring.iter().map(|p| p[1].as_f64().unwrap()).sum::<f64>() / n;
    assert!(
        file(server.port, &token, 0, lon, lat).is_some(),
        "a first request is filed: {}",
        server.get("/healthz", None).1
    );

    // Eight clients file requests as fast as they are answered…
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let port = server.port;
    let clients: Vec<_> = (0..8)
        .map(|c| {
            let (acked, stop, token) = (acknowledged.clone(), stop.clone(), token.clone());
            std::thread::spawn(move || {
                let mut i = 1 + c;
                while !stop.load(Ordering::Relaxed) {
                    if let Some(number) = file(port, &token, i, lon, lat) {
                        acked.lock().unwrap().push(number);
                    }
                    i += 8;
                }
            })
        })
        .collect();
    // …until the server is killed outright in the middle of it.
    std::thread::sleep(Duration::from_millis(1500));
    let dir = server.kill_hard();
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= 20,
        "the load ran: {} acknowledged",
        acknowledged.len()
    );

    eprintln!(
        "{} tickets acknowledged before the kill",
        acknowledged.len()
    );
    // Started again, it has every ticket it acknowledged.
    let server = Server::start_in(dir);
    for number in &acknowledged {
        let (status, body) = server.get(&format!("/api/v1/tickets/{number}"), Some(&token));
        assert_eq!(
            status, 200,
            "ticket {number} was acknowledged, then lost: {body}"
        );
    }
    let (_, stats) = server.get("/api/v1/tickets/stats", Some(&token));
    let stats: Value = serde_json::from_str(&stats).unwrap();
    let ours = stats["by_channel"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "sms")
        .map_or(0, |c| c["tickets"].as_u64().unwrap());
    // Requests in flight at the kill may be stored unanswered, never the other way.
    assert!(
        ours as usize > acknowledged.len(),
        "{ours} stored of {} acknowledged",
        acknowledged.len() + 1
    );
    let (log, _) = server.stop();
    assert!(!log.contains(" ERROR "), "{log}");
}
