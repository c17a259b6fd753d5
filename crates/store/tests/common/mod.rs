//! Test databases: a temporary directory for SQLite, a fresh schema for PostgreSQL.
//! Each test gets its own and removes it afterwards, even when the test fails.

#![allow(dead_code)] // each test binary uses a different part of this module

use std::{future::Future, sync::Arc};

use chrono::NaiveDate;
use citymirror_core::{LayerId, PropType, Value};
use citymirror_store::{Store, StoreTarget};
use citymirror_twin::Feature;
use geo::{coord, Geometry, LineString, MultiPolygon, Point, Polygon};
use sqlx::Connection as _;

/// The environment variable naming a PostgreSQL database the tests may create
/// schemas in, e.g. `postgres://postgres@127.0.0.1:5432/test`.
pub const PG_ENV: &str = "CITYMIRROR_TEST_PG";

pub struct TestDb {
    pub target: StoreTarget,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(#[allow(dead_code)] tempfile::TempDir),
    Schema { admin_url: String, schema: String },
}

impl TestDb {
    pub async fn open(&self) -> Store {
        match citymirror_store::open(&self.target).await {
            Ok(s) => s,
            Err(e) => panic!("opening {:?}: {e}", self.target),
        }
    }

    /// Runs one statement on a connection of its own, past the store: what a SQL user
    /// with a client could do.
    pub async fn raw_execute(&self, sql: &str) -> Result<u64, sqlx::Error> {
        match &self.target {
            StoreTarget::Sqlite { data_dir } => {
                let path = data_dir.join(citymirror_store::SQLITE_FILE_NAME);
                let mut conn =
                    sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                        .await?;
                Ok(sqlx::query(sql).execute(&mut conn).await?.rows_affected())
            }
            StoreTarget::Postgres { url } => {
                let mut conn = sqlx::PgConnection::connect(url).await?;
                Ok(sqlx::query(sql).execute(&mut conn).await?.rows_affected())
            }
        }
    }

    async fn cleanup(self) {
        if let Cleanup::Schema { admin_url, schema } = self.cleanup {
            let mut conn = sqlx::PgConnection::connect(&admin_url)
                .await
                .expect("reconnect to PostgreSQL to drop the test schema");
            sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                .execute(&mut conn)
                .await
                .expect("drop the test schema");
        }
    }
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("create a temp dir");
    TestDb {
        // A directory that does not exist yet: opening must create it.
        target: StoreTarget::Sqlite {
            data_dir: dir.path().join("data"),
        },
        cleanup: Cleanup::Dir(dir),
    }
}

/// A fresh schema in the `CITYMIRROR_TEST_PG` database, or `None` (with a note on
/// stderr) when the variable is unset. An unreachable server fails the test.
pub async fn postgres(test: &str) -> Option<TestDb> {
    let Ok(admin_url) = std::env::var(PG_ENV) else {
        eprintln!("skipped PostgreSQL test `{test}`: set {PG_ENV} to run it");
        return None;
    };
    let schema = format!("t_{:016x}", rand::random::<u64>());
    let mut conn = match sqlx::PgConnection::connect(&admin_url).await {
        Ok(c) => c,
        Err(e) => panic!("{PG_ENV} is set but PostgreSQL is unreachable at {admin_url}: {e}"),
    };
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&mut conn)
        .await
        .expect("create the test schema");
    let sep = if admin_url.contains('?') { '&' } else { '?' };
    let url = format!("{admin_url}{sep}options=-c%20search_path%3D{schema}");
    Some(TestDb {
        target: StoreTarget::Postgres { url },
        cleanup: Cleanup::Schema { admin_url, schema },
    })
}

/// Runs `test` against `db`, then removes `db` whether the test passed or panicked.
pub async fn run<F, Fut>(db: TestDb, test: F)
where
    F: FnOnce(Arc<TestDb>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let db = Arc::new(db);
    let outcome = tokio::spawn(test(db.clone())).await;
    match Arc::try_unwrap(db) {
        Ok(db) => db.cleanup().await,
        Err(_) => eprintln!("test database still in use; not cleaned up"),
    }
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// A value of type `ty` that differs with `n`.
pub fn sample_value(ty: PropType, name: &str, n: i64) -> Value {
    match ty {
        PropType::Text => Value::Text(format!("{name} 福田 #{n}")),
        PropType::Int => Value::Int(n * 7 - 3),
        PropType::Float => Value::Float(n as f64 * 1.25 + 0.1),
        PropType::Bool => Value::Bool(n % 2 == 0),
        PropType::Date => Value::Date(
            NaiveDate::from_ymd_opt(2001, 1, 1).unwrap() + chrono::Days::new(n.unsigned_abs()),
        ),
    }
}

fn square(x: f64, y: f64, d: f64) -> LineString<f64> {
    LineString::from(vec![(x, y), (x + d, y), (x + d, y + d), (x, y + d), (x, y)])
}

/// A geometry of the kind `layer` holds; areal layers alternate Polygon/MultiPolygon.
pub fn sample_geometry(layer: LayerId, n: i64) -> Geometry<f64> {
    use citymirror_core::GeomKind;
    let x = 114.0 + (n % 1000) as f64 * 1e-4;
    let y = 22.5 + (n / 1000) as f64 * 1e-4;
    match layer.schema().geometry {
        GeomKind::Point => Point::new(x, y).into(),
        GeomKind::LineString => LineString::new(vec![
            coord! {x: x, y: y},
            coord! {x: x + 1e-4, y: y + 2e-5},
            coord! {x: x + 3e-4, y: y - 1e-5},
        ])
        .into(),
        GeomKind::Polygon => {
            Polygon::new(square(x, y, 1e-3), vec![square(x + 2e-4, y + 2e-4, 1e-4)]).into()
        }
        GeomKind::Areal if n % 2 == 0 => Polygon::new(square(x, y, 1e-2), vec![]).into(),
        GeomKind::Areal => MultiPolygon::new(vec![
            Polygon::new(square(x, y, 1e-2), vec![]),
            Polygon::new(
                square(x + 0.02, y, 1e-2),
                vec![square(x + 0.022, y + 0.002, 1e-3)],
            ),
        ])
        .into(),
    }
}

/// Now, to the millisecond, as the stores keep it.
pub fn now_millis() -> chrono::DateTime<chrono::Utc> {
    let t = chrono::Utc::now();
    chrono::DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap()
}

/// A feature of `layer` with id `id` and every property set.
pub fn sample_feature(layer: LayerId, id: i64) -> Feature {
    Feature {
        id,
        geometry: sample_geometry(layer, id),
        props: layer
            .schema()
            .properties
            .iter()
            .map(|p| sample_value(p.ty, p.name, id))
            .collect(),
        updated_at: now_millis(),
    }
}

/// A feature of `layer` with every property NULL.
pub fn empty_feature(layer: LayerId, id: i64) -> Feature {
    Feature {
        props: vec![Value::Null; layer.schema().properties.len()],
        ..sample_feature(layer, id)
    }
}

/// A record row of `schema` with id `id`; `building_id` and `grid_code` group rows.
pub fn sample_record(schema: &citymirror_core::records::RecordSchema, id: i64) -> Vec<Value> {
    schema
        .fields
        .iter()
        .map(|f| match f.name {
            "id" => Value::Int(id),
            "building_id" => Value::Int(id % 10),
            "grid_code" => Value::Text(format!("44030400100{}", id % 3)),
            _ if id % 5 == 4 && !f.required => Value::Null,
            _ => sample_value(f.ty, f.name, id),
        })
        .collect()
}

/// Audit row `seq`: a small JSON entry and hashes that differ with `seq` (the store
/// does not check them; the audit log in `citymirror-trust` does).
pub fn sample_audit_row(seq: i64) -> citymirror_trust::AuditRow {
    let byte = |salt: u8| (0..32u8).map(|i| i ^ salt ^ seq as u8).collect::<Vec<u8>>();
    citymirror_trust::AuditRow {
        seq,
        entry: format!(r#"{{"seq":{seq},"action":"查看","actor":"user:网格员{seq}"}}"#),
        leaf_hash: byte(0x5a),
        root_after: byte(0xa5),
    }
}
