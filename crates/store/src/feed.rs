//! The change feed on PostgreSQL: `NOTIFY` after a write, `LISTEN` in every server.
//!
//! Chosen over NATS JetStream because it needs nothing beyond the database the servers
//! already share: no second service to run, secure and back up, and the feed reaches
//! exactly the processes that share the data. Notices are not durable (one sent while a
//! listener reconnects is lost); a server that restarts reloads the whole twin anyway.
//!
//! The channel is named after the store's schema, so that stores in different schemas
//! of one database (tests, staging beside production) do not hear each other. A notice
//! is `origin layer kind id,id,…`, at most [`MAX_PAYLOAD`] bytes (PostgreSQL's limit is
//! 8,000); a process ignores its own.

use async_trait::async_trait;
use citymirror_core::LayerId;
use citymirror_twin::{Change, ChangeFeed, ChangeKind, RepoError};
use sqlx::postgres::{PgListener, PgPool};
use tokio::sync::mpsc;

use crate::sql::backend;

const MAX_PAYLOAD: usize = 7_000;

#[derive(Debug)]
pub(crate) struct PgFeed {
    pool: PgPool,
    channel: String,
    origin: String,
}

impl PgFeed {
    pub(crate) async fn new(pool: PgPool) -> Result<PgFeed, RepoError> {
        let schema: String = sqlx::query_scalar("SELECT current_schema()")
            .fetch_one(&pool)
            .await
            .map_err(backend("cannot read the current schema"))?;
        let mut channel = format!("citymirror_{schema}");
        channel.truncate(63);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let origin = format!("{:x}.{nanos:x}", std::process::id());
        Ok(PgFeed {
            pool,
            channel,
            origin,
        })
    }
}

fn kind_code(k: ChangeKind) -> &'static str {
    match k {
        ChangeKind::Created => "c",
        ChangeKind::Updated => "u",
        ChangeKind::Deleted => "d",
    }
}

/// The notices for `changes`: one per run of one layer and kind, cut below the limit.
fn notices(origin: &str, changes: &[Change]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current: Option<(LayerId, ChangeKind, String)> = None;
    for c in changes {
        match &mut current {
            Some((l, k, text)) if *l == c.layer && *k == c.kind && text.len() < MAX_PAYLOAD => {
                text.push(',');
                text.push_str(&c.id.to_string());
            }
            _ => {
                if let Some((_, _, text)) = current.take() {
                    out.push(text);
                }
                let text = format!("{origin} {} {} {}", c.layer, kind_code(c.kind), c.id);
                current = Some((c.layer, c.kind, text));
            }
        }
    }
    out.extend(current.map(|(_, _, t)| t));
    out
}

/// The changes in a notice, unless it is ours or not one we understand.
fn parse(own: &str, payload: &str) -> Vec<Change> {
    let mut parts = payload.split(' ');
    let (Some(origin), Some(layer), Some(kind), Some(ids)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Vec::new();
    };
    let (Ok(layer), Some(kind)) = (
        layer.parse::<LayerId>(),
        match kind {
            "c" => Some(ChangeKind::Created),
            "u" => Some(ChangeKind::Updated),
            "d" => Some(ChangeKind::Deleted),
            _ => None,
        },
    ) else {
        return Vec::new();
    };
    if origin == own {
        return Vec::new();
    }
    ids.split(',')
        .filter_map(|id| id.parse().ok())
        .map(|id| Change { layer, id, kind })
        .collect()
}

#[async_trait]
impl ChangeFeed for PgFeed {
    async fn announce(&self, changes: &[Change]) -> Result<(), RepoError> {
        for payload in notices(&self.origin, changes) {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(&self.channel)
                .bind(payload)
                .execute(&self.pool)
                .await
                .map_err(backend("cannot announce a change"))?;
        }
        Ok(())
    }

    async fn listen(&self) -> Result<mpsc::Receiver<Change>, RepoError> {
        let mut listener = PgListener::connect_with(&self.pool)
            .await
            .map_err(backend("cannot listen for changes"))?;
        listener
            .listen(&self.channel)
            .await
            .map_err(backend("cannot listen for changes"))?;
        let (tx, rx) = mpsc::channel(4096);
        let own = self.origin.clone();
        tokio::spawn(async move {
            loop {
                // `recv` reconnects by itself after a lost connection.
                match listener.recv().await {
                    Ok(n) => {
                        for c in parse(&own, n.payload()) {
                            if tx.send(c).await.is_err() {
                                return;
                            }
                        }
                    }
                    Err(e) => {
                        tracing::warn!("the change feed failed: {e}");
                        return;
                    }
                }
            }
        });
        Ok(rx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(layer: LayerId, id: i64, kind: ChangeKind) -> Change {
        Change { layer, id, kind }
    }

    #[test]
    fn notices_group_runs_and_parse_back_except_ones_own() {
        let changes = vec![
            change(LayerId::Buildings, 1, ChangeKind::Created),
            change(LayerId::Buildings, 2, ChangeKind::Created),
            change(LayerId::Pipes, 9, ChangeKind::Deleted),
        ];
        let sent = notices("a", &changes);
        assert_eq!(sent, ["a buildings c 1,2", "a pipes d 9"]);
        let heard: Vec<Change> = sent.iter().flat_map(|n| parse("b", n)).collect();
        assert_eq!(heard, changes);
        assert!(sent.iter().all(|n| parse("a", n).is_empty()));
        assert!(parse("b", "b nonsense x 1").is_empty());
    }

    #[test]
    fn a_large_import_is_cut_into_notices_under_the_limit() {
        let changes: Vec<Change> = (1..=5000)
            .map(|id| change(LayerId::Components, id, ChangeKind::Created))
            .collect();
        let sent = notices("origin", &changes);
        assert!(sent.len() > 1);
        assert!(sent.iter().all(|n| n.len() < 8000));
        let heard: Vec<Change> = sent.iter().flat_map(|n| parse("other", n)).collect();
        assert_eq!(heard.len(), 5000);
    }
}
