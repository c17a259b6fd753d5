//! No unmasked 身份证号 or mobile number reaches a reader not entitled to it: every list
//! endpoint, read by every role (and anonymously), is scanned with the recogniser and
//! for the fixture's identifiers verbatim.

use axum::http::{Method, StatusCode};
use citymirror_core::{DataGrade, LayerId};
use citymirror_trust::{pii, Role};

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

fn list_endpoints() -> Vec<String> {
    let mut paths: Vec<String> = LayerId::ALL
        .iter()
        .map(|l| format!("/ogc/collections/{l}/items?limit=1000"))
        .collect();
    for kind in ["persons", "houses", "entities"] {
        paths.push(format!("/api/v1/records/{kind}?limit=1000"));
    }
    for p in [
        "/api/v1/users?limit=1000",
        "/api/v1/units",
        "/api/v1/tokens",
        "/api/v1/audit/entries?limit=1000",
    ] {
        paths.push(p.to_owned());
    }
    paths
}

/// Every identifier of the fixture, with the grid of the record it belongs to.
fn fixture_identifiers() -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for (g, grid) in fixture::GRIDS.iter().enumerate() {
        for k in 0..fixture::PERSONS_PER_GRID {
            let n = g * fixture::PERSONS_PER_GRID + k;
            out.push((fixture::person_id_number(n), *grid));
            out.push((fixture::person_mobile(n), *grid));
            out.push((fixture::person_mobile(n + 100), *grid));
        }
    }
    out
}

#[tokio::test]
async fn no_list_response_reveals_identifiers_to_an_unentitled_reader() {
    let app = TestApp::new().await;
    // Activity that fills the other lists: a citizen account with a mobile number, a
    // failed sign-in under a mobile number, sensitive reads (audited).
    let r = app
        .send(
            Method::POST,
            "/api/v1/citizens",
            &[("content-type", "application/json")],
            r#"{"mobile":"13912345678","password":"long enough pw"}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    app.send(
        Method::POST,
        "/api/v1/session",
        &[("content-type", "application/json")],
        r#"{"username":"13987654321","password":"wrong password"}"#,
    )
    .await;
    let worker = app.token(Role::GridWorker, unit_of(Role::GridWorker)).await;
    assert_eq!(
        app.get_as(&worker, "/api/v1/records/persons").await.status,
        StatusCode::OK
    );
    let extra = ["13912345678", "13987654321"];

    let mut readers: Vec<(String, Option<Role>)> = vec![(String::new(), None)];
    for role in Role::ALL {
        readers.push((app.token(role, unit_of(role)).await, Some(role)));
    }
    let identifiers = fixture_identifiers();
    let mut scanned = 0;
    for (token, role) in &readers {
        let entitlement = role.map_or(DataGrade::General(1), Role::entitlement);
        let jurisdiction = role
            .and_then(unit_of)
            .filter(|_| *role != Some(Role::Citizen));
        for path in list_endpoints() {
            let r = if token.is_empty() {
                app.get(&path).await
            } else {
                app.get_as(token, &path).await
            };
            if r.status != StatusCode::OK {
                continue; // refused: reveals nothing
            }
            scanned += 1;
            let body = r.text();
            let who = format!("{} reading {path}", role.map_or("anonymous", Role::as_str));
            for m in pii::scan(&body) {
                if !matches!(m.kind, pii::PiiKind::ResidentId | pii::PiiKind::Mobile) {
                    continue;
                }
                let found = &body[m.range.clone()];
                assert!(
                    entitlement >= DataGrade::General(4),
                    "{who}: unmasked {found}"
                );
                let grid = identifiers
                    .iter()
                    .find(|(id, _)| id == found)
                    .map(|(_, g)| *g);
                assert!(
                    grid.is_some_and(|g| jurisdiction.is_some_and(|j| g.starts_with(j))),
                    "{who}: {found} lies outside the reader's jurisdiction"
                );
            }
            for (id, grid) in &identifiers {
                if body.contains(id.as_str()) {
                    assert!(
                        entitlement >= DataGrade::General(4)
                            && jurisdiction.is_some_and(|j| grid.starts_with(j)),
                        "{who}: {id}"
                    );
                }
            }
            for id in extra {
                assert!(!body.contains(id), "{who}: {id}");
            }
        }
    }
    assert!(scanned >= 40, "only {scanned} responses were scanned");
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
