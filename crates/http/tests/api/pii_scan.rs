//! No unmasked 身份证号 or mobile number reaches a reader not entitled to it.
//!
//! Identifiers are planted in every free-text and name field of every layer (through
//! the API, as a business system would write them), of every record kind, of accounts,
//! token names and, through activity, the audit log. Then every endpoint that returns
//! text (lists, single items, HTML pages, search, drill-down, tiles, write responses) is
//! read by every role and anonymously, and each answer is scanned with the recogniser
//! and for every planted identifier verbatim.

use axum::http::{Method, StatusCode};
use citymirror_core::{
    records::{RecordSchema, RECORD_SCHEMAS},
    DataGrade, LayerId, PropType, Value,
};
use citymirror_trust::{password, pii, NewUser, Role, TrustRepo};
use citymirror_twin::RecordRepo;
use serde_json::json;

use crate::common::{fixture, TestApp};

/// The unit each role's token acts for: the narrowest that still sees some records.
fn unit_of(role: Role) -> Option<&'static str> {
    match role {
        Role::GridWorker => Some(fixture::GRIDS[0]),
        Role::CommunityStaff => Some("440304001001"),
        Role::StreetStaff => Some("440304001"),
        Role::DepartmentHandler => Some("440304-D01"),
        Role::Citizen => None,
        _ => Some("440304"),
    }
}

/// Who may see a planted identifier in full.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Home {
    /// In a twin feature: readers entitled to 一般-4 (twin reads are district-wide).
    Twin,
    /// In a record of this grid: readers entitled to 一般-4 whose jurisdiction covers it.
    Record(&'static str),
    /// In an account, a token's name or the audit log: nobody, through the API.
    Nowhere,
    /// In a ticket's text in this grid: readers entitled to 一般-4 who may read it.
    TicketText(&'static str),
    /// A citizen's contact details on a ticket led by this unit: its people only.
    TicketContact(&'static str),
}

struct Plants {
    all: Vec<(String, Home)>,
    next: u32,
}

impl Plants {
    /// A fresh mobile number and 身份证号, remembered as living in `home`.
    fn plant(&mut self, home: Home) -> (String, String) {
        self.next += 1;
        let mobile = format!("137{:08}", 40_000_000 + self.next * 7_919);
        let id = citymirror_core::ids::resident_id("440304", "19900101", self.next as u16 + 500);
        self.all.push((mobile.clone(), home));
        self.all.push((id.clone(), home));
        (mobile, id)
    }

    fn text(&mut self, label: &str, home: Home) -> String {
        let (mobile, id) = self.plant(home);
        format!("植入{label}张三{mobile}身份证{id}号")
    }
}

/// Fields that are not free text: codes the twin derives or checks.
const NOT_FREE_TEXT: [&str; 3] = ["code", "parent_code", "grid_code"];

/// Writes a planted identifier into every text field of one feature per layer (fields
/// whose values are validated against a vocabulary refuse it, and then hold nothing).
/// Returns the feature patched in each layer.
async fn plant_in_layers(app: &TestApp, plants: &mut Plants) -> Vec<(LayerId, i64)> {
    let mut patched = Vec::new();
    for layer in LayerId::ALL {
        let schema = layer.schema();
        let id = app.service.twin().layer(layer).iter().next().unwrap().id;
        for def in schema.properties {
            if def.ty != PropType::Text || NOT_FREE_TEXT.contains(&def.name) {
                continue;
            }
            let planted = plants.text(def.name, Home::Twin);
            let r = app
                .send_admin(
                    Method::PATCH,
                    &format!("/ogc/collections/{layer}/items/{id}"),
                    &[("content-type", "application/merge-patch+json")],
                    json!({ "properties": { def.name: planted } }).to_string(),
                )
                .await;
            assert!(
                matches!(r.status, StatusCode::OK | StatusCode::BAD_REQUEST),
                "{layer}.{}: {} {}",
                def.name,
                r.status,
                r.text()
            );
        }
        patched.push((layer, id));
    }
    patched
}

/// A SensorThings Thing (with a Location and a Datastream) whose free text carries
/// planted identifiers, as an IoT platform might have written it.
async fn plant_in_sensorthings(app: &TestApp, plants: &mut Plants) {
    let mut text = |label: &str| plants.text(label, Home::Twin);
    let body = json!({
        "name": text("sta-name"),
        "description": text("sta-description"),
        "properties": {"owner": text("sta-properties")},
        "Locations": [{"name": text("sta-location"), "description": "d", "encodingType": "application/geo+json",
                       "location": {"type": "Point", "coordinates": [114.05, 22.54]}}],
        "Datastreams": [{"name": text("sta-datastream"), "description": "d",
            "unitOfMeasurement": {"name": "m", "symbol": "m", "definition": "ucum:m"},
            "observationType": "OM_Measurement",
            "Sensor": {"name": text("sta-sensor"), "description": "d", "encodingType": "text/plain", "metadata": "-"},
            "ObservedProperty": {"name": "p", "definition": "d", "description": "d"},
            "Observations": [{"result": text("sta-result")}]}]
    });
    let r = app
        .send_admin(
            Method::POST,
            "/sta/v1.1/Things",
            &[("content-type", "application/json")],
            body.to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

/// One more record of every kind in the first grid, with identifiers in every text field.
async fn plant_in_records(app: &TestApp, plants: &mut Plants) {
    let grid = fixture::GRIDS[0];
    for schema in RECORD_SCHEMAS {
        let row = schema
            .fields
            .iter()
            .map(|f| match (f.name, f.ty) {
                ("id", _) => Value::Int(900),
                ("grid_code", _) => Value::Text(grid.into()),
                (name, PropType::Text) => Value::Text(plants.text(name, Home::Record(grid))),
                (_, PropType::Int) => Value::Int(1),
                (_, PropType::Float) => Value::Float(1.0),
                (_, PropType::Date) => Value::Date("2000-01-01".parse().unwrap()),
                (_, PropType::Bool) => Value::Bool(true),
            })
            .collect();
        insert(app, schema, row).await;
    }
}

async fn insert(app: &TestApp, schema: &'static RecordSchema, row: Vec<Value>) {
    app.store
        .insert_records(schema, &[row])
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", schema.name));
}

/// Accounts and token names with identifiers, and activity that puts some in the log.
/// Returns the id of the planted staff account.
async fn plant_in_accounts_and_the_log(app: &TestApp, plants: &mut Plants) -> i64 {
    let (citizen_mobile, _) = plants.plant(Home::Nowhere);
    let citizen_name = plants.text("display_name", Home::Nowhere);
    let staff_name = plants.text("display_name", Home::Nowhere);
    let ids = app
        .store
        .insert_users(&[
            NewUser {
                username: citizen_mobile.clone(),
                display_name: citizen_name,
                role: Role::Citizen,
                unit_id: None,
                password_hash: Some(password::hash("long enough pw").unwrap()),
                mobile: Some(citizen_mobile.clone()),
            },
            NewUser {
                username: "planted-staff".into(),
                display_name: staff_name,
                role: Role::GridWorker,
                unit_id: Some(fixture::GRIDS[0].into()),
                password_hash: None,
                mobile: Some(plants.plant(Home::Nowhere).0),
            },
        ])
        .await
        .unwrap();
    // The citizen signs in (their mobile number is the actor of the log's entry), and
    // someone guesses at another number.
    let login =
        |user: String, pw: &'static str| json!({ "username": user, "password": pw }).to_string();
    let json_body = [("content-type", "application/json")];
    let r = app
        .send(
            Method::POST,
            "/api/v1/session",
            &json_body,
            login(citizen_mobile, "long enough pw"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let (guessed, _) = plants.plant(Home::Nowhere);
    app.send(
        Method::POST,
        "/api/v1/session",
        &json_body,
        login(guessed, "wrong password"),
    )
    .await;
    let name = plants.text("token", Home::Nowhere);
    let r = app
        .send_admin(
            Method::POST,
            "/api/v1/tokens",
            &json_body,
            json!({ "name": name, "role": "external-consumer" }).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    ids[1]
}

/// A ticket filed with identifiers in every text it carries, and worked by its lead
/// unit with one in a note. Returns its number and tracking token.
async fn plant_in_a_ticket(app: &TestApp, plants: &mut Plants) -> (String, String) {
    let grid = fixture::GRIDS[0];
    let citizen = app.token(Role::Citizen, None).await;
    let (phone, _) = plants.plant(Home::TicketContact("440304-D01"));
    let name = plants.text("contact_name", Home::TicketContact("440304-D01"));
    let filed = crate::tickets::file(
        app,
        &citizen,
        json!({
            "service_code": "0101",
            "title": plants.text("title", Home::TicketText(grid)),
            "description": plants.text("description", Home::TicketText(grid)),
            "address": plants.text("address", Home::TicketText(grid)),
            "lon": 114.02,
            "lat": 22.52,
            "contact_name": name,
            "contact_phone": phone,
        }),
    )
    .await;
    let number = filed["number"].as_str().unwrap().to_owned();
    let handler = app.token(Role::DepartmentHandler, Some("440304-D01")).await;
    let (status, _) =
        crate::tickets::act(app, &handler, &number, json!({ "action": "accept" })).await;
    assert_eq!(status, StatusCode::OK);
    let note = plants.text("note", Home::TicketText(grid));
    let (status, t) = crate::tickets::act(
        app,
        &handler,
        &number,
        json!({ "action": "comment", "note": note }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{t}");
    app.audit.checkpoint_now().await.unwrap();
    (number, filed["tracking_token"].as_str().unwrap().to_owned())
}

/// Every GET of the request loop that returns text.
fn ticket_endpoints(number: &str, token: &str) -> Vec<String> {
    vec![
        "/api/v1/tickets?limit=500".to_owned(),
        format!("/api/v1/tickets/{number}"),
        format!("/api/v1/tickets/{number}/history"),
        format!("/api/v1/track/{number}?token={token}"),
        format!("/api/v1/track/{number}/history?token={token}"),
        "/api/v1/tickets/map".to_owned(),
        "/api/v1/tickets/stats".to_owned(),
        "/api/v1/tickets/hotspots?min=1".to_owned(),
        "/api/v1/tickets/similar?lon=114.02&lat=22.52&text=%E6%A4%8D%E5%85%A5".to_owned(),
        "/open311/v2/requests.json".to_owned(),
        "/open311/v2/requests.xml".to_owned(),
        format!("/open311/v2/requests/{number}.json"),
        "/open311/v2/servicerequestupdates.json".to_owned(),
    ]
}

/// Every GET that returns text, for one reader.
fn text_endpoints(patched: &[(LayerId, i64)], staff: i64) -> Vec<String> {
    let mut paths = vec![
        "/ogc".to_owned(),
        "/ogc/collections".to_owned(),
        "/api/v1/search?q=植入&limit=100".to_owned(),
        "/api/v1/search?q=张三&limit=100".to_owned(),
        "/api/v1/areas".to_owned(),
        "/api/v1/areas/440304001".to_owned(),
        format!("/api/v1/areas/{}", fixture::GRIDS[0]),
        "/api/v1/locate?lon=114.01&lat=22.51".to_owned(),
        "/api/v1/users?limit=1000".to_owned(),
        format!("/api/v1/users/{staff}"),
        "/api/v1/units".to_owned(),
        "/api/v1/tokens".to_owned(),
        "/api/v1/audit/entries?limit=1000".to_owned(),
        "/sta/v1.1/Things?$top=10000&$expand=Locations,Datastreams($expand=Sensor,Observations)"
            .to_owned(),
        "/sta/v1.1/Observations?$top=1000".to_owned(),
        "/api/v1/sensing/ingest?limit=10000".to_owned(),
        "/api/v1/sensing/alarms?limit=5000".to_owned(),
        "/api/v1/video/devices?limit=10000".to_owned(),
        "/api/v1/video/devices/44030400001320000001".to_owned(),
        "/api/v1/video/status".to_owned(),
        "/api/v1/video/channels/44030400001320000001/stream".to_owned(),
        "/sta/v1.1/Sensors?$top=1000".to_owned(),
        "/sta/v1.1/FeaturesOfInterest?$top=10000".to_owned(),
        // The tiles over the patched features, all layers at once.
        "/tiles/basemap/14/13380/7140".to_owned(),
        "/tiles/basemap/16/53522/28561".to_owned(),
        "/tiles/basemap/12/3345/1785".to_owned(),
    ];
    for (layer, id) in patched {
        for f in ["json", "html"] {
            paths.push(format!("/ogc/collections/{layer}/items?limit=1000&f={f}"));
            paths.push(format!("/ogc/collections/{layer}/items/{id}?f={f}"));
        }
    }
    for schema in RECORD_SCHEMAS {
        paths.push(format!("/api/v1/records/{}?limit=1000", schema.name));
        paths.push(format!("/api/v1/records/{}/900", schema.name));
    }
    paths
}

/// Every identifier of the fixture's records, with its grid.
fn fixture_identifiers() -> Vec<(String, Home)> {
    let mut out = Vec::new();
    for (g, grid) in fixture::GRIDS.iter().enumerate() {
        for k in 0..fixture::PERSONS_PER_GRID {
            let n = g * fixture::PERSONS_PER_GRID + k;
            out.push((fixture::person_id_number(n), Home::Record(grid)));
            out.push((fixture::person_mobile(n), Home::Record(grid)));
            out.push((fixture::person_mobile(n + 100), Home::Record(grid)));
        }
    }
    out
}

#[tokio::test]
async fn no_text_that_leaves_the_server_reveals_an_identifier_to_an_unentitled_reader() {
    let app = TestApp::new().await;
    let mut plants = Plants {
        all: fixture_identifiers(),
        next: 0,
    };
    let patched = plant_in_layers(&app, &mut plants).await;
    plant_in_records(&app, &mut plants).await;
    plant_in_sensorthings(&app, &mut plants).await;
    let staff = plant_in_accounts_and_the_log(&app, &mut plants).await;
    let (number, tracking) = plant_in_a_ticket(&app, &mut plants).await;
    let twin_plants = plants.all.iter().filter(|(_, h)| *h == Home::Twin).count();
    assert!(
        twin_plants >= 2 * 12,
        "only {twin_plants} twin fields took a plant"
    );

    let mut readers: Vec<(String, Option<Role>)> = vec![(String::new(), None)];
    for role in Role::ALL {
        readers.push((app.token(role, unit_of(role)).await, Some(role)));
    }
    let building = patched
        .iter()
        .find(|(l, _)| *l == LayerId::Buildings)
        .unwrap()
        .1;
    let mut scanned = 0;
    for (token, role) in &readers {
        let entitlement = role.map_or(DataGrade::General(1), Role::entitlement);
        let jurisdiction = role
            .and_then(unit_of)
            .filter(|_| *role != Some(Role::Citizen));
        let who = role.map_or("anonymous", Role::as_str);
        let unit = role.and_then(unit_of);
        let mut answers = Vec::new();
        let paths = text_endpoints(&patched, staff)
            .into_iter()
            .chain(ticket_endpoints(&number, &tracking));
        for path in paths {
            let r = if token.is_empty() {
                app.get(&path).await
            } else {
                app.get_as(token, &path).await
            };
            answers.push((path, r));
        }
        // A write answer is a read like any other: PATCH what the planted building already
        // holds (refused where the role may not write there, which reveals nothing).
        if !token.is_empty() {
            let path = format!("/ogc/collections/buildings/items/{building}");
            let bearer = format!("Bearer {token}");
            let r = app
                .send(
                    Method::PATCH,
                    &path,
                    &[
                        ("content-type", "application/merge-patch+json"),
                        ("authorization", &bearer),
                    ],
                    json!({ "properties": { "floors": 1 } }).to_string(),
                )
                .await;
            answers.push((format!("PATCH {path}"), r));
        }
        for (path, r) in answers {
            if !r.status.is_success() {
                continue; // refused: the error says nothing of the data
            }
            scanned += 1;
            let body = String::from_utf8_lossy(&r.body);
            let may_see = |found: &str| match plants.all.iter().find(|(id, _)| id == found) {
                Some((_, Home::Twin)) => entitlement >= DataGrade::General(4),
                Some((_, Home::Record(grid))) => {
                    entitlement >= DataGrade::General(4)
                        && jurisdiction.is_some_and(|j| grid.starts_with(j))
                }
                Some((_, Home::TicketText(grid))) => {
                    entitlement >= DataGrade::General(4)
                        && jurisdiction.is_some_and(|j| grid.starts_with(j))
                }
                Some((_, Home::TicketContact(lead))) => unit == Some(*lead),
                Some((_, Home::Nowhere)) | None => false,
            };
            for m in pii::scan(&body) {
                if matches!(m.kind, pii::PiiKind::ResidentId | pii::PiiKind::Mobile) {
                    let found = &body[m.range.clone()];
                    assert!(may_see(found), "{who} reading {path}: unmasked {found}");
                }
            }
            for (id, _) in &plants.all {
                if body.contains(id.as_str()) {
                    assert!(may_see(id), "{who} reading {path}: {id}");
                }
            }
        }
    }
    assert!(scanned >= 400, "only {scanned} responses were scanned");
}

#[tokio::test]
async fn entitled_readers_see_identifiers_of_their_own_grid_in_full() {
    let app = TestApp::new().await;
    let worker = app.token(Role::GridWorker, Some(fixture::GRIDS[0])).await;
    let doc = app.get_as(&worker, "/api/v1/records/persons").await.json();
    assert_eq!(doc["records"][0]["id_number"], fixture::person_id_number(0));
    assert_eq!(doc["records"][0]["mobile"], fixture::person_mobile(0));
    // A street officer sees names, and identifiers masked.
    let street = app.token(Role::StreetStaff, Some("440304001")).await;
    let doc = app.get_as(&street, "/api/v1/records/persons").await.json();
    let p = &doc["records"][0];
    assert_eq!(p["name"], "张伟");
    let id = fixture::person_id_number(0);
    assert_eq!(
        p["id_number"],
        format!("{}**********{}", &id[..4], &id[14..])
    );
    let mobile = fixture::person_mobile(0);
    assert_eq!(p["mobile"], format!("{}****{}", &mobile[..3], &mobile[7..]));
    assert!(!p["residence_type"]
        .as_str()
        .unwrap()
        .contains(&fixture::person_mobile(100)));
    // An analyst sees neither names nor birth dates in full.
    let analyst = app.token(Role::DataAnalyst, None).await;
    let doc = app.get_as(&analyst, "/api/v1/records/persons").await.json();
    let p = &doc["records"][0];
    assert_eq!(p["name"], "张*");
    assert_eq!(p["birth_date"], "1985-**-**");
}

#[tokio::test]
async fn search_neither_leaks_nor_confirms_an_identifier_in_a_name() {
    // The finding: a building named 张三13912345678 with address 身份证440304199001011233号
    // came back in full to anonymous `GET /api/v1/search?q=张三`.
    let app = TestApp::new().await;
    let id = citymirror_core::ids::resident_id("440304", "19900101", 123);
    let r = app
        .send_admin(
            Method::PATCH,
            "/ogc/collections/buildings/items/2",
            &[("content-type", "application/merge-patch+json")],
            json!({ "properties": { "name": "张三13912345678", "address": format!("身份证{id}号") } })
                .to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let found = app.get_json("/api/v1/search?q=张三").await;
    let hit = &found["results"][0];
    assert_eq!(hit["name"], "张三139****5678", "{found}");
    assert_eq!(
        hit["address"],
        format!("身份证{}**********{}号", &id[..4], &id[14..])
    );
    // Typing the number in full finds nothing: a match would confirm it.
    let guess = app.get_json("/api/v1/search?q=13912345678").await;
    assert_eq!(guess["results"], json!([]), "{guess}");
    // A grid worker (一般-4) sees and finds it in full.
    let worker = app.token(Role::GridWorker, Some(fixture::GRIDS[0])).await;
    let found = app
        .get_as(&worker, "/api/v1/search?q=13912345678")
        .await
        .json();
    assert_eq!(found["results"][0]["name"], "张三13912345678");
}

#[tokio::test]
async fn a_masked_value_cannot_be_confirmed_by_filtering_on_it() {
    // The finding: anonymous saw `serial: D***********` but `?serial=DH2500040503`
    // answered numberMatched 1, and a wrong guess 0; the same for names and owners.
    let app = TestApp::new().await;
    let serial = "DH2500040503";
    let device = app
        .service
        .twin()
        .layer(LayerId::Devices)
        .iter()
        .next()
        .unwrap()
        .id;
    let r = app
        .send_admin(
            Method::PATCH,
            &format!("/ogc/collections/devices/items/{device}"),
            &[("content-type", "application/merge-patch+json")],
            json!({ "properties": { "serial": serial } }).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let devices = app.get_json("/ogc/collections/devices/items").await;
    assert_eq!(
        devices["features"][0]["properties"]["serial"],
        "D***********"
    );
    let r = app
        .get(&format!("/ogc/collections/devices/items?serial={serial}"))
        .await;
    assert_eq!(r.error_code(StatusCode::BAD_REQUEST), "invalid_parameter");
    let q = app.get_json("/ogc/collections/devices/queryables").await;
    assert!(q["properties"].get("serial").is_none(), "{q}");
    // An analyst (一般-2) reads serials in full, and may filter on them.
    let analyst = app.token(Role::DataAnalyst, None).await;
    let r = app
        .get_as(
            &analyst,
            &format!("/ogc/collections/devices/items?serial={serial}"),
        )
        .await;
    assert_eq!(r.json()["numberMatched"], 1, "{}", r.text());

    // Free text is filtered as the reader sees it.
    let r = app
        .send_admin(
            Method::PATCH,
            "/ogc/collections/components/items/1",
            &[("content-type", "application/merge-patch+json")],
            json!({ "properties": { "owner_unit": "王五13912345678" } }).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let matched = |q: &str| {
        let app = &app;
        let q = q.to_owned();
        async move {
            app.get_json(&format!("/ogc/collections/components/items?{q}"))
                .await["numberMatched"]
                .as_u64()
                .unwrap()
        }
    };
    assert_eq!(matched("owner_unit=王五13912345678").await, 0);
    assert_eq!(matched("owner_unit=王五13912345679").await, 0);
    assert_eq!(matched("owner_unit=王五139****5678").await, 1);
}

#[tokio::test]
async fn a_write_answers_with_what_the_writer_may_read() {
    // The finding: a PATCH by `street` returned owner_unit with a phone number and a
    // 身份证号 in full, though a GET by the same reader masked it.
    let app = TestApp::new().await;
    let id = citymirror_core::ids::resident_id("440304", "19900101", 77);
    let street = app.token(Role::StreetStaff, Some("440304001")).await;
    let r = app
        .send(
            Method::PATCH,
            "/ogc/collections/components/items/1",
            &[
                ("content-type", "application/merge-patch+json"),
                ("authorization", &format!("Bearer {street}")),
            ],
            json!({ "properties": { "owner_unit": format!("赵六13912345678 {id}") } }).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let body = r.text();
    assert!(
        !body.contains("13912345678") && !body.contains(id.as_str()),
        "{body}"
    );
    assert!(body.contains("139****5678"), "{body}");
}
