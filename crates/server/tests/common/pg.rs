//! A PostgreSQL schema of a test's own, dropped when the test ends, pass or fail.

use sqlx::Connection as _;

pub struct PgSchema {
    admin_url: String,
    pub name: String,
}

impl PgSchema {
    /// A fresh, empty schema named `{prefix}_{random}`.
    pub async fn create(admin_url: &str, prefix: &str) -> PgSchema {
        let schema = PgSchema::named(admin_url, prefix);
        schema
            .execute(&format!("CREATE SCHEMA {}", schema.name))
            .await;
        schema
    }

    /// A name for a schema that something else creates (a restored dump); it is dropped
    /// all the same.
    pub fn named(admin_url: &str, prefix: &str) -> PgSchema {
        PgSchema {
            admin_url: admin_url.to_owned(),
            name: format!("{prefix}_{:016x}", rand::random::<u64>()),
        }
    }

    /// Runs SQL (several statements at once) on a connection of its own.
    pub async fn execute(&self, sql: &str) {
        let mut c = sqlx::PgConnection::connect(&self.admin_url)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL unreachable at {}: {e}", self.admin_url));
        sqlx::raw_sql(sql).execute(&mut c).await.unwrap();
    }

    /// The database URL with this schema as the search path.
    pub fn url(&self) -> String {
        let sep = if self.admin_url.contains('?') {
            '&'
        } else {
            '?'
        };
        format!(
            "{}{sep}options=-c%20search_path%3D{}",
            self.admin_url, self.name
        )
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        // A thread of its own: drop is not async, and may run inside a runtime.
        let _ = std::thread::spawn(move || {
            tokio::runtime::Runtime::new().unwrap().block_on(async {
                if let Ok(mut c) = sqlx::PgConnection::connect(&url).await {
                    let _ = sqlx::raw_sql(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
                        .execute(&mut c)
                        .await;
                }
            })
        })
        .join();
    }
}
