//! A short-lived cache of API tokens, so a busy system's requests do not each cost a
//! database read. Revocation through the API evicts at once; a token revoked from the
//! command line by another process is refused within [`TTL`].

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use citymirror_core::RepoError;
use citymirror_trust::{ApiToken, TrustRepo};

pub const TTL: Duration = Duration::from_secs(30);

#[derive(Debug, Default)]
pub struct TokenCache {
    entries: Mutex<HashMap<i64, (Option<ApiToken>, Instant)>>,
}

impl TokenCache {
    pub async fn get(&self, id: i64, repo: &dyn TrustRepo) -> Result<Option<ApiToken>, RepoError> {
        if let Some((t, at)) = self.entries.lock().unwrap().get(&id) {
            if at.elapsed() < TTL {
                return Ok(t.clone());
            }
        }
        let token = repo.token(id).await?;
        let mut entries = self.entries.lock().unwrap();
        // Unknown ids are cached too, so guessing cannot hammer the database; the map is
        // cleared when it grows large, which only costs a few re-reads.
        if entries.len() > 10_000 {
            entries.clear();
        }
        entries.insert(id, (token.clone(), Instant::now()));
        Ok(token)
    }

    pub fn evict(&self, id: i64) {
        self.entries.lock().unwrap().remove(&id);
    }
}
