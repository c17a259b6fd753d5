//! The change feed between processes that serve one store: each tells the others which
//! features it changed, and each refreshes those from the store into its own memory.
//!
//! A notice carries only the layer, the id and the kind of change, never the feature: the
//! follower reads the feature back from the store, so what it holds is what was
//! committed, however notices are ordered or coalesced. Implemented with PostgreSQL's
//! `LISTEN/NOTIFY` in `citymirror-store` (a SQLite directory has one server: no feed).

use async_trait::async_trait;
use tokio::sync::mpsc;

use crate::{Change, RepoError};

#[async_trait]
pub trait ChangeFeed: Send + Sync + std::fmt::Debug {
    /// Tells the other processes about changes this one has committed.
    async fn announce(&self, changes: &[Change]) -> Result<(), RepoError>;

    /// The changes other processes announce from now on, as they arrive. The channel
    /// closes if the feed is lost (the follower then says so and stops).
    async fn listen(&self) -> Result<mpsc::Receiver<Change>, RepoError>;
}
