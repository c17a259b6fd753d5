//! The test harness: a small fixture twin in a temporary store, served by
//! [`citymirror_http::app`] and driven through `oneshot`, with no socket.
//!
//! The store is SQLite by default. With `CITYMIRROR_HTTP_TEST_BACKEND=postgres` the same
//! suite runs on PostgreSQL (`CITYMIRROR_TEST_PG`), each test in a fresh schema, so the
//! whole API is proved the same on both backends.

pub mod fixture;

use std::sync::Arc;

use axum::{
    body::{Body, Bytes},
    http::{header, HeaderMap, Method, Request, StatusCode},
    Router,
};
use citymirror_cases::{
    clock::ManualClock,
    service::{CaseConfig, CaseService},
};
use citymirror_http::{
    app, open_cases,
    security::{sms::MemoryOutbox, RateLimitConfig, Security},
    AppState, HttpConfig,
};
use citymirror_store::{Store, StoreTarget};
use citymirror_trust::{
    audit::{AuditConfig, AuditLog, Signer},
    password::HashPool,
    token, Role,
};
use citymirror_twin::{RecordRepo, TwinRepo, TwinService};
use http_body_util::BodyExt;
use serde_json::Value as Json;
use tower::ServiceExt;

/// The `Host` every test request carries; absolute links must start with [`BASE`].
pub const HOST: &str = "twin.test";
pub const BASE: &str = "http://twin.test";

pub struct TestApp {
    router: Router,
    pub service: Arc<TwinService>,
    pub cases: Arc<CaseService>,
    pub sensing: Arc<citymirror_sensing::SensingService>,
    pub video: citymirror_http::VideoState,
    pub clock: ManualClock,
    pub store: Store,
    pub audit: AuditLog,
    pub security: Security,
    /// The text messages the server sent (sign-up codes).
    pub sms: MemoryOutbox,
    /// A district administrator's token, used by [`TestApp::send_admin`].
    pub admin: String,
    _dir: tempfile::TempDir,
    _pg: Option<PgSchema>,
}

/// A throw-away PostgreSQL schema, dropped when the test ends (pass or fail).
struct PgSchema {
    admin_url: String,
    name: String,
}

impl PgSchema {
    async fn create() -> (PgSchema, StoreTarget) {
        use sqlx::Connection;
        let admin_url = std::env::var("CITYMIRROR_TEST_PG")
            .expect("CITYMIRROR_HTTP_TEST_BACKEND=postgres needs CITYMIRROR_TEST_PG");
        let name = format!("http_t_{:016x}", rand::random::<u64>());
        let mut conn = sqlx::PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL unreachable at {admin_url}: {e}"));
        sqlx::query(&format!("CREATE SCHEMA {name}"))
            .execute(&mut conn)
            .await
            .unwrap();
        let sep = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{sep}options=-c%20search_path%3D{name}");
        (PgSchema { admin_url, name }, StoreTarget::Postgres { url })
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs inside the test's runtime, which cannot block on itself.
        let _ = std::thread::spawn(move || {
            use sqlx::Connection;
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok(mut c) = sqlx::PgConnection::connect(&url).await {
                    let _ = sqlx::query(&format!("DROP SCHEMA {name} CASCADE"))
                        .execute(&mut c)
                        .await;
                }
            });
        })
        .join();
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Json {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.to_vec()).expect("UTF-8 body")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map_or("", |v| v.to_str().expect("ASCII header"))
    }

    /// The `code` of a JSON error body, after checking the status.
    pub fn error_code(&self, status: StatusCode) -> String {
        assert_eq!(
            self.status,
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(self.header("content-type"), "application/json");
        let v = self.json();
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
        v["code"].as_str().expect("a code").to_owned()
    }
}

impl TestApp {
    /// Runs one statement on the store past the server, as someone with access to the
    /// database could; the rows it changed.
    pub async fn raw_execute(&self, sql: &str) -> u64 {
        use sqlx::Connection;
        match &self._pg {
            Some(pg) => {
                let sep = if pg.admin_url.contains('?') { '&' } else { '?' };
                let url = format!(
                    "{}{sep}options=-c%20search_path%3D{}",
                    pg.admin_url, pg.name
                );
                let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
                sqlx::query(sql)
                    .execute(&mut c)
                    .await
                    .unwrap()
                    .rows_affected()
            }
            None => {
                let db = self._dir.path().join(citymirror_store::SQLITE_FILE_NAME);
                let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
                    .await
                    .unwrap();
                sqlx::query(sql)
                    .execute(&mut c)
                    .await
                    .unwrap()
                    .rows_affected()
            }
        }
    }

    /// The fixture twin (see [`fixture`]), in a fresh store.
    pub async fn new() -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let (pg, target) = match std::env::var("CITYMIRROR_HTTP_TEST_BACKEND").as_deref() {
            Ok("postgres") => {
                let (pg, target) = PgSchema::create().await;
                (Some(pg), target)
            }
            _ => (
                None,
                StoreTarget::Sqlite {
                    data_dir: dir.path().to_owned(),
                },
            ),
        };
        let store = citymirror_store::open(&target)
            .await
            .expect("open the store");
        Self::with_store(store, RateLimitConfig::default(), dir, pg, None).await
    }

    /// The fixture with anonymous requests limited as configured.
    pub async fn with_rate_limit(limit: RateLimitConfig) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let target = StoreTarget::Sqlite {
            data_dir: dir.path().to_owned(),
        };
        let store = citymirror_store::open(&target)
            .await
            .expect("open the store");
        Self::with_store(store, limit, dir, None, None).await
    }

    /// The fixture with passwords hashed in `pool`.
    pub async fn with_hash_pool(pool: HashPool) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let target = StoreTarget::Sqlite {
            data_dir: dir.path().to_owned(),
        };
        let store = citymirror_store::open(&target)
            .await
            .expect("open the store");
        Self::with_store(store, RateLimitConfig::default(), dir, None, Some(pool)).await
    }

    async fn with_store(
        store: Store,
        limit: RateLimitConfig,
        dir: tempfile::TempDir,
        pg: Option<PgSchema>,
        pool: Option<HashPool>,
    ) -> TestApp {
        let repo: Arc<dyn TwinRepo> = Arc::new(store.clone());
        let service = Arc::new(
            TwinService::open(repo.clone())
                .await
                .expect("open the twin"),
        );
        fixture::load(&service).await;
        fixture::load_records(&store).await;
        let units = citymirror_sim::org::load_units(repo.as_ref())
            .await
            .expect("units");
        citymirror_trust::TrustRepo::put_units(&store, &units)
            .await
            .unwrap();
        let signer = Signer::from_seed("test.citymirror/audit", [7; 32]).unwrap();
        let audit = AuditLog::open(Arc::new(store.clone()), signer, AuditConfig::default())
            .await
            .expect("open the audit log");
        let records: Arc<dyn RecordRepo> = Arc::new(store.clone());
        let security = Security::new(
            Arc::new(store.clone()),
            records,
            audit.clone(),
            "440304".parse().unwrap(),
            limit,
            true,
        )
        .await
        .expect("security");
        let sms = MemoryOutbox::default();
        let mut security = security.with_sms(Arc::new(sms.clone()));
        if let Some(pool) = pool {
            security = security.with_hashing(pool);
        }
        let clock = ManualClock::at(chrono::Utc::now());
        let cases = Arc::new(
            open_cases(
                &service,
                Arc::new(store.clone()),
                Arc::new(store.clone()),
                Arc::new(store.clone()),
                audit.clone(),
                Arc::new(clock.clone()),
                CaseConfig::default(),
            )
            .await
            .expect("open the request loop"),
        );
        let sensing = Arc::new(
            citymirror_http::open_sensing(&service, Arc::new(store.clone()), Default::default())
                .await
                .expect("open the sensing network"),
        );
        let video = citymirror_http::VideoState::offline(Arc::new(
            citymirror_http::open_video_registry(&service),
        ));
        let router = app(AppState {
            service: service.clone(),
            cases: cases.clone(),
            sensing: sensing.clone(),
            video: video.clone(),
            security: security.clone(),
            config: HttpConfig {
                allowed_hosts: vec![HOST.to_owned()],
                ..HttpConfig::default()
            },
        });
        let mut t = TestApp {
            router,
            service,
            cases,
            sensing,
            video,
            clock,
            store,
            audit,
            security,
            sms,
            admin: String::new(),
            _dir: dir,
            _pg: pg,
        };
        t.admin = t.token(Role::DistrictAdmin, Some("440304")).await;
        t
    }

    /// Mints a token for `role` acting for `unit` (as `citymirror token create` does).
    pub async fn token(&self, role: Role, unit: Option<&str>) -> String {
        token::mint(
            &self.store,
            "test",
            role,
            unit.map(str::to_owned),
            None,
            "system:test",
        )
        .await
        .expect("mint a token")
        .1
    }

    /// The sign-up code last sent to `mobile`, if any.
    pub fn code_sent_to(&self, mobile: &str) -> Option<String> {
        let (_, text) = self
            .sms
            .sent()
            .into_iter()
            .rev()
            .find(|(to, _)| to == mobile)?;
        let start = text.find(|c: char| c.is_ascii_digit())?;
        let code: String = text[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        (code.len() == 6).then_some(code)
    }

    /// Registers a citizen as the H5 page does: asks for a code, then signs up with it.
    pub async fn register_citizen(&self, mobile: &str, password: &str) -> Reply {
        let json = [("content-type", "application/json")];
        let r = self
            .send(
                Method::POST,
                "/api/v1/citizens/codes",
                &json,
                serde_json::json!({ "mobile": mobile }).to_string(),
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
        let code = self.code_sent_to(mobile).unwrap_or_default();
        self.send(
            Method::POST,
            "/api/v1/citizens",
            &json,
            serde_json::json!({ "mobile": mobile, "code": code, "password": password }).to_string(),
        )
        .await
    }

    /// The router itself, for requests built by hand.
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// GETs `uri` and hands back the response with its body unread, for streams.
    pub async fn open(&self, uri: &str) -> axum::response::Response {
        let req = Request::get(uri)
            .header(header::HOST, HOST)
            .body(Body::empty())
            .unwrap();
        self.router.clone().oneshot(req).await.unwrap()
    }

    pub async fn request(&self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body,
        }
    }

    /// Sends a request to `uri`, a path or an absolute URL on this server.
    pub async fn send(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: impl Into<Body>,
    ) -> Reply {
        let path = match uri.strip_prefix(BASE) {
            Some(p) => p,
            None if uri.starts_with('/') => uri,
            None => panic!("{uri} does not point at this server"),
        };
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, HOST);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.request(req.body(body.into()).unwrap()).await
    }

    /// [`TestApp::send`] as the district administrator.
    pub async fn send_admin(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: impl Into<Body>,
    ) -> Reply {
        let bearer = format!("Bearer {}", self.admin);
        let mut all = headers.to_vec();
        all.push(("authorization", &bearer));
        self.send(method, uri, &all, body).await
    }

    /// GET with a bearer token.
    pub async fn get_as(&self, token: &str, uri: &str) -> Reply {
        let bearer = format!("Bearer {token}");
        self.get_with(uri, &[("authorization", &bearer)]).await
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.send(Method::GET, uri, &[], Body::empty()).await
    }

    pub async fn get_with(&self, uri: &str, headers: &[(&str, &str)]) -> Reply {
        self.send(Method::GET, uri, headers, Body::empty()).await
    }

    /// GET that must succeed with JSON; returns the document.
    pub async fn get_json(&self, uri: &str) -> Json {
        let r = self.get(uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text());
        r.json()
    }

    /// Sends `body` as GeoJSON, as the district administrator.
    pub async fn send_geojson(&self, method: Method, uri: &str, body: &Json) -> Reply {
        self.send_admin(
            method,
            uri,
            &[("content-type", "application/geo+json")],
            body.to_string(),
        )
        .await
    }
}

/// The `href` of the first link with `rel` (and `type`, if given).
pub fn link<'a>(doc: &'a Json, rel: &str, media_type: Option<&str>) -> Option<&'a str> {
    doc["links"]
        .as_array()?
        .iter()
        .find(|l| l["rel"] == rel && media_type.is_none_or(|t| l["type"] == t))
        .and_then(|l| l["href"].as_str())
}

/// Every link of the document has rel and type, and an absolute href on this server.
pub fn assert_links_well_formed(doc: &Json) {
    let links = doc["links"].as_array().expect("links");
    assert!(!links.is_empty());
    for l in links {
        assert!(l["rel"].is_string() && l["type"].is_string(), "{l}");
        let href = l["href"].as_str().unwrap();
        assert!(href.starts_with(&format!("{BASE}/")), "{href}");
    }
}

/// The ids of the features in a FeatureCollection, in order.
pub fn ids(fc: &Json) -> Vec<i64> {
    fc["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["id"].as_i64().expect("integer id"))
        .collect()
}
