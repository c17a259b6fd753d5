//! Minting API tokens: a token never carries more than its minter holds. Every role,
//! acting for each kind of unit, tries to mint every role for every unit; whatever is
//! minted is resolved the way the server resolves it and compared with the minter.

use axum::http::{Method, StatusCode};
use citymirror_trust::{Principal, Role, Scope, TrustRepo};
use serde_json::json;

use crate::common::{fixture, TestApp};

const JSON: (&str, &str) = ("content-type", "application/json");

/// The units a token may name: none, the district, a street, a community, a grid, a
/// department, and a grid in the other street.
const UNITS: [Option<&str>; 7] = [
    None,
    Some("440304"),
    Some("440304001"),
    Some("440304001001"),
    Some(fixture::GRIDS[0]),
    Some("440304-D01"),
    Some(fixture::GRIDS[2]),
];

/// What the server makes of a stored token.
async fn resolved(app: &TestApp, id: i64) -> Principal {
    let t = app
        .store
        .token(id)
        .await
        .unwrap()
        .expect("the minted token");
    app.security.org.principal_for_token(&t)
}

#[tokio::test]
async fn no_minted_token_holds_more_than_its_minter() {
    let app = TestApp::new().await;
    let mut minted = 0;
    for minter_role in Role::ALL {
        for minter_unit in UNITS {
            let bearer = app.token(minter_role, minter_unit).await;
            let minter = {
                let (id, _) = citymirror_trust::token::parse_token(&bearer).unwrap();
                resolved(&app, id).await
            };
            for role in Role::ALL {
                for unit in UNITS {
                    let mut body = json!({ "name": "pair", "role": role });
                    if let Some(u) = unit {
                        body["unit"] = u.into();
                    }
                    let r = app
                        .send(
                            Method::POST,
                            "/api/v1/tokens",
                            &[JSON, ("authorization", &format!("Bearer {bearer}"))],
                            body.to_string(),
                        )
                        .await;
                    let pair = format!("{minter_role}@{minter_unit:?} minting {role}@{unit:?}");
                    if r.status != StatusCode::CREATED {
                        assert!(
                            matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                            "{pair}: {} {}",
                            r.status,
                            r.text()
                        );
                        continue;
                    }
                    minted += 1;
                    let token = resolved(&app, r.json()["id"].as_i64().unwrap()).await;
                    assert!(
                        token.entitlement() <= minter.entitlement(),
                        "{pair}: reads more"
                    );
                    for action in citymirror_trust::Action::ALL {
                        assert!(
                            !role.grants(action) || minter_role.grants(action),
                            "{pair}: may {action:?}"
                        );
                    }
                    if let Some(j) = &token.jurisdiction {
                        assert!(
                            minter.covers(j.code().as_str()),
                            "{pair}: acts over {}",
                            j.code()
                        );
                    }
                    if role.scope() == Scope::Unit {
                        assert!(
                            token.jurisdiction.is_some(),
                            "{pair}: a unit role without a unit"
                        );
                    }
                }
            }
        }
    }
    // Administrators mint what they hold: at least the district-wide and unit roles of
    // grade 3 and below, inside their jurisdiction.
    assert!(minted >= 20, "only {minted} tokens were minted");
}

#[tokio::test]
async fn an_administrator_cannot_mint_a_grid_worker_that_reads_what_they_may_not() {
    let app = TestApp::new().await;
    // The finding: an admin (一般-3) minted a unit-less grid-worker token that read every
    // person district-wide with identifiers in full.
    for body in [
        json!({ "name": "x", "role": "grid-worker" }),
        json!({ "name": "x", "role": "grid-worker", "unit": fixture::GRIDS[0] }),
        json!({ "name": "x", "role": "community-staff", "unit": "440304001001" }),
    ] {
        let r = app
            .send_admin(Method::POST, "/api/v1/tokens", &[JSON], body.to_string())
            .await;
        assert_eq!(r.error_code(StatusCode::FORBIDDEN), "forbidden", "{body}");
    }
    let r = app
        .send_admin(
            Method::POST,
            "/api/v1/tokens",
            &[JSON],
            json!({ "name": "x", "role": "street-staff" }).to_string(),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::FORBIDDEN), "forbidden");
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .contains("must name it"));
    // Within what it holds, an admin mints: a street officer of one street.
    let r = app
        .send_admin(
            Method::POST,
            "/api/v1/tokens",
            &[JSON],
            json!({ "name": "x", "role": "street-staff", "unit": "440304001" }).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

#[tokio::test]
async fn a_unit_role_token_minted_without_a_unit_sees_nothing_located() {
    // Tokens stored before units were required: the server no longer reads them as
    // district-wide.
    let app = TestApp::new().await;
    let old = app.token(Role::GridWorker, None).await;
    let r = app.get_as(&old, "/api/v1/records/persons?limit=1000").await;
    assert_eq!(r.error_code(StatusCode::FORBIDDEN), "forbidden");
    assert!(r.text().contains("has none"), "{}", r.text());
}
