//! The request classifier's stored versions, and what operators re-classified for the
//! next training: [`ModelRepo`] (migration 6).

use async_trait::async_trait;
use chrono::Utc;
use citymirror_cases::{
    catalog::family,
    classify::Example,
    repo::{ModelRepo, StoredModel},
};
use citymirror_twin::RepoError;

use crate::{db::query, sql::backend, Store};

#[async_trait]
impl ModelRepo for Store {
    async fn put_model(&self, bytes: &[u8], summary: &serde_json::Value) -> Result<i64, RepoError> {
        query(
            "INSERT INTO classifier_models (created_at, summary, model) VALUES ($1, $2, $3) \
             RETURNING version",
        )
        .bind(Utc::now())
        .bind(summary.to_string())
        .bind(bytes)
        .fetch_one(&self.db)
        .await
        .map_err(backend("cannot store a classifier"))?
        .get(0)
    }

    async fn latest_model(&self) -> Result<Option<StoredModel>, RepoError> {
        query(
            "SELECT version, created_at, summary, model FROM classifier_models \
             ORDER BY version DESC LIMIT 1",
        )
        .fetch_optional(&self.db)
        .await
        .map_err(backend("cannot read the classifier"))?
        .map(|row| {
            Ok(StoredModel {
                version: row.get(0)?,
                created_at: row.get(1)?,
                summary: serde_json::from_str(row.get::<&str>(2)?)
                    .map_err(|e| RepoError::Corrupt(format!("model summary: {e}")))?,
                bytes: row.get(3)?,
            })
        })
        .transpose()
    }

    async fn latest_model_version(&self) -> Result<Option<i64>, RepoError> {
        query("SELECT MAX(version) FROM classifier_models")
            .fetch_one(&self.db)
            .await
            .map_err(backend("cannot read the classifier's version"))?
            .get(0)
    }

    async fn corrections(&self) -> Result<Vec<Example>, RepoError> {
        // Imported history was filed by the old system's operators, not re-filed here:
        // it teaches the classifier nothing about what it got wrong.
        query(
            "SELECT title, description, family FROM tickets \
             WHERE category_source = 'operator' AND NOT imported",
        )
        .fetch_all(&self.db)
        .await
        .map_err(backend("cannot read re-classified tickets"))?
        .iter()
        .map(|row| {
            let code: String = row.get(2)?;
            let f = family(&code).ok_or_else(|| RepoError::Corrupt(format!("family `{code}`")))?;
            Ok(Example::raw(
                row.get::<&str>(0)?,
                row.get::<&str>(1)?,
                f.name_zh,
            ))
        })
        .collect()
    }
}
