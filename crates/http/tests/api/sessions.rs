//! Sign-in with a password, the session cookie and its CSRF token, sign-in throttling,
//! citizens' accounts, token expiry and revocation, and rate limits on public endpoints.

use axum::http::{Method, StatusCode};
use citymirror_http::security::RateLimitConfig;
use citymirror_trust::{password, NewUser, Role, TrustRepo};
use serde_json::json;

use crate::common::{fixture, Reply, TestApp};

const JSON: (&str, &str) = ("content-type", "application/json");
const PASSWORD: &str = "correct horse battery";

async fn with_user(app: &TestApp, name: &str, role: Role, unit: Option<&str>) {
    app.store
        .insert_users(&[NewUser {
            username: name.into(),
            display_name: name.into(),
            role,
            unit_id: unit.map(str::to_owned),
            password_hash: Some(password::hash(PASSWORD).unwrap()),
            mobile: None,
        }])
        .await
        .unwrap();
}

async fn login(app: &TestApp, user: &str, pw: &str) -> Reply {
    app.send(
        Method::POST,
        "/api/v1/session",
        &[JSON],
        json!({ "username": user, "password": pw }).to_string(),
    )
    .await
}

/// The `name=value` part of the Set-Cookie header.
fn cookie(r: &Reply) -> String {
    r.header("set-cookie").split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_session_signs_in_reads_and_writes_with_its_csrf_token_then_signs_out() {
    let app = TestApp::new().await;
    with_user(&app, "wang", Role::GridWorker, Some(fixture::GRIDS[0])).await;
    let r = login(&app, "wang", PASSWORD).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let set = r.header("set-cookie").to_owned();
    for attr in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(set.contains(attr), "{set} lacks {attr}");
    }
    let me = r.json();
    assert_eq!(me["user"]["role"], "grid-worker");
    assert_eq!(me["jurisdiction"], fixture::GRIDS[0]);
    let csrf = me["csrf_token"].as_str().unwrap().to_owned();
    let c = cookie(&r);

    // Reads need only the cookie.
    let r = app
        .get_with("/api/v1/records/persons", &[("cookie", &c)])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let again = app
        .get_with("/api/v1/session", &[("cookie", &c)])
        .await
        .json();
    assert_eq!(again["csrf_token"], csrf.as_str());

    // Writes with the cookie need the CSRF token; without it nothing changes.
    let patch = json!({ "properties": { "floors": 2 } }).to_string();
    let path = "/ogc/collections/buildings/items/1";
    let mp = ("content-type", "application/merge-patch+json");
    let r = app
        .send(Method::PATCH, path, &[("cookie", &c), mp], patch.clone())
        .await;
    assert_eq!(r.error_code(StatusCode::FORBIDDEN), "csrf_failed");
    let r = app
        .send(
            Method::PATCH,
            path,
            &[("cookie", &c), mp, ("x-csrf-token", "forged")],
            patch.clone(),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::FORBIDDEN), "csrf_failed");
    assert_eq!(app.get_json(path).await["properties"]["floors"], 1);
    let r = app
        .send(
            Method::PATCH,
            path,
            &[("cookie", &c), mp, ("x-csrf-token", &csrf)],
            patch,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    // Signing out ends the session.
    let r = app
        .send(
            Method::DELETE,
            "/api/v1/session",
            &[("cookie", &c), ("x-csrf-token", &csrf)],
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app
        .get_with("/api/v1/records/persons", &[("cookie", &c)])
        .await;
    assert_eq!(r.error_code(StatusCode::UNAUTHORIZED), "invalid_token");
}

#[tokio::test]
async fn wrong_passwords_and_unknown_users_look_alike_and_lock_the_guessing_address_out() {
    let app = TestApp::new().await;
    with_user(&app, "li", Role::Supervisor, Some("440304")).await;
    let unknown = login(&app, "nobody", PASSWORD).await;
    assert_eq!(
        unknown.error_code(StatusCode::UNAUTHORIZED),
        "invalid_credentials"
    );
    for _ in 0..5 {
        let r = login(&app, "li", "wrong password!").await;
        assert_eq!(r.body, unknown.body);
    }
    // Locked now for this address, even with the right password, under any spelling.
    for name in ["li", "LI", " li "] {
        let r = login(&app, name, PASSWORD).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{name}");
    }
    let r = login(&app, "li", PASSWORD).await;
    assert_eq!(
        r.error_code(StatusCode::TOO_MANY_REQUESTS),
        "too_many_attempts"
    );
    assert!(r.header("retry-after").parse::<u64>().unwrap() > 0);
    // Malformed bodies are refused at the door.
    let r = app
        .send(Method::POST, "/api/v1/session", &[JSON], "{\"username\":1}")
        .await;
    assert_eq!(r.error_code(StatusCode::BAD_REQUEST), "invalid_body");
    let r = app
        .send(
            Method::POST,
            "/api/v1/session",
            &[("content-type", "text/plain")],
            "x",
        )
        .await;
    assert_eq!(
        r.error_code(StatusCode::UNSUPPORTED_MEDIA_TYPE),
        "unsupported_media_type"
    );
    let r = app
        .send(
            Method::POST,
            "/api/v1/session",
            &[JSON],
            format!("{{\"username\":\"{}\"}}", "x".repeat(70_000)),
        )
        .await;
    assert_eq!(
        r.error_code(StatusCode::PAYLOAD_TOO_LARGE),
        "payload_too_large"
    );
}

/// Signs in from the client address `ip`.
async fn login_from(app: &TestApp, ip: &str, user: &str, pw: &str) -> Reply {
    let peer: std::net::SocketAddr = format!("{ip}:40000").parse().unwrap();
    let req = axum::http::Request::post("/api/v1/session")
        .header("host", crate::common::HOST)
        .header("content-type", "application/json")
        .extension(axum::extract::ConnectInfo(peer))
        .body(axum::body::Body::from(
            json!({ "username": user, "password": pw }).to_string(),
        ))
        .unwrap();
    app.request(req).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_checks_beyond_the_pool_are_answered_busy_not_queued_without_end() {
    // The finding: each sign-up ran Argon2 (~30 MB) wherever it could, so 32 at once took
    // the server from 52 MB to over 1 GB. Checks now wait for one of a few workers, at
    // most until a deadline.
    let app = std::sync::Arc::new(
        TestApp::with_hash_pool(citymirror_trust::password::HashPool::new(
            1,
            std::time::Duration::from_millis(5),
        ))
        .await,
    );
    with_user(&app, "zhao", Role::Supervisor, Some("440304")).await;
    let tries: Vec<_> = (0..12)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                login_from(&app, &format!("10.8.0.{i}"), "zhao", PASSWORD)
                    .await
                    .status
            })
        })
        .collect();
    let mut busy = 0;
    for t in tries {
        match t.await.unwrap() {
            StatusCode::CREATED => {}
            StatusCode::SERVICE_UNAVAILABLE => busy += 1,
            other => panic!("{other}"),
        }
    }
    assert!(
        busy > 0,
        "twelve at once with one worker and a 5 ms deadline"
    );
    let r = login(&app, "zhao", PASSWORD).await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "the pool serves again once free"
    );
}

#[tokio::test]
async fn guessing_at_an_account_does_not_lock_its_owner_out() {
    // The finding: five wrong passwords locked `analyst` for everyone, from any address,
    // including the right password.
    let app = TestApp::new().await;
    with_user(&app, "analyst", Role::DataAnalyst, None).await;
    for _ in 0..5 {
        let r = login_from(&app, "10.9.0.1", "ANALYST", "wrong password!").await;
        assert_eq!(
            r.error_code(StatusCode::UNAUTHORIZED),
            "invalid_credentials"
        );
    }
    let r = login_from(&app, "10.9.0.1", "analyst", PASSWORD).await;
    assert_eq!(
        r.error_code(StatusCode::TOO_MANY_REQUESTS),
        "too_many_attempts"
    );
    let r = login_from(&app, "192.168.3.4", " analyst ", PASSWORD).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

#[tokio::test]
async fn citizens_register_with_a_code_sent_to_their_mobile_and_sign_in() {
    let app = TestApp::new().await;
    let r = app
        .register_citizen("13800138000", "my long password")
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = login(&app, "13800138000", "my long password").await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json()["user"]["role"], "citizen");
    assert!(r.json()["jurisdiction"].is_null());
    for bad in [
        json!({ "mobile": "12345", "code": "123456", "password": "my long password" }),
        json!({ "mobile": "13800138001", "code": "123456", "password": "short" }),
        json!({ "mobile": "13800138001", "password": "my long password" }),
    ] {
        let r = app
            .send(Method::POST, "/api/v1/citizens", &[JSON], bad.to_string())
            .await;
        assert_eq!(
            r.error_code(StatusCode::BAD_REQUEST),
            "invalid_body",
            "{bad}"
        );
    }
}

#[tokio::test]
async fn registering_needs_the_code_and_costs_nothing_without_one() {
    // The finding: every registration ran Argon2 for anyone, and 32 at once took the
    // server past 1 GB. Now a caller without the code is refused before any hashing.
    let app = TestApp::new().await;
    let no_code =
        json!({ "mobile": "13800138002", "code": "000000", "password": "my long password" });
    let r = app
        .send(
            Method::POST,
            "/api/v1/citizens",
            &[JSON],
            no_code.to_string(),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::BAD_REQUEST), "invalid_code");
    assert!(app
        .store
        .user_by_name("13800138002")
        .await
        .unwrap()
        .is_none());
    // A wrong guess at a code that was sent counts against it; five burn it.
    app.send(
        Method::POST,
        "/api/v1/citizens/codes",
        &[JSON],
        json!({ "mobile": "13800138002" }).to_string(),
    )
    .await;
    let code = app.code_sent_to("13800138002").unwrap();
    let wrong = if code == "000000" { "000001" } else { "000000" };
    for _ in 0..5 {
        let guess =
            json!({ "mobile": "13800138002", "code": wrong, "password": "my long password" });
        let r = app
            .send(Method::POST, "/api/v1/citizens", &[JSON], guess.to_string())
            .await;
        assert_eq!(r.error_code(StatusCode::BAD_REQUEST), "invalid_code");
    }
    let right = json!({ "mobile": "13800138002", "code": code, "password": "my long password" });
    let r = app
        .send(Method::POST, "/api/v1/citizens", &[JSON], right.to_string())
        .await;
    assert_eq!(r.error_code(StatusCode::BAD_REQUEST), "invalid_code");
    // Asking again within the minute is refused; the number gets one message a minute.
    let r = app
        .send(
            Method::POST,
            "/api/v1/citizens/codes",
            &[JSON],
            json!({ "mobile": "13800138002" }).to_string(),
        )
        .await;
    assert_eq!(r.error_code(StatusCode::TOO_MANY_REQUESTS), "rate_limited");
}

#[tokio::test]
async fn asking_for_a_code_does_not_tell_whether_a_number_is_registered() {
    // The finding: registering an existing number said so.
    let app = TestApp::new().await;
    with_user(&app, "13800138003", Role::Citizen, None).await;
    let ask = |mobile: &'static str| {
        let app = &app;
        async move {
            app.send(
                Method::POST,
                "/api/v1/citizens/codes",
                &[JSON],
                json!({ "mobile": mobile }).to_string(),
            )
            .await
        }
    };
    let registered = ask("13800138003").await;
    let fresh = ask("13800138004").await;
    assert_eq!(registered.status, StatusCode::ACCEPTED);
    assert_eq!(
        (registered.status, registered.body),
        (fresh.status, fresh.body)
    );
    // The holder of the registered number is told by SMS, with no code to use.
    assert!(app.code_sent_to("13800138004").is_some());
    let (_, notice) = app
        .sms
        .sent()
        .into_iter()
        .rev()
        .find(|(to, _)| to == "13800138003")
        .unwrap();
    assert!(notice.contains("已注册"), "{notice}");
}

#[tokio::test]
async fn one_address_asks_for_a_bounded_number_of_codes() {
    let app = TestApp::new().await;
    let mut refused = None;
    for i in 0..40 {
        let r = app
            .send(
                Method::POST,
                "/api/v1/citizens/codes",
                &[JSON],
                json!({ "mobile": format!("1390000{i:04}") }).to_string(),
            )
            .await;
        if r.status != StatusCode::ACCEPTED {
            refused = Some((i, r));
            break;
        }
    }
    let (i, r) = refused.expect("forty code requests from one address were all sent");
    assert_eq!(i, citymirror_http::security::CODE_REQUESTS_PER_HOUR);
    assert_eq!(r.error_code(StatusCode::TOO_MANY_REQUESTS), "rate_limited");
}

#[tokio::test]
async fn tokens_are_minted_shown_once_listed_without_secrets_and_revoked() {
    let app = TestApp::new().await;
    let bearer = format!("Bearer {}", app.admin);
    let admin = [("authorization", bearer.as_str()), JSON];
    let r = app
        .send(
            Method::POST,
            "/api/v1/tokens",
            &admin,
            json!({ "name": "区数据共享平台", "role": "data-analyst", "expires_in_days": 30 })
                .to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let minted = r.json();
    let secret = minted["token"].as_str().unwrap().to_owned();
    let id = minted["id"].as_i64().unwrap();
    assert_eq!(
        app.get_as(&secret, "/api/v1/records/persons").await.status,
        StatusCode::OK
    );
    let list = app.get_as(&app.admin, "/api/v1/tokens").await;
    assert!(
        !list.text().contains(&secret[secret.len() - 20..]),
        "a listed token shows no secret"
    );
    for bad in [
        json!({ "name": "x", "role": "root" }),
        json!({ "name": "", "role": "supervisor" }),
        json!({ "name": "x", "role": "supervisor", "expires_in_days": 1000 }),
        json!({ "name": "x", "role": "supervisor", "unit": "nowhere" }),
    ] {
        let r = app
            .send(Method::POST, "/api/v1/tokens", &admin, bad.to_string())
            .await;
        assert_eq!(
            r.error_code(StatusCode::BAD_REQUEST),
            "invalid_body",
            "{bad}"
        );
    }
    let r = app
        .send(
            Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            &[("authorization", &bearer)],
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app.get_as(&secret, "/api/v1/records/persons").await;
    assert_eq!(r.error_code(StatusCode::UNAUTHORIZED), "invalid_token");
    let r = app
        .send(
            Method::DELETE,
            &format!("/api/v1/tokens/{id}"),
            &[("authorization", &bearer)],
            "",
        )
        .await;
    assert_eq!(r.error_code(StatusCode::NOT_FOUND), "not_found");
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let app = TestApp::new().await;
    let (_, secret) = citymirror_trust::token::mint(
        &app.store,
        "old",
        Role::Supervisor,
        None,
        Some(chrono::Utc::now() - chrono::Duration::seconds(1)),
        "system:test",
    )
    .await
    .unwrap();
    let r = app.get_as(&secret, "/api/v1/records/persons").await;
    assert_eq!(r.error_code(StatusCode::UNAUTHORIZED), "invalid_token");
}

/// A budget small enough to spend in a test: five milliseconds of work, refilled at one
/// a second.
const SMALL: RateLimitConfig = RateLimitConfig {
    work_ms_per_s: 1,
    burst_ms: 5,
};

/// Spends the anonymous budget of the test's one client address; returns the refusal.
async fn spend_anonymous_budget(app: &TestApp) -> Reply {
    for _ in 0..500 {
        let r = app.get("/api/v1/locate?lon=114.01&lat=22.51").await;
        if r.status != StatusCode::OK {
            return r;
        }
    }
    panic!("500 requests never spent 5 ms of work");
}

#[tokio::test]
async fn anonymous_clients_are_charged_for_work_and_signed_in_ones_have_their_own_budget() {
    let app = TestApp::with_rate_limit(SMALL).await;
    let r = spend_anonymous_budget(&app).await;
    assert_eq!(r.error_code(StatusCode::TOO_MANY_REQUESTS), "rate_limited");
    assert!(r.header("retry-after").parse::<u64>().unwrap() >= 1);
    for _ in 0..10 {
        assert_eq!(
            app.get_as(&app.admin, "/ogc/collections").await.status,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn credentials_that_do_not_verify_are_charged_as_anonymous() {
    // The finding: any Cookie containing `cm_session`, or any Authorization header,
    // skipped the anonymous limiter.
    let app = TestApp::with_rate_limit(SMALL).await;
    let forged_session = format!("cm_session={}", citymirror_trust::secret::random_secret());
    let forged_token = format!("Bearer cm_1_{}", citymirror_trust::secret::random_secret());
    for headers in [
        vec![("cookie", "foo=cm_session")],
        vec![("cookie", forged_session.as_str())],
        vec![("authorization", "Bearer junk")],
        vec![("authorization", forged_token.as_str())],
        vec![("authorization", "Basic YWRtaW46YWRtaW4=")],
    ] {
        // Spent just before each try: the budget refills a millisecond of work a second,
        // so a pause on a busy machine must not refill it between the two.
        spend_anonymous_budget(&app).await;
        let r = app
            .get_with("/api/v1/locate?lon=114.01&lat=22.51", &headers)
            .await;
        assert_eq!(
            r.error_code(StatusCode::TOO_MANY_REQUESTS),
            "rate_limited",
            "{headers:?}"
        );
    }
}

#[tokio::test]
async fn a_standard_client_paging_a_layer_never_meets_the_default_budget() {
    // The finding: the old default (50 requests a second, 200 at once) refused
    // ogctests, and would refuse QGIS or GDAL paging a layer.
    let app = TestApp::with_rate_limit(RateLimitConfig::default()).await;
    for i in 0..1500 {
        let path = match i % 3 {
            0 => format!("/ogc/collections/buildings/items?limit=1&offset={}", i % 20),
            1 => format!("/tiles/buildings/16/{}/28554.mvt", 53530 + i % 4),
            _ => "/ogc/collections/buildings".to_owned(),
        };
        let r = app.get(&path).await;
        assert!(r.status.is_success(), "request {i} {path}: {}", r.status);
    }
}
