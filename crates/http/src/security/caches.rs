//! Short-lived caches of API tokens and sessions, so a busy client's requests (a map
//! fetching tiles with its session cookie, a system polling with its token) do not each
//! cost a database read. Sign-out and revocation through this server evict at once; a
//! token revoked, or a session ended, by another process is refused within [`TTL`].

use std::{
    collections::HashMap,
    hash::Hash,
    sync::Mutex,
    time::{Duration, Instant},
};

use citymirror_core::RepoError;
use citymirror_trust::{ApiToken, Session, TrustRepo, User};

pub const TTL: Duration = Duration::from_secs(30);

/// The most entries kept; the map is cleared when it grows larger, which only costs a
/// few re-reads (and keeps guessed ids from growing it without bound).
const MAX_ENTRIES: usize = 10_000;

#[derive(Debug)]
struct Cache<K, V> {
    entries: Mutex<HashMap<K, (V, Instant)>>,
}

impl<K, V> Default for Cache<K, V> {
    fn default() -> Self {
        Cache {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash, V: Clone> Cache<K, V> {
    fn get(&self, k: &K) -> Option<V> {
        let entries = self.entries.lock().unwrap();
        let (v, at) = entries.get(k)?;
        (at.elapsed() < TTL).then(|| v.clone())
    }

    fn put(&self, k: K, v: V) {
        let mut entries = self.entries.lock().unwrap();
        if entries.len() > MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(k, (v, Instant::now()));
    }

    fn evict(&self, k: &K) {
        self.entries.lock().unwrap().remove(k);
    }
}

/// Tokens by id. Unknown ids are cached too, so guessing cannot hammer the database.
#[derive(Debug, Default)]
pub struct TokenCache(Cache<i64, Option<ApiToken>>);

impl TokenCache {
    pub async fn get(&self, id: i64, repo: &dyn TrustRepo) -> Result<Option<ApiToken>, RepoError> {
        if let Some(t) = self.0.get(&id) {
            return Ok(t);
        }
        let token = repo.token(id).await?;
        self.0.put(id, token.clone());
        Ok(token)
    }

    pub fn evict(&self, id: i64) {
        self.0.evict(&id);
    }
}

/// A live session with its account, by the cookie's digest.
pub type SessionOf = Option<(Session, User)>;

#[derive(Debug, Default)]
pub struct SessionCache(Cache<[u8; 32], SessionOf>);

impl SessionCache {
    /// The session behind a cookie digest, with its user, if both are stored.
    pub async fn get(
        &self,
        digest: [u8; 32],
        repo: &dyn TrustRepo,
    ) -> Result<SessionOf, RepoError> {
        if let Some(s) = self.0.get(&digest) {
            return Ok(s);
        }
        let found = match repo.session(&digest).await? {
            Some(s) => repo.user(s.user_id).await?.map(|u| (s, u)),
            None => None,
        };
        self.0.put(digest, found.clone());
        Ok(found)
    }

    pub fn evict(&self, digest: [u8; 32]) {
        self.0.evict(&digest);
    }
}
