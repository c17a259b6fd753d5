//! Sensor alarms as an operator meets them: the alarm list in one's jurisdiction, with
//! the ticket each became; the conditions beyond a threshold (a sudden rise, a device
//! reported away from where it is installed); a device's own rules, checked at the
//! door, audited and kept across a restart; and the demo's embedded MQTT broker
//! carrying a gateway's reading to a ticket with nothing installed.

mod common;

use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use common::{citymirror, server::Server, wait_for};
use serde_json::{json, Value};

fn token(dir: &str, role: &str, unit: Option<&str>) -> String {
    let mut args = vec!["token", "create", "--role", role, "--data-dir", dir];
    if let Some(u) = unit {
        args.extend(["--unit", u]);
    }
    let (ok, out, err) = citymirror(&args);
    assert!(ok, "{err}");
    out.lines().last().unwrap().trim().to_owned()
}

/// The first device of a type: its Thing (id, grid).
fn device_of_type(server: &Server, token: &str, device_type: &str) -> (i64, String) {
    let filter = format!("properties/device_type eq '{device_type}'");
    let path = format!("/sta/v1.1/Things?$top=1&$filter={}", urlencoding(&filter));
    let (status, body) = server.get(&path, Some(token));
    assert_eq!(status, 200, "{body}");
    let doc: Value = serde_json::from_str(&body).unwrap();
    let t = &doc["value"][0];
    let id = t["@iot.id"]
        .as_i64()
        .unwrap_or_else(|| panic!("the tiny district has a {device_type}: {body}"));
    (
        id,
        t["properties"]["grid"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn observe(server: &Server, token: &str, datastream: i64, body: Value) {
    let (status, _, resp) = server.send(
        "POST",
        &format!("/sta/v1.1/Datastreams({datastream})/Observations"),
        Some(token),
        Some(&body.to_string()),
    );
    assert_eq!(status, 201, "{resp}");
}

fn at(seconds_ago: i64) -> String {
    (Utc::now() - chrono::Duration::seconds(seconds_ago))
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn alarms(server: &Server, token: &str) -> Vec<Value> {
    let (status, body) = server.get("/api/v1/sensing/alarms", Some(token));
    assert_eq!(status, 200, "{body}");
    serde_json::from_str::<Value>(&body).unwrap()["alarms"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn operators_see_open_alarms_in_their_jurisdiction_each_with_its_ticket() {
    let server = Server::start();
    let admin = token(server.dir(), "district-admin", None);
    let (cover, grid) = device_of_type(&server, &admin, "井盖位移传感器");
    let (gauge, _) = device_of_type(&server, &admin, "水位监测仪");

    // A tilted cover (threshold); a gauge rising 0.2 m in a minute, still under its
    // 0.5 m threshold (rate); the gauge reported 200 m from where it is installed
    // (geofence: a reading made at an inline FeatureOfInterest).
    observe(
        &server,
        &admin,
        cover * 8,
        json!({"result": 1.0, "phenomenonTime": at(120)}),
    );
    observe(
        &server,
        &admin,
        cover * 8,
        json!({"result": 22.5, "phenomenonTime": at(60)}),
    );
    observe(
        &server,
        &admin,
        gauge * 8,
        json!({"result": 0.05, "phenomenonTime": at(70)}),
    );
    let (status, body) = server.get(
        &format!("/sta/v1.1/Things({gauge})/Locations"),
        Some(&admin),
    );
    assert_eq!(status, 200, "{body}");
    let home = serde_json::from_str::<Value>(&body).unwrap()["value"][0]["location"]["coordinates"]
        .clone();
    let (lon, lat) = (home[0].as_f64().unwrap(), home[1].as_f64().unwrap());
    observe(
        &server,
        &admin,
        gauge * 8,
        json!({
            "result": 0.25,
            "phenomenonTime": at(10),
            "FeatureOfInterest": {
                "name": "现场读数位置",
                "description": "where the gauge reported from",
                "encodingType": "application/geo+json",
                "feature": {"type": "Point", "coordinates": [lon + 0.002, lat]}
            }
        }),
    );
    let conditions = |list: &[Value]| {
        let mut c: Vec<(i64, String)> = list
            .iter()
            .map(|a| {
                (
                    a["device"].as_i64().unwrap(),
                    a["condition"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        c.sort();
        c
    };
    let mut expected = vec![
        (cover, "threshold".to_owned()),
        (gauge, "rate".to_owned()),
        (gauge, "geofence".to_owned()),
    ];
    expected.sort();
    assert!(
        wait_for(|| {
            let l = alarms(&server, &admin);
            conditions(&l) == expected && l.iter().all(|a| a["ticket"].is_string())
        }),
        "three alarms, each filed as a ticket: {:?}",
        alarms(&server, &admin)
    );
    let list = alarms(&server, &admin);
    let fence = list.iter().find(|a| a["condition"] == "geofence").unwrap();
    assert!(
        (150.0..260.0).contains(&fence["value"].as_f64().unwrap()) && fence["unit"] == "m",
        "{fence}"
    );
    let tilt = list.iter().find(|a| a["condition"] == "threshold").unwrap();
    assert_eq!(
        (tilt["quantity"].as_str(), tilt["value"].as_f64()),
        (Some("tilt"), Some(22.5))
    );
    assert_eq!(tilt["grid_code"], grid.as_str());

    // Anonymous callers see nothing; a street's staff see only their street's alarms.
    let (status, body) = server.get("/api/v1/sensing/alarms", None);
    assert_eq!(status, 401, "{body}");
    let (_, units) = server.get("/api/v1/units", Some(&admin));
    let units: Value = serde_json::from_str(&units).unwrap();
    let elsewhere = units["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| {
            u["kind"] == "street-office"
                && u["jurisdiction"]
                    .as_str()
                    .is_some_and(|j| !grid.starts_with(j))
        })
        .expect("a street the cover is not in");
    let street = token(
        server.dir(),
        "street-staff",
        Some(elsewhere["id"].as_str().unwrap()),
    );
    let theirs = alarms(&server, &street);
    assert!(
        theirs.iter().all(|a| a["grid_code"]
            .as_str()
            .unwrap()
            .starts_with(elsewhere["jurisdiction"].as_str().unwrap())),
        "{theirs:?}"
    );
    assert!(!theirs.iter().any(|a| a["device"] == cover), "{theirs:?}");
    server.stop();
}

#[test]
fn a_devices_own_rules_are_checked_at_the_door_audited_and_kept_across_a_restart() {
    let server = Server::start();
    let admin = token(server.dir(), "district-admin", None);
    let (cover, _) = device_of_type(&server, &admin, "井盖位移传感器");
    let path = format!("/api/v1/sensing/devices/{cover}/rules");
    let (status, body) = server.get(&path, Some(&admin));
    assert_eq!(status, 200, "{body}");
    let defaults: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        defaults["effective"]["quantities"]["tilt"]["threshold"]["above"]["raise"],
        15.0
    );

    // Refused, with a stable code, and nothing changes.
    for (bad, code) in [
        (r#"{"quantities":{"smoke":{"off":true}}}"#, "invalid_rule"),
        (
            r#"{"quantities":{"tilt":{"threshold":{"above":{"raise":5,"clear":9}}}}}"#,
            "invalid_rule",
        ),
        (r#"{"silence":3}"#, "invalid_body"),
        ("not json", "invalid_body"),
    ] {
        let (status, _, body) = server.send("PUT", &path, Some(&admin), Some(bad));
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap()["code"],
            code,
            "{bad}: {body}"
        );
    }
    let (_, body) = server.get(&path, Some(&admin));
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        defaults,
        "unchanged"
    );
    let analyst = token(server.dir(), "data-analyst", None);
    let (status, _, body) = server.send("PUT", &path, Some(&analyst), Some(r#"{"silence_min":5}"#));
    assert_eq!(
        status, 403,
        "who may not change the twin may not change its rules: {body}"
    );
    let (status, _, _) = server.send("PUT", &path, None, Some(r#"{"silence_min":5}"#));
    assert_eq!(status, 401);
    let (_, body) = server.get(&path, Some(&admin));
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        defaults,
        "still unchanged"
    );

    // This cover sits in a deep shaft: it alarms only past 40°.
    let own = r#"{"quantities":{"tilt":{"threshold":{"above":{"raise":40.0,"clear":30.0}}}},"silence_min":10}"#;
    let (status, _, body) = server.send("PUT", &path, Some(&admin), Some(own));
    assert_eq!(status, 200, "{body}");
    observe(&server, &admin, cover * 8, json!({"result": 22.5}));
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        alarms(&server, &admin).iter().all(|a| a["device"] != cover),
        "22.5° is under this cover's own threshold"
    );
    let (_, entries) = server.get("/api/v1/audit/entries?limit=20", Some(&admin));
    assert!(
        entries.contains("sensing.rules"),
        "the change is audited: {entries}"
    );

    let (_, dir) = server.stop();
    let server = Server::start_in(dir);
    let (_, body) = server.get(&path, Some(&admin));
    let kept: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        kept["overrides"],
        serde_json::from_str::<Value>(own).unwrap(),
        "{kept}"
    );
    assert_eq!(kept["effective"]["silence_min"], 10);
    assert_eq!(
        kept["effective"]["quantities"]["tilt"]["threshold"]["above"]["raise"],
        40.0
    );
    // `{}` restores the defaults.
    let (status, _, body) = server.send("PUT", &path, Some(&admin), Some("{}"));
    assert_eq!(status, 200, "{body}");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), defaults);
    server.stop();
}

/// Two free ports in a row (the embedded broker's MQTT 3.1.1 and MQTT 5 listeners).
fn free_port_pair() -> u16 {
    for _ in 0..100 {
        let a = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let p = a.local_addr().unwrap().port();
        if p < u16::MAX && std::net::TcpListener::bind(("127.0.0.1", p + 1)).is_ok() {
            return p;
        }
    }
    panic!("no two free ports in a row");
}

#[test]
fn the_demo_carries_a_gateways_reading_through_its_own_broker_to_a_ticket() {
    use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
    let dir = tempfile::tempdir().unwrap();
    let port = free_port_pair();
    let broker = format!("127.0.0.1:{port}");
    let server = Server::demo(
        dir,
        &[
            "--broker-listen",
            &broker,
            "--scale",
            "0.002",
            "--seed",
            "3",
            "--outline",
            "/nonexistent",
            "--messages",
            "/nonexistent",
            "--device-rate",
            "0",
        ],
    );
    let admin = token(server.dir(), "district-admin", None);
    let (cover, _) = device_of_type(&server, &admin, "井盖位移传感器");
    let (_, body) = server.get(&format!("/sta/v1.1/Things({cover})"), Some(&admin));
    let serial = serde_json::from_str::<Value>(&body).unwrap()["properties"]["serial"]
        .as_str()
        .unwrap()
        .to_owned();
    // A gateway speaking MQTT 3.1.1, the compact form, at QoS 1.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (client, mut events) =
            AsyncClient::new(MqttOptions::new("cm-test-gateway", "127.0.0.1", port), 10);
        let now = Utc::now().timestamp();
        client
            .publish(
                "citymirror/up/gw-1",
                QoS::AtLeastOnce,
                false,
                format!("{serial},{},1.0,80\n{serial},{},22.5,80", now - 2, now - 1),
            )
            .await
            .unwrap();
        loop {
            match tokio::time::timeout(Duration::from_secs(10), events.poll()).await {
                Ok(Ok(Event::Incoming(Packet::PubAck(_)))) => break,
                Ok(Ok(_)) => {}
                other => panic!("the embedded broker did not acknowledge: {other:?}"),
            }
        }
    });
    assert!(
        wait_for(|| alarms(&server, &admin)
            .iter()
            .any(|a| a["device"] == cover && a["ticket"].is_string())),
        "the reading reached the platform and became a ticket: {:?}",
        alarms(&server, &admin)
    );
    let (_, body) = server.get(
        &format!(
            "/sta/v1.1/Datastreams({})/Observations?$count=true",
            cover * 8
        ),
        Some(&admin),
    );
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["@iot.count"],
        2,
        "{body}"
    );
    // The demo opens the GB/T 28181 edge too, on a free port, and says where.
    let (status, body) = server.get("/api/v1/video/status", Some(&admin));
    assert_eq!(status, 200, "{body}");
    let sip = serde_json::from_str::<Value>(&body).unwrap()["edge"]["sip"].clone();
    assert!(
        sip.as_str().is_some_and(|a| a.starts_with("127.0.0.1:")),
        "{body}"
    );
    let (log, _) = server.stop();
    assert!(
        log.contains(&format!("SIP edge on udp+tcp {}", sip.as_str().unwrap())),
        "{log}"
    );
}
